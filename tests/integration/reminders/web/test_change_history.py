"""Change history on event pages and in Atom feeds (read back with feedparser)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import feedparser
import httpx
import pytest

from reminders.service import Service
from reminders.settings import Settings
from tests.integration.reminders.web.web_support import BASE_URL, NOW, SECRET, Clock
from tests.support.db_backends import Database

pytestmark = pytest.mark.anyio

TIMELINE = """
[timeline]
name = "GCM regional reviews"

[[regions]]
id = "latin-america-caribbean"
tz = "America/Santiago"
name = { en = "Latin America and the Caribbean", es = "América Latina y el Caribe" }

[[regions]]
id = "africa"
tz = "Africa/Nairobi"
name = { en = "Africa" }

[[events]]
id = "lac-2028-review"
region = "latin-america-caribbean"
kind = "regional-review"
when = "2028-06"
status = "tentative"
title = { en = "LAC regional review", es = "Examen regional de ALC" }

[[events]]
id = "africa-2028-review"
region = "africa"
kind = "regional-review"
when = "2028"
title = { en = "Africa regional review" }
"""

CONFIRMED = TIMELINE.replace('when = "2028-06"', 'when = "2028-06-19..2028-06-20"')


@pytest.fixture
async def service(tmp_path: Path, db: Database) -> AsyncIterator[Service]:
    (tmp_path / "timeline.toml").write_text(TIMELINE, encoding="utf-8")
    settings = Settings(
        timeline=tmp_path / "timeline.toml",
        database_url=db.url,
        base_url=BASE_URL,
        outbox=tmp_path / "outbox",
        secret_key=SECRET,
    )
    clock = Clock(NOW)
    service = Service.create(settings, clock)
    await service.open()
    clock.now = NOW + timedelta(days=30)  # 2024-02-09
    (tmp_path / "timeline.toml").write_text(CONFIRMED, encoding="utf-8")
    await service.source.refresh()
    yield service
    await service.close()


@pytest.fixture
async def client(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=service.asgi())
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


def history_section(html: str) -> list[str]:
    """The headings and change lines of the history list, as text."""
    section = html.split('<ol class="history">')[1].split("</ol>")[0]
    return [line.strip() for line in re.split(r"<[^>]+>", section) if line.strip()]


async def test_event_page_history_in_readers_language(client: httpx.AsyncClient) -> None:
    english = await client.get("/events/lac-2028-review")
    spanish = await client.get("/events/lac-2028-review?lang=es")

    assert history_section(english.text) == [
        "Date confirmed on 9 February 2024",
        "Date: was June 2028 (date to be confirmed), now 19–20 June 2028",
        "Added on 10 January 2024",
    ]
    assert history_section(spanish.text) == [
        "Fecha confirmada el 9 de febrero de 2024",
        "Fecha: antes junio de 2028 (fecha por confirmar), ahora del 19 al 20 de junio de 2028",
        "Añadido el 10 de enero de 2024",
    ]


async def test_pages_announce_their_atom_feed(client: httpx.AsyncClient) -> None:
    found = {}
    for path in ("/", "/regions/africa?lang=fr", "/events/lac-2028-review?lang=es"):
        html = (await client.get(path)).text
        found[path] = re.findall(
            r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)"', html
        )

    assert found == {
        "/": ["/feeds/all.atom"],
        "/regions/africa?lang=fr": ["/feeds/africa.atom?lang=fr"],
        "/events/lac-2028-review?lang=es": ["/feeds/latin-america-caribbean.atom?lang=es"],
    }


async def test_atom_region_feed_parses_with_entries_newest_first(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/feeds/latin-america-caribbean.atom?lang=es")
    parsed = feedparser.parse(response.content)

    assert (response.status_code, response.headers["content-type"]) == (
        200,
        "application/atom+xml; charset=utf-8",
    )
    assert parsed.bozo is False
    assert parsed.feed.title == (
        "Cambios en el calendario de los exámenes regionales del Pacto Mundial"
        " — América Latina y el Caribe"
    )
    assert parsed.feed.language == "es"
    assert [(e.id, e.title, e.summary, e.link, e.updated) for e in parsed.entries] == [
        (
            "tag:gcm.example.org,2024:lac-2028-review/1/confirmed/20240209T120000Z",
            "Examen regional de ALC — Fecha confirmada el 9 de febrero de 2024",
            "Fecha: antes junio de 2028 (fecha por confirmar), ahora del 19 al 20 de junio de 2028",
            f"{BASE_URL}/events/lac-2028-review?lang=es",
            "2024-02-09T12:00:00+00:00",
        ),
        (
            "tag:gcm.example.org,2024:lac-2028-review/0/added/20240110T120000Z",
            "Examen regional de ALC — Añadido el 10 de enero de 2024",
            "Añadido el 10 de enero de 2024",
            f"{BASE_URL}/events/lac-2028-review?lang=es",
            "2024-01-10T12:00:00+00:00",
        ),
    ]


async def test_atom_all_feed_lists_every_region(client: httpx.AsyncClient) -> None:
    parsed = feedparser.parse((await client.get("/feeds/all.atom")).content)

    assert [entry.title for entry in parsed.entries] == [
        "LAC regional review — Date confirmed on 9 February 2024",
        "LAC regional review — Added on 10 January 2024",
        "Africa regional review — Added on 10 January 2024",
    ]


async def test_atom_feed_unchanged_answers_304(client: httpx.AsyncClient) -> None:
    first = await client.get("/feeds/africa.atom")
    again = await client.get("/feeds/africa.atom", headers={"If-None-Match": first.headers["etag"]})

    assert (again.status_code, again.content, again.headers["etag"]) == (
        304,
        b"",
        first.headers["etag"],
    )


async def test_atom_feed_bad_region_or_language_says_which(client: httpx.AsyncClient) -> None:
    region = await client.get("/feeds/atlantis.atom")
    lang = await client.get("/feeds/all.atom?lang=xx")

    assert (region.status_code, region.text) == (
        404,
        "no feed 'atlantis': feeds are all, latin-america-caribbean, africa\n",
    )
    assert (lang.status_code, lang.text) == (
        400,
        "unknown language 'xx': use one of en, fr, es, ar, ru, zh\n",
    )
