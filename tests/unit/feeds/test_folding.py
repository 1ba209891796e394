"""`feeds.folding` writes exactly what icalendar writes, only faster."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from icalendar import Event as VEvent
from icalendar.parser.string import _foldline

from feeds.folding import component_bytes, fold

#: Any text of one content line, weighted towards escapes and wide characters.
LINES = st.text(
    alphabet=st.one_of(
        st.sampled_from("\\^;,:é—آ中😀 a"),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
    ),
    max_size=400,
)


@given(LINES)
def test_fold_of_any_line_is_what_icalendar_writes(line: str) -> None:
    assert fold(line) == _foldline(line).encode()


@given(LINES, LINES)
def test_component_bytes_of_any_text_is_what_icalendar_writes(summary: str, text: str) -> None:
    component = VEvent()
    component.add("summary", summary)
    component.add("description", text)
    component.add("categories", [summary, text])

    assert component_bytes(component) == component.to_ical()
