"""A helper process renders half of a first load: the feeds are those rendered in place."""

from __future__ import annotations

from bench.synthetic_timeline import synthetic_timeline
from feeds import parse_timeline
from feeds.publish import FeedSet
from feeds.revisions import advance
from reminders.render_pool import RenderHelper
from tests.support.feed_fixtures import BASE_URL, HOST, NOW
from tests.unit.feeds.test_incremental_publish import everything

TIMELINE = parse_timeline(synthetic_timeline(60))


def test_feed_set_with_a_render_helper_serves_what_one_rendered_in_place_does() -> None:
    revisions, _ = advance({}, TIMELINE, NOW)
    helper = RenderHelper()
    try:
        elsewhere = helper.share(TIMELINE, revisions, HOST, BASE_URL, NOW)
        shared = FeedSet(TIMELINE, revisions, BASE_URL, NOW, elsewhere=elsewhere)
    finally:
        helper.close()

    assert sorted(elsewhere) == sorted(e.id for e in TIMELINE.events[30:])
    assert everything(shared) == everything(FeedSet(TIMELINE, revisions, BASE_URL, NOW))


def test_render_helper_once_gone_shares_nothing() -> None:
    revisions, _ = advance({}, TIMELINE, NOW)
    helper = RenderHelper()
    helper.close()

    assert helper.share(TIMELINE, revisions, HOST, BASE_URL, NOW) is None
