"""Feed serving throughput: one uvicorn worker against nginx serving the same bytes.

Usage (from the repository root, after scripts/setup; needs Debian's nginx and wrk)::

    .venv/bin/python bench/feeds_wrk.py                 # 3 runs x 10 s per case
    .venv/bin/python bench/feeds_wrk.py --runs 1 --duration 3s
    .venv/bin/python bench/feeds_wrk.py --nginx-workers 2

It runs the service's own ASGI app (`reminders.service.build_app`: the feed route with
its metrics counter in front of the pages) on config/timeline.toml with a fixed clock
under ONE uvicorn worker (uvloop + httptools, no access log), fetches /feeds/all.ics
from it, and writes those bytes as a static file served by nginx (``worker_processes
1`` by default, so that one process is compared with one process). Both
listen on loopback ports only. For each server it runs
``wrk -c 64 -t 2 -d 10s --latency`` three times for a plain GET (200) and three times
with the server's own ETag in If-None-Match (304), then prints the median requests/s
and p99 latency of each case and the uvicorn/nginx ratio.

Goal (issue #3): ratio >= 0.35 for 200, >= 0.45 for 304, uvicorn p99 < 15 ms. wrk and
both servers share the machine's cores, so figures are only comparable within a run.
Not a test: it prints figures and exits 0 unless a server fails to start.
"""

from __future__ import annotations

import argparse
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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from reminders.service import build_app
from reminders.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TIMELINE = ROOT / "config" / "timeline.toml"
PATH = "/feeds/all.ics"
#: Fixed inputs: the bytes (and so the ETag) are the same on every run.
NOW = datetime(2024, 6, 1, tzinfo=UTC)
BASE_URL = "https://gcm.example.org"
STARTUP_SECONDS = 20.0

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


def serve(port: int) -> None:
    """The service's own ASGI app (feeds, metrics counter, page fallback) on a fixed clock."""
    folder = Path(tempfile.mkdtemp(prefix="gcmcal-bench-"))
    settings = Settings(
        timeline=TIMELINE,
        base_url=BASE_URL,
        database_url=f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}",
        outbox=folder / "outbox",
    )
    uvicorn.run(
        build_app(settings, clock=lambda: NOW),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", default="10s")
    parser.add_argument("--nginx-workers", type=int, default=1)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return

    wrk, nginx = tool("wrk", "GCMCAL_WRK"), tool("nginx", "GCMCAL_NGINX")
    with tempfile.TemporaryDirectory(prefix="gcmcal-bench-") as tmp:
        directory = Path(tmp)
        directory.chmod(0o755)  # nginx workers run as an unprivileged user when started as root
        (directory / "root" / "feeds").mkdir(parents=True)
        (directory / "tmp").mkdir()
        nginx_port, uvicorn_port = free_port(), free_port()
        urls = {
            "nginx": f"http://127.0.0.1:{nginx_port}{PATH}",
            "uvicorn": f"http://127.0.0.1:{uvicorn_port}{PATH}",
        }
        servers = {
            "uvicorn": subprocess.Popen(
                [sys.executable, __file__, "--serve", str(uvicorn_port)], cwd=ROOT
            ),
        }
        try:
            wait_until_up(urls["uvicorn"], servers["uvicorn"])
            status, _, body = fetch(urls["uvicorn"])
            if status != 200:
                raise RuntimeError(f"the service answered {status} for {PATH}")
            (directory / "root" / "feeds" / "all.ics").write_bytes(body)
            conf = directory / "nginx.conf"
            config = NGINX_CONF.format(workers=args.nginx_workers, dir=directory, port=nginx_port)
            conf.write_text(config)
            servers["nginx"] = subprocess.Popen([nginx, "-c", str(conf), "-p", str(directory)])
            etags = {}
            for name, url in urls.items():
                wait_until_up(url, servers[name])
                status, headers, served = fetch(url)
                if (status, served) != (200, body):
                    raise RuntimeError(f"{name} did not serve the feed bytes ({status})")
                etags[name] = headers["etag"]
            print(
                f"feed {PATH}: {len(body)} bytes; wrk -c 64 -t 2 -d {args.duration} --latency, "
                f"median of {args.runs}; nginx worker_processes {args.nginx_workers}; "
                f"{os.cpu_count()} CPUs",
                flush=True,
            )
            figures = {
                name: measure(wrk, url, etags[name], args.runs, args.duration)
                for name, url in urls.items()
            }
        finally:
            for process in servers.values():
                stop(process)

    goals = {"200": 0.35, "304": 0.45}
    print(f"{'case':<5} {'nginx req/s':>12} {'p99 ms':>8} {'uvicorn req/s':>14} {'p99 ms':>8} "
          f"{'ratio':>6} {'goal':>5}")
    for case, goal in goals.items():
        n, u = figures["nginx"][case], figures["uvicorn"][case]
        ratio = u.requests_per_second / n.requests_per_second
        verdict = "ok" if ratio >= goal and u.p99_ms < 15 else "MISS"
        print(
            f"{case:<5} {n.requests_per_second:>12.0f} {n.p99_ms:>8.2f} "
            f"{u.requests_per_second:>14.0f} {u.p99_ms:>8.2f} {ratio:>6.2f} {goal:>5.2f} {verdict}"
        )


if __name__ == "__main__":
    main()
