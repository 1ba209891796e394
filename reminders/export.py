"""`gcmcal export DIR`: the feeds and pages as static files, for a CDN or a static host.

Every file is fetched from the same ASGI app that `gcmcal serve` runs, so the exported
bytes are exactly what the server sends.

Layout (a static host cannot route on query strings, so languages become paths):

- ``feeds/{region}.ics`` and ``feeds/all.ics`` — English; ``feeds/{lang}/{region}.ics``
  for the other languages;
- ``events/{id}.ics`` likewise, ``events/{lang}/{id}.ics``;
- ``index.html``, ``regions/{region}/index.html``, ``events/{id}/index.html`` — English
  pages, and the same under ``{lang}/`` for the other languages;
- ``static/site.css`` and ``static/local-times.js`` (pages show times in the reader's zone).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from starlette.types import ASGIApp, Message

from feeds import LANGUAGES, Timeline


@dataclass(frozen=True, slots=True)
class ExportItem:
    url: str  # path and query as the server is asked
    target: PurePosixPath  # where the bytes go below the export folder


def export_items(timeline: Timeline) -> Iterator[ExportItem]:
    keys = ["all", *(region.id for region in timeline.regions)]
    for lang in LANGUAGES:
        query = "" if lang == "en" else f"?lang={lang}"
        prefix = PurePosixPath("." if lang == "en" else lang)
        for key in keys:
            yield ExportItem(
                f"/feeds/{key}.ics{query}", PurePosixPath("feeds") / prefix / f"{key}.ics"
            )
        for event in timeline.events:
            yield ExportItem(
                f"/events/{event.id}.ics{query}",
                PurePosixPath("events") / prefix / f"{event.id}.ics",
            )
            yield ExportItem(
                f"/events/{event.id}{query}", prefix / "events" / event.id / "index.html"
            )
        yield ExportItem(f"/{query}", prefix / "index.html")
        for region in timeline.regions:
            yield ExportItem(
                f"/regions/{region.id}{query}", prefix / "regions" / region.id / "index.html"
            )
    yield ExportItem("/static/site.css", PurePosixPath("static/site.css"))
    yield ExportItem("/static/local-times.js", PurePosixPath("static/local-times.js"))


class ExportError(Exception):
    pass


async def fetch(app: ASGIApp, url: str) -> bytes:
    """One GET through the ASGI app, in process; anything but 200 is an error."""
    path, _, query = url.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [],  # no Host: nothing to trust or to refuse
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 80),
    }
    status = 0
    chunks: list[bytes] = []
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    if status != 200:
        raise ExportError(f"{url}: the server answered {status}")
    return b"".join(chunks)


def inside(root: Path, target: PurePosixPath) -> Path:
    """Where `target` goes below `root`; refuses any target that would leave it (an
    absolute path, "..", or a link inside the folder that points out of it)."""
    if target.is_absolute() or any(part in ("", ".", "..") for part in target.parts):
        raise ExportError(f"{target}: not a plain path inside the export folder")
    base = root.resolve()
    path = base.joinpath(*target.parts)
    if not path.resolve().is_relative_to(base):
        raise ExportError(f"{target}: would be written outside {root}")
    return path


def write_file(root: Path, target: PurePosixPath, body: bytes) -> None:
    path = inside(root, target)
    path.parent.mkdir(parents=True, exist_ok=True)
    inside(root, target)  # a folder made meanwhile cannot be a link out: checked again
    path.write_bytes(body)
