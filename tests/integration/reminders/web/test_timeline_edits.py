"""Edits of the timeline file as subscribers' calendars see them: a mass removal is held
back until confirmed, every removal moves the feeds' Last-Modified, and so do edits of
a region (its contact with a new SEQUENCE for its entries)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import icalendar
import pytest
from click.testing import CliRunner

from feeds.conditional import http_date
from reminders.cli import main
from reminders.service import Service
from tests.integration.reminders.web.web_support import Clock
from tests.support.db_backends import Database

pytestmark = pytest.mark.anyio
ARAB_STATES = [
    "arab-states-2024-advisory-group-meeting",
    "arab-states-2024-gcm-talk-indicators",
    "arab-states-2024-review",
    "arab-states-2024-pre-consultation",
    "arab-states-2024-consultation",
    "arab-states-2024-discussion-space",
    "arab-states-2028-review",
]


def _without(text: str, *event_ids: str) -> str:
    """The timeline text with the [[events]] entries of `event_ids` left out."""
    head, *blocks = text.split("\n[[events]]\n")
    kept = [b for b in blocks if re.search(r'^id = "([^"]+)"', b, re.M)[1] not in event_ids]  # type: ignore[index]
    return "\n[[events]]\n".join([head, *kept])


def _confirming(text: str, *event_ids: str) -> str:
    listed = ", ".join(f'"{event_id}"' for event_id in event_ids)
    return text.replace("[timeline]\n", f"[timeline]\nconfirm_removal = [{listed}]\n", 1)


def _all_ids(text: str) -> list[str]:
    _, *events = text.split("\n[[events]]\n", 1)
    return re.findall(r'^id = "([^"]+)"', "".join(events), re.M)


async def _edit(service: Service, clock: Clock, text: str) -> None:
    clock.now += timedelta(minutes=5)
    service.settings.timeline.write_text(text, encoding="utf-8")
    await service.source.refresh()


async def _check(service: Service, db: Database) -> tuple[int, str]:
    """`gcmcal check` on the file, in a thread (the command runs its own event loop)."""
    return await asyncio.to_thread(_run_check, service, db)


def _run_check(service: Service, db: Database) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["check", str(service.settings.timeline)],
        env={"GCMCAL_DATABASE_URL": db.url, "GCMCAL_TIMELINE": str(service.settings.timeline)},
    )
    return result.exit_code, result.stderr if result.exit_code else result.stdout


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda text: text.split("\n[[events]]\n")[0], "timeline: events: no events"),
        (
            lambda text: _without(text, *_all_ids(text)[:22]),
            "timeline: events: 22 of the 43 events in service would be removed",
        ),
        (
            lambda text: _without(text, *ARAB_STATES),
            "region arab-states: events: every event of the region would be removed",
        ),
    ],
    ids=["empty", "half", "region"],
)
async def test_mass_removal_is_held_back_until_confirmed(
    service: Service,
    client: httpx.AsyncClient,
    clock: Clock,
    db: Database,
    edit: Callable[[str], str],
    problem: str,
) -> None:
    path: Path = service.settings.timeline
    shipped = path.read_text(encoding="utf-8")
    before = (await client.get("/feeds/all.ics")).content
    edited = edit(shipped)
    await _edit(service, clock, edited)

    assert (await client.get("/feeds/all.ics")).content == before
    ready = (await client.get("/readyz")).json()
    assert (ready["ready"], ready["timeline"]["events"]) == (True, 43)
    assert problem in ready["timeline"]["error"]
    status, output = await _check(service, db)
    assert (status, problem in output) == (1, True)

    gone = sorted(set(_all_ids(shipped)) - set(_all_ids(edited)))
    await _edit(service, clock, _confirming(edited, *gone))
    ready = (await client.get("/readyz")).json()
    assert (ready["timeline"]["events"], ready["timeline"]["error"]) == (43 - len(gone), None)
    assert (await _check(service, db))[0] == 0


async def test_deletions_move_last_modified(
    service: Service, client: httpx.AsyncClient, clock: Clock
) -> None:
    shipped = service.settings.timeline.read_text(encoding="utf-8")
    first = await client.get("/feeds/arab-states.ics")
    since = first.headers["last-modified"]

    await _edit(service, clock, _without(shipped, "arab-states-2024-review"))
    after_removal = await client.get("/feeds/arab-states.ics", headers={"if-modified-since": since})
    assert (after_removal.status_code, after_removal.headers["last-modified"]) == (
        200,
        http_date(clock.now),
    )
    # Unrelated feeds keep theirs; the same request again is a 304.
    other = await client.get("/feeds/africa.ics", headers={"if-modified-since": since})
    again = await client.get(
        "/feeds/arab-states.ics",
        headers={"if-modified-since": after_removal.headers["last-modified"]},
    )
    assert (other.status_code, again.status_code) == (304, 304)

    await _edit(service, clock, shipped)  # back exactly as it was: added again
    back = await client.get(
        "/feeds/arab-states.ics",
        headers={"if-modified-since": after_removal.headers["last-modified"]},
    )
    assert (back.status_code, back.headers["last-modified"]) == (200, http_date(clock.now))


def _sequences(body: bytes) -> dict[str, int]:
    """Event id -> SEQUENCE of the feed's entries, as python icalendar reads them."""
    calendar = icalendar.Calendar.from_ical(body)
    return {str(e["UID"]).split("@")[0]: int(e["SEQUENCE"]) for e in calendar.walk("VEVENT")}


