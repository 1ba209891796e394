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


def end_of(event: icalendar.Event) -> date | datetime:
    """DTEND, or DTSTART for an instant (RFC 5545 3.6.1: it ends when it starts)."""
    value: date | datetime = event.decoded("DTEND" if "DTEND" in event else "DTSTART")
    return value


def entries(body: bytes) -> dict[str, Entry]:
    """UID -> (DTSTART, end, STATUS, TRANSP, SUMMARY) as python icalendar reads them."""
    calendar = icalendar.Calendar.from_ical(body)
    return {
        str(event["UID"]): (
            event.decoded("DTSTART"),
            end_of(event),
            str(event["STATUS"]),
            str(event["TRANSP"]),
            str(event["SUMMARY"]),
        )
        for event in calendar.walk("VEVENT")
    }


def uids(body: bytes) -> list[str]:
    return [line.removeprefix("UID:") for line in unfold(body) if line.startswith("UID:")]


def date_rule_problems(body: bytes) -> list[str]:
    """Where the VEVENTs of a calendar break RFC 5545's rules on DTSTART, DTEND and
    DURATION (3.6.1, 3.8.2.2, 3.8.2.5) or name a TZID without its VTIMEZONE (3.2.19)."""
    calendar = icalendar.Calendar.from_ical(body)
    zones = {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")}
    problems = []
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID"))
        if "DTSTART" not in event:
            problems.append(f"{uid}: no DTSTART")
            continue
        start = event.decoded("DTSTART")
        for name in ("DTSTART", "DTEND"):
            tzid = event[name].params.get("TZID") if name in event else None
            if tzid is not None and tzid not in zones:
                problems.append(f"{uid}: {name} names TZID {tzid} without a VTIMEZONE")
        if "DTEND" in event and "DURATION" in event:
            problems.append(f"{uid}: both DTEND and DURATION (3.6.1)")
        if "DTEND" in event:
            end = event.decoded("DTEND")
            if isinstance(start, datetime) is not isinstance(end, datetime):
                problems.append(f"{uid}: DTEND and DTSTART of different value types (3.8.2.2)")
            elif not end > start:
                problems.append(f"{uid}: DTEND {end} is not later than DTSTART {start} (3.8.2.2)")
        if "DURATION" in event:
            duration = event.decoded("DURATION")
            if duration.total_seconds() <= 0:
                problems.append(f"{uid}: DURATION {duration} is not positive")
            if not isinstance(start, datetime) and (duration.seconds or duration.microseconds):
                problems.append(f"{uid}: DURATION of an all-day entry is not in days (3.8.2.5)")
    return problems
