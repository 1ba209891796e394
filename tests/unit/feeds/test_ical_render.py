from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from feeds.ical import SHOWN_AFTER_END, FeedMeta, render_calendar, render_event
from feeds.revisions import Revision
from tests.support.feed_fixtures import HOST, NOW, fixture_revisions, fixture_timeline
from tests.support.ics_reading import Entry, component_lines, entries, header_lines, uids

TIMELINE = fixture_timeline()
REVISIONS = fixture_revisions(TIMELINE)
STAMP = "20240102T030405Z"
META = FeedMeta(
    key="all",
    name="GCM regional reviews — all regions",
    description="Test feed, with a comma; and a semicolon",
    url="https://gcm.example.org/",
    host=HOST,
    event_url=lambda event_id: f"https://gcm.example.org/events/{event_id}",
    regions={region.id: region for region in TIMELINE.regions},
)


def render(lang: str = "en", now: datetime = NOW) -> bytes:
    return render_calendar(TIMELINE.events, feed=META, revisions=REVISIONS, lang=lang, now=now)


def entry(event_id: str, lang: str = "en") -> Entry:
    return entries(render(lang))[f"{event_id}@{HOST}"]


BANGKOK = ZoneInfo("Asia/Bangkok")
ZURICH = ZoneInfo("Europe/Zurich")
SANTIAGO = ZoneInfo("America/Santiago")
TBC = "(date to be confirmed)"


@pytest.mark.parametrize(
    ("event_id", "expected"),
    [
        pytest.param(
            "ap-timed",
            (
                datetime(2024, 3, 11, 8, 30, tzinfo=BANGKOK),
                datetime(2024, 3, 11, 10, 0, tzinfo=BANGKOK),
                "CONFIRMED",
                "TRANSPARENT",
                "Asia-Pacific hearing",
            ),
            id="timed",
        ),
        pytest.param(
            "ap-across-days",
            (
                datetime(2024, 10, 9, 9, 0, tzinfo=ZURICH),
                datetime(2024, 10, 10, 17, 0, tzinfo=ZURICH),
                "CONFIRMED",
                "TRANSPARENT",
                "Asia-Pacific review, Geneva session",
            ),
            id="timed-across-days",
        ),
        pytest.param(
            "lac-deadline",
            (
                datetime(2024, 3, 1, 23, 59, tzinfo=SANTIAGO),
                datetime(2024, 3, 1, 23, 59, tzinfo=SANTIAGO),
                "CONFIRMED",
                "TRANSPARENT",
                "Registration closes",
            ),
            id="timed-instant",
        ),
        pytest.param(
            "utc-briefing",
            (
                datetime(2024, 2, 5, 13, 0, tzinfo=UTC),
                datetime(2024, 2, 5, 14, 0, tzinfo=UTC),
                "CONFIRMED",
                "TRANSPARENT",
                "Global briefing",
            ),
            id="timed-utc",
        ),
        pytest.param(
            "ap-day",
            (
                date(2024, 3, 11),
                date(2024, 3, 12),
                "CONFIRMED",
                "TRANSPARENT",
                "Asia-Pacific pre-consultation",
            ),
            id="day",
        ),
        pytest.param(
            "ap-days",
            (
                date(2024, 10, 9),
                date(2024, 10, 11),
                "CONFIRMED",
                "TRANSPARENT",
                "Asia-Pacific consultation",
            ),
            id="days",
        ),
        pytest.param(
            "arab-alternatives",
            (
                date(2024, 3, 8),
                date(2024, 3, 12),
                "TENTATIVE",
                "TRANSPARENT",
                # At NOW (1 June 2024) the window is over: no "to be confirmed" any more.
                "Arab States pre-consultation — 8 March 2024 or 11 March 2024",
            ),
            id="alternatives",
        ),
        pytest.param(
            "arab-week",
            (
                date(2024, 11, 3),
                date(2024, 11, 10),
                "TENTATIVE",
                "TRANSPARENT",
                f"Arab States discussion space — the week starting 3 November 2024 {TBC}",
            ),
            id="week",
        ),
        pytest.param(
            "lac-month",
            (
                date(2024, 3, 1),
                date(2024, 4, 1),
                "TENTATIVE",
                "TRANSPARENT",
                "LAC consultation — March 2024",
            ),
            id="month",
        ),
        pytest.param(
            "lac-late",
            (
                date(2024, 9, 1),
                date(2024, 9, 2),
                "TENTATIVE",
                "TRANSPARENT",
                f"Regional review — expected late 2024 {TBC}",
            ),
            id="part-of-year",
        ),
        pytest.param(
            "ap-quarter",
            (
                date(2025, 4, 1),
                date(2025, 4, 2),
                "TENTATIVE",
                "TRANSPARENT",
                f"GCM Talk — expected in the second quarter of 2025 {TBC}",
            ),
            id="quarter",
        ),
        pytest.param(
            "imrf-year",
            (
                date(2026, 1, 1),
                date(2026, 1, 2),
                "TENTATIVE",
                "TRANSPARENT",
                f"IMRF — expected in 2026 {TBC}",
            ),
            id="year",
        ),
        pytest.param(
            "ap-cancelled",
            (
                date(2024, 5, 10),
                date(2024, 5, 11),
                "CANCELLED",
                "TRANSPARENT",
                "Cancelled: Talk on data",
            ),
            id="cancelled",
        ),
        pytest.param(
            "lac-postponed",
            (
                date(2024, 9, 1),
                date(2024, 10, 1),
                "TENTATIVE",
                "TRANSPARENT",
                f"Postponed: LAC hearing — September 2024 {TBC}",
            ),
            id="postponed",
        ),
        pytest.param(
            "arab-tentative",
            (
                date(2024, 12, 2),
                date(2024, 12, 3),
                "TENTATIVE",
                "TRANSPARENT",
                "Arab States hearing (tentative)",
            ),
            id="tentative",
        ),
    ],
)
def test_entry_each_date_form_has_its_representation(event_id: str, expected: Entry) -> None:
    assert entry(event_id) == expected


