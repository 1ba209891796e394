"""The timeline picture as inline SVG text, from a `Layout` (pure; no script, no style).

Colours and type come from the page's stylesheet (classes under ``svg.tl``): a page's
Content-Security-Policy forbids inline styles, and classes keep each picture small. The
hatch of uncertain windows is a pattern in the picture itself, with its colours as
presentation attributes, so certainty reads by pattern even without the stylesheet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from feeds.picture_layout import BandBox, Layout, Look, Mark
from feeds.timeline import Event
from feeds.vocabulary import Status

HATCH = (
    '<pattern id="tlh" width="5" height="5" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="5" height="5" fill="#dce8f6"/>'
    '<path d="M0 0V5" stroke="#0b5cad" stroke-width="1.6"/></pattern>'
)


@dataclass(frozen=True, slots=True)
class PictureWords:
    """What the picture says, already in the page's language."""

    title: str
    description: str
    today: str
    name: Callable[[Event], str]  # a mark's accessible name: title, date, status
    href: Callable[[Event], str]  # its event page


def n(value: float) -> str:
    """A coordinate with at most one decimal."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attr(text: str) -> str:
    return escape(text, quote=True)


def render_svg(layout: Layout, words: PictureWords) -> str:
    top, bottom = layout.lanes_top, layout.lanes_bottom
    w, h = n(layout.width), n(layout.height)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tl" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="group" aria-labelledby="tlt" aria-describedby="tld"'
        + (' direction="rtl"' if layout.rtl else "")
        + ">",
        f'<title id="tlt">{escape(words.title)}</title>',
        f'<desc id="tld">{escape(words.description)}</desc>',
        f"<defs>{HATCH}</defs>",
    ]
    past0, past1 = layout.past
    if past1 > past0:
        out.append(
            f'<rect class="past" x="{n(past0)}" y="{n(top)}" '
            f'width="{n(past1 - past0)}" height="{n(bottom - top)}"/>'
        )
    grid_top = top - 20
    for name, xs in (("q", layout.month_lines), ("yl", layout.year_lines)):
        if xs:
            d = "".join(f"M{n(x)} {n(grid_top)}V{n(bottom)}" for x in xs)
            out.append(f'<path class="{name}" d="{d}"/>')
    chart0, chart1 = layout.chart
    rules = []
    for band in layout.bands:
        for lane in band.lanes[1:]:
            rules.append(f"M{n(chart0)} {n(lane.y)}H{n(chart1)}")
    if rules:
        out.append(f'<path class="r" d="{"".join(rules)}"/>')
    out.append(f'<path class="ax" d="M{n(chart0)} {n(top)}H{n(chart1)}"/>')
    out.append('<g class="axis" aria-hidden="true">')
    out += [f'<text class="yr" x="{n(t.x)}" y="12">{escape(t.text)}</text>' for t in layout.years]
    out += [f'<text x="{n(t.x)}" y="27">{escape(t.text)}</text>' for t in layout.months]
    for x0, x1 in layout.breaks:
        out.append(
            f'<rect class="br" x="{n(x0)}" y="{n(grid_top)}" width="{n(x1 - x0)}" '
            f'height="{n(bottom - grid_top)}"/>'
            f'<path class="bs" d="M{n(x0 + 3)} {n(top + 5)}l4 -10M{n(x1 - 7)} {n(top + 5)}l4 -10"/>'
        )
    out.append("</g>")
    lane_number = 0
    for band_number, band in enumerate(layout.bands):
        out += _heading(layout, band, band_number)
        for lane in band.lanes:
            y = lane.y + lane.height / 2 + 4 - (len(lane.lines) - 1) * layout.line / 2
            # The group is named by its band and lane, so a mark's own name can be short.
            named_by = (
                f"tl-h{band_number} tl-l{lane_number}" if band.heading else f"tl-l{lane_number}"
            )
            out.append(
                f'<g role="group" aria-labelledby="{named_by}">'
                f'<text id="tl-l{lane_number}" x="{n(layout.label_x)}" y="{n(y)}">'
                f"{_lines(lane.lines, layout)}</text>"
            )
            out += [_mark(mark, words, layout.rtl, layout.bar) for mark in lane.marks]
            out.append("</g>")
            lane_number += 1
    out.append(
        f'<path class="now" d="M{n(layout.today)} {n(grid_top)}V{n(bottom + 3)}"/>'
        f'<text class="nowt" x="{n(layout.today)}" y="{n(bottom + 14)}" '
        f'text-anchor="middle">{escape(words.today)}</text>'
    )
    out.append("</svg>")
    return "".join(out)


def render_pin(layout: Layout) -> str:
    """The column of lane names once more, alone: the page pins it to the edge of the frame
    the picture scrolls in on narrow screens, so lanes stay named while time scrolls by.
    Hidden from assistive technology: the picture itself names its lanes.

    The pin draws the picture's own name elements by reference (`<use>`), so it works only
    next to its picture, in the same page; a page holds one picture."""
    left, right = (layout.chart[1], layout.width) if layout.rtl else (0.0, layout.chart[0])
    width, h = n(right - left), n(layout.height)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tl pin" width="{width}" height="{h}" '
        f'viewBox="{n(left)} 0 {width} {h}" aria-hidden="true"'
        + (' direction="rtl"' if layout.rtl else "")
        + ">",
        f'<rect class="pinbg" x="{n(left)}" width="{width}" height="{h}"/>',
        f'<path class="edge" d="M{n(right if not layout.rtl else left)} 0V{h}"/>',
    ]
    lanes = sum(len(band.lanes) for band in layout.bands)
    out += [
        f'<use class="h" href="#tl-h{number}"/>'
        for number, b in enumerate(layout.bands)
        if b.heading
    ]
    out += [f'<use href="#tl-l{number}"/>' for number in range(lanes)]
    out.append("</svg>")
    return "".join(out)


def _lines(lines: tuple[str, ...], layout: Layout) -> str:
    first, *rest = lines
    more = "".join(
        f'<tspan x="{n(layout.label_x)}" dy="{n(layout.line)}">{escape(line)}</tspan>'
        for line in rest
    )
    return escape(first) + more


def _heading(layout: Layout, band: BandBox, number: int) -> list[str]:
    if not band.heading:
        return []
    out = []
    if number:
        out.append(f'<path class="bd" d="M0 {n(band.y)}H{n(layout.width)}"/>')
    text = (
        f'<text id="tl-h{number}" class="h" x="{n(layout.label_x)}" y="{n(band.y + 15)}">'
        f"{escape(band.heading)}</text>"
    )
    out.append(f'<a href="{_attr(band.href)}">{text}</a>' if band.href else text)
    return out


def _box(x: float, y: float, width: float, height: float) -> str:
    return f"M{n(x)} {n(y)}h{n(width)}v{n(height)}h{n(-width)}z"


def _mark(mark: Mark, words: PictureWords, rtl: bool, bar: float) -> str:
    event = mark.event
    classes = "f" if mark.look is Look.FIXED else "p"
    if event.status is Status.CANCELLED:
        classes += " x"
    parts = [
        f'<a href="{_attr(words.href(event))}"><title>{escape(words.name(event))}</title>',
        # A path is half the bytes of a rect, and the home page draws every event.
        f'<path class="{classes}" d="{_box(mark.draw0, mark.y, mark.draw1 - mark.draw0, bar)}"/>',
    ]
    if mark.days:
        d = "".join(_box(a, mark.y - 2, b - a, bar + 4) for a, b in mark.days)
        parts.append(f'<path class="d" d="{d}"/>')
    if event.status is Status.CANCELLED:
        middle = mark.y + bar / 2
        parts.append(f'<path class="s" d="M{n(mark.draw0 - 3)} {n(middle)}H{n(mark.draw1 + 3)}"/>')
    elif event.status is Status.POSTPONED:
        # An arrowhead pointing on in time: the date moves later.
        if rtl:
            tip = f"M{n(mark.draw0 - 2)} {n(mark.y)}l-6 {n(bar / 2)}l6 {n(bar / 2)}z"
        else:
            tip = f"M{n(mark.draw1 + 2)} {n(mark.y)}l6 {n(bar / 2)}l-6 {n(bar / 2)}z"
        parts.append(f'<path class="pp" d="{tip}"/>')
    parts.append("</a>")
    return "".join(parts)
