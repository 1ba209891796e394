from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

from feeds import Kind
from feeds.ical import SHOWN_AFTER_END
from feeds.prepared import Prepared
from feeds.publish import FeedSet
from feeds.revisions import Revision
from feeds.vocabulary import LANGUAGES
from tests.support.feed_fixtures import BASE_URL, HOST, NOW, fixture_revisions, fixture_timeline
from tests.support.ics_reading import header_lines, uids

TIMELINE = fixture_timeline()
REVISIONS = fixture_revisions(TIMELINE)
FIRST_STAMP = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
LATER = datetime(2024, 4, 5, 6, 7, 8, tzinfo=UTC)


def feeds(revisions: dict[str, Revision] = REVISIONS, now: datetime = NOW) -> FeedSet:
    return FeedSet(TIMELINE, revisions, BASE_URL, now)


def get(feed_set: FeedSet, key: str, lang: str = "en", kinds: set[Kind] | None = None) -> Prepared:
    prepared = feed_set.feed(key, lang, kinds)
    assert prepared is not None
    return prepared


def test_feed_set_prepares_every_region_and_language() -> None:
    feed_set = feeds()

    assert feed_set.keys == ("all", "asia-pacific", "arab-states", "latin-america-caribbean")
    assert {
        (key, lang): header_lines(get(feed_set, key, lang).body)[2]
        for key in feed_set.keys
        for lang in LANGUAGES
    } == {
        (key, lang): f"PRODID:-//gcm-calendar//{HOST}//{key}//{lang.upper()}"
        for key in feed_set.keys
        for lang in LANGUAGES
    }


def test_etag_is_the_quoted_sha256_of_the_body() -> None:
    prepared = get(feeds(), "all")
    digest = base64.urlsafe_b64encode(hashlib.sha256(prepared.body).digest()).rstrip(b"=")

    assert prepared.etag == f'"{digest.decode()}"'


def test_region_feed_holds_its_events_and_the_global_ones() -> None:
    assert uids(get(feeds(), "latin-america-caribbean").body) == [
        f"{event_id}@{HOST}"
        for event_id in (
            "utc-briefing",
            "lac-month",
            "lac-deadline",
            "lac-late",
            "lac-postponed",
            "imrf-year",
        )
    ]


def test_last_modified_is_the_latest_revision_of_included_events() -> None:
    revisions = {**REVISIONS, "lac-month": Revision(1, LATER, "changed")}
    feed_set = feeds(revisions)

    assert {key: get(feed_set, key).last_modified for key in feed_set.keys} == {
        "all": LATER,
        # ap-cancelled-long-ago left it at the end of its retention, after its revision.
        "asia-pacific": datetime(2024, 2, 9, 17, 0, tzinfo=UTC),
        "arab-states": FIRST_STAMP,
        "latin-america-caribbean": LATER,
    }


def test_last_modified_moves_when_a_cancelled_event_leaves_the_feed() -> None:
    cancelled = TIMELINE.event("ap-cancelled")
    assert cancelled is not None
    leaves = cancelled.ends_at + SHOWN_AFTER_END

    assert get(feeds(now=leaves), "asia-pacific").last_modified == leaves.astimezone(UTC)


def test_kinds_filter_keeps_only_those_kinds() -> None:
    prepared = get(feeds(), "all", kinds={Kind.IMRF, Kind.REGISTRATION_DEADLINE})

    assert uids(prepared.body) == [f"lac-deadline@{HOST}", f"imrf-year@{HOST}"]
    assert header_lines(prepared.body)[2] == (
        f"PRODID:-//gcm-calendar//{HOST}//all+imrf+registration-deadline//EN"
    )


def test_kinds_filter_is_rendered_once_and_remembered() -> None:
    feed_set = feeds()

    first = get(feed_set, "asia-pacific", kinds={Kind.GCM_TALK})

    assert get(feed_set, "asia-pacific", kinds={Kind.GCM_TALK}) is first


def test_kinds_filter_memo_forgets_the_least_recently_used() -> None:
    feed_set = FeedSet(TIMELINE, REVISIONS, BASE_URL, NOW, filtered_cache_size=2)
    talks = get(feed_set, "all", kinds={Kind.GCM_TALK})
    get(feed_set, "all", kinds={Kind.IMRF})
    get(feed_set, "all", kinds={Kind.GCM_TALK})
    get(feed_set, "all", kinds={Kind.OTHER})

    again = get(feed_set, "all", kinds={Kind.GCM_TALK})
    imrf = get(feed_set, "all", kinds={Kind.IMRF})

    assert (again is talks, imrf.body) == (True, get(feeds(), "all", kinds={Kind.IMRF}).body)


def test_every_kind_is_the_unfiltered_feed() -> None:
    feed_set = feeds()

    assert get(feed_set, "all", kinds=set(Kind)) is get(feed_set, "all")


def test_unknown_region_has_no_feed() -> None:
    feed_set = feeds()

    assert (feed_set.feed("mars", "en"), feed_set.feed("mars", "en", {Kind.IMRF})) == (None, None)


def test_event_file_is_stamped_with_its_revision() -> None:
    revisions = {**REVISIONS, "ap-day": Revision(2, LATER, "changed")}
    prepared = feeds(revisions).event("ap-day", "es")

    assert prepared is not None
    assert (uids(prepared.body), prepared.last_modified) == ([f"ap-day@{HOST}"], LATER)
    assert feeds().event("nope", "en") is None


def test_attachment_carries_method_publish() -> None:
    body = feeds().attachment("ap-timed", "en")

    assert body is not None
    assert header_lines(body)[4] == "METHOD:PUBLISH"
    assert uids(body) == [f"ap-timed@{HOST}"]
