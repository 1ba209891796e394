"""What the planner knows of a subscriber: their view, their preferences as a profile, and
whether a profile follows an event.

Pure, like `reminders.due_reminders`, which groups subscribers by (zone, hour) and by
identical profiles so that thousands of them are tested as a few dozen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feeds.timeline import GLOBAL, Event
from reminders.leads import Lead, longest_first, parse_lead

if TYPE_CHECKING:
    from reminders.db.models import Subscription

Group = tuple[str, int]  # (IANA time zone, delivery hour)
Profile = tuple[frozenset[str], frozenset[str], tuple[Lead, ...]]  # regions, kinds, leads


@dataclass(frozen=True, slots=True)
class SubscriberView:
    """What the planner needs of one active subscription (no address, no token)."""

    id: int
    regions: frozenset[str]
    kinds: frozenset[str]
    leads: tuple[Lead, ...]  # longest first
    language: str
    tz: str
    delivery_hour: int
    active_since: datetime  # aware

    def __post_init__(self) -> None:
        if not 0 <= self.delivery_hour <= 23:
            raise ValueError(f"delivery hour {self.delivery_hour} is not 0-23")
        if self.active_since.utcoffset() is None:
            raise ValueError("active_since must be aware")
        try:
            cached_zone(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.tz!r}") from None

    @classmethod
    def create(
        cls,
        subscription_id: int,
        *,
        regions: Iterable[str] = (),
        kinds: Iterable[str] = (),
        leads: Iterable[str] = (),
        language: str = "en",
        tz: str = "UTC",
        delivery_hour: int = 9,
        active_since: datetime,
    ) -> SubscriberView:
        return cls(
            id=subscription_id,
            regions=frozenset(regions),
            kinds=frozenset(kinds),
            leads=_leads(tuple(leads)),
            language=language,
            tz=tz,
            delivery_hour=delivery_hour,
            active_since=active_since,
        )

    @classmethod
    def from_subscription(cls, row: Subscription) -> SubscriberView:
        """The view of an active `Subscription` row; raises ValueError on a bad zone or lead."""
        return cls.create(
            row.id,
            regions=row.regions,
            kinds=row.kinds,
            leads=row.leads,
            language=row.language,
            tz=row.tz,
            delivery_hour=row.delivery_hour,
            active_since=row.confirmed_at or row.created_at,
        )

    @property
    def group(self) -> Group:
        return (self.tz, self.delivery_hour)

    @property
    def profile(self) -> Profile:
        return (self.regions, self.kinds, self.leads)


@cache
def cached_zone(tz: str) -> ZoneInfo:
    # ZoneInfo keeps only a few zones alive by itself; without strong references each
    # tick would read hundreds of zone files again.
    return ZoneInfo(tz)


@lru_cache(maxsize=1024)
def _leads(codes: tuple[str, ...]) -> tuple[Lead, ...]:
    return longest_first(parse_lead(code) for code in codes)


def profile_of(regions: Iterable[str], kinds: Iterable[str], leads: Iterable[str]) -> Profile:
    """The preferences as the planner compares them; ValueError on an unknown lead."""
    return (frozenset(regions), frozenset(kinds), _leads(tuple(leads)))


def follows(profile: Profile, event: Event) -> bool:
    regions, kinds, _ = profile
    return (not regions or event.region == GLOBAL or event.region in regions) and (
        not kinds or event.kind.value in kinds
    )
