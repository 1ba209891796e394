from __future__ import annotations

import base64
import hashlib
import hmac

from reminders.tokens import manage_token, matches, same, token_hash

SECRET = "test-secret"


def test_manage_token_is_hmac_of_id_and_generation() -> None:
    digest = hmac.new(b"test-secret", b"manage:42:0", hashlib.sha256).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert manage_token(SECRET, 42) == expected
    assert len(expected) == 43


def test_manage_token_differs_by_id_generation_and_secret() -> None:
    tokens = {
        manage_token(SECRET, 1),
        manage_token(SECRET, 2),
        manage_token(SECRET, 1, generation=1),
        manage_token("other-secret", 1),
    }
    assert len(tokens) == 4


def test_manage_token_stable() -> None:
    assert manage_token(SECRET, 7, 3) == manage_token(SECRET, 7, 3)


def test_token_hash_sha256_hex() -> None:
    assert token_hash("abc") == hashlib.sha256(b"abc").hexdigest()


def test_matches_own_hash_only() -> None:
    token = manage_token(SECRET, 5)
    assert (matches(token, token_hash(token)), matches(token, token_hash(token + "x"))) == (
        True,
        False,
    )


def test_same_constant_time_equality() -> None:
    assert (same("a", "a"), same("a", "b"), same("", "a")) == (True, False, False)
