"""A body the web framework answers with its validators, or 304 when the client has it
(`feeds.conditional` decides; the plain feed route and kept pages answer without
Starlette's Response objects)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from fastapi import Request
from fastapi.responses import Response

from feeds.conditional import http_date, is_not_modified


def conditional_answer(
    request: Request,
    body: bytes,
    media_type: str,
    etag: str,
    last_modified: datetime,
    headers: Mapping[str, str],
) -> Response:
    """`body` with ETag, Last-Modified and `headers`; 304 with the same headers if the
    request's If-None-Match or If-Modified-Since says the client has it."""
    validators = {"ETag": etag, "Last-Modified": http_date(last_modified), **headers}
    if is_not_modified(
        etag=etag,
        last_modified=last_modified,
        if_none_match=request.headers.get("if-none-match"),
        if_modified_since=request.headers.get("if-modified-since"),
    ):
        return Response(status_code=304, headers=validators)
    return Response(body, media_type=media_type, headers=validators)
