"""The timeline picture of the home page and of each region page, in the page's language.

The drawing is pure (`feeds.picture_layout`, `feeds.picture_svg`); this module gives it
the words of the ``web`` catalogs and keeps each picture once built: a picture belongs to
one timeline load, one language and one day (its "today" line), like the feeds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from threading import Lock
from urllib.parse import quote

from babel.dates import format_skeleton, get_month_names
from markupsafe import Markup

from feeds import GLOBAL, Event, Status, Timeline, date_label
from feeds import when as w
from feeds.date_labels import month_label
from feeds.lapse import event_date_label, lapse
from feeds.picture_layout import COMPACT, Band, Geometry, Lane, Layout, Look, lay_out
from feeds.picture_reach import HOME_REACH, REGION_REACH, Reach, nearest
from feeds.picture_svg import PictureWords, render_pin, render_svg
from feeds.vocabulary import RTL_LANGUAGES, babel_locale
from reminders.web.translations import N_, translate

ALL = "all"

LANE_NAMES: dict[Lane, str] = {
    Lane.PRE_CONSULTATION: N_("Pre-consultation"),
    Lane.CONSULTATION: N_("Consultation and hearing"),
    Lane.DISCUSSION: N_("Discussion space"),
    Lane.REGISTRATION: N_("Registration"),
    Lane.REVIEW: N_("Regional review"),
    Lane.IMRF: N_("IMRF"),
    Lane.OTHER: N_("Other"),
}

_NAME_BY_STATUS: dict[Status, str] = {
    Status.CONFIRMED: N_("%(title)s, %(date)s"),
    Status.TENTATIVE: N_("%(title)s, %(date)s (not confirmed)"),
    Status.POSTPONED: N_("Postponed: %(title)s, %(date)s"),
    Status.CANCELLED: N_("Cancelled: %(title)s, %(date)s"),
}

#: On the home page a mark's group names its region and stage: the mark says the rest.
_SHORT_NAME_BY_STATUS: dict[Status, str] = {
    Status.CONFIRMED: "%(date)s",
    Status.TENTATIVE: N_("%(date)s (not confirmed)"),
    Status.POSTPONED: N_("Postponed: %(date)s"),
    Status.CANCELLED: N_("Cancelled: %(date)s"),
}


def event_href(event_id: str, lang: str) -> str:
    return f"/events/{quote(event_id)}" + ("" if lang == "en" else f"?lang={lang}")


def region_href(region_id: str, lang: str) -> str:
    return f"/regions/{quote(region_id)}?lang={lang}"


def mark_name(event: Event, lang: str, today: date, *, short: bool = False) -> str:
    """A mark's accessible name and tooltip: "title, date", or only the date on the home
    page, where the mark's group is named by its region and stage."""
    moment = datetime.combine(today, time(0), UTC)
    status = event.status
    if (status is Status.TENTATIVE and not event.when.is_exact_day) or lapse(event, moment):
        status = Status.CONFIRMED  # the date label already says how sure it is
    names = _SHORT_NAME_BY_STATUS if short else _NAME_BY_STATUS
    return translate(
        lang,
        names.get(status, names[Status.CONFIRMED]),
        {"title": event.title(lang), "date": event_date_label(event, lang, moment)},
    )


def home_events(timeline: Timeline, today: date) -> tuple[Event, ...]:
    """What the home page draws: every event not over before last year began. Earlier
    rounds stay on the region pages; the home page answers "what now, what next"."""
    since = date(today.year - 1, 1, 1)
    return tuple(event for event in timeline.events if event.when.last_day >= since)


def bands_of(timeline: Timeline, key: str, lang: str, today: date) -> list[Band]:
    """One band for a region page (global events included), one per region on the home
    page; each draws the events nearest to today (`feeds.picture_reach`)."""
    if key != ALL:
        return [_band("", "", timeline.select(regions=[key]), today, REGION_REACH, every=True)]
    shown = home_events(timeline, today)
    bands = [
        _band(
            region.name(lang),
            region_href(region.id, lang),
            tuple(e for e in shown if e.region == region.id),
            today,
            HOME_REACH,
        )
        for region in timeline.regions
    ]
    global_events = tuple(e for e in shown if e.region == GLOBAL)
    bands.append(_band(translate(lang, N_("Global")), "", global_events, today, HOME_REACH))
    return [band for band in bands if band.events]


def _band(
    heading: str,
    href: str,
    events: Sequence[Event],
    today: date,
    reach: Reach,
    *,
    every: bool = False,
) -> Band:
    drawn = nearest(events, today, reach)
    return Band(heading, href, drawn, every_stage=every, left_out=len(events) - len(drawn))


