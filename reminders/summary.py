"""The text `gcmcal check` prints for a valid timeline (pure)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from feeds import GLOBAL, Timeline
from feeds.lapse import event_date_label, unresolved
from feeds.vocabulary import KIND_NAMES, Kind, phrase


def timeline_summary(timeline: Timeline, now: datetime, lang: str = "en") -> str:
    lines = [f"{timeline.name}: {len(timeline.regions)} regions, {len(timeline.events)} events"]
    per_region = Counter((event.region, event.kind) for event in timeline.events)
    for region_id, name in [
        *((region.id, region.name(lang)) for region in timeline.regions),
        (GLOBAL, "Global"),
    ]:
        counts = [
            (kind, per_region[region_id, kind]) for kind in Kind if per_region[region_id, kind]
        ]
        total = sum(count for _, count in counts)
        lines.append(f"  {name} ({region_id}): {total} events")
        lines.extend(f"    {phrase(KIND_NAMES[kind], lang)}: {count}" for kind, count in counts)
    upcoming = timeline.upcoming(now)
    if upcoming:
        event = upcoming[0]
        lines.append(
            f"Next: {event.title(lang)} ({event.id}), "
            f"{event_date_label(event, lang, now)}, {event.tz}"
        )
    else:
        lines.append("Next: no upcoming event")
    return "\n".join(lines)


def timeline_warnings(timeline: Timeline, now: datetime) -> list[str]:
    """What `gcmcal check` warns about at `now`: announced windows that ended unresolved."""
    warnings = []
    for event in timeline.events:
        if unresolved(event, now):
            last = event.when.last_day
            warnings.append(
                f"event {event.id}: when: window ended {last.day} {last:%b %Y} while still "
                f'{event.status.value}: confirm it, or mark it status = "unconfirmed" '
                f'or superseded_by = "<event id>"'
            )
    return warnings
