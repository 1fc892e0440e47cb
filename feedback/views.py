"""The public feedback endpoint and its thank-you page.

Guidance pages stay cookie-free and cacheable, so the form carries no CSRF
token. Instead `submit_feedback` refuses cross-site posts, traps bots with a
honeypot, drops repeats and rate-limits each client. See
docs/feedback_privacy.md.
"""

import contextlib
import hashlib
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from wagtail.models import Page, Site

from portal.client_ip import client_ip

from .forms import FeedbackForm, reads_like_disclosure
from .models import FeedbackResponse

logger = logging.getLogger(__name__)

DUPLICATE_WINDOW_SECONDS = 5 * 60
RATE_LIMIT_WINDOW_SECONDS = 60
UNAVAILABLE_RETRY_AFTER_SECONDS = 30
THANKS_SALT = "feedback.thanks"
MAX_BODY_BYTES = 16 * 1024


def _wants_json(request):
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _is_cross_site(request):
    """True for a post sent from another site (Fetch Metadata, Origin, Referer)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site and fetch_site not in {"same-origin", "none"}:
        return True
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return False  # non-browser clients; the rate limit still applies
    return urlsplit(source).netloc != request.get_host()


def _client_key(request):
    """A salted hash of the client address, used only as a cache key, never stored.

    The salt changes every day, so a key cannot be linked across days.
    """
    salt = f"{settings.SECRET_KEY}:feedback:{timezone.now().date().isoformat()}"
    return hashlib.sha256(f"{salt}:{client_ip(request)}".encode()).hexdigest()


def _over_rate_limit(client_key):
    window = int(timezone.now().timestamp() // RATE_LIMIT_WINDOW_SECONDS)
    key = f"feedback:rate:{client_key}:{window}"
    try:
        cache.add(key, 0, RATE_LIMIT_WINDOW_SECONDS)
        return cache.incr(key) > settings.FEEDBACK_RATE_LIMIT_PER_MINUTE
    except Exception:  # noqa: BLE001 - cache outage: fail open, see docs/feedback_privacy.md
        logger.warning("Feedback rate limit unavailable (cache down): accepting the post")
        return False


def _duplicate_key(client_key, cleaned):
    reason = cleaned["reason"].slug if cleaned["reason"] else ""
    answer = "\x1f".join([str(cleaned["page"]), cleaned["useful"], reason, cleaned["comment"]])
    digest = hashlib.sha256(f"{client_key}:{answer}".encode()).hexdigest()
    return f"feedback:seen:{digest}"


def _claim_first_submission(key):
    """True the first time an answer is seen within the window."""
    try:
        return cache.add(key, 1, DUPLICATE_WINDOW_SECONDS)
    except Exception:  # noqa: BLE001 - cache outage: store rather than lose the answer
        return True


def _release_submission(key):
    # In a cache outage the key cannot be removed; it expires with its window.
    with contextlib.suppress(Exception):
        cache.delete(key)


def _visitor_path(page, request):
    """The page's address on its site, as the visitor saw it."""
    url_parts = page.get_url_parts(request)
    return url_parts[2] if url_parts else page.url_path


def _thanks_salt(needs_support):
    return f"{THANKS_SALT}.{'support' if needs_support else 'plain'}"


def _thanks_url(page_id, needs_support):
    """The thank-you address. A signed value is readable (base64), so whether the
    comment read as a disclosure is not in it: it is which salt signed it, and
    without the secret key both kinds of address look alike in a browser's history."""
    token = signing.dumps({"p": page_id}, salt=_thanks_salt(needs_support), compress=True)
    return reverse("feedback:thanks", args=[token])


def _thanks_context(page, needs_support):
    return {"feedback_page": page, "needs_support": needs_support}


# The heading of each full refusal page, and how it leads to the help contacts.
NOT_SENT = ("Your feedback was not sent", "If you need help now:")
PLEASE_WAIT = ("Please wait a minute", "If you need help now, you do not have to wait:")
NOT_SAVED = ("Sorry, your feedback could not be saved", "If you need help now:")


