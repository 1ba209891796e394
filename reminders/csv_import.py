"""Reading a CSV list of people who already opted in (`gcmcal subscriptions import`).

Pure: the text and the timeline are passed in. The first line names the columns:

    email,regions,kinds,language,tz,leads,hour

Only `email` is required. `regions`, `kinds` and `leads` take several values separated
by spaces or semicolons; an empty cell means the default of `gcmcal subscriptions add`
(every region, every kind, the default leads, English, the first region's zone or
UTC, 09:00). Each row is checked like the options of that command (the sign-up form's
rule); a row that fails is
refused with its line number and the column at fault, and the others go on.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from feeds import Timeline
from reminders.subscription_admin import ChoiceError, normalized_email, validate
from reminders.subscription_choices import CLI_OPTIONS, DEFAULT_LANGUAGE, Choices

COLUMNS = ("email", "regions", "kinds", "language", "tz", "leads", "hour")
#: The column of each option `validate` may name.
_COLUMNS = {
    option: "hour" if field == "delivery_hour" else field for field, option in CLI_OPTIONS.items()
}
_SEPARATORS = re.compile(r"[\s;]+")


class HeaderError(ValueError):
    """The first line is not a usable header; the message says what to change."""


@dataclass(frozen=True, slots=True)
class Person:
    row: int  # the line number in the file (the header is line 1)
    email: str
    choices: Choices


@dataclass(frozen=True, slots=True)
class Refusal:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.reason}"


def _values(cell: str) -> list[str]:
    return [value for value in _SEPARATORS.split(cell.strip()) if value]


def _header(names: Sequence[str]) -> list[str]:
    header = [name.strip().lower() for name in names]
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise HeaderError(f"row 1: unknown column {unknown[0]!r} (columns: {', '.join(COLUMNS)})")
    if "email" not in header:
        raise HeaderError(f"row 1: no 'email' column (columns: {', '.join(COLUMNS)})")
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        raise HeaderError(f"row 1: column {twice[0]!r} appears twice")
    return header


def read_rows(text: str, timeline: Timeline) -> Iterator[Person | Refusal]:
    """Each data row as a `Person` to add or a `Refusal`; raise `HeaderError` first."""
    lines = csv.reader(text.splitlines())
    first = next(lines, None)
    if first is None:
        raise HeaderError("the file is empty: the first line must name the columns")
    header = _header(first)
    seen: dict[str, int] = {}
    for index, cells in enumerate(lines, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not rows anybody meant
        if len(cells) != len(header):
            yield Refusal(index, "-", f"{len(cells)} cells, but the header has {len(header)}")
            continue
        row = dict(zip(header, cells, strict=True))
        yield _person(index, row, timeline, seen)


def _person(
    index: int, row: dict[str, str], timeline: Timeline, seen: dict[str, int]
) -> Person | Refusal:
    try:
        email = normalized_email(row["email"])
        choices = validate(
            timeline,
            regions=_values(row.get("regions", "")),
            kinds=_values(row.get("kinds", "")),
            language=row.get("language", "").strip() or DEFAULT_LANGUAGE,
            tz=row.get("tz", ""),
            leads=_values(row.get("leads", "")),
            hour=row.get("hour", ""),
        )
    except ChoiceError as exc:
        reason = str(exc).removeprefix(f"{exc.option}: ")
        return Refusal(index, _COLUMNS[exc.option], reason)
    if email in seen:
        return Refusal(index, "email", f"the same address as row {seen[email]}")
    seen[email] = index
    return Person(index, email, choices)
