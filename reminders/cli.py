"""`gcmcal`: the one command-line entry point of the service."""

from __future__ import annotations

import asyncio
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


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--no-scheduler",
    is_flag=True,
    help="Serve pages and feeds only; run `gcmcal worker` elsewhere for reminders.",
)
def serve(host: str, port: int, no_scheduler: bool) -> None:
    """Serve the pages and feeds, and run the reminder scheduler."""
    import uvicorn

    from reminders.logs import configure_logging
    from reminders.service import build_app

    settings = _settings()
    configure_logging(settings)
    asyncio.run(_preflight(settings))
    app = build_app(settings)
    click.echo(f"gcm-calendar on http://{host}:{port}/ (timeline {settings.timeline})")
    uvicorn.run(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_level=settings.log_level.lower(),
        access_log=False,
    )


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export(directory: Path) -> None:
    """Write every feed and page as static files into DIRECTORY."""
    asyncio.run(_export(_settings(), directory))


async def _export(settings: Settings, directory: Path) -> None:
    from reminders.export import ExportError, export_items, fetch, write_file
    from reminders.service import Service, StartupError

    service = Service.create(settings)
    try:
        await service.open()
    except StartupError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        app = service.asgi()
        items = list(export_items(service.timeline()))
        with click.progressbar(items, label="Exporting", file=sys.stderr) as progress:
            for item in progress:
                try:
                    body = await fetch(app, item.url)
                except ExportError as exc:
                    raise click.ClickException(str(exc)) from None
                await asyncio.to_thread(write_file, directory, item.target, body)
    finally:
        await service.close()
    click.echo(f"exported {len(items)} files to {directory}")


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database (GCMCAL_DATABASE_URL) to the newest schema."""
    from reminders.db.migrate import head_revision, upgrade

    settings = _settings()
    asyncio.run(upgrade(settings.database_url))
    click.echo(f"database schema at {head_revision(settings.database_url)}")


async def _preflight(settings: Settings) -> None:
    """Fail with a plain message, before the server starts, if the service cannot run."""
    from reminders.service import Service, StartupError

    service = Service.create(settings)
    try:
        await service.open()
    except StartupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        await service.close()
