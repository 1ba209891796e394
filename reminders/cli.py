"""`gcmcal`: the one command-line entry point of the service."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from feeds import Timeline, TimelineError, load_timeline, missing_translations
from reminders import cli_support
from reminders.bounce_cli import bounces
from reminders.cli_subscriptions import preview, subscriptions
from reminders.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from reminders.impact import Impact
from reminders.summary import timeline_summary, timeline_warnings


class _Commands(click.Group):
    """Turns the failures an operator can fix into one plain line, not a traceback.

    A closed output pipe (``gcmcal subscriptions list --show-emails | head``) is not a
    failure: it goes on to click, which ends the command quietly.
    """

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        from reminders.db.migrate import SchemaOutOfDate
        from reminders.wiring import StartupError

        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise
        except (SchemaOutOfDate, StartupError) as exc:
            raise click.ClickException(str(exc)) from None
        except (OSError, SQLAlchemyError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise click.ClickException(f"cannot use the database or a file: {reason}") from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Calendar feeds and email reminders for the GCM regional reviews."""


main.add_command(bounces)
main.add_command(subscriptions)
main.add_command(preview)


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--at", "at_text", default=None, help="Judge at this moment [default: now].")
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on any warning (a missing translation, a window that ended unresolved).",
)
def check(path: Path | None, at_text: str | None, strict: bool) -> None:
    """Validate a timeline file (default: GCMCAL_TIMELINE) and print its summary.

    Warns about every missing translation, and about every event whose possible window
    ended (judged at --at, default now) while it is still tentative or postponed.

    The events it would remove are compared with those in service (GCMCAL_DATABASE_URL):
    an edit that would empty the feeds, remove half of the events or every event of a
    region is refused unless confirmed in the file.
    """
    from feeds.removal_guard import removal_problems

    now = cli_support.moment("--at", at_text) if at_text is not None else cli_support.now()
    try:
        settings: Settings | None = load_settings()
    except SettingsError as exc:
        if path is None:
            raise click.ClickException(f"invalid settings:\n{exc}") from None
        settings = None  # the file named is still checked on its own
    target = path or settings.timeline if settings else path
    assert target is not None
    timeline = _timeline_or_exit(target)
    in_service = _events_in_service(settings) if settings else None
    held = removal_problems(in_service or {}, timeline)
    if held:
        _exit_with(TimelineError(str(target), held))
    warnings = [*missing_translations(timeline), *timeline_warnings(timeline, now)]
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(timeline_summary(timeline, now))
    if strict and warnings:
        click.echo(f"{target}: {len(warnings)} warning(s), failing (--strict)", err=True)
        sys.exit(1)


