"""The server under `gcmcal serve` (Granian, embedded), on 127.0.0.1 in a subprocess.

A small ASGI app stands in for the service so that the server's own duties are seen:
the lifespan runs before the first request and after SIGTERM, the client address and
scheme come from ``X-Forwarded-*`` only when the proxy is trusted, and an address in use
is refused with a sentence.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

START_SECONDS = 120

APP = """
import json, sys
from pathlib import Path
from reminders import http_server

events = Path(sys.argv[1])

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            with events.open("a") as out:
                out.write(message["type"] + "\\n")
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    seen = {"client": scope["client"][0], "scheme": scope["scheme"]}
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": json.dumps(seen).encode()})

try:
    http_server.run(app, "127.0.0.1", int(sys.argv[2]))
except http_server.ServeError as exc:
    sys.exit(str(exc))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(tmp_path: Path, port: int, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    script = tmp_path / "app.py"
    script.write_text(APP)
    return subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "events"), str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def wait_up(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"no answer from {url} within {START_SECONDS} s")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    process = start(tmp_path, port)
    try:
        wait_up(f"http://127.0.0.1:{port}/", process)
        yield f"http://127.0.0.1:{port}/", process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)  # and closes the pipe


def test_http_server_lifespan_around_requests_and_sigterm(
    served: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    url, process = served
    before = (tmp_path / "events").read_text()
    answer = httpx.get(url, timeout=5)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    assert (before, answer.status_code, process.returncode) == ("lifespan.startup\n", 200, 0)
    assert (tmp_path / "events").read_text() == "lifespan.startup\nlifespan.shutdown\n"


def test_http_server_forwarded_headers_from_loopback_proxy_trusted(
    served: tuple[str, subprocess.Popen[str]],
) -> None:
    url, _ = served
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    answer = httpx.get(url, headers=forwarded, timeout=5)
    assert json.loads(answer.text) == {"client": "203.0.113.7", "scheme": "https"}


def test_http_server_forwarded_headers_from_untrusted_proxy_ignored(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "FORWARDED_ALLOW_IPS": "192.0.2.1"}
    process = start(tmp_path, port, env)
    try:
        wait_up(f"http://127.0.0.1:{port}/", process)
        answer = httpx.get(
            f"http://127.0.0.1:{port}/",
            headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
            timeout=5,
        )
    finally:
        process.kill()
        process.communicate(timeout=30)
    assert json.loads(answer.text) == {"client": "127.0.0.1", "scheme": "http"}


def test_http_server_address_in_use_refused(
    served: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    url, _ = served
    port = int(url.rsplit(":", 1)[1].strip("/"))
    second = tmp_path / "second"
    second.mkdir()
    process = start(second, port)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 1
    assert output == f"cannot listen on 127.0.0.1:{port}: Address already in use\n"
