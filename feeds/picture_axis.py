"""The timeline picture's time axis: which stretches of time it shows, where each day
falls, and the year and month labels (pure).

Stretches of at least half a year without any event are left out and drawn as a break,
so that a round of reviews and the next one, years later, both stay readable; inside a
stretch the scale is linear, so a window's width is the true measure of its uncertainty.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from feeds.timeline import Event


@dataclass(frozen=True, slots=True)
class Label:
    x: float  # where the text starts (its right end on right-to-left pages)
    text: str


def text_width(text: str, size: float) -> float:
    """A generous estimate of the width of `text` (no font metrics on the server): CJK
    characters are square, Arabic letters join narrowly, Cyrillic ones run wider than
    Latin ones, which take about half an em."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    arabic = sum(1 for ch in text if "\u0600" <= ch <= "\u06ff")
    cyrillic = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    other = len(text) - wide - arabic - cyrillic
    return (wide * 1.0 + arabic * 0.45 + cyrillic * 0.64 + other * 0.55) * size


def _quarter(day: date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def _quarter_start(index: int) -> date:
    return date(index // 4, index % 4 * 3 + 1, 1)


def segments(events: Iterable[Event], today: date) -> tuple[tuple[date, date], ...]:
    """The stretches of time shown: whole quarters from the first event's to the last's,
    today's always included, without runs of two or more quarters that hold nothing."""
    used = {_quarter(today)}
    for event in events:
        used.update(range(_quarter(event.when.first_day), _quarter(event.when.last_day) + 1))
    first, last = min(used), max(used)
    kept: list[tuple[int, int]] = []
    index = first
    while index <= last:
        empty = index
        while empty <= last and empty not in used:
            empty += 1
        if empty - index >= 2:  # a half-year or longer with nothing in it: a break
            index = empty
            continue
        end = empty + 1
        if kept and kept[-1][1] == index:
            kept[-1] = (kept[-1][0], end)
        else:
            kept.append((index, end))
        index = end
    return tuple((_quarter_start(a), _quarter_start(b)) for a, b in kept)


@dataclass(frozen=True, slots=True)
class Axis:
    """Left-to-right positions of days; `x` is the left edge of a day."""

    pieces: tuple[tuple[date, date, float], ...]  # (first day, end exclusive, x of first)
    day: float  # pixels per day

    def x(self, day: date) -> float:
        for first, end, left in self.pieces:
            if first <= day <= end:
                return left + (day - first).days * self.day
        if day < self.pieces[0][0]:
            return self.pieces[0][2]
        last_first, last_end, last_left = self.pieces[-1]
        if day > last_end:
            return last_left + (last_end - last_first).days * self.day
        # Inside a break (never for an event or today: their quarters are kept).
        following = next(piece for piece in self.pieces if piece[0] > day)
        return following[2]


def make_axis(
    spans: Sequence[tuple[date, date]],
    left: float,
    room: float,
    gap: float,
    day_range: tuple[float, float],
) -> Axis:
    """Days as wide as fits `room` (less a `gap` per break), within `day_range` pixels."""
    days = sum((end - first).days for first, end in spans)
    fit = (room - gap * (len(spans) - 1)) / days
    day = max(day_range[0], min(day_range[1], fit))
    pieces = []
    x = left
    for first, end in spans:
        pieces.append((first, end, x))
        x += (end - first).days * day + gap
    return Axis(tuple(pieces), day)


def ticks(
    spans: Sequence[tuple[date, date]],
    axis: Axis,
    month_names: Sequence[str],
    year_name: Callable[[int], str],
    sizes: tuple[float, float],
    flip: Callable[[float], float],
) -> tuple[tuple[Label, ...], tuple[Label, ...], tuple[float, ...], tuple[float, ...]]:
    """Year labels, month labels (every 1, 3 or 6 months, as room allows), year lines and
    quarter lines; `sizes` are the fonts of years and months."""
    font, small_font = sizes
    month_px = axis.day * 30.4
    need = max(text_width(name, small_font) for name in month_names) + 4
    step = next((s for s in (1, 3, 6) if s * month_px >= need), 0)
    years: list[Label] = []
    months: list[Label] = []
    year_lines: list[float] = []
    month_lines: list[float] = []
    for first, end in spans:
        segment_end = axis.x(end)
        day = first
        while day < end:
            x = axis.x(day)
            if day.month == 1 or day == first:
                year_lines.append(flip(x))
                text = year_name(day.year)
                room = axis.x(min(end, date(day.year + 1, 1, 1)))
                if x + text_width(text, font) + 2 <= room:
                    years.append(Label(flip(x + 2), text))
            elif (day.month - 1) % 3 == 0:
                month_lines.append(flip(x))
            if step and (day.month - 1) % step == 0:
                text = month_names[day.month - 1]
                if x + text_width(text, small_font) + 2 <= segment_end:
                    months.append(Label(flip(x + 2), text))
            day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return tuple(years), tuple(months), tuple(year_lines), tuple(month_lines)
