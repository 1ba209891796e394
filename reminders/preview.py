"""Dry run: what the planner would send at a given moment, to whom, and why.

Pure; for ``gcmcal preview --at 2024-03-01T09:00Z [--email ADDR] [--window 1h]``. The
command loads the active subscriptions (optionally only the one for ADDR) and the
timeline with its revisions, and prints these lines. Nothing is written or sent.

Only the planner's messages are shown (reminders and "expected" notices). Change,
confirmation and cancellation notices depend on what the previous timeline said, so a
dry run of one timeline cannot show them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime, timedelta

from feeds.date_labels import date_label
from feeds.revisions import Revision
from feeds.timeline import Timeline
from reminders.due_reminders import Planned, plan
from reminders.leads import parse_lead
from reminders.states import MessageKind
from reminders.subscriber_profiles import SubscriberView

DEFAULT_WINDOW = timedelta(hours=1)


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _why(item: Planned, subscriber: SubscriberView, timeline: Timeline) -> str:
    event = timeline.event(item.event_id)
    assert event is not None
    lead = parse_lead(item.lead)
    when = date_label(event.when, "en")
    if item.kind is MessageKind.EXPECTED:
        reason = f"date not confirmed ({when}): one notice, {lead.code} before the window opens"
    else:
        reason = f"{lead.code} before {when}"
    if lead.is_day_based:
        timing = f"at {subscriber.delivery_hour:02d}:00 {subscriber.tz}"
    else:
        timing = f"{lead.code} before the start ({_utc(event.starts_at)})"
    return f"{reason}, {timing}; not after {_utc(item.not_after)}"


def preview_lines(
    subscribers: Iterable[SubscriberView],
    timeline: Timeline,
    revisions: Mapping[str, Revision],
    at: datetime,
    *,
    window: timedelta = DEFAULT_WINDOW,
    addresses: Mapping[int, str] | None = None,
    only: Collection[int] | None = None,
) -> list[str]:
    """Lines describing the messages due in ``(at - window, at]`` that are still useful at `at`.

    Items are grouped per subscriber (the dispatcher joins a subscriber's items that are
    due together into one email).
    `addresses` (subscription id → address) is shown when given; `only` keeps those ids.
    """
    if at.utcoffset() is None:
        raise ValueError("give `at` with a time zone (e.g. 2024-03-01T09:00Z)")
    people = {s.id: s for s in subscribers if only is None or s.id in only}
    planned = plan(people.values(), timeline, revisions, at, since=at - window, until=at)
    header = f"Dry run for {_utc(at - window)} to {_utc(at)}: "
    if not planned:
        return [header + "nothing due."]
    by_subscriber: dict[int, list[Planned]] = defaultdict(list)
    for item in planned:
        by_subscriber[item.subscription_id].append(item)
    lines = [header + f"{len(planned)} item(s) for {len(by_subscriber)} subscriber(s)."]
    for subscription_id in sorted(by_subscriber):
        subscriber = people[subscription_id]
        address = (addresses or {}).get(subscription_id)
        who = f"#{subscription_id}" + (f" {address}" if address else "")
        group = by_subscriber[subscription_id]
        lines.append(f"{who} ({subscriber.language}, {subscriber.tz}): {len(group)} item(s)")
        for item in group:
            lines.append(
                f"  {_utc(item.due_at)}  {item.kind.value} {item.lead}  {item.event_id}: "
                + _why(item, subscriber, timeline)
            )
    return lines
