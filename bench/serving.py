"""How fast the production configuration serves the seed page, cold and warm.

    .venv/bin/python bench/serving.py [--seconds 5] [--connections 8] [--profile]
        [--server gunicorn-gthread|gunicorn-sync|gunicorn-gevent|granian[,...]]
        [--cases stylesheet,warm,...]

Starts everything itself in a temporary folder: a PostgreSQL database of
its own (created, then dropped), a Redis database index of its own
(`--redis-db`, must be empty; flushed afterwards), `migrate`,
`load_demo_content`, `collectstatic`, then the app server with
`portal.settings.production` (DJANGO_HTTPS=false) and, in front of it,
Varnish. Each case is measured with `wrk --latency` (2 threads,
`--connections` connections, `--seconds` long, 10 s timeout), after a
1 s warm-up of each case, `--runs` times (default 3), the cases
interleaved (stylesheet, cold, warm, ... then again), and the
median of the runs printed: requests per second, p50 and p99 latency, each
also as a ratio to the hashed stylesheet measured in the same run.

Cases (every GET sends `Accept-Encoding: gzip`, as browsers do):

- **stylesheet**: the hashed stylesheet named by the seed page's
  `<link rel=stylesheet>`, served by Whitenoise in the same app server: the
  yardstick, as near to "a static file through Django" as this stack gets.
- **cold**: the seed page `/online-safety/sexting/` rendered for every
  request. Fairness: a second app server, identical but for
  `PAGE_CACHE_MAX_AGE=0`, which switches the page cache off, so every request
  renders the page (queries and templates) and none is served from the
  cache. It therefore leaves out what a real miss also pays: compressing
  the page for the cache (gzip and brotli) and storing it. The script also
  prints the SQL queries of one cold render (measured in-process with
  `CaptureQueriesContext`, same settings and database, after one warm-up
  render) and, with `--profile`, a cProfile of one cold render and of 500
  cached answers (top 25 by cumulative time).
- **warm**: the seed page from the page cache (Redis), gzipped as stored.
- **varnish**: the seed page through Varnish in front of the app server,
  with deploy/varnish.vcl when it exists (its `backends.vcl` written by the
  script: one backend, this app server) or else, or with `--vcl minimal`, a
  minimal VCL (a backend and Varnish's built-in rules, which keep the page
  for its `s-maxage`). Every measured request is a Varnish hit.
- **varnish-static**: the same response (headers and gzipped bytes, captured
  from the app server) served by a tiny backend in this script and cached by
  a second Varnish with the same VCL: what Varnish costs for a static file
  of the same size. The varnish case is also given as a ratio to this.
- **feedback**: valid posts to `/feedback/` as the page's script sends them
  (`Accept: application/json`, the right `Origin`), each with a different
  comment so that none is dropped as a repeat, stored in PostgreSQL. The
  rate limit is raised (`FEEDBACK_RATE_LIMIT_PER_MINUTE`) since every post
  comes from 127.0.0.1. The rows stored are counted afterwards.

Several app servers (`--server gunicorn-gthread,granian`) are started side
by side and their cases interleaved in the same runs, so that they share
whatever else the machine is doing; each gets its own table, then one table
per case compares them with the first. Varnish sits in front of the first.

wrk runs on the same 2-CPU machine as the servers, so it takes CPU from
them; the ratios matter more than the absolute figures. Figures only, never
assertions.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench._common import describe_machine, say, version_of  # noqa: E402
from tests.support.servers import free_port, manage_ok, production_env, request, stop  # noqa: E402

SEED_PAGE = "/online-safety/sexting/"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"
STARTUP_TIMEOUT = 60
GZIP = {"Accept-Encoding": "gzip"}
SERVERS = ["gunicorn-gthread", "gunicorn-sync", "gunicorn-gevent", "granian"]
CASES = ["stylesheet", "cold", "warm", "varnish", "varnish-static", "feedback"]
# Headers the static copy does not repeat: each server writes its own.
HOP_HEADERS = {"date", "age", "connection", "content-length", "transfer-encoding", "server"}


# The machine -----------------------------------------------------------------


def varnish_version():
    completed = subprocess.run(["varnishd", "-V"], capture_output=True, text=True, check=False)
    match = re.search(r"varnish-[\d.]+", completed.stderr + completed.stdout)
    return match.group() if match else "varnishd"


def describe_server(kind, args):
    if kind == "granian":
        return (
            f"granian {version_of('granian')} (WSGI interface), {args.workers} workers x "
            f"{args.threads} blocking threads"
        )
    worker_class = kind.removeprefix("gunicorn-")
    detail = f"{args.workers} workers"
    if worker_class == "gthread":
        detail += f" x {args.threads} threads"
    elif worker_class == "gevent":
        detail += " (gevent; psycopg2 is not patched, so queries block a worker)"
    return f"gunicorn {version_of('gunicorn')}, worker class {worker_class}, {detail}"


# Throwaway PostgreSQL database and Redis index --------------------------------


def postgres_admin(statement):
    import psycopg2

    connection = psycopg2.connect(f"{POSTGRES}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def create_database(name):
    postgres_admin(f'DROP DATABASE IF EXISTS "{name}"')
    postgres_admin(f'CREATE DATABASE "{name}"')


def drop_database(name):
    postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def check_connection_budget(kinds, db_cases, args):
    """Refuse to hold more PostgreSQL connections than it has to spare.

    Each app-server thread that queries keeps its connection open
    (DATABASE_CONN_MAX_AGE, 60 s): under the cold and feedback cases every
    thread does; otherwise only the first render in each worker. Too many
    would take PostgreSQL's last connections from everyone else on it.
    """
    import psycopg2

    connection = psycopg2.connect(f"{POSTGRES}/postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity"
            )
            spare = cursor.fetchone()[0]
    finally:
        connection.close()
    threads = {kind: 1 if kind == "gunicorn-sync" else args.threads for kind in kinds}
    wanted = sum(args.workers * (db_cases * threads[kind] + 1) for kind in kinds)
    if wanted > spare - 20:
        sys.exit(
            f"These app servers could hold {wanted} PostgreSQL connections; {spare} are "
            "free and 20 stay for others. Measure fewer servers at once, or the cold and "
            "feedback cases apart."
        )


def count_feedback_rows(database):
    import psycopg2

    connection = psycopg2.connect(f"{POSTGRES}/{database}")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM feedback_feedbackresponse")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def redis_client(index):
    import redis

    return redis.Redis.from_url(f"{REDIS}/{index}")


def claim_redis_index(index):
    """Refuse an index someone else is using: it is flushed at the end."""
    keys = redis_client(index).dbsize()
    if keys:
        sys.exit(f"Redis database {index} holds {keys} keys: pick an empty one with --redis-db.")


def flush_redis_index(index):
    redis_client(index).flushdb()


# The production configuration ---------------------------------------------------


def bench_env(folder, database, redis_index, **overrides):
    env = production_env(
        folder,
        DATABASE_URL=f"{POSTGRES}/{database}",
        REDIS_URL=f"{REDIS}/{redis_index}",
        **overrides,
    )
    env.pop("DJANGO_ALLOW_SQLITE", None)
    return env


def prepare_site(env):
    manage_ok("migrate", "--noinput", env=env)
    manage_ok("load_demo_content", env=env)
    manage_ok("collectstatic", "--noinput", env=env)


def server_command(kind, port, workers, threads):
    if kind == "granian":
        return [
            *(sys.executable, "-m", "granian", "--interface", "wsgi"),
            *("--host", "127.0.0.1", "--port", str(port)),
            *("--workers", str(workers), "--blocking-threads", str(threads)),
            *("--no-ws", "portal.wsgi:application"),
        ]
    worker_class = kind.removeprefix("gunicorn-")
    command = [
        *(sys.executable, "-m", "gunicorn", "portal.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
        *("--worker-class", worker_class, "--timeout", "30"),
        "--no-control-socket",  # its default path is shared by every gunicorn
    ]
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    return command


def start_process(command, log_path, env=None):
    with log_path.open("w") as log:
        return subprocess.Popen(
            command,
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stop() can end it and its children
        )


def wait_until_answering(process, port, path, log_path):
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{log_path.name}: exited {process.returncode}\n{log_path.read_text()}"
            )
        try:
            request(port, "GET", path)
            return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"{log_path.name}: no answer in {STARTUP_TIMEOUT}s\n{log_path.read_text()}")


@dataclass
class Running:
    """The processes and servers this run started, to stop at the end."""

    processes: list = field(default_factory=list)
    http_servers: list = field(default_factory=list)

    def stop_all(self):
        for process in reversed(self.processes):
            try:
                stop(process)
            except Exception as error:  # noqa: BLE001 - stop the others all the same
                print(f"Could not stop {process.args[:4]}: {error!r}", file=sys.stderr)  # noqa: T201
        for server in self.http_servers:
            server.shutdown()


def clean_up(running, database, redis_index, folder):
    """Stop what the run started, drop its database, empty its Redis index: each step apart."""
    steps = [
        running.stop_all,
        lambda: drop_database(database),
        lambda: flush_redis_index(redis_index),
    ]
    for step in steps:
        try:
            step()
        except Exception as error:  # noqa: BLE001 - do the other steps all the same
            print(f"Cleaning up: {error!r}", file=sys.stderr)  # noqa: T201
    shutil.rmtree(folder, ignore_errors=True)


def start_app_server(running, kind, env, log_path, workers, threads):
    port = free_port()
    process = start_process(server_command(kind, port, workers, threads), log_path, env)
    running.processes.append(process)
    wait_until_answering(process, port, "/health/live/", log_path)
    return port


# Varnish and the static copy -----------------------------------------------------

MINIMAL_VCL = """vcl 4.1;

