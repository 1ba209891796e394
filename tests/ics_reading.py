"""Reading rendered calendars back in tests: content lines, and entries by UID."""

from __future__ import annotations

from datetime import date, datetime

import icalendar


def unfold(body: bytes) -> list[str]:
    """The logical content lines (RFC 5545 §3.1 unfolding), decoded."""
    return body.decode().replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]


def component_lines(body: bytes, uid: str) -> list[str]:
    """The content lines of the VEVENT with `uid`, BEGIN and END excluded."""
    lines = unfold(body)
    start = 0
    for index, line in enumerate(lines):
        if line == "BEGIN:VEVENT":
            start = index + 1
        elif line == f"UID:{uid}":
            end = lines.index("END:VEVENT", index)
            return lines[start:end]
    raise AssertionError(f"no VEVENT with UID {uid}")


def header_lines(body: bytes) -> list[str]:
    """The calendar's own properties: the lines before its first component."""
    lines = unfold(body)
    first = next(i for i, line in enumerate(lines) if line.startswith("BEGIN:V") and i > 0)
    return lines[:first]


Entry = tuple[date | datetime, date | datetime, str, str, str]


def entries(body: bytes) -> dict[str, Entry]:
    """UID -> (DTSTART, DTEND, STATUS, TRANSP, SUMMARY) as python icalendar reads them."""
    calendar = icalendar.Calendar.from_ical(body)
    return {
        str(event["UID"]): (
            event.decoded("DTSTART"),
            event.decoded("DTEND"),
            str(event["STATUS"]),
            str(event["TRANSP"]),
            str(event["SUMMARY"]),
        )
        for event in calendar.walk("VEVENT")
    }


def uids(body: bytes) -> list[str]:
    return [line.removeprefix("UID:") for line in unfold(body) if line.startswith("UID:")]
