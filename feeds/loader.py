"""Read `timeline.toml` into a `Timeline`, or report every problem in it at once.

Each problem names its place (``event unece-2024-review``, ``region africa``) and the
field, so an organiser can fix a broken edit without reading a traceback.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from pydantic import ValidationError

from feeds import when as when_module
from feeds.local_times import local_time_problems
from feeds.parse_memo import ParseMemo, read_document
from feeds.timeline import GLOBAL, Event, Link, Region, Registration, Source, Texts, Timeline
from feeds.timeline_schema import (
    EventIn,
    FileIn,
    HeaderIn,
    RegionIn,
    RegistrationIn,
    TextIn,
)
from feeds.vocabulary import LANGUAGES, SourceKind


@dataclass(frozen=True, slots=True)
class Problem:
    place: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.field}: {self.message}"


class TimelineError(Exception):
    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s)\n" + "\n".join(map(str, problems)))


#: "all" names the all-regions feed; "global" marks events that belong to every region.
RESERVED_REGION_IDS = frozenset({"all", GLOBAL})
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: Ids become file names, URL paths and database keys (200 characters there).
MAX_ID_LENGTH = 100
_SLUG_HELP = f"use lowercase letters, digits and hyphens (at most {MAX_ID_LENGTH})"
_POSITION = re.compile(r"\s*\(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$")


def _is_slug(value: str) -> bool:
    return len(value) <= MAX_ID_LENGTH and _SLUG.fullmatch(value) is not None


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" reads as a broken IPv6 host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _place(what: str, raw: Mapping[str, Any], index: int) -> str:
    """``event unece-2024-review``, or ``event #3`` when the entry has no usable id."""
    entry_id = raw.get("id")
    return f"{what} {entry_id if isinstance(entry_id, str) and entry_id else f'#{index + 1}'}"