def _exit_with(error: TimelineError) -> None:
    click.echo(f"{error.source}: {len(error.problems)} problem(s)", err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


def _timeline_or_exit(path: Path) -> Timeline:
    """The timeline in `path`, or every problem in it listed and exit status 1."""
    try:
        return load_timeline(path)
    except TimelineError as exc:
        _exit_with(exc)
        raise AssertionError("unreachable") from None


def _sqlite_missing(url: str) -> str | None:
    """The path of a SQLite database that does not exist yet (None otherwise)."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database if url.startswith("sqlite") else None
    if database and database != ":memory:" and not Path(database).exists():
        return database
    return None


def _events_in_service(settings: Settings) -> dict[str, str] | None:
    """Event id -> region in service, or None when there is no database to read."""
    from sqlalchemy.exc import SQLAlchemyError

    from reminders.db.migrate import SchemaOutOfDate

    if _sqlite_missing(settings.database_url):
        return None
    try:
        return asyncio.run(_read_in_service(settings))
    except (OSError, SQLAlchemyError, SchemaOutOfDate):
        return None


async def _read_in_service(settings: Settings) -> dict[str, str]:
    from reminders.revision_store import events_in_service
    from reminders.wiring import opened_database

    async with opened_database(settings, read_only=True) as db, db.sessions() as session:
        return await events_in_service(session)


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
    from reminders import http_server
    from reminders.logs import configure_logging
    from reminders.service import build_app, start_in_service

    settings = cli_support.settings_or_exit()
    configure_logging(settings)
    asyncio.run(_preflight(settings))
    app = build_app(settings, background=None if no_scheduler else start_in_service)
    click.echo(f"gcm-calendar on http://{host}:{port}/ (timeline {settings.timeline})")
    try:
        http_server.run(app, host, port, settings.log_level)
    except http_server.ServeError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export(directory: Path) -> None:
    """Write every feed and page as static files into DIRECTORY."""
    asyncio.run(_export(cli_support.settings_or_exit(), directory))


async def _export(settings: Settings, directory: Path) -> None:
    from reminders.export import ExportError, export_items, fetch, write_file
    from reminders.service import Service

    service = Service.create(settings)
    try:
        await service.open()  # a StartupError becomes one line in `_Commands.invoke`
        app = service.asgi()
        items = list(export_items(service.timeline()))
        with click.progressbar(items, label="Exporting", file=sys.stderr) as progress:
            for item in progress:
                try:
                    body = await fetch(app, item.url)
                    await asyncio.to_thread(write_file, directory, item.target, body)
                except ExportError as exc:
                    raise click.ClickException(str(exc)) from None
    finally:
        await service.close()
    click.echo(f"exported {len(items)} files to {directory}")


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools instead of text.")
def impact(path: Path, as_json: bool) -> None:
    """What saving the edited timeline PATH would change, and who would be told (dry run)."""

    from reminders import impact as impact_module

    edited = _timeline_or_exit(path)
    settings = cli_support.settings_or_exit()
    if database := _sqlite_missing(settings.database_url):
        raise click.ClickException(
            f"GCMCAL_DATABASE_URL: no database at {database}: the service has not run yet"
        )
    found = asyncio.run(_impact(settings, edited, cli_support.now()))
    if as_json:
        click.echo(impact_module.as_json(found, str(path)))
    else:
        click.echo("\n".join(impact_module.lines(found, str(path))))


async def _impact(settings: Settings, edited: Timeline, now: datetime) -> Impact:
    """Read what the service holds, without writing (not even a schema upgrade)."""
    from feeds.history import removed
    from reminders.impact import StoredEvent, assess
    from reminders.planning_tick import load_subscribers
    from reminders.revision_store import load_history, stored_events
    from reminders.wiring import opened_database

    async with opened_database(settings, read_only=True) as db, db.sessions() as session:
        stored = {
            event_id: StoredEvent(*parts)
            for event_id, parts in (await stored_events(session)).items()
        }
        gone = removed(await load_history(session))
        subscribers = await load_subscribers(await session.connection())
    return assess(edited, stored, gone, subscribers, now)


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--region", default=None, help="Region of new events [default: global].")
@click.option(
    "--timeline",
    "timeline_path",
    default=None,
    type=click.Path(path_type=Path),
    help="Timeline file to compare with [default: GCMCAL_TIMELINE].",
)
def import_(file: Path, region: str | None, timeline_path: Path | None) -> None:
    """Suggest timeline changes from an iCalendar export (Indico); never edits the timeline."""
    from reminders import calendar_import

    timeline = _timeline_or_exit(timeline_path or cli_support.settings_or_exit().timeline)
    if region is not None and timeline.region(region) is None:
        ids = ", ".join(r.id for r in timeline.regions)
        raise click.UsageError(f"--region: no region {region!r}; use one of {ids}")
    try:
        exported, skipped = calendar_import.read_export(file.read_bytes(), str(file))
    except calendar_import.ImportProblem as exc:
        raise click.ClickException(str(exc)) from None
    found = calendar_import.suggest(timeline, exported, region)
    click.echo("\n".join(calendar_import.lines(found, str(file), skipped)))


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database (GCMCAL_DATABASE_URL) to the newest schema."""
    from reminders.db.migrate import head_revision, upgrade

    settings = cli_support.settings_or_exit()
    asyncio.run(upgrade(settings.database_url))
    click.echo(f"database schema at {head_revision(settings.database_url)}")


async def _preflight(settings: Settings) -> None:
    """Fail with a plain message, before the server starts, if the service cannot run."""
    from reminders.service import Service

    service = Service.create(settings)
    try:
        await service.open()  # a StartupError becomes one line in `_Commands.invoke`
    finally:
        await service.close()


# -- reminders: worker, subscriptions, preview ----------------------------------------------


@main.command()
@click.option(
    "--lease",
    default=300.0,
    show_default=True,
    type=click.FloatRange(min=1.0),
    help="Seconds a claimed message stays reserved for this worker.",
)
@click.option("--once", is_flag=True, help="Plan and send what is due now, then exit.")
def worker(lease: float, once: bool) -> None:
    """Plan and send reminders without the web server; SIGTERM or Ctrl-C stops it."""
    from datetime import timedelta

    import uvloop  # as `gcmcal serve` runs

    from reminders import worker as reminder_worker
    from reminders.logs import configure_logging

    settings = cli_support.settings_or_exit()
    configure_logging(settings)
    uvloop.run(reminder_worker.run(settings, lease=timedelta(seconds=lease), once=once))
