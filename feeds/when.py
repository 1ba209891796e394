"""`When`: an event date that keeps the precision its source gave.

Organisers announce dates as "March 2024", "8 or 11 March 2024", "week of 3 November
2024" or "late 2024", and only later as a day and a time. A `When` stores exactly what
was announced; it never invents a day. Each value knows the window it may fall in
(`first_day` .. `last_day`, inclusive) and how to write itself back in the canonical
text form that the timeline file uses, so `parse(w.format()) == w` always holds.

Text forms (the timeline file's `when` field):

====================  =====================================  ==========================
precision             example                                window
====================  =====================================  ==========================
timed                 ``2024-03-11T08:30/10:00``             08:30 to 10:00 that day
                      ``2024-10-09T09:00/2024-10-10T17:00``  across days
                      ``2024-03-01T23:59``                   an instant (a deadline)
day                   ``2024-03-11``                         that day
days                  ``2024-10-09..2024-10-10``             both days, inclusive
alternatives          ``2024-03-08 or 2024-03-11``           first to last alternative
week                  ``week of 2024-11-03``                 that day and the 6 after it
month                 ``2024-03``                            the whole month
part-of-year          ``early 2025``                         January to April
                      ``mid 2025``                           May to August
                      ``late 2024``                          September to December
                      ``H1 2025`` / ``H2 2024``              January-June / July-December
                      ``Q1 2025`` .. ``Q4 2025``             the calendar quarter
year                  ``2025``                               the whole year
====================  =====================================  ==========================

"early", "mid" and "late" split the year into three four-month thirds so that every
month belongs to exactly one of them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class WhenError(ValueError):
    """The text is not a `when` value; the message quotes it and says why."""


class Precision(StrEnum):
    TIMED = "timed"
    DAY = "day"
    DAYS = "days"
    ALTERNATIVES = "alternatives"
    WEEK = "week"
    MONTH = "month"
    PART_OF_YEAR = "part-of-year"
    YEAR = "year"


#: Part-of-year words and the months (first, last) each one covers.
PARTS: dict[str, tuple[int, int]] = {
    "early": (1, 4),
    "mid": (5, 8),
    "late": (9, 12),
    "H1": (1, 6),
    "H2": (7, 12),
    "Q1": (1, 3),
    "Q2": (4, 6),
    "Q3": (7, 9),
    "Q4": (10, 12),
}
_PART_BY_LOWER = {name.lower(): name for name in PARTS}

#: Years a timeline may use; keeps window arithmetic far from `date`'s limits.
YEARS = (1900, 2200)

#: Precisions that name the day(s) of the event, so day-based reminders make sense.
EXACT_DAY = frozenset({Precision.TIMED, Precision.DAY, Precision.DAYS})


@dataclass(frozen=True, slots=True)
class When:
    precision: Precision
    first_day: date
    last_day: date
    alternatives: tuple[date, ...] = ()
    part: str | None = None
    start_time: time | None = None
    end_time: time | None = None

    def __post_init__(self) -> None:
        if self.first_day.year < YEARS[0] or self.last_day.year > YEARS[1]:
            raise WhenError(f"years outside {YEARS[0]}-{YEARS[1]} are not supported")

    @property
    def is_exact_day(self) -> bool:
        return self.precision in EXACT_DAY

    @property
    def is_timed(self) -> bool:
        return self.precision is Precision.TIMED

    @property
    def day_count(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def earliest(self, zone: ZoneInfo) -> datetime:
        """The earliest moment the event may start, in the venue's zone."""
        return datetime.combine(self.first_day, self.start_time or time(0), zone)

    def latest(self, zone: ZoneInfo) -> datetime:
        """The latest moment the event may end (exclusive), in the venue's zone."""
        if self.start_time is not None:
            return datetime.combine(self.last_day, self.end_time or self.start_time, zone)
        return datetime.combine(self.last_day + timedelta(days=1), time(0), zone)

    def format(self) -> str:
        """The canonical text form; `parse(self.format()) == self`."""
        match self.precision:
            case Precision.TIMED:
                assert self.start_time is not None
                start = f"{self.first_day.isoformat()}T{self.start_time:%H:%M}"
                if self.end_time is None:
                    return start
                if self.last_day == self.first_day:
                    return f"{start}/{self.end_time:%H:%M}"
                return f"{start}/{self.last_day.isoformat()}T{self.end_time:%H:%M}"
            case Precision.DAY:
                return self.first_day.isoformat()
            case Precision.DAYS:
                return f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"
            case Precision.ALTERNATIVES:
                return " or ".join(d.isoformat() for d in self.alternatives)
            case Precision.WEEK:
                return f"week of {self.first_day.isoformat()}"
            case Precision.MONTH:
                return f"{self.first_day:%Y-%m}"
            case Precision.PART_OF_YEAR:
                return f"{self.part} {self.first_day.year}"
            case Precision.YEAR:
                return str(self.first_day.year)
        raise AssertionError(self.precision)  # pragma: no cover

    def __str__(self) -> str:
        return self.format()


# Constructors ---------------------------------------------------------------------------


