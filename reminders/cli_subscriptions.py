"""`gcmcal subscriptions …` (the operator's view of subscriptions) and `gcmcal preview`."""

from __future__ import annotations

import asyncio
import csv
import sys
from pathlib import Path

import click

from reminders.cli_support import moment, now, settings_or_exit, timeline_in_service


@click.group()
def subscriptions() -> None:
    """Add, import, show, resume, remove and count subscriptions."""


@subscriptions.command("add")
@click.argument("email")
@click.option(
    "--region", "regions", multiple=True, help="Region id; repeat; none = all (global included)."
)
@click.option("--kind", "kinds", multiple=True, help="Event kind; repeat; none = all.")
@click.option("--lang", default="en", show_default=True, help="Language of the emails.")
@click.option("--tz", default="", help="Time zone [default: the first --region's, else UTC].")
@click.option("--lead", "leads", multiple=True, help="Lead time (8w 3w 1w 1d 1h); repeat.")
@click.option("--hour", default=9, show_default=True, type=int, help="Delivery hour, 0-23.")
def subscriptions_add(
    email: str,
    regions: tuple[str, ...],
    kinds: tuple[str, ...],
    lang: str,
    tz: str,
    leads: tuple[str, ...],
    hour: int,
) -> None:
    """Add EMAIL as an active subscription (its owner opted in already)."""
    from reminders import subscription_admin as admin

    settings = settings_or_exit()
    timeline = timeline_in_service(settings)
    try:
        address = admin.normalized_email(email)
        choices = admin.validate(
            timeline, regions=regions, kinds=kinds, language=lang, tz=tz, leads=leads, hour=hour
        )
    except admin.ChoiceError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        added = asyncio.run(admin.add_command(settings, address, choices, now()))
    except (admin.AlreadySubscribed, admin.Unsubscribed) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"subscription {added} added (active)")


@subscriptions.command("list")
@click.option("--show-emails", is_flag=True, help="Also print every address and its state.")
def subscriptions_list(show_emails: bool) -> None:
    """Count subscriptions per state (addresses only with --show-emails)."""
    from reminders import subscription_admin as admin

    found = asyncio.run(admin.list_command(settings_or_exit(), with_emails=show_emails))
    for state, count in found.counts.items():
        click.echo(f"{state:<8} {count}")
    click.echo(f"{'total':<8} {sum(found.counts.values())}")
    for address, state in found.emails:
        click.echo(f"{address}\t{state}")


@click.command()
@click.option("--at", "at_text", required=True, help="When, with a zone: 2024-03-01T09:00Z.")
@click.option("--email", default=None, help="Only this subscriber (the address is shown).")
@click.option("--window", default="1h", show_default=True, help="How far back: 30m, 1h, 2d.")
def preview(at_text: str, email: str | None, window: str) -> None:
    """Dry run: what would be sent in the WINDOW before --at, to whom and why."""
    import re
    from datetime import timedelta

    from reminders import subscription_admin as admin

    at = moment("--at", at_text)
    match = re.fullmatch(r"([1-9][0-9]{0,4})([mhd])", window.strip())
    if match is None:
        raise click.UsageError(f"--window: {window!r} is not like 30m, 1h or 2d")
    unit = {"m": "minutes", "h": "hours", "d": "days"}[match[2]]
    span = timedelta(**{unit: int(match[1])})
    settings = settings_or_exit()
    timeline = timeline_in_service(settings)
    try:
        address = admin.normalized_email(email) if email is not None else None
        lines = asyncio.run(admin.preview_command(settings, timeline, at, span, address))
    except admin.ChoiceError as exc:
        raise click.UsageError(str(exc)) from None
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    for line in lines:
        click.echo(line)


def _address(email: str) -> str:
    from reminders import subscription_admin as admin

    try:
        return admin.normalized_email(email)
    except admin.ChoiceError as exc:
        raise click.UsageError(str(exc)) from None


@subscriptions.command("show")
@click.argument("email")
def subscriptions_show(email: str) -> None:
    """State, choices and recent failed sends (bounces) of EMAIL's subscription."""
    from reminders import subscription_admin as admin

    try:
        found = asyncio.run(admin.show_command(settings_or_exit(), _address(email)))
    except admin.NotFound as exc:
        raise click.ClickException(str(exc)) from None
    for line in admin.details_lines(found):
        click.echo(line)


@subscriptions.command("resume")
@click.argument("email")
def subscriptions_resume(email: str) -> None:
    """Resume EMAIL's paused subscription (after bounces, or paused by its owner)."""
    from reminders import subscription_admin as admin
    from reminders.states import SubscriptionState

    try:
        before = asyncio.run(admin.resume_command(settings_or_exit(), _address(email)))
    except admin.NotFound as exc:
        raise click.ClickException(str(exc)) from None
    except admin.ChoiceError as exc:
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
    from reminders import subscription_admin as admin

    address = _address(email)
    if not yes:
        click.confirm(f"Erase the subscription of {address}?", abort=True, err=True)
    try:
        asyncio.run(admin.remove_command(settings_or_exit(), address, now()))
    except admin.NotFound as exc:
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
    from reminders import csv_import, subscription_import

    settings = settings_or_exit()
    timeline = timeline_in_service(settings)
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
        report = asyncio.run(subscription_import.import_command(settings, rows, now(), bar.update))
    click.echo(f"{report.added} added (active), {len(report.refused)} refused")
    for refusal in report.refused:
        click.echo(f"  {refusal}")
    if report.refused:
        sys.exit(1)
