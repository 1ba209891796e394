"""The timeline pictures of the shipped timeline: small, well-formed, in each language."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest

from bench.synthetic_timeline import synthetic_timeline
from feeds import LANGUAGES, Timeline, load_timeline, parse_timeline
from feeds.picture_reach import HOME_REACH, REGION_REACH, nearest
from reminders.web.timeline_picture import (
    ALL,
    Pictures,
    bands_of,
    home_events,
    mark_name,
    picture_parts,
)
from tests.support.svg_reading import SVG, parse_svg

ROOT = Path(__file__).resolve().parents[4]
TIMELINE = load_timeline(ROOT / "config" / "timeline.toml")
TODAY = date(2026, 12, 2)
MAX_BYTES = 15 * 1024


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_picture_small_and_well_formed(lang: str) -> None:
    sizes = {}
    for key in [ALL, *(region.id for region in TIMELINE.regions)]:
        svg, pin = picture_parts(TIMELINE, key, lang, TODAY)
        root = parse_svg(svg)
        assert parse_svg(pin).get("aria-hidden") == "true"
        links = [a.get("href") for a in root.iter(f"{SVG}a") if a.find(f"{SVG}title") is not None]
        shown = home_events(TIMELINE, TODAY) if key == ALL else TIMELINE.select(regions=[key])
        query = "" if lang == "en" else f"?lang={lang}"
        assert sorted(links) == sorted(f"/events/{event.id}{query}" for event in shown)
        sizes[key] = len(svg.encode()) + len(pin.encode())
    assert {key: size for key, size in sizes.items() if size >= MAX_BYTES} == {}


def test_picture_says_what_it_shows_in_arabic() -> None:
    root = parse_svg(picture_parts(TIMELINE, "africa", "ar", TODAY)[0])
    assert root.get("direction") == "rtl"
    assert root.findtext(f"{SVG}title") == (
        "الجدول الزمني لمنطقة أفريقيا: التواريخ المحددة والمحتملة"
    )
    assert root.findtext(f"{SVG}desc") == (
        "من تموز/يوليو 2023 إلى كانون الأول/ديسمبر 2030، والزمن يسير من اليمين إلى اليسار."
        " تواريخ محددة (علامات مصمتة): 8."
        " لا تُعرف إلا فترة من التواريخ المحتملة (أشرطة مخططة): 7."
        " ملغاة أو مؤجلة: 0."
        " يشير خط عمودي إلى اليوم، 2 كانون الأول/ديسمبر 2026؛ وكل ما قبله قد مضى."
        " تعرض القائمة أدناه كل التواريخ كتابةً."
    )


def test_mark_name_title_and_date_or_only_the_date() -> None:
    review, expected = TIMELINE.event("africa-2024-review"), TIMELINE.event("africa-2028-review")
    assert review is not None
    assert expected is not None
    assert mark_name(review, "en", TODAY) == (
        "Africa: second GCM regional review (intergovernmental conference), 9–10 October 2024"
    )
    assert mark_name(review, "zh", TODAY, short=True) == "2024年10月9日至10日"
    assert mark_name(expected, "fr", TODAY, short=True) == (
        "de 2028 à début 2029 (date à confirmer)"
    )


def test_home_page_draws_from_the_start_of_last_year() -> None:
    assert sorted(event.id for event in home_events(TIMELINE, TODAY)) == [
        "africa-2028-review",
        "arab-states-2028-review",
        "asia-pacific-2024-consultation",
        "asia-pacific-2024-discussion-space",
        "asia-pacific-2024-review",
        "asia-pacific-2028-review",
        "europe-north-america-2028-review",
        "global-2026-imrf",
        "global-2026-imrf-briefing",
        "global-2026-imrf-hearing",
        "global-2030-imrf",
        "latin-america-caribbean-2024-discussion-space",
        "latin-america-caribbean-2024-hearing",
        "latin-america-caribbean-2024-pre-consultations",
        "latin-america-caribbean-2024-review",
        "latin-america-caribbean-2028-review",
    ]


def test_pictures_built_once_per_timeline_language_and_day() -> None:
    built: list[tuple[int, str, str, date]] = []

    def build(timeline: Timeline, key: str, lang: str, today: date) -> str:
        built.append((id(timeline), key, lang, today))
        return "<svg/>"

    pictures = Pictures(build)
    reloaded = load_timeline(ROOT / "config" / "timeline.toml")
    for timeline, key, lang, today in [
        (TIMELINE, ALL, "en", TODAY),
        (TIMELINE, ALL, "en", TODAY),
        (TIMELINE, ALL, "ar", TODAY),
        (TIMELINE, "africa", "ar", TODAY),
        (TIMELINE, ALL, "en", date(2026, 12, 3)),
        (reloaded, ALL, "en", date(2026, 12, 3)),
        (reloaded, ALL, "en", date(2026, 12, 3)),
    ]:
        assert str(pictures.get(timeline, key, lang, today)) == "<svg/>"
    assert built == [
        (id(TIMELINE), ALL, "en", TODAY),
        (id(TIMELINE), ALL, "ar", TODAY),
        (id(TIMELINE), "africa", "ar", TODAY),
        (id(TIMELINE), ALL, "en", date(2026, 12, 3)),
        (id(reloaded), ALL, "en", date(2026, 12, 3)),
    ]


def test_long_timeline_picture_draws_the_nearest_and_counts_the_rest() -> None:
    long = parse_timeline(synthetic_timeline(1000), "long.toml")
    africa = long.select(regions=["africa"])
    region = parse_svg(picture_parts(long, "africa", "en", TODAY)[0])
    home = parse_svg(picture_parts(long, ALL, "en", TODAY)[0])

    def marks(root: ElementTree.Element) -> list[str]:
        return sorted(
            a.get("href", "") for a in root.iter(f"{SVG}a") if a.find(f"{SVG}title") is not None
        )

    assert (
        marks(region),
        len(marks(home)),
        [len(band.events) for band in bands_of(long, ALL, "en", TODAY)],
        (region.findtext(f"{SVG}desc") or "").split(". ")[-2],
    ) == (
        sorted(f"/events/{event.id}" for event in nearest(africa, TODAY, REGION_REACH)),
        6 * HOME_REACH.drawn,
        [HOME_REACH.drawn] * 6,
        "Only the events nearest to today are drawn; not drawn: "
        f"{len(africa) - REGION_REACH.drawn}",
    )