# The built-in VCL does the rest: no cookie and no Authorization, so pages are
# looked up in the cache; kept for their s-maxage; gzip kept as sent.
backend default {
    .host = "127.0.0.1";
    .port = "$port";
}
"""

# The one backend deploy/varnish.vcl includes, as deploy/backends.vcl.example lists them.
DEPLOY_BACKENDS_VCL = """vcl 4.1;

backend app1 {
    .host = "127.0.0.1";
    .port = "$port";
    .host_header = "127.0.0.1";
    .probe = app_live;
}

sub vcl_init {
    new app = directors.round_robin();
    app.add_backend(app1);
}
"""
DEPLOY_VCL = PROJECT / "deploy" / "varnish.vcl"


def write_vcl(folder, which, backend_port):
    """The VCL file (and for deploy/varnish.vcl its backends.vcl) in a folder of its own."""
    folder.mkdir()
    folder.chmod(0o755)  # Varnish's unprivileged user reads the VCL here
    port = {"port": backend_port}
    if which == "deploy":
        shutil.copy(DEPLOY_VCL, folder / "varnish.vcl")
        (folder / "backends.vcl").write_text(string.Template(DEPLOY_BACKENDS_VCL).substitute(port))
    else:
        (folder / "varnish.vcl").write_text(string.Template(MINIMAL_VCL).substitute(port))
    for path in folder.iterdir():
        path.chmod(0o644)
    return folder / "varnish.vcl"


def start_varnish(running, folder, name, backend_port, which):
    vcl = write_vcl(folder / f"vcl-{name}", which, backend_port)
    port = free_port()
    command = [
        *("varnishd", "-F", "-a", f"127.0.0.1:{port}", "-f", str(vcl)),
        *("-p", f"vcl_path={vcl.parent}", "-n", str(folder / f"varnish-{name}")),
        *("-s", "malloc,64m"),
    ]
    log_path = folder / f"varnish-{name}.log"
    process = start_process(command, log_path)
    running.processes.append(process)
    wait_until_answering(process, port, "/", log_path)
    return port


def captured_response(port, path):
    """The warm page as the app server sends it: (headers, gzipped body)."""
    status, headers, body = request(port, "GET", path, headers=GZIP)
    if status != 200 or headers.get("Content-Encoding") != "gzip":
        raise RuntimeError(f"{path}: expected a gzipped 200, got {status} {dict(headers)}")
    kept = [(name, value) for name, value in headers.items() if name.lower() not in HOP_HEADERS]
    return kept, body


def start_static_copy(running, headers, body):
    """A backend that answers every GET with exactly these headers and bytes."""

    class StaticCopy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # the name http.server calls
            self.send_response(200)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), StaticCopy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    running.http_servers.append(server)
    return server.server_address[1]


def check_varnish_hit(port, path):
    request(port, "GET", path, headers=GZIP)
    status, headers, _ = request(port, "GET", path, headers=GZIP)
    # A hit names two transactions: this request and the one that stored it.
    if status != 200 or len(headers.get("X-Varnish", "").split()) != 2:
        raise RuntimeError(f"Varnish did not cache {path}: {status} {dict(headers)}")


# wrk -----------------------------------------------------------------------------

FEEDBACK_LUA = string.Template("""-- Valid feedback posts as static/js/feedback.js sends them.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.headers["Origin"] = "$origin"
local threads = {}

