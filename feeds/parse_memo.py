"""What the last parse of a timeline file gave, per event block, to skip it next time.

An edit usually touches one ``[[events]]`` block of a long file. `read_document` parses
the part before the first block and each block on its own, except the blocks whose text
the memo has seen: for those it gives a stand-in table holding only the id, and
`parse_timeline` takes the memo's `Event`, as long as the regions and header it was built
with are unchanged (when they changed, it parses the whole file again). The memo keeps
no tables: at 10,000 events they took 70 MB beside the events. The text
is split only where a line is exactly ``[[events]]``; when anything else could make the
pieces mean something other than the whole (another top-level table after the events,
``events`` in the head, a syntax error), the whole file is parsed as before, so
results and error positions never differ from a plain parse.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from feeds.timeline import Event

_MARK = "[[events]]"
_BLANKS = frozenset(" \t")
_OTHER_TABLE = re.compile(r"^[ \t]*\[(?!\[?[ \t]*events[ \t]*\.)", re.MULTILINE)


@dataclass
class ParseMemo:
    """Kept by whoever re-reads the same file (the service's timeline source)."""

    #: Per block (by the digest of its text), its event.
    events: dict[str, Event] = field(default_factory=dict)
    #: The regions and header the kept events were built with.
    context: object = None


def read_document(text: str, memo: ParseMemo) -> tuple[dict[str, Any], list[str] | None]:
    """The TOML document of `text`, and a key for each event block: a digest of its text
    (None: parsed whole; a syntax error then raises `tomllib.TOMLDecodeError` as
    `tomllib.loads` does). A block whose event the memo holds is a stand-in table: its
    event is `memo.events[key]`, valid while `memo.context` holds."""
    head, *blocks = split_blocks(text)
    if not blocks or any(_OTHER_TABLE.search(block) for block in blocks):
        return tomllib.loads(text), None
    try:
        document = tomllib.loads(head)
        if "events" in document:
            return tomllib.loads(text), None
        # Keyed by a digest of the text: the memo need not keep a second copy of the file.
        keys = [hashlib.sha256(block.encode()).hexdigest() for block in blocks]
        tables = []
        for key, block in zip(keys, blocks, strict=True):
            known = memo.events.get(key)
            if known is None:
                tables.append(tomllib.loads("[[events]]\n" + block)["events"][0])
            else:
                tables.append({"id": known.id})
    except tomllib.TOMLDecodeError:
        return tomllib.loads(text), None
    document["events"] = tables
    return document, keys


def split_blocks(text: str) -> list[str]:
    """The text before the first line that is ``[[events]]`` (spaces or tabs may follow),
    then the text after each such line: one short search per block, where one regular
    expression over a long file would hold the GIL (and the serving loop) throughout."""
    pieces, start, at = [], 0, text.find(_MARK)
    while at >= 0:
        end = at + len(_MARK)
        while end < len(text) and text[end] in _BLANKS:
            end += 1
        if (at == 0 or text[at - 1] == "\n") and text.startswith("\n", end):
            pieces.append(text[start:at])
            start = end + 1
        at = text.find(_MARK, at + 1)
    pieces.append(text[start:])
    return pieces
