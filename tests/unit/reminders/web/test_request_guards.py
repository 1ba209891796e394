"""Cross-site POSTs and oversized bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Scope

from reminders.web.guards import BodySizeLimit, cross_site, origin_of

OWN = {"https://gcm.example.org"}


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://gcm.example.org/", "https://gcm.example.org"),
        ("HTTPS://GCM.Example.org:443", "https://gcm.example.org"),
        ("http://127.0.0.1:8000/x", "http://127.0.0.1:8000"),
        ("http://[::1]:80", "http://[::1]"),
        ("http://host:notaport", ""),
    ],
)
def test_origin_of_normalised(url: str, origin: str) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        ({"sec-fetch-site": "same-origin"}, False),
        ({"sec-fetch-site": "none"}, False),
        ({"sec-fetch-site": "cross-site", "origin": "https://gcm.example.org"}, True),
        ({"sec-fetch-site": "same-site"}, True),
        ({"origin": "https://gcm.example.org"}, False),
        ({"origin": "https://gcm.example.org:443"}, False),
        ({"origin": "https://evil.example"}, True),
        ({"origin": "https://gcm.example.org.evil.example"}, True),
        ({"origin": "http://gcm.example.org"}, True),
        ({"origin": "null"}, True),
        ({}, False),
    ],
)
def test_cross_site_by_fetch_metadata_then_origin(headers: dict[str, str], refused: bool) -> None:
    assert cross_site(headers, OWN) is refused


async def _echo(request: Request) -> Response:
    return PlainTextResponse(str(len(await request.body())))


def _refuse(scope: Scope, status_code: int) -> ASGIApp:
    return PlainTextResponse("too large", status_code=status_code)


def _client(limit: int) -> httpx.AsyncClient:
    app = Starlette(routes=[Route("/", _echo, methods=["GET", "POST"])])
    transport = httpx.ASGITransport(app=BodySizeLimit(app, _refuse, limit))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.mark.anyio
async def test_body_limit_small_body_passes_whole() -> None:
    async with _client(100) as client:
        response = await client.post("/", content=b"x" * 100)
    assert (response.status_code, response.text) == (200, "100")


@pytest.mark.anyio
async def test_body_limit_declared_length_refused_unread() -> None:
    async with _client(100) as client:
        response = await client.post("/", content=b"x" * 101)
    assert (response.status_code, response.text) == (413, "too large")


@pytest.mark.anyio
async def test_body_limit_streamed_body_refused() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"x" * 40

    async with _client(100) as client:
        response = await client.post("/", content=chunks())
    assert (response.status_code, response.text) == (413, "too large")


@pytest.mark.anyio
async def test_body_limit_streamed_small_body_passes_whole() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"x" * 30

    async with _client(100) as client:
        response = await client.post("/", content=chunks())
    assert (response.status_code, response.text) == (200, "90")


@pytest.mark.anyio
async def test_body_limit_bad_content_length_refused() -> None:
    async with _client(100) as client:
        response = await client.post("/", content=b"x", headers={"content-length": "x1"})
    assert (response.status_code, response.text) == (413, "too large")


@pytest.mark.anyio
async def test_body_limit_get_not_read() -> None:
    async with _client(1) as client:
        response = await client.get("/")
    assert (response.status_code, response.text) == (200, "0")
