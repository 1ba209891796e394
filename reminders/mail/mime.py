"""The MIME pieces of a message, written as bytes without building an `EmailMessage`.

`reminders.mail.compose` joins them; the dispatcher's speed depends on this path staying
plain byte work (C codecs for base64 and quoted-printable).
"""

from __future__ import annotations

import base64
import binascii
import email.policy
from email.header import Header

CRLF = b"\r\n"
_POLICY = email.policy.SMTP


def header(name: str, value: str) -> bytes:
    """`Name: value` folded (RFC 5322) and ending in CRLF."""
    folded: str = _POLICY.fold(name, value)
    return folded.encode()


def ascii_filename(event_id: str) -> str:
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in event_id)
    return f"gcm-{safe}.ics"


def crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def encode(data: bytes, use_base64: bool) -> tuple[bytes, bytes]:
    """(Content-Transfer-Encoding value, encoded body) for CRLF text."""
    if use_base64:
        return b"base64", base64.encodebytes(data).replace(b"\n", CRLF)
    if data.isascii() and all(len(line) <= 998 for line in data.split(CRLF)):
        return b"7bit", data
    return b"quoted-printable", binascii.b2a_qp(data, istext=True)


def part(content_type: bytes, data: bytes, use_base64: bool) -> bytes:
    encoding, body = encode(data, use_base64)
    return (
        b"Content-Type: " + content_type + CRLF
        + b"Content-Transfer-Encoding: " + encoding + CRLF + CRLF
        + body + (b"" if body.endswith(CRLF) else CRLF)
    )  # fmt: skip


def subject_header(title: str) -> bytes:
    charset = "us-ascii" if title.isascii() else "utf-8"
    folded = Header(title, charset, header_name="Subject").encode(linesep="\r\n")
    return b"Subject: " + folded.encode("ascii") + CRLF
