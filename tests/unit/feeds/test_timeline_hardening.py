"""Timeline files an organiser gets wrong: every mistake is a problem naming its place."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pytest

from feeds import TimelineError, load_timeline, parse_timeline
from feeds.loader import Problem
from reminders.export import ExportError, write_file

HEAD = """
[timeline]
name = "Test"

[[regions]]
id = "europe"
tz = "Europe/Zurich"
name = { en = "Europe" }
"""


def _event(event_id: str = "e", when: str = "2024-03-11", tz: str = "") -> str:
    zone = f'tz = "{tz}"\n' if tz else ""
    return (
        f'\n[[events]]\nid = "{event_id}"\nregion = "europe"\nkind = "other"\n'
        f'when = "{when}"\n{zone}title = {{ en = "E" }}\n'
    )


def _problems(text: str) -> list[Problem]:
    with pytest.raises(TimelineError) as caught:
        parse_timeline(text, "t.toml")
    return caught.value.problems


@pytest.mark.parametrize("event_id", ["../../etc/x", "a/b", "Review", "a b", "a" * 101, "-a"])
def test_ids_are_names_event_id_must_be_a_slug(event_id: str) -> None:
    assert _problems(HEAD + _event(event_id.replace('"', ""))) == [
        Problem(
            f"event {event_id}", "id", "use lowercase letters, digits and hyphens (at most 100)"
        )
    ]


@pytest.mark.parametrize(
    "target", ["../outside.ics", "/etc/outside.ics", "events/../../outside.ics", "link/x.ics"]
)
def test_ids_are_names_export_never_writes_outside_its_folder(tmp_path: Path, target: str) -> None:
    root = tmp_path / "export"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(ExportError):
        write_file(root, PurePosixPath(target), b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]


def test_local_times_that_do_not_exist_are_refused() -> None:
    assert _problems(HEAD + _event(when="2024-03-31T02:30/04:00")) == [
        Problem(
            "event e",
            "when",
            "2024-03-31T02:30 does not exist in Europe/Zurich: the clocks skip it "
            "(spring forward); use a time that exists",
        )
    ]


def test_local_times_that_happen_twice_ask_for_an_offset() -> None:
    assert _problems(HEAD + _event(when="2024-10-27T01:00/02:30")) == [
        Problem(
            "event e",
            "when",
            "2024-10-27T02:30 happens twice in Europe/Zurich (the clocks go back): "
            "2024-10-27T02:30+02:00 (00:30 UTC) and 2024-10-27T02:30+01:00 (01:30 UTC); "
            "write the one you mean with its offset, e.g. 2024-10-27T02:30+02:00",
        )
    ]
    assert _problems(HEAD + _event(when="2024-10-27T02:30+05:00")) == [
        Problem(
            "event e", "when", "2024-10-27T02:30+05:00: Europe/Zurich is at +02:00 or +01:00 then"
        )
    ]
    chosen = parse_timeline(HEAD + _event(when="2024-10-27T01:00/02:30+01:00")).event("e")
    assert chosen is not None
    assert chosen.ends_at.astimezone(UTC) == datetime(2024, 10, 27, 1, 30, tzinfo=UTC)


def test_file_errors_name_line_and_column_when_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_bytes(
        (HEAD + _event())
        .encode()
        .replace(b'name = { en = "Europe" }', b'name = { en = "Eur\xf6pe" }')
    )
    with pytest.raises(TimelineError) as caught:
        load_timeline(path)
    assert caught.value.problems == [
        Problem("file", "line 8, column 19", "byte 0xf6 is not UTF-8 text: save the file as UTF-8")
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[events]]\nid = "x\n', Problem("file", "line 2, column 8", "Illegal character '\\n'")),
        ("a = 1\na = 2\n", Problem("file", "line 2, column 6", "Cannot overwrite a value")),
        ("[timeline]\nname = ", Problem("file", "line 2, column 8", "Invalid value")),
    ],
)
def test_file_errors_name_line_and_column_for_toml_syntax(text: str, problem: Problem) -> None:
    assert _problems(text) == [problem]


def test_file_errors_a_byte_order_mark_is_not_one(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (HEAD + _event()).encode())
    assert [event.id for event in load_timeline(path).events] == ["e"]
