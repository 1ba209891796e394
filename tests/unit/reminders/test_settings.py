"""Settings fail fast, naming each bad variable; the CLI shows that without a traceback."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from reminders.cli import main
from reminders.settings import DEV_SECRET, Environment, SettingsError, load_settings


def test_defaults_need_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("GCMCAL_"):
            monkeypatch.delenv(name)
    settings = load_settings()
    assert (settings.environment, settings.uses_smtp, settings.secret_key.get_secret_value()) == (
        Environment.DEV,
        False,
        DEV_SECRET,
    )


def test_every_bad_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCMCAL_SMTP_PORT", "twenty-five")
    monkeypatch.setenv("GCMCAL_SEND_RATE", "-1")
    monkeypatch.setenv("GCMCAL_LOG_LEVEL", "LOUD")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert [line.split(":")[0] for line in str(caught.value).splitlines()] == [
        "GCMCAL_SMTP_PORT",
        "GCMCAL_SEND_RATE",
        "GCMCAL_LOG_LEVEL",
    ]


def test_production_refuses_the_dev_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCMCAL_ENVIRONMENT", "production")
    monkeypatch.delenv("GCMCAL_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == (
        "settings: Value error, GCMCAL_SECRET_KEY must be set to a real secret in production"
    )


def test_cli_reports_bad_settings_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCMCAL_SMTP_PORT", "0")
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: invalid settings:",
        "GCMCAL_SMTP_PORT: Input should be greater than or equal to 1",
    ]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"GCMCAL_BOUNCE_DOMAIN": "bounces example.org"},
            "GCMCAL_BOUNCE_DOMAIN 'bounces example.org' is not a domain name",
        ),
        (
            {"GCMCAL_BOUNCE_LOCAL": "bounce+s"},
            "GCMCAL_BOUNCE_LOCAL 'bounce+s': use letters, digits, '.', '_', '-'",
        ),
        (
            {"GCMCAL_DKIM_SELECTOR": "s2026"},
            "GCMCAL_DKIM_SELECTOR and GCMCAL_DKIM_KEY_FILE go together",
        ),
    ],
)
def test_bounce_and_dkim_settings_are_checked(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == f"settings: Value error, {message}"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0", "Input should be greater than or equal to 1"),
        ("lots", "Input should be a valid integer, unable to parse string as an integer"),
    ],
)
def test_feed_cache_size_is_checked(
    monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    monkeypatch.setenv("GCMCAL_FEED_CACHE_MB", value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == f"GCMCAL_FEED_CACHE_MB: {problem}"
