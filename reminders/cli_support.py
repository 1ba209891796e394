"""What every `gcmcal` command needs: settings, the clock, moments and the timeline, each
turned into one plain line on the command line when it is wrong."""

from __future__ import annotations

from datetime import datetime

import click

from feeds import Timeline, TimelineError, load_timeline
from reminders.clock import system_clock
from reminders.settings import Settings, SettingsError, load_settings


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"invalid settings:\n{exc}") from None


def now() -> datetime:
    return system_clock()


def moment(option: str, text: str) -> datetime:
    """`text` as an aware moment, or a usage error naming `option`."""
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise click.UsageError(f"{option}: {text!r} is not an ISO date and time") from None
    if at.utcoffset() is None:
        raise click.UsageError(f"{option}: {text!r} needs a zone, e.g. 2024-03-01T09:00Z")
    return at


def timeline_in_service(settings: Settings) -> Timeline:
    """The timeline of GCMCAL_TIMELINE, or why it cannot be loaded."""
    try:
        return load_timeline(settings.timeline)
    except TimelineError as exc:
        raise click.ClickException(f"the timeline cannot be loaded: {exc}") from None
