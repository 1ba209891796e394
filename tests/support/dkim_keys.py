"""DKIM key pairs made with Debian's openssl, and a DNS stand-in that serves their records.

DNS is the one thing mocked: the tests cannot publish TXT records, so dkimpy's `dnsfunc`
answers the `<selector>._domainkey.<domain>` query from the key pair made here.
"""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: (name, openssl genpkey arguments, DKIM k= tag)
KEY_TYPES = {
    "rsa": (["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], "rsa"),
    "ed25519": (["-algorithm", "ed25519"], "ed25519"),
}


@dataclass(frozen=True)
class KeyPair:
    private_pem: Path
    dns_record: bytes  # the TXT record's value

    def dnsfunc(self, selector: str, domain: str) -> Callable[..., bytes | None]:
        name = f"{selector}._domainkey.{domain}.".encode()

        def lookup(query: bytes, timeout: float = 5) -> bytes | None:
            return self.dns_record if query == name else None

        return lookup


def _openssl(*args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def make_key(directory: Path, kind: str, *, traditional_rsa: bool = False) -> KeyPair:
    """A new key of `kind` ("rsa", "ed25519") in `directory`; PKCS#1 PEM if traditional."""
    args, tag = KEY_TYPES[kind]
    path = directory / f"{kind}{'-pkcs1' if traditional_rsa else ''}.pem"
    generated = path.with_suffix(".new")
    _openssl("genpkey", *args, "-out", str(generated))
    if traditional_rsa:
        _openssl("rsa", "-in", str(generated), "-traditional", "-out", str(path))
    else:
        generated.rename(path)
    public = _openssl("pkey", "-in", str(path), "-pubout", "-outform", "DER")
    # RSA publishes the SubjectPublicKeyInfo; Ed25519 the bare 32-byte key (RFC 8463).
    value = public[-32:] if kind == "ed25519" else public
    record = f"v=DKIM1; k={tag}; p={base64.b64encode(value).decode()}".encode()
    return KeyPair(path, record)
