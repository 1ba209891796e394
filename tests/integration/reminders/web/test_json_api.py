"""The read-only JSON API: whole documents, filters, ETag/304, CORS, and schemathesis
against the OpenAPI document it serves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from reminders.service import Service
from reminders.settings import Settings
from tests.integration.reminders.web.web_support import BASE_URL, NOW, SECRET, Clock
from tests.support.db_backends import Database

TIMELINE = """
[timeline]
name = "GCM regional reviews"

[[regions]]
id = "arab-states"
tz = "Asia/Beirut"
url = "https://example.org/arab-states"
name = { en = "Arab States", ar = "الدول العربية" }

[[events]]
id = "arab-2024-review"
region = "arab-states"
kind = "regional-review"
when = "2024-07-03T09:00/17:00"
place = "UN House, Beirut"
modality = "hybrid"
sources = ["https://example.org/arab-states/review"]
links = [{ url = "https://example.org/register", label = "Registration" }]
title = { en = "Arab States regional review", ar = "الاستعراض الإقليمي للدول العربية" }

[[events]]
id = "arab-2024-consultation"
region = "arab-states"
kind = "multi-stakeholder-consultation"
when = "week of 2024-11-03"
status = "tentative"
title = { en = "Arab States consultation" }

[[events]]
id = "global-2026-imrf"
region = "global"
kind = "imrf"
when = "2026-05"
tz = "America/New_York"
title = { en = "International Migration Review Forum" }
"""


async def open_service(tmp_path: Path, url: str) -> Service:
    (tmp_path / "timeline.toml").write_text(TIMELINE, encoding="utf-8")
    settings = Settings(
        timeline=tmp_path / "timeline.toml",
        database_url=url,
        base_url=BASE_URL,
        outbox=tmp_path / "outbox",
        secret_key=SECRET,
    )
    clock = Clock(NOW)
    service = Service.create(settings, clock)
    await service.open()
    # A later edit: only the consultation gets a new revision.
    clock.now = NOW + timedelta(days=1)
    (tmp_path / "timeline.toml").write_text(
        TIMELINE.replace("week of 2024-11-03", "2024-11-04"), encoding="utf-8"
    )
    await service.source.refresh()
    return service


@pytest.fixture
async def client(tmp_path: Path, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    service = await open_service(tmp_path, db.url)
    transport = httpx.ASGITransport(app=service.asgi())
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client
    await service.close()


REVIEW_AR: dict[str, Any] = {
    "id": "arab-2024-review",
    "region": "arab-states",
    "kind": "regional-review",
    "status": "confirmed",
    "title": "الاستعراض الإقليمي للدول العربية",
    "precision": "timed",
    "when": "2024-07-03T09:00/17:00",
    "label": "3 تموز/يوليو 2024، 09:00–17:00",
    "window": {
        "first_day": "2024-07-03",
        "last_day": "2024-07-03",
        "start": "2024-07-03T09:00:00+03:00",
        "end": "2024-07-03T17:00:00+03:00",
    },
    "tz": "Asia/Beirut",
    "place": "UN House, Beirut",
    "modality": "hybrid",
    "revision": 0,
    "modified": "2024-01-10T12:00:00Z",
    "sources": ["https://example.org/arab-states/review"],
    "links": [{"url": "https://example.org/register", "label": "Registration"}],
    "page": f"{BASE_URL}/events/arab-2024-review?lang=ar",
    "ics": f"{BASE_URL}/events/arab-2024-review.ics?lang=ar",
}


@pytest.mark.anyio
async def test_api_event_whole_document_in_arabic(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/events/arab-2024-review?lang=ar")

    assert (response.status_code, response.json()) == (200, REVIEW_AR)


@pytest.mark.anyio
async def test_api_regions_whole_document(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/regions?lang=ar")

    assert response.json() == {
        "language": "ar",
        "regions": [
            {
                "id": "arab-states",
                "name": "الدول العربية",
                "tz": "Asia/Beirut",
                "url": "https://example.org/arab-states",
                "page": f"{BASE_URL}/regions/arab-states?lang=ar",
                "feeds": {
                    "ics": f"{BASE_URL}/feeds/arab-states.ics?lang=ar",
                    "atom": f"{BASE_URL}/feeds/arab-states.atom?lang=ar",
                },
            }
        ],
    }


@pytest.mark.anyio
async def test_api_events_filters_region_kind_and_changed_since(
    client: httpx.AsyncClient,
) -> None:
    async def ids(query: str) -> list[str]:
        found = (await client.get(f"/api/v1/events?{query}")).json()["events"]
        return [event["id"] for event in found]

    assert {
        "all": await ids(""),
        "region": await ids("region=arab-states"),
        "global": await ids("region=global"),
        "kind": await ids("kind=imrf"),
        "since": await ids("changed_since=2024-01-10T12:00:00Z"),
        "both": await ids("region=arab-states&kind=regional-review"),
    } == {
        "all": ["arab-2024-review", "arab-2024-consultation", "global-2026-imrf"],
        "region": ["arab-2024-review", "arab-2024-consultation", "global-2026-imrf"],
        "global": ["global-2026-imrf"],
        "kind": ["global-2026-imrf"],
        "since": ["arab-2024-consultation"],
        "both": ["arab-2024-review"],
    }


@pytest.mark.anyio
async def test_api_vague_date_window_and_label(client: httpx.AsyncClient) -> None:
    found = (await client.get("/api/v1/events/global-2026-imrf?lang=fr")).json()

    assert {key: found[key] for key in ("precision", "label", "window", "revision")} == {
        "precision": "month",
        "label": "mai 2026 (date à confirmer)",
        "window": {"first_day": "2026-05-01", "last_day": "2026-05-31", "start": None, "end": None},
        "revision": 0,
    }


@pytest.mark.anyio
async def test_api_bad_parameters_are_named(client: httpx.AsyncClient) -> None:
    answers = [
        await client.get(path)
        for path in (
            "/api/v1/events?lang=xx",
            "/api/v1/events?kind=party",
            "/api/v1/events?region=atlantis",
            "/api/v1/events?changed_since=yesterday",
            "/api/v1/events?changed_since=2024-01-01T00:00:00",
            "/api/v1/events/nothing",
        )
    ]

    assert [(a.status_code, a.json()["parameter"]) for a in answers] == [
        (400, "lang"),
        (400, "kind"),
        (400, "region"),
        (400, "changed_since"),
        (400, "changed_since"),
        (404, "event_id"),
    ]
    assert answers[2].json()["error"] == "unknown region 'atlantis': use one of arab-states"


@pytest.mark.anyio
async def test_api_etag_answers_304_and_cors_is_open(client: httpx.AsyncClient) -> None:
    first = await client.get("/api/v1/events", headers={"Origin": "https://partner.example"})
    again = await client.get(
        "/api/v1/events",
        headers={"Origin": "https://partner.example", "If-None-Match": first.headers["etag"]},
    )
    preflight = await client.options(
        "/api/v1/events",
        headers={
            "Origin": "https://partner.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )

    assert (again.status_code, again.content, again.headers["etag"]) == (
        304,
        b"",
        first.headers["etag"],
    )
    assert (
        first.headers["access-control-allow-origin"],
        first.headers["access-control-expose-headers"],
        preflight.status_code,
        preflight.headers["access-control-allow-origin"],
    ) == ("*", "ETag", 200, "*")


@pytest.mark.anyio
async def test_api_has_no_personal_data(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()

    assert sorted(spec["paths"]) == ["/events", "/events/{event_id}", "/regions"]
    assert sorted(spec["components"]["schemas"]) == [
        "ApiError",
        "EventDoc",
        "EventList",
        "FeedLinks",
        "HTTPValidationError",
        "Kind",
        "LinkDoc",
        "Modality",
        "Precision",
        "RegionDoc",
        "RegionList",
        "Status",
        "ValidationError",
        "Window",
    ]


# schemathesis: every operation, generated parameters, responses checked against the schema.
# Its pytest plugin (from_fixture) does not run under pytest 9, so each operation's
# strategy is driven by hypothesis here, with a bounded number of examples.


def _as_own_host(app: Any) -> Any:
    own = (urlsplit(BASE_URL).hostname or "").encode()

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
            scope = {**scope, "headers": [*headers, (b"host", own)]}
        await app(scope, receive, send)

    return wrapped


def test_api_conforms_to_its_openapi_document(tmp_path: Path) -> None:
    import anyio.from_thread

    checked: list[str] = []
    with anyio.from_thread.start_blocking_portal() as portal:
        service = portal.call(
            open_service, tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
        )
        try:
            # schemathesis asks as "testserver"; pages answer only their own host.
            schema = schemathesis.openapi.from_asgi(
                "/api/v1/openapi.json", _as_own_host(service.asgi())
            )
            for found in schema.get_all_operations():
                operation = found.ok()

                @given(case=operation.as_strategy())
                @settings(
                    max_examples=40,
                    deadline=None,
                    derandomize=True,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
                def conforms(case: Any) -> None:
                    case.call_and_validate()

                conforms()
                checked.append(operation.label)
        finally:
            portal.call(service.close)

    assert sorted(checked) == [
        "GET /events",
        "GET /events/{event_id}",
        "GET /regions",
    ]
