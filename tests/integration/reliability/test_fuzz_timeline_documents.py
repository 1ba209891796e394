"""Any timeline file gives a `Timeline` or a `TimelineError` listing problems that name
their place and field; nothing else escapes the loader (extends the properties of
tests/unit/feeds/test_when.py, which generate valid `When` values, to arbitrary input).
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds import Timeline, TimelineError, load_timeline, parse_timeline
from feeds import when as w
from feeds.loader import Problem
from feeds.vocabulary import LANGUAGES, Kind, Modality, Status

FUZZ = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_PLACE = re.compile(r"(file|timeline|region .+|event .+)", re.DOTALL)

# -- TOML text from Python values (tomllib reads; nothing in the stdlib writes) ---------


def toml_string(text: str) -> str:
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    raise TypeError(type(value))


def toml_document(document: dict[str, Any]) -> str:
    """Top-level keys only (tables inline): any shape a TOML file can parse into."""
    return "".join(f"{toml_key(key)} = {toml_value(value)}\n" for key, value in document.items())


# -- strategies -------------------------------------------------------------------------

_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
_scalars = st.one_of(
    _text,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(max_value=datetime(9999, 12, 30)),
    st.datetimes(max_value=datetime(9999, 12, 30), timezones=st.just(UTC)),
    st.times(),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_text, inner, max_size=3)),
    max_leaves=6,
)
_ids = st.one_of(_values, st.sampled_from(["africa", "europe", "global", "all", "a", ""]))

_languages = st.sampled_from([*LANGUAGES, "de", "EN", ""])
_zones = st.sampled_from(["Europe/Zurich", "UTC", "Africa/Nairobi", "Mars/Olympus", "", "utc"])
_whens = st.one_of(
    st.sampled_from(
        ["2024-03-11", "2024-13", "late 2024", "week of 2024-11-03", "2024-03-11T10:00/08:00"]
    ),
    st.from_regex(r"[0-9]{4}(-[0-9]{1,2}(-[0-9]{1,2})?)?", fullmatch=True),
    _text,
)
_names = st.dictionaries(_languages, st.one_of(_text, _values), max_size=3)
_urls = st.one_of(st.sampled_from(["https://example.org/x", "ftp://x", "http://", ""]), _text)


def _fields(good: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Each field absent, plausible or anything at all; sometimes an unknown field."""
    return st.fixed_dictionaries(
        {},
        optional={
            **{
                name: strategy if name == "id" else st.one_of(strategy, _values)
                for name, strategy in good.items()
            },
            "titel": _values,
        },
    )


_regions = _fields(
    {
        "id": _ids,
        "name": _names,
        "tz": _zones,
        "contact": _text,
        "url": _urls,
    }
)
_events = _fields(
    {
        "id": _ids,
        "region": st.sampled_from(["africa", "global", "atlantis", ""]),
        "kind": st.sampled_from([*(kind.value for kind in Kind), "hearing"]),
        "when": _whens,
        "title": _names,
        "tz": _zones,
        "status": st.sampled_from([*(status.value for status in Status), "maybe"]),
        "place": _text,
        "modality": st.sampled_from([*(m.value for m in Modality), "by pigeon"]),
        "links": st.lists(st.fixed_dictionaries({"url": _urls}, optional={"label": _text})),
        "description": _names,
        "sources": st.lists(_urls, max_size=3),
        "announced": _whens,
    }
)
_documents = st.fixed_dictionaries(
    {},
    optional={
        "timeline": st.one_of(
            _fields({"name": _text, "default_language": _languages, "default_tz": _zones}),
            _values,
        ),
        "regions": st.one_of(st.lists(_regions, max_size=3), _values),
        "events": st.one_of(st.lists(_events, max_size=4), _values),
        "extra": _values,
    },
)


def assert_well_formed(problems: list[Problem]) -> None:
    assert problems
    for problem in problems:
        assert isinstance(problem, Problem)
        assert _PLACE.fullmatch(problem.place), problem
        assert isinstance(problem.field, str)
        assert problem.field.strip(), problem
        assert isinstance(problem.message, str)
        assert problem.message.strip(), problem


def loaded(load: Callable[[], Timeline]) -> Timeline | TimelineError:
    """What `load` gives: a timeline, or the TimelineError it raised (anything else fails)."""
    try:
        return load()
    except TimelineError as exc:
        return exc


def parse_or_problems(text: str) -> Timeline | list[Problem]:
    found = loaded(lambda: parse_timeline(text, "fuzz.toml"))
    if isinstance(found, Timeline):
        return found
    assert found.source == "fuzz.toml"
    assert_well_formed(found.problems)
    return found.problems


