from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from feeds.vocabulary import Status
from reminders.mail.content import (
    change_views,
    starts_phrase,
    time_range,
    until_start,
)
from tests.support.reminder_fixtures import event, utc


@pytest.mark.parametrize(
    ("days", "hours", "lang", "expected"),
    [
        (0, None, "en", "today"),
        (1, None, "en", "tomorrow"),
        (6, None, "en", "in 6 days"),
        (7, None, "en", "in 1 week"),
        (21, None, "fr", "dans 3 semaines"),
        (56, None, "ru", "через 8 недель"),
        (10, None, "es", "dentro de 10 días"),
        (0, 5, "en", "in 5 hours"),
        (1, 1, "ar", "بعد ساعة واحدة"),
        (0, 0, "zh", "不到1小时后"),
    ],
)
def test_starts_phrase_by_distance(days: int, hours: int | None, lang: str, expected: str) -> None:
    assert starts_phrase(days, hours, lang) == expected


def test_until_start_day_event_in_reader_zone() -> None:
    review = event("review", "2024-03-11")  # Geneva
    moment = utc(2024, 3, 10, 0, 30)  # already 11 March in Tokyo, still 9 March in Santiago
    assert [
        until_start(review, ZoneInfo(tz), moment) for tz in ("Asia/Tokyo", "America/Santiago")
    ] == [
        (1, None),
        (2, None),
    ]


def test_until_start_timed_event_hours_within_a_day() -> None:
    hearing = event("hearing", "2024-03-11T08:30/10:00")  # 07:30 UTC
    assert until_start(hearing, ZoneInfo("Europe/Zurich"), utc(2024, 3, 11, 4, 45)) == (0, 2)


def test_time_range_across_summer_time_change_zurich() -> None:
    start, end = utc(2024, 3, 30, 22), utc(2024, 3, 31, 8)  # clocks go forward at 01:00 UTC
    assert time_range(start, end, ZoneInfo("Europe/Zurich"), "en") == (
        "Saturday 30 March 2024, 23:00 – Sunday 31 March 2024, 10:00 (Zurich time, UTC+1)"
    )


def test_time_range_santiago_after_summer_time_end() -> None:
    start = utc(2025, 4, 6, 14)
    assert time_range(start, None, ZoneInfo("America/Santiago"), "es") == (
        "domingo, 6 de abril de 2025, 10:00 (hora de Santiago de Chile, UTC-4)"
    )


def test_change_views_localised_old_and_new() -> None:
    payload = {
        "changes": [
            {"field": "date", "old": "late 2024", "new": "2024-11-04..2024-11-05"},
            {"field": "status", "old": Status.CONFIRMED.value, "new": Status.POSTPONED.value},
            {"field": "modality", "old": "", "new": "online"},
            {"field": "tz", "old": "Asia/Beirut", "new": "Africa/Cairo"},
            {"field": "title", "old": {"en": "Old", "fr": "Ancien"}, "new": {"en": "New"}},
            {"field": "links", "old": [], "new": ["Registration: https://example.org/r"]},
        ]
    }
    assert [(v.label, v.old, v.new) for v in change_views(payload, "fr")] == [
        ("Date", "fin 2024 (date à confirmer)", "du 4 au 5 novembre 2024"),
        ("Statut", "confirmé", "reporté"),
        ("Modalité", "(aucun)", "en ligne"),
        (
            "Fuseau horaire",
            "heure locale (Beyrouth)",
            "heure locale (Le Caire)",
        ),
        ("Titre", "Ancien", "New"),
        ("Liens", "(aucun)", "Registration: https://example.org/r"),
    ]


def test_change_views_window_over_reads_as_period() -> None:
    payload = {"changes": [{"field": "date", "old": "2024-04", "new": "2024-06-10"}]}
    at = (ZoneInfo("Asia/Beirut"), utc(2024, 5, 2))
    assert [(v.old, v.new) for v in change_views(payload, "en", at)] == [
        ("April 2024", "10 June 2024")
    ]
    before = (ZoneInfo("Asia/Beirut"), utc(2024, 3, 2))
    assert [(v.old, v.new) for v in change_views(payload, "en", before)] == [
        ("April 2024 (date to be confirmed)", "10 June 2024")
    ]
