"""`gcmcal subscriptions add/list` and `gcmcal preview` through click's CliRunner."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from reminders.cli import main
from reminders.db.engine import create_engine, create_schema
from reminders.db.models import Subscription, Unsubscribed
from reminders.settings import DEV_SECRET
from reminders.subscriptions import address_hash
from reminders.tokens import manage_token, token_hash

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    shutil.copy(ROOT / "config" / "timeline.toml", tmp_path / "timeline.toml")
    return {
        "GCMCAL_TIMELINE": str(tmp_path / "timeline.toml"),
        "GCMCAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
    }


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def test_subscriptions_add_then_list_counts_without_addresses(env: dict[str, str]) -> None:
    first = run(env, "subscriptions", "add", "Alice@Example.ORG", "--region", "africa")
    second = run(env, "subscriptions", "add", "bob@example.org", "--lead", "1w", "--lead", "1h")
    listed = run(env, "subscriptions", "list")

    assert (first.exit_code, first.output) == (0, "subscription 1 added (active)\n")
    assert (second.exit_code, second.output) == (0, "subscription 2 added (active)\n")
    assert (listed.exit_code, listed.output) == (
        0,
        "pending  0\nactive   2\npaused   0\ntotal    2\n",
    )


def test_subscriptions_list_shows_addresses_only_when_asked(env: dict[str, str]) -> None:
    run(env, "subscriptions", "add", "Alice@Example.ORG")

    listed = run(env, "subscriptions", "list", "--show-emails")

    assert listed.output.splitlines()[-1] == "alice@example.org\tactive"


def test_subscriptions_add_stores_the_checked_choices(env: dict[str, str]) -> None:
    result = run(
        env,
        "subscriptions",
        "add",
        "carla@example.org",
        "--region",
        "latin-america-caribbean",
        "--kind",
        "multi-stakeholder-hearing",
        "--lang",
        "es",
        "--lead",
        "1d",
        "--lead",
        "3w",
        "--hour",
        "8",
    )

    async def stored() -> tuple[object, ...]:
        engine = create_engine(env["GCMCAL_DATABASE_URL"])
        async with engine.connect() as conn:
            s = Subscription.__table__.c
            row = (
                await conn.execute(
                    select(
                        s.email,
                        s.regions,
                        s.kinds,
                        s.leads,
                        s.language,
                        s.tz,
                        s.delivery_hour,
                        s.state,
                        s.token_hash,
                        s.id,
                        s.feed_generation,
                    )
                )
            ).one()
        await engine.dispose()
        return tuple(row)

    row = asyncio.run(stored())
    assert result.exit_code == 0
    assert row[:8] == (
        "carla@example.org",
        ["latin-america-caribbean"],
        ["multi-stakeholder-hearing"],
        ["3w", "1d"],
        "es",
        "America/Santiago",  # the one region's zone, as no --tz was given
        8,
        "active",
    )
    assert row[8] == token_hash(manage_token(DEV_SECRET, row[9], row[10]))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-an-address"], "Error: EMAIL: 'not-an-address' is not a valid address: "),
        (
            ["a@example.org", "--region", "mars"],
            "Error: --region: 'mars': Please choose regions from the list (one of: "
            "europe-north-america, africa, latin-america-caribbean, arab-states, asia-pacific).",
        ),
        (
            ["a@example.org", "--region", "global"],
            "Error: --region: 'global': Please choose regions from the list (global events are "
            "in every subscription; choose no region for every region, or one of: "
            "europe-north-america, africa, latin-america-caribbean, arab-states, asia-pacific).",
        ),
        (
            ["a@example.org", "--lang", "de"],
            "Error: --lang: 'de': Please choose a language from the list "
            "(one of: en, fr, es, ar, ru, zh).",
        ),
        (
            ["a@example.org", "--lead", "2d"],
            "Error: --lead: '2d': Please choose reminders from the list "
            "(one of: 8w, 3w, 1w, 1d, 1h).",
        ),
        (
            ["a@example.org", "--tz", "Mars/Olympus"],
            "Error: --tz: 'Mars/Olympus': Please choose a time zone from the list "
            "(an IANA time zone such as Europe/Zurich).",
        ),
        (
            ["a@example.org", "--hour", "24"],
            "Error: --hour: '24': Please choose an hour from the list (an hour from 0 to 23).",
        ),
    ],
)
def test_subscriptions_add_names_the_bad_option(
    env: dict[str, str], args: list[str], message: str
) -> None:
    result = run(env, "subscriptions", "add", *args)

    error = result.output.splitlines()[-1]
    assert (result.exit_code, error[: len(message)]) == (2, message)


def test_subscriptions_add_refuses_a_known_address(env: dict[str, str]) -> None:
    run(env, "subscriptions", "add", "alice@example.org")

    again = run(env, "subscriptions", "add", "ALICE@example.org")

    assert (again.exit_code, again.output) == (
        1,
        "Error: the address is already subscribed (active)\n",
    )


def test_subscriptions_add_refuses_an_address_that_unsubscribed(env: dict[str, str]) -> None:
    async def unsubscribed() -> None:
        engine = create_engine(env["GCMCAL_DATABASE_URL"])
        await create_schema(engine)
        async with engine.begin() as conn:
            await conn.execute(
                Unsubscribed.__table__.insert().values(
                    address_hash=address_hash(DEV_SECRET, "gone@example.org"),
                    at=datetime(2025, 1, 1, tzinfo=UTC),
                )
            )
        await engine.dispose()

    asyncio.run(unsubscribed())

    result = run(env, "subscriptions", "add", "gone@example.org")

    assert (result.exit_code, result.output) == (
        1,
        "Error: the address unsubscribed; only the person can sign up again\n",
    )


def test_preview_for_one_address_explains_the_notice(env: dict[str, str]) -> None:
    run(
        env,
        "subscriptions",
        "add",
        "alice@example.org",
        "--region",
        "latin-america-caribbean",
        "--lead",
        "1w",
        "--lang",
        "es",
    )

    result = run(
        env,
        "preview",
        "--at",
        "2027-12-25T12:30Z",
        "--window",
        "1d",
        "--email",
        "Alice@example.org",
    )

    assert (result.exit_code, result.output) == (
        0,
        "Dry run for 2027-12-24 12:30 UTC to 2027-12-25 12:30 UTC: 1 item(s) for 1 subscriber(s).\n"
        "#1 alice@example.org (es, America/Santiago): 1 item(s)\n"
        "  2027-12-25 12:00 UTC  expected 1w  latin-america-caribbean-2028-review: date not "
        "confirmed (2028 to early 2029 (date to be confirmed)): one notice, 1w before the "
        "window opens, at 09:00 America/Santiago; not after 2028-01-01 03:00 UTC\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--at", "2025-03-17T08:30"],
            "Error: --at: '2025-03-17T08:30' needs a zone, e.g. 2024-03-01T09:00Z",
        ),
        (["--at", "soon"], "Error: --at: 'soon' is not an ISO date and time"),
        (
            ["--at", "2025-03-17T08:30Z", "--window", "1y"],
            "Error: --window: '1y' is not like 30m, 1h or 2d",
        ),
    ],
)
def test_preview_names_the_bad_option(env: dict[str, str], args: list[str], message: str) -> None:
    result = run(env, "preview", *args)

    assert (result.exit_code, result.output.splitlines()[-1]) == (2, message)


def test_preview_of_an_unknown_address_fails(env: dict[str, str]) -> None:
    result = run(env, "preview", "--at", "2025-03-17T08:30Z", "--email", "nobody@example.org")

    assert (result.exit_code, result.output) == (1, "Error: no subscription has this address\n")
