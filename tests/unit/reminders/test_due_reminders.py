from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.vocabulary import Kind, Status
from reminders.due_reminders import (
    Planned,
    Schedule,
    SubscriberIndex,
    dedupe_key,
    plan,
)
from reminders.states import MessageKind
from reminders.subscriber_profiles import SubscriberView
from tests.support.reminder_fixtures import (
    GLOBAL,
    event,
    revisions,
    subscriber,
    timeline,
    utc,
)


def reminder(
    sub: int, event_id: str, lead: str, due: datetime, start: datetime, rev: int = 0
) -> Planned:
    return Planned(
        dedupe_key=f"{sub}:{event_id}:reminder:{lead}:{rev}",
        subscription_id=sub,
        kind=MessageKind.REMINDER,
        event_id=event_id,
        lead=lead,
        revision=rev,
        due_at=due,
        not_after=start,
    )


def due_moments(items: list[Planned]) -> list[tuple[int, str, str, datetime]]:
    return [(p.subscription_id, p.event_id, p.lead, p.due_at) for p in items]


def test_dedupe_key_format() -> None:
    assert dedupe_key(7, "africa-review", MessageKind.REMINDER, "1w", 3) == (
        "7:africa-review:reminder:1w:3"
    )


def test_plan_day_leads_at_delivery_hour_in_subscriber_zone() -> None:
    tl = timeline(event("review", "2024-03-11"))  # Geneva, starts 2024-03-10 23:00 UTC
    subs = [
        subscriber(1, leads=["1w"], tz="Europe/Zurich", hour=9),  # CET, UTC+1
        subscriber(2, leads=["1w"], tz="Asia/Tokyo", hour=9),  # UTC+9
        subscriber(3, leads=["1w"], tz="America/Santiago", hour=9),  # summer time, UTC-3
    ]
    start = utc(2024, 3, 10, 23)
    assert plan(subs, tl, revisions(tl), utc(2024, 3, 5)) == [
        reminder(2, "review", "1w", utc(2024, 3, 4, 0), start),
        reminder(1, "review", "1w", utc(2024, 3, 4, 8), start),
        reminder(3, "review", "1w", utc(2024, 3, 4, 12), start),
    ]


def test_plan_hour_lead_from_exact_start_of_timed_event() -> None:
    tl = timeline(event("hearing", "2024-03-11T08:30/10:00"))  # 07:30 UTC
    subs = [subscriber(1, leads=["1h"], tz="Asia/Tokyo"), subscriber(2, leads=["3h"])]
    start = utc(2024, 3, 11, 7, 30)
    assert plan(subs, tl, revisions(tl), utc(2024, 3, 11, 7)) == [
        reminder(2, "hearing", "3h", utc(2024, 3, 11, 4, 30), start),
        reminder(1, "hearing", "1h", utc(2024, 3, 11, 6, 30), start),
    ]


def test_plan_no_hour_lead_for_event_without_time() -> None:
    tl = timeline(event("review", "2024-03-11"))
    subs = [subscriber(1, leads=["1h", "24h"])]
    assert plan(subs, tl, revisions(tl), utc(2024, 3, 10, 22, 59)) == []


def test_plan_zurich_summer_time_start_march_2024() -> None:
    # Clocks go from 02:00 CET to 03:00 CEST on Sunday 31 March 2024.
    tl = timeline(
        event("sunday", "2024-04-01"),
        event("wednesday", "2024-04-03"),
        event("early", "2024-03-31T05:00/07:00"),
    )
    subs = [subscriber(1, leads=["1w", "1d", "3h"], tz="Europe/Zurich", hour=9)]
    got = plan(subs, tl, revisions(tl), utc(2024, 3, 31, 2, 59))
    assert due_moments(got) == [
        (1, "early", "1w", utc(2024, 3, 24, 8)),  # CET
        (1, "sunday", "1w", utc(2024, 3, 25, 8)),
        (1, "wednesday", "1w", utc(2024, 3, 27, 8)),
        (1, "early", "1d", utc(2024, 3, 30, 8)),  # Saturday, still CET
        (1, "early", "3h", utc(2024, 3, 31, 0)),  # 05:00 CEST = 03:00 UTC; 3 h earlier
    ]
    # Planned ahead of time (until > now), to see both moments before their events start.
    later = plan(
        subs,
        tl,
        revisions(tl),
        utc(2024, 3, 31, 3),
        since=utc(2024, 3, 31, 3),
        until=utc(2024, 4, 3),
    )
    assert due_moments(later) == [
        (1, "sunday", "1d", utc(2024, 3, 31, 7)),  # 09:00 CEST
        (1, "wednesday", "1d", utc(2024, 4, 2, 7)),
    ]