# -- a valid document to damage ---------------------------------------------------------


def valid_document() -> dict[str, Any]:
    return {
        "timeline": {"name": "Test round", "default_language": "en"},
        "regions": [
            {
                "id": "africa",
                "tz": "Africa/Nairobi",
                "name": {"en": "Africa", "fr": "Afrique"},
                "url": "https://example.org/africa",
            }
        ],
        "events": [
            {
                "id": "africa-review",
                "region": "africa",
                "kind": "regional-review",
                "when": "2024-03-11T10:00/18:00",
                "title": {"en": "Regional review"},
                "sources": ["https://example.org/source"],
            },
            {
                "id": "imrf",
                "region": "global",
                "kind": "imrf",
                "when": "2026",
                "tz": "America/New_York",
                "status": "tentative",
                "title": {"en": "IMRF", "fr": "FIEM"},
                "links": [{"url": "https://example.org/imrf", "label": "Register"}],
            },
        ],
    }


EVENT_FIELDS = sorted(
    {"kind", "when", "title", "tz", "status", "place", "modality", "links"}
    | {"description", "sources", "announced", "region", "id"}
)


def test_valid_document_written_by_the_fuzzer_parses() -> None:
    timeline = parse_or_problems(toml_document(valid_document()))
    assert isinstance(timeline, Timeline)
    assert [event.id for event in timeline.events] == ["africa-review", "imrf"]


@FUZZ
@given(document=_documents)
def test_timeline_document_of_any_shape_gives_a_timeline_or_well_formed_problems(
    document: dict[str, Any],
) -> None:
    parse_or_problems(toml_document(document))


@FUZZ
@given(
    index=st.integers(min_value=0, max_value=1),
    field=st.sampled_from(EVENT_FIELDS),
    value=st.one_of(st.none(), _scalars, _values),
)
def test_timeline_event_field_of_any_value_is_reported_at_that_event_and_field(
    index: int, field: str, value: Any
) -> None:
    document = valid_document()
    raw = document["events"][index]
    if value is None:
        raw.pop(field, None)  # a missing field
    else:
        raw[field] = value
    found = parse_or_problems(toml_document(document))
    if isinstance(found, Timeline):
        return
    entry_id = raw.get("id")
    place = f"event {entry_id if isinstance(entry_id, str) and entry_id else f'#{index + 1}'}"
    assert [p for p in found if (p.place, p.field.split(".")[0]) == (place, field)], found


@FUZZ
@given(
    start=st.integers(min_value=0, max_value=2000),
    length=st.integers(min_value=0, max_value=40),
    insert=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
)
def test_timeline_text_with_any_damage_gives_a_timeline_or_well_formed_problems(
    start: int, length: int, insert: str
) -> None:
    text = toml_document(valid_document())
    start = min(start, len(text))
    parse_or_problems(text[:start] + insert + text[start + length :])


@FUZZ
@given(content=st.binary(max_size=300))
def test_timeline_file_of_any_bytes_gives_a_timeline_or_well_formed_problems(
    content: bytes,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "timeline.toml"
        path.write_bytes(content)
        found = loaded(lambda: load_timeline(path))
    if isinstance(found, TimelineError):
        assert found.source == str(path)
        assert_well_formed(found.problems)


_when_alphabet = st.sampled_from(
    [*"0123456789-:/T. ", "..", " or ", "week of ", "early ", "mid ", "late ", "Q", "H", "٣"]
)


@FUZZ
@given(text=st.one_of(_text, st.lists(_when_alphabet, max_size=14).map("".join)))
def test_when_text_of_any_form_parses_and_round_trips_or_is_refused_quoting_it(
    text: str,
) -> None:
    try:
        value: w.When | w.WhenError = w.parse(text)
    except w.WhenError as exc:
        value = exc
    if isinstance(value, w.WhenError):
        assert str(value).startswith(f"cannot read {text!r}: ")
    else:
        assert w.parse(value.format()) == value


@pytest.mark.parametrize("section", ["regions", "events"])
@pytest.mark.parametrize("value", [[1], {"a": 1}])
def test_timeline_id_that_is_an_array_or_table_is_reported_as_a_problem(
    section: str, value: Any
) -> None:
    document = valid_document()
    document[section][0]["id"] = value
    found = parse_or_problems(toml_document(document))
    assert not isinstance(found, Timeline)
    assert [p.field for p in found if p.field == "id"] == ["id"]
