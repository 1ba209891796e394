"""Messages of every kind, built by the real composer from a small timeline, for the mail tests."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from feeds.publish import FeedSet
from feeds.revisions import Revision
from feeds.timeline import Link, Timeline
from feeds.vocabulary import Kind, Modality, Status
from reminders.mail.compose import Composer
from reminders.settings import Settings
from tests.support.reminder_fixtures import event, revisions, timeline

BASE_URL = "https://gcm.example.org"
NOW = datetime(2024, 3, 4, 12, 0, tzinfo=UTC)
SECRET = "test-secret-key"
MESSAGE_ID = "<0123456789abcdef@gcm.example.org>"

KINDS = (
    "reminder",
    "expected",
    "confirmed",
    "change",
    "cancelled",
    "confirm-subscription",
    "manage-link",
    "mixed",
)


#: A subscription's random public name (`reminders.tokens.new_handle` makes 22 characters).
HANDLE = "HandleOfSubscriber4242"


@dataclass(frozen=True, slots=True)
class Recipient:
    id: int
    email: str
    language: str
    tz: str
    feed_generation: int = 0
    handle: str = HANDLE


@dataclass(frozen=True, slots=True)
class Item:
    kind: str
    event_id: str | None
    lead: str | None = None
    revision: int = 0
    payload: Mapping[str, Any] = field(default_factory=dict)


def mail_timeline() -> Timeline:
    return timeline(
        event(
            "europe-review",
            "2024-03-11T10:00/18:00",
            title="Europe and North America: second GCM regional review",
            place="Palais des Nations, Geneva",
            modality=Modality.HYBRID,
            links=[Link("https://indico.un.org/event/1007071/overview", {"en": "Registration"})],
        ),
        event(
            "lac-pre",
            "2024-04",
            region="lac",
            kind=Kind.PRE_CONSULTATION,
            title="Latin America and the Caribbean: stakeholder pre-consultations",
        ),
        event(
            "arab-consultation",
            "2024-03-18",
            region="arab",
            kind=Kind.CONSULTATION,
            title="Arab States: multi-stakeholder consultation",
            place="Beirut",
            modality=Modality.IN_PERSON,
        ),
        event(
            "europe-hearing",
            "2024-03-12T08:30/10:00",
            kind=Kind.HEARING,
            status=Status.CANCELLED,
            title="Europe and North America: multi-stakeholder hearing",
        ),
    )


def items(kind: str) -> list[Item]:
    moved = {
        "class": "moved",
        "changes": [
            {"field": "time", "old": "2024-03-11T09:00/17:00", "new": "2024-03-11T10:00/18:00"},
            {"field": "place", "old": "", "new": "Palais des Nations, Geneva"},
            {"field": "modality", "old": "online", "new": "hybrid"},
        ],
    }
    confirmed = {
        "class": "confirmed",
        "changes": [{"field": "date", "old": "2024-03", "new": "2024-03-18"}],
    }
    cancelled = {
        "class": "cancelled",
        "changes": [{"field": "status", "old": "confirmed", "new": "cancelled"}],
    }
    return {
        "reminder": [Item("reminder", "europe-review", "1w")],
        "expected": [Item("expected", "lac-pre", "3w", payload={"when": "2024-04"})],
        "confirmed": [Item("confirmed", "arab-consultation", payload=confirmed)],
        "change": [Item("change", "europe-review", payload=moved)],
        "cancelled": [Item("cancelled", "europe-hearing", payload=cancelled)],
        "confirm-subscription": [
            Item("confirm-subscription", None, payload={"expires_at": "2024-03-11T12:00:00+00:00"})
        ],
        "manage-link": [Item("manage-link", None)],
        "mixed": [
            Item("reminder", "europe-review", "1w"),
            Item("reminder", "arab-consultation", "3w"),
            Item("expected", "lac-pre", "8w", payload={"when": "2024-04"}),
            Item("cancelled", "europe-hearing", payload=cancelled),
        ],
    }[kind]


@dataclass
class MailSetup:
    timeline: Timeline
    revisions: dict[str, Revision]
    feeds: FeedSet
    composer: Composer


def mail_setup() -> MailSetup:
    tl = mail_timeline()
    revs = revisions(tl)
    feeds = FeedSet(tl, revs, BASE_URL, NOW)
    settings = Settings(
        base_url=BASE_URL,
        mail_from="GCM calendar <reminders@gcm.example.org>",
        secret_key=SECRET,  # type: ignore[arg-type]
    )
    return MailSetup(tl, revs, feeds, Composer(settings, tl, feeds.attachment))


def recipient(lang: str, tz: str = "America/Santiago") -> Recipient:
    return Recipient(id=42, email="someone@example.org", language=lang, tz=tz, feed_generation=3)


def message_bytes(setup: MailSetup, kind: str, lang: str) -> bytes:
    return setup.composer.message_bytes(
        recipient(lang), items(kind), message_id=MESSAGE_ID, now=NOW
    )


class _Text(HTMLParser):
    """The text a reader sees in the HTML part: body only, blocks on their own lines."""

    BLOCKS = frozenset({"p", "br", "li", "h1", "h2", "h3", "div", "hr", "ul"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "title", "style"):
            self._skip += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "title", "style"):
            self._skip -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def words(text: str) -> list[str]:
    """Whitespace-separated words, without the text part's bullets and signature line."""
    return [word for word in re.split(r"\s+", text) if word and word not in ("-", "--")]