def test_plan_santiago_summer_time_end_april_2025() -> None:
    # Chile's summer time ended 5 April 2025 at 24:00: clocks went back to 23:00 (-04).
    tl = timeline(
        event("thursday", "2025-04-10", region="lac"),
        event("monday", "2025-04-07", region="lac"),
        event("sunday", "2025-04-06", region="lac"),
        event("sunday-timed", "2025-04-06T10:00/12:00", region="lac"),
    )
    subs = [
        subscriber(1, leads=["1w", "1d"], tz="America/Santiago", hour=9),
        subscriber(2, leads=["1d", "12h"], tz="America/Santiago", hour=23),
    ]
    got = plan(subs, tl, revisions(tl), utc(2025, 3, 29), until=utc(2025, 4, 6, 14))
    assert due_moments(got) == [
        (1, "sunday", "1w", utc(2025, 3, 30, 12)),
        (1, "sunday-timed", "1w", utc(2025, 3, 30, 12)),
        (1, "monday", "1w", utc(2025, 3, 31, 12)),
        (1, "thursday", "1w", utc(2025, 4, 3, 12)),  # 09:00 -03
        (1, "sunday", "1d", utc(2025, 4, 5, 12)),
        (1, "sunday-timed", "1d", utc(2025, 4, 5, 12)),
        # 23:00 on 5 April happened twice; the first (-03) counts. The event's midnight
        # start comes after the change (-04, 04:00 UTC), so it is still planned.
        (2, "sunday", "1d", utc(2025, 4, 6, 2)),
        (2, "sunday-timed", "12h", utc(2025, 4, 6, 2)),  # 10:00 -04 = 14:00 UTC, minus 12 h
        (2, "sunday-timed", "1d", utc(2025, 4, 6, 2)),
        (1, "monday", "1d", utc(2025, 4, 6, 13)),  # 09:00 -04
    ]


def test_plan_skips_moment_at_or_after_event_start() -> None:
    # 1 day before a Geneva day event at 18:00 in Santiago is 22:00 in Geneva: after the
    # event's midnight start, so it could never be sent in time.
    tl = timeline(event("review", "2024-03-11"))
    subs = [subscriber(1, leads=["1d"], tz="America/Santiago", hour=20)]
    assert plan(subs, tl, revisions(tl), utc(2024, 3, 10, 22)) == []


def test_plan_month_precision_expected_notice_instead_of_reminders() -> None:
    tl = timeline(event("pre", "2024-03", kind=Kind.PRE_CONSULTATION))
    subs = [subscriber(1, leads=["1d", "1w", "1h"])]
    start = utc(2024, 2, 29, 23)  # 1 March 00:00 in Geneva
    assert plan(subs, tl, revisions(tl), utc(2024, 3, 15)) == []  # started (window opened)
    assert plan(subs, tl, revisions(tl), utc(2024, 2, 25)) == [
        Planned(
            dedupe_key="1:pre:expected:1w:0",
            subscription_id=1,
            kind=MessageKind.EXPECTED,
            event_id="pre",
            lead="1w",
            revision=0,
            due_at=utc(2024, 2, 23, 8),
            not_after=start,
            payload={"when": "2024-03"},
        )
    ]


@pytest.mark.parametrize(
    "when", ["2024-03-08 or 2024-03-11", "week of 2024-03-04", "Q1 2024", "2024"]
)
def test_plan_inexact_dates_no_reminders(when: str) -> None:
    tl = timeline(event("vague", when))
    subs = [subscriber(1, leads=["1d", "1h"])]  # longest lead 1d: the expected notice only
    got = plan(subs, tl, revisions(tl), utc(2025, 1, 1), since=None)
    assert [p.kind for p in got] == []  # all past their start by 2025
    first_day = tl.events[0].when.first_day
    eve = utc(first_day.year, first_day.month, first_day.day) - timedelta(hours=12)
    early = plan(subs, tl, revisions(tl), eve)
    assert [(p.kind, p.lead) for p in early] == [(MessageKind.EXPECTED, "1d")]


