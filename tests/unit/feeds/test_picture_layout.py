"""The timeline picture's geometry: every mark's x extent from its dates, left to right and
right to left, on a scale of one pixel per day so that the expected values can be counted."""

from __future__ import annotations

from datetime import date

from feeds import Event, Kind, Status, parse_timeline
from feeds import when as w
from feeds.picture_layout import Band, Geometry, Lane, Layout, lay_out, segments
from feeds.picture_svg import PictureWords, render_svg
from tests.support.svg_reading import SVG, parse_svg

TODAY = date(2024, 2, 15)
#: One pixel per day; the label column is 100 px, so 1 January 2024 is at x = 110.
SCALE = Geometry(label_width=100, min_day=1, max_day=1, pad=10, row=20, bar=10)

SMALL = """
[timeline]
name = "Small"
default_language = "en"
default_tz = "UTC"

[[regions]]
id = "r"
tz = "UTC"
name = { en = "Region" }

[[events]]
id = "pre"
region = "r"
kind = "pre-consultation"
when = "2024-01-11"
title = { en = "Pre-consultation" }

[[events]]
id = "consultation"
region = "r"
kind = "multi-stakeholder-consultation"
when = "2024-02-01..2024-02-10"
title = { en = "Consultation" }

[[events]]
id = "hearing"
region = "r"
kind = "multi-stakeholder-hearing"
when = "2024-02-05 or 2024-02-20"
status = "tentative"
title = { en = "Hearing" }

[[events]]
id = "review"
region = "r"
kind = "regional-review"
when = "2024-03"
status = "tentative"
title = { en = "Review" }

[[events]]
id = "talk"
region = "r"
kind = "gcm-talk"
when = "2024-01-20"
status = "cancelled"
title = { en = "Talk" }
"""

EVENTS = parse_timeline(SMALL, "small.toml").events
NAMES = {lane: lane.value for lane in Lane}
MONTHS = [f"M{number}" for number in range(1, 13)]


def _layout(rtl: bool) -> Layout:
    band = Band("", "", EVENTS, every_stage=True)
    return lay_out([band], NAMES, MONTHS, str, TODAY, rtl, SCALE)


def _extents(layout: Layout) -> dict[str, tuple[object, ...]]:
    return {
        m.event.id: (m.look.value, m.x0, m.x1, m.draw0, m.draw1, m.y, m.days) for m in layout.marks
    }


def _lanes(layout: Layout) -> list[tuple[Lane, float, float]]:
    return [(lane.lane, lane.y, lane.height) for band in layout.bands for lane in band.lanes]


def test_layout_extents_from_dates_left_to_right() -> None:
    layout = _layout(rtl=False)
    # 1 Jan 2024 → 110; 11 Jan → 120; 20 Jan → 129; 1 Feb → 141; 5 Feb → 145;
    # 20 Feb → 160; 21 Feb → 161; 1 Mar → 170 (a leap year); 1 Apr → 201.
    assert _extents(layout) == {
        "pre": ("fixed", 120, 121, 117.5, 123.5, 39, ()),
        "consultation": ("fixed", 141, 151, 141, 151, 59, ()),
        "hearing": ("possible", 145, 161, 145, 161, 79, ((144.5, 146.5), (159.5, 161.5))),
        "review": ("possible", 170, 201, 170, 201, 139, ()),
        "talk": ("possible", 129, 130, 126.5, 132.5, 179, ()),
    }
    assert (layout.width, layout.height, layout.chart) == (211, 212, (110, 201))
    assert (layout.today, layout.past) == (155.5, (110, 155.5))
    assert _lanes(layout) == [
        (Lane.PRE_CONSULTATION, 34, 20),
        (Lane.CONSULTATION, 54, 40),  # the hearing's window overlaps the consultation
        (Lane.DISCUSSION, 94, 20),
        (Lane.REGISTRATION, 114, 20),
        (Lane.REVIEW, 134, 20),
        (Lane.IMRF, 154, 20),
        (Lane.OTHER, 174, 20),  # only because a GCM Talk is there
    ]
    assert [(label.x, label.text) for label in layout.years] == [(112, "2024")]
    assert [(label.x, label.text) for label in layout.months] == [
        (112, "M1"),
        (143, "M2"),
        (172, "M3"),
    ]


