# Varnish in front of the portal's app servers: a CDN you run yourself.
#
# What it does (docs/deployment.md says how to run it):
#
# - Keeps what the app says may be kept: its Cache-Control (`s-maxage` for
#   a shared cache like this one). An answer without Cache-Control, with
#   `private` or `no-store`, or with a cookie is never kept.
# - Never keeps anything for staff (a session cookie) or from the admin,
#   feedback, quick exit, health checks or documents: those go straight to
#   the app with their cookies.
# - Drops every cookie from anonymous requests for public pages, so every
#   visitor gets the same cached page.
# - Keeps serving a cached page past its age when no app server answers
#   (grace): for as long as the app's `stale-if-error` allows.
# - Tries a failed page request once more on the next app server; when none
#   answers, still sends quick exit away and shows the help numbers.
# - Drops a page at once on `PURGE <path>`, which the app sends on publish
#   (FRONTEND_CACHE_HTTP_URL), but only from the addresses in `purgers`.
# - Keeps pages by host name and path: each force is its own site.
#
# The backends (app servers) live in a separate file, `backends.vcl`,
# included below and looked up on Varnish's `vcl_path` (/etc/varnish on
# Debian): copy deploy/backends.vcl.example there as backends.vcl and list
# your app servers. This file then needs no editing but the `purgers` list
# (and the neutral site in vcl_backend_error, if yours is another).
# tests/test_scale_out.py runs this file unchanged, with a backends.vcl of
# its own.
#
# Pages are hashed by HOST NAME and path (vcl_hash), as in the app's own
# page cache: each force is a Wagtail Site with its own host name, and one
# force's page must never be served on another's. The Host is put in lower
# case and loses its port first, so the same page reached with or without a
# port is one copy; X-Forwarded-Host is dropped, so the app answers for the
# very host the copy is kept under.
#
# The app names the site that answered in `X-Portal-Site` (its host name).
# A PURGE carries that host name as its Host (portal/cdn.py) and drops every
# copy of the path that site answered, under whichever Host the visitor
# used: a single-site install answers every allowed host name
# (portal/sites.py).

vcl 4.1;

import directors;
import std;

# Is an app server up? /health/live/ answers while the process does, without
# touching the database. Not /health/ready/: when the shared database is
# down every app server would be marked sick at once, and Varnish would
# answer everything itself. The app does better in an outage: it serves
# cached pages past their age and a 503 page with the quick exit and the
# help numbers, and /exit/ keeps working (docs/outages.md).
probe app_live {
    .url = "/health/live/";
    .interval = 5s;
    .timeout = 2s;
    .window = 5;
    .threshold = 3;
    .initial = 3;  # healthy from the start: no 503s right after a restart
}

# The app servers and the director `app` that spreads requests over them.
include "backends.vcl";

