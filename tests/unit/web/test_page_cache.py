"""`PageCache` builds a page once per timeline load, key and moment."""

from __future__ import annotations

from datetime import UTC, timedelta

from reminders.web.page_cache import PageCache
from tests.feed_fixtures import NOW, fixture_timeline

TIMELINE = fixture_timeline()
DAY = timedelta(days=1)


def test_page_cache_builds_each_page_once_per_load_and_moment() -> None:
    cache = PageCache()
    builds: list[str] = []

    def build(text: str) -> str:
        builds.append(text)
        return text

    first = cache.get(("index", "en"), TIMELINE, NOW, lambda: build("one"))
    same = cache.get(("index", "en"), TIMELINE, NOW + timedelta(minutes=1), lambda: build("x"))
    other_language = cache.get(("index", "fr"), TIMELINE, NOW, lambda: build("un"))
    reloaded = cache.get(("index", "en"), fixture_timeline(), NOW, lambda: build("one"))

    assert (builds, same, reloaded) == (["one", "un", "one"], first, first)
    assert other_language.body == b"un"


def test_page_cache_builds_again_when_an_event_ends_or_the_day_turns() -> None:
    cache = PageCache()
    end = min(e.ends_at for e in TIMELINE.events if e.ends_at > NOW).astimezone(UTC)
    moments = [NOW, NOW + timedelta(minutes=1), end, end + timedelta(seconds=1), end + DAY]
    built = []
    for moment in moments:
        cache.get("page", TIMELINE, moment, lambda: "page")
        built.append(cache.built)

    assert built == [1, 1, 2, 2, 3]
