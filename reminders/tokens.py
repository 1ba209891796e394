"""Manage tokens: the secret in every email's manage and unsubscribe links.

Every email must carry a working manage link, yet the database keeps only a hash of the
token (a leaked table must not let anyone change subscriptions). So the raw token is not
random-and-forgotten but *derived*:

    token = base64url(HMAC-SHA256(secret_key, "manage:<subscription id>:<generation>"))

- The composer recomputes it for each email; nothing secret is stored per subscriber.
- `Subscription.token_hash` stores ``sha256(token)`` (hex) and the pages look a link's
  token up by that hash, then compare in constant time (`same`).
- Rotating one subscriber's token (a "send me a new link" request, a leaked link) bumps
  its generation: the old links stop working, the next emails carry the new one.
- Changing ``GCMCAL_SECRET_KEY`` changes every token: all stored hashes must then be
  recomputed, and links in mail already sent stop working.

43 characters of base64url carry the HMAC's 256 bits, like ``secrets.token_urlsafe(32)``.
Pure: the secret is passed in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def manage_token(secret: str, subscription_id: int, generation: int = 0) -> str:
    """The raw token of a subscription's links (URL-safe, 43 characters)."""
    message = f"manage:{subscription_id}:{generation}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def feed_token(secret: str, subscription_id: int, generation: int) -> str:
    """``<id>-<HMAC>``: the personal feed's secret; a new generation revokes it."""
    message = f"feed:{subscription_id}:{generation}".encode()
    mac = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return f"{subscription_id}-{base64.urlsafe_b64encode(mac).rstrip(b'=').decode('ascii')}"


def token_hash(token: str) -> str:
    """What the database stores of a token: SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(given: str, expected: str) -> bool:
    """Constant-time equality of two tokens or hashes."""
    return hmac.compare_digest(given.encode(), expected.encode())


def matches(token: str, stored_hash: str) -> bool:
    """Whether a token from a link belongs to a stored hash."""
    return same(token_hash(token), stored_hash)


def random_token() -> str:
    """A fresh random token, for one-off secrets that are not derived (e.g. test data)."""
    return secrets.token_urlsafe(32)
