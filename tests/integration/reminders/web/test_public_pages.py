"""What is next, at a glance, on the shipped timeline today: the home page's "Coming up"
names the five 2028 reviews in one row; a region page puts upcoming events first and folds
its past; an event page has a heading and the four ways to add it. A region with a long
past still folds it to its latest events."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.integration.reminders.web.web_support import Clock, client_on

pytestmark = pytest.mark.anyio
TODAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _section(html: str, label: str) -> str:
    found = re.search(rf'<section aria-labelledby="{label}"[^>]*>(.*?)</section>', html, re.S)
    assert found is not None, label
    return found[1]


async def _page(client: httpx.AsyncClient, path: str) -> str:
    response = await client.get(path)
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize(
    ("lang", "rows"),
    [
        (
            "en",
            [
                "Regional review — 2028 to early 2029 (date to be confirmed) — Europe and North "
                "America , Africa , Latin America and the Caribbean , Arab States and Asia and "
                "the Pacific",
                "Third International Migration Review Forum — 2030 (date to be confirmed)",
            ],
        ),
        (
            "ar",
            [
                "الاستعراض الإقليمي — من عام 2028 إلى أوائل عام 2029 (التاريخ قيد التأكيد) — "
                "أوروبا وأمريكا الشمالية و أفريقيا و أمريكا اللاتينية ومنطقة البحر الكاريبي و "
                "الدول العربية و آسيا والمحيط الهادئ",
                "منتدى استعراض الهجرة الدولية الثالث — عام 2030 (التاريخ قيد التأكيد)",
            ],
        ),
    ],
)
async def test_home_coming_up_one_row_for_the_five_2028_reviews(
    client: httpx.AsyncClient, clock: Clock, lang: str, rows: list[str]
) -> None:
    clock.now = TODAY
    html = await _page(client, f"/?lang={lang}")
    found = re.findall(r"<li[^>]*>(.*?)</li>", _section(html, "next"), re.S)
    assert [_text(row) for row in found] == rows


async def test_home_coming_up_links_each_region_to_its_review(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    clock.now = TODAY
    first_row = re.findall(r"<li[^>]*>(.*?)</li>", _section(await _page(client, "/"), "next"))[0]
    assert re.findall(r'href="([^"]+)"', first_row) == [
        f"/events/{region}-2028-review?lang=en"
        for region in (
            "europe-north-america",
            "africa",
            "latin-america-caribbean",
            "arab-states",
            "asia-pacific",
        )
    ]


@pytest.mark.parametrize(
    ("lang", "headings", "summary"),
    [
        (
            "en",
            [
                "Upcoming",
                "Timeline at a glance",
                "How to take part",
                "Subscribe to this region",
                "Email reminders",
                "Past",
                "Glossary: the stages of the reviews",
            ],
            "13 past events",
        ),
        (
            "ar",
            [
                "القادمة",
                "الجدول الزمني في لمحة",
                "كيف تشارك",
                "اشترك في هذه المنطقة",
                "التذكيرات بالبريد الإلكتروني",
                "السابقة",
                "مسرد: مراحل الاستعراضات",
            ],
            "13 فعالية سابقة",
        ),
    ],
)
async def test_region_page_upcoming_first_folded(
    client: httpx.AsyncClient, clock: Clock, lang: str, headings: list[str], summary: str
) -> None:
    clock.now = TODAY
    html = await _page(client, f"/regions/africa?lang={lang}")
    assert re.findall(r"<h2[^>]*>(.*?)</h2>", html) == headings
    upcoming = re.findall(r'<li class="event [^"]*" id="([^"]+)"', _section(html, "upcoming"))
    assert upcoming == ["africa-2028-review", "global-2030-imrf"]
    past = _section(html, "past")
    assert re.findall(r"<summary>(.*?)</summary>", past) == [summary]
    assert re.findall(r'<a href="/events/([^"?]+)', past) == [
        "global-2026-imrf",
        "global-2026-imrf-hearing",
        "global-2026-imrf-briefing",
        "africa-2024-review",
        "africa-2024-hearing",
        "africa-2024-side-events",
        "africa-2024-dakar-consultation",
        "africa-2024-discussion-space",
        "global-2024-ga-plenary",
        "africa-2024-consultation",
        "africa-2024-pre-consultation",
        "global-2024-gcm-talks",
        "africa-2024-gcm-talk-indicators",
    ]


async def test_region_page_past_lines_say_what_happened(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    clock.now = TODAY
    past = _section(await _page(client, "/regions/africa"), "past")
    lines = [_text(line) for line in re.findall(r"<li[^>]*>(.*?)</li>", past)]
    assert lines[3:5] + lines[9:11] == [
        "Africa: second GCM regional review (intergovernmental conference) — 9–10 October "
        "2024 · confirmed",
        "Africa: multi-stakeholder hearing of the GCM regional review — 8 October 2024 · confirmed",
        "Africa: multi-stakeholder consultation for the GCM regional review — May 2024 (not "
        "held as announced)",
        "Africa: stakeholder pre-consultation for the GCM regional review — March 2024 (date "
        "never confirmed)",
    ]


@pytest.mark.parametrize(
    ("lang", "heading", "calendar", "labels"),
    [
        (
            "en",
            "Africa: second GCM regional review (intergovernmental conference)",
            "GCM regional reviews",
            [
                "Subscribe in your calendar app",
                "Add to Google Calendar",
                "Add to Outlook.com",
                "Download (.ics)",
            ],
        ),
        (
            "ar",
            "أفريقيا: الاستعراض الإقليمي الثاني للاتفاق العالمي من أجل الهجرة (المؤتمر الحكومي "
            "الدولي)",
            "الاستعراضات الإقليمية للاتفاق العالمي من أجل الهجرة",
            [
                "اشترك في تطبيق التقويم",
                "أضف إلى تقويم \u2066Google\u2069",
                "أضف إلى \u2066Outlook.com\u2069",
                "تنزيل (\u2066.ics\u2069)",
            ],
        ),
    ],
)
async def test_event_page_heading_and_four_ways_to_add(
    client: httpx.AsyncClient,
    clock: Clock,
    lang: str,
    heading: str,
    calendar: str,
    labels: list[str],
) -> None:
    clock.now = TODAY
    html = await _page(client, f"/events/africa-2024-review?lang={lang}")
    assert re.findall(r"<h1>(.*?)</h1>", html) == [heading]
    https = "https://gcm.example.org/events/africa-2024-review.ics" + (
        "" if lang == "en" else f"?lang={lang}"
    )
    webcal = "webcal" + https.removeprefix("https")
    outlook = "https://outlook.live.com/calendar/0/addfromweb?" + urlencode(
        {"url": https, "name": f"{calendar} — {heading}"}
    )
    links = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', _section(html, "add"))
    assert links == list(
        zip(
            [
                webcal,
                "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal}),
                outlook.replace("&", "&amp;"),
                https,
            ],
            labels,
            strict=True,
        )
    )


def _long_timeline(past: int, later: int) -> str:
    """One region with `past` exact-day events in 2025, `later` in 2027 and one in 2028."""
    events = "".join(
        f"""
