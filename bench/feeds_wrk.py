"""Feed serving throughput: the service, and a bare ASGI callable, against nginx.

Usage (from the repository root, after scripts/setup; needs Debian's nginx and wrk)::

    .venv/bin/python bench/feeds_wrk.py                 # 3 runs x 10 s per case
    .venv/bin/python bench/feeds_wrk.py --runs 1 --duration 3s
    .venv/bin/python bench/feeds_wrk.py --servers granian --large-events 0
    .venv/bin/python bench/feeds_wrk.py --nginx-workers 2

For each feed — /feeds/all.ics of config/timeline.toml (the shipped timeline), then of
a timeline of `--large-events` events (about 800 KB with 1,000) — and for each server
of `--servers`, it starts in its own process, on loopback ports, with a fixed clock:

- **service**: the service's own ASGI app (`reminders.service.build_app`: the feed
  route with its metrics counter in front of the pages) under that server in ONE
  process: ``granian`` as `gcmcal serve` runs it (`reminders.http_server`), ``uvicorn``
  as it ran before (uvloop + httptools, no access log);
- **bare**: a bare ASGI callable under the same server answering with the very bytes
  and headers of the service (a 304 to its ETag): what the server alone costs, so
  service / bare is the cost of the app itself;
- **nginx** serving the same bytes as a static file (``worker_processes 1`` by default,
  so that one process is compared with one process).

For each it runs ``wrk -c 64 -t 2 -d 10s --latency`` `--runs` times for a plain GET
(200) and as many with the server's own ETag in If-None-Match (304), and prints the
median requests/s and p99 latency, the ratio to nginx and the ratio to the bare
callable under the same server.

Goal (issue #13, shipped timeline, the server `gcmcal serve` runs): ratio to nginx
>= 0.5 for 200, >= 0.45 for 304, p99 < 15 ms. wrk and the servers share the
machine's cores, so figures are only comparable within a run. Not a test: it prints
figures and exits 0 unless a server fails to start.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn

from reminders import http_server
from reminders.service import build_app
from reminders.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TIMELINE = ROOT / "config" / "timeline.toml"
PATH = "/feeds/all.ics"
#: Fixed inputs: the bytes (and so the ETag) are the same on every run.
NOW = datetime(2024, 6, 1, tzinfo=UTC)
BASE_URL = "https://gcm.example.org"
#: A timeline of 1,000 events renders every feed and page in six languages at start.
STARTUP_SECONDS = 300.0
SERVERS = ("granian", "uvicorn")
#: Left out of the recorded response: the server adds its own date and server, and urllib
#: asked for "Connection: close", which must not close every connection of wrk.
DROPPED_HEADERS = {b"date", b"server", b"transfer-encoding", b"connection", b"keep-alive"}

NGINX_CONF = """
worker_processes {workers};
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types {{ text/calendar ics; }}
    charset utf-8;
    charset_types text/calendar;
    client_body_temp_path {dir}/tmp;
    proxy_temp_path {dir}/tmp;
    fastcgi_temp_path {dir}/tmp;
    uwsgi_temp_path {dir}/tmp;
    scgi_temp_path {dir}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {dir}/root;
        add_header Cache-Control "public, max-age=3600";
        add_header Access-Control-Allow-Origin "*";
    }}
}}
"""


ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def large_timeline(count: int) -> str:
    """The shipped timeline with its events copied under new ids until there are `count`.

    Copies drop `announced` and `superseded_by` (they point at their originals' story).
    """
    text = TIMELINE.read_text(encoding="utf-8")
    head, *events = re.split(r"^\[\[events\]\]\n", text, flags=re.MULTILINE)
    copies = []
    for number in range(max(0, count - len(events))):
        event = events[number % len(events)]
        event = re.sub(r'^id = "([^"]+)"', rf'id = "\1-{number}"', event, count=1, flags=re.M)
        copies.append(re.sub(r"^(announced|superseded_by) = .*\n", "", event, flags=re.M))
    return head + "".join("[[events]]\n" + event for event in [*events, *copies])


def service_app(timeline: Path) -> ASGIApp:
    """The service's own ASGI app (feeds, metrics counter, page fallback) on a fixed clock."""
    folder = Path(tempfile.mkdtemp(prefix="gcmcal-bench-"))
    settings = Settings(
        timeline=timeline,
        base_url=BASE_URL,
        database_url=f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}",
        outbox=folder / "outbox",
    )
    app: ASGIApp = build_app(settings, clock=lambda: NOW)
    return app