@pytest.mark.parametrize(
    ("lang", "event_id", "summary"),
    [
        ("fr", "ap-cancelled", "Événement annulé : Débat sur les données"),
        ("zh", "ap-cancelled", "已取消：Talk on data"),
        ("fr", "lac-late", "Regional review — date prévue : fin 2024 (date à confirmer)"),
        (
            "es",
            "lac-late",
            "Examen regional — fecha prevista: finales de 2024 (fecha por confirmar)",
        ),
        ("zh", "imrf-year", "IMRF — 预计于2026年（日期待定）"),
        # A no-break space keeps the Russian year abbreviation with its year.
        (
            "ru",
            "lac-postponed",
            "Перенесено: LAC hearing — сентябрь 2024\u00a0г. (дата уточняется)",
        ),
        (
            "ar",
            "arab-week",
            "فضاء النقاش للدول العربية — الأسبوع الذي يبدأ في 3 تشرين الثاني/نوفمبر 2024 "
            "(التاريخ قيد التأكيد)",
        ),
    ],
    ids=["fr-cancel", "zh-cancel", "fr-part", "es-part", "zh-year", "ru-postponed", "ar-week"],
)
def test_summary_in_feed_language_translates_markers(
    lang: str, event_id: str, summary: str
) -> None:
    assert entry(event_id, lang)[4] == summary


def test_timed_entry_lines_name_the_iana_zone() -> None:
    lines = component_lines(render(), f"ap-timed@{HOST}")

    assert [line for line in lines if line.startswith(("DTSTART", "DTEND"))] == [
        "DTSTART;TZID=Asia/Bangkok:20240311T083000",
        "DTEND;TZID=Asia/Bangkok:20240311T100000",
    ]


def test_entry_lines_carry_every_property() -> None:
    lines = component_lines(render(), f"ap-across-days@{HOST}")

    assert lines == [
        "SUMMARY:Asia-Pacific review\\, Geneva session",
        "DTSTART;TZID=Europe/Zurich:20241009T090000",
        "DTEND;TZID=Europe/Zurich:20241010T170000",
        f"DTSTAMP:{STAMP}",
        f"UID:ap-across-days@{HOST}",
        "SEQUENCE:0",
        "CATEGORIES:Regional review",
        "DESCRIPTION:9 October 2024\\, 09:00 – 10 October 2024\\, 17:00 (Zurich time\\, UTC+2)\\n"
        "\\nWhere: Geneva (in person)\\nContact: rnap@example.org\\nLinks:\\n"
        "- Review page: https://example.org/review\\n- https://example.org/bare\\n"
        "Sources:\\n- https://example.org/source-1\\n- https://example.org/source-2\\n"
        "Event page: https://gcm.example.org/events/ap-across-days",
        f"LAST-MODIFIED:{STAMP}",
        "LOCATION:Geneva (in person)",
        "STATUS:CONFIRMED",
        "TRANSP:TRANSPARENT",
        "URL:https://gcm.example.org/events/ap-across-days",
        "X-MICROSOFT-CDO-BUSYSTATUS:FREE",
    ]


def test_part_of_year_description_states_the_whole_window() -> None:
    lines = component_lines(render(), f"lac-late@{HOST}")

    assert [line for line in lines if line.startswith("DESCRIPTION")] == [
        "DESCRIPTION:late 2024 (date to be confirmed)\\n"
        "Possible dates: 1 September – 31 December 2024\\n"
        "\\nContact: lac@example.org\\nEvent page: https://gcm.example.org/events/lac-late"
    ]


