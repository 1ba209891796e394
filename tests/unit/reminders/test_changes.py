from __future__ import annotations

import pytest

from feeds import when as w
from feeds.revisions import advance
from feeds.timeline import Link, Source
from feeds.vocabulary import Modality, Status
from reminders.changes import (
    Change,
    ChangeClass,
    EventChange,
    between,
    classify,
    diff,
    notices,
    stale_reminders,
)
from reminders.due_reminders import Planned, SubscriberIndex
from reminders.states import MessageKind
from tests.support.reminder_fixtures import event, replaced, subscriber, timeline, utc

T0 = utc(2024, 1, 1)
T1 = utc(2024, 2, 1)


def base() -> object:
    return timeline(
        event(
            "review",
            "2024-03-11T10:00/18:00",
            place="Palais des Nations, Geneva",
            modality=Modality.HYBRID,
            links=[Link("https://example.org/register", {"en": "Registration"})],
        ),
        event("pre", "2024-03", region="lac"),
    )


def published(tl: object, event_id: str) -> dict[str, object]:
    found = tl.event(event_id)  # type: ignore[attr-defined]
    return found.published()  # type: ignore[no-any-return]


def test_diff_moved_day_whole_when_texts() -> None:
    tl = base()
    moved = replaced(tl, "review", when=w.parse("2024-03-12T10:00/18:00"))
    assert diff(published(tl, "review"), published(moved, "review")) == [
        Change("date", "2024-03-11T10:00/18:00", "2024-03-12T10:00/18:00")
    ]


def test_diff_same_day_new_time() -> None:
    tl = base()
    moved = replaced(tl, "review", when=w.parse("2024-03-11T09:00/17:00"))
    assert diff(published(tl, "review"), published(moved, "review")) == [
        Change("time", "2024-03-11T10:00/18:00", "2024-03-11T09:00/17:00")
    ]


def test_diff_every_watched_field() -> None:
    tl = base()
    new = replaced(
        tl,
        "review",
        tz="Europe/Vienna",
        places={"en": "Vienna International Centre"},
        modality=Modality.ONLINE,
        status=Status.TENTATIVE,
        links=(Link("https://example.org/new"),),
        titles={"en": "Renamed", "fr": "Renommé"},
    )
    assert diff(published(tl, "review"), published(new, "review")) == [
        Change("tz", "Europe/Zurich", "Europe/Vienna"),
        Change("place", "Palais des Nations, Geneva", "Vienna International Centre"),
        Change("modality", "hybrid", "online"),
        Change("status", "confirmed", "tentative"),
        Change(
            "links", ["Registration: https://example.org/register"], ["https://example.org/new"]
        ),
        Change(
            "title",
            dict(sorted(tl.event("review").titles.items())),  # type: ignore[attr-defined]
            {"en": "Renamed", "fr": "Renommé"},
        ),
    ]


def test_diff_description_and_sources_not_watched() -> None:
    tl = base()
    new = replaced(
        tl, "review", descriptions={"en": "New text"}, sources=(Source("https://x.org"),)
    )
    assert diff(published(tl, "review"), published(new, "review")) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"status": Status.CANCELLED}, ChangeClass.CANCELLED),
        ({"status": Status.POSTPONED}, ChangeClass.POSTPONED),
        (
            {"status": Status.CANCELLED, "when": w.parse("2024-03-12")},
            ChangeClass.CANCELLED,
        ),
        ({"when": w.parse("2024-04-11T10:00/18:00")}, ChangeClass.MOVED),
        ({"when": w.parse("2024-03-11T11:00/18:00")}, ChangeClass.MOVED),
        ({"tz": "Europe/London"}, ChangeClass.MOVED),
        ({"places": {"en": "Bangkok"}}, ChangeClass.OTHER),
        ({"status": Status.TENTATIVE}, ChangeClass.OTHER),
    ],
)
def test_classify_review_changes(changes: dict[str, object], expected: ChangeClass) -> None:
    tl = base()
    old, new = published(tl, "review"), published(replaced(tl, "review", **changes), "review")
    assert classify(old, new, diff(old, new)) == expected


def test_classify_confirmed_when_day_becomes_known() -> None:
    tl = base()
    old = published(tl, "pre")
    new = published(replaced(tl, "pre", when=w.parse("2024-03-18")), "pre")
    assert classify(old, new, diff(old, new)) == ChangeClass.CONFIRMED


