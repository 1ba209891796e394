"""Each email kind says exactly what is true of its event, in the six languages.

Whole-value tests: the subject and the whole text part of a confirmed, announced
(tentative), reported (known only from others' reports), moved, postponed, cancelled,
superseded, deadline and last-hour message, and of a message combining several kinds, compared with
the files in tests/golden/emails (read them to review the wording). After a deliberate
change of wording, regenerate them with ``GCMCAL_WRITE_GOLDEN=1 .venv/bin/python -m
pytest tests/integration/reminders/mail/test_email_words.py`` and read the diff. The
HTML part carries the same words (test_compose_messages).
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from feeds import LANGUAGES
from feeds.publish import FeedSet
from feeds.timeline import Link, Source, Timeline
from feeds.vocabulary import Kind, Modality, SourceKind, Status
from reminders.mail.compose import Composer
from reminders.settings import Settings
from tests.support.reminder_fixtures import event, revisions, timeline
from tests.support.reminder_mail_fixtures import Item, Recipient

GOLDEN = Path(__file__).resolve().parents[3] / "golden" / "emails"
NOW = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
#: Who reported the date of the LAC consultation, in each language.
REPORTER = {
    "en": "the Civil Society Action Committee",
    "fr": "le Comité d'action de la société civile",
    "es": "el Comité de Acción de la Sociedad Civil",
    "ar": "لجنة عمل المجتمع المدني",
    "ru": "Комитет действий гражданского общества",
    "zh": "民间社会行动委员会",
}
REGISTRATION = Link("https://indico.un.org/event/1007071/registration", {"en": "Registration"})


def _timeline() -> Timeline:
    return timeline(
        event(
            "europe-review",
            "2024-03-27T10:00/18:00",
            title="Europe and North America: regional review",
            place="Palais des Nations, Geneva",
            modality=Modality.HYBRID,
            links=[REGISTRATION],
        ),
        event(
            "europe-deadline",
            "2024-03-11T23:59",
            kind=Kind.REGISTRATION_DEADLINE,
            title="Registration for the Europe and North America review",
            links=[REGISTRATION],
        ),
        event(
            "europe-hearing",
            "2024-03-12T09:00/12:00",
            kind=Kind.HEARING,
            status=Status.CANCELLED,
            title="Europe and North America: multi-stakeholder hearing",
            modality=Modality.ONLINE,
            links=[REGISTRATION],
        ),
        event(
            "arab-consultation",
            "2024-04-18",
            region="arab",
            kind=Kind.CONSULTATION,
            title="Arab States: multi-stakeholder consultation",
            place="Beirut",
            modality=Modality.IN_PERSON,
        ),
        event(
            "arab-talk",
            "2024-05-02",
            region="arab",
            kind=Kind.GCM_TALK,
            status=Status.TENTATIVE,
            title="Arab States: GCM Talk on labour migration",
        ),
        event(
            "lac-hearing",
            "2024-09",
            region="lac",
            kind=Kind.HEARING,
            status=Status.POSTPONED,
            title="Latin America and the Caribbean: hearing",
            links=[REGISTRATION],
        ),
        dataclasses.replace(
            event(
                "lac-consultation",
                "2024-04-10",
                region="lac",
                kind=Kind.CONSULTATION,
                title="Latin America and the Caribbean: stakeholder consultation",
                place="Santiago",
            ),
            sources=(Source("https://example.org/csac/news", SourceKind.REPORT, REPORTER),),
        ),
        dataclasses.replace(
            event(
                "arab-meeting",
                "2024-04",
                region="arab",
                kind=Kind.CONSULTATION,
                status=Status.TENTATIVE,
                title="Arab States: consultation as first announced",
                place="Cairo",
            ),
            superseded_by="arab-consultation",
        ),
        event(
            "europe-briefing",
            "2024-03-04T09:30/11:00",
            kind=Kind.HEARING,
            title="Europe and North America: online hearing",
            modality=Modality.ONLINE,
        ),
        event(
            "europe-briefing-deadline",
            "2024-03-01T23:59",
            kind=Kind.REGISTRATION_DEADLINE,
            title="Registration for the online hearing",
        ),
    )


def _moved(field_name: str, old: str, new: str) -> dict[str, Any]:
    return {"changes": [{"field": field_name, "old": old, "new": new}]}


ANNOUNCED = Item("confirmed", "arab-talk", payload=_moved("date", "Q2 2024", "2024-05-02"))
MOVED = Item(
    "change",
    "europe-review",
    payload=_moved("date", "2024-03-20T10:00/18:00", "2024-03-27T10:00/18:00"),
)
CANCELLED = Item("cancelled", "europe-hearing", payload=_moved("status", "confirmed", "cancelled"))
SCENARIOS: dict[str, list[Item]] = {
    "confirmed": [
        Item("confirmed", "arab-consultation", payload=_moved("date", "2024-04", "2024-04-18")),
    ],
    "announced": [ANNOUNCED],
    "reported": [
        Item("confirmed", "lac-consultation", payload=_moved("date", "2024-04", "2024-04-10")),
    ],
    "moved": [MOVED],
    "postponed": [
        Item("change", "lac-hearing", payload=_moved("status", "confirmed", "postponed")),
    ],
    "cancelled": [CANCELLED],
    # Overtaken by another event: not "to be confirmed", nothing to add to a calendar.
    "superseded": [
        Item("change", "arab-meeting", payload=_moved("place", "Amman", "Cairo")),
    ],
    "deadline": [Item("reminder", "europe-deadline", "1w")],
    "last-hour": [Item("reminder", "europe-briefing", "1h")],
    "combined": [CANCELLED, MOVED, ANNOUNCED],
}
#: When each message goes out: the last-hour reminder 50 minutes before its hearing.
SENT_AT = {"last-hour": datetime(2024, 3, 4, 7, 40, tzinfo=UTC)}


@pytest.fixture(scope="module")
def composer() -> Composer:
    tl = _timeline()
    feeds = FeedSet(tl, revisions(tl), "https://gcm.example.org", NOW)
    settings = Settings(
        base_url="https://gcm.example.org",
        mail_from="GCM calendar <reminders@gcm.example.org>",
        secret_key="golden-secret",  # type: ignore[arg-type]
    )
    return Composer(settings, tl, feeds.attachment)


def rendered(composer: Composer, scenario: str, lang: str) -> str:
    data = composer.message_bytes(
        Recipient(7, "reader@example.org", lang, "Europe/Zurich", feed_generation=5),
        SCENARIOS[scenario],
        message_id="<golden@gcm.example.org>",
        now=SENT_AT.get(scenario, NOW),
    )
    message = email.message_from_bytes(data, policy=email.policy.default)
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    attached = [part.get_filename() for part in message.walk() if part.get_filename()]
    return (
        f"Subject: {message['Subject']}\n"
        f"Attached: {', '.join(attached) or '-'}\n\n"
        f"{text.get_content().replace(chr(13) + chr(10), chr(10))}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_email_words_match_the_golden_text(composer: Composer, scenario: str, lang: str) -> None:
    path = GOLDEN / f"{scenario}.{lang}.txt"
    text = rendered(composer, scenario, lang)
    if os.environ.get("GCMCAL_WRITE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
