"""The per-message return path: a token that names the message, hides it, and cannot be
forged or altered."""

from __future__ import annotations

import string

import pytest

from reminders.return_path import (
    TOKEN_LENGTH,
    Mark,
    ReturnPathReader,
    read_token,
    return_path,
    token_for,
)

SECRET = "test-secret-for-return-paths"
MARK = Mark(subscription_id=1234, outbox_id=987654)


def test_token_round_trip_gives_the_mark_back() -> None:
    assert read_token(SECRET, token_for(SECRET, MARK)) == MARK


def test_token_is_lower_case_base32_of_fixed_length() -> None:
    token = token_for(SECRET, MARK)
    assert (len(token), set(token) <= set(string.ascii_lowercase + "234567")) == (
        TOKEN_LENGTH,
        True,
    )


def test_token_reveals_no_id_and_differs_per_message() -> None:
    tokens = {token_for(SECRET, Mark(1, outbox)) for outbox in range(1, 201)}
    digits = [token for token in tokens if "1" in token or "0" in token]
    assert (len(tokens), digits) == (200, [])


def test_token_of_another_secret_is_refused() -> None:
    assert read_token(SECRET, token_for("another-secret", MARK)) is None


@pytest.mark.parametrize("position", [0, 5, 15, 28])
def test_altered_token_is_refused(position: int) -> None:
    token = token_for(SECRET, MARK)
    changed = "a" if token[position] != "a" else "b"
    assert read_token(SECRET, token[:position] + changed + token[position + 1 :]) is None


@pytest.mark.parametrize("token", ["", "short", "a" * TOKEN_LENGTH, "!" * TOKEN_LENGTH])
def test_malformed_token_is_refused(token: str) -> None:
    assert read_token(SECRET, token) is None


def test_return_path_is_local_plus_token_at_domain() -> None:
    assert return_path(SECRET, "bounces", "b.example.org", MARK) == (
        f"bounces+{token_for(SECRET, MARK)}@b.example.org"
    )


def test_reader_finds_the_mark_in_folded_case_among_forgeries() -> None:
    reader = ReturnPathReader(SECRET, "bounces", "b.example.org")
    forged = f"bounces+{token_for('guess', Mark(1, 1))}@b.example.org"
    real = return_path(SECRET, "bounces", "b.example.org", MARK).upper()
    text = f"Final-Recipient: rfc822; {forged}\nX-Original-To: <{real}>\n".encode()
    assert reader.first(b"nothing here", text) == MARK


def test_reader_ignores_other_domains_and_local_parts() -> None:
    reader = ReturnPathReader(SECRET, "bounces", "b.example.org")
    token = token_for(SECRET, MARK)
    text = f"xbounces+{token}@b.example.org bounces+{token}@b.example.org.evil".encode()
    assert reader.first(text) is None
