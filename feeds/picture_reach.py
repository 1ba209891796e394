"""Which events a timeline picture draws: those nearest to today (pure).

A picture answers "what comes when, and how sure is it?" for now and what is next; a
timeline that grows by a round every few years would otherwise draw every event it ever
held, and the page carrying it would grow without end. So each band draws at most a
fixed number of events: the next ones (those not over before today) soonest first, and a
few of the latest past ones for context — more of those when fewer are still to come.
The rest are counted; the lists and the calendar files give every date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from feeds.timeline import Event


@dataclass(frozen=True, slots=True)
class Reach:
    """At most `drawn` events in a band, of which `past` are kept for the latest past ones
    when there are that many (unused places go to the other side)."""

    drawn: int
    past: int


#: A region page: one band, whose six stages each hold a few events per round.
REGION_REACH = Reach(drawn=16, past=4)
#: The home page: one band per region, each a few lanes high.
HOME_REACH = Reach(drawn=8, past=2)


def nearest(events: Sequence[Event], today: date, reach: Reach) -> tuple[Event, ...]:
    """The events of `events` the picture draws, in their given order."""
    if len(events) <= reach.drawn:
        return tuple(events)
    coming = sorted(
        (e for e in events if e.when.last_day >= today),
        key=lambda e: (e.when.first_day, e.when.last_day, e.id),
    )
    gone = sorted(
        (e for e in events if e.when.last_day < today),
        key=lambda e: (e.when.last_day, e.when.first_day, e.id),
        reverse=True,
    )
    past = gone[: max(reach.past, reach.drawn - len(coming))]
    kept = {e.id for e in (*coming[: reach.drawn - len(past)], *past)}
    return tuple(e for e in events if e.id in kept)
