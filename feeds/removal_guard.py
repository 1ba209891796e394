"""Edits that would wipe subscribers' calendars are held back until confirmed (pure).

Removing an entry from a feed deletes it from every subscriber's calendar at their next
poll, so an empty file, or a half-finished edit that drops a large share of the events
or every event of a region, must not go out by accident. `removal_problems` compares an
edited timeline with the events in service (event id -> region) and reports such an
edit; the organiser confirms it deliberately by listing the ids that are meant to leave
in the file's ``[timeline] confirm_removal``.
"""

from __future__ import annotations

from collections.abc import Mapping

from feeds.loader import Problem
from feeds.timeline import GLOBAL, Timeline

#: Removing this share of the events in service (or more) at once needs a confirmation.
MASS_REMOVAL_SHARE = 0.5
_SHOWN = 10


def _ids(ids: set[str]) -> str:
    ordered = sorted(ids)
    more = f" and {len(ordered) - _SHOWN} more" if len(ordered) > _SHOWN else ""
    return ", ".join(ordered[:_SHOWN]) + more


def removal_problems(in_service: Mapping[str, str], edited: Timeline) -> list[Problem]:
    """Why `edited` may not replace the events `in_service` without a confirmation."""
    kept = {event.id for event in edited.events}
    removed = set(in_service) - kept
    confirmed = set(edited.confirm_removal)
    unconfirmed = removed - confirmed
    how = (
        'if this is meant, list the ids in [timeline] confirm_removal = ["…"] '
        "(they leave every subscriber's calendar)"
    )
    problems = []
    if still := sorted(confirmed & kept):
        problems.append(
            Problem("timeline", "confirm_removal", f"still in the file: {', '.join(still)}")
        )
    if not edited.events and (unconfirmed or not confirmed):
        problems.append(
            Problem("timeline", "events", f"no events: every feed would be emptied; {how}")
        )
        return problems
    if not unconfirmed:
        return problems
    if len(removed) >= MASS_REMOVAL_SHARE * len(in_service):
        problems.append(
            Problem(
                "timeline",
                "events",
                f"{len(removed)} of the {len(in_service)} events in service would be removed "
                f"({_ids(unconfirmed)}); {how}",
            )
        )
    regions_left = {event.region for event in edited.events}
    for region in sorted(set(in_service.values()) - regions_left - {GLOBAL}):
        gone = {event_id for event_id in unconfirmed if in_service[event_id] == region}
        if gone:
            problems.append(
                Problem(
                    f"region {region}",
                    "events",
                    f"every event of the region would be removed ({_ids(gone)}); {how}",
                )
            )
    return problems
