"""Synthetic timelines of any length for the publishing benchmarks.

`synthetic_timeline(n)` writes the shipped timeline's header and regions, its 43 events
as they are, then copies of those events (six-language titles, descriptions, places,
links and sources) under new ids until there are `n`, each copy given the next `when`
form of `WHEN_FORMS` (every form of `feeds.when`), spread over 2023-2031 so that some
are past and some upcoming on any clock. `edited(text, k)` changes one word of one
copy's English title: the edit the benchmark measures.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "config" / "timeline.toml"

#: One of each form of the `when` grammar (`feeds.when`), `{y}` a year, `{m}` a month.
WHEN_FORMS = (
    "{y}-{m}-11T08:30/10:00",
    "{y}-{m}-09T09:00/{y}-{m}-10T17:00",
    "{y}-{m}-01T23:59",
    "{y}-{m}-11",
    "{y}-{m}-09..{y}-{m}-10",
    "{y}-{m}-08 or {y}-{m}-14",
    "week of {y}-{m}-03",
    "{y}-{m}",
    "early {y}",
    "mid {y}",
    "late {y}",
    "H1 {y}",
    "H2 {y}",
    "Q3 {y}",
    "{y}",
    "{y}-{m} .. {y}-12",
    "{y} .. early {z}",
)

_BLOCK = re.compile(r"^\[\[events\]\]\n", re.MULTILINE)
_SECTION = re.compile(r"^# -{20,}\n(?:#.*\n)*# -{20,}\n", re.MULTILINE)


def _parts() -> tuple[str, list[str]]:
    text = SHIPPED.read_text(encoding="utf-8")
    head, *blocks = _BLOCK.split(text)
    return head, [_SECTION.sub("", block) for block in blocks]


def synthetic_timeline(count: int) -> str:
    """A timeline document of `count` events (at least the 43 shipped ones)."""
    head, blocks = _parts()
    out = [head, *("[[events]]\n" + block for block in blocks)]
    for number in range(count - len(blocks)):
        block = blocks[number % len(blocks)]
        year = 2023 + number % 9
        form = WHEN_FORMS[number % len(WHEN_FORMS)]
        when = form.format(y=year, m=f"{1 + number % 11:02d}", z=year + 1)
        copy = re.sub(r'^id = "([^"]+)"', rf'id = "\1-copy{number}"', block, count=1, flags=re.M)
        copy = re.sub(r'^when = ".*"', f'when = "{when}"', copy, count=1, flags=re.M)
        # A copy may be announced with a form its new date does not fit; and it is
        # overtaken by nothing (its original's successor is not its own).
        copy = re.sub(r'^(announced|superseded_by) = ".*"\n', "", copy, flags=re.M)
        copy = re.sub(
            r'^(\[events\.title\]\nen = ")', rf"\1Copy {number}: ", copy, count=1, flags=re.M
        )
        out.append("[[events]]\n" + copy)
    return "".join(out)


def edited(document: str, number: int, word: str) -> str:
    """`document` with the English title of copy `number` starting with `word`."""
    changed, found = re.subn(
        rf'^en = "Copy {number}: ', f'en = "Copy {number}: {word} ', document, count=1, flags=re.M
    )
    if found != 1:
        raise ValueError(f"no copy {number} in the document")
    return changed
