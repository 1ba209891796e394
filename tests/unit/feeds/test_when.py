from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds import when as w
from feeds.date_labels import date_label
from feeds.vocabulary import LANGUAGES
from feeds.when import Precision, When, WhenError

ZURICH = ZoneInfo("Europe/Zurich")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-11", When(Precision.DAY, date(2024, 3, 11), date(2024, 3, 11))),
        (
            "2024-10-09..2024-10-10",
            When(Precision.DAYS, date(2024, 10, 9), date(2024, 10, 10)),
        ),
        (
            "2024-03-08 or 2024-03-11",
            When(
                Precision.ALTERNATIVES,
                date(2024, 3, 8),
                date(2024, 3, 11),
                alternatives=(date(2024, 3, 8), date(2024, 3, 11)),
            ),
        ),
        ("week of 2024-11-03", When(Precision.WEEK, date(2024, 11, 3), date(2024, 11, 9))),
        ("2024-03", When(Precision.MONTH, date(2024, 3, 1), date(2024, 3, 31))),
        ("2024-02", When(Precision.MONTH, date(2024, 2, 1), date(2024, 2, 29))),
        (
            "late 2024",
            When(Precision.PART_OF_YEAR, date(2024, 9, 1), date(2024, 12, 31), part="late"),
        ),
        (
            "early 2025",
            When(Precision.PART_OF_YEAR, date(2025, 1, 1), date(2025, 4, 30), part="early"),
        ),
        ("mid 2025", When(Precision.PART_OF_YEAR, date(2025, 5, 1), date(2025, 8, 31), part="mid")),
        ("H2 2024", When(Precision.PART_OF_YEAR, date(2024, 7, 1), date(2024, 12, 31), part="H2")),
        ("Q4 2024", When(Precision.PART_OF_YEAR, date(2024, 10, 1), date(2024, 12, 31), part="Q4")),
        ("2025", When(Precision.YEAR, date(2025, 1, 1), date(2025, 12, 31))),
        (
            "2024-03-11T08:30/10:00",
            When(
                Precision.TIMED,
                date(2024, 3, 11),
                date(2024, 3, 11),
                start_time=time(8, 30),
                end_time=time(10, 0),
            ),
        ),
        (
            "2024-10-09T09:00/2024-10-10T17:00",
            When(
                Precision.TIMED,
                date(2024, 10, 9),
                date(2024, 10, 10),
                start_time=time(9, 0),
                end_time=time(17, 0),
            ),
        ),
        (
            "2024-03-01T23:59",
            When(Precision.TIMED, date(2024, 3, 1), date(2024, 3, 1), start_time=time(23, 59)),
        ),
    ],
)
def test_parse_every_form_gives_the_announced_window(text: str, expected: When) -> None:
    assert w.parse(text) == expected
    assert w.parse(expected.format()) == expected


def test_parse_is_lenient_about_case_and_spacing() -> None:
    assert w.parse("  Week of 2024-11-03 ") == w.week_of(date(2024, 11, 3))
    assert w.parse("LATE 2024") == w.part_of_year("late", 2024)
    assert w.parse("h2 2024").format() == "H2 2024"
    assert w.parse("2024-03-11 OR 2024-03-08").format() == "2024-03-08 or 2024-03-11"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-13", "cannot read '2024-13': month 13 does not exist"),
        ("2024-02-30", "cannot read '2024-02-30': '2024-02-30' is not a calendar date"),
        (
            "2024-03-10..2024-03-09",
            "cannot read '2024-03-10..2024-03-09': end before start: 2024-03-09 is not after "
            "2024-03-10",
        ),
        (
            "2024-03-11T10:00/08:30",
            "cannot read '2024-03-11T10:00/08:30': end before start: 2024-03-11T08:30 is not "
            "after 2024-03-11T10:00",
        ),
        (
            "2024-03-08 or 2024-03-08",
            "cannot read '2024-03-08 or 2024-03-08': alternatives need at least two different days",
        ),
        (
            "spring 2024",
            "cannot read 'spring 2024': unknown part of year 'spring' "
            "(use one of early, mid, late, H1, H2, Q1, Q2, Q3, Q4)",
        ),
        ("1850", "cannot read '1850': years outside 1900-2200 are not supported"),
        ("0000", "cannot read '0000': year 0 is out of range"),
        ("soon", f"cannot read 'soon': {w.FORMS_HELP}"),
    ],
)
def test_parse_rejects_with_a_message_quoting_the_text(text: str, message: str) -> None:
    with pytest.raises(WhenError) as caught:
        w.parse(text)
    assert str(caught.value) == message


def test_window_is_in_the_venue_zone_with_exclusive_end() -> None:
    march = w.month(2024, 3)
    assert march.earliest(ZURICH) == datetime(2024, 3, 1, tzinfo=ZURICH)
    assert march.latest(ZURICH) == datetime(2024, 4, 1, tzinfo=ZURICH)
    hearing = w.parse("2024-03-11T08:30/10:00")
    assert hearing.earliest(ZURICH) == datetime(2024, 3, 11, 8, 30, tzinfo=ZURICH)
    assert hearing.latest(ZURICH) == datetime(2024, 3, 11, 10, 0, tzinfo=ZURICH)
    deadline = w.parse("2024-03-01T23:59")
    assert deadline.latest(ZURICH) == deadline.earliest(ZURICH)


# Property-based: any valid value -------------------------------------------------------

_days = st.dates(min_value=date(1990, 1, 1), max_value=date(2150, 12, 31))
_years = st.integers(min_value=1990, max_value=2150)
_times = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@st.composite
def _timed(draw: st.DrawFn) -> When:
    start = datetime.combine(draw(_days), draw(_times))
    minutes = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=60 * 24 * 5)))
    if minutes is None:
        return w.timed(start)
    return w.timed(start, start + timedelta(minutes=minutes))


whens = st.one_of(
    _days.map(w.on_day),
    st.tuples(_days, st.integers(min_value=1, max_value=60)).map(
        lambda pair: w.days(pair[0], pair[0] + timedelta(days=pair[1]))
    ),
    st.lists(_days, min_size=2, max_size=4, unique=True).map(lambda ds: w.alternatives(*ds)),
    _days.map(w.week_of),
    st.tuples(_years, st.integers(min_value=1, max_value=12)).map(lambda ym: w.month(*ym)),
    st.tuples(st.sampled_from(sorted(w.PARTS)), _years).map(lambda py: w.part_of_year(*py)),
    _years.map(w.year),
    _timed(),
)


@given(whens, st.sampled_from(["Europe/Zurich", "America/Santiago", "Asia/Bangkok", "UTC"]))
def test_any_when_has_an_ordered_window_labels_and_round_trips(value: When, tz: str) -> None:
    zone = ZoneInfo(tz)
    assert value.earliest(zone) <= value.latest(zone)
    assert all(date_label(value, lang).strip() for lang in LANGUAGES)
    assert w.parse(value.format()) == value