# Who may send PURGE: the app servers (any of them sends purges when staff
# publish) and the host that runs the scheduled jobs (publish_scheduled).
# Loopback only here, for everything on one machine: EDIT this list to their
# addresses, or their subnet, such as "10.0.1.0"/24.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    set req.backend_hint = app.backend();

    # Pages are kept by host name (see the top of this file): lower case,
    # no port, and no X-Forwarded-Host to make the app answer for another.
    unset req.http.X-Forwarded-Host;
    if (req.http.host) {
        set req.http.host = std.tolower(regsub(req.http.host, ":[0-9]+$", ""));
    }

    # While an app server is healthy, a page past its age is fetched again
    # (after at most 10 s of serving the old copy while it is refreshed). When
    # none is, the whole grace applies: cached pages keep being served.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # Every copy of the path that this site answered, whatever Host the
        # visitor named. Only obj.* in the ban, so the ban lurker clears it.
        if (!std.ban("obj.http.X-Portal-Site == " + req.http.host +
                " && obj.http.X-Portal-Path == " + req.url)) {
            return (synth(400, std.ban_error()));
        }
        return (synth(200, "Purged"));
    }

    # Staff: Django's session cookie (`__Host-sessionid` under HTTPS). Their
    # pages carry the admin's user bar and drafts: never cached, cookies kept.
    if (req.http.Cookie ~ "(^|;\s*)(__Host-)?sessionid=") {
        return (pass);
    }

    # Never cached, as in the app (PAGE_CACHE_EXCLUDED_PREFIXES): the admin,
    # feedback posts and thank-you pages, quick exit, health checks, documents.
    if (req.url ~ "^/(admin|feedback|exit|health|documents)(/|\?|$)") {
        return (pass);
    }

    # A public page for an anonymous visitor: no cookie is needed (the site
    # sets none), and a cookie would stop Varnish from using the cache.
    unset req.http.Cookie;

    # The pages read no query string, as the app's page cache knows: a link
    # with ?utm_source=… or a made-up one meant to miss the cache gets the
    # page's one copy. Search results keep theirs (the app counts each search).
    if (req.url !~ "^/search/") {
        set req.url = regsub(req.url, "\?.*$", "");
    }

    # Varnish's built-in rules follow: only GET and HEAD are looked up in
    # the cache, anything with an Authorization header is passed.
}

sub vcl_hash {
    # By host name and path (see the top of this file): one force's page is
    # never another's.
    hash_data(req.url);
    hash_data(req.http.host);
    return (lookup);
}

sub vcl_backend_response {
    # What a PURGE's ban matches: the path, beside the app's X-Portal-Site.
    set beresp.http.X-Portal-Path = bereq.url;

    # Only what the app marks cacheable. Varnish's default would keep an
    # answer without Cache-Control for two minutes: the app sends none on
    # purpose for pages with a made-up query string (so nobody can fill the
    # cache with them), and none on its 404s and redirects.
    if (!beresp.http.Cache-Control && !beresp.http.Expires) {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }

    # Varnish reads s-maxage (else max-age) into beresp.ttl by itself. It does
    # not read stale-if-error: that becomes the grace, how long past its age
    # a page may still be served while no app server answers.
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"),
            10s);
    }

    # A refresh in the background that fails keeps the old copy.
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }

    # Varnish's built-in rules follow: nothing with Set-Cookie, `private`,
    # `no-store` or `no-cache`, or `Vary: *` is kept.
}

sub vcl_deliver {
    # For PURGE only: visitors need not see them.
    unset resp.http.X-Portal-Site;
    unset resp.http.X-Portal-Path;

    # HIT when the answer came from Varnish's cache, MISS otherwise.
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}

sub vcl_backend_error {
    # An app server refused or dropped the connection: a read is tried once
    # more, on the next server, so visitors do not notice one going down in
    # the seconds before the probe marks it sick. Posts are not repeated.
    if (bereq.retries == 0 && bereq.method ~ "^(GET|HEAD)$") {
        return (retry);
    }

    set beresp.http.Cache-Control = "no-store";

    # No app server answers. Quick exit must still leave: to the app's
    # built-in neutral site (edit it if your safety settings name another).
    if (bereq.url ~ "^/exit/") {
        set beresp.status = 303;
        set beresp.reason = "See Other";
        set beresp.http.Location = "https://www.bbc.co.uk/weather";
        set beresp.http.Clear-Site-Data = {""cache", "storage""};
        return (deliver);
    }

    # Anything else not in the cache: a plain page that still leads away
    # from the site and to help, as the app's own 503 page does.
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Retry-After = "30";
    synthetic({"<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sorry, this page is not available just now</title></head>
<body>
<p><a href="https://www.bbc.co.uk/weather" rel="noreferrer">Leave this site</a></p>
<h1>Sorry, this page is not available just now</h1>
<p>Please try again in a few minutes.</p>
<p>If you or someone else is in danger now, call <a href="tel:999">999</a>.</p>
<p>For other police matters, call <a href="tel:101">101</a>.</p>
</body>
</html>
"});
    return (deliver);
}