def on_day(day: date) -> When:
    return When(Precision.DAY, day, day)


def days(first: date, last: date) -> When:
    if last <= first:
        raise WhenError(f"end before start: {last.isoformat()} is not after {first.isoformat()}")
    return When(Precision.DAYS, first, last)


def alternatives(*candidates: date) -> When:
    ordered = tuple(sorted(set(candidates)))
    if len(ordered) < 2 or len(ordered) != len(candidates):
        raise WhenError("alternatives need at least two different days")
    return When(Precision.ALTERNATIVES, ordered[0], ordered[-1], alternatives=ordered)


def week_of(first: date) -> When:
    return When(Precision.WEEK, first, first + timedelta(days=6))


def month(year: int, month_number: int) -> When:
    last = calendar.monthrange(year, month_number)[1]
    return When(Precision.MONTH, date(year, month_number, 1), date(year, month_number, last))


def part_of_year(part: str, year: int) -> When:
    name = _PART_BY_LOWER.get(part.lower())
    if name is None:
        raise WhenError(f"unknown part of year {part!r} (use one of {', '.join(PARTS)})")
    first_month, last_month = PARTS[name]
    last = calendar.monthrange(year, last_month)[1]
    return When(
        Precision.PART_OF_YEAR, date(year, first_month, 1), date(year, last_month, last), part=name
    )


def year(number: int) -> When:
    return When(Precision.YEAR, date(number, 1, 1), date(number, 12, 31))


def timed(start: datetime, end: datetime | None = None) -> When:
    """A timed event from naive local date-times (the zone belongs to the event)."""
    if end is not None and end <= start:
        raise WhenError(
            f"end before start: {end:%Y-%m-%dT%H:%M} is not after {start:%Y-%m-%dT%H:%M}"
        )
    last = end or start
    return When(
        Precision.TIMED,
        start.date(),
        last.date(),
        start_time=start.time().replace(second=0, microsecond=0),
        end_time=None if end is None else end.time().replace(second=0, microsecond=0),
    )


# Parsing --------------------------------------------------------------------------------

_DATE = r"\d{4}-\d{2}-\d{2}"
_HM = r"\d{2}:\d{2}"
_RE_TIMED = re.compile(
    rf"(?P<day>{_DATE})T(?P<start>{_HM})(?:/(?:(?P<end_day>{_DATE})T)?(?P<end>{_HM}))?"
)
_RE_DAY = re.compile(_DATE)
_RE_DAYS = re.compile(rf"(?P<a>{_DATE})\s*\.\.\s*(?P<b>{_DATE})")
_RE_ALTERNATIVES = re.compile(rf"{_DATE}(?:\s+or\s+{_DATE})+", re.IGNORECASE)
_RE_WEEK = re.compile(rf"week\s+of\s+(?P<day>{_DATE})", re.IGNORECASE)
_RE_MONTH = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})")
_RE_PART = re.compile(r"(?P<part>[A-Za-z][A-Za-z0-9]*)\s+(?P<y>\d{4})")
_RE_YEAR = re.compile(r"\d{4}")

FORMS_HELP = (
    "use 2024-03-11, 2024-03-11T08:30/10:00, 2024-10-09..2024-10-10, "
    "2024-03-08 or 2024-03-11, week of 2024-11-03, 2024-03, late 2024, H2 2024, Q4 2024 or 2025"
)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise WhenError(f"{text!r} is not a calendar date") from exc


def _time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError as exc:
        raise WhenError(f"{text!r} is not a time of day") from exc


def parse(text: str) -> When:
    """Parse the timeline file's `when` text; raise `WhenError` quoting it when it is not one."""
    try:
        return _parse(text.strip())
    except ValueError as exc:  # WhenError, or a date outside `date`'s own range
        raise WhenError(f"cannot read {text!r}: {exc}") from None


def _parse(text: str) -> When:
    if m := _RE_TIMED.fullmatch(text):
        day = _date(m["day"])
        start = datetime.combine(day, _time(m["start"]))
        if m["end"] is None:
            return timed(start)
        end_day = _date(m["end_day"]) if m["end_day"] else day
        return timed(start, datetime.combine(end_day, _time(m["end"])))
    if _RE_DAY.fullmatch(text):
        return on_day(_date(text))
    if m := _RE_DAYS.fullmatch(text):
        return days(_date(m["a"]), _date(m["b"]))
    if _RE_ALTERNATIVES.fullmatch(text):
        return alternatives(*(_date(d) for d in re.split(r"\s+or\s+", text, flags=re.I)))
    if m := _RE_WEEK.fullmatch(text):
        return week_of(_date(m["day"]))
    if m := _RE_MONTH.fullmatch(text):
        number = int(m["m"])
        if not 1 <= number <= 12:
            raise WhenError(f"month {number} does not exist")
        return month(int(m["y"]), number)
    if m := _RE_PART.fullmatch(text):
        return part_of_year(m["part"], int(m["y"]))
    if _RE_YEAR.fullmatch(text):
        return year(int(text))
    raise WhenError(FORMS_HELP)
