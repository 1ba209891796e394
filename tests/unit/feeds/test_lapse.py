"""What an announced date reads before, inside and after its window, in six languages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from feeds import LANGUAGES, Timeline, parse_timeline
from feeds import when as w
from feeds.entry_text import summary
from feeds.ical import FeedMeta, entry_dates, render_calendar
from feeds.lapse import Lapse, event_date_label, lapse, status_label, unresolved
from feeds.revisions import advance
from feeds.when import Precision, When, WhenError
from tests.support.ics_reading import entries

TOML = """
[timeline]
name = "Lapse"

[[regions]]
id = "africa"
tz = "UTC"
[regions.name]
en = "Africa"

[[events]]
id = "vague"
region = "africa"
kind = "pre-consultation"
when = "2024-03"
status = "tentative"
title = { en = "Pre-consultation", fr = "Pré-consultation" }

[[events]]
id = "gave-up"
region = "africa"
kind = "pre-consultation"
when = "2024-03"
status = "unconfirmed"
title = { en = "Pre-consultation" }

[[events]]
id = "overtaken"
region = "africa"
kind = "multi-stakeholder-consultation"
when = "2024-05"
status = "tentative"
superseded_by = "dakar"
title = { en = "Consultation" }

[[events]]
id = "dakar"
region = "africa"
kind = "multi-stakeholder-consultation"
when = "2024-09-03..2024-09-04"
sources = [{ url = "https://example.org/report", kind = "report", by = { en = "ANSAP" } }]
title = { en = "Dakar consultation" }

[[events]]
id = "held"
region = "africa"
kind = "pre-consultation"
when = "2025-02"
sources = ["https://example.org/organiser"]
title = { en = "Held in February" }