def test_plan_expected_notice_with_only_hour_leads() -> None:
    tl = timeline(event("vague", "2024-03"))
    subs = [subscriber(1, leads=["2h"])]
    got = plan(subs, tl, revisions(tl), utc(2024, 2, 29, 22))
    assert due_moments(got) == [(1, "vague", "2h", utc(2024, 2, 29, 21))]


def test_plan_subscribed_after_lead_moment_skips_that_lead() -> None:
    tl = timeline(event("review", "2024-03-11"))
    subs = [subscriber(1, leads=["3w", "1w", "1d"], since=utc(2024, 3, 1))]
    assert due_moments(plan(subs, tl, revisions(tl), utc(2024, 3, 10, 22))) == [
        (1, "review", "1w", utc(2024, 3, 4, 8)),
        (1, "review", "1d", utc(2024, 3, 10, 8)),
    ]


def test_plan_catch_up_due_while_down_event_not_started() -> None:
    tl = timeline(event("review", "2024-03-11"))
    subs = [subscriber(1, leads=["1w", "1d"])]
    # Last planned 1 March; back on 10 March at 22:30 UTC, half an hour before the start.
    got = plan(subs, tl, revisions(tl), utc(2024, 3, 10, 22, 30), since=utc(2024, 3, 1))
    assert due_moments(got) == [
        (1, "review", "1w", utc(2024, 3, 4, 8)),
        (1, "review", "1d", utc(2024, 3, 10, 8)),
    ]


def test_plan_catch_up_never_after_start() -> None:
    tl = timeline(event("review", "2024-03-11"))
    subs = [subscriber(1, leads=["1w", "1d"])]
    assert plan(subs, tl, revisions(tl), utc(2024, 3, 10, 23), since=utc(2024, 3, 1)) == []


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.POSTPONED])
def test_plan_cancelled_or_postponed_event_no_reminders(status: Status) -> None:
    tl = timeline(event("review", "2024-03-11", status=status), event("vague", "2024-04"))
    subs = [subscriber(1, leads=["1w"])]
    got = plan(subs, tl, revisions(tl), utc(2024, 3, 28))
    assert [(p.event_id, p.kind) for p in got] == [("vague", MessageKind.EXPECTED)]


def test_plan_superseded_event_no_reminders() -> None:
    tl = timeline(
        dataclasses.replace(event("old", "2024-04-09"), superseded_by="new"),
        event("new", "2024-04-08"),
    )
    subs = [subscriber(1, leads=["1w"])]
    got = plan(subs, tl, revisions(tl), utc(2024, 4, 3))
    assert [(p.event_id, p.kind) for p in got] == [("new", MessageKind.REMINDER)]


def test_plan_tentative_exact_event_gets_reminders() -> None:
    tl = timeline(event("review", "2024-03-11", status=Status.TENTATIVE))
    subs = [subscriber(1, leads=["1d"])]
    assert due_moments(plan(subs, tl, revisions(tl), utc(2024, 3, 10, 12))) == [
        (1, "review", "1d", utc(2024, 3, 10, 8))
    ]


def test_plan_regions_and_kinds_filter_global_for_everyone() -> None:
    tl = timeline(
        event("europe-review", "2024-03-11"),
        event("lac-review", "2024-03-11", region="lac", tz="Europe/Zurich"),
        event("imrf", "2024-03-11", region=GLOBAL, kind=Kind.IMRF, tz="Europe/Zurich"),
        event("europe-talk", "2024-03-11", kind=Kind.GCM_TALK),
    )
    subs = [
        subscriber(1, leads=["1d"]),
        subscriber(2, leads=["1d"], regions=["lac"]),
        subscriber(3, leads=["1d"], kinds=["regional-review"]),
        subscriber(4, leads=["1d"], regions=["europe"], kinds=["gcm-talk", "imrf"]),
    ]
    got = plan(subs, tl, revisions(tl), utc(2024, 3, 10, 12))
    assert sorted((p.subscription_id, p.event_id) for p in got) == [
        (1, "europe-review"),
        (1, "europe-talk"),
        (1, "imrf"),
        (1, "lac-review"),
        (2, "imrf"),
        (2, "lac-review"),
        (3, "europe-review"),
        (3, "lac-review"),
        (4, "europe-talk"),
        (4, "imrf"),
    ]


