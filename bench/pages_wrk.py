"""Public pages under wrk: the prepared pages of `gcmcal serve`'s server against nginx.

Usage (from the repository root, after scripts/setup; needs Debian's nginx and wrk)::

    .venv/bin/python bench/pages_wrk.py                      # 1,000 events, 1 run x 5 s
    .venv/bin/python bench/pages_wrk.py --events 43 --runs 3 --duration 10s

It starts the service's own app under Granian as `gcmcal serve` runs it
(`bench/feeds_wrk.py --serve`: `reminders.http_server`, one process, a fixed clock) on a
synthetic timeline of ``--events`` events (43: the shipped one), fetches the home page, a
region page and an event page, and serves those same bytes from nginx (one worker) as the
baseline of the same run. For each page it runs ``wrk -c 64 -t 2 --latency`` for a plain
GET (200) and with the page's own ETag in If-None-Match (304), and prints requests/s and
p99 of both servers, the ratio, and the page's size against the 60 KB page budget.

Then, in this process (no server, no wrk: CPU time only, so it holds on a busy machine),
the CPU time of one request through the service's whole ASGI stack for each page and for
a feed, 200 and 304: what the server pays for the app, the rest being its own HTTP work.

Goal (issue #13 item 2): p99 < 20 ms for pages. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from feeds_wrk import (  # noqa: E402
    NGINX_CONF,
    NOW,
    ROOT,
    SERVERS,
    fetch,
    free_port,
    measure,
    service_app,
    stop,
    tool,
    wait_until_up,
)
from synthetic_timeline import SHIPPED, synthetic_timeline  # noqa: E402

P99_GOAL_MS = 20.0
PAGE_BUDGET = 60 * 1024
EVENT_ID = "global-2026-imrf"
PATHS = {
    "home": "/",
    "region": "/regions/africa",
    "event": f"/events/{EVENT_ID}",
    "feed": "/feeds/all.ics",
}


def cpu_per_request(timeline: Path, requests: int) -> dict[tuple[str, str], float]:
    """Milliseconds of CPU per request through the whole app, per page and case."""
    app: Any = service_app(timeline)
    figures: dict[tuple[str, str], float] = {}

    async def run() -> None:
        asked: list[str] = []
        ready, stopping = asyncio.Event(), asyncio.Event()

        async def receive() -> dict[str, Any]:
            if asked:
                await stopping.wait()
                return {"type": "lifespan.shutdown"}
            asked.append("startup")
            return {"type": "lifespan.startup"}

        async def answer(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.complete":
                ready.set()

        lifespan = asyncio.ensure_future(app({"type": "lifespan"}, receive, answer))
        await ready.wait()
        await _until_ready(app)
        for name, path in PATHS.items():
            etag = await _etag(app, path)
            for case, headers in (("200", []), ("304", [(b"if-none-match", etag)])):
                scope = _scope(path, headers)
                await _call(app, scope)  # built and kept
                begin = time.process_time()
                for _ in range(requests):
                    await _call(app, dict(scope))
                figures[name, case] = (time.process_time() - begin) / requests * 1000
        stopping.set()
        await lifespan

    asyncio.run(run())
    return figures


def _scope(path: str, extra: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"user-agent", b"wrk"), *extra],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _call(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def _etag(app: Any, path: str) -> bytes:
    start = (await _call(app, _scope(path, [])))[0]
    if start["status"] != 200:
        raise RuntimeError(f"{path} answered {start['status']}")
    return dict(start["headers"])[b"etag"]


async def _until_ready(app: Any) -> None:
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if (await _call(app, _scope(PATHS["feed"], [])))[0]["status"] == 200:
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("the timeline did not load within 900 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--duration", default="5s")
    parser.add_argument("--server", choices=SERVERS, default=SERVERS[0])
    parser.add_argument("--requests", type=int, default=5000, help="in process, per case")
    args = parser.parse_args()
    wrk, nginx = tool("wrk", "GCMCAL_WRK"), tool("nginx", "GCMCAL_NGINX")
    with tempfile.TemporaryDirectory(prefix="gcmcal-pages-") as tmp:
        folder = Path(tmp)
        folder.chmod(0o755)  # nginx workers run as an unprivileged user when started as root
        text = synthetic_timeline(args.events) if args.events > 43 else SHIPPED.read_text()
        timeline = folder / "timeline.toml"
        timeline.write_text(text, encoding="utf-8")
        pages = {name: path for name, path in PATHS.items() if name != "feed"}
        app_port, nginx_port = free_port(), free_port()
        command = [
            *(sys.executable, str(BENCH / "feeds_wrk.py"), "--serve", str(app_port)),
            *("--server", args.server, "--timeline", str(timeline)),
        ]
        servers = {"app": subprocess.Popen(command, cwd=ROOT)}
        try:
            wait_until_up(f"http://127.0.0.1:{app_port}{PATHS['feed']}", servers["app"])
            root = folder / "root"
            root.mkdir()
            (folder / "tmp").mkdir()
            sizes = {}
            for name, path in pages.items():
                status, _, body = fetch(f"http://127.0.0.1:{app_port}{path}")
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
                (root / f"{name}.html").write_bytes(body)
                sizes[name] = len(body)
            conf = folder / "nginx.conf"
            conf.write_text(NGINX_CONF.format(workers=1, dir=folder, port=nginx_port))
            servers["nginx"] = subprocess.Popen([nginx, "-c", str(conf), "-p", str(folder)])
            urls = {
                name: {
                    "app": f"http://127.0.0.1:{app_port}{path}",
                    "nginx": f"http://127.0.0.1:{nginx_port}/{name}.html",
                }
                for name, path in pages.items()
            }
            wait_until_up(urls["home"]["nginx"], servers["nginx"])
            load = " ".join(f"{x:.1f}" for x in os.getloadavg())
            print(
                f"pages of a {args.events}-event timeline, clock at {NOW:%Y-%m-%d}, app under "
                f"{args.server}; wrk -c 64 -t 2 -d {args.duration} --latency, median of "
                f"{args.runs}; {os.cpu_count()} CPUs, load average {load}",
                flush=True,
            )
            print(
                f"{'page':<7} {'KB':>6} {'case':<4} {'nginx req/s':>12} {'p99 ms':>7} "
                f"{'app req/s':>10} {'p99 ms':>7} {'ratio':>6} {'p99 goal':>9}"
            )
            for name in pages:
                figures = {}
                for server, url in urls[name].items():
                    etag = fetch(url)[1]["etag"]
                    figures[server] = measure(wrk, url, etag, args.runs, args.duration)
                for case in ("200", "304"):
                    n, u = figures["nginx"][case], figures["app"][case]
                    verdict = "ok" if u.p99_ms < P99_GOAL_MS else "MISS"
                    budget = "" if sizes[name] <= PAGE_BUDGET else " over 60 KB"
                    print(
                        f"{name:<7} {sizes[name] / 1024:>6.1f} {case:<4} "
                        f"{n.requests_per_second:>12.0f} {n.p99_ms:>7.2f} "
                        f"{u.requests_per_second:>10.0f} {u.p99_ms:>7.2f} "
                        f"{u.requests_per_second / n.requests_per_second:>6.2f} "
                        f"{P99_GOAL_MS:>6.0f} {verdict}{budget}",
                        flush=True,
                    )
        finally:
            for process in servers.values():
                stop(process)
        cpu = cpu_per_request(timeline, args.requests)
        print(f"in process, CPU per request through the whole app ({args.requests} each):")
        for name in PATHS:
            print(
                f"{name:<7} 200 {cpu[name, '200']:.3f} ms   304 {cpu[name, '304']:.3f} ms",
                flush=True,
            )


if __name__ == "__main__":
    main()
