"""Adding headers to a response on its way out, for the plain ASGI middlewares."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.types import Message, Send

Headers = Sequence[tuple[bytes, bytes]]


def adding_headers(send: Send, extra: Callable[[Headers], Headers]) -> Send:
    """`send`, with `extra(the response's own headers)` appended to the response start."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            own = message.get("headers", [])
            message["headers"] = [*own, *extra(own)]
        await send(message)

    return send_with_headers
