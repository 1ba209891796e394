"""Reminder sending throughput and scale: the whole path against a bare SMTP sender.

Usage (from the repository root, after scripts/setup)::

    .venv/bin/python bench/reminders_pipeline.py                       # all figures
    .venv/bin/python bench/reminders_pipeline.py --messages 5000 --skip-scale
    .venv/bin/python bench/reminders_pipeline.py --subscriptions 20000 --skip-throughput

Throughput (same run, same sink, same number of SMTP connections):

- a sink: aiosmtpd on 127.0.0.1 in its own process (uvloop), which counts messages
  and throws them away;
- bare: `--connections` aiosmtplib connections pushing `--messages` prebuilt
  messages (the very bytes the composer makes for these subscribers) into the sink;
- whole path: `--messages` subscriptions in a SQLite file, each with a "1 day before"
  reminder due now: one plan tick (timeline → planner → outbox rows) and one dispatch
  (claim → compose text + HTML + .ics → SMTP over the pool → outcome recorded), with
  `GCMCAL_SEND_RATE` out of the way.

It prints messages/s of each and the ratio whole/bare (goal ≥ 0.5).

Scale (in a child process, so that its peak RSS is its own): `--subscriptions`
subscriptions over several zones, hours, languages and choices; it times ticks with
nothing due, one a minute for an hour (plan tick + dispatch tick; goal < 50 ms each;
the ticks whose minute holds a whole local hour somewhere read the (zone, hour) groups
in use, the others need not; their CPU time is printed too, which a busy machine does not
inflate as it does wall time), then a tick where
one moment concerns every subscriber (all planned and sent into the sink), and reports
the process's peak RSS (VmHWM; goal < 300 MB). Then, in another child, the hearing every
subscriber follows moves: one tick queues a change notice for each of them; it prints
how long that took and the process's peak RSS before and after (goal < 300 MB).

Both sides run on uvloop (`--loop asyncio` for the standard loop), as `gcmcal serve`
and `gcmcal worker` do. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosmtplib
import uvloop
from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reminders.db.engine import create_engine, create_schema  # noqa: E402
from reminders.db.models import Base  # noqa: E402
from reminders.settings import Settings  # noqa: E402
from reminders.states import OutboxState  # noqa: E402
from reminders.worker import open_worker  # noqa: E402

TIMELINE = ROOT / "config" / "timeline.toml"
HEARING = "latin-america-caribbean-2024-hearing"  # 2025-03-18 in Santiago
# "1 day before" at 09:00 in Zurich: 08:00 UTC on 17 March 2025.
DUE = datetime(2025, 3, 17, 8, 0, tzinfo=UTC)
QUIET = DUE - timedelta(hours=6, minutes=30)  # no moment due around here
#: The hearing's date in the shipped timeline, and where the notice run moves it.
HEARING_WHEN, MOVED_WHEN = 'when = "2025-03-18"', 'when = "2025-03-25"'
#: After the moment for everybody was planned (and sent): the notice run starts here.
NOTICE_AT = DUE + timedelta(minutes=5)
SENT_AT = DUE + timedelta(minutes=1)  # the clock of the sending workers
SUBSCRIPTIONS = Base.metadata.tables["subscriptions"]
OUTBOX = Base.metadata.tables["outbox"]
SENDER = "reminders@bench.example.org"
LANGUAGES = ["en", "fr", "es", "ar", "ru", "zh"]  # --languages may narrow it
LOOP = ["uvloop"]  # --loop


def on_loop(main: Any) -> Any:
    """Run a coroutine on the chosen event loop."""
    return uvloop.run(main) if LOOP[0] == "uvloop" else asyncio.run(main)


# -- the sink ----------------------------------------------------------------------------


def serve_sink() -> None:
    """Child mode: an SMTP sink; prints its port, then a count per line read on stdin."""
    from aiosmtpd.smtp import SMTP

    class Counter:
        count = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Counter.count += 1
            return "250 OK"

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(Counter(), hostname="sink", ident="sink", data_size_limit=None),
            "127.0.0.1",
            0,
        )
        print(server.sockets[0].getsockname()[1], flush=True)
        for _ in range(1_000_000):
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            print(Counter.count, flush=True)

    uvloop.run(main())


class Sink:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-sink"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def count(self) -> int:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


# -- data --------------------------------------------------------------------------------


def settings_for(
    folder: Path, port: int, connections: int, database_url: str | None = None
) -> Settings:
    return Settings(
        timeline=folder / "timeline.toml",
        database_url=database_url or f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}",
        base_url="https://bench.example.org",
        mail_from=f"GCM calendar <{SENDER}>",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_connections=connections,
        send_rate=1_000_000,
        outbox=folder / "outbox",
        log_level="WARNING",
    )


async def add_subscriptions(settings: Settings, count: int, *, varied: bool) -> None:
    """`count` active subscribers; all follow the hearing at 09:00 Zurich with lead 1d.

    `varied` spreads the rest of the choices (zones, hours, regions, leads) as real
    subscribers would, while keeping every one of them due at `DUE` for the hearing.
    """
    zones = ("Europe/Zurich", "Europe/Paris", "Africa/Lagos", "Europe/Berlin")  # UTC+1 in March
    other_regions = ("africa", "arab-states", "asia-pacific", "europe-north-america")
    leads = (["1d"], ["3w", "1d"], ["8w", "1w", "1d"], ["1d", "1h"])
    engine = create_engine(settings.database_url)
    await create_schema(engine)
    created = DUE - timedelta(days=60)
    rows = []
    for n in range(count):
        regions = ["latin-america-caribbean"]
        if varied and n % 3:
            regions.append(other_regions[n % 4])
        rows.append(
            {
                "email": f"person{n}@subscribers.example.org",
                "regions": regions,
                "kinds": [] if varied and n % 2 else ["multi-stakeholder-hearing"],
                "leads": leads[n % 4] if varied else ["1d"],
                "language": LANGUAGES[n % len(LANGUAGES)],
                "tz": zones[n % 4] if varied else "Europe/Zurich",
                "delivery_hour": 9,
                "state": "active",
                "token_hash": f"{n:064x}",
                "feed_generation": 0,
                "hard_bounces": 0,
                "created_at": created,
                "confirmed_at": created,
                "expires_at": None,
            }
        )
    async with engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            await conn.execute(insert(SUBSCRIPTIONS), rows[start : start + 5000])
    await engine.dispose()


#: The same subscribers as `add_subscriptions(varied=True)`, made by PostgreSQL itself:
#: a million rows in seconds, no row passing through Python.
PG_SUBSCRIPTIONS = """
INSERT INTO subscriptions (email, handle, regions, kinds, leads, language, tz, delivery_hour,
    state, token_hash, feed_generation, hard_bounces, bounce_score, created_at, confirmed_at)