[[events]]
id = "third"
region = "africa"
kind = "regional-review"
when = "2028 .. early 2029"
status = "tentative"
title = { en = "Third review" }
"""

TIMELINE: Timeline = parse_timeline(TOML)
BEFORE = datetime(2024, 2, 15, tzinfo=UTC)
INSIDE = datetime(2024, 3, 15, tzinfo=UTC)
AFTER = datetime(2024, 4, 1, tzinfo=UTC)


def labels(event_id: str, now: datetime) -> dict[str, str]:
    event = TIMELINE.event(event_id)
    assert event is not None
    return {lang: event_date_label(event, lang, now) for lang in LANGUAGES}


MARCH_TBC = {
    "en": "March 2024 (date to be confirmed)",
    "fr": "mars 2024 (date à confirmer)",
    "es": "marzo de 2024 (fecha por confirmar)",
    "ar": "آذار/مارس 2024 (التاريخ قيد التأكيد)",
    "ru": "март 2024\xa0г. (дата уточняется)",
    "zh": "2024年3月（日期待定）",
}


@pytest.mark.parametrize("now", [BEFORE, INSIDE], ids=["before", "inside"])
def test_label_open_window_says_to_be_confirmed(now: datetime) -> None:
    assert labels("vague", now) == MARCH_TBC


def test_label_after_window_says_never_confirmed_not_to_be_confirmed() -> None:
    expected = {
        "en": "March 2024 (date never confirmed)",
        "fr": "mars 2024 (date jamais confirmée)",
        "es": "marzo de 2024 (fecha nunca confirmada)",
        "ar": "آذار/مارس 2024 (لم يُؤكَّد التاريخ قط)",
        "ru": "март 2024\xa0г. (дата так и не подтверждена)",
        "zh": "2024年3月（日期始终未确认）",
    }
    assert labels("vague", AFTER) == expected
    assert labels("gave-up", AFTER) == expected


def test_label_superseded_reads_not_held_as_announced_at_any_time() -> None:
    assert labels("overtaken", BEFORE) == {
        "en": "May 2024 (not held as announced)",
        "fr": "mai 2024 (ne s'est pas tenu comme annoncé)",
        "es": "mayo de 2024 (no se celebró como se anunció)",
        "ar": "أيار/مايو 2024 (لم يُعقد كما أُعلن)",
        "ru": "май 2024\xa0г. (не состоялось, как было объявлено)",
        "zh": "2024年5月（未按公布的安排举行）",
    }


def test_label_confirmed_vague_date_after_window_is_the_period() -> None:
    assert labels("held", datetime(2025, 3, 1, tzinfo=UTC)) == {
        "en": "February 2025",
        "fr": "février 2025",
        "es": "febrero de 2025",
        "ar": "شباط/فبراير 2025",
        "ru": "февраль 2025\xa0г.",
        "zh": "2025年2月",
    }


def test_status_reported_only_reads_reported_by_in_six_languages() -> None:
    event = TIMELINE.event("dakar")
    assert event is not None
    assert {lang: status_label(event, lang, AFTER) for lang in LANGUAGES} == {
        # The name is given in English only: other languages do not borrow it.
        "en": "reported by ANSAP",
        "fr": "signalé par d'autres, non par les organisateurs",
        "es": "comunicado por otros, no por los organizadores",
        "ar": "أفادت به جهات أخرى، لا الجهة المنظمة",
        "ru": "по сообщениям других, не организаторов",
        "zh": "由他方而非主办方报道",
    }


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (BEFORE, {"vague": None, "gave-up": None, "overtaken": Lapse.SUPERSEDED}),
        (INSIDE, {"vague": None, "gave-up": None, "overtaken": Lapse.SUPERSEDED}),
        (
            AFTER,
            {
                "vague": Lapse.UNCONFIRMED,
                "gave-up": Lapse.UNCONFIRMED,
                "overtaken": Lapse.SUPERSEDED,
            },
        ),
    ],
    ids=["before", "inside", "after"],
)
def test_lapse_at_fixed_moments(now: datetime, expected: dict[str, Lapse | None]) -> None:
    found = {}
    for event_id in expected:
        event = TIMELINE.event(event_id)
        assert event is not None
        found[event_id] = lapse(event, now)
    assert found == expected


@pytest.mark.parametrize(
    ("now", "expected"), [(BEFORE, []), (INSIDE, []), (AFTER, ["vague"])], ids=["b", "i", "a"]
)
def test_unresolved_only_the_tentative_one_after_its_window(
    now: datetime, expected: list[str]
) -> None:
    assert [e.id for e in TIMELINE.events if unresolved(e, now)] == expected


# Range form ------------------------------------------------------------------------------


def test_range_parse_window_and_canonical_text() -> None:
    value = w.parse("2028 .. early 2029")
    assert value == When(
        Precision.RANGE,
        date(2028, 1, 1),
        date(2029, 4, 30),
        ends=(w.year(2028), w.part_of_year("early", 2029)),
    )
    assert (value.format(), w.parse(value.format())) == ("2028 .. early 2029", value)
    assert w.parse("2024-08  ..  2024-10").format() == "2024-08 .. 2024-10"
    # Two plain days without spaces stay the "days" form.
    assert w.parse("2024-10-09 .. 2024-10-10").precision is Precision.DAYS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2029 .. 2028", "cannot read '2029 .. 2028': '2028' must begin and end after '2029'"),
        ("2028 .. 2028-06", "cannot read '2028 .. 2028-06': '2028-06' must begin and end after"),
        (
            "2028 .. 2029 .. 2030",
            "cannot read '2028 .. 2029 .. 2030': a range cannot contain another range",
        ),
        ("2028 .. soon", "cannot read '2028 .. soon': use 2024-03-11, "),
    ],
)
def test_range_rejects_with_a_message_quoting_the_text(text: str, message: str) -> None:
    with pytest.raises(WhenError) as caught:
        w.parse(text)
    assert str(caught.value).startswith(message)


def test_range_labels_in_six_languages_before_the_window() -> None:
    assert labels("third", datetime(2026, 12, 2, tzinfo=UTC)) == {
        "en": "2028 to early 2029 (date to be confirmed)",
        "fr": "de 2028 à début 2029 (date à confirmer)",
        "es": "de 2028 a principios de 2029 (fecha por confirmar)",
        "ar": "من عام 2028 إلى أوائل عام 2029 (التاريخ قيد التأكيد)",
        "ru": "2028\xa0г. — начало 2029 года (дата уточняется)",
        "zh": "从2028年到2029年1月至4月（日期待定）",
    }


def test_range_labels_after_the_window_never_confirmed() -> None:
    assert labels("third", datetime(2029, 5, 1, tzinfo=UTC))["en"] == (
        "2028 to early 2029 (date never confirmed)"
    )


META = FeedMeta(
    key="all",
    name="Lapse",
    description="",
    url="https://gcm.example.org/",
    host="gcm.example.org",
    event_url=lambda event_id: f"https://gcm.example.org/events/{event_id}",
)


def test_range_feed_entry_long_window_is_one_marker_day() -> None:
    now = datetime(2026, 12, 2, tzinfo=UTC)
    body = render_calendar(
        TIMELINE.events, feed=META, revisions=advance({}, TIMELINE, now)[0], lang="en", now=now
    )
    assert entries(body)["third@gcm.example.org"] == (
        date(2028, 1, 1),
        date(2028, 1, 2),
        "TENTATIVE",
        "TRANSPARENT",
        "Third review — expected 2028 to early 2029 (date to be confirmed)",
    )


def test_range_feed_entry_short_window_spans_its_days() -> None:
    text = TOML.replace("2028 .. early 2029", "week of 2024-08-26 .. 2024-09-10")
    event = parse_timeline(text).event("third")
    assert event is not None
    assert entry_dates(event) == (date(2024, 8, 26), date(2024, 9, 11))


def test_feed_summaries_mark_what_did_not_happen_as_announced() -> None:
    found = {}
    for event_id in ("vague", "gave-up", "overtaken", "held"):
        event = TIMELINE.event(event_id)
        assert event is not None
        found[event_id] = summary(event, "en", datetime(2026, 12, 2, tzinfo=UTC))
    assert found == {
        "vague": "Never confirmed: Pre-consultation — March 2024",
        "gave-up": "Never confirmed: Pre-consultation — March 2024",
        "overtaken": "Not held as announced: Consultation — May 2024",
        "held": "Held in February — February 2025",
    }
