"""`gcmcal`: the one command-line entry point of the service."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from feeds import TimelineError, load_timeline
from reminders.settings import Settings, SettingsError, load_settings
from reminders.summary import timeline_summary


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"invalid settings:\n{exc}") from None


def _now() -> datetime:
    return datetime.now(UTC)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Calendar feeds and email reminders for the GCM regional reviews."""


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
def check(path: Path | None) -> None:
    """Validate a timeline file (default: GCMCAL_TIMELINE) and print its summary."""
    target = path or _settings().timeline
    try:
        timeline = load_timeline(target)
    except TimelineError as exc:
        click.echo(f"{exc.source}: {len(exc.problems)} problem(s)", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    click.echo(timeline_summary(timeline, _now()))