def test_classify_inexact_to_inexact_is_moved() -> None:
    tl = base()
    old = published(tl, "pre")
    new = published(replaced(tl, "pre", when=w.parse("2024-04")), "pre")
    assert classify(old, new, diff(old, new)) == ChangeClass.MOVED


def test_classify_nothing_watched_none() -> None:
    tl = base()
    assert classify(published(tl, "pre"), published(tl, "pre"), []) is None


def test_between_after_advance_owes_only_the_date_notice() -> None:
    tl = base()
    revs, _ = advance({}, tl, T0)
    previous = {e.id: e.published() for e in tl.events}  # type: ignore[attr-defined]
    new_tl = replaced(
        replaced(tl, "pre", when=w.parse("2024-03-18")),
        "review",
        descriptions={"en": "Only the description changed"},
    )
    new_revs, changed = advance(revs, new_tl, T1)
    assert changed == ["review", "pre"]
    owed = [
        between(event_id, new_revs[event_id].sequence, previous[event_id], event.published())
        for event_id in changed
        if (event := new_tl.event(event_id)) is not None
    ]
    assert owed == [
        None,  # the review's description changed: no notice for that
        EventChange("pre", 1, ChangeClass.CONFIRMED, (Change("date", "2024-03", "2024-03-18"),)),
    ]


def test_notices_one_per_follower_with_old_and_new() -> None:
    tl = base()
    cancelled = replaced(tl, "review", status=Status.CANCELLED)
    change = EventChange(
        "review", 2, ChangeClass.CANCELLED, (Change("status", "confirmed", "cancelled"),)
    )
    index = SubscriberIndex(
        [
            subscriber(1, regions=["europe"], leads=[]),
            subscriber(2, regions=["lac"]),  # does not follow the event
            subscriber(3, since=utc(2024, 3, 2)),  # not yet active
            subscriber(4, tz="Asia/Tokyo", hour=7),
        ]
    )
    now = utc(2024, 3, 1)
    payload = {
        "class": "cancelled",
        "changes": [{"field": "status", "old": "confirmed", "new": "cancelled"}],
    }
    expected = [
        Planned(
            dedupe_key=f"{sub}:review:cancelled::2",
            subscription_id=sub,
            kind=MessageKind.CANCELLED,
            event_id="review",
            lead="",
            revision=2,
            due_at=now,
            not_after=utc(2024, 3, 11, 17),
            payload=payload,
        )
        for sub in (1, 4)
    ]
    assert notices([change], index, cancelled, now) == expected


def test_notices_none_for_event_already_over() -> None:
    tl = base()
    change = EventChange("review", 1, ChangeClass.OTHER, (Change("place", "A", "B"),))
    index = SubscriberIndex([subscriber(1)])
    assert notices([change], index, tl, utc(2024, 3, 11, 17)) == []


def test_notices_none_for_superseded_event() -> None:
    tl = replaced(base(), "review", superseded_by="other")
    change = EventChange("review", 1, ChangeClass.OTHER, (Change("place", "A", "B"),))
    index = SubscriberIndex([subscriber(1)])
    assert notices([change], index, tl, utc(2024, 3, 1)) == []


def test_change_json_round_trip() -> None:
    change = Change("links", ["a"], ["b", "c"])
    assert Change.from_json(change.as_json()) == change


def test_stale_reminders_cancelled_postponed_superseded_removed_or_old_revision() -> None:
    tl = timeline(
        event("kept", "2024-03-11"),
        event("moved", "2024-03-12"),
        event("cancelled", "2024-03-13", status=Status.CANCELLED),
        event("postponed", "2024-03-14", status=Status.POSTPONED),
        event("overtaken", "2024-03-15"),
    )
    revs, _ = advance({}, tl, T0)
    rows = [
        ("kept", 0),
        ("moved", 0),
        ("cancelled", 0),
        ("postponed", 0),
        ("overtaken", 0),
        ("gone", 3),
    ]
    later = replaced(
        replaced(tl, "moved", when=w.parse("2024-03-20")), "overtaken", superseded_by="kept"
    )
    new_revs, _ = advance(revs, later, T1)
    assert stale_reminders([*rows, ("moved", 1), ("overtaken", 1)], later, new_revs) == {
        ("moved", 0),
        ("cancelled", 0),
        ("postponed", 0),
        ("overtaken", 0),
        ("overtaken", 1),
        ("gone", 3),
    }