#: Said under the picture and in its text alternative when a band leaves events out.
LEFT_OUT = N_("Only the events nearest to today are drawn; not drawn: %(count)s.")


def _month_year(day: date, lang: str) -> str:
    return month_label(day.year, day.month, lang)


def describe(layout: Layout, lang: str, today: date, left_out: int = 0) -> str:
    """The text alternative: what the picture shows, counted, and how many it leaves out."""
    # Unconfirmed and overtaken announcements still show their window; only cancelled and
    # postponed ones are counted apart.
    current = [
        m for m in layout.marks if m.event.status not in (Status.CANCELLED, Status.POSTPONED)
    ]
    fixed = sum(1 for m in current if m.look is Look.FIXED)
    direction = (
        N_("From %(start)s to %(end)s, time running from right to left.")
        if layout.rtl
        else N_("From %(start)s to %(end)s, time running from left to right.")
    )
    sentences = [
        translate(
            lang,
            direction,
            {
                "start": _month_year(layout.first, lang),
                "end": _month_year(layout.last - timedelta(days=1), lang),
            },
        ),
        translate(lang, N_("Dates fixed (solid marks): %(count)s."), {"count": fixed}),
        translate(
            lang,
            N_("Only a window of possible dates known (hatched bars): %(count)s."),
            {"count": len(current) - fixed},
        ),
        translate(
            lang,
            N_("Cancelled or postponed: %(count)s."),
            {"count": len(layout.marks) - len(current)},
        ),
        translate(
            lang,
            N_("A vertical line marks today, %(today)s; everything before it has passed."),
            {"today": date_label(w.on_day(today), lang)},
        ),
        *([translate(lang, LEFT_OUT, {"count": left_out})] if left_out else []),
        translate(lang, N_("The list below gives every date in words.")),
    ]
    return " ".join(sentences)


def build_picture(timeline: Timeline, key: str, lang: str, today: date) -> str:
    """The picture's HTML: the SVG and the pinned column of lane names in the frame they
    scroll in, and under it how many events it leaves out, if any."""
    bands = bands_of(timeline, key, lang, today)
    svg, pin = picture_parts(timeline, key, lang, today, bands)
    frame = f'<div class="tl-scroll"><div class="tl-stack">{svg}{pin}</div></div>'
    left_out = sum(band.left_out for band in bands)
    if not left_out:
        return frame
    return frame + f'<p class="hint">{escape(translate(lang, LEFT_OUT, {"count": left_out}))}</p>'


def picture_parts(
    timeline: Timeline,
    key: str,
    lang: str,
    today: date,
    bands: list[Band] | None = None,
) -> tuple[str, str]:
    """The SVG of the home page (`key` "all") or of a region page in `lang`, and its pin."""
    locale = babel_locale(lang)
    months = get_month_names("abbreviated", context="stand-alone", locale=locale)
    if bands is None:
        bands = bands_of(timeline, key, lang, today)
    layout = lay_out(
        bands,
        {lane: translate(lang, message) for lane, message in LANE_NAMES.items()},
        [months[number] for number in range(1, 13)],
        lambda year: format_skeleton("y", date(year, 1, 1), locale=locale),
        today,
        rtl=lang in RTL_LANGUAGES,
        g=COMPACT if key == ALL else Geometry(),
    )
    region = timeline.region(key)
    title = (
        translate(lang, N_("Timeline of all regions: fixed and possible dates"))
        if region is None
        else translate(
            lang,
            N_("Timeline of %(region)s: fixed and possible dates"),
            {"region": region.name(lang)},
        )
    )
    words = PictureWords(
        title=title,
        description=describe(layout, lang, today, sum(band.left_out for band in bands)),
        today=translate(lang, N_("Today")),
        name=lambda event: mark_name(event, lang, today, short=region is None),
        href=lambda event: event_href(event.id, lang),
    )
    return render_svg(layout, words), render_pin(layout)


class Pictures:
    """Pictures built on first use and kept until the timeline or the day changes."""

    def __init__(self, build: Callable[[Timeline, str, str, date], str] = build_picture) -> None:
        self._build = build
        self._lock = Lock()
        self._for: tuple[int, date] | None = None
        self._timeline: Timeline | None = None  # held so that its id is not reused
        self._kept: dict[tuple[str, str], Markup] = {}

    def get(self, timeline: Timeline, key: str, lang: str, today: date) -> Markup:
        with self._lock:
            if self._for != (id(timeline), today):
                self._for, self._kept = (id(timeline), today), {}
                self._timeline = timeline
            found = self._kept.get((key, lang))
            if found is None:
                # Safe: the SVG writers escape every text and attribute they write.
                svg = self._build(timeline, key, lang, today)
                found = self._kept[(key, lang)] = Markup(svg)  # noqa: S704
            return found