SELECT 'person' || n || '@subscribers.example.org', 'h' || lpad(to_hex(n), 31, '0'),
    (CASE WHEN n % 3 = 0 THEN '["latin-america-caribbean"]'
     ELSE '["latin-america-caribbean", "'
          || (ARRAY['africa', 'arab-states', 'asia-pacific', 'europe-north-america'])[n % 4 + 1]
          || '"]' END)::json,
    (CASE WHEN n % 2 = 1 THEN '[]' ELSE '["multi-stakeholder-hearing"]' END)::json,
    (ARRAY['["1d"]', '["3w", "1d"]', '["8w", "1w", "1d"]', '["1d", "1h"]'])[n % 4 + 1]::json,
    (CAST(:languages AS text[]))[n % cardinality(CAST(:languages AS text[])) + 1],
    (ARRAY['Europe/Zurich', 'Europe/Paris', 'Africa/Lagos', 'Europe/Berlin'])[n % 4 + 1],
    9, 'active', lpad(to_hex(n), 64, '0'), 0, 0, 0,
    CAST(:created AS timestamptz), CAST(:created AS timestamptz)
FROM generate_series(0, CAST(:count AS integer) - 1) AS n
"""


async def pg_subscriptions(settings: Settings, count: int) -> None:
    """`count` varied subscribers in PostgreSQL (kept when already there), nothing queued."""
    engine = create_engine(settings.database_url)
    await create_schema(engine)
    async with engine.begin() as conn:
        there = await conn.scalar(select(func.count()).select_from(SUBSCRIPTIONS))
        await conn.execute(text("TRUNCATE outbox, send_log, scheduler_state"))
        if there != count:
            await conn.execute(text("TRUNCATE subscriptions CASCADE"))
            await conn.execute(
                text(PG_SUBSCRIPTIONS),
                {"languages": LANGUAGES, "count": count, "created": DUE - timedelta(days=60)},
            )
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE"))
    await engine.dispose()


async def mark_planned_until(settings: Settings, at: datetime) -> None:
    """As if the worker had been running: plan only from `at` on (not from the beginning)."""
    from reminders.scheduler_state import set_planned_until

    engine = create_engine(settings.database_url)
    async with engine.begin() as conn:
        await set_planned_until(conn, at, at)
    await engine.dispose()


def prepare(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(TIMELINE, folder / "timeline.toml")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


# -- throughput --------------------------------------------------------------------------


async def prebuilt_messages(folder: Path, port: int, connections: int) -> list[bytes]:
    """The bytes the composer makes for the bench subscribers (not timed)."""
    from reminders import claims

    settings = settings_for(folder, port, connections)
    clock = Clock(DUE + timedelta(seconds=30))
    worker = await open_worker(settings, clock=clock)
    try:
        await worker.planning.tick()
        snapshot = worker.source.snapshot
        assert snapshot is not None
        compose = worker._composer_for(snapshot)
        claim = await claims.claim(worker.engine, "prebuild", clock(), timedelta(minutes=5), 10**9)
        messages = [compose(envelope) for envelope in claim.envelopes]
    finally:
        await worker.engine.dispose()
    return messages


async def bare_send(port: int, connections: int, messages: Sequence[bytes]) -> float:
    """Seconds to push `messages` through `connections` reused aiosmtplib connections."""
    shares = [messages[n::connections] for n in range(connections)]

    async def push(share: Sequence[bytes]) -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await client.connect()
        for n, message in enumerate(share):
            await client.sendmail(SENDER, [f"person{n}@subscribers.example.org"], message)
        await client.quit()

    started = time.perf_counter()
    await asyncio.gather(*(push(share) for share in shares))
    return time.perf_counter() - started


async def whole_path(folder: Path, port: int, connections: int) -> tuple[float, int]:
    """Seconds for one plan tick and one dispatch of everything due; rows sent."""
    settings = settings_for(folder, port, connections)
    worker = await open_worker(settings, clock=Clock(DUE + timedelta(seconds=30)))
    try:
        await worker.source.refresh()  # loading the timeline file is not per message
        started = time.perf_counter()
        await worker.plan_tick()
        await worker.dispatch_tick()
        elapsed = time.perf_counter() - started
        async with worker.engine.connect() as conn:
            sent = await conn.scalar(
                select(func.count()).where(OUTBOX.c.state == OutboxState.SENT.value)
            )
    finally:
        await worker.mailer.close()
        await worker.engine.dispose()
    return elapsed, int(sent or 0)


def throughput(messages: int, connections: int, runs: int) -> None:
    sink = Sink()
    try:
        with tempfile.TemporaryDirectory(prefix="gcmcal-bench-") as tmp:
            base = Path(tmp)
            prebuild = base / "prebuild"
            prepare(prebuild)
            on_loop(
                add_subscriptions(
                    settings_for(prebuild, sink.port, connections), messages, varied=False
                )
            )
            on_loop(
                mark_planned_until(
                    settings_for(prebuild, sink.port, connections), DUE - timedelta(minutes=1)
                )
            )
            built = on_loop(prebuilt_messages(prebuild, sink.port, connections))
            size = statistics.mean(len(m) for m in built)
            print(
                f"{messages} messages, {connections} SMTP connections, "
                f"mean size {size / 1024:.1f} KiB, {LOOP[0]} loop, sink pid {sink.process.pid}"
            )
            bare_rates, whole_rates = [], []
            for run in range(1, runs + 1):
                before = sink.count()
                seconds = on_loop(bare_send(sink.port, connections, built))
                assert sink.count() - before == len(built), "sink lost messages (bare)"
                bare_rates.append(len(built) / seconds)

                folder = base / f"run{run}"
                prepare(folder)
                settings = settings_for(folder, sink.port, connections)
                on_loop(add_subscriptions(settings, messages, varied=False))
                on_loop(mark_planned_until(settings, DUE - timedelta(minutes=1)))
                before = sink.count()
                seconds, sent = on_loop(whole_path(folder, sink.port, connections))
                delivered = sink.count() - before
                assert sent == messages == delivered, f"sent {sent}, sink got {delivered}"
                whole_rates.append(messages / seconds)
                print(
                    f"  run {run}: bare {bare_rates[-1]:7.0f} msg/s   "
                    f"whole path {whole_rates[-1]:7.0f} msg/s   "
                    f"ratio {whole_rates[-1] / bare_rates[-1]:.2f}"
                )
            bare, whole = statistics.median(bare_rates), statistics.median(whole_rates)
            print(f"bare aiosmtplib sender : {bare:7.0f} msg/s (median of {runs})")
            print(f"whole path             : {whole:7.0f} msg/s (median of {runs})")
            print(f"ratio whole/bare       : {whole / bare:.2f}  (goal >= 0.5)")
    finally:
        sink.close()


# -- scale (child process) ---------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM; ru_maxrss would include the parent's
    high-water mark, which a child inherits through fork and exec on Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def scale_child(
    folder: Path, port: int, count: int, quiet_ticks: int, database_url: str | None
) -> dict[str, Any]:
    """Quiet ticks, then one moment for everybody planned (and on SQLite sent) here."""
    settings = settings_for(folder, port, 4, database_url)
    clock = Clock(QUIET)
    worker = await open_worker(settings, clock=clock)
    sent: int | None = None
    send_busy: float | None = None
    try:
        await worker.plan_tick()  # loads the timeline, builds the schedule
        await worker.dispatch_tick()
        plan_ms, dispatch_ms, cpu_ms = [], [], []
        for n in range(quiet_ticks):
            clock.now = QUIET + timedelta(minutes=1 + n)
            started, cpu = time.perf_counter(), time.process_time()
            report = await worker.planning.tick()
            plan_ms.append((time.perf_counter() - started) * 1000)
            assert report.enqueued == 0, report
            started = time.perf_counter()
            await worker.dispatch_tick()
            dispatch_ms.append((time.perf_counter() - started) * 1000)
            # CPU time (all threads, SQLite's included): what a busy machine does not inflate.
            cpu_ms.append((time.process_time() - cpu) * 1000)
        quiet_rss = peak_rss_mb()
        await mark_planned_until(settings, DUE - timedelta(minutes=1))
        clock.now = DUE + timedelta(seconds=30)
        started = time.perf_counter()
        report = await worker.planning.tick()
        plan_busy = time.perf_counter() - started
        # PostgreSQL: two workers send it (`send_child`); a short run only plans it.
        if database_url is None and os.environ.get("GCMCAL_BENCH_BUSY_SEND", "1") == "1":
            started = time.perf_counter()
            await worker.dispatch_tick()
            send_busy = time.perf_counter() - started
            async with worker.engine.connect() as conn:
                sent = await conn.scalar(
                    select(func.count()).where(OUTBOX.c.state == OutboxState.SENT.value)
                )
    finally:
        await worker.mailer.close()
        await worker.engine.dispose()
    cycle_ms = [p + d for p, d in zip(plan_ms, dispatch_ms, strict=True)]
    return {
        "subscriptions": count,
        "quiet_plan_ms_median": statistics.median(plan_ms),
        "quiet_plan_ms_max": max(plan_ms),
        "quiet_dispatch_ms_median": statistics.median(dispatch_ms),
        "quiet_cycle_ms_median": statistics.median(cycle_ms),
        "quiet_cycle_ms_max": max(cycle_ms),
        "quiet_cycle_cpu_ms_median": statistics.median(cpu_ms),
        "quiet_peak_rss_mb": quiet_rss,
        "busy_planned": report.enqueued,
        "busy_plan_s": plan_busy,
        "busy_sent": sent,
        "busy_dispatch_s": send_busy,
        "peak_rss_mb": peak_rss_mb(),
    }


async def send_child(folder: Path, port: int, database_url: str, seconds: float) -> dict[str, Any]:
    """One worker sending what is queued for `seconds` after the parent says go."""
    worker = await open_worker(settings_for(folder, port, 4, database_url), clock=Clock(SENT_AT))
    try:
        await worker.source.refresh()  # loading the timeline is not sending
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        worker.spawn("dispatch", worker.dispatch_tick)
        await asyncio.sleep(seconds)
        await worker.stop()
    finally:
        await worker.engine.dispose()
    return {"peak_rss_mb": peak_rss_mb()}


async def notice_child(folder: Path, port: int, database_url: str | None) -> dict[str, Any]:
    """The hearing every subscriber follows moves: one tick queues their change notices."""
    settings = settings_for(folder, port, 4, database_url)
    clock = Clock(NOTICE_AT)
    worker = await open_worker(settings, clock=clock)
    try:
        await worker.planning.tick()  # loads the timeline: nothing new is due
        before = peak_rss_mb()
        text = settings.timeline.read_text(encoding="utf-8")
        settings.timeline.write_text(text.replace(HEARING_WHEN, MOVED_WHEN, 1), "utf-8")
        clock.now += timedelta(minutes=1)
        started = time.perf_counter()
        report = await worker.planning.tick()
        seconds = time.perf_counter() - started
    finally:
        await worker.engine.dispose()
    return {
        "notices": report.notices,
        "seconds": seconds,
        "peak_rss_mb_before": before,
        "peak_rss_mb": peak_rss_mb(),
    }


async def bare_send_for(
    port: int, connections: int, messages: Sequence[bytes], seconds: float
) -> float:
    """Messages/s of `connections` aiosmtplib connections pushing `messages` round and round."""
    deadline = time.perf_counter() + seconds
    counts = [0] * connections

    async def push(n: int) -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await client.connect()
        for turn in range(10_000_000):
            if time.perf_counter() >= deadline:
                break
            message = messages[(turn * connections + n) % len(messages)]
            await client.sendmail(SENDER, [f"person{turn}@subscribers.example.org"], message)
            counts[n] += 1
        await client.quit()

    started = time.perf_counter()
    await asyncio.gather(*(push(n) for n in range(connections)))
    return sum(counts) / (time.perf_counter() - started)


def pg_cluster(folder: Path) -> str:
    """A throwaway PostgreSQL (scripts/pg-test-cluster, fsync off) on 127.0.0.1; its URL."""
    started = subprocess.run(
        [str(ROOT / "scripts" / "pg-test-cluster"), "start", str(folder)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return started.stdout.strip().splitlines()[-1]


def two_workers(folder: Path, sink: Sink, url: str, seconds: float) -> tuple[float, list[float]]:
    """Messages/s of two worker processes sending the queued moment into `sink`."""
    children = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--send-child",
                str(folder),
                str(sink.port),
                url,
                str(seconds),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    before = sink.count()
    started = time.perf_counter()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    time.sleep(seconds)
    rate = (sink.count() - before) / (time.perf_counter() - started)
    rss = []
    for child in children:
        output, _ = child.communicate(timeout=120)
        rss.append(json.loads(output.strip().splitlines()[-1])["peak_rss_mb"])
    return rate, rss


def scale(count: int, quiet_ticks: int, database: str, pg_url: str | None, seconds: float) -> None:
    sink = Sink()
    send: tuple[float, float, list[float]] | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="gcmcal-bench-") as tmp:
            folder = Path(tmp) / "scale"
            prepare(folder)
            url = None
            if database == "postgresql":
                url = pg_url or pg_cluster(ROOT / "var" / "pgbench")
                settings = settings_for(folder, sink.port, 4, url)
                started = time.perf_counter()
                on_loop(pg_subscriptions(settings, count))
                print(f"PostgreSQL data ready in {time.perf_counter() - started:.0f} s", flush=True)
            else:
                settings = settings_for(folder, sink.port, 4)
                on_loop(add_subscriptions(settings, count, varied=True))  # not in the child
            on_loop(mark_planned_until(settings, QUIET - timedelta(minutes=1)))
            command = [sys.executable, __file__, "--scale-child", str(folder), str(sink.port)]
            child = subprocess.run(
                [*command, str(count), str(quiet_ticks), url or ""],
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            if url is not None:
                prebuild = Path(tmp) / "prebuild"
                prepare(prebuild)
                prebuilt = settings_for(prebuild, sink.port, 4)
                on_loop(add_subscriptions(prebuilt, 2000, varied=False))
                on_loop(mark_planned_until(prebuilt, DUE - timedelta(minutes=1)))
                built = on_loop(prebuilt_messages(prebuild, sink.port, 4))
                bare = on_loop(bare_send_for(sink.port, 8, built, seconds))
                workers, rss = two_workers(folder, sink, url, seconds)
                send = (bare, workers, rss)
            command = [sys.executable, __file__, "--notice-child", str(folder), str(sink.port)]
            child = subprocess.run(
                [*command, url or ""], check=True, stdout=subprocess.PIPE, text=True
            )
            told = json.loads(child.stdout.strip().splitlines()[-1])
            if url is not None and pg_url is None:
                subprocess.run(
                    [
                        str(ROOT / "scripts" / "pg-test-cluster"),
                        "stop",
                        str(ROOT / "var" / "pgbench"),
                    ],
                    check=True,
                )
    finally:
        sink.close()
    print(f"{figures['subscriptions']} subscriptions on {database} (child process):")
    print(
        f"  tick with nothing due: plan {figures['quiet_plan_ms_median']:.1f} ms median, "
        f"{figures['quiet_plan_ms_max']:.1f} ms max + "
        f"dispatch {figures['quiet_dispatch_ms_median']:.1f} ms = "
        f"{figures['quiet_cycle_ms_median']:.1f} ms median, "
        f"{figures['quiet_cycle_ms_max']:.1f} ms max of {quiet_ticks}  (goal < 50 ms)"
    )
    cpu = figures["quiet_cycle_cpu_ms_median"]
    print(f"  CPU time of a tick with nothing due: {cpu:.1f} ms median")
    print(f"  peak RSS after quiet ticks: {figures['quiet_peak_rss_mb']:.0f} MB")
    planned = f"  one moment for everybody: planned and enqueued {figures['busy_planned']} in "
    planned += f"{figures['busy_plan_s']:.1f} s"
    if figures["busy_sent"] is not None:
        planned += f", sent {figures['busy_sent']} in {figures['busy_dispatch_s']:.1f} s"
    print(planned + ("  (goal < 120 s at 1,000,000)" if database == "postgresql" else ""))
    print(f"  peak RSS of the planning process: {figures['peak_rss_mb']:.0f} MB  (goal < 300 MB)")
    if send is not None:
        bare, workers, rss = send
        print(
            f"  sending it for {seconds:.0f} s: two workers (4 SMTP connections each) "
            f"{workers:.0f} msg/s, bare aiosmtplib sender (8 connections) {bare:.0f} msg/s, "
            f"ratio {workers / bare:.2f}  (goal >= 0.5)"
        )
        print(f"  peak RSS of the sending workers: {', '.join(f'{r:.0f} MB' for r in rss)}")
    print(
        f"  change notices for everybody (the hearing moved): queued {told['notices']} in "
        f"{told['seconds']:.1f} s; peak RSS of the planning process "
        f"{told['peak_rss_mb_before']:.0f} MB before, {told['peak_rss_mb']:.0f} MB after  "
        "(goal < 300 MB)"
    )


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--serve-sink"]:
        serve_sink()
        return
    if args[:1] == ["--scale-child"]:
        LANGUAGES[:] = os.environ.get("GCMCAL_BENCH_LANGUAGES", ",".join(LANGUAGES)).split(",")
        LOOP[0] = os.environ.get("GCMCAL_BENCH_LOOP", "uvloop")
        folder, port, count, ticks, url = args[1:6]
        figures = on_loop(scale_child(Path(folder), int(port), int(count), int(ticks), url or None))
        print(json.dumps(figures))
        return
    if args[:1] == ["--notice-child"]:
        folder, port, url = args[1:4]
        print(json.dumps(on_loop(notice_child(Path(folder), int(port), url or None))))
        return
    if args[:1] == ["--send-child"]:
        folder, port, url, seconds = args[1:5]
        print(json.dumps(on_loop(send_child(Path(folder), int(port), url, float(seconds)))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--quiet-ticks", type=int, default=60, help="one a minute")
    parser.add_argument("--languages", default=",".join(LANGUAGES), help="e.g. en,fr")
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="scale on a SQLite file, or on PostgreSQL (its own throwaway cluster in var/pgbench)",
    )
    parser.add_argument("--pg-url", help="PostgreSQL to use instead (its subscriptions are kept)")
    parser.add_argument(
        "--send-seconds", type=float, default=30, help="PostgreSQL: how long the workers send"
    )
    parser.add_argument(
        "--skip-busy-send",
        action="store_true",
        help="SQLite: plan the moment for everybody, do not send it (a short run)",
    )
    options = parser.parse_args(args)
    LANGUAGES[:] = options.languages.split(",")
    LOOP[0] = options.loop
    os.environ["GCMCAL_BENCH_LANGUAGES"] = options.languages  # for the scale child
    os.environ["GCMCAL_BENCH_LOOP"] = options.loop
    os.environ["GCMCAL_BENCH_BUSY_SEND"] = "0" if options.skip_busy_send else "1"
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}")
    if not options.skip_throughput:
        throughput(options.messages, options.connections, options.runs)
    if not options.skip_scale:
        scale(
            options.subscriptions,
            options.quiet_ticks,
            options.database,
            options.pg_url,
            options.send_seconds,
        )
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end: {load} (other work on the machine skews the figures)")


if __name__ == "__main__":
    main()
