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
                      ``2024-11-03T01:30-04:00``             one of a local time that
                                                             happens twice (fall back)
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
range                 ``2028 .. early 2029``                 start of the first form
                      ``2024-08 .. 2024-10``                 to the end of the second
====================  =====================================  ==========================

"early", "mid" and "late" split the year into three four-month thirds so that every
month belongs to exactly one of them.

A timed value may give a UTC offset after a time (``01:30-04:00``). It only picks one
of the two instants a local time has when the clocks go back (`local_instants` finds
them); the time itself stays in the event's zone.
A range joins any two other forms with `` .. `` (spaces around the dots; two plain days
joined without spaces are the "days" form). It exists for announcements that straddle
periods ("expected in 2028, possibly running into early 2029"): the window runs from the
first day of the first form to the last day of the second, and neither end may itself
be a range. Its days are whole days: a time of day at either end is kept for the label
but not for the window.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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
    RANGE = "range"


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
    #: The UTC offset written after a time, to pick one instant of a repeated local time.
    start_offset: timedelta | None = None
    end_offset: timedelta | None = None
    #: A range's two ends, each a `When` of another precision.
    ends: tuple[When, When] | None = None

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
        return _at(self.first_day, self.start_time or time(0), zone, self.start_offset)

    def latest(self, zone: ZoneInfo) -> datetime:
        """The latest moment the event may end (exclusive), in the venue's zone."""
        if self.start_time is not None:
            if self.end_time is None:
                return _at(self.last_day, self.start_time, zone, self.start_offset)
            return _at(self.last_day, self.end_time, zone, self.end_offset)
        return datetime.combine(self.last_day + timedelta(days=1), time(0), zone)

    def format(self) -> str:
        """The canonical text form; `parse(self.format()) == self`."""
        match self.precision:
            case Precision.TIMED:
                assert self.start_time is not None
                start = f"{self.first_day.isoformat()}T{self.start_time:%H:%M}"
                start += offset_text(self.start_offset)
                if self.end_time is None:
                    return start
                end = f"{self.end_time:%H:%M}{offset_text(self.end_offset)}"
                if self.last_day == self.first_day:
                    return f"{start}/{end}"
                return f"{start}/{self.last_day.isoformat()}T{end}"
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
            case Precision.RANGE:
                assert self.ends is not None
                return f"{self.ends[0].format()} .. {self.ends[1].format()}"
        raise AssertionError(self.precision)  # pragma: no cover

    def __str__(self) -> str:
        return self.format()


def _at(day: date, moment: time, zone: ZoneInfo, offset: timedelta | None) -> datetime:
    local = datetime.combine(day, moment, zone)
    if offset is not None and local.utcoffset() != offset:
        later = local.replace(fold=1)
        if later.utcoffset() == offset:
            return later
    return local


def local_instants(day: date, moment: time, zone: ZoneInfo) -> tuple[datetime, ...]:
    """The instants a local time names in `zone`: none in a spring-forward gap, two in a
    fall-back hour (earlier first), else one."""
    found: list[datetime] = []
    for fold in (0, 1):
        local = datetime.combine(day, moment, zone).replace(fold=fold)
        instant = local.astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None, fold=0) != local.replace(
            tzinfo=None, fold=0
        ):
            continue  # the clocks skipped this time
        if all(instant != other.astimezone(UTC) for other in found):
            found.append(local)
    return tuple(found)


def offset_text(offset: timedelta | None) -> str:
    """``+02:00``: an offset as the timeline file writes it ("" for none)."""
    if offset is None:
        return ""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


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


def between(start: When, end: When) -> When:
    """From the first day of `start` to the last day of `end` ("2028 .. early 2029")."""
    if Precision.RANGE in (start.precision, end.precision):
        raise WhenError("a range cannot contain another range")
    if end.first_day <= start.first_day or end.last_day <= start.last_day:
        raise WhenError(
            f"{end.format()!r} must begin and end after {start.format()!r} begins and ends"
        )
    return When(Precision.RANGE, start.first_day, end.last_day, ends=(start, end))


def timed(
    start: datetime,
    end: datetime | None = None,
    *,
    start_offset: timedelta | None = None,
    end_offset: timedelta | None = None,
) -> When:
    """A timed event from naive local date-times (the zone belongs to the event); an
    offset picks one instant of a local time that happens twice."""
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
        start_offset=start_offset,
        end_offset=None if end is None else end_offset,
    )


# Parsing --------------------------------------------------------------------------------

_DATE = r"\d{4}-\d{2}-\d{2}"
_HM = r"\d{2}:\d{2}"
_OFFSET = r"[+-]\d{2}:\d{2}"
_RE_TIMED = re.compile(
    rf"(?P<day>{_DATE})T(?P<start>{_HM})(?P<start_offset>{_OFFSET})?"
    rf"(?:/(?:(?P<end_day>{_DATE})T)?(?P<end>{_HM})(?P<end_offset>{_OFFSET})?)?"
)
_RE_DAY = re.compile(_DATE)
_RE_DAYS = re.compile(rf"(?P<a>{_DATE})\s*\.\.\s*(?P<b>{_DATE})")
_RE_ALTERNATIVES = re.compile(rf"{_DATE}(?:\s+or\s+{_DATE})+", re.IGNORECASE)
_RE_WEEK = re.compile(rf"week\s+of\s+(?P<day>{_DATE})", re.IGNORECASE)
_RE_MONTH = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})")
_RE_PART = re.compile(r"(?P<part>[A-Za-z][A-Za-z0-9]*)\s+(?P<y>\d{4})")
_RE_YEAR = re.compile(r"\d{4}")
_RE_RANGE = re.compile(r"(?P<a>.+?)\s+\.\.\s+(?P<b>.+)")

FORMS_HELP = (
    "use 2024-03-11, 2024-03-11T08:30/10:00, 2024-10-09..2024-10-10, "
    "2024-03-08 or 2024-03-11, week of 2024-11-03, 2024-03, late 2024, H2 2024, Q4 2024, "
    "2025 or a range of two of these such as 2028 .. early 2029"
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


def _offset(text: str | None) -> timedelta | None:
    if text is None:
        return None
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 18 or minutes > 59:
        raise WhenError(f"{text!r} is not a UTC offset")
    size = timedelta(hours=hours, minutes=minutes)
    return -size if text[0] == "-" else size


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
        start_offset = _offset(m["start_offset"])
        if m["end"] is None:
            return timed(start, start_offset=start_offset)
        end_day = _date(m["end_day"]) if m["end_day"] else day
        end = datetime.combine(end_day, _time(m["end"]))
        return timed(start, end, start_offset=start_offset, end_offset=_offset(m["end_offset"]))
    if _RE_DAY.fullmatch(text):
        return on_day(_date(text))
    if m := _RE_DAYS.fullmatch(text):
        return days(_date(m["a"]), _date(m["b"]))
    if m := _RE_RANGE.fullmatch(text):
        return between(_parse(m["a"].strip()), _parse(m["b"].strip()))
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
