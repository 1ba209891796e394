"""`gcmcal impact` against a real database the service filled, through click's CliRunner."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from reminders.cli import main
from reminders.db.engine import create_engine
from reminders.db.models import EventHistory, EventRevision
from reminders.service import Service
from reminders.settings import Settings

ROOT = Path(__file__).resolve().parents[3]

SERVED = """
[timeline]
name = "Impact test"

[[regions]]
id = "africa"
tz = "Africa/Nairobi"
name = { en = "Africa" }

[[events]]
id = "africa-2099-review"
region = "africa"
kind = "regional-review"
when = "2099"
status = "tentative"
title = { en = "Africa review" }

[[events]]
id = "africa-2099-hearing"
region = "africa"
kind = "multi-stakeholder-hearing"
when = "2099-05-04"
title = { en = "Africa hearing" }
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "timeline.toml").write_text(SERVED, encoding="utf-8")
    values = {
        "GCMCAL_TIMELINE": str(tmp_path / "timeline.toml"),
        "GCMCAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
    }

    async def load() -> None:
        service = Service.create(
            Settings(
                timeline=tmp_path / "timeline.toml", database_url=values["GCMCAL_DATABASE_URL"]
            )
        )
        await service.open()
        await service.close()

    asyncio.run(load())
    return values


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def edit(tmp_path: Path) -> Path:
    edited = tmp_path / "edited.toml"
    edited.write_text(
        SERVED.replace('when = "2099"\nstatus = "tentative"', 'when = "2099-10-08"').replace(
            'when = "2099-05-04"', 'when = "2099-05-04T09:00/12:00"'
        ),
        encoding="utf-8",
    )
    return edited


async def stored(url: str) -> tuple[list[tuple[str, int]], int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            revisions = (
                await conn.execute(select(EventRevision.event_id, EventRevision.sequence))
            ).all()
            history = len((await conn.execute(select(EventHistory.id))).all())
    finally:
        await engine.dispose()
    return sorted((row[0], row[1]) for row in revisions), history


def test_impact_prints_changes_sequences_and_notices_and_writes_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    run(env, "subscriptions", "add", "amina@example.org", "--region", "africa", "--lang", "fr")
    run(env, "subscriptions", "add", "omar@example.org", "--lang", "ar")
    run(env, "subscriptions", "add", "li@example.org", "--kind", "regional-review", "--lang", "zh")
    before = asyncio.run(stored(env["GCMCAL_DATABASE_URL"]))

    result = run(env, "impact", str(edit(tmp_path)))

    assert (result.exit_code, result.output.splitlines()[1:]) == (
        0,
        [
            "",
            "africa-2099-hearing: moved, SEQUENCE 0 → 1",
            "  time: 2099-05-04 → 2099-05-04T09:00/12:00",
            "  email “change” to 2 subscribers (ar 1, fr 1)",
            "",
            "africa-2099-review: confirmed, SEQUENCE 0 → 1",
            "  date: 2099 → 2099-10-08",
            "  status: tentative → confirmed",
            "  email “confirmed” to 3 subscribers (ar 1, fr 1, zh 1)",
            "",
            "0 events unchanged.",
        ],
    )
    assert asyncio.run(stored(env["GCMCAL_DATABASE_URL"])) == before


def test_impact_json_for_tools(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "subscriptions", "add", "amina@example.org", "--lang", "fr")
    edited = edit(tmp_path)

    result = run(env, "impact", "--json", str(edited))

    assert json.loads(result.output) == {
        "file": str(edited),
        "events": [
            {
                "id": "africa-2099-hearing",
                "effect": "moved",
                "sequence": 0,
                "next_sequence": 1,
                "changes": [
                    {"field": "time", "old": "2099-05-04", "new": "2099-05-04T09:00/12:00"}
                ],
                "notices": {"change": {"fr": 1}},
                "followers": {"fr": 1},
                "over": False,
            },
            {
                "id": "africa-2099-review",
                "effect": "confirmed",
                "sequence": 0,
                "next_sequence": 1,
                "changes": [
                    {"field": "date", "old": "2099", "new": "2099-10-08"},
                    {"field": "status", "old": "tentative", "new": "confirmed"},
                ],
                "notices": {"confirmed": {"fr": 1}},
                "followers": {"fr": 1},
                "over": False,
            },
        ],
        "unchanged": 0,
        "subscribers": 1,
    }


def test_impact_invalid_file_lists_problems_without_traceback(
    env: dict[str, str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(SERVED.replace('when = "2099-05-04"', 'when = "sometime"'), encoding="utf-8")

    result = run(env, "impact", str(broken))

    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"{broken}: 1 problem(s)"


def test_impact_without_database_says_so(tmp_path: Path) -> None:
    shutil.copy(ROOT / "config" / "timeline.toml", tmp_path / "timeline.toml")
    env = {"GCMCAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'none.sqlite3'}"}

    result = run(env, "impact", str(tmp_path / "timeline.toml"))

    assert (result.exit_code, result.output) == (
        1,
        f"Error: GCMCAL_DATABASE_URL: no database at {tmp_path / 'none.sqlite3'}: "
        "the service has not run yet\n",
    )
