"""The `db` fixture (tests/support/db_backends.py) fails a test keeping a connection checked out."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

INNER = """
import pytest
from sqlalchemy import text

from tests.support.db_backends import Database, db  # noqa: F401

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("db", ["sqlite"], indirect=True)]
kept = []


async def test_gives_its_connection_back(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1


async def test_keeps_a_connection(db: Database) -> None:
    kept.append(await db.engine.connect())
"""


def test_db_fixture_with_a_connection_left_checked_out_errors_at_teardown(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "ignore")
    outcomes = result.parseoutcomes()
    assert {key: outcomes.get(key) for key in ("passed", "errors", "failed")} == {
        "passed": 2,
        "errors": 1,
        "failed": None,
    }
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_keeps_a_connection*", "*1 database connection(s) still*"]
    )