def test_text_escaping_covers_comma_semicolon_backslash_and_newline() -> None:
    lines = component_lines(render(), f"ap-timed@{HOST}")

    assert [line for line in lines if line.startswith("DESCRIPTION")] == [
        "DESCRIPTION:11 March 2024\\, 08:30–10:00 (Bangkok time\\, UTC+7)\\n"
        "\\nFirst line\\, with a comma\\; a semicolon \\\\ a backslash.\\nSecond line.\\n"
        "\\nWhere: Bangkok\\, UNCC (hybrid)\\nContact: rnap@example.org\\n"
        "Event page: https://gcm.example.org/events/ap-timed"
    ]


def test_summary_newline_becomes_a_space() -> None:
    lines = component_lines(render(), f"arab-long-title@{HOST}")

    assert lines[0] == "SUMMARY:Title with\\, commas\\; semicolons \\\\ backslash and a newline"


def test_calendar_properties_name_the_feed_and_its_refresh() -> None:
    assert header_lines(render()) == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//gcm-calendar//{HOST}//all//EN",
        "CALSCALE:GREGORIAN",
        "DESCRIPTION:Test feed\\, with a comma\\; and a semicolon",
        "X-WR-CALDESC:Test feed\\, with a comma\\; and a semicolon",
        "NAME:GCM regional reviews — all regions",
        "X-WR-CALNAME:GCM regional reviews — all regions",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "URL:https://gcm.example.org/",
        "X-PUBLISHED-TTL:PT6H",
    ]


def test_vtimezones_come_first_in_sorted_order() -> None:
    body = render().decode()
    tzids = [line for line in body.split("\r\n") if line.startswith("TZID:")]

    assert tzids == ["TZID:America/Santiago", "TZID:Asia/Bangkok", "TZID:Europe/Zurich"]
    assert body.index("BEGIN:VTIMEZONE") < body.index("BEGIN:VEVENT")
    assert "COMMENT" not in body


def test_sequence_and_stamps_come_from_the_revision() -> None:
    revisions = {**REVISIONS, "ap-day": Revision(7, datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC), "x")}
    body = render_calendar(TIMELINE.events, feed=META, revisions=revisions, lang="en", now=NOW)
    lines = component_lines(body, f"ap-day@{HOST}")
    wanted = ("DTSTAMP", "SEQUENCE", "LAST-MODIFIED")
    stamps = [line for line in lines if line.split(":")[0] in wanted]

    assert stamps == [
        "DTSTAMP:20240506T070809Z",
        "SEQUENCE:7",
        "LAST-MODIFIED:20240506T070809Z",
    ]


def test_cancelled_event_stays_until_retention_ends() -> None:
    cancelled = TIMELINE.event("ap-cancelled")
    assert cancelled is not None
    leaves = cancelled.ends_at + SHOWN_AFTER_END

    before = uids(render(now=leaves - timedelta(seconds=1)))
    after = uids(render(now=leaves))

    assert (f"ap-cancelled@{HOST}" in before, f"ap-cancelled@{HOST}" in after) == (True, False)
    assert set(before) - set(after) == {f"ap-cancelled@{HOST}"}


def test_cancelled_event_long_past_is_left_out() -> None:
    assert f"ap-cancelled-long-ago@{HOST}" not in uids(render())


def test_entries_are_ordered_by_start_then_id() -> None:
    shown = [e for e in TIMELINE.events if e.id != "ap-cancelled-long-ago"]
    expected = [f"{e.id}@{HOST}" for e in sorted(shown, key=lambda e: (e.starts_at, e.id))]

    assert uids(render()) == expected


def test_render_event_with_method_publish_holds_one_event() -> None:
    event = TIMELINE.event("ap-timed")
    assert event is not None

    revision = REVISIONS["ap-timed"]
    body = render_event(event, feed=META, revision=revision, lang="fr", now=NOW, method="PUBLISH")

    assert header_lines(body)[:5] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//gcm-calendar//{HOST}//all//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    assert entries(body) == {
        f"ap-timed@{HOST}": (
            datetime(2024, 3, 11, 8, 30, tzinfo=BANGKOK),
            datetime(2024, 3, 11, 10, 0, tzinfo=BANGKOK),
            "CONFIRMED",
            "TRANSPARENT",
            "Audition Asie-Pacifique",
        )
    }


def test_render_calendar_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'de'"):
        render(lang="de")


def test_render_calendar_event_without_revision_is_refused() -> None:
    with pytest.raises(ValueError, match="event 'ap-day' has no revision"):
        render_calendar(
            TIMELINE.events,
            feed=META,
            revisions={k: v for k, v in REVISIONS.items() if k != "ap-day"},
            lang="en",
            now=NOW,
        )
