"""The per-message return path (VERP): `<local>+<token>@<bounce domain>`.

A bounce or complaint comes back to the envelope sender of the message it is about, so
the token in that address names the message and its subscription without reading the
bounce's prose. The token is 29 base32 characters (lower case: some mail servers fold
the case of local parts):

    token = base32(mac ‖ ids ⊕ pad)
    mac   = HMAC-SHA256(k_mac, ids)[:10]          (80 bits: cannot be forged)
    pad   = HMAC-SHA256(k_pad, mac)[:8]           (hides the ids)
    ids   = subscription id (4 bytes) ‖ outbox row id (4 bytes)

Both keys derive from the service's secret key. The token is deterministic (the same
message always has the same return path, also after a retry) and reveals nothing: it
looks random, and no two messages share it. Pure code: no I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass

_MAC_BYTES = 10
_IDS_BYTES = 8
TOKEN_LENGTH = 29  # base32 of 18 bytes, without padding
_MAX_ID = 2**32 - 1


@dataclass(frozen=True, slots=True)
class Mark:
    """What a return-path token says: the message's subscription and outbox row."""

    subscription_id: int
    outbox_id: int


def _key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"return-path:{purpose}".encode(), hashlib.sha256).digest()


def _pad(secret: str, mac: bytes) -> bytes:
    return hmac.new(_key(secret, "pad"), mac, hashlib.sha256).digest()[:_IDS_BYTES]


def _xor(left: bytes, right: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(left, right, strict=True))


def token_for(secret: str, mark: Mark) -> str:
    if not (0 <= mark.subscription_id <= _MAX_ID and 0 <= mark.outbox_id <= _MAX_ID):
        raise ValueError("ids out of range for a return-path token")
    ids = mark.subscription_id.to_bytes(4, "big") + mark.outbox_id.to_bytes(4, "big")
    mac = hmac.new(_key(secret, "mac"), ids, hashlib.sha256).digest()[:_MAC_BYTES]
    raw = mac + _xor(ids, _pad(secret, mac))
    return base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def read_token(secret: str, token: str) -> Mark | None:
    """The mark in a token, or None when the token is not one of ours (or altered)."""
    if len(token) != TOKEN_LENGTH:
        return None
    try:
        raw = base64.b32decode(token.upper() + "===")
    except (binascii.Error, ValueError):
        return None
    mac, hidden = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
    ids = _xor(hidden, _pad(secret, mac))
    expected = hmac.new(_key(secret, "mac"), ids, hashlib.sha256).digest()[:_MAC_BYTES]
    if not hmac.compare_digest(mac, expected):
        return None
    return Mark(int.from_bytes(ids[:4], "big"), int.from_bytes(ids[4:], "big"))


def return_path(secret: str, local: str, domain: str, mark: Mark) -> str:
    return f"{local}+{token_for(secret, mark)}@{domain}"


class ReturnPathReader:
    """Finds our return paths in any text (a bounce's recipients, headers or body)."""

    def __init__(self, secret: str, local: str, domain: str) -> None:
        self._secret = secret
        # Any case: the address may have been folded to upper case on its way back.
        self._pattern = re.compile(
            rb"(?<![A-Za-z0-9._+-])"
            + re.escape(local.encode())
            + rb"\+([A-Za-z2-7]{%d})@" % TOKEN_LENGTH
            + re.escape(domain.encode())
            + rb"(?!\.?[A-Za-z0-9-])",
            re.IGNORECASE,
        )

    def first(self, *texts: bytes) -> Mark | None:
        """The first valid mark in `texts`, in order; forged or altered tokens are skipped."""
        for text in texts:
            for found in self._pattern.finditer(text):
                mark = read_token(self._secret, found.group(1).decode("ascii"))
                if mark is not None:
                    return mark
        return None
