"""Feed bodies are kept within a budget of bytes and joined again when they were dropped."""

from __future__ import annotations

from functools import partial

from feeds.prepared import BodyCache
from feeds.publish import FeedSet
from feeds.vocabulary import LANGUAGES, Kind
from tests.support.feed_fixtures import BASE_URL, NOW, fixture_revisions, fixture_timeline

TIMELINE = fixture_timeline()
REVISIONS = fixture_revisions(TIMELINE)


def test_body_cache_drops_the_least_recently_used_beyond_its_budget() -> None:
    cache = BodyCache(budget=20)
    made: list[str] = []

    def body(tag: str) -> bytes:
        made.append(tag)
        return tag.encode() * 8

    for tag in ("a", "b", "a", "c", "a", "b"):
        cache.get(tag, partial(body, tag))

    # 8 bytes each: two fit. "b" was the least recently used when "c" came, "c" when
    # "b" came back; "a", asked for throughout, was made once.
    assert (made, len(cache), cache.size) == (["a", "b", "c", "b"], 2, 16)


def test_body_cache_hands_out_a_body_larger_than_its_budget_without_keeping_it() -> None:
    cache = BodyCache(budget=4)

    assert (cache.get("x", lambda: b"too long"), len(cache), cache.size) == (b"too long", 0, 0)


def everything(feed_set: FeedSet) -> dict[tuple[str, ...], bytes]:
    """The body of every feed, filtered feed, personal feed and event file, asked twice."""
    served: dict[tuple[str, ...], bytes] = {}
    for _ in range(2):
        for lang in LANGUAGES:
            for key in feed_set.keys:
                for kinds in (None, {Kind.GCM_TALK}):
                    found = feed_set.feed(key, lang, kinds)
                    assert found is not None
                    served[(key, lang, str(kinds))] = found.body
                served[("personal", key, lang)] = feed_set.personal([key], [], lang).body
            for event in TIMELINE.events:
                found = feed_set.event(event.id, lang)
                assert found is not None
                served[(event.id, lang)] = found.body
    return served


def test_feed_set_within_a_small_budget_serves_what_an_unbounded_one_does() -> None:
    unbounded = FeedSet(TIMELINE, REVISIONS, BASE_URL, NOW)
    largest = max(len(body) for body in everything(unbounded).values())
    small = FeedSet(TIMELINE, REVISIONS, BASE_URL, NOW, body_budget=largest)

    served = everything(small)

    assert served == everything(unbounded)
    assert 0 < small.kept_bytes <= largest < unbounded.kept_bytes
