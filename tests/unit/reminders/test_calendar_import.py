"""Dates of an exported event in the timeline's `when` grammar, and page matching."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from reminders.calendar_import import Exported, page_key, when_text

GENEVA = ZoneInfo("Europe/Zurich")


def exported(start: date | datetime, end: date | datetime | None) -> Exported:
    return Exported("uid", "Title", "", start, end, "", "")


def test_when_text_every_shape_of_dates() -> None:
    assert [
        when_text(exported(date(2024, 3, 11), date(2024, 3, 12)), GENEVA),
        when_text(exported(date(2024, 3, 11), date(2024, 3, 13)), GENEVA),
        when_text(exported(date(2024, 3, 11), None), GENEVA),
        when_text(
            exported(
                datetime(2024, 3, 1, 22, 59, tzinfo=UTC), datetime(2024, 3, 1, 22, 59, tzinfo=UTC)
            ),
            GENEVA,
        ),
        when_text(
            exported(
                datetime(2024, 10, 9, 7, 0, tzinfo=UTC), datetime(2024, 10, 10, 15, 0, tzinfo=UTC)
            ),
            GENEVA,
        ),
        when_text(exported(datetime(2024, 3, 11, 10, 0), datetime(2024, 3, 11, 18, 0)), GENEVA),
    ] == [
        "2024-03-11",
        "2024-03-11..2024-03-12",
        "2024-03-11",
        "2024-03-01T23:59",
        "2024-10-09T09:00/2024-10-10T17:00",
        "2024-03-11T10:00/18:00",
    ]


def test_page_key_same_indico_event_whatever_page() -> None:
    assert {
        page_key(url)
        for url in (
            "https://indico.un.org/event/1007071/",
            "https://INDICO.un.org/event/1007071/overview",
            "https://indico.un.org/event/1007071/registrations/?x=1",
        )
    } == {"indico.un.org/event/1007071"}
