"""The real service for browser tests: `gcmcal serve` in a subprocess on 127.0.0.1, sending
through an aiosmtpd server started here, on a SQLite file in a temporary folder.

Imported by the test modules next to it.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
SECRET = "browser-test-secret"
START_SECONDS = 180.0  # most time the service may take to answer /healthz
MAIL_SECONDS = 120.0  # most time an email may take to arrive
#: Chromium flags: headless, sandbox-free (containers), no background traffic.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Inbox:
    """The aiosmtpd handler: every message received, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = bytes(envelope.original_content or envelope.content)
        with self._lock:
            self._messages.append(message_from_bytes(content, policy=default_policy))
        return "250 2.0.0 OK"

    def wait(self, message_id: str) -> Message:
        """The message with this Message-ID, waiting at most `MAIL_SECONDS`."""
        deadline = time.monotonic() + MAIL_SECONDS
        while time.monotonic() < deadline:
            with self._lock:
                for message in self._messages:
                    if str(message["Message-ID"]) == message_id:
                        return message
            time.sleep(0.1)
        raise AssertionError(f"no email {message_id} within {MAIL_SECONDS} s")


def text_of(message: Message) -> str:
    part = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    assert part is not None
    return str(part.get_content())


def html_of(message: Message) -> str:
    part = message.get_body(preferencelist=("html",))  # type: ignore[attr-defined]
    assert part is not None
    return str(part.get_content())


def link(message: Message, base_url: str, kind: str) -> str:
    """The one ``{base_url}/{kind}/{token}`` link in a message's text part."""
    pattern = re.escape(base_url) + "/" + kind + r"/[A-Za-z0-9_-]{43}"
    found = sorted(set(re.findall(pattern, text_of(message))))
    assert len(found) == 1, found
    return found[0]


@dataclass
class Live:
    base_url: str
    database: Path
    inbox: Inbox

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(self.database)) as db:
            return db.execute(sql, params).fetchall()

    def rows_soon(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """`rows`, waiting at most `MAIL_SECONDS` for there to be some: a sign-up or link
        request answers first and writes its rows after the response (the same work for
        every address), so a test that reads them at once can be a moment early."""
        deadline = time.monotonic() + MAIL_SECONDS
        while True:
            found = self.rows(sql, *params)
            if found or time.monotonic() >= deadline:
                return found
            time.sleep(0.05)


@contextmanager
def live_service(tmp: Path, settings: dict[str, str] | None = None) -> Iterator[Live]:
    """Start aiosmtpd and `gcmcal serve` (with `settings`, GCMCAL_* variables, added); stop
    both at exit."""
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    timeline = tmp / "timeline.toml"
    shutil.copy(ROOT / "config" / "timeline.toml", timeline)
    database = tmp / "service.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GCMCAL_")},
        "GCMCAL_BASE_URL": base_url,
        "GCMCAL_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "GCMCAL_TIMELINE": str(timeline),
        "GCMCAL_SECRET_KEY": SECRET,
        "GCMCAL_SMTP_HOST": "127.0.0.1",
        "GCMCAL_SMTP_PORT": str(smtp.port),
        "GCMCAL_TICK_SECONDS": "0.5",
        "GCMCAL_MAIL_FROM": "GCM calendar <reminders@gcm.example.org>",
        "GCMCAL_OUTBOX": str(tmp / "maildir"),
        "GCMCAL_LOG_LEVEL": "INFO",
        **(settings or {}),
    }
    log = (tmp / "service.log").open("wb")
    command = [
        sys.executable,
        "-m",
        "reminders",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(base_url, process, tmp / "service.log")
        yield Live(base_url, database, inbox)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        log.close()
        smtp.stop()


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gcmcal serve exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(base_url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"gcmcal serve did not answer:\n{log.read_text(errors='replace')}")
