"""`gcmcal`: the one command-line entry point of the service."""

from __future__ import annotations

import asyncio
import csv
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from feeds import Timeline, TimelineError, load_timeline, missing_translations
from reminders.bounce_cli import bounces
from reminders.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from reminders.impact import Impact
from reminders.summary import timeline_summary, timeline_warnings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(f"invalid settings:\n{exc}") from None


def _now() -> datetime:
    return datetime.now(UTC)


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


def _moment(option: str, text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise click.UsageError(f"{option}: {text!r} is not an ISO date and time") from None
    if at.utcoffset() is None:
        raise click.UsageError(f"{option}: {text!r} needs a zone, e.g. 2024-03-01T09:00Z")
    return at


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

    now = _moment("--at", at_text) if at_text is not None else _now()
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
        return asyncio.run(_read_in_service(settings.database_url))
    except (OSError, SQLAlchemyError, SchemaOutOfDate):
        return None


async def _read_in_service(url: str) -> dict[str, str]:
    from reminders.db.engine import create_engine, session_factory
    from reminders.db.migrate import require_current
    from reminders.revision_store import events_in_service

    engine = create_engine(url)
    try:
        await require_current(engine, url)
        async with session_factory(engine)() as session:
            return await events_in_service(session)
    finally:
        await engine.dispose()


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
    from reminders.service import build_app, start_in_service

    settings = _settings()
    configure_logging(settings)
    asyncio.run(_preflight(settings))
    app = build_app(settings, background=None if no_scheduler else start_in_service)
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
    from reminders.service import Service
    from reminders.wiring import StartupError

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
    settings = _settings()
    if database := _sqlite_missing(settings.database_url):
        raise click.ClickException(
            f"GCMCAL_DATABASE_URL: no database at {database}: the service has not run yet"
        )
    found = asyncio.run(_impact(settings, edited, _now()))
    if as_json:
        click.echo(impact_module.as_json(found, str(path)))
    else:
        click.echo("\n".join(impact_module.lines(found, str(path))))


async def _impact(settings: Settings, edited: Timeline, now: datetime) -> Impact:
    """Read what the service holds, without writing (not even a schema upgrade)."""
    from feeds.history import removed
    from reminders.db.engine import create_engine, session_factory
    from reminders.db.migrate import require_current
    from reminders.impact import StoredEvent, assess
    from reminders.planning import load_subscribers
    from reminders.revision_store import load_history, stored_events

    url = settings.database_url
    engine = create_engine(url)
    try:
        await require_current(engine, url)
        async with session_factory(engine)() as session:
            stored = {
                event_id: StoredEvent(*parts)
                for event_id, parts in (await stored_events(session)).items()
            }
            gone = removed(await load_history(session))
            subscribers = await load_subscribers(await session.connection())
    finally:
        await engine.dispose()
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

    timeline = _timeline_or_exit(timeline_path or _settings().timeline)
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

    settings = _settings()
    asyncio.run(upgrade(settings.database_url))
    click.echo(f"database schema at {head_revision(settings.database_url)}")


async def _preflight(settings: Settings) -> None:
    """Fail with a plain message, before the server starts, if the service cannot run."""
    from reminders.service import Service
    from reminders.wiring import StartupError

    service = Service.create(settings)
    try:
        await service.open()
    except StartupError as exc:
        raise click.ClickException(str(exc)) from None
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

    import uvloop  # as `gcmcal serve` runs (uvicorn's loop="uvloop")

    from reminders import worker as reminder_worker
    from reminders.logs import configure_logging

    settings = _settings()
    configure_logging(settings)
    uvloop.run(reminder_worker.run(settings, lease=timedelta(seconds=lease), once=once))


@main.group()
def subscriptions() -> None:
    """Add, import, show, resume, remove and count subscriptions."""


@subscriptions.command("add")
@click.argument("email")
@click.option("--region", "regions", multiple=True, help="Region id; repeat; none = all.")
@click.option("--kind", "kinds", multiple=True, help="Event kind; repeat; none = all.")
@click.option("--lang", default="en", show_default=True, help="Language of the emails.")
@click.option("--tz", default=None, help="Time zone [default: the one --region's, else UTC].")
@click.option("--lead", "leads", multiple=True, help="Lead time (8w 3w 1w 1d 1h); repeat.")
@click.option("--hour", default=9, show_default=True, type=int, help="Delivery hour, 0-23.")
def subscriptions_add(
    email: str,
    regions: tuple[str, ...],
    kinds: tuple[str, ...],
    lang: str,
    tz: str | None,
    leads: tuple[str, ...],
    hour: int,
) -> None:
    """Add EMAIL as an active subscription (its owner opted in already)."""
    from reminders import roster

    settings = _settings()
    try:
        timeline = load_timeline(settings.timeline)
    except TimelineError as exc:
        raise click.ClickException(f"the timeline cannot be loaded: {exc}") from None
    if tz is None:
        region = timeline.region(regions[0]) if len(regions) == 1 else None
        tz = region.tz if region else "UTC"
    try:
        address = roster.normalized_email(email)
        choices = roster.validate(
            timeline, regions=regions, kinds=kinds, language=lang, tz=tz, leads=leads, hour=hour
        )
    except roster.ChoiceError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        added = asyncio.run(roster.add_command(settings, address, choices, _now()))
    except (roster.AlreadySubscribed, roster.Unsubscribed) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"subscription {added} added (active)")


