from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reminders.planning_tick import crosses_local_hour

AT = datetime(2025, 3, 17, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (AT + timedelta(seconds=30), AT + timedelta(seconds=90), False),  # 08:00:30–08:01:30
        (AT - timedelta(seconds=30), AT + timedelta(seconds=30), True),  # 08:00 UTC itself
        (AT, AT + timedelta(seconds=30), False),  # the window is open at its start
        (AT + timedelta(minutes=14), AT + timedelta(minutes=15), True),  # Kathmandu 14:00
        (AT + timedelta(minutes=44), AT + timedelta(minutes=45), False),  # no zone at :15
        (AT + timedelta(minutes=29), AT + timedelta(minutes=30), True),  # Kolkata 14:00
        (AT + timedelta(minutes=2), AT + timedelta(minutes=14), False),
        (None, AT, True),  # first start: everything from the beginning
        (AT + timedelta(minutes=1), AT + timedelta(minutes=61), True),  # an hour or more
    ],
)
def test_crosses_local_hour_for_some_zone(
    since: datetime | None, until: datetime, expected: bool
) -> None:
    assert crosses_local_hour(since, until) == expected
