"""Incremental publishing at scale: start-up, one-event edits, serving during a reload, RSS.

Usage (from the repository root, after scripts/setup)::

    .venv/bin/python bench/publish_scale.py                    # 1,000 and 10,000 events
    .venv/bin/python bench/publish_scale.py --events 1000      # one size only

For each size it writes a synthetic timeline (`bench/synthetic_timeline.py`: every
`when` form, six-language texts) and starts the service's own ASGI app
(`reminders.service.build_app`, no scheduler, the timeline file re-read every
``--tick`` seconds) under one uvicorn worker on a loopback port, in a child process
with a fresh SQLite database, then measures from outside:

- start-up: from spawning the process to the first 200 of ``/feeds/all.ics``;
- RSS of the server once every feed in every language has been fetched;
- edit: one word of one event's English title changed in the file, until
  ``/feeds/all.ics``, polled with its ETag in If-None-Match (as calendar clients poll:
  a 304 costs the server nothing), answers 200 with a new one (the new FeedSet replaces
  the old one at once, so every feed holding the event is then new; the region feed is
  checked in all six languages); the time includes up to one tick of noticing the change;
- serving during the reload: the p99 of back-to-back requests for a region feed and an
  event file, over the whole reload.

Each figure is printed next to a baseline measured in the same run, because the machine
is shared: start-up and RSS of the shipped 43-event timeline; for the edit, a reload of
the same timeline with a comment changed (every event unchanged: the reload's fixed
cost); for the p99, the same requests with no reload. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from feeds_wrk import free_port, stop  # noqa: E402
from synthetic_timeline import SHIPPED, edited, synthetic_timeline  # noqa: E402

LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
REGIONS = (
    "europe-north-america",
    "africa",
    "latin-america-caribbean",
    "arab-states",
    "asia-pacific",
)
#: Goals of issue #13 item 1, per timeline size.
STARTUP_GOAL = {1000: 5.0, 10000: 30.0}
EDIT_GOAL = {1000: 1.0, 10000: 5.0}
P99_GOAL_MS = 50.0
RSS_GOAL_MB = 400.0
STARTUP_LIMIT = 900.0


def serve(port: int, folder: Path, tick: float) -> None:
    import uvicorn

    from reminders.service import build_app
    from reminders.settings import Settings

    settings = Settings(
        timeline=folder / "timeline.toml",
        base_url="https://gcm.example.org",
        database_url=f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}",
        outbox=folder / "outbox",
        tick_seconds=tick,
    )
    uvicorn.run(
        build_app(settings),
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        lifespan="on",
    )


# Talking to the server ----------------------------------------------------------------


def get(port: int, path: str, etag: str = "") -> tuple[int, str]:
    """Status and ETag of `path`; with `etag`, asked as a calendar client polls (304 if same)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"If-None-Match": etag} if etag else {})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("etag") or ""
    finally:
        connection.close()