def _pydantic_problems(place: str, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "(whole entry)"
        match item["type"]:
            case "extra_forbidden":
                message = "unknown field (misspelt?)"
            case "missing":
                message = "required field is missing"
            case "enum":
                allowed = item.get("ctx", {}).get("expected", "")
                message = f"{item['input']!r} is not one of {allowed}"
            case _:
                message = item["msg"]
        problems.append(Problem(place, field, message))
    return problems


class _Builder:
    """Turns the raw TOML document into domain objects, collecting problems as it goes."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, place: str, field: str, message: str) -> None:
        self.problems.append(Problem(place, field, message))

    def texts(
        self,
        place: str,
        field: str,
        value: TextIn,
        default_language: str,
        *,
        required: bool = False,
    ) -> Texts:
        """The per-language texts of a field, its languages checked.

        A `required` field (titles, region names) must have its default-language text:
        that is what every language falls back to.
        """
        texts = {default_language: value} if isinstance(value, str) else dict(value)
        if isinstance(value, str) and not value.strip() and not required:
            return {}
        for lang, text in texts.items():
            if lang not in LANGUAGES:
                self.problem(
                    place, f"{field}.{lang}", f"unknown language (use {', '.join(LANGUAGES)})"
                )
            elif not text.strip():
                self.problem(place, f"{field}.{lang}", "is empty")
        if required and default_language not in texts:
            self.problem(
                place,
                f"{field}.{default_language}",
                f"{field} in the default language is missing",
            )
        return {lang: text.strip() for lang, text in texts.items()}

    def check_zone(self, place: str, field: str, tz: str) -> bool:
        if tz in _zones():
            return True
        self.problem(
            place, field, f"unknown time zone {tz!r} (use an IANA name like Europe/Zurich)"
        )
        return False

    def header(self, raw: Mapping[str, Any]) -> HeaderIn:
        try:
            header = HeaderIn.model_validate(raw)
        except ValidationError as exc:
            self.problems += _pydantic_problems("timeline", exc)
            return HeaderIn()
        if header.default_language not in LANGUAGES:
            self.problem(
                "timeline",
                "default_language",
                f"{header.default_language!r} is not one of {', '.join(LANGUAGES)}",
            )
        self.check_zone("timeline", "default_tz", header.default_tz)
        return header

    def region(self, index: int, raw: Mapping[str, Any], default_language: str) -> Region | None:
        place = _place("region", raw, index)
        try:
            data = RegionIn.model_validate(raw)
        except ValidationError as exc:
            self.problems += _pydantic_problems(place, exc)
            return None
        before = len(self.problems)
        if data.id in RESERVED_REGION_IDS:
            self.problem(place, "id", f"{data.id!r} is reserved (feeds and URLs use it)")
        elif not _is_slug(data.id):
            self.problem(place, "id", _SLUG_HELP)
        names = self.texts(place, "name", data.name, default_language, required=True)
        self.check_zone(place, "tz", data.tz)
        if data.url and not _is_web_url(data.url):
            self.problem(place, "url", f"{data.url!r} is not an http(s) URL")
        if len(self.problems) > before:
            return None
        return Region(data.id, names, data.tz, data.contact, data.url)

    def event(
        self, index: int, raw: Mapping[str, Any], regions: Mapping[str, Region], header: HeaderIn
    ) -> Event | None:
        place = _place("event", raw, index)
        try:
            data = EventIn.model_validate(raw)
        except ValidationError as exc:
            self.problems += _pydantic_problems(place, exc)
            return None
        before = len(self.problems)
        if not _is_slug(data.id):
            self.problem(place, "id", _SLUG_HELP)
        region = regions.get(data.region)
        if data.region != GLOBAL and region is None:
            self.problem(place, "region", f"unknown region {data.region!r}")
        language = header.default_language
        titles = self.texts(place, "title", data.title, language, required=True)
        descriptions = self.texts(place, "description", data.description, language)
        places = self.texts(place, "place", data.place, language)
        labels = [
            self.texts(place, f"links.{n}.label", link.label, language)
            for n, link in enumerate(data.links)
        ]
        announced = None
        if data.announced:
            try:
                announced = when_module.parse(data.announced)
            except when_module.WhenError as exc:
                self.problem(place, "announced", str(exc))
        tz = data.tz or (region.tz if region else header.default_tz)
        zone_ok = self.check_zone(place, "tz", tz)
        try:
            when = when_module.parse(data.when)
        except when_module.WhenError as exc:
            self.problem(place, "when", str(exc))
        else:
            if zone_ok:
                for message in local_time_problems(when, tz):
                    self.problem(place, "when", message)
        sources = [
            Source(item)
            if isinstance(item, str)
            else Source(
                item.url,
                item.kind,
                self.texts(
                    place,
                    f"sources.{n}.by",
                    item.by,
                    language,
                    required=item.kind is SourceKind.REPORT,
                ),
            )
            for n, item in enumerate(data.sources)
        ]
        for n, source in enumerate(sources):
            if not _is_web_url(source.url):
                self.problem(place, f"sources.{n}", f"{source.url!r} is not an http(s) URL")
        registration = self.registration(place, data.registration, language)
        if data.superseded_by == data.id:
            self.problem(place, "superseded_by", "an event cannot supersede itself")
        for n, link in enumerate(data.links):
            if not _is_web_url(link.url):
                self.problem(place, f"links.{n}.url", f"{link.url!r} is not an http(s) URL")
        if len(self.problems) > before:
            return None
        return Event(
            id=data.id,
            region=data.region,
            kind=data.kind,
            titles=titles,
            when=when,
            tz=tz,
            status=data.status,
            places=places,
            modality=data.modality,
            links=tuple(
                Link(link.url, label) for link, label in zip(data.links, labels, strict=True)
            ),
            descriptions=descriptions,
            sources=tuple(sources),
            external_uids=tuple(data.external_uids),
            announced=announced,
            superseded_by=data.superseded_by,
            registration=registration,
        )

    def registration(
        self, place: str, data: RegistrationIn | None, language: str
    ) -> Registration | None:
        if data is None:
            return None
        if data.url and not _is_web_url(data.url):
            self.problem(place, "registration.url", f"{data.url!r} is not an http(s) URL")
        notes = self.texts(place, "registration.note", data.note, language)
        deadline = None
        if data.deadline:
            try:
                deadline = when_module.parse(data.deadline)
            except when_module.WhenError as exc:
                self.problem(place, "registration.deadline", str(exc))
        return Registration(data.url, deadline, notes)

    def successors(self, events: list[Event]) -> None:
        known = {event.id for event in events}
        for event in events:
            if event.superseded_by and event.superseded_by not in known:
                self.problem(
                    f"event {event.id}",
                    "superseded_by",
                    f"unknown event {event.superseded_by!r}",
                )

    def duplicates(self, what: str, ids: list[Any]) -> None:
        # Only text ids can clash; any other value is reported as the wrong type.
        for value, count in Counter(i for i in ids if isinstance(i, str)).items():
            if value and count > 1:
                self.problem(f"{what} {value}", "id", f"used by {count} {what}s")


def _syntax_problem(exc: tomllib.TOMLDecodeError, text: str) -> Problem:
    message = str(exc)
    found = _POSITION.search(message)
    if found is None:
        return Problem("file", "syntax", message)
    if found["line"] is not None:
        line, column = int(found["line"]), int(found["column"])
    else:  # tomllib reports the end without numbers
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    return Problem("file", f"line {line}, column {column}", message[: found.start()])


def decode_timeline(raw: bytes, source: str) -> str:
    """The text of a timeline file; not UTF-8 is a problem naming its line and column.

    A UTF-8 byte-order mark (some Windows editors write one) is dropped.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
        message = f"byte 0x{raw[exc.start]:02x} is not UTF-8 text: save the file as UTF-8"
        raise TimelineError(
            source, [Problem("file", f"line {line}, column {column}", message)]
        ) from None


def parse_timeline(
    text: str, source: str = "timeline.toml", memo: ParseMemo | None = None
) -> Timeline:
    """Validate the text of a timeline file; raise `TimelineError` listing every problem.

    With `memo`, event blocks already seen in an earlier parse are not parsed again."""
    blocks = None
    try:
        if memo is None:
            document = tomllib.loads(text)
        else:
            document, blocks = read_document(text, memo)
    except tomllib.TOMLDecodeError as exc:
        raise TimelineError(source, [_syntax_problem(exc, text)]) from None
    builder = _Builder()
    try:
        top = FileIn.model_validate(document)
    except ValidationError as exc:
        raise TimelineError(source, _pydantic_problems("file", exc)) from None

    header = builder.header(top.timeline)
    builder.duplicates("region", [raw.get("id") for raw in top.regions])
    builder.duplicates("event", [raw.get("id") for raw in top.events])
    regions: dict[str, Region] = {}
    for index, raw in enumerate(top.regions):
        region = builder.region(index, raw, header.default_language)
        if region is not None:
            regions.setdefault(region.id, region)
        elif isinstance(raw.get("id"), str):
            # Known but broken: events may still name it without a second, misleading error.
            regions.setdefault(raw["id"], Region(raw["id"], {"en": raw["id"]}, "UTC", "", ""))
    events = []
    context = (regions, header)
    if memo is not None and blocks and memo.events and memo.context != context:
        # The memo's events were built with other regions or header: their blocks were
        # read as stand-ins, so the whole file is read again.
        memo.events = {}
        return parse_timeline(text, source, memo)
    kept = memo.events if memo is not None and blocks else {}
    built: dict[str, Event] = {}
    for index, raw in enumerate(top.events):
        block = blocks[index] if blocks else None
        event = kept.get(block) if block is not None else None
        if event is None:
            event = builder.event(index, raw, regions, header)
        if event is not None:
            events.append(event)
            if block is not None:
                built[block] = event
    builder.successors(events)
    if builder.problems:
        raise TimelineError(source, builder.problems)
    if memo is not None:
        memo.events, memo.context = built, context
    events.sort(key=lambda event: (event.starts_at, event.id))
    return Timeline(
        header.name,
        header.default_language,
        tuple(regions.values()),
        tuple(events),
        tuple(header.confirm_removal),
    )


def load_timeline(path: Path) -> Timeline:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TimelineError(str(path), [Problem("file", "path", f"cannot read: {exc}")]) from None
    return parse_timeline(decode_timeline(raw, str(path)), str(path))