function setup(thread)
    thread:set("thread_number", #threads + 1)
    table.insert(threads, thread)
end

counter = 0

function request()
    counter = counter + 1
    local body = "page=$page_id&useful=yes&reason=parent-carer&giraffe="
        .. "&comment=bench+$token+thread+" .. thread_number .. "+answer+" .. counter
    return wrk.format(nil, "/feedback/", nil, body)
end
""")

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


@dataclass
class Case:
    name: str
    label: str
    server: str  # the app server kind behind it
    port: int
    path: str
    lua: str = ""  # a wrk script; $token is replaced by a new word each run

    @property
    def key(self):
        return f"{self.server} {self.name}"


def milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(number) * UNITS[unit]


def parse_wrk(output):
    def find(pattern):
        match = re.search(pattern, output)
        if not match:
            raise RuntimeError(f"wrk printed no {pattern!r}:\n{output}")
        return match.group(1)

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(find(r"Requests/sec:\s+([\d.]+)")),
        "p50": milliseconds(find(r"50%\s+([\d.]+[a-z]+)")),
        "p99": milliseconds(find(r"99%\s+([\d.]+[a-z]+)")),
        "requests": int(find(r"(\d+) requests in")),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def run_wrk(case, args, folder, seconds=None):
    command = [
        *("wrk", "-t2", f"-c{args.connections}", f"-d{seconds or args.seconds}s", "--latency"),
        *("--timeout", "10s", "-H", "Accept-Encoding: gzip"),
    ]
    if case.lua:
        token = "".join(random.choices(string.ascii_lowercase, k=10))
        script = folder / f"{case.server}-{case.name}.lua"
        script.write_text(string.Template(case.lua).substitute(token=token))
        command += ["-s", str(script)]
    command.append(f"http://127.0.0.1:{case.port}{case.path}")
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed for {case.key}:\n{completed.stdout}{completed.stderr}")
    return parse_wrk(completed.stdout)


# The cold render in-process (a subprocess with the cold server's settings) -------


def measure_in_process(path, profile):
    """Queries and render time of the page with the page cache off; optional profiles."""
    import cProfile
    import io
    import pstats

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip")
    first = client.get(path)
    if first.status_code != 200:
        raise RuntimeError(f"{path} answered {first.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    # Read now: the next request's request_started signal empties the log.
    statements = [query["sql"] for query in queries.captured_queries]
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        client.get(path)
        timings.append(time.perf_counter() - started)
    result = {
        "queries": len(statements),
        "statements": [statement[:160] for statement in statements],
        "render_ms": statistics.median(timings) * 1000,
    }
    if profile:
        output = io.StringIO()
        profiler = cProfile.Profile()
        profiler.runcall(client.get, path)
        pstats.Stats(profiler, stream=output).sort_stats("cumulative").print_stats(25)
        result["cold_profile"] = short_paths(output.getvalue())
        result["warm_profile"] = profile_warm(path)
    return result


def profile_warm(path, answers=500):
    """500 answers from the page cache, in-process: where a warm request's time goes."""
    import cProfile
    import io
    import pstats

    from django.conf import settings
    from django.test import Client

    settings.PAGE_CACHE_MAX_AGE = 300
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip")
    client.get(path)  # stores it

    def serve_many():
        for _ in range(answers):
            client.get(path)

    output = io.StringIO()
    profiler = cProfile.Profile()
    profiler.runcall(serve_many)
    pstats.Stats(profiler, stream=output).sort_stats("cumulative").print_stats(25)
    return short_paths(output.getvalue())


def short_paths(text):
    """Profile lines without the virtualenv's and the project's folders."""
    import django

    site_packages = str(Path(django.__file__).parents[1])
    return text.replace(site_packages + "/", "").replace(str(PROJECT) + "/", "")


def cold_render_figures(env, profile):
    command = [sys.executable, __file__, "--measure-in-process", SEED_PAGE]
    if profile:
        command.append("--profile")
    completed = subprocess.run(
        command, cwd=PROJECT, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"In-process measurement failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# Setting it all up ------------------------------------------------------------------


def page_details(port):
    """The hashed stylesheet URL and the page id of the seed page's feedback form."""
    status, _, body = request(port, "GET", SEED_PAGE)
    html = body.decode()
    if status != 200:
        raise RuntimeError(f"{SEED_PAGE} answered {status}")
    stylesheet = re.search(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', html) or re.search(
        r'<link[^>]*href="([^"]+)"[^>]*rel="stylesheet"', html
    )
    page_id = re.search(r'name="page" value="(\d+)"', html) or re.search(
        r'value="(\d+)"[^>]*name="page"', html
    )
    if not stylesheet or not page_id:
        raise RuntimeError(f"No stylesheet link or feedback page id in {SEED_PAGE}")
    return stylesheet.group(1), page_id.group(1)


def check_warm(port, path):
    request(port, "GET", path, headers=GZIP)  # stores it, if it was not yet
    status, headers, _ = request(port, "GET", path, headers=GZIP)
    if status != 200 or headers.get("Content-Encoding") != "gzip" or "Age" not in headers:
        raise RuntimeError(f"{path} did not come from the page cache: {status} {dict(headers)}")


def start_server_cases(running, kind, args, folder, envs, first):
    """Start one kind of app server (and its cold twin): its cases, and Varnish's for the first."""
    app = start_app_server(
        running, kind, envs["warm"], folder / f"{kind}.log", args.workers, args.threads
    )
    stylesheet, page_id = page_details(app)
    check_warm(app, SEED_PAGE)
    name = stylesheet.rsplit("/", 1)[-1]
    cases = [Case("stylesheet", f"stylesheet {name}", kind, app, stylesheet)]
    if "cold" in args.cases:
        log = folder / f"{kind}-cold.log"
        cold = start_app_server(running, kind, envs["cold"], log, args.workers, args.threads)
        cases.append(Case("cold", "seed page, cold (cache off)", kind, cold, SEED_PAGE))
    cases.append(Case("warm", "seed page, warm (page cache)", kind, app, SEED_PAGE))
    if first and "varnish" in args.cases:
        varnish = start_varnish(running, folder, "app", app, args.vcl)
        check_varnish_hit(varnish, SEED_PAGE)
        cases.append(Case("varnish", "seed page via Varnish", kind, varnish, SEED_PAGE))
    if first and "varnish-static" in args.cases:
        headers, body = captured_response(app, SEED_PAGE)
        backend = start_static_copy(running, headers, body)
        varnish_static = start_varnish(running, folder, "static", backend, args.vcl)
        check_varnish_hit(varnish_static, SEED_PAGE)
        label = "static copy via Varnish"
        cases.append(Case("varnish-static", label, kind, varnish_static, SEED_PAGE))
    lua = FEEDBACK_LUA.safe_substitute(origin=f"http://127.0.0.1:{app}", page_id=page_id)
    cases.append(Case("feedback", "feedback posts (PostgreSQL)", kind, app, "/feedback/", lua))
    return [case for case in cases if case.name in args.cases]


def start_everything(args, folder, database, running):
    """Prepare the site, start the servers; return the cases to measure and the cold env."""
    limit = {"FEEDBACK_RATE_LIMIT_PER_MINUTE": "1000000000"}
    envs = {
        "warm": bench_env(folder, database, args.redis_db, **limit),
        "cold": bench_env(folder, database, args.redis_db, PAGE_CACHE_MAX_AGE="0", **limit),
    }
    say("Preparing: migrate, load_demo_content, collectstatic ...")
    prepare_site(envs["warm"])
    cases = []
    for index, kind in enumerate(args.servers):
        cases += start_server_cases(running, kind, args, folder, envs, first=index == 0)
    return cases, envs["cold"]


# Measuring and printing --------------------------------------------------------------


def measure(cases, args, folder, database):
    """Every case once per run, interleaved; then the medians of each figure."""
    runs = {case.key: [] for case in cases}
    accepted_posts = 0
    say("Warming up: every case for 1 s, not counted (each worker's first requests are slow)")
    for case in cases:
        run_wrk(case, args, folder, seconds=1)
    rows_before = count_feedback_rows(database)
    for run in range(1, args.runs + 1):
        say(f"Run {run} of {args.runs}: {', '.join(case.key for case in cases)}")
        for case in cases:
            result = run_wrk(case, args, folder)
            runs[case.key].append(result)
            if case.name == "feedback":
                accepted_posts += result["requests"] - result["non_2xx"]
            if result["non_2xx"] or result["socket_errors"]:
                say(
                    f"  {case.key}: {result['non_2xx']} answers not 2xx/3xx, "
                    f"socket errors: {result['socket_errors'] or 'none'}"
                )
    stored = count_feedback_rows(database) - rows_before
    medians = {
        key: {
            figure: statistics.median(result[figure] for result in results)
            for figure in ("rps", "p50", "p99")
        }
        for key, results in runs.items()
    }
    return medians, accepted_posts, stored


def ratio(value, base):
    return f"{value / base:.2f}x" if base else "-"


def print_table(title, rows, base):
    """rows: (label, figures); each figure also as a ratio to base's."""
    say()
    say(title)
    say(f"{'case':<34}{'req/s':>9}{'ratio':>8}{'p50 ms':>10}{'ratio':>8}{'p99 ms':>10}{'ratio':>8}")
    for label, figures in rows:
        rps, p50, p99 = (ratio(figures[key], base[key]) for key in ("rps", "p50", "p99"))
        say(
            f"{label:<34}{figures['rps']:>9,.0f}{rps:>8}"
            f"{figures['p50']:>10.2f}{p50:>8}{figures['p99']:>10.2f}{p99:>8}"
        )


def print_results(cases, medians, servers):
    for kind in servers:
        rows = [(case.label, medians[case.key]) for case in cases if case.server == kind]
        base = medians[f"{kind} stylesheet"]
        print_table(f"{kind}: ratios to the hashed stylesheet (same run)", rows, base)
    varnish = [case for case in cases if case.name.startswith("varnish")]
    if any(case.name == "varnish-static" for case in varnish):
        rows = [(case.label, medians[case.key]) for case in varnish]
        base = medians[f"{servers[0]} varnish-static"]
        print_table("Ratios to Varnish's static copy", rows, base)
    if len(servers) > 1:
        for name in dict.fromkeys(case.name for case in cases if case.server == servers[1]):
            rows = [(kind, medians[f"{kind} {name}"]) for kind in servers]
            base = medians[f"{servers[0]} {name}"]
            print_table(f"{name}: each server as a ratio to {servers[0]}", rows, base)


def print_cold_figures(figures):
    say()
    say(
        f"One cold render of {SEED_PAGE} in-process (page cache off, after a warm-up "
        f"render): {figures['queries']} SQL queries; median render "
        f"{figures['render_ms']:.1f} ms over 20 renders (Django test client)."
    )
    for statement in figures["statements"]:
        say(f"  {statement}")
    if "cold_profile" in figures:
        say()
        say("cProfile of one cold render, top 25 by cumulative time:")
        say(figures["cold_profile"])
        say("cProfile of 500 answers from the page cache (in-process), top 25 by cumulative:")
        say(figures["warm_profile"])


def describe_run(args):
    say(describe_machine())
    for kind in args.servers:
        say(f"Server: {describe_server(kind, args)}")
    if {"varnish", "varnish-static"} & args.cases:
        vcl = "deploy/varnish.vcl" if args.vcl == "deploy" else "a minimal VCL (built-in rules)"
        say(f"Varnish: {varnish_version()}, {vcl}")
    say(
        f"wrk 2 threads, {args.connections} connections, {args.seconds} s per run, "
        f"{args.runs} runs interleaved, medians; Accept-Encoding: gzip"
    )


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="Length of each wrk run.")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections.")
    parser.add_argument("--runs", type=int, default=3, help="Runs per case (median printed).")
    parser.add_argument(
        "--server",
        default="gunicorn-gthread",
        help=f"One of {', '.join(SERVERS)}, or several separated by commas: measured "
        "interleaved in one run, the first also behind Varnish.",
    )
    parser.add_argument("--workers", type=int, default=3, help="App server worker processes.")
    parser.add_argument("--threads", type=int, default=8, help="Threads per worker (gthread).")
    parser.add_argument(
        "--cases",
        default=",".join(CASES),
        help=f"Comma-separated subset of {','.join(CASES)}; the stylesheet is always measured.",
    )
    parser.add_argument(
        "--vcl",
        choices=["deploy", "minimal"],
        default="deploy" if DEPLOY_VCL.exists() else "minimal",
        help="deploy/varnish.vcl (the default when it exists) or a minimal VCL.",
    )
    parser.add_argument("--redis-db", type=int, default=13, help="An empty Redis db index.")
    parser.add_argument(
        "--profile", action="store_true", help="Print cProfiles of a cold and a warm page."
    )
    parser.add_argument("--measure-in-process", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.cases = {"stylesheet", *args.cases.split(",")}
    unknown = args.cases - set(CASES)
    if unknown:
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
    args.servers = list(dict.fromkeys(args.server.split(",")))
    unknown = set(args.servers) - set(SERVERS)
    if unknown:
        parser.error(f"unknown servers: {', '.join(sorted(unknown))}")
    return args


def exit_on_sigterm(*_args):
    """A stopped run still stops its servers and drops its database (the `finally`)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut the cleanup short
    sys.exit(143)


def main():
    args = parse_arguments()
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    if args.measure_in_process:
        print(json.dumps(measure_in_process(args.measure_in_process, args.profile)))  # noqa: T201
        return
    describe_run(args)
    claim_redis_index(args.redis_db)
    check_connection_budget(args.servers, len({"cold", "feedback"} & args.cases), args)
    folder = Path(tempfile.mkdtemp(prefix="bench-serving-"))
    folder.chmod(0o755)  # Varnish's unprivileged user reads the VCL below it
    database = f"bench_serving_{os.getpid()}"
    running = Running()
    create_database(database)
    try:
        cases, cold_env = start_everything(args, folder, database, running)
        cold_figures = cold_render_figures(cold_env, args.profile) if "cold" in args.cases else None
        medians, accepted, stored = measure(cases, args, folder, database)
        print_results(cases, medians, args.servers)
        if "feedback" in args.cases:
            say()
            say(
                f"Feedback: {accepted:,} posts answered 2xx/3xx by wrk, {stored:,} rows stored "
                "(wrk does not count answers still in flight when it stops)."
            )
        if cold_figures:
            print_cold_figures(cold_figures)
    finally:
        clean_up(running, database, args.redis_db, folder)


if __name__ == "__main__":
    main()