def _error_response(request, status, message, page_text, retry_after=None):
    if _wants_json(request):
        # The enhanced form shows the help contacts too, as the full pages do.
        html = render_to_string("feedback/problem_message.html", {"message": message})
        response = JsonResponse({"message": message, "html": html}, status=status)
    else:
        heading, help_intro = page_text
        context = {"heading": heading, "message": message, "help_intro": help_intro}
        response = render(request, "feedback/refusal.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _success_response(request, page, needs_support):
    if _wants_json(request):
        html = render_to_string(
            "feedback/thanks_message.html", _thanks_context(page, needs_support), request
        )
        return JsonResponse(
            {"message": "Thank you for your feedback.", "support": needs_support, "html": html},
            status=201,
        )
    return HttpResponseRedirect(_thanks_url(page.pk if page else 0, needs_support), status=303)


def _invalid_response(request, form):
    if _wants_json(request):
        html = render_to_string(
            "components/feedback_form.html", {"form": form, "page": form.feedback_page}, request
        )
        return JsonResponse(
            {
                "errors": {field: list(errors) for field, errors in form.errors.items()},
                "html": html,
            },
            status=400,
        )
    return render(request, "feedback/feedback_page.html", {"form": form}, status=400)


@csrf_exempt  # cookie-free cached pages cannot carry a token; see the module docstring
@require_POST
def submit_feedback(request):
    """POST /feedback/: store one answer, or say clearly what to fix."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return _error_response(
            request,
            413,
            "Your feedback is too long to send. Comments can be up to 1,200 characters.",
            NOT_SENT,
        )
    if _is_cross_site(request):
        return _error_response(
            request, 403, "Feedback can only be sent from this website.", NOT_SENT
        )
    client_key = _client_key(request)
    if _over_rate_limit(client_key):
        return _error_response(
            request,
            429,
            "You have sent a lot of feedback in a short time. Please wait a minute and try again.",
            PLEASE_WAIT,
            retry_after=RATE_LIMIT_WINDOW_SECONDS,
        )
    try:
        return _handle_feedback(request, client_key)
    except DatabaseError:
        logger.exception("Feedback could not be saved: database unavailable")
        return _error_response(
            request,
            503,
            "Sorry, we could not save your feedback just now. Please try again later.",
            NOT_SAVED,
            retry_after=UNAVAILABLE_RETRY_AFTER_SECONDS,
        )


def _handle_feedback(request, client_key):
    # The force the answer belongs to: the site the request's host name matched.
    site = Site.find_for_request(request)
    form = FeedbackForm(request.POST, site=site)
    if form.is_from_a_bot:
        # Bots get exactly the answer a person would (the same thank-you, the
        # help first for a disclosure), so they learn nothing; nothing is stored.
        logger.info("Feedback discarded: the hidden field was filled in")
        page = form.feedback_page if form.is_valid() else None
        needs_support = page is not None and reads_like_disclosure(form.cleaned_data["comment"])
        return _success_response(request, page, needs_support)
    if not form.is_valid():
        return _invalid_response(request, form)

    page = form.feedback_page
    cleaned = form.cleaned_data
    needs_support = reads_like_disclosure(cleaned["comment"])
    duplicate_key = _duplicate_key(client_key, cleaned)
    if _claim_first_submission(duplicate_key):
        try:
            with transaction.atomic():
                response = FeedbackResponse.objects.create(
                    site=site,
                    page=page,
                    page_revision_id=page.live_revision_id,
                    page_title=page.title,
                    page_path=_visitor_path(page, request),
                    useful=cleaned["useful"] == "yes",
                    reason=cleaned["reason"],
                    comment=cleaned["comment"],
                )
                # Kept to the hour (the field sets "now" itself, so in a second
                # statement): an exact time could pick the post out of a proxy's log.
                FeedbackResponse.objects.filter(pk=response.pk).update(
                    submitted_at=response.submitted_at.replace(minute=0, second=0, microsecond=0)
                )
        except DatabaseError:
            _release_submission(duplicate_key)
            raise
    return _success_response(request, page, needs_support)


@require_safe
def thanks(request, token):
    """The thank-you page a visitor without JavaScript lands on."""
    for needs_support in (False, True):
        try:
            data = signing.loads(token, salt=_thanks_salt(needs_support))
            page = Page.objects.live().public().filter(pk=data["p"]).first()
            break
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            continue
    else:
        raise Http404("No such thank-you page")
    return render(
        request, "feedback/thanks.html", _thanks_context(page and page.specific, needs_support)
    )
