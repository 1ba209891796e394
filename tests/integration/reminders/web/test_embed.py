"""The embeddable calendar: framing only for the listed origins, small, no script, RTL,
and the snippet on each region page."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from reminders.service import Service
from reminders.settings import Settings, SettingsError, load_settings
from tests.integration.reminders.web.web_support import BASE_URL, NOW, ROOT, SECRET, Clock
from tests.support.db_backends import Database

pytestmark = pytest.mark.anyio
PARTNERS = "https://migrantnetwork.example https://coalition.example:8443"
MAX_BYTES = 20 * 1024


@pytest.fixture
async def client(tmp_path: Path, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        timeline=ROOT / "config" / "timeline.toml",
        database_url=db.url,
        base_url=BASE_URL,
        outbox=tmp_path / "outbox",
        secret_key=SECRET,
        embed_origins=PARTNERS,
    )
    service = Service.create(settings, Clock(NOW))
    await service.open()
    transport = httpx.ASGITransport(app=service.asgi())
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client
    await service.close()


async def test_embed_frames_only_for_listed_origins(client: httpx.AsyncClient) -> None:
    response = await client.get("/embed/africa?lang=en")

    assert (
        response.status_code,
        response.headers["content-security-policy"],
        response.headers.get("x-frame-options"),
    ) == (
        200,
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'none'; "
        "base-uri 'none'; frame-ancestors https://migrantnetwork.example "
        "https://coalition.example:8443",
        None,
    )


async def test_other_pages_still_refuse_every_frame(client: httpx.AsyncClient) -> None:
    response = await client.get("/regions/africa")

    assert (
        response.headers["x-frame-options"],
        response.headers["content-security-policy"].endswith(
            "frame-ancestors 'none'; base-uri 'none'"
        ),
    ) == ("DENY", True)


@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_embed_small_without_script_and_in_the_right_direction(
    client: httpx.AsyncClient, lang: str
) -> None:
    page = await client.get(f"/embed/arab-states?lang={lang}")
    css = await client.get("/static/site.css")
    body = page.text
    webcal = "webcal://gcm.example.org/feeds/arab-states.ics" + ("?lang=ar" if lang == "ar" else "")

    assert {
        "under 20 KB with its stylesheet": len(page.content) + len(css.content) < MAX_BYTES,
        "script": "<script" in body,
        "direction": re.search(r'<html lang="(\w+)" dir="(\w+)">', body).groups(),  # type: ignore[union-attr]
        "links leave the frame": set(re.findall(r'target="(\w+)"', body)),
        "webcal button": f'href="{webcal}"' in body,
    } == {
        "under 20 KB with its stylesheet": True,
        "script": False,
        "direction": (lang, "rtl" if lang == "ar" else "ltr"),
        "links leave the frame": {"_blank"},
        "webcal button": True,
    }


async def test_embed_unknown_region_is_a_404_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/embed/atlantis?lang=fr")

    assert response.status_code == 404


async def test_region_page_offers_the_snippet(client: httpx.AsyncClient) -> None:
    page = (await client.get("/regions/africa?lang=fr")).text
    values = [html.unescape(v) for v in re.findall(r'readonly value="([^"]+)"', page)]

    assert values[-1] == (
        f'<iframe src="{BASE_URL}/embed/africa?lang=fr" '
        'title="GCM regional reviews — Afrique" width="100%" height="480" '
        'style="border:0" loading="lazy"></iframe>'
    )


def test_embed_origins_setting_names_a_bad_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCMCAL_EMBED_ORIGINS", "https://ok.example https://bad.example/path")

    with pytest.raises(SettingsError) as raised:
        load_settings()

    assert str(raised.value) == (
        "GCMCAL_EMBED_ORIGINS: Value error, 'https://bad.example/path' is not an origin like "
        "https://partner.example (scheme and host, optionally a port, no path)"
    )
