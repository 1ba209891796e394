"""DKIM signatures (RFC 6376, RFC 8463) on every message, with dkimpy.

The signing domain is the From address's, so that DMARC finds DKIM aligned. The key is
a PEM file: RSA (PKCS#1 `BEGIN RSA PRIVATE KEY` or PKCS#8 `BEGIN PRIVATE KEY`) or
Ed25519 (PKCS#8, as `openssl genpkey -algorithm ed25519` writes it). The signature
covers the headers receivers judge a reminder by, including both List-Unsubscribe
headers: RFC 8058 tells receivers not to offer one-click unsubscribe unless DKIM covers
them. Relaxed canonicalization on both parts survives relays that re-fold headers or
trim trailing spaces.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

import dkim

#: In the order they appear in our messages; names missing from a message are still
#: listed, so nobody can add them later without breaking the signature.
SIGNED_HEADERS: tuple[bytes, ...] = (
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"MIME-Version",
    b"Content-Type",
    b"Content-Transfer-Encoding",
    b"Content-Language",
    b"Auto-Submitted",
    b"Precedence",
    b"List-Id",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
)

_PEM = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\s+([A-Za-z0-9+/=\s]+?)-----END \1-----")
#: PKCS#8 wrapping of an Ed25519 key (RFC 8410): the 32-byte seed follows this prefix.
_ED25519_PKCS8 = bytes.fromhex("302e020100300506032b657004220420")


class DkimKeyError(ValueError):
    """The key file cannot be used; the message names the setting."""


@dataclass(frozen=True, slots=True)
class DkimKey:
    algorithm: bytes  # b"rsa-sha256" or b"ed25519-sha256"
    private: bytes  # what dkimpy takes: PEM for RSA, base64 seed for Ed25519


def parse_key(pem: bytes) -> DkimKey:
    """The DKIM key in a PEM document; `DkimKeyError` if it is not RSA or Ed25519."""
    found = _PEM.search(pem)
    if found is None:
        raise DkimKeyError("no PEM private key found")
    label = found.group(1)
    try:
        der = base64.b64decode(b"".join(found.group(2).split()), validate=True)
    except (binascii.Error, ValueError):
        raise DkimKeyError("the PEM block is not valid base64") from None
    if label == b"PRIVATE KEY" and der.startswith(_ED25519_PKCS8) and len(der) == 48:
        return DkimKey(b"ed25519-sha256", base64.b64encode(der[len(_ED25519_PKCS8) :]))
    if label in (b"RSA PRIVATE KEY", b"PRIVATE KEY"):
        # dkimpy reads the PEM itself; hand it over with plain line ends.
        body = base64.encodebytes(der)
        head, tail = b"-----BEGIN " + label + b"-----\n", b"-----END " + label + b"-----\n"
        return DkimKey(b"rsa-sha256", head + body + tail)
    raise DkimKeyError(f"unsupported key type {label.decode()!r} (use RSA or Ed25519)")


class Signer:
    """Adds a DKIM-Signature header to finished messages (CRLF line ends)."""

    def __init__(self, selector: str, domain: str, key: DkimKey) -> None:
        self.selector = selector
        self.domain = domain
        self.key = key
        # A key dkimpy cannot use fails here, at start, not on the first reminder.
        self.sign(b"From: check@" + domain.encode() + b"\r\n\r\ncheck\r\n")

    def sign(self, message: bytes) -> bytes:
        try:
            header = dkim.sign(
                message,
                self.selector.encode(),
                self.domain.encode(),
                self.key.private,
                signature_algorithm=self.key.algorithm,
                canonicalize=(b"relaxed", b"relaxed"),
                include_headers=list(SIGNED_HEADERS),
                linesep=b"\r\n",
            )
        except dkim.DKIMException as exc:
            raise DkimKeyError(f"DKIM signing failed: {exc}") from None
        return bytes(header) + message


def load_signer(selector: str, key_file: Path | None, mail_from: str) -> Signer | None:
    """The signer the settings ask for, or None when DKIM is not configured."""
    if not selector or key_file is None:
        return None
    domain = parseaddr(mail_from)[1].rpartition("@")[2]
    if not domain:
        raise DkimKeyError(f"GCMCAL_MAIL_FROM {mail_from!r} has no domain to sign for")
    try:
        pem = key_file.read_bytes()
    except OSError as exc:
        raise DkimKeyError(f"GCMCAL_DKIM_KEY_FILE {str(key_file)!r}: {exc.strerror}") from None
    try:
        return Signer(selector, domain.lower(), parse_key(pem))
    except DkimKeyError as exc:
        raise DkimKeyError(f"GCMCAL_DKIM_KEY_FILE {str(key_file)!r}: {exc}") from None