def wait_for_feed(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if get(port, "/feeds/all.ics")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"no feed within {STARTUP_LIMIT} s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Sampler(threading.Thread):
    """Requests a region feed and an event file back to back, keeping each latency."""

    def __init__(self, port: int, paths: list[str]) -> None:
        super().__init__(daemon=True)
        self.port, self.paths = port, paths
        self.latencies: list[tuple[float, float]] = []  # (sent at, seconds)
        self.running = True

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        turn = 0
        while self.running:
            path = self.paths[turn % len(self.paths)]
            turn += 1
            sent = time.monotonic()
            connection.request("GET", path)
            connection.getresponse().read()
            self.latencies.append((sent, time.monotonic() - sent))
        connection.close()

    def p99_ms(self, start: float, end: float) -> tuple[float, int]:
        window = [seconds for sent, seconds in self.latencies if start <= sent <= end]
        if len(window) < 2:
            return (max(window, default=0.0) * 1000, len(window))
        return statistics.quantiles(window, n=100)[98] * 1000, len(window)


def reload_until_new(port: int, path: Path, text: str, etag: str) -> tuple[float, float, float]:
    """Write `text`, wait for a new all.ics ETag; (written at, seen at, seconds)."""
    scratch = path.with_suffix(".new")
    scratch.write_text(text, encoding="utf-8")
    written = time.monotonic()
    scratch.replace(path)
    while True:
        status, now_etag = get(port, "/feeds/all.ics", etag)
        if status == 200 and now_etag != etag:
            seen = time.monotonic()
            return written, seen, seen - written
        if time.monotonic() - written > STARTUP_LIMIT:
            raise RuntimeError("the edit never reached the feeds")
        time.sleep(0.01)


# One timeline size --------------------------------------------------------------------


@dataclass
class Figures:
    events: int
    startup: float
    rss: float
    edit: float = 0.0
    touch: float = 0.0
    p99_reload: float = 0.0
    p99_quiet: float = 0.0
    samples: int = 0


def measure(events: int, tick: float, edits: bool) -> Figures:
    with tempfile.TemporaryDirectory(prefix="gcmcal-publish-") as tmp:
        folder = Path(tmp)
        timeline = folder / "timeline.toml"
        document = synthetic_timeline(events) if events > 43 else SHIPPED.read_text("utf-8")
        timeline.write_text(document, encoding="utf-8")
        port = free_port()
        started = time.monotonic()
        command = [sys.executable, __file__, "--serve", str(port), str(folder), str(tick)]
        process = subprocess.Popen(command, cwd=ROOT)
        try:
            wait_for_feed(port, process)
            figures = Figures(events, time.monotonic() - started, 0.0)
            for key in ("all", *REGIONS):
                for lang in LANGUAGES:
                    get(port, f"/feeds/{key}.ics?lang={lang}")
            figures.rss = rss_mb(process.pid)
            if edits:
                _edit(figures, port, timeline, document, tick)
            return figures
        finally:
            stop(process)


def _edit(figures: Figures, port: int, timeline: Path, document: str, tick: float) -> None:
    number = 0
    event_id, region_id = _copy(document, number)
    region = f"/feeds/{region_id}.ics"
    sampler = Sampler(port, [region, f"/events/{event_id}.ics"])
    sampler.start()
    time.sleep(max(1.0, 4 * tick))
    quiet_start = time.monotonic()
    time.sleep(max(1.0, 4 * tick))
    figures.p99_quiet, _ = sampler.p99_ms(quiet_start, time.monotonic())
    # The reload's fixed cost: a comment changed, no event changed.
    etag = get(port, "/feeds/all.ics")[1]
    touched = document + "\n# touched\n"
    _, _, figures.touch = reload_until_new_text(port, timeline, touched, etag)
    before = {lang: get(port, f"{region}?lang={lang}")[1] for lang in LANGUAGES}
    etag = get(port, "/feeds/all.ics")[1]
    written, seen, figures.edit = reload_until_new(
        port, timeline, edited(touched, number, "Revised"), etag
    )
    time.sleep(0.2)
    sampler.running = False
    sampler.join()
    after = {lang: get(port, f"{region}?lang={lang}")[1] for lang in LANGUAGES}
    if any(before[lang] == after[lang] for lang in LANGUAGES):
        raise RuntimeError("the edited event's region feed did not change in every language")
    figures.p99_reload, figures.samples = sampler.p99_ms(written, seen)


def reload_until_new_text(
    port: int, timeline: Path, text: str, etag: str
) -> tuple[float, float, float]:
    """Like `reload_until_new`, for a change that leaves every feed's bytes alone: waits
    for the server to have loaded the file (its status page says when)."""
    scratch = timeline.with_suffix(".new")
    scratch.write_text(text, encoding="utf-8")
    written = time.monotonic()
    loaded_before = _loaded_at(port)
    scratch.replace(timeline)
    while _loaded_at(port) == loaded_before:
        if time.monotonic() - written > STARTUP_LIMIT:
            raise RuntimeError("the touched file was never reloaded")
        time.sleep(0.01)
    seen = time.monotonic()
    return written, seen, seen - written


def _loaded_at(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", "/readyz", headers={"Host": "127.0.0.1"})
        body = connection.getresponse().read().decode()
    finally:
        connection.close()
    marker = '"loaded_at":"'
    start = body.index(marker) + len(marker)
    return body[start : body.index('"', start)]


def _copy(document: str, number: int) -> tuple[str, str]:
    """The id and region of synthetic copy `number`."""
    block = document.split(f'en = "Copy {number}: ', 1)[0].rsplit("[[events]]\n", 1)[1]
    fields = dict(
        line.split(" = ", 1) for line in block.splitlines() if line.startswith(("id ", "region "))
    )
    return fields["id"].strip('"'), fields["region"].strip('"')


# Report -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--tick", type=float, default=0.1, help="seconds between file checks")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        port, folder, tick = args.serve
        serve(int(port), Path(folder), float(tick))
        return

    base = measure(43, args.tick, edits=False)
    print(
        f"baseline, shipped timeline (43 events): start-up {base.startup:.2f} s, "
        f"RSS {base.rss:.0f} MB; file checked every {args.tick} s",
        flush=True,
    )
    header = f"{'events':>6}  {'goal':<28} {'figure':>10} {'baseline':>10} {'x base':>7} "
    print(header + f"{'goal':>8} {'figure/goal':>11}")
    for events in args.events:
        f = measure(events, args.tick, edits=True)
        rows = [
            ("start-up to first feed (s)", f.startup, base.startup, STARTUP_GOAL.get(events)),
            ("one-event edit, all feeds (s)", f.edit, f.touch, EDIT_GOAL.get(events)),
            ("p99 during reload (ms)", f.p99_reload, f.p99_quiet, P99_GOAL_MS),
            ("RSS (MB)", f.rss, base.rss, RSS_GOAL_MB if events >= 10000 else None),
        ]
        for name, figure, baseline, goal in rows:
            verdict = "" if goal is None else ("ok" if figure < goal else "MISS")
            goal_text = "-" if goal is None else f"{goal:g}"
            ratio = "-" if goal is None else f"{figure / goal:.2f}"
            print(
                f"{events:>6}  {name:<28} {figure:>10.2f} {baseline:>10.2f} "
                f"{figure / baseline:>7.2f} {goal_text:>8} {ratio:>11} {verdict}",
                flush=True,
            )
        print(f"{'':>6}  ({f.samples} requests during the edit's reload)", flush=True)


if __name__ == "__main__":
    main()
