"""Public pages under wrk: the prepared pages of one uvicorn worker against nginx.

Usage (from the repository root, after scripts/setup; needs Debian's nginx and wrk)::

    .venv/bin/python bench/pages_wrk.py                      # 1,000 events, 1 run x 5 s
    .venv/bin/python bench/pages_wrk.py --events 43 --runs 3 --duration 10s

It starts the service's own app (as `bench/publish_scale.py` does) on a synthetic
timeline of ``--events`` events (43: the shipped one), fetches the home page, a region
page and an event page, and serves those same bytes from nginx (one worker) as the
baseline of the same run. For each page it runs ``wrk -c 64 -t 2 --latency`` for a plain
GET (200) and with the page's own ETag in If-None-Match (304), and prints requests/s and
p99 of both servers, the ratio, and the page's size against the 60 KB page budget.

Goal (issue #13 item 2): p99 < 20 ms for pages. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from feeds_wrk import (  # noqa: E402
    NGINX_CONF,
    fetch,
    free_port,
    measure,
    stop,
    tool,
    wait_until_up,
)
from publish_scale import ROOT, wait_for_feed  # noqa: E402
from synthetic_timeline import SHIPPED, synthetic_timeline  # noqa: E402

P99_GOAL_MS = 20.0
PAGE_BUDGET = 60 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--duration", default="5s")
    args = parser.parse_args()
    wrk, nginx = tool("wrk", "GCMCAL_WRK"), tool("nginx", "GCMCAL_NGINX")
    with tempfile.TemporaryDirectory(prefix="gcmcal-pages-") as tmp:
        folder = Path(tmp)
        folder.chmod(0o755)  # nginx workers run as an unprivileged user when started as root
        text = synthetic_timeline(args.events) if args.events > 43 else SHIPPED.read_text()
        (folder / "timeline.toml").write_text(text, encoding="utf-8")
        event_id = "global-2026-imrf"
        paths = {"home": "/", "region": "/regions/africa", "event": f"/events/{event_id}"}
        app_port, nginx_port = free_port(), free_port()
        command = [
            sys.executable,
            str(BENCH / "publish_scale.py"),
            "--serve",
            str(app_port),
            str(folder),
            "3600",
        ]
        servers = {"uvicorn": subprocess.Popen(command, cwd=ROOT)}
        try:
            wait_for_feed(app_port, servers["uvicorn"])
            root = folder / "root"
            root.mkdir()
            (folder / "tmp").mkdir()
            sizes = {}
            for name, path in paths.items():
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
                    "uvicorn": f"http://127.0.0.1:{app_port}{path}",
                    "nginx": f"http://127.0.0.1:{nginx_port}/{name}.html",
                }
                for name, path in paths.items()
            }
            wait_until_up(urls["home"]["nginx"], servers["nginx"])
            print(
                f"pages of a {args.events}-event timeline; wrk -c 64 -t 2 -d {args.duration} "
                f"--latency, median of {args.runs}; {os.cpu_count()} CPUs",
                flush=True,
            )
            print(
                f"{'page':<7} {'KB':>6} {'case':<4} {'nginx req/s':>12} {'p99 ms':>7} "
                f"{'app req/s':>10} {'p99 ms':>7} {'ratio':>6} {'p99 goal':>9}"
            )
            for name in paths:
                figures = {}
                for server, url in urls[name].items():
                    etag = fetch(url)[1]["etag"]
                    figures[server] = measure(wrk, url, etag, args.runs, args.duration)
                for case in ("200", "304"):
                    n, u = figures["nginx"][case], figures["uvicorn"][case]
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


if __name__ == "__main__":
    main()
