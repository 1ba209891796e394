"""Date labels for the feeds, pages and emails, in the six UN languages.

Every phrase is an English gettext message (`feeds.catalogs`); its translations live in
``feeds/locale/<lang>/LC_MESSAGES/feeds.po``. Date labels are built from whole-label
patterns in those catalogs ("%(first_day)s–%(last_day)s %(month)s %(year)s"), with month
names from the catalogs too: UN Arabic documents write "تموز/يوليو", Russian needs the
genitive inside a date ("3–4 июля") and the nominative alone ("июль 2024 г."), and
Babel's interval formats fall back to abbreviated months for several locales. Only
weekday names and list patterns come from CLDR (Babel).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time

from babel.dates import format_date
from babel.lists import format_list

from feeds.catalogs import Message, pgettext
from feeds.vocabulary import babel_locale, phrase
from feeds.when import Precision, When

#: Month names inside a date ("11 March 2024"): Russian genitive, UN Arabic "آذار/مارس".
_MONTHS_IN_DATE: tuple[Message, ...] = (
    pgettext("month in a date", "January"),
    pgettext("month in a date", "February"),
    pgettext("month in a date", "March"),
    pgettext("month in a date", "April"),
    pgettext("month in a date", "May"),
    pgettext("month in a date", "June"),
    pgettext("month in a date", "July"),
    pgettext("month in a date", "August"),
    pgettext("month in a date", "September"),
    pgettext("month in a date", "October"),
    pgettext("month in a date", "November"),
    pgettext("month in a date", "December"),
)
#: Month names standing alone before a year ("March 2024"): Russian nominative.
_MONTHS_ALONE: tuple[Message, ...] = (
    pgettext("month alone", "January"),
    pgettext("month alone", "February"),
    pgettext("month alone", "March"),
    pgettext("month alone", "April"),
    pgettext("month alone", "May"),
    pgettext("month alone", "June"),
    pgettext("month alone", "July"),
    pgettext("month alone", "August"),
    pgettext("month alone", "September"),
    pgettext("month alone", "October"),
    pgettext("month alone", "November"),
    pgettext("month alone", "December"),
)

_DAY = pgettext("date", "%(day)s %(month)s %(year)s")
_WEEKDAY_AND_DAY = pgettext("date", "%(weekday)s %(date)s")
_MONTH = pgettext("date", "%(month)s %(year)s")
_YEAR = pgettext("date", "%(year)s")
_WEEK = pgettext("date", "the week starting %(day)s")
_DATE_AND_TIME = pgettext("date", "%(date)s, %(time)s")
_TIMES = pgettext("date", "%(start)s–%(end)s")
_SAME_MONTH = pgettext("date range", "%(first_day)s–%(last_day)s %(month)s %(year)s")
_SAME_YEAR = pgettext(
    "date range", "%(first_day)s %(first_month)s – %(last_day)s %(last_month)s %(year)s"
)
_RANGE = pgettext("date range", "%(first)s – %(last)s")
TO_BE_CONFIRMED = pgettext("date", "%(period)s (date to be confirmed)")

#: Parts of a year, as a label ("late 2024") and as an expected date ("expected late 2024").
_PERIODS: Mapping[str, Message] = {
    "early": pgettext("period", "early %(year)s"),
    "mid": pgettext("period", "mid-%(year)s"),
    "late": pgettext("period", "late %(year)s"),
    "H1": pgettext("period", "first half of %(year)s"),
    "H2": pgettext("period", "second half of %(year)s"),
    "Q1": pgettext("period", "first quarter of %(year)s"),
    "Q2": pgettext("period", "second quarter of %(year)s"),
    "Q3": pgettext("period", "third quarter of %(year)s"),
    "Q4": pgettext("period", "fourth quarter of %(year)s"),
}
_EXPECTED_PERIODS: Mapping[str, Message] = {
    "early": pgettext("expected", "expected early %(year)s"),
    "mid": pgettext("expected", "expected mid-%(year)s"),
    "late": pgettext("expected", "expected late %(year)s"),
    "H1": pgettext("expected", "expected in the first half of %(year)s"),
    "H2": pgettext("expected", "expected in the second half of %(year)s"),
    "Q1": pgettext("expected", "expected in the first quarter of %(year)s"),
    "Q2": pgettext("expected", "expected in the second quarter of %(year)s"),
    "Q3": pgettext("expected", "expected in the third quarter of %(year)s"),
    "Q4": pgettext("expected", "expected in the fourth quarter of %(year)s"),
}
_EXPECTED_YEAR = pgettext("expected", "expected in %(year)s")
#: Any other window shown as an expected date (a month, a week).
_EXPECTED = pgettext("expected", "expected %(period)s")
#: A window across periods ("2028 .. early 2029"); both ends are period labels.
_SPAN = pgettext("date", "%(start)s to %(end)s")


def day_label(day: date, lang: str) -> str:
    """One day as UN documents of `lang` write it: "11 March 2024", "2024年3月11日"."""
    month = phrase(_MONTHS_IN_DATE[day.month - 1], lang)
    return phrase(_DAY, lang, day=day.day, month=month, year=day.year)


def weekday_day_label(day: date, lang: str) -> str:
    """The day with its weekday: "Monday 11 March 2024", "lundi 11 mars 2024"."""
    weekday = format_date(day, "EEEE", locale=babel_locale(lang))
    return phrase(_WEEKDAY_AND_DAY, lang, weekday=weekday, date=day_label(day, lang))


def _hm(moment: time) -> str:
    # Western digits in every language, as UN documents (Arabic included) write times.
    return f"{moment.hour:02d}:{moment.minute:02d}"


def moment_label(start: datetime, end: datetime | None, lang: str, *, weekday: bool = False) -> str:
    """Local date-times (already in the zone wanted), zone not named:
    "11 March 2024, 10:00–18:00", "Monday 11 March 2024, 10:00"."""
    day = weekday_day_label if weekday else day_label
    first = phrase(_DATE_AND_TIME, lang, date=day(start.date(), lang), time=_hm(start.time()))
    if end is None or end == start:
        return first
    if end.date() == start.date():
        times = phrase(_TIMES, lang, start=_hm(start.time()), end=_hm(end.time()))
        return phrase(_DATE_AND_TIME, lang, date=day(start.date(), lang), time=times)
    last = phrase(_DATE_AND_TIME, lang, date=day(end.date(), lang), time=_hm(end.time()))
    return phrase(_RANGE, lang, first=first, last=last)


def days_label(first: date, last: date, lang: str) -> str:
    """A run of days with full month names: "3–4 July 2024", "2024年7月3日至4日"."""
    if first == last:
        return day_label(first, lang)
    if first.year != last.year:
        return phrase(_RANGE, lang, first=day_label(first, lang), last=day_label(last, lang))
    if first.month == last.month:
        month = phrase(_MONTHS_IN_DATE[first.month - 1], lang)
        return phrase(
            _SAME_MONTH, lang, first_day=first.day, last_day=last.day, month=month, year=first.year
        )
    return phrase(
        _SAME_YEAR,
        lang,
        first_day=first.day,
        first_month=phrase(_MONTHS_IN_DATE[first.month - 1], lang),
        last_day=last.day,
        last_month=phrase(_MONTHS_IN_DATE[last.month - 1], lang),
        year=first.year,
    )


def year_label(number: int, lang: str) -> str:
    """A bare year: "2025", "عام 2025", "2025年", "2025 г."."""
    return phrase(_YEAR, lang, year=number)


def month_label(year: int, month_number: int, lang: str) -> str:
    month = phrase(_MONTHS_ALONE[month_number - 1], lang)
    return phrase(_MONTH, lang, month=month, year=year)


def timed_label(when: When, lang: str) -> str:
    """A timed event's day(s) and times, in the event's own zone (not named here)."""
    assert when.start_time is not None
    start = datetime.combine(when.first_day, when.start_time)
    end = None if when.end_time is None else datetime.combine(when.last_day, when.end_time)
    return moment_label(start, end, lang)


def period_label(when: When, lang: str) -> str:
    """The date as announced, in `lang`, without any "to be confirmed" note."""
    first = when.first_day
    match when.precision:
        case Precision.TIMED:
            return timed_label(when, lang)
        case Precision.DAY:
            return day_label(first, lang)
        case Precision.DAYS:
            return days_label(first, when.last_day, lang)
        case Precision.ALTERNATIVES:
            return format_list(
                [day_label(d, lang) for d in when.alternatives],
                style="or",
                locale=babel_locale(lang),
            )
        case Precision.WEEK:
            return phrase(_WEEK, lang, day=day_label(first, lang))
        case Precision.MONTH:
            return month_label(first.year, first.month, lang)
        case Precision.PART_OF_YEAR:
            assert when.part is not None
            return phrase(_PERIODS[when.part], lang, year=first.year)
        case Precision.YEAR:
            return year_label(first.year, lang)
        case Precision.RANGE:
            assert when.ends is not None
            begins, ends = (period_label(part, lang) for part in when.ends)
            return phrase(_SPAN, lang, start=begins, end=ends)
    raise AssertionError(when.precision)  # pragma: no cover


def expected_label(when: When, lang: str) -> str:
    """The date as an expectation: "expected late 2024", "date prévue : fin 2024"."""
    if when.precision is Precision.YEAR:
        return phrase(_EXPECTED_YEAR, lang, year=when.first_day.year)
    if when.precision is Precision.PART_OF_YEAR:
        assert when.part is not None
        return phrase(_EXPECTED_PERIODS[when.part], lang, year=when.first_day.year)
    return phrase(_EXPECTED, lang, period=period_label(when, lang))


def to_be_confirmed(text: str, lang: str) -> str:
    """`text` flagged as not confirmed: "March 2024 (date to be confirmed)"."""
    return phrase(TO_BE_CONFIRMED, lang, period=text)


def date_label(when: When, lang: str) -> str:
    """The date as people should read it: the announced period, flagged when no day is known.

    "March 2024 (date to be confirmed)", "marzo de 2024 (fecha por confirmar)", "11 March 2024".
    """
    text = period_label(when, lang)
    return text if when.is_exact_day else to_be_confirmed(text, lang)