def test_layout_extents_mirrored_right_to_left() -> None:
    layout = _layout(rtl=True)
    # x → 211 - x: time runs from right to left.
    assert _extents(layout) == {
        "pre": ("fixed", 90, 91, 87.5, 93.5, 39, ()),
        "consultation": ("fixed", 60, 70, 60, 70, 59, ()),
        "hearing": ("possible", 50, 66, 50, 66, 79, ((64.5, 66.5), (49.5, 51.5))),
        "review": ("possible", 10, 41, 10, 41, 139, ()),
        "talk": ("possible", 81, 82, 78.5, 84.5, 179, ()),
    }
    assert (layout.width, layout.chart, layout.label_x) == (211, (10, 101), 201)
    assert (layout.today, layout.past) == (55.5, (55.5, 101))
    assert [(label.x, label.text) for label in layout.years] == [(99, "2024")]


def test_segments_leave_out_half_years_without_events() -> None:
    events = [_event("a", w.on_day(date(2024, 2, 1))), _event("b", w.year(2028))]
    assert segments(events, TODAY) == (
        (date(2024, 1, 1), date(2024, 4, 1)),
        (date(2028, 1, 1), date(2029, 1, 1)),
    )


def test_segments_keep_a_single_empty_quarter_and_today() -> None:
    events = [_event("a", w.on_day(date(2024, 2, 1))), _event("b", w.month(2024, 8))]
    assert segments(events, date(2025, 5, 1)) == (
        (date(2024, 1, 1), date(2024, 10, 1)),
        (date(2025, 4, 1), date(2025, 7, 1)),
    )


def test_layout_draws_a_window_across_periods_over_exactly_its_days() -> None:
    # The shape of "2028 .. early 2029": from the start of one period to the end of another.
    window = w.When(w.Precision.YEAR, date(2028, 1, 1), date(2029, 4, 30))
    band = Band("", "", (_event("range", window),), every_stage=False)
    layout = lay_out([band], NAMES, MONTHS, str, TODAY, False, SCALE)
    # Today's quarter at 110..201, a 16 px break, then 1 Jan 2028 at 217 and 1 May 2029
    # 486 days later (2028 is a leap year).
    assert layout.breaks == ((201, 217),)
    assert _extents(layout) == {"range": ("possible", 217, 703, 217, 703, 39, ())}


def _event(event_id: str, when: w.When, status: Status = Status.TENTATIVE) -> Event:
    return Event(event_id, "r", Kind.REGIONAL_REVIEW, {"en": event_id}, when, "UTC", status)


def _words() -> PictureWords:
    return PictureWords(
        title="Timeline",
        description="What it shows",
        today="Today",
        name=lambda event: f"{event.id}, {event.when}",
        href=lambda event: f"/events/{event.id}",
    )


def _links(svg: str) -> list[tuple[str | None, str | None, dict[str, str]]]:
    root = parse_svg(svg)
    return [
        (a.get("href"), a.findtext(f"{SVG}title"), dict(a.find(f"{SVG}path").attrib))  # type: ignore[union-attr]
        for a in root.iter(f"{SVG}a")
    ]


def test_svg_parses_and_links_each_mark_left_to_right() -> None:
    svg = render_svg(_layout(rtl=False), _words())
    root = parse_svg(svg)
    assert (root.get("width"), root.get("height"), root.get("direction")) == ("211", "212", None)
    assert (root.findtext(f"{SVG}title"), root.findtext(f"{SVG}desc")) == (
        "Timeline",
        "What it shows",
    )
    assert _links(svg) == [
        ("/events/pre", "pre, 2024-01-11", _bar("f", 117.5, 39, 6)),
        ("/events/consultation", "consultation, 2024-02-01..2024-02-10", _bar("f", 141, 59, 10)),
        ("/events/hearing", "hearing, 2024-02-05 or 2024-02-20", _bar("p", 145, 79, 16)),
        ("/events/review", "review, 2024-03", _bar("p", 170, 139, 31)),
        ("/events/talk", "talk, 2024-01-20", _bar("p x", 126.5, 179, 6)),
    ]


def test_svg_mirrored_right_to_left() -> None:
    svg = render_svg(_layout(rtl=True), _words())
    root = parse_svg(svg)
    assert root.get("direction") == "rtl"
    assert [(href, dict(rect)) for href, _title, rect in _links(svg)] == [
        ("/events/pre", _bar("f", 87.5, 39, 6)),
        ("/events/consultation", _bar("f", 60, 59, 10)),
        ("/events/hearing", _bar("p", 50, 79, 16)),
        ("/events/review", _bar("p", 10, 139, 31)),
        ("/events/talk", _bar("p x", 78.5, 179, 6)),
    ]
    [today] = [p.get("d") for p in root.iter(f"{SVG}path") if p.get("class") == "now"]
    assert today == "M55.5 14V197"


def _bar(classes: str, x: float, y: float, width: float) -> dict[str, str]:
    return {"class": classes, "d": f"M{x:g} {y:g}h{width:g}v10h{-width:g}z"}
