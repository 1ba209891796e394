"""The same timeline gives the same bytes in every process (so the ETag is a real,
strong validator): python icalendar's own defaults would vary with the hash seed."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from feeds.publish import FeedSet
from feeds.vocabulary import LANGUAGES
from tests.support.feed_fixtures import fixture_feeds

ROOT = Path(__file__).resolve().parents[3]

DIGESTS = """
import json
from tests.integration.feeds.test_determinism import digests
from tests.support.feed_fixtures import fixture_feeds
print(json.dumps(digests(fixture_feeds())))
"""


def digests(feed_set: FeedSet) -> dict[str, str]:
    files = {
        f"{key}-{lang}": feed_set.feed(key, lang) for key in feed_set.keys for lang in LANGUAGES
    } | {
        f"event-{event.id}-{lang}": feed_set.event(event.id, lang)
        for event in feed_set.timeline.events
        for lang in LANGUAGES
    }
    return {
        name: hashlib.sha256(prepared.body).hexdigest()
        for name, prepared in files.items()
        if prepared is not None
    }


def run_with_hash_seed(seed: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    run = subprocess.run(
        [sys.executable, "-c", DIGESTS],
        capture_output=True,
        check=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    result: dict[str, str] = json.loads(run.stdout)
    return result


def test_feed_bytes_are_identical_across_hash_seeds() -> None:
    here = digests(fixture_feeds())

    assert (run_with_hash_seed("1"), run_with_hash_seed("4242")) == (here, here)
    assert len(here) == len(LANGUAGES) * (4 + len(fixture_feeds().timeline.events))
