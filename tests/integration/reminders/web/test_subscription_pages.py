"""The subscription pages over HTTP: sign-up, double opt-in, managing, unsubscribing."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import httpx
import icalendar
import pytest
from sqlalchemy import func, select

from reminders import subscriptions as subs
from reminders.db.models import BounceReport, OutboxMessage, SendAttempt, Subscription, Unsubscribed
from reminders.service import Service
from reminders.states import MessageKind, OutboxState, SubscriptionState
from tests.integration.reminders.web.web_support import NOW, SECRET, Clock

pytestmark = pytest.mark.anyio
SIGNUP = {
    "email": "Amina@Example.org",
    "regions": ["africa", "arab-states"],
    "kinds": ["regional-review", "multi-stakeholder-hearing"],
    "leads": ["3w", "1d"],
    "language": "fr",
    "tz": "",
    "delivery_hour": "8",
}


async def _subscription(service: Service, email: str = "amina@example.org") -> Subscription:
    async with service.sessions() as session:
        found = await subs.by_email(session, email)
    assert found is not None
    return found


async def _outbox(service: Service) -> list[tuple[int, str, str, Any]]:
    async with service.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(row.subscription_id, row.kind, row.state, row.due_at) for row in rows]


async def _count(service: Service, model: type[Any]) -> int:
    async with service.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def _token(subscription: Subscription) -> str:
    return subs.current_token(SECRET, subscription)


def _h1(response: httpx.Response) -> str:
    return re.findall(r"<h1>([^<]*)</h1>", response.text)[0]


async def _signed_up(client: httpx.AsyncClient, service: Service) -> str:
    response = await client.post("/subscribe", data=SIGNUP)
    assert response.status_code == 200
    return _token(await _subscription(service))


async def _confirmed(client: httpx.AsyncClient, service: Service) -> str:
    token = await _signed_up(client, service)
    response = await client.post(f"/confirm/{token}")
    assert response.status_code == 303
    return token


# -- sign-up -----------------------------------------------------------------------


async def test_signup_creates_pending_and_queues_confirmation(
    client: httpx.AsyncClient, service: Service
) -> None:
    response = await client.post("/subscribe?lang=fr", data=SIGNUP)
    assert (response.status_code, _h1(response)) == (200, "Consultez votre boîte de réception")
    subscription = await _subscription(service)
    assert (
        subscription.state,
        subscription.regions,
        subscription.kinds,
        subscription.leads,
        subscription.language,
        subscription.tz,
        subscription.delivery_hour,
        subscription.created_at,
        subscription.expires_at,
        subscription.confirmed_at,
    ) == (
        SubscriptionState.PENDING,
        ["africa", "arab-states"],
        ["multi-stakeholder-hearing", "regional-review"],
        ["3w", "1d"],
        "fr",
        "Africa/Addis_Ababa",
        8,
        NOW,
        NOW + timedelta(days=7),
        None,
    )
    assert await _outbox(service) == [
        (subscription.id, MessageKind.CONFIRM_SUBSCRIPTION, OutboxState.QUEUED, NOW)
    ]


async def test_signup_email_alone_gets_defaults(
    client: httpx.AsyncClient, service: Service
) -> None:
    response = await client.post(
        "/subscribe", data={"email": "b@example.org"}, headers={"accept-language": "ru"}
    )
    assert response.status_code == 200
    subscription = await _subscription(service, "b@example.org")
    assert (
        subscription.regions,
        subscription.kinds,
        subscription.leads,
        subscription.language,
        subscription.tz,
        subscription.delivery_hour,
    ) == ([], [], ["3w", "1d"], "ru", "UTC", 9)


async def test_signup_answer_same_for_known_and_unknown_address(
    client: httpx.AsyncClient, service: Service
) -> None:
    await _confirmed(client, service)
    known = await client.post("/subscribe", data={**SIGNUP, "regions": ["asia-pacific"]})
    unknown = await client.post("/subscribe", data={**SIGNUP, "email": "new@example.org"})
    assert (known.status_code, known.text) == (unknown.status_code, unknown.text)
    amina = await _subscription(service)
    newcomer = await _subscription(service, "new@example.org")
    # The known address got its manage link and kept its choices; nothing was added.
    assert (amina.state, amina.regions) == (SubscriptionState.ACTIVE, ["africa", "arab-states"])
    assert [(row[0], row[1]) for row in await _outbox(service)] == [
        (amina.id, MessageKind.CONFIRM_SUBSCRIPTION),
        (amina.id, MessageKind.MANAGE_LINK),
        (newcomer.id, MessageKind.CONFIRM_SUBSCRIPTION),
    ]
    assert await _count(service, Subscription) == 2


async def test_signup_pending_again_takes_new_choices_and_resends(
    client: httpx.AsyncClient, service: Service, clock: Clock
) -> None:
    await client.post("/subscribe", data=SIGNUP)
    clock.now = NOW + timedelta(days=3)
    await client.post("/subscribe", data={**SIGNUP, "regions": ["asia-pacific"], "tz": "UTC"})
    subscription = await _subscription(service)
    assert (subscription.regions, subscription.tz, subscription.expires_at) == (
        ["asia-pacific"],
        "UTC",
        NOW + timedelta(days=10),
    )
    assert [row[1] for row in await _outbox(service)] == [MessageKind.CONFIRM_SUBSCRIPTION] * 2


async def test_signup_invalid_form_shows_errors_and_keeps_input(
    client: httpx.AsyncClient, service: Service
) -> None:
    response = await client.post(
        "/subscribe?lang=es", data={**SIGNUP, "email": "nope", "leads": ["5d"]}
    )
    assert response.status_code == 400
    assert re.findall(r'class="field-error"[^>]*>([^<]*)<', response.text) == [
        "Esto no parece una dirección de correo electrónico. Revísela, por favor.",
        "Elija recordatorios de la lista, por favor.",
    ]
    assert re.findall(r'id="f-email" name="email" value="([^"]*)"', response.text) == ["nope"]
    assert await _count(service, Subscription) == 0


async def test_signup_header_injection_refused(client: httpx.AsyncClient, service: Service) -> None:
    response = await client.post(
        "/subscribe", data={"email": "a@example.org\r\nBcc: many@example.org"}
    )
    assert response.status_code == 400
    assert re.findall(r'class="field-error"[^>]*>([^<]*)<', response.text) == [
        "An email address must be on one line, without special characters."
    ]
    assert await _count(service, Subscription) == 0


# -- double opt-in -------------------------------------------------------------------


async def test_confirm_link_get_shows_button_and_changes_nothing(
    client: httpx.AsyncClient, service: Service
) -> None:
    token = await _signed_up(client, service)
    response = await client.get(f"/confirm/{token}")
    assert (response.status_code, _h1(response)) == (200, "Confirmez votre abonnement")
    assert re.findall(r'<form method="post" action="([^"]*)"', response.text) == [
        f"/confirm/{token}?lang=fr"
    ]
    assert response.headers["cache-control"] == "no-store"
    assert (await _subscription(service)).state == SubscriptionState.PENDING


async def test_confirm_post_activates_and_opens_manage_page(
    client: httpx.AsyncClient, service: Service, clock: Clock
) -> None:
    token = await _signed_up(client, service)
    clock.now = NOW + timedelta(days=6)
    response = await client.post(f"/confirm/{token}")
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/manage/{token}?lang=fr&done=confirmed",
    )
    subscription = await _subscription(service)
    assert (subscription.state, subscription.confirmed_at, subscription.expires_at) == (
        SubscriptionState.ACTIVE,
        NOW + timedelta(days=6),
        None,
    )
    page = await client.get(response.headers["location"])
    assert re.findall(r'class="notice" role="status">([^<]*)<', page.text) == [
        "Votre abonnement est confirmé. Les rappels arriveront par e-mail."
    ]


async def test_confirm_after_seven_days_link_dead(
    client: httpx.AsyncClient, service: Service, clock: Clock
) -> None:
    token = await _signed_up(client, service)
    clock.now = NOW + timedelta(days=7, seconds=1)
    response = await client.post(f"/confirm/{token}")
    assert (response.status_code, _h1(response)) == (404, "This link does not work")
    assert (await _subscription(service)).state == SubscriptionState.PENDING


@pytest.mark.parametrize(
    "path",
    [
        "/confirm/" + "A" * 43,
        "/manage/" + "A" * 43,
        "/unsubscribe/" + "A" * 43,
        "/manage/short",
        "/manage/" + "%00" * 43,
        "/manage/" + "A" * 43 + "/data.json",
    ],
)
async def test_unknown_token_404_offers_fresh_link(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert (response.status_code, _h1(response)) == (404, "This link does not work")
    assert re.findall(r'<form method="post" action="([^"]*)"', response.text) == ["/link?lang=en"]


# -- managing ------------------------------------------------------------------------


async def test_manage_page_in_subscriber_language_rtl(
    client: httpx.AsyncClient, service: Service
) -> None:
    await client.post("/subscribe", data={**SIGNUP, "language": "ar"})
    token = _token(await _subscription(service))
    await client.post(f"/confirm/{token}")
    response = await client.get(f"/manage/{token}")
    assert re.findall(r"<html[^>]*>", response.text) == ['<html lang="ar" dir="rtl">']
    assert _h1(response) == "اشتراكك"
    assert (response.headers["cache-control"], response.headers["x-robots-tag"]) == (
        "no-store",
        "noindex, nofollow",
    )


async def test_manage_saves_every_preference(client: httpx.AsyncClient, service: Service) -> None:
    token = await _confirmed(client, service)
    response = await client.post(
        f"/manage/{token}",
        data={
            "regions": ["asia-pacific"],
            "kinds": [],
            "leads": ["8w", "1h"],
            "language": "zh",
            "tz": "Asia/Shanghai",
            "delivery_hour": "20",
        },
    )
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/manage/{token}?lang=zh&done=saved",
    )
    subscription = await _subscription(service)
    assert (
        subscription.regions,
        subscription.kinds,
        subscription.leads,
        subscription.language,
        subscription.tz,
        subscription.delivery_hour,
    ) == (["asia-pacific"], [], ["8w", "1h"], "zh", "Asia/Shanghai", 20)


async def test_manage_invalid_change_refused_with_message(
    client: httpx.AsyncClient, service: Service
) -> None:
    token = await _confirmed(client, service)
    response = await client.post(
        f"/manage/{token}", data={"leads": ["3w"], "language": "fr", "tz": "Nowhere/City"}
    )
    assert response.status_code == 400
    assert re.findall(r'class="field-error"[^>]*>([^<]*)<', response.text) == [
        "Veuillez choisir un fuseau horaire dans la liste."
    ]
    assert (await _subscription(service)).tz == "Africa/Addis_Ababa"


async def test_pause_then_resume(client: httpx.AsyncClient, service: Service) -> None:
    token = await _confirmed(client, service)
    paused = await client.post(f"/manage/{token}/pause")
    assert paused.headers["location"] == f"/manage/{token}?lang=fr&done=paused"
    assert (await _subscription(service)).state == SubscriptionState.PAUSED
    resumed = await client.post(f"/manage/{token}/resume")
    assert resumed.headers["location"] == f"/manage/{token}?lang=fr&done=resumed"
    assert (await _subscription(service)).state == SubscriptionState.ACTIVE


async def test_resume_after_bounces_clears_the_bounce_score(
    client: httpx.AsyncClient, service: Service
) -> None:
    token = await _confirmed(client, service)
    async with service.sessions() as session, session.begin():
        found = await subs.by_email(session, "amina@example.org")
        assert found is not None
        # As bounce intake leaves it at the threshold (reminders.bounce_store).
        found.state, found.bounce_score, found.bounce_scored_at = (
            SubscriptionState.PAUSED,
            3.0,
            NOW,
        )
    page = await client.get(f"/manage/{token}")
    await client.post(f"/manage/{token}/resume")
    resumed = await _subscription(service)
    after = await client.get(f"/manage/{token}")
    reason = "nous sont revenus non distribués"  # French: the sign-up's language
    assert (reason in page.text, reason in after.text) == (True, False)
    assert (resumed.state, resumed.bounce_score, resumed.bounce_scored_at) == (
        SubscriptionState.ACTIVE,
        0.0,
        None,
    )


async def test_pause_by_the_subscriber_gives_no_bounce_reason(
    client: httpx.AsyncClient, service: Service
) -> None:
    token = await _confirmed(client, service)
    await client.post(f"/manage/{token}/pause")
    page = await client.get(f"/manage/{token}")
    assert (
        "Aucun rappel n'est envoyé pendant la pause." in page.text,
        "non distribués" in page.text,
    ) == (True, False)


async def test_metrics_report_bounces_by_kind_and_paused_subscriptions(
    client: httpx.AsyncClient, service: Service
) -> None:
    await _confirmed(client, service)
    async with service.sessions() as session, session.begin():
        found = await subs.by_email(session, "amina@example.org")
        assert found is not None
        found.state = SubscriptionState.PAUSED
        for kind in ("permanent", "permanent", "complaint"):
            session.add(BounceReport(at=NOW, kind=kind, subscription_id=None, outbox_id=None))
    text = (await client.get("/metrics")).text
    wanted = [
        'gcmcal_bounce_reports{kind="permanent"}',
        'gcmcal_bounce_reports{kind="complaint"}',
        'gcmcal_bounce_reports{kind="temporary"}',
        'gcmcal_subscriptions{state="paused"}',
        'gcmcal_subscriptions{state="active"}',
    ]
    values = {
        name: float(line.split()[-1])
        for line in text.splitlines()
        for name in wanted
        if line.startswith(name + " ")
    }
    assert values == dict(zip(wanted, [2.0, 1.0, 0.0, 1.0, 0.0], strict=True))


async def test_export_json_holds_everything_stored(
    client: httpx.AsyncClient, service: Service
) -> None:
    token = await _confirmed(client, service)
    response = await client.get(f"/manage/{token}/data.json")
    assert response.headers["content-disposition"] == (
        'attachment; filename="gcm-calendar-my-data.json"'
    )
    data = json.loads(response.text)
    message_id = data["messages"][0]["message_id"]
    assert data == {
        "email": "amina@example.org",
        "state": "active",
        "regions": ["africa", "arab-states"],
        "kinds": ["multi-stakeholder-hearing", "regional-review"],
        "leads": ["3w", "1d"],
        "language": "fr",
        "time_zone": "Africa/Addis_Ababa",
        "delivery_hour": 8,
        "created_at": "2024-01-10T12:00:00+00:00",
        "confirmed_at": "2024-01-10T12:00:00+00:00",
        "hard_bounces": 0,
        "bounce_score": 0.0,
        "messages": [
            {
                "kind": "confirm-subscription",
                "event_id": None,
                "lead": None,
                "state": "queued",
                "due_at": "2024-01-10T12:00:00+00:00",
                "sent_at": None,
                "message_id": message_id,
                "attempts": [],
            }
        ],
    }


# -- new link ----------------------------------------------------------------------------


async def test_new_link_revokes_old_manage_and_feed_links(
    client: httpx.AsyncClient, service: Service
) -> None:
    old = await _confirmed(client, service)
    before = await _subscription(service)
    old_feed = subs.feed_token(SECRET, before)
    assert (await client.get(f"/personal/{old_feed}.ics")).status_code == 200

    response = await client.post(f"/manage/{old}/new-link")
    assert (response.status_code, _h1(response)) == (200, "Consultez votre boîte de réception")
    after = await _subscription(service)
    new = _token(after)
    assert after.feed_generation == before.feed_generation + 1
    assert new != old
    assert (await client.get(f"/manage/{old}")).status_code == 404
    assert (await client.post(f"/unsubscribe/{old}")).status_code == 404
    assert (await client.get(f"/personal/{old_feed}.ics")).status_code == 404
    assert (await client.get(f"/manage/{new}")).status_code == 200
    new_feed = subs.feed_token(SECRET, after)
    assert (await client.get(f"/personal/{new_feed}.ics")).status_code == 200
    assert [row[1] for row in await _outbox(service)] == [
        MessageKind.CONFIRM_SUBSCRIPTION,
        MessageKind.MANAGE_LINK,
    ]


async def test_token_stored_only_as_hash(client: httpx.AsyncClient, service: Service) -> None:
    token = await _confirmed(client, service)
    subscription = await _subscription(service)
    assert subscription.token_hash == subs.token_hash(token)
    assert len(token) == 43


# -- unsubscribing ---------------------------------------------------------------------------


async def test_unsubscribe_page_get_changes_nothing(
    client: httpx.AsyncClient, service: Service
) -> None:
    token = await _confirmed(client, service)
    response = await client.get(f"/unsubscribe/{token}")
    assert (response.status_code, _h1(response)) == (200, "Se désabonner")
    assert (await _subscription(service)).state == SubscriptionState.ACTIVE


async def test_one_click_unsubscribe_erases_everything(
    client: httpx.AsyncClient, service: Service
) -> None:
    token = await _confirmed(client, service)
    subscription = await _subscription(service)
    async with service.sessions.begin() as session:
        row = await session.scalar(select(OutboxMessage))
        assert row is not None
        session.add(SendAttempt(outbox_id=row.id, at=NOW, outcome="sent", detail="250 ok"))
    # As a mail provider sends it (RFC 8058): no cookies, no Origin, a fixed body.
    response = await client.post(
        f"/unsubscribe/{token}",
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert (response.status_code, _h1(response)) == (200, "Vous êtes désabonné·e")
    assert [
        await _count(service, Subscription),
        await _count(service, OutboxMessage),
        await _count(service, SendAttempt),
    ] == [0, 0, 0]
    async with service.sessions() as session:
        kept = (await session.scalars(select(Unsubscribed))).all()
        assert [(k.address_hash, k.at) for k in kept] == [
            (subs.address_hash(SECRET, "amina@example.org"), NOW)
        ]
        assert await subs.is_unsubscribed(session, SECRET, "Amina@example.org") is True
    assert subscription.id > 0


async def test_one_click_unsubscribe_posted_again_answers_success(
    client: httpx.AsyncClient, service: Service
) -> None:
    token = await _confirmed(client, service)
    one_click = {
        "content": b"List-Unsubscribe=One-Click",
        "headers": {"content-type": "application/x-www-form-urlencoded"},
    }
    first = await client.post(f"/unsubscribe/{token}", **one_click)  # type: ignore[arg-type]
    again = await client.post(f"/unsubscribe/{token}", **one_click)  # type: ignore[arg-type]
    unknown = await client.post("/unsubscribe/" + "B" * 43, **one_click)  # type: ignore[arg-type]

    # The second answer cannot know the gone subscriber's language: the browser's, or English.
    assert [(r.status_code, _h1(r)) for r in (first, again)] == [
        (200, "Vous êtes désabonné·e"),
        (200, "You are unsubscribed"),
    ]
    assert unknown.status_code == 404
    assert await _count(service, Subscription) == 0


async def test_unsubscribed_address_may_sign_up_again_itself(
    client: httpx.AsyncClient, service: Service
) -> None:
    token = await _confirmed(client, service)
    await client.post(f"/unsubscribe/{token}")
    new = await _signed_up(client, service)
    assert new != token
    async with service.sessions() as session:
        assert await subs.is_unsubscribed(session, SECRET, "amina@example.org") is True
    await client.post(f"/confirm/{new}")
    async with service.sessions() as session:
        assert await subs.is_unsubscribed(session, SECRET, "amina@example.org") is False
    assert (await _subscription(service)).state == SubscriptionState.ACTIVE


# -- personal feed -----------------------------------------------------------------------------


async def test_personal_feed_exactly_the_selection(
    client: httpx.AsyncClient, service: Service
) -> None:
    await _confirmed(client, service)
    subscription = await _subscription(service)
    feed = subs.feed_token(SECRET, subscription)
    response = await client.get(f"/personal/{feed}.ics")
    assert (response.status_code, response.headers["content-type"]) == (
        200,
        "text/calendar; charset=utf-8",
    )
    calendar = icalendar.Calendar.from_ical(response.content)
    uids = sorted(str(event["UID"]).split("@")[0] for event in calendar.walk("VEVENT"))
    timeline = service.timeline()
    expected = sorted(
        event.id
        for event in timeline.select(
            regions=["africa", "arab-states"],
            kinds=[k for k in {e.kind for e in timeline.events} if k.value in SIGNUP["kinds"]],
        )
    )
    assert uids == expected
    assert uids != []
    assert str(calendar["X-WR-CALNAME"]).startswith("Examens régionaux")
    not_modified = await client.get(
        f"/personal/{feed}.ics", headers={"if-none-match": response.headers["etag"]}
    )
    assert (not_modified.status_code, not_modified.content) == (304, b"")
    head = await client.head(f"/personal/{feed}.ics")
    assert (head.status_code, head.headers["etag"]) == (200, response.headers["etag"])


@pytest.mark.parametrize(
    "name",
    ["1-" + "A" * 43 + ".ics", "99999999999-" + "A" * 43 + ".ics", "x.ics", "1-abc.ics", "feed"],
)
async def test_personal_feed_unknown_token_404(client: httpx.AsyncClient, name: str) -> None:
    response = await client.get(f"/personal/{name}")
    assert response.status_code == 404


async def test_pending_subscription_has_no_feed(
    client: httpx.AsyncClient, service: Service
) -> None:
    await _signed_up(client, service)
    subscription = await _subscription(service)
    feed = subs.feed_token(SECRET, subscription)
    assert (await client.get(f"/personal/{feed}.ics")).status_code == 404


# -- link requests ------------------------------------------------------------------------------


async def test_link_request_same_answer_known_or_unknown(
    client: httpx.AsyncClient, service: Service
) -> None:
    await _confirmed(client, service)
    known = await client.post("/link", data={"email": "amina@example.org"})
    unknown = await client.post("/link", data={"email": "nobody@example.org"})
    assert (known.status_code, known.text) == (unknown.status_code, unknown.text)
    assert [row[1] for row in await _outbox(service)] == [
        MessageKind.CONFIRM_SUBSCRIPTION,
        MessageKind.MANAGE_LINK,
    ]
    assert await _count(service, Subscription) == 1