@subscriptions.command("list")
@click.option("--show-emails", is_flag=True, help="Also print every address and its state.")
def subscriptions_list(show_emails: bool) -> None:
    """Count subscriptions per state (addresses only with --show-emails)."""
    from reminders import roster

    found = asyncio.run(roster.list_command(_settings(), with_emails=show_emails))
    for state, count in found.counts.items():
        click.echo(f"{state:<8} {count}")
    click.echo(f"{'total':<8} {sum(found.counts.values())}")
    for address, state in found.emails:
        click.echo(f"{address}\t{state}")


@main.command()
@click.option("--at", "at_text", required=True, help="When, with a zone: 2024-03-01T09:00Z.")
@click.option("--email", default=None, help="Only this subscriber (the address is shown).")
@click.option("--window", default="1h", show_default=True, help="How far back: 30m, 1h, 2d.")
def preview(at_text: str, email: str | None, window: str) -> None:
    """Dry run: what would be sent in the WINDOW before --at, to whom and why."""
    import re
    from datetime import timedelta

    from reminders import roster

    at = _moment("--at", at_text)
    match = re.fullmatch(r"([1-9][0-9]{0,4})([mhd])", window.strip())
    if match is None:
        raise click.UsageError(f"--window: {window!r} is not like 30m, 1h or 2d")
    unit = {"m": "minutes", "h": "hours", "d": "days"}[match[2]]
    span = timedelta(**{unit: int(match[1])})
    settings = _settings()
    try:
        timeline = load_timeline(settings.timeline)
        address = roster.normalized_email(email) if email is not None else None
        lines = asyncio.run(roster.preview_command(settings, timeline, at, span, address))
    except TimelineError as exc:
        raise click.ClickException(f"the timeline cannot be loaded: {exc}") from None
    except roster.ChoiceError as exc:
        raise click.UsageError(str(exc)) from None
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    for line in lines:
        click.echo(line)


def _address(email: str) -> str:
    from reminders import roster

    try:
        return roster.normalized_email(email)
    except roster.ChoiceError as exc:
        raise click.UsageError(str(exc)) from None


@subscriptions.command("show")
@click.argument("email")
def subscriptions_show(email: str) -> None:
    """State, choices and recent failed sends (bounces) of EMAIL's subscription."""
    from reminders import roster

    try:
        found = asyncio.run(roster.show_command(_settings(), _address(email)))
    except roster.NotFound as exc:
        raise click.ClickException(str(exc)) from None
    for line in roster.details_lines(found):
        click.echo(line)


@subscriptions.command("resume")
@click.argument("email")
def subscriptions_resume(email: str) -> None:
    """Resume EMAIL's paused subscription (after bounces, or paused by its owner)."""
    from reminders import roster
    from reminders.states import SubscriptionState

    try:
        before = asyncio.run(roster.resume_command(_settings(), _address(email)))
    except roster.NotFound as exc:
        raise click.ClickException(str(exc)) from None
    except roster.ChoiceError as exc:
        raise click.ClickException(str(exc)) from None
    if before is SubscriptionState.ACTIVE:
        click.echo("the subscription is already active")
    else:
        click.echo("subscription resumed (active); its bounce score is cleared")


@subscriptions.command("remove")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def subscriptions_remove(email: str, yes: bool) -> None:
    """Erase EMAIL's subscription and its sending record (as an unsubscribe does)."""
    from reminders import roster

    address = _address(email)
    if not yes:
        click.confirm(f"Erase the subscription of {address}?", abort=True, err=True)
    try:
        asyncio.run(roster.remove_command(_settings(), address, _now()))
    except roster.NotFound as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        "subscription erased; only a keyed hash of the address is kept, so that an import "
        "does not add it again"
    )


@subscriptions.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def subscriptions_import(file: Path) -> None:
    """Add the people listed in FILE (CSV) who already opted in elsewhere.

    The first line names the columns: email (required), regions, kinds, language, tz,
    leads, hour. Several regions, kinds or leads are separated by spaces or semicolons;
    an empty cell takes the default of `subscriptions add`. Rows that cannot be added
    are listed with their row number and column; the others are added. Exits with 1
    when a row was refused.
    """
    from reminders import csv_import, roster_import

    settings = _settings()
    try:
        timeline = load_timeline(settings.timeline)
    except TimelineError as exc:
        raise click.ClickException(f"the timeline cannot be loaded: {exc}") from None
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{file}: not UTF-8 text (byte {exc.start})") from None
    try:
        rows = list(csv_import.read_rows(text, timeline))
    except csv_import.HeaderError as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    except csv.Error as exc:
        raise click.ClickException(f"{file}: not a CSV file: {exc}") from None
    with click.progressbar(length=len(rows), label="Importing", file=sys.stderr) as bar:
        report = asyncio.run(roster_import.import_command(settings, rows, _now(), bar.update))
    click.echo(f"{report.added} added (active), {len(report.refused)} refused")
    for refusal in report.refused:
        click.echo(f"  {refusal}")
    if report.refused:
        sys.exit(1)
