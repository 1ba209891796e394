"""`gcmcal subscriptions show/resume/remove/import` with CliRunner and a real SQLite file,
and a closed output pipe with the real `gcmcal` process."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select, update

from reminders import outbox_store
from reminders.cli import main
from reminders.db.engine import create_engine, create_schema
from reminders.db.models import OutboxMessage, SendAttempt, Subscription, Unsubscribed
from reminders.states import SubscriptionState
from tests.support.sending import HOST, add_subscriptions, planned

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    shutil.copy(ROOT / "config" / "timeline.toml", tmp_path / "timeline.toml")
    return {
        "GCMCAL_TIMELINE": str(tmp_path / "timeline.toml"),
        "GCMCAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
    }


THEN = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def run(env: dict[str, str], *args: str, given: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=given)


def _paused_after_bounces(env: dict[str, str]) -> int:
    """One subscription, paused after two bounces of one reminder (as the recorder leaves it)."""

    async def work() -> int:
        engine = create_engine(env["GCMCAL_DATABASE_URL"])
        try:
            await create_schema(engine)
            (sid,) = await add_subscriptions(engine, ["gone@example.org"], THEN)
            async with engine.begin() as conn:
                await outbox_store.enqueue(conn, [planned(sid)], THEN, HOST)
                row_id = (await conn.execute(select(OutboxMessage.id))).scalar_one()
                await conn.execute(
                    update(Subscription)
                    .where(Subscription.id == sid)
                    .values(state=SubscriptionState.PAUSED.value, hard_bounces=2, bounce_score=2.0)
                )
                await conn.execute(
                    SendAttempt.__table__.insert(),
                    [
                        {
                            "outbox_id": row_id,
                            "at": THEN + timedelta(minutes=n),
                            "outcome": outcome,
                            "smtp_code": code,
                            "detail": detail,
                        }
                        for n, outcome, code, detail in [
                            (0, "relay", 554, "data: 5.3.0 mail store full"),
                            (1, "bounce", 550, "rcpt: 5.1.1 no such user"),
                            (2, "bounce", 550, "rcpt: 5.1.1 no such user"),
                        ]
                    ],
                )
            return sid
        finally:
            await engine.dispose()

    return asyncio.run(work())


def test_subscriptions_show_prints_state_choices_and_bounce_history(env: dict[str, str]) -> None:
    sid = _paused_after_bounces(env)

    shown = run(env, "subscriptions", "show", "Gone@Example.org")

    assert (shown.exit_code, shown.output.splitlines()) == (
        0,
        [
            "email          gone@example.org",
            f"id             {sid}",
            "state          paused",
            "signed up      2025-03-01 08:00 UTC",
            "confirmed      2025-03-01 08:00 UTC",
            "regions        all",
            "kinds          all",
            "leads          1d",
            "language       en",
            "time zone      Europe/Zurich",
            "delivery hour  09:00",
            "emails         0 sent, 1 waiting",
            "bounces        2 permanent failures, score 2.00",
            "failed sends (newest first):",
            "  2025-03-01 08:02 UTC  bounce 550  rcpt: 5.1.1 no such user",
            "  2025-03-01 08:01 UTC  bounce 550  rcpt: 5.1.1 no such user",
            "  2025-03-01 08:00 UTC  relay 554  data: 5.3.0 mail store full",
        ],
    )


def test_subscriptions_resume_reactivates_a_paused_subscription(env: dict[str, str]) -> None:
    _paused_after_bounces(env)

    resumed = run(env, "subscriptions", "resume", "gone@example.org")
    again = run(env, "subscriptions", "resume", "gone@example.org")
    shown = run(env, "subscriptions", "show", "gone@example.org")

    assert (resumed.exit_code, resumed.output) == (
        0,
        "subscription resumed (active); its bounce score is cleared\n",
    )
    assert (again.exit_code, again.output) == (0, "the subscription is already active\n")
    kept = ("state", "bounces")
    assert [line for line in shown.output.splitlines() if line.startswith(kept)] == [
        "state          active",
        "bounces        2 permanent failures, score 0.00",
    ]


def test_subscriptions_commands_name_an_unknown_address(env: dict[str, str]) -> None:
    run(env, "subscriptions", "list")  # creates the schema

    results = [
        run(env, "subscriptions", command, "nobody@example.org", *extra)
        for command, extra in (("show", ()), ("resume", ()), ("remove", ("--yes",)))
    ]
    bad = run(env, "subscriptions", "show", "not an address")

    assert [(r.exit_code, r.output) for r in results] == [
        (1, "Error: no subscription has this address\n")
    ] * 3
    assert bad.exit_code == 2
    assert bad.output.splitlines()[-1].startswith("Error: EMAIL: 'not an address' is not a valid")


def test_subscriptions_remove_erases_the_subscription_and_its_record(env: dict[str, str]) -> None:
    _paused_after_bounces(env)

    declined = run(env, "subscriptions", "remove", "gone@example.org", given="n\n")
    removed = run(env, "subscriptions", "remove", "gone@example.org", given="y\n")
    added_again = run(env, "subscriptions", "add", "gone@example.org")

    async def left() -> list[int]:
        engine = create_engine(env["GCMCAL_DATABASE_URL"])
        try:
            async with engine.connect() as conn:
                return [
                    (await conn.execute(select(func.count()).select_from(model))).scalar_one()
                    for model in (Subscription, OutboxMessage, SendAttempt, Unsubscribed)
                ]
        finally:
            await engine.dispose()

    assert declined.exit_code == 1
    assert (removed.exit_code, removed.output) == (
        0,
        "Erase the subscription of gone@example.org? [y/N]: y\n"
        "subscription erased; only a keyed hash of the address is kept, so that an import "
        "does not add it again\n",
    )
    assert (added_again.exit_code, added_again.output) == (
        1,
        "Error: the address unsubscribed; only the person can sign up again\n",
    )
    assert asyncio.run(left()) == [0, 0, 0, 1]


def test_subscriptions_import_adds_good_rows_and_lists_refused_ones(
    env: dict[str, str], tmp_path: Path
) -> None:
    run(env, "subscriptions", "add", "already@example.org")
    listing = tmp_path / "list.csv"
    listing.write_text(
        "\ufeffemail,regions,kinds,language,tz,leads,hour\n"
        "amina@example.org,africa,,fr,,1w;1d,8\n"
        "bob@example.org,,regional-review multi-stakeholder-hearing,,UTC,,\n"
        "carla@example.org,,,es,Mars/Base,,\n"
        "not an address,,,,,,\n"
        "already@example.org,,,,,,\n"
        "\n"
        "AMINA@example.org,,,,,,\n"
        "dan@example.org,atlantis,,,,,\n"
        "erin@example.org,,,,,2d,\n"
        "fay@example.org,,,,,,25\n"
        "gus@example.org,,,\n",
        encoding="utf-8",
    )

    imported = run(env, "subscriptions", "import", str(listing))
    listed = run(env, "subscriptions", "list", "--show-emails")

    assert imported.exit_code == 1
    assert imported.stdout.splitlines() == [
        "2 added (active), 8 refused",
        "  row 4, column tz: 'Mars/Base': Please choose a time zone from the list "
        "(an IANA time zone such as Europe/Zurich).",
        "  row 5, column email: 'not an address' is not a valid address: "
        "An email address must have an @-sign.",
        "  row 6, column email: the address is already subscribed (active)",
        "  row 8, column email: the same address as row 2",
        "  row 9, column regions: 'atlantis': Please choose regions from the list (one of: "
        + imported.output.split("(one of: ")[1].split("\n")[0],
        "  row 10, column leads: '2d': Please choose reminders from the list "
        "(one of: 8w, 3w, 1w, 1d, 1h).",
        "  row 11, column hour: '25': Please choose an hour from the list (an hour from 0 to 23).",
        "  row 12, column -: 4 cells, but the header has 7",
    ]
    assert listed.output.splitlines()[-3:] == [
        "already@example.org\tactive",
        "amina@example.org\tactive",
        "bob@example.org\tactive",
    ]


def test_subscriptions_import_names_a_bad_header(env: dict[str, str], tmp_path: Path) -> None:
    listing = tmp_path / "list.csv"
    listing.write_text("mail,region\nalice@example.org,africa\n", encoding="utf-8")

    imported = run(env, "subscriptions", "import", str(listing))

    assert (imported.exit_code, imported.output) == (
        1,
        f"Error: {listing}: row 1: unknown column 'mail' "
        "(columns: email, regions, kinds, language, tz, leads, hour)\n",
    )


def test_command_ends_quietly_when_its_output_pipe_closes(
    env: dict[str, str], tmp_path: Path
) -> None:
    listing = tmp_path / "many.csv"
    listing.write_text(
        "email\n" + "".join(f"person{n:05d}@example.org\n" for n in range(4000)), "utf-8"
    )
    assert run(env, "subscriptions", "import", str(listing)).exit_code == 0
    gcmcal = Path(sys.executable).with_name("gcmcal")

    process = subprocess.Popen(
        [str(gcmcal), "subscriptions", "list", "--show-emails"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    errors = process.stderr.read()
    process.stderr.close()
    code = process.wait(timeout=60)

    assert (first, errors, code) == (b"pending  0\n", b"", 1)
