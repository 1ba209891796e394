"""Whole email messages as bytes: headers, text and HTML alternatives, .ics attachments.

Pure apart from reading templates (the clock is passed in as `now`).

Speed
-----
The dispatcher sends thousands of messages a minute, most of them identical but for the
recipient. So the work is split:

- `Composer.rendered` renders the templates, the subject and the attachments once per
  (language, reader's zone, items, the "starts in …" inputs) and keeps the result in an
  LRU cache. The subscriber's token appears in it as a placeholder.
- `Composer.message_bytes` then only substitutes the token, transfer-encodes the two
  parts with C codecs (quoted-printable for mostly-Latin text, base64 for Arabic,
  Chinese and Russian) and joins pre-built header and MIME lines. No `EmailMessage` is
  built on this path; the MIME pieces are in `reminders.mail.mime`.

A `Composer` belongs to one timeline load, like `feeds.publish.FeedSet`: build a new one
when the timeline changes.

Headers
-------
From (`settings.mail_from`), To, Subject (in the reader's language), Date (`now`),
Message-ID (the outbox row's, the same on every retry), MIME-Version, Content-Language,
Auto-Submitted: auto-generated, Precedence: bulk (not on the two emails a person asked
for: confirmation and manage link), List-Id ``<reminders.{host}>``, and for subscribed mail
List-Unsubscribe (the HTTPS one-click URL, and a mailto when GCMCAL_UNSUBSCRIBE_MAILBOX
is set) with List-Unsubscribe-Post
(RFC 8058). A confirmation request goes to an address that has not subscribed yet: it
carries no List-Unsubscribe, only the "ignore this email" advice. With a `signer`
(`reminders.mail.signing`) every message ends up DKIM-signed.

Links (the token is `reminders.tokens.manage_token` of the subscription's id and its
generation, `Subscription.feed_generation`, as `reminders.subscriptions` stores it):
``{base_url}/manage/{token}`` and ``{base_url}/confirm/{token}``; the unsubscribe link
and List-Unsubscribe carry a token that can only unsubscribe
(`reminders.tokens.handle_token`): ``{base_url}/unsubscribe/{unsubscribe token}`` (GET
shows a page, POST unsubscribes: the RFC 8058 target).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from feeds.date_labels import day_label
from feeds.timeline import Timeline
from feeds.vocabulary import Status
from reminders.addresses import length_problem
from reminders.i18n import environment, gettext
from reminders.mail import words
from reminders.mail.content import (
    CONFIRMED_SECTIONS,
    MessageItem,
    Section,
    sections,
    until_start,
    zone_of,
)
from reminders.mail.message_types import (
    FEED_PLACEHOLDER,
    PLACEHOLDER,
    UNSUBSCRIBE_PLACEHOLDER,
    Envelope,
    MessageRecipient,
    NothingToSend,
    Rendered,
    SimpleItem,
)
from reminders.mail.mime import CRLF, ascii_filename, crlf, header, part, subject_header
from reminders.mail.signing import Signer
from reminders.mail.subject_line import subject
from reminders.settings import Settings
from reminders.states import MessageKind
from reminders.tokens import handle_token, manage_token

NETWORK_URL = "https://migrationnetwork.un.org/"
#: Languages whose text is mostly outside ASCII: base64 is shorter than quoted-printable.
_BASE64_LANGUAGES = frozenset({"ar", "ru", "zh"})
#: Events no calendar file is attached for (no "adds this event to your calendar"); nor
#: for one another event superseded: it will not be held as announced.
_OFF = frozenset({Status.CANCELLED, Status.POSTPONED})
#: Emails sent because the person just asked for them (not bulk).
_ON_REQUEST = frozenset({MessageKind.CONFIRM_SUBSCRIPTION, MessageKind.MANAGE_LINK})


def _address_ok(address: str) -> bool:
    return (
        "@" in address
        and not any(c in address for c in '\r\n<>,;"\\ \t\x00')
        and length_problem(address) is None
    )


class Composer:
    """Builds messages for one timeline load; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        timeline: Timeline,
        attachment: Callable[[str, str], bytes | None],
        *,
        event_page: Callable[[str], str] | None = None,
        token: Callable[[MessageRecipient], str] | None = None,
        feed: Callable[[MessageRecipient], str] | None = None,
        unsubscribe_token: Callable[[MessageRecipient], str] | None = None,
        cache_size: int = 1024,
        signer: Signer | None = None,
    ) -> None:
        self._base = settings.base_url.rstrip("/")
        host = urlsplit(self._base).hostname
        if not host:
            raise ValueError(f"base URL {settings.base_url!r} has no host name")
        self.timeline = timeline
        self._attachment = attachment
        self._event_page = event_page or (lambda event_id: f"{self._base}/events/{quote(event_id)}")
        secret = settings.secret_key.get_secret_value()
        self._token = token or (
            lambda recipient: manage_token(secret, recipient.id, recipient.feed_generation)
        )
        self._feed = feed or (
            lambda recipient: handle_token(
                secret, "feed", recipient.handle, recipient.id, recipient.feed_generation
            )
        )
        self._unsubscribe_token = unsubscribe_token or (
            lambda recipient: handle_token(
                secret, "unsubscribe", recipient.handle, recipient.id, recipient.feed_generation
            )
        )
        name, address = parseaddr(settings.mail_from)
        if not address:
            raise ValueError(f"no address in GCMCAL_MAIL_FROM {settings.mail_from!r}")
        self._from = header("From", formataddr((name, address), charset="utf-8"))
        self._list_id = header("List-Id", f"{words.LIST_NAME} <reminders.{host}>")
        # A mailto unsubscribe nobody reads would be a promise broken: only when configured.
        mailbox = settings.unsubscribe_mailbox
        self._mailto = (
            b"," + CRLF + b" <mailto:" + mailbox.encode() + b"?subject=unsubscribe>"
            if mailbox
            else b""
        )
        self._signer = signer
        self._cache: OrderedDict[tuple[Any, ...], Rendered] = OrderedDict()
        self._cache_size = cache_size
        self._ics: dict[tuple[str, str], bytes | None] = {}

    # Links ------------------------------------------------------------------------------

    def manage_url(self, token: str) -> str:
        return f"{self._base}/manage/{token}"

    def unsubscribe_url(self, token: str) -> str:
        return f"{self._base}/unsubscribe/{token}"

    def confirm_url(self, token: str) -> str:
        return f"{self._base}/confirm/{token}"

    def feed_url(self, name: str) -> str:
        return f"{self._base}/personal/{name}.ics"

    # Rendering (cached) -----------------------------------------------------------------

    def rendered(self, items: Sequence[MessageItem], lang: str, tz: str, now: datetime) -> Rendered:
        """The recipient-independent part of a message, from the cache when possible."""
        key = self._key(items, lang, tz, now)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        found = self._render(items, lang, tz, now)
        self._cache[key] = found
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return found

    def _key(
        self, items: Sequence[MessageItem], lang: str, tz: str, now: datetime
    ) -> tuple[Any, ...]:
        zone = zone_of(tz)
        parts = []
        for item in items:
            starts: tuple[int, int | None] | None = None
            if item.kind == MessageKind.REMINDER and item.event_id is not None:
                event = self.timeline.event(item.event_id)
                starts = until_start(event, zone, now) if event else None
            payload = json.dumps(item.payload, sort_keys=True, default=str) if item.payload else ""
            parts.append((str(item.kind), item.event_id, item.lead, item.revision, payload, starts))
        return (lang, tz, tuple(sorted(parts, key=repr)))

    def _render(self, items: Sequence[MessageItem], lang: str, tz: str, now: datetime) -> Rendered:
        kinds = {MessageKind(item.kind) for item in items}
        if not items:
            raise ValueError("a message needs at least one item")
        urls: dict[str, Any] = {
            "manage_url": self.manage_url(PLACEHOLDER),
            "unsubscribe_url": self.unsubscribe_url(UNSUBSCRIBE_PLACEHOLDER),
            "confirm_url": self.confirm_url(PLACEHOLDER),
            "feed_url": self.feed_url(FEED_PLACEHOLDER),
            "network_url": NETWORK_URL,
        }
        if kinds & {MessageKind.CONFIRM_SUBSCRIPTION, MessageKind.MANAGE_LINK}:
            if len(items) != 1:
                raise ValueError("confirmation and manage-link messages go alone")
            kind = MessageKind(items[0].kind)
            if kind is MessageKind.CONFIRM_SUBSCRIPTION:
                title = gettext(lang, words.SUBJECT_CONFIRM_SUBSCRIPTION)
            else:
                title = gettext(lang, words.SUBJECT_MANAGE_LINK)
            context = {**urls, "subject": title, "expires": _expires(items[0], lang, tz)}
            return self._finish(kind, lang, title, context, f"{kind.value}", ())
        found = sections(
            items,
            timeline=self.timeline,
            lang=lang,
            zone=zone_of(tz),
            now=now,
            event_page=self._event_page,
        )
        if not found:
            raise NothingToSend("none of the events is in the timeline")
        title = subject(found, lang)
        attachments = self._attachments(found, lang)
        context = {**urls, "subject": title, "sections": found, "attachments": len(attachments)}
        return self._finish(
            _main_kind(found[0].kind), lang, title, context, "_message", attachments
        )

    def _finish(
        self,
        kind: MessageKind,
        lang: str,
        title: str,
        context: Mapping[str, Any],
        template: str,
        attachments: tuple[bytes, ...],
    ) -> Rendered:
        env = environment(lang)
        text = env.get_template(f"{template}.txt.j2").render(context)
        html = env.get_template(f"{template}.html.j2").render(context)
        return Rendered(
            kind=kind,
            subject=title,
            subject_header=subject_header(title),
            text=_tidy(text),
            html=html,
            attachments=attachments,
            language=lang,
            list_unsubscribe=kind is not MessageKind.CONFIRM_SUBSCRIPTION,
        )

    def _attachments(self, found: Sequence[Section], lang: str) -> tuple[bytes, ...]:
        parts = []
        seen: set[str] = set()
        for section in found:
            for view in section.events:
                if view.id in seen:
                    continue
                seen.add(view.id)
                event = self.timeline.event(view.id)
                if event is None or event.status in _OFF or event.superseded_by:
                    continue  # nothing to add to a calendar: the email says why
                key = (view.id, lang)
                if key not in self._ics:
                    self._ics[key] = self._attachment(view.id, lang)
                body = self._ics[key]
                if body is None:
                    continue
                name = ascii_filename(view.id).encode()
                parts.append(
                    b'Content-Type: text/calendar; charset="utf-8"; method=PUBLISH; name="'
                    + name + b'"' + CRLF
                    + b'Content-Disposition: attachment; filename="' + name + b'"' + CRLF
                    + b"Content-Transfer-Encoding: base64" + CRLF + CRLF
                    + base64.encodebytes(body).replace(b"\n", CRLF)
                )  # fmt: skip
        return tuple(parts)

    # Per recipient ----------------------------------------------------------------------

    def message_bytes(
        self,
        recipient: MessageRecipient,
        items: Sequence[MessageItem],
        *,
        message_id: str,
        now: datetime,
    ) -> bytes:
        """The whole message for one recipient, CRLF line ends, ready for SMTP."""
        if not _address_ok(recipient.email):
            raise ValueError("unusable recipient address")
        if not (message_id.startswith("<") and message_id.endswith(">") and "@" in message_id):
            raise ValueError(f"malformed Message-ID {message_id!r}")
        body = self.rendered(items, recipient.language, recipient.tz, now)
        token = self._token(recipient)
        feed = self._feed(recipient)
        unsubscribe = self._unsubscribe_token(recipient)
        use_base64 = body.language in _BASE64_LANGUAGES
        text = crlf(_with_tokens(body.text, token, feed, unsubscribe))
        html = crlf(_with_tokens(body.html, token, feed, unsubscribe))
        boundary = "=_" + hashlib.sha256(message_id.encode()).hexdigest()[:24]
        alt, mixed = f"{boundary}.a".encode(), f"{boundary}.m".encode()
        alternative = (
            b"--" + alt + CRLF + part(b'text/plain; charset="utf-8"', text, use_base64)
            + b"--" + alt + CRLF + part(b'text/html; charset="utf-8"', html, use_base64)
            + b"--" + alt + b"--" + CRLF
        )  # fmt: skip
        head = [
            self._from,
            b"To: " + recipient.email.encode() + CRLF,
            body.subject_header,
            b"Date: " + format_datetime(now.astimezone(UTC)).encode() + CRLF,
            b"Message-ID: " + message_id.encode() + CRLF,
            b"MIME-Version: 1.0" + CRLF,
            b"Content-Language: " + body.language.encode() + CRLF,
            b"Auto-Submitted: auto-generated" + CRLF,
            self._list_id,
        ]
        if body.kind not in _ON_REQUEST:
            # Keeps vacation responders quiet (RFC 3834 §2) and says what the mail is.
            head.append(b"Precedence: bulk" + CRLF)
        if body.list_unsubscribe:
            head.append(
                b"List-Unsubscribe: <" + self.unsubscribe_url(unsubscribe).encode() + b">"
                + self._mailto + CRLF
            )  # fmt: skip
            head.append(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" + CRLF)
        if not body.attachments:
            head.append(
                b'Content-Type: multipart/alternative; boundary="' + alt + b'"' + CRLF + CRLF
            )
            return self._signed(b"".join(head) + alternative)
        head.append(b'Content-Type: multipart/mixed; boundary="' + mixed + b'"' + CRLF + CRLF)
        parts = [
            b"--" + mixed + CRLF,
            b'Content-Type: multipart/alternative; boundary="' + alt + b'"' + CRLF + CRLF,
            alternative,
        ]
        for attachment in body.attachments:
            parts += [b"--" + mixed + CRLF, attachment]
        parts.append(b"--" + mixed + b"--" + CRLF)
        return self._signed(b"".join(head) + b"".join(parts))

    def _signed(self, message: bytes) -> bytes:
        return self._signer.sign(message) if self._signer else message

    def envelope_bytes(self, envelope: Envelope, now: datetime) -> bytes:
        """One dispatcher envelope (its rows share the Message-ID) as message bytes."""
        return self.message_bytes(
            envelope.recipient, envelope.items, message_id=envelope.message_id, now=now
        )

    def for_dispatch(self, clock: Callable[[], datetime]) -> Callable[[Envelope], bytes]:
        """The dispatcher's `MessageBuilder`, stamping each message with `clock()`."""
        return lambda envelope: self.envelope_bytes(envelope, clock())

    # Messages about the subscription itself ---------------------------------------------

    def confirmation(
        self,
        recipient: MessageRecipient,
        *,
        message_id: str,
        now: datetime,
        expires_at: datetime | None = None,
    ) -> bytes:
        """The double opt-in request: a link to the page with the Confirm button."""
        payload = {"expires_at": expires_at.isoformat()} if expires_at else {}
        item = SimpleItem(MessageKind.CONFIRM_SUBSCRIPTION.value, payload=payload)
        return self.message_bytes(recipient, [item], message_id=message_id, now=now)

    def manage_link(self, recipient: MessageRecipient, *, message_id: str, now: datetime) -> bytes:
        item = SimpleItem(MessageKind.MANAGE_LINK.value)
        return self.message_bytes(recipient, [item], message_id=message_id, now=now)


def _main_kind(section_kind: str) -> MessageKind:
    """The message kind behind a section ("announced", "reported" hold "confirmed" items)."""
    if section_kind in CONFIRMED_SECTIONS:
        return MessageKind.CONFIRMED
    return MessageKind(section_kind)


def _with_tokens(body: str, token: str, feed: str, unsubscribe: str) -> str:
    return (
        body.replace(PLACEHOLDER, token)
        .replace(FEED_PLACEHOLDER, feed)
        .replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe)
    )


def _expires(item: MessageItem, lang: str, tz: str) -> str:
    value = item.payload.get("expires_at")
    if not value:
        return ""
    moment = datetime.fromisoformat(str(value))
    return day_label(moment.astimezone(ZoneInfo(tz)).date(), lang)


def _tidy(text: str) -> str:
    """At most one blank line in a row, no trailing spaces, one final newline."""
    lines: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def message_id_for(dedupe_key: str, host: str) -> str:
    """A Message-ID derived from an outbox row's dedupe key: the same on every re-plan."""
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]}@{host}>"