def test_plan_no_leads_chosen_nothing_planned() -> None:
    tl = timeline(event("review", "2024-03-11"), event("vague", "2024-04"))
    assert plan([subscriber(1, leads=[])], tl, revisions(tl), utc(2024, 3, 10, 12)) == []


def test_plan_revision_in_key() -> None:
    tl = timeline(event("review", "2024-03-11"))
    revs = revisions(tl)
    revs["review"] = revs["review"].__class__(4, revs["review"].modified, revs["review"].digest)
    got = plan([subscriber(1, leads=["1d"])], tl, revs, utc(2024, 3, 10, 12))
    assert [(p.dedupe_key, p.revision) for p in got] == [("1:review:reminder:1d:4", 4)]


def test_plan_window_includes_until_excludes_since() -> None:
    tl = timeline(event("review", "2024-03-11"))
    subs = [subscriber(1, leads=["1w"])]
    due = utc(2024, 3, 4, 8)
    at_due = plan(subs, tl, revisions(tl), due, since=due - timedelta(minutes=1))
    after_due = plan(subs, tl, revisions(tl), due + timedelta(minutes=1), since=due)
    assert (due_moments(at_due), after_due) == ([(1, "review", "1w", due)], [])


def test_schedule_slots_nothing_due_without_subscribers() -> None:
    tl = timeline(event("review", "2024-03-11"))
    schedule = Schedule(tl, revisions(tl))
    window = (utc(2024, 3, 4, 8, 1), utc(2024, 3, 4, 8, 2))
    assert schedule.slots(*window, window[1], {"Europe/Zurich": (9,)}) == []
    assert schedule.slots(*window, window[1], {}) == []


def test_subscriber_index_groups() -> None:
    index = SubscriberIndex(
        [
            subscriber(1, tz="Europe/Zurich", hour=9),
            subscriber(2, tz="Europe/Zurich", hour=7),
            subscriber(3, tz="Asia/Tokyo", hour=9, leads=["8w"]),
            subscriber(4, tz="Europe/Zurich", hour=9),
        ]
    )
    assert (index.groups, len(index), sorted(lead.code for lead in index.leads)) == (
        {"Asia/Tokyo": (9,), "Europe/Zurich": (7, 9)},
        4,
        ["1d", "1h", "1w", "3w", "8w"],
    )


def test_subscriber_view_from_subscription_uses_confirmation_time() -> None:
    from reminders.db.models import Subscription
    from reminders.states import SubscriptionState

    row = Subscription(
        id=5,
        email="someone@example.org",
        regions=["africa"],
        kinds=[],
        leads=["1d", "3w"],
        language="fr",
        tz="Africa/Dakar",
        delivery_hour=8,
        state=SubscriptionState.ACTIVE,
        token_hash="0" * 64,
        created_at=utc(2024, 1, 1),
        confirmed_at=utc(2024, 1, 2),
    )
    assert SubscriberView.from_subscription(row) == subscriber(
        5,
        regions=["africa"],
        leads=["3w", "1d"],
        language="fr",
        tz="Africa/Dakar",
        hour=8,
        since=utc(2024, 1, 2),
    )


