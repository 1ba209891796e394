"""Fixtures of the reliability suite: `db`, one database per backend (tests/support/db_backends.py).

Every test here is marked `slow`: they run for tens of seconds each (workers killed,
relays failing on a schedule, wrk for a minute, fuzzing), so the edit loop
(`scripts/test --fast`) leaves them out while CI runs them all.
"""

from pathlib import Path

import pytest

from tests.support.db_backends import db

__all__ = ["db"]

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # pytest hands every conftest the whole session's items: mark only ours.
    for item in items:
        if item.path.is_relative_to(_HERE):
            item.add_marker(pytest.mark.slow)
            # Their waits only catch a hang, and CI runs them beside another test process.
            item.add_marker(pytest.mark.timeout(900))
