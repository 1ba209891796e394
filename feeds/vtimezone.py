"""VTIMEZONE blocks from the tz database: one observance per transition, no RDATE lists.

icalendar's ``Timezone.from_tzid`` groups transitions into RDATE lists and writes a
daylight onset in the new offset's wall time. Both are measured problems: ical.js (the
library inside Thunderbird) reads only the first value of an RDATE list and skips the
observance's own DTSTART, so an October event in Geneva came out an hour late; and
RFC 5545 §3.6.5 reads an onset as DTSTART in the TZOFFSETFROM offset, so the daylight
onset was an hour off. Here each transition is its own STANDARD or DAYLIGHT component
whose DTSTART is the wall time just before the change, which every parser reads alike.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

#: Step of the scan for transitions; tz rules never change twice within it.
_STEP = timedelta(hours=6)

_State = tuple[timedelta, timedelta, str]


def _state(zone: ZoneInfo, instant: datetime) -> _State:
    local = instant.astimezone(zone)
    return local.utcoffset() or timedelta(0), local.dst() or timedelta(0), local.tzname() or ""


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, _State]]:
    """The instants (UTC, whole seconds) in [start, end) at which the zone's rules change,
    with the state they change to."""
    found = []
    instant, state = start, _state(zone, start)
    while instant < end:
        following = instant + _STEP
        next_state = _state(zone, following)
        if next_state != state:
            low, high = instant, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            found.append((high.replace(microsecond=0), next_state))
        instant, state = following, next_state
    return found


@lru_cache(maxsize=256)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The zone's definition for the whole calendar years `first_year`..`last_year`."""
    zone = ZoneInfo(tzid)
    start = datetime(first_year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    component = Timezone()
    component.add("tzid", tzid)
    state = _state(zone, start)
    component.add_component(_observance(start + state[0], state, state))
    for instant, new_state in transitions(zone, start, end):
        onset = (instant + state[0]).replace(tzinfo=None)
        component.add_component(_observance(onset, state, new_state))
        state = new_state
    return component


def _observance(
    onset: datetime, before: _State, after: _State
) -> TimezoneStandard | TimezoneDaylight:
    observance = TimezoneDaylight() if after[1] else TimezoneStandard()
    observance.add("dtstart", onset.replace(tzinfo=None))
    observance.add("tzname", after[2])
    observance.add("tzoffsetfrom", before[0])
    observance.add("tzoffsetto", after[0])
    return observance
