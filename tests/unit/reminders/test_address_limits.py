"""Addresses within RFC 5321 limits: 64 octets before the @, 254 in all, wherever an
address comes in (the forms, the command line, the settings, the composer)."""

from __future__ import annotations

import pytest

from reminders.addresses import length_problem
from reminders.settings import SettingsError, load_settings
from reminders.subscription_admin import ChoiceError, normalized_email
from reminders.subscription_choices import E_EMAIL_TOO_LONG
from reminders.web.forms import check_email

LOCAL_64 = "a" * 64 + "@example.org"
LOCAL_65 = "a" * 65 + "@example.org"
#: 3 + 4 * 61 + 3 + 4 = 254 octets; one more letter makes 255.
WHOLE_254 = "aa@" + ".".join(["b" * 61] * 4) + ".org"
WHOLE_255 = "aaa@" + ".".join(["b" * 61] * 4) + ".org"


def test_address_limits_are_rfc_5321s() -> None:
    assert (len(WHOLE_254), len(WHOLE_255)) == (254, 255)
    assert [length_problem(a) for a in (LOCAL_64, LOCAL_65, WHOLE_254, WHOLE_255)] == [
        None,
        "the part before the @ is longer than 64 octets (RFC 5321)",
        None,
        "the address is longer than 254 octets (RFC 5321)",
    ]


def test_address_limits_apply_to_the_forms() -> None:
    assert [check_email(a) for a in (LOCAL_64, LOCAL_65, WHOLE_254, WHOLE_255)] == [
        (LOCAL_64, None),
        (LOCAL_65, E_EMAIL_TOO_LONG),
        (WHOLE_254, None),
        (WHOLE_255[:254], E_EMAIL_TOO_LONG),  # the form keeps what fits
    ]


def test_address_limits_apply_to_the_command_line() -> None:
    assert normalized_email(LOCAL_64) == LOCAL_64
    with pytest.raises(ChoiceError) as caught:
        normalized_email(LOCAL_65)
    assert str(caught.value) == (
        f"EMAIL: {LOCAL_65!r} is not a valid address: the part before the @ is longer than 64 "
        "octets (RFC 5321)"
    )


def test_address_limits_apply_to_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCMCAL_MAIL_FROM", f"GCM <{LOCAL_65}>")
    monkeypatch.setenv("GCMCAL_UNSUBSCRIBE_MAILBOX", WHOLE_255)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).splitlines() == [
        "GCMCAL_MAIL_FROM: Value error, the part before the @ is longer than 64 octets (RFC 5321)",
        "GCMCAL_UNSUBSCRIBE_MAILBOX: Value error, the address is longer than 254 octets (RFC 5321)",
    ]