def _calendar_name(body: bytes) -> str:
    return str(icalendar.Calendar.from_ical(body)["X-WR-CALNAME"])


async def test_region_edits_move_sequence_and_last_modified(
    service: Service, client: httpx.AsyncClient, clock: Clock
) -> None:
    shipped = service.settings.timeline.read_text(encoding="utf-8")
    feed, atom = "/feeds/europe-north-america.ics", "/feeds/europe-north-america.atom"
    first, africa = await client.get(feed), await client.get("/feeds/africa.ics")
    before = _sequences(first.content)
    own = {i for i in before if i.startswith("europe-north-america-")}

    # The contact is in the text of the region's own entries: a new SEQUENCE for them.
    contact = shipped.replace(
        'contact = "mignetUNECE@iom.int"', 'contact = "ece-review@example.org"', 1
    )
    await _edit(service, clock, contact)
    contact_at = http_date(clock.now)
    after_contact = await client.get(
        feed, headers={"if-modified-since": first.headers["last-modified"]}
    )
    unrelated = await client.get(
        "/feeds/africa.ics", headers={"if-modified-since": africa.headers["last-modified"]}
    )
    assert (
        after_contact.status_code,
        after_contact.headers["last-modified"],
        "ece-review@example.org" in after_contact.text,
        _sequences(after_contact.content),
        unrelated.status_code,
    ) == (200, contact_at, True, {i: s + (i in own) for i, s in before.items()}, 304)

    # The name is the feed's: Last-Modified moves, no entry's SEQUENCE does.
    renamed = contact.replace(
        'en = "Europe and North America"', 'en = "Europe and North America (UNECE)"', 1
    )
    changes = await client.get(atom)
    await _edit(service, clock, renamed)
    after_rename = await client.get(
        feed, headers={"if-modified-since": after_contact.headers["last-modified"]}
    )
    again = await client.get(
        feed, headers={"if-modified-since": after_rename.headers["last-modified"]}
    )
    # The change feed's title names the region too.
    renamed_changes = await client.get(
        atom, headers={"if-modified-since": changes.headers["last-modified"]}
    )
    assert (
        after_rename.status_code,
        after_rename.headers["last-modified"],
        "Europe and North America (UNECE)" in _calendar_name(after_rename.content),
        _sequences(after_rename.content),
        again.status_code,
        renamed_changes.status_code,
        renamed_changes.headers["last-modified"],
        "Europe and North America (UNECE)" in renamed_changes.text,
    ) == (
        200,
        http_date(clock.now),
        True,
        _sequences(after_contact.content),
        304,
        200,
        http_date(clock.now),
        True,
    )