def bare_app(recorded: Path) -> ASGIApp:
    """Answers every request with the recorded response (304 to its ETag): no app work."""
    saved = json.loads(recorded.with_suffix(".json").read_text())
    headers = [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in saved["headers"]
        if name.encode("latin-1") not in DROPPED_HEADERS
    ]
    etag = dict(headers)[b"etag"]
    start = {"type": "http.response.start", "status": 200, "headers": headers}
    kept = [(n, v) for n, v in headers if n not in (b"content-length", b"content-type")]
    not_modified = {"type": "http.response.start", "status": 304, "headers": kept}
    body = {"type": "http.response.body", "body": recorded.read_bytes()}
    empty = {"type": "http.response.body", "body": b""}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            for _ in range(2):  # startup, shutdown
                message = await receive()
                await send({"type": message["type"] + ".complete"})
            return
        for name, value in scope["headers"]:
            if name == b"if-none-match" and value == etag:
                await send(not_modified)
                await send(empty)
                return
        await send(start)
        await send(body)

    return app


def serve(server: str, app: ASGIApp, port: int) -> None:
    if server == "granian":
        http_server.run(app, "127.0.0.1", port)
        return
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        workers=1,
        access_log=False,
        log_level="warning",
        lifespan="on",
    )


# Measuring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    requests_per_second: float
    p99_ms: float


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output: str) -> Result:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if rps is None or p99 is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    return Result(float(rps[1]), float(p99[1]) * _UNITS_MS[p99[2]])


def run_wrk(wrk: str, url: str, duration: str, headers: list[str]) -> Result:
    command = [wrk, "-c", "64", "-t", "2", "-d", duration, "--latency"]
    for header in headers:
        command += ["-H", header]
    run = subprocess.run([*command, url], capture_output=True, text=True, check=True, timeout=300)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", run.stdout)
    if errors:
        print(f"  warning: {errors[0]}", file=sys.stderr)
    return parse_wrk(run.stdout)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback only)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            headers = {name.lower(): value for name, value in response.headers.items()}
            return response.status, headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url} within {STARTUP_SECONDS} s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def tool(name: str, variable: str) -> str:
    path = os.environ.get(variable) or shutil.which(name) or shutil.which(name, path="/usr/sbin")
    if not path:
        sys.exit(f"{name} not found: apt-get install -y nginx-light wrk (or set {variable})")
    return path


def measure(wrk: str, url: str, etag: str, runs: int, duration: str) -> dict[str, Result]:
    status, _, _ = fetch(url, {"If-None-Match": etag})
    if status != 304:
        raise RuntimeError(f"{url} answered {status}, not 304, to its own ETag {etag}")
    cases: dict[str, list[Result]] = {"200": [], "304": []}
    for _ in range(runs):
        cases["200"].append(run_wrk(wrk, url, duration, []))
        cases["304"].append(run_wrk(wrk, url, duration, [f"If-None-Match: {etag}"]))
    return {
        case: Result(
            statistics.median(r.requests_per_second for r in results),
            statistics.median(r.p99_ms for r in results),
        )
        for case, results in cases.items()
    }


GOALS = {"200": 0.5, "304": 0.45}
P99_GOAL_MS = 15.0


def child(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, *args], cwd=ROOT)


def record(url: str, recorded: Path) -> None:
    """Keep the service's answer (body, headers) for the bare callable and nginx."""
    status, headers, body = fetch(url)
    if status != 200:
        raise RuntimeError(f"the service answered {status} for {PATH}")
    recorded.write_bytes(body)
    recorded.with_suffix(".json").write_text(json.dumps({"headers": list(headers.items())}))


def serves(url: str, body: bytes) -> str:
    """The ETag of `url`, once it is known to serve `body`."""
    status, headers, served = fetch(url)
    if (status, served) != (200, body):
        raise RuntimeError(f"{url} did not serve the feed bytes ({status})")
    return headers["etag"]


def measure_server(
    wrk: str, command: list[str], port: int, body: bytes, runs: int, duration: str
) -> dict[str, Result]:
    """Start one server process, check it serves the recorded bytes, measure, stop it."""
    url = f"http://127.0.0.1:{port}{PATH}"
    process = child(command)
    try:
        wait_until_up(url, process)
        return measure(wrk, url, serves(url, body), runs, duration)
    finally:
        stop(process)


