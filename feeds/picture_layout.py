"""Where the timeline picture puts things: a time axis, one lane per stage, marks (pure).

The picture answers "what comes when, and how sure is it?". Each event becomes a mark
over exactly the days it may fall on — from the earliest possible start to the latest
possible end, as `When` knows them — in the lane of its stage, on the axis of `feeds.picture_axis`.

Coordinates are SVG user units (CSS pixels), computed left to right and mirrored as a
whole for right-to-left pages, so time runs from right to left there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from feeds.picture_axis import Axis, Label, make_axis, segments, text_width, ticks
from feeds.timeline import Event
from feeds.vocabulary import Kind, Status


class Lane(StrEnum):
    PRE_CONSULTATION = "pre-consultation"
    CONSULTATION = "consultation"  # consultations and hearings
    DISCUSSION = "discussion-space"
    REGISTRATION = "registration"
    REVIEW = "review"
    IMRF = "imrf"
    OTHER = "other"


#: The stages of a region's process, in the order the lanes are drawn.
STAGES: tuple[Lane, ...] = (
    Lane.PRE_CONSULTATION,
    Lane.CONSULTATION,
    Lane.DISCUSSION,
    Lane.REGISTRATION,
    Lane.REVIEW,
    Lane.IMRF,
)

LANE_OF: Mapping[Kind, Lane] = {
    Kind.PRE_CONSULTATION: Lane.PRE_CONSULTATION,
    Kind.CONSULTATION: Lane.CONSULTATION,
    Kind.HEARING: Lane.CONSULTATION,
    Kind.DISCUSSION_SPACE: Lane.DISCUSSION,
    Kind.REGISTRATION_DEADLINE: Lane.REGISTRATION,
    Kind.REGIONAL_REVIEW: Lane.REVIEW,
    Kind.IMRF: Lane.IMRF,
    Kind.GCM_TALK: Lane.OTHER,
    Kind.OTHER: Lane.OTHER,
}


class Look(StrEnum):
    """How sure a mark is, drawn by pattern: solid or hatched."""

    FIXED = "fixed"  # a confirmed day or days
    POSSIBLE = "possible"  # a window, an unconfirmed day, or a postponed date


@dataclass(frozen=True, slots=True)
class Geometry:
    """Sizes in CSS pixels; tests pass their own to get round numbers."""

    width: float = 780.0  # the picture's width when its range fits at `min_day` or more
    label_width: float = 0.0  # 0: from the longest lane name
    min_day: float = 0.25  # pixels per day at least; a longer range makes a wider picture
    max_day: float = 3.0
    pad: float = 6.0
    axis: float = 34.0
    row: float = 22.0
    bar: float = 14.0
    heading: float = 22.0
    foot: float = 18.0
    gap: float = 16.0
    min_mark: float = 6.0
    min_day_mark: float = 2.0
    font: float = 12.0
    small_font: float = 12.0
    wrap: float = 112.0  # a lane name wider than this goes on two lines
    line: float = 13.0


#: The home page draws every region: shorter lanes keep it within a screen's height.
COMPACT = Geometry(row=17.0, bar=11.0)


@dataclass(frozen=True, slots=True)
class Band:
    """Lanes under one heading: a region page has one band, the home page one per region."""

    heading: str  # "" for none
    href: str
    events: tuple[Event, ...]  # those drawn (`feeds.picture_reach`)
    every_stage: bool  # draw the six stage lanes even when empty
    left_out: int = 0  # the band's events not drawn, further from today


@dataclass(frozen=True, slots=True)
class Mark:
    event: Event
    look: Look
    x0: float  # the possible window, exactly: earliest start ..
    x1: float  # .. latest end
    draw0: float  # what is drawn: at least `min_mark` wide, centred on the window
    draw1: float
    y: float  # top of the bar
    days: tuple[tuple[float, float], ...]  # the possible days of alternatives, drawn


@dataclass(frozen=True, slots=True)
class LaneBox:
    lane: Lane
    label: str
    lines: tuple[str, ...]  # the label as drawn: one line, or two when it is long
    y: float
    height: float
    marks: tuple[Mark, ...]


@dataclass(frozen=True, slots=True)
class BandBox:
    heading: str
    href: str
    y: float  # top of the heading (or of the first lane)
    lanes: tuple[LaneBox, ...]


@dataclass(frozen=True, slots=True)
class Layout:
    width: float
    height: float
    rtl: bool
    row: float  # height of a lane's row
    line: float  # between the two lines of a long lane name
    bar: float  # height of a mark
    label_x: float  # lane names start here
    chart: tuple[float, float]  # left and right end of the time area
    lanes_top: float
    lanes_bottom: float
    bands: tuple[BandBox, ...]
    years: tuple[Label, ...]
    months: tuple[Label, ...]
    year_lines: tuple[float, ...]
    month_lines: tuple[float, ...]
    breaks: tuple[tuple[float, float], ...]
    today: float
    past: tuple[float, float]
    first: date
    last: date  # exclusive

    @property
    def marks(self) -> tuple[Mark, ...]:
        return tuple(m for band in self.bands for lane in band.lanes for m in lane.marks)


def wrap(text: str, size: float, width: float) -> tuple[str, ...]:
    """`text` on one line, or on two split at the space that balances them best when it
    is wider than `width` (narrow label columns leave more of a small screen to time)."""
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if text_width(text, size) <= width or not spaces:
        return (text,)
    best = min(
        spaces,
        key=lambda i: max(text_width(text[:i], size), text_width(text[i + 1 :], size)),
    )
    return (text[:best], text[best + 1 :])


def look_of(event: Event) -> Look:
    if event.when.is_exact_day and event.status is Status.CONFIRMED:
        return Look.FIXED
    return Look.POSSIBLE


# Laying out ----------------------------------------------------------------------------


def _pack(marks: list[Mark], g: Geometry) -> list[int]:
    """The sub-row of each mark: the first where it overlaps nothing (marks left to right)."""
    ends: list[float] = []
    rows = []
    for mark in marks:
        for row, end in enumerate(ends):
            if end + 2 <= mark.draw0:
                ends[row] = mark.draw1
                rows.append(row)
                break
        else:
            ends.append(mark.draw1)
            rows.append(len(ends) - 1)
    return rows


def _widen(x0: float, x1: float, least: float) -> tuple[float, float]:
    if x1 - x0 >= least:
        return x0, x1
    middle = (x0 + x1) / 2
    return middle - least / 2, middle + least / 2


def lay_out(
    bands: Sequence[Band],
    lane_names: Mapping[Lane, str],
    month_names: Sequence[str],
    year_name: Callable[[int], str],
    today: date,
    rtl: bool,
    g: Geometry = Geometry(),
) -> Layout:
    """Place the axis, the lanes and every mark; `month_names` are the twelve short names."""
    lanes_per_band = [_lanes_of(band) for band in bands]
    # Band headings have a row of their own, free to run on over the chart.
    lines = {lane: wrap(name, g.small_font, g.wrap) for lane, name in lane_names.items()}
    drawn = [line for lanes in lanes_per_band for lane in lanes for line in lines[lane]]
    label_width = g.label_width or min(
        200.0, max([text_width(line, g.small_font) for line in drawn] + [40.0]) + 8
    )
    chart_left = g.pad + label_width
    spans = segments((e for band in bands for e in band.events), today)
    axis = make_axis(spans, chart_left, g.width - g.pad - chart_left, g.gap, (g.min_day, g.max_day))
    chart_right = axis.pieces[-1][2] + (spans[-1][1] - spans[-1][0]).days * axis.day
    width = chart_right + g.pad

    def flip(x: float) -> float:
        return round(width - x, 1) if rtl else round(x, 1)

    def span(x0: float, x1: float) -> tuple[float, float]:
        a, b = flip(x0), flip(x1)
        return (min(a, b), max(a, b))

    y = g.axis
    band_boxes = []
    for band, lanes in zip(bands, lanes_per_band, strict=True):
        top = y
        if band.heading:
            y += g.heading
        lane_boxes = []
        for lane in lanes:
            events = sorted(
                (e for e in band.events if LANE_OF[e.kind] is lane),
                key=lambda e: (e.when.first_day, e.when.last_day, e.id),
            )
            placed = [_mark(e, axis, g) for e in events]
            rows = _pack(placed, g)
            stacked = g.row * (max(rows) + 1 if rows else 1)
            height = stacked if len(lines[lane]) == 1 else max(stacked, g.line * 2 + 8)
            top_row = y + (height - stacked) / 2  # marks centred when the name is taller
            marks = tuple(
                _placed(mark, top_row + row * g.row + (g.row - g.bar) / 2, span)
                for mark, row in zip(placed, rows, strict=True)
            )
            lane_boxes.append(LaneBox(lane, lane_names[lane], lines[lane], y, height, marks))
            y += height
        band_boxes.append(BandBox(band.heading, band.href, top, tuple(lane_boxes)))
    lanes_bottom = y

    years, months, year_lines, month_lines = ticks(
        spans, axis, month_names, year_name, (g.font, g.small_font), flip
    )
    breaks = tuple(
        span(left + (end - first).days * axis.day, left + (end - first).days * axis.day + g.gap)
        for first, end, left in axis.pieces[:-1]
    )
    today_x = axis.x(today) + axis.day / 2
    return Layout(
        width=round(width, 1),
        height=lanes_bottom + g.foot,
        rtl=rtl,
        row=g.row,
        line=g.line,
        bar=g.bar,
        label_x=flip(g.pad),
        chart=span(chart_left, chart_right),
        lanes_top=g.axis,
        lanes_bottom=lanes_bottom,
        bands=tuple(band_boxes),
        years=years,
        months=months,
        year_lines=year_lines,
        month_lines=month_lines,
        breaks=breaks,
        today=flip(today_x),
        past=span(chart_left, today_x),
        first=spans[0][0],
        last=spans[-1][1],
    )


def _lanes_of(band: Band) -> list[Lane]:
    used = {LANE_OF[event.kind] for event in band.events}
    if band.every_stage:
        return [*STAGES, *([Lane.OTHER] if Lane.OTHER in used else [])]
    return [lane for lane in (*STAGES, Lane.OTHER) if lane in used]


def _mark(event: Event, axis: Axis, g: Geometry) -> Mark:
    when = event.when
    x0, x1 = axis.x(when.first_day), axis.x(when.last_day + timedelta(days=1))
    draw0, draw1 = _widen(x0, x1, g.min_mark)
    days = tuple(
        _widen(axis.x(day), axis.x(day + timedelta(days=1)), g.min_day_mark)
        for day in when.alternatives
    )
    return Mark(event, look_of(event), x0, x1, draw0, draw1, 0.0, days)


def _placed(mark: Mark, y: float, span: Callable[[float, float], tuple[float, float]]) -> Mark:
    x0, x1 = span(mark.x0, mark.x1)
    draw0, draw1 = span(mark.draw0, mark.draw1)
    days = tuple(span(a, b) for a, b in mark.days)
    return Mark(mark.event, mark.look, x0, x1, draw0, draw1, y, days)
