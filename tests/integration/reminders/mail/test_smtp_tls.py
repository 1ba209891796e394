"""SmtpMailer with STARTTLS, implicit TLS and login, against aiosmtpd on 127.0.0.1.

The relay's certificate is made by openssl for 127.0.0.1 and trusted through the
mailer's `tls_context`.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP as SmtpServer
from aiosmtpd.smtp import AuthResult, LoginPassword

from reminders.mail.port import SendResult, SendStatus
from reminders.mail.transport import SmtpMailer
from reminders.settings import Settings, SmtpSecurity
from tests.support.components import require
from tests.support.sending import Sink

SENDER = "reminders@gcm.example.org"
MESSAGE = b"From: reminders@gcm.example.org\r\nMessage-ID: <tls@gcm.example.org>\r\n\r\nHi\r\n"
USER, PASSWORD = "gcmcal", "relay-password"


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    openssl = require("openssl", shutil.which("openssl"))
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert),
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@asynccontextmanager
async def relay(sink: Sink, cert: Path, key: Path, *, implicit: bool) -> AsyncIterator[int]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SmtpServer(
            sink,
            hostname="relay.test",
            tls_context=None if implicit else context,
            require_starttls=not implicit,
            # aiosmtpd counts only STARTTLS as TLS (and warns about AUTH without it), so
            # over implicit TLS login is offered, checked, but not demanded.
            auth_required=not implicit,
            auth_require_tls=not implicit,
            authenticator=_authenticate,
            loop=loop,
        ),
        "127.0.0.1",
        0,
        ssl=context if implicit else None,
    )
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def _mailer(port: int, cert: Path, security: SmtpSecurity, password: str) -> SmtpMailer:
    settings = Settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security=security,
        smtp_username=USER,
        smtp_password=password,
        smtp_connections=1,
    )
    return SmtpMailer(settings, tls_context=ssl.create_default_context(cafile=str(cert)))


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("security", "implicit"), [(SmtpSecurity.STARTTLS, False), (SmtpSecurity.TLS, True)]
)
async def test_smtp_mailer_sends_over_tls_after_login(
    certificate: tuple[Path, Path], security: SmtpSecurity, implicit: bool
) -> None:
    sink = Sink()
    async with relay(sink, *certificate, implicit=implicit) as port:
        mailer = _mailer(port, certificate[0], security, PASSWORD)
        results = [await mailer.send(SENDER, ["a@example.org"], MESSAGE) for _ in range(2)]
        await mailer.close()

    assert results == [SendResult(SendStatus.OK, 250, "")] * 2
    assert [m.message_id for m in sink.received] == ["<tls@gcm.example.org>"] * 2


@pytest.mark.anyio
async def test_smtp_mailer_with_a_wrong_password_retries_instead_of_bouncing(
    certificate: tuple[Path, Path],
) -> None:
    sink = Sink()
    async with relay(sink, *certificate, implicit=False) as port:
        mailer = _mailer(port, certificate[0], SmtpSecurity.STARTTLS, "wrong")
        result = await mailer.send(SENDER, ["a@example.org"], MESSAGE)
        await mailer.close()

    assert (result.status, result.code) == (SendStatus.TEMPORARY, 535)
    assert sink.received == []
