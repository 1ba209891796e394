from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from feeds.vtimezone import vtimezone


def test_vtimezone_lists_each_transition_as_its_own_observance() -> None:
    assert vtimezone("America/Santiago", 2024, 2024).to_ical().decode().split("\r\n") == [
        "BEGIN:VTIMEZONE",
        "TZID:America/Santiago",
        "BEGIN:DAYLIGHT",
        "DTSTART:20240101T000000",
        "TZNAME:-03",
        "TZOFFSETFROM:-0300",
        "TZOFFSETTO:-0300",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "DTSTART:20240407T000000",
        "TZNAME:-04",
        "TZOFFSETFROM:-0300",
        "TZOFFSETTO:-0400",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:20240908T000000",
        "TZNAME:-03",
        "TZOFFSETFROM:-0400",
        "TZOFFSETTO:-0300",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
        "",
    ]


def _brute_force_changes(
    tzid: str, year_from: int, year_to: int
) -> list[tuple[datetime, int, int]]:
    """Every offset change, found by stepping a quarter hour at a time (UTC instant, from, to)."""
    zone = ZoneInfo(tzid)
    instant = datetime(year_from, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(year_to + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    changes = []
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    while instant < end:
        instant += timedelta(minutes=15)
        new = instant.astimezone(zone).utcoffset()
        assert new is not None
        if new != offset:
            changes.append((instant, int(offset.total_seconds()), int(new.total_seconds())))
            offset = new
    return changes


@pytest.mark.parametrize(
    "tzid",
    ["Europe/Zurich", "America/Santiago", "Australia/Lord_Howe", "Asia/Beirut", "Africa/Cairo"],
)
def test_vtimezone_onsets_read_per_rfc_5545_match_the_tz_database(tzid: str) -> None:
    observances = vtimezone(tzid, 2023, 2025).subcomponents[1:]
    # RFC 5545 §3.6.5: the onset is DTSTART read in the TZOFFSETFROM offset.
    read = [
        (
            (o.decoded("DTSTART") - o.decoded("TZOFFSETFROM")).replace(tzinfo=UTC),
            int(o.decoded("TZOFFSETFROM").total_seconds()),
            int(o.decoded("TZOFFSETTO").total_seconds()),
        )
        for o in observances
    ]

    assert read == _brute_force_changes(tzid, 2023, 2025)
