"""Email addresses within RFC 5321's size limits (pure).

RFC 5321 4.5.3.1.1 caps the local part at 64 octets, and 4.5.3.1.3 the path at 256
octets including its angle brackets, so an address has at most 254 (RFC 3696 erratum
1690). A longer one is refused by many relays, and a stored one would be retried and
bounced for ever, so every way an address comes in (the forms, the command line, the
settings) checks it here.
"""

from __future__ import annotations

MAX_LOCAL_PART = 64
MAX_ADDRESS = 254


def length_problem(address: str) -> str | None:
    """Why `address` is too long for SMTP, or None (octets, as UTF-8)."""
    local = address.rpartition("@")[0]
    if len(local.encode()) > MAX_LOCAL_PART:
        return f"the part before the @ is longer than {MAX_LOCAL_PART} octets (RFC 5321)"
    if len(address.encode()) > MAX_ADDRESS:
        return f"the address is longer than {MAX_ADDRESS} octets (RFC 5321)"
    return None