@pytest.mark.parametrize(
    ("field", "value"), [("tz", "Mars/Olympus"), ("hour", 24), ("leads", ["1m"])]
)
def test_subscriber_view_rejects_bad_values(field: str, value: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - LeadError and zone errors alike
        subscriber(1, **{field: value})  # type: ignore[arg-type]


_ZONES = [
    "Europe/Zurich",
    "America/Santiago",
    "Asia/Tokyo",
    "Pacific/Kiritimati",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "UTC",
]


@settings(max_examples=40, deadline=None)
@given(
    cuts=st.lists(st.integers(0, 60 * 24 * 90), min_size=1, max_size=8),
    zones=st.lists(st.sampled_from(_ZONES), min_size=1, max_size=4),
    hours=st.lists(st.integers(0, 23), min_size=1, max_size=4),
)
def test_plan_windows_partition_the_whole(
    cuts: list[int], zones: list[str], hours: list[int]
) -> None:
    # Planning tick by tick gives exactly what one long window gives.
    tl = timeline(
        event("a", "2025-04-06", region="lac"),
        event("b", "2025-04-07T09:00/10:00", region="lac"),
        event("c", "2025-04", region="europe"),
        event("d", "2025-03-31T01:30/03:00"),
    )
    revs = revisions(tl)
    subs = [
        subscriber(i, leads=["8w", "1w", "1d", "2h"], tz=tz, hour=hour)
        for i, (tz, hour) in enumerate(((z, h) for z in zones for h in hours), start=1)
    ]
    origin = utc(2025, 1, 15)
    end = origin + timedelta(minutes=60 * 24 * 90)
    index = SubscriberIndex(subs)
    schedule = Schedule(tl, revs, index.leads)
    whole = schedule.plan(index, origin, end, origin)
    bounds = [origin, *sorted(origin + timedelta(minutes=c) for c in cuts), end]
    pieces = [
        item
        for since, until in pairwise(bounds)
        for item in schedule.plan(index, since, until, since)
    ]
    assert sorted(pieces, key=lambda p: p.dedupe_key) == sorted(whole, key=lambda p: p.dedupe_key)


def _reference(
    subs: list[SubscriberView], tl: object, since: datetime, until: datetime, now: datetime
) -> set[tuple[str, datetime]]:
    """The rules of the module docstring, written out the slow way."""
    from datetime import UTC, time
    from zoneinfo import ZoneInfo

    found = set()
    for sub in subs:
        for ev in tl.events:  # type: ignore[attr-defined]
            if ev.status in (Status.CANCELLED, Status.POSTPONED):
                continue
            if sub.regions and ev.region not in sub.regions and ev.region != GLOBAL:
                continue
            if sub.kinds and ev.kind.value not in sub.kinds:
                continue
            exact = ev.when.is_exact_day
            leads = sub.leads if exact else sub.leads[:1]
            for lead in leads:
                if lead.is_day_based:
                    day = ev.when.first_day - timedelta(days=lead.days)
                    local = datetime.combine(day, time(sub.delivery_hour), ZoneInfo(sub.tz))
                    due = local.astimezone(UTC)
                elif ev.when.is_timed or not exact:
                    due = ev.starts_at.astimezone(UTC) - lead.delta
                else:
                    continue
                start = ev.starts_at
                if since < due <= until and due < start and now < start and due >= sub.active_since:
                    kind = "reminder" if exact else "expected"
                    found.add((f"{sub.id}:{ev.id}:{kind}:{lead.code}:0", due))
    return found


@settings(max_examples=60, deadline=None)
@given(
    people=st.lists(
        st.tuples(
            st.sampled_from(_ZONES),
            st.integers(0, 23),
            st.lists(st.sampled_from(["8w", "3w", "1w", "2d", "1d", "6h", "1h"]), max_size=3),
            st.lists(st.sampled_from(["europe", "lac", "arab"]), max_size=2),
            st.integers(0, 60 * 24 * 120),
        ),
        min_size=1,
        max_size=6,
    ),
    start=st.integers(0, 60 * 24 * 100),
    length=st.integers(1, 60 * 24 * 20),
)
def test_plan_matches_reference_rules(
    people: list[tuple[str, int, list[str], list[str], int]], start: int, length: int
) -> None:
    tl = timeline(
        event("a", "2025-04-06", region="lac"),
        event("b", "2025-04-07T09:00/10:00", region="lac"),
        event("c", "2025-04", region="europe"),
        event("d", "2025-03-31T01:30/03:00"),
        event("e", "2025-03-30", region="arab", status=Status.POSTPONED),
        event("f", "late 2025", region=GLOBAL, tz="America/New_York"),
    )
    origin = utc(2025, 1, 1)
    subs = [
        subscriber(
            i,
            tz=tz,
            hour=hour,
            leads=leads,
            regions=regions,
            since=origin + timedelta(minutes=active),
        )
        for i, (tz, hour, leads, regions, active) in enumerate(people, start=1)
    ]
    since = origin + timedelta(minutes=start)
    until = since + timedelta(minutes=length)
    got = plan(subs, tl, revisions(tl), since, since=since, until=until)
    assert {(p.dedupe_key, p.due_at) for p in got} == _reference(subs, tl, since, until, since)
