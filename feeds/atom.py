"""Atom feeds of the change history (RFC 4287), made with feedgen (pure).

The words come in already translated; this module only builds the document. Output is
deterministic (every date is given, none is "now"), so the ETag hashes the body and
feed readers polling an unchanged feed get a 304.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from feedgen.feed import FeedGenerator

from feeds.revisions import utc_seconds


@dataclass(frozen=True, slots=True)
class AtomEntry:
    id: str  # a tag: URI, stable for one revision of one event
    title: str
    summary: str
    link: str
    updated: datetime  # aware


@dataclass(frozen=True, slots=True)
class AtomMeta:
    id: str
    title: str
    author: str
    self_url: str
    page_url: str
    lang: str
    #: When the feed last changed: its newest entry, or the epoch when it has none.
    updated: datetime


def render_atom(meta: AtomMeta, entries: Sequence[AtomEntry]) -> bytes:
    feed = FeedGenerator()
    feed.id(meta.id)
    feed.title(meta.title)
    feed.author({"name": meta.author})
    feed.link(href=meta.self_url, rel="self", type="application/atom+xml")
    feed.link(href=meta.page_url, rel="alternate", type="text/html")
    feed.language(meta.lang)
    feed.updated(utc_seconds(meta.updated))
    for item in entries:
        entry = feed.add_entry(order="append")
        entry.id(item.id)
        entry.title(item.title)
        entry.link(href=item.link, rel="alternate", type="text/html")
        entry.updated(utc_seconds(item.updated))
        entry.summary(item.summary)
    body: bytes = feed.atom_str(pretty=True)
    return body