[[events]]
id = "africa-meeting-{number:03d}"
region = "africa"
kind = "multi-stakeholder-consultation"
when = "2025-{1 + number // 28:02d}-{1 + number % 28:02d}"
status = "confirmed"
title = {{ en = "Consultation number {number}" }}
"""
        for number in range(past)
    ) + "".join(
        f"""
[[events]]
id = "africa-later-{number:03d}"
region = "africa"
kind = "gcm-talk"
when = "2027-{1 + number // 28:02d}-{1 + number % 28:02d}"
status = "confirmed"
title = {{ en = "Talk number {number}" }}
"""
        for number in range(later)
    )
    return f"""
[timeline]
name = "Long"

[[regions]]
id = "africa"
tz = "Africa/Addis_Ababa"
name = {{ en = "Africa" }}
{events}
[[events]]
id = "africa-review"
region = "africa"
kind = "regional-review"
when = "2028"
status = "tentative"
title = {{ en = "Africa review" }}
"""


@pytest.fixture
async def long_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with client_on(tmp_path, _long_timeline(60, 40), TODAY) as client:
        yield client


async def test_region_page_long_past_lists_the_latest_and_links_the_rest(
    long_client: httpx.AsyncClient,
) -> None:
    past = _section(await _page(long_client, "/regions/africa"), "past")
    assert re.findall(r"<summary>(.*?)</summary>", past) == ["60 past events"]
    assert re.findall(r'<a href="/events/([^"?]+)', past) == [
        f"africa-meeting-{number:03d}" for number in range(59, 44, -1)
    ]
    assert _text(past.split("</ol>")[1]) == (
        "45 earlier events are in the region's calendar file: Download (.ics)"
    )
    assert re.findall(r'<a href="(https[^"]+)" download>', past) == [
        "https://gcm.example.org/feeds/africa.ics"
    ]


async def test_region_page_long_future_shows_the_next_in_full_and_lines_for_the_rest(
    long_client: httpx.AsyncClient,
) -> None:
    upcoming = _section(await _page(long_client, "/regions/africa"), "upcoming")
    full, later = upcoming.split('<details class="later">')
    assert re.findall(r'<li class="event [^"]*" id="([^"]+)"', full) == [
        f"africa-later-{number:03d}" for number in range(5)
    ]
    assert re.findall(r"<summary>(.*?)</summary>", later) == ["36 later events"]
    assert re.findall(r'<a href="/events/([^"?]+)', later) == [
        f"africa-later-{number:03d}" for number in range(5, 20)
    ]
    assert _text(later.split("</ol>")[1]) == (
        "21 more events are in the region's calendar file: Download (.ics)"
    )