def one_feed(
    label: str, timeline: Path, servers: list[str], args: argparse.Namespace, directory: Path
) -> None:
    wrk, nginx = tool("wrk", "GCMCAL_WRK"), tool("nginx", "GCMCAL_NGINX")
    recorded = directory / "recorded.ics"
    port = free_port()
    first = child(["--serve", str(port), "--server", servers[0], "--timeline", str(timeline)])
    started = time.monotonic()
    try:
        wait_until_up(f"http://127.0.0.1:{port}{PATH}", first)
        ready = time.monotonic() - started
        record(f"http://127.0.0.1:{port}{PATH}", recorded)
    finally:
        stop(first)
    body = recorded.read_bytes()
    print(
        f"\n{label}: {PATH} {len(body):,} bytes (first answer {ready:.0f} s after start); "
        f"wrk -c 64 -t 2 -d {args.duration} --latency, median of {args.runs}; "
        f"nginx worker_processes {args.nginx_workers}; {os.cpu_count()} CPUs",
        flush=True,
    )
    root = directory / "root"
    shutil.rmtree(root, ignore_errors=True)
    (root / "feeds").mkdir(parents=True)
    (root / "feeds" / "all.ics").write_bytes(body)
    nginx_port = free_port()
    conf = directory / "nginx.conf"
    conf.write_text(NGINX_CONF.format(workers=args.nginx_workers, dir=directory, port=nginx_port))
    figures: dict[tuple[str, str], dict[str, Result]] = {}
    server = subprocess.Popen([nginx, "-c", str(conf), "-p", str(directory)])
    try:
        url = f"http://127.0.0.1:{nginx_port}{PATH}"
        wait_until_up(url, server)
        figures["nginx", "static"] = measure(wrk, url, serves(url, body), args.runs, args.duration)
    finally:
        stop(server)
    for name in servers:
        for app in ("bare", "service"):
            port = free_port()
            source = ["--bare", str(recorded)] if app == "bare" else ["--timeline", str(timeline)]
            command = ["--serve", str(port), "--server", name, *source]
            figures[name, app] = measure_server(wrk, command, port, body, args.runs, args.duration)
    report(figures, servers, goals=timeline == TIMELINE)


def report(
    figures: dict[tuple[str, str], dict[str, Result]], servers: list[str], goals: bool
) -> None:
    """The table of one feed; the goals (issue #13 item 3) hold for the shipped feed only."""
    print(
        f"{'server':<8} {'app':<8} {'case':<4} {'req/s':>8} {'p99 ms':>7} "
        f"{'/nginx':>7} {'/bare':>6}  goal"
    )
    for (name, app), cases in figures.items():
        for case, result in cases.items():
            line = f"{name:<8} {app:<8} {case:<4} {result.requests_per_second:>8.0f} "
            line += f"{result.p99_ms:>7.2f}"
            if name != "nginx":
                nginx = figures["nginx", "static"][case].requests_per_second
                line += f" {result.requests_per_second / nginx:>7.2f}"
            if app == "service":
                bare = figures[name, "bare"][case].requests_per_second
                ratio = result.requests_per_second / nginx
                verdict = "ok" if ratio >= GOALS[case] and result.p99_ms < P99_GOAL_MS else "MISS"
                line += f" {result.requests_per_second / bare:>6.2f}"
                if name == servers[0] and goals:
                    line += f"  >= {GOALS[case]:.2f}, p99 < {P99_GOAL_MS:.0f} ms: {verdict}"
            print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", default="10s")
    parser.add_argument("--nginx-workers", type=int, default=1)
    parser.add_argument(
        "--servers",
        default=",".join(SERVERS),
        help="comma-separated, the one `gcmcal serve` runs first (its goals are checked)",
    )
    parser.add_argument("--large-events", type=int, default=1000, help="0: shipped feed only")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--server", choices=SERVERS, help=argparse.SUPPRESS)
    parser.add_argument("--timeline", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        app = bare_app(args.bare) if args.bare else service_app(args.timeline)
        serve(args.server, app, args.serve)
        return
    servers = args.servers.split(",")
    if unknown := set(servers) - set(SERVERS):
        sys.exit(f"--servers: unknown {', '.join(sorted(unknown))} (known: {', '.join(SERVERS)})")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the start: {load}", flush=True)
    with tempfile.TemporaryDirectory(prefix="gcmcal-bench-") as tmp:
        directory = Path(tmp)
        directory.chmod(0o755)  # nginx workers run as an unprivileged user when started as root
        (directory / "tmp").mkdir()
        one_feed("shipped timeline", TIMELINE, servers, args, directory)
        if args.large_events:
            large = directory / "large.toml"
            large.write_text(large_timeline(args.large_events), encoding="utf-8")
            one_feed(f"{args.large_events} events", large, servers, args, directory)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end: {load} (other work on the machine skews the figures)")


if __name__ == "__main__":
    main()
