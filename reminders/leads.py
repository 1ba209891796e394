"""Lead times: how long before an event a subscriber wants to be reminded.

A lead is written as a count and a unit: ``8w`` (weeks), ``1d`` (days), ``1h`` (hours).
Week and day leads are *day-based*: they fall on a calendar day counted back from the
event's first day, at the subscriber's delivery hour in the subscriber's own time zone.
Hour leads are counted back from the exact start of a timed event, so they are the same
instant for everybody and only make sense when the event has a time of day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

Unit = Literal["w", "d", "h"]

_UNITS: dict[str, Unit] = {"w": "w", "d": "d", "h": "h"}
_RE_LEAD = re.compile(r"(?P<count>[1-9][0-9]{0,3})(?P<unit>[wdh])")

#: Longest lead accepted, so that a typo ("800w") cannot plan mail a decade ahead.
MAX_LEAD = timedelta(weeks=52)


class LeadError(ValueError):
    """Not a lead code; the message quotes the text."""


@dataclass(frozen=True, slots=True)
class Lead:
    count: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.count < 1 or self.delta > MAX_LEAD:
            raise LeadError(f"{self.code!r} is not a lead between 1h and 52w")

    @property
    def code(self) -> str:
        return f"{self.count}{self.unit}"

    @property
    def is_day_based(self) -> bool:
        return self.unit != "h"

    @property
    def days(self) -> int:
        """Calendar days counted back for a day-based lead (0 for hour leads)."""
        match self.unit:
            case "w":
                return 7 * self.count
            case "d":
                return self.count
        return 0

    @property
    def delta(self) -> timedelta:
        if self.unit == "h":
            return timedelta(hours=self.count)
        return timedelta(days=self.days)

    def __str__(self) -> str:
        return self.code


def parse_lead(code: str) -> Lead:
    """``"3w"`` → ``Lead(3, "w")``; raise `LeadError` for anything else."""
    match = _RE_LEAD.fullmatch(code.strip().lower())
    if match is None:
        raise LeadError(f"{code!r} is not a lead (write a number and w, d or h: 3w, 1d, 1h)")
    return Lead(int(match["count"]), _UNITS[match["unit"]])


def longest_first(leads: Iterable[Lead]) -> tuple[Lead, ...]:
    """Distinct leads, the longest first (equal lengths: weeks, then days, then hours)."""
    return tuple(sorted(set(leads), key=lambda lead: (-lead.delta, "wdh".index(lead.unit))))


def parse_leads(codes: Iterable[str]) -> tuple[Lead, ...]:
    """Distinct leads from codes, longest first; raise `LeadError` on the first bad code."""
    return longest_first(parse_lead(code) for code in codes)


#: What the subscription form offers, longest first.
OFFERED: tuple[Lead, ...] = parse_leads(("8w", "3w", "1w", "1d", "1h"))

#: Pre-selected on the form: enough time to register, and a last call.
DEFAULT: tuple[Lead, ...] = parse_leads(("3w", "1d"))
