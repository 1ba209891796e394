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

Least privilege: the manage token changes everything, so links that need less carry
less. The List-Unsubscribe URL and the unsubscribe link in emails carry a token that
can only unsubscribe, and the personal feed URL one that can only read the feed; both
are ``<handle>.<HMAC>`` (`handle_token`), where the handle is a random public name of
the subscription (not its sequential id).
Pure: the secret is passed in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets


def manage_token(secret: str, subscription_id: int, generation: int = 0) -> str:
    """The raw token of a subscription's links (URL-safe, 43 characters)."""
    return _mac(secret, f"manage:{subscription_id}:{generation}")


def _mac(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def feed_token(secret: str, subscription_id: int, generation: int) -> str:
    """``<id>-<HMAC>``: the personal feed's secret before handles (`handle_token`).

    Still accepted: calendars poll these URLs and would silently stop; a new link
    (a new generation) retires them. New feed URLs never show the id.
    """
    return f"{subscription_id}-{_mac(secret, f'feed:{subscription_id}:{generation}')}"


#: A subscription's public handle: random, so links built on it reveal no sequential id
#: and no count of subscribers.
_HANDLE_BYTES = 16
_HANDLE_TOKEN = re.compile(r"(?P<handle>[A-Za-z0-9_-]{22})\.(?P<mac>[A-Za-z0-9_-]{43})")


def new_handle() -> str:
    return secrets.token_urlsafe(_HANDLE_BYTES)


def handle_token(
    secret: str, purpose: str, handle: str, subscription_id: int, generation: int
) -> str:
    """``<handle>.<HMAC>``: a link that can do one thing (`purpose`: "feed" reads the
    personal feed, "unsubscribe" only unsubscribes); a new generation revokes it."""
    return f"{handle}.{_mac(secret, f'{purpose}:{subscription_id}:{generation}')}"


def handle_of(token: str) -> str | None:
    """The handle a `handle_token` names, or None when `token` is not one."""
    found = _HANDLE_TOKEN.fullmatch(token)
    return found["handle"] if found else None


def token_hash(token: str) -> str:
    """What the database stores of a token: SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(given: str, expected: str) -> bool:
    """Constant-time equality of two tokens or hashes."""
    return hmac.compare_digest(given.encode(), expected.encode())


def matches(token: str, stored_hash: str) -> bool:
    """Whether a token from a link belongs to a stored hash."""
    return same(token_hash(token), stored_hash)
