"""Parsing with a memo gives what a plain parse gives, re-reading only edited blocks."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.synthetic_timeline import edited, synthetic_timeline
from feeds import TimelineError, parse_timeline
from feeds.parse_memo import ParseMemo, split_blocks

TEXT = synthetic_timeline(120)


def test_parse_with_memo_gives_the_plain_parse_and_keeps_unedited_events() -> None:
    memo = ParseMemo()
    first = parse_timeline(TEXT, "t.toml", memo)
    changed = edited(TEXT, 5, "Revised")

    again = parse_timeline(changed, "t.toml", memo)

    old = {event.id: event for event in first.events}
    assert (first, again) == (parse_timeline(TEXT), parse_timeline(changed))
    assert [event.id for event in again.events if event is not old[event.id]] == [
        next(e.id for e in again.events if e.title("en").startswith("Copy 5: Revised"))
    ]


def test_parse_with_memo_after_a_region_edit_builds_every_event_again() -> None:
    memo = ParseMemo()
    first = parse_timeline(TEXT, "t.toml", memo)
    changed = TEXT.replace('tz = "Africa/Addis_Ababa"', 'tz = "Africa/Nairobi"', 1)

    again = parse_timeline(changed, "t.toml", memo)

    assert again == parse_timeline(changed)
    assert all(a is not b for a, b in zip(first.events, again.events, strict=True))


@pytest.mark.parametrize(
    "damage",
    [
        ('when = "', 'when = "unclosed\nwhen = "'),  # a syntax error inside a block
        ("[[events]]\n", "[[events]]\nid = 3\n"),  # a duplicate key inside a block
        ("[timeline]\n", "[timeline]\nfoo = \n"),  # a syntax error in the head
    ],
)
def test_parse_with_memo_of_a_broken_file_reports_what_a_plain_parse_does(
    damage: tuple[str, str],
) -> None:
    memo = ParseMemo()
    parse_timeline(TEXT, "t.toml", memo)
    broken = TEXT.replace(*damage, 1)

    with pytest.raises(TimelineError) as plain:
        parse_timeline(broken, "t.toml")
    with pytest.raises(TimelineError) as memoised:
        parse_timeline(broken, "t.toml", memo)

    assert str(memoised.value) == str(plain.value)


_EVENTS_LINE = re.compile(r"^\[\[events\]\][ \t]*\n", re.MULTILINE)


@given(
    st.lists(
        st.sampled_from(["[[events]]", "\n", " ", "\t", "x", "[", "]", "id = 1", "[[events]]\n"]),
        max_size=30,
    ).map("".join)
)
def test_split_blocks_of_any_text_is_the_line_pattern_split(text: str) -> None:
    assert split_blocks(text) == _EVENTS_LINE.split(text)
