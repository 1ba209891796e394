"""Every email kind in every language, built by the real composer: headers, both parts
with the same content, the feed's .ics attachment, size, right-to-left Arabic."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from icalendar import Calendar

from feeds.vocabulary import LANGUAGES, Status
from reminders.mail.compose import Composer, message_id_for
from reminders.mail.message_types import NothingToSend
from reminders.settings import Settings
from reminders.states import MessageKind
from reminders.tokens import handle_token, manage_token
from tests.support.reminder_mail_fixtures import (
    BASE_URL,
    HANDLE,
    KINDS,
    MESSAGE_ID,
    NOW,
    SECRET,
    Item,
    MailSetup,
    html_text,
    items,
    mail_setup,
    message_bytes,
    recipient,
    words,
)

TOKEN = manage_token(SECRET, 42, 3)
UNSUBSCRIBE = handle_token(SECRET, "unsubscribe", HANDLE, 42, 3)
FEED = handle_token(SECRET, "feed", HANDLE, 42, 3)
EVENT_KINDS = [kind for kind in KINDS if kind not in ("confirm-subscription", "manage-link")]


@pytest.fixture(scope="module")
def setup() -> MailSetup:
    return mail_setup()


def parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    # Base64 parts decode to the canonical CRLF line ends; quoted-printable ones to LF.
    plain, rich = (str(part.get_content()).replace("\r\n", "\n") for part in (text, html))
    return plain, rich


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_message_both_parts_same_content(setup: MailSetup, kind: str, lang: str) -> None:
    text, html = parts(parse(message_bytes(setup, kind, lang)))
    assert words(html_text(html)) == words(text)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_message_headers_present(setup: MailSetup, kind: str, lang: str) -> None:
    message = parse(message_bytes(setup, kind, lang))
    headers = {
        name: str(message[name])
        for name in (
            "From",
            "To",
            "Date",
            "Message-ID",
            "MIME-Version",
            "Content-Language",
            "Auto-Submitted",
            "Precedence",
            "List-Id",
            "List-Unsubscribe",
            "List-Unsubscribe-Post",
        )
        if message[name] is not None
    }
    expected = {
        "From": "GCM calendar <reminders@gcm.example.org>",
        "To": "someone@example.org",
        "Date": format_datetime(NOW),
        "Message-ID": MESSAGE_ID,
        "MIME-Version": "1.0",
        "Content-Language": lang,
        "Auto-Submitted": "auto-generated",
        "List-Id": "GCM review reminders <reminders.gcm.example.org>",
    }
    if kind not in ("confirm-subscription", "manage-link"):
        expected["Precedence"] = "bulk"
    if kind != "confirm-subscription":
        expected["List-Unsubscribe"] = f"<{BASE_URL}/unsubscribe/{UNSUBSCRIBE}>"
        expected["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    assert headers == expected
    assert str(message["Subject"]).strip() != ""


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_message_links_in_both_parts(setup: MailSetup, kind: str, lang: str) -> None:
    text, html = parts(parse(message_bytes(setup, kind, lang)))
    if kind == "confirm-subscription":
        wanted = [f"{BASE_URL}/confirm/{TOKEN}"]
    else:
        wanted = [f"{BASE_URL}/manage/{TOKEN}", f"{BASE_URL}/unsubscribe/{UNSUBSCRIBE}"]
    assert [(url in text, f'href="{url}"' in html) for url in wanted] == [(True, True)] * len(
        wanted
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_message_size_under_100_kb(setup: MailSetup, kind: str, lang: str) -> None:
    assert len(message_bytes(setup, kind, lang)) < 100_000


@pytest.mark.parametrize("kind", KINDS)
def test_message_arabic_right_to_left(setup: MailSetup, kind: str) -> None:
    _, html = parts(parse(message_bytes(setup, kind, "ar")))
    assert html.startswith('<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n')


@pytest.mark.parametrize("lang", ["en", "fr", "zh"])
def test_message_left_to_right_languages(setup: MailSetup, lang: str) -> None:
    _, html = parts(parse(message_bytes(setup, "reminder", lang)))
    assert html.startswith(f'<!DOCTYPE html>\n<html lang="{lang}" dir="ltr">\n')


def _feed_entries(setup: MailSetup) -> dict[str, tuple[str, int]]:
    feed = setup.feeds.feed("all", "en")
    assert feed is not None
    calendar = Calendar.from_ical(feed.body)
    return {
        str(component["UID"]).split("@")[0]: (str(component["UID"]), int(component["SEQUENCE"]))
        for component in calendar.walk("VEVENT")
    }


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_message_ics_attachments_match_feed(setup: MailSetup, kind: str, lang: str) -> None:
    message = parse(message_bytes(setup, kind, lang))
    found = []
    for part in message.iter_attachments():
        assert part.get_content_type() == "text/calendar"
        assert part.get_param("method") == "PUBLISH"
        filename = part.get_filename()
        assert filename is not None
        assert filename.isascii()
        calendar = Calendar.from_ical(part.get_payload(decode=True))
        (vevent,) = calendar.walk("VEVENT")
        found.append(
            (str(calendar["METHOD"]), filename, str(vevent["UID"]), int(vevent["SEQUENCE"]))
        )
    feed = _feed_entries(setup)
    # Cancelled and postponed events are not "added to your calendar".
    event_ids = sorted(
        {
            item.event_id
            for item in items(kind)
            if item.event_id
            and setup.timeline.event(item.event_id).status  # type: ignore[union-attr]
            not in (Status.CANCELLED, Status.POSTPONED)
        }
    )
    assert sorted(found) == sorted(
        ("PUBLISH", f"gcm-{event_id}.ics", *feed[event_id]) for event_id in event_ids
    )


@pytest.mark.parametrize("kind", ["confirm-subscription", "manage-link"])
def test_message_about_subscription_no_attachment(setup: MailSetup, kind: str) -> None:
    message = parse(message_bytes(setup, kind, "en"))
    assert (message.get_content_type(), list(message.iter_attachments())) == (
        "multipart/alternative",
        [],
    )


def test_message_reminder_states_both_zones(setup: MailSetup) -> None:
    text, _ = parts(parse(message_bytes(setup, "reminder", "en")))
    lines = [line for line in text.splitlines() if line.startswith(("When:", "Your time:"))]
    assert lines == [
        "When: Monday 11 March 2024, 10:00–18:00 (Zurich time, UTC+1)",
        "Your time: Monday 11 March 2024, 06:00–14:00 (Santiago time, UTC-3)",
    ]


def test_message_expected_states_uncertainty(setup: MailSetup) -> None:
    message = parse(message_bytes(setup, "expected", "es"))
    text, _ = parts(message)
    when = [line for line in text.splitlines() if line.startswith("Cuándo:")]
    assert when == ["Cuándo: abril de 2024 (fecha por confirmar)"]
    assert str(message["Subject"]) == (
        "Previsto para abril de 2024 (fecha aún sin confirmar): Latin America and the "
        "Caribbean: stakeholder pre-consultations (es)"
    )


def test_message_change_lists_before_and_now(setup: MailSetup) -> None:
    text, _ = parts(parse(message_bytes(setup, "change", "en")))
    start = text.index("What changed:")
    assert text[start : text.index("\n\n", start)].splitlines() == [
        "What changed:",
        "- Time",
        "  before: 11 March 2024, 09:00–17:00",
        "  now: 11 March 2024, 10:00–18:00",
        "- Place",
        "  before: (none)",
        "  now: Palais des Nations, Geneva",
        "- Format",
        "  before: online",
        "  now: hybrid",
    ]


def test_message_confirmed_old_inexact_new_day(setup: MailSetup) -> None:
    text, _ = parts(parse(message_bytes(setup, "confirmed", "fr")))
    start = text.index("Ce qui a changé :")
    assert text[start : text.index("\n\n", start)].splitlines() == [
        "Ce qui a changé :",
        "- Date",
        "  avant : mars 2024 (date à confirmer)",
        "  maintenant : 18 mars 2024",
    ]


def test_message_subjects_one_per_kind(setup: MailSetup) -> None:
    subjects = {kind: str(parse(message_bytes(setup, kind, "en"))["Subject"]) for kind in KINDS}
    assert subjects == {
        "reminder": "Reminder: Europe and North America: second GCM regional review, in 1 week",
        "expected": "Expected April 2024, date not yet confirmed: Latin America and the "
        "Caribbean: stakeholder pre-consultations",
        "confirmed": "Date confirmed: Arab States: multi-stakeholder consultation, 18 March 2024",
        "change": "Moved: Europe and North America: second GCM regional review",
        "cancelled": "Cancelled: Europe and North America: multi-stakeholder hearing",
        "confirm-subscription": "Please confirm your subscription to GCM review reminders",
        "manage-link": "Your link to manage your GCM review reminders",
        "mixed": "Cancelled: Europe and North America: multi-stakeholder hearing; "
        "reminder: 2 upcoming events; expected April 2024, date not yet confirmed: "
        "Latin America and the Caribbean: stakeholder pre-consultations",
    }


def test_message_mixed_sections_in_order(setup: MailSetup) -> None:
    text, _ = parts(parse(message_bytes(setup, "mixed", "en")))
    headings = [
        line
        for line in text.splitlines()
        if line in ("Cancelled", "Reminder", "Expected, date not yet confirmed")
    ]
    assert headings == ["Cancelled", "Reminder", "Expected, date not yet confirmed"]


def test_message_same_bytes_on_retry(setup: MailSetup) -> None:
    assert message_bytes(setup, "mixed", "ru") == message_bytes(setup, "mixed", "ru")


def test_message_recipient_parts_differ_only(setup: MailSetup) -> None:
    composer = setup.composer
    first = composer.message_bytes(
        recipient("en"), items("reminder"), message_id=MESSAGE_ID, now=NOW
    )
    other = recipient("en").__class__(7, "other@example.org", "en", "America/Santiago", 0)
    second = composer.message_bytes(other, items("reminder"), message_id=MESSAGE_ID, now=NOW)
    text_first, _ = parts(parse(first))
    text_second, _ = parts(parse(second))
    assert text_second == text_first.replace(TOKEN, manage_token(SECRET, 7, 0)).replace(
        UNSUBSCRIBE, handle_token(SECRET, "unsubscribe", HANDLE, 7, 0)
    ).replace(FEED, handle_token(SECRET, "feed", HANDLE, 7, 0))


def test_message_event_gone_nothing_to_send(setup: MailSetup) -> None:
    with pytest.raises(NothingToSend):
        setup.composer.message_bytes(
            recipient("en"),
            [Item("reminder", "no-such-event", "1d")],
            message_id=MESSAGE_ID,
            now=NOW,
        )


@pytest.mark.parametrize("address", ["a@b.org\r\nBcc: x@y.org", "no-at-sign", "a@b.org, c@d.org"])
def test_message_refuses_unusable_address(setup: MailSetup, address: str) -> None:
    bad = recipient("en").__class__(1, address, "en", "UTC", 0)
    with pytest.raises(ValueError, match="address"):
        setup.composer.message_bytes(bad, items("reminder"), message_id=MESSAGE_ID, now=NOW)


def test_message_id_for_stable_per_dedupe_key() -> None:
    key = f"1:europe-review:{MessageKind.REMINDER.value}:1w:0"
    assert message_id_for(key, "gcm.example.org") == message_id_for(key, "gcm.example.org")
    assert message_id_for(key, "gcm.example.org").endswith("@gcm.example.org>")


def test_message_lines_crlf_and_short(setup: MailSetup) -> None:
    data = message_bytes(setup, "mixed", "ar")
    lines = data.split(b"\r\n")
    assert (b"\n" in b"".join(lines), max(len(line) for line in lines) <= 998) == (False, True)


def test_list_unsubscribe_offers_mailto_only_when_a_mailbox_is_configured() -> None:
    setup = mail_setup()
    settings = Settings(
        base_url=BASE_URL,
        mail_from="GCM calendar <reminders@gcm.example.org>",
        secret_key=SECRET,  # type: ignore[arg-type]
        unsubscribe_mailbox="unsubscribe@gcm.example.org",
    )
    composer = Composer(settings, setup.timeline, setup.feeds.attachment)
    raw = composer.message_bytes(recipient("en"), items("reminder"), message_id=MESSAGE_ID, now=NOW)
    assert str(parse(raw)["List-Unsubscribe"]) == (
        f"<{BASE_URL}/unsubscribe/{UNSUBSCRIBE}>, "
        "<mailto:unsubscribe@gcm.example.org?subject=unsubscribe>"
    )
