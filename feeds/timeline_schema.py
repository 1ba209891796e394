"""The shape of `timeline.toml`: each table's fields, their types and defaults.

`feeds.loader` checks a file against these models and then builds the `Timeline`; the
checks that need more than one field (places, zones, ids, links) are the loader's.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from feeds.vocabulary import Kind, Modality, SourceKind, Status


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


#: A human-readable text: per language (``{ en = "…", fr = "…" }``), or one plain string,
#: which is the text in the timeline's default language.
TextIn = str | dict[str, str]


class LinkIn(Strict):
    url: str
    label: TextIn = ""


class SourceIn(Strict):
    url: str
    kind: SourceKind
    by: TextIn = ""


class RegistrationIn(Strict):
    url: str = ""
    deadline: str = ""
    note: TextIn = ""


class HeaderIn(Strict):
    name: str = "GCM regional reviews"
    default_language: str = "en"
    default_tz: str = "Europe/Zurich"
    confirm_removal: list[str] = []


class RegionIn(Strict):
    id: str
    name: TextIn
    tz: str
    contact: str = ""
    url: str = ""


class EventIn(Strict):
    id: str
    region: str
    kind: Kind
    when: str
    title: TextIn
    tz: str | None = None
    status: Status = Status.CONFIRMED
    place: TextIn = ""
    modality: Modality | None = None
    links: list[LinkIn] = []
    description: TextIn = ""
    # A plain URL is the organisers' own page; a report by others says who reported it.
    sources: list[str | SourceIn] = []
    #: UIDs this event has in organisers' calendars (`gcmcal import` matches by them).
    external_uids: list[str] = []
    #: The date as first announced, in the same grammar as `when` ("week of 2024-11-03").
    announced: str = ""
    superseded_by: str = ""
    registration: RegistrationIn | None = None


class FileIn(Strict):
    timeline: dict[str, Any] = {}
    regions: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
