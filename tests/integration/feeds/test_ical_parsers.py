"""Every feed and event file, in every language, through four independent parsers and
the byte-level rules none of them checks (feeds-anchors §4: no single tool validates)."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

from feeds import Kind, load_timeline
from feeds.publish import FeedSet
from feeds.revisions import advance
from feeds.vocabulary import LANGUAGES
from tests.support import components
from tests.support.feed_fixtures import BASE_URL, NOW, fixture_feeds
from tests.support.ics_reading import end_of, uids, unfold

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "config" / "timeline.toml"
ICALJS_SCRIPT = ROOT / "tests" / "parsers" / "icaljs_parse.mjs"

Corpus = dict[str, bytes]


def _feed_files(name: str, feed_set: FeedSet, with_events: bool) -> Corpus:
    files: Corpus = {}
    for lang in LANGUAGES:
        for key in feed_set.keys:
            prepared = feed_set.feed(key, lang)
            assert prepared is not None
            files[f"{name}-{key}-{lang}.ics"] = prepared.body
        if with_events:
            for event in feed_set.timeline.events:
                single = feed_set.event(event.id, lang)
                assert single is not None
                files[f"{name}-event-{event.id}-{lang}.ics"] = single.body
    return files


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    fixture = fixture_feeds()
    files = _feed_files("fixture", fixture, with_events=True)
    filtered = fixture.feed("all", "ar", {Kind.IMRF, Kind.GCM_TALK})
    attachment = fixture.attachment("ap-timed", "zh")
    assert filtered is not None
    assert attachment is not None
    files["fixture-filtered-ar.ics"] = filtered.body
    files["fixture-attachment-zh.ics"] = attachment
    if SHIPPED.exists():
        shipped = load_timeline(SHIPPED)
        revisions, _ = advance({}, shipped, datetime(2024, 1, 1, tzinfo=UTC))
        files |= _feed_files("shipped", FeedSet(shipped, revisions, BASE_URL, NOW), True)
    return files


@pytest.fixture(scope="module")
def corpus_dir(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("feeds")
    for name, body in corpus.items():
        (directory / name).write_bytes(body)
    return directory


def test_icalendar_parses_every_file_without_errors(corpus: Corpus) -> None:
    problems = {}
    for name, body in corpus.items():
        calendar = icalendar.Calendar.from_ical(body)
        errors = [(c.name, c.errors) for c in calendar.walk() if c.errors]
        if errors or len(calendar.walk("VEVENT")) != len(uids(body)):
            problems[name] = errors
    assert problems == {}


def test_vobject_parses_and_validates_every_file(corpus: Corpus) -> None:
    problems = {}
    for name, body in corpus.items():
        try:
            calendar = vobject.readOne(body.decode(), validate=True)
            calendar.validate(raiseException=True, complainUnrecognized=False)
            count = len(calendar.contents.get("vevent", []))
        except Exception as exc:  # the failure is the finding; keep looking at the others
            problems[name] = repr(exc)
            continue
        if count != len(uids(body)):
            problems[name] = f"{count} VEVENTs read"
    assert problems == {}


def test_strict_ical_package_parses_every_file(corpus: Corpus) -> None:
    problems = {}
    for name, body in corpus.items():
        try:
            calendar = IcsCalendarStream.calendar_from_ics(body.decode())
        except Exception as exc:  # the failure is the finding; keep looking at the others
            problems[name] = repr(exc)
            continue
        if len(calendar.events) != len(uids(body)):
            problems[name] = f"{len(calendar.events)} events read"
    assert problems == {}


def _python_view(body: bytes) -> dict[str, tuple[object, object]]:
    """UID -> (start, end) as ical.js reports them: epoch seconds, or the date text."""

    def moment(value: date | datetime) -> object:
        if isinstance(value, datetime):
            return {"utc": int(value.timestamp())}
        return {"date": value.isoformat()}

    return {
        str(event["UID"]): (moment(event.decoded("DTSTART")), moment(end_of(event)))
        for event in icalendar.Calendar.from_ical(body).walk("VEVENT")
    }


def test_icaljs_parses_every_file_and_agrees_on_every_instant(
    corpus: Corpus, corpus_dir: Path
) -> None:
    node = components.node()
    node_modules = components.node_modules()
    files = sorted(corpus_dir.iterdir())

    run = subprocess.run(
        [node, str(ICALJS_SCRIPT), node_modules, *map(str, files)],
        capture_output=True,
        check=False,
        timeout=120,
    )
    report = json.loads(run.stdout)

    assert ({k: v for k, v in report.items() if "error" in v}, run.returncode) == ({}, 0)
    seen = {
        Path(path).name: {
            e["uid"]: (
                {k: v for k, v in e["start"].items() if k != "tzid"},
                {k: v for k, v in e["end"].items() if k != "tzid"},
            )
            for e in entry["events"]
        }
        for path, entry in report.items()
    }
    # Python reads zones from zoneinfo by TZID; ical.js only from our VTIMEZONE blocks.
    assert seen == {name: _python_view(body) for name, body in corpus.items()}


# Byte-level rules -------------------------------------------------------------------


def test_files_use_crlf_only(corpus: Corpus) -> None:
    bad = {
        name
        for name, body in corpus.items()
        if body.replace(b"\r\n", b"").count(b"\n") or body.replace(b"\r\n", b"").count(b"\r")
    }
    assert bad == set()


def test_files_start_and_end_with_the_calendar(corpus: Corpus) -> None:
    bad = {
        name
        for name, body in corpus.items()
        if not (body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n"))
    }
    assert bad == set()


def _bad_physical_lines(body: bytes) -> list[bytes]:
    bad = []
    for line in body.split(b"\r\n"):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(line)
            continue
        if len(line) > 75:
            bad.append(line)
    return bad


def test_every_physical_line_fits_75_octets_of_whole_utf8(corpus: Corpus) -> None:
    bad = {name: lines for name, body in corpus.items() if (lines := _bad_physical_lines(body))}
    assert bad == {}


def test_no_control_characters_in_content(corpus: Corpus) -> None:
    control = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
    bad = {name for name, body in corpus.items() if any(map(control.search, unfold(body)))}
    assert bad == set()


def test_uids_are_unique_in_every_file(corpus: Corpus) -> None:
    bad = {name for name, body in corpus.items() if len(set(uids(body))) != len(uids(body))}
    assert bad == set()


def test_every_tzid_has_a_vtimezone(corpus: Corpus) -> None:
    missing = {}
    for name, body in corpus.items():
        lines = unfold(body)
        used = {m for line in lines for m in re.findall(r";TZID=([^;:]+)", line)}
        defined = {line.removeprefix("TZID:") for line in lines if line.startswith("TZID:")}
        if used - defined:
            missing[name] = used - defined
    assert missing == {}


def test_no_floating_times(corpus: Corpus) -> None:
    floating = re.compile(r"^(DTSTART|DTEND)(;VALUE=DATE-TIME)?:\d{8}T\d{6}$")
    bad = {
        name for name, body in corpus.items() for line in _event_lines(body) if floating.match(line)
    }
    assert bad == set()


def _event_lines(body: bytes) -> list[str]:
    text = "\r\n".join(unfold(body))
    return [line for block in text.split("BEGIN:VEVENT")[1:] for line in block.split("\r\n")]


def test_all_day_entries_end_after_they_start(corpus: Corpus) -> None:
    bad = {}
    for name, body in corpus.items():
        for event in icalendar.Calendar.from_ical(body).walk("VEVENT"):
            start, end = event.decoded("DTSTART"), end_of(event)
            if type(start) is not type(end) or (type(start) is date and not end > start):
                bad[name] = str(event["UID"])
    assert bad == {}
