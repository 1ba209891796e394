"""Reading the subscription form: defaults, validation, what the form offers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feeds import Timeline, parse_timeline
from reminders.leads import parse_lead
from reminders.subscription_choices import (
    E_EMAIL_CONTROL,
    E_EMAIL_INTERNATIONAL,
    E_EMAIL_INVALID,
    E_EMAIL_MISSING,
    E_EMAIL_TOO_LONG,
    E_HOUR,
    E_KINDS,
    E_LANGUAGE,
    E_LEADS,
    E_LEADS_NONE,
    E_REGIONS,
    E_ZONE,
    Choices,
    resolved_zone,
)
from reminders.web.forms import (
    MAX_VALUES,
    Checked,
    FormData,
    check_email,
    check_signup,
    form_view,
    lead_label,
    listed_zones,
    signup_form,
)
from reminders.web.subscription_view import date_time, long_date
from reminders.web.timeline_view import LANGUAGE_MENU

TOML = """
[timeline]
name = "Test reviews"
default_language = "en"
default_tz = "Europe/Zurich"

[[regions]]
id = "africa"
tz = "Africa/Addis_Ababa"
contact = "africa@example.org"
url = "https://example.org/africa"
name = { en = "Africa", fr = "Afrique" }

[[regions]]
id = "asia-pacific"
tz = "Asia/Bangkok"
contact = "ap@example.org"
url = "https://example.org/ap"
name = { en = "Asia and the Pacific" }

[[events]]
id = "africa-review"
region = "africa"
kind = "regional-review"
when = "2024-03-11"
title = { en = "Regional review" }
"""


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    return parse_timeline(TOML)


def _form(**fields: str | list[str]) -> FormData:
    items: list[tuple[str, str]] = []
    for key, value in fields.items():
        items.extend((key, item) for item in ([value] if isinstance(value, str) else value))
    return FormData(items)


FULL = {
    "language": "fr",
    "tz": "Europe/Paris",
    "delivery_hour": "7",
}


# -- email addresses -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  Amina.Diallo@Example.ORG ", ("amina.diallo@example.org", None)),
        ("user@bücher.example", ("user@xn--bcher-kva.example", None)),
        ("", ("", E_EMAIL_MISSING)),
        ("   ", ("", E_EMAIL_MISSING)),
        ("not an address", ("not an address", E_EMAIL_INVALID)),
        ("a@b@example.org", ("a@b@example.org", E_EMAIL_INVALID)),
        ("a@example.org\r\nBcc: victim@example.org", ("", E_EMAIL_CONTROL)),
        ("a@example.org\nX-Injected: 1", ("", E_EMAIL_CONTROL)),
        ("a@example.org\x00", ("", E_EMAIL_CONTROL)),
        ("Name <a@example.org>", ("Name <a@example.org>", E_EMAIL_INVALID)),
        ("a@example.org, b@example.org", ("a@example.org, b@example.org", E_EMAIL_INVALID)),
        ("用户@例子.广告", ("用户@例子.广告", E_EMAIL_INTERNATIONAL)),
        ("x" * 250 + "@example.org", (("x" * 250 + "@example.org")[:254], E_EMAIL_TOO_LONG)),
    ],
)
def test_check_email_outcome(typed: str, expected: tuple[str, str | None]) -> None:
    assert check_email(typed) == expected


def test_check_email_no_dns_lookup_for_unknown_domain() -> None:
    address = "someone@unregistered-domain-4f1c9.org"
    assert check_email(address) == (address, None)


# -- preferences ------------------------------------------------------------------------


def test_signup_email_alone_gets_every_default(timeline: Timeline) -> None:
    checked = check_signup(_form(email="a@example.org"), timeline, "ar")
    assert checked == Checked(
        "a@example.org",
        Choices(regions=(), kinds=(), leads=("3w", "1d"), language="ar", tz="", delivery_hour=9),
        {},
    )


def test_signup_full_form_kept_in_canonical_order(timeline: Timeline) -> None:
    form = _form(
        email="a@example.org",
        regions=["asia-pacific", "africa", "africa"],
        kinds=["imrf", "regional-review"],
        leads=["1h", "8w", "1d"],
        **FULL,
    )
    assert check_signup(form, timeline, "en") == Checked(
        "a@example.org",
        Choices(
            regions=("africa", "asia-pacific"),
            kinds=("regional-review", "imrf"),
            leads=("8w", "1d", "1h"),
            language="fr",
            tz="Europe/Paris",
            delivery_hour=7,
        ),
        {},
    )


def test_signup_every_field_wrong_lists_every_error(timeline: Timeline) -> None:
    form = _form(
        email="nope",
        regions=["atlantis"],
        kinds=["party"],
        leads=["2d"],
        language="de",
        tz="Mars/Olympus",
        delivery_hour="24",
    )
    checked = check_signup(form, timeline, "es")
    assert checked.errors == {
        "email": E_EMAIL_INVALID,
        "regions": E_REGIONS,
        "kinds": E_KINDS,
        "leads": E_LEADS,
        "language": E_LANGUAGE,
        "tz": E_ZONE,
        "delivery_hour": E_HOUR,
    }
    assert checked.preferences == Choices(
        regions=(), kinds=(), leads=(), language="es", tz="", delivery_hour=9
    )


def test_signup_all_reminders_unticked_refused(timeline: Timeline) -> None:
    checked = check_signup(_form(email="a@example.org", **FULL), timeline, "en")
    assert checked.errors == {"leads": E_LEADS_NONE}


@pytest.mark.parametrize("hour", ["-1", "9.5", "٣", "", "x"])
def test_signup_hour_not_a_listed_hour_refused(timeline: Timeline, hour: str) -> None:
    form = _form(email="a@example.org", leads="1d", language="en", tz="UTC", delivery_hour=hour)
    expected = {} if hour == "" else {"delivery_hour": E_HOUR}
    assert check_signup(form, timeline, "en").errors == expected


def test_form_data_values_per_field_bounded() -> None:
    form = FormData(("regions", str(n)) for n in range(MAX_VALUES * 20))
    assert len(form.getlist("regions")) == MAX_VALUES


# -- time zone ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preferences", "zone"),
    [
        (Choices(tz="America/Bogota", regions=("africa",)), "America/Bogota"),
        (Choices(regions=("asia-pacific", "africa")), "Asia/Bangkok"),
        (Choices(), "UTC"),
    ],
)
def test_resolved_zone_chosen_else_first_region_else_utc(
    timeline: Timeline, preferences: Choices, zone: str
) -> None:
    assert resolved_zone(preferences, timeline) == zone


def test_listed_zones_grouped_sorted_geographic() -> None:
    groups = dict(listed_zones())
    assert list(groups) == [
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    ]
    assert all(list(zones) == sorted(zones) for zones in groups.values())
    assert all(zone.startswith(prefix + "/") for prefix, zones in groups.items() for zone in zones)
    assert "Europe/Zurich" in groups["Europe"]


# -- what the form shows -----------------------------------------------------------------------


def test_form_view_region_page_ticks_that_region_in_page_language(timeline: Timeline) -> None:
    context = signup_form(timeline, "fr", "africa")
    view = context["form"]
    assert [(o.value, o.label, o.selected) for o in view.regions] == [
        ("africa", "Afrique", True),
        ("asia-pacific", "Asia and the Pacific", False),
    ]
    assert [(o.value, o.selected) for o in view.leads] == [
        ("8w", False),
        ("3w", True),
        ("1w", False),
        ("1d", True),
        ("1h", False),
    ]
    assert [o.value for o in view.languages if o.selected] == ["fr"]
    assert [o.label for o in view.hours if o.selected] == ["09:00"]
    assert view.zone == ""
    assert context["default_leads"] == "3 semaines avant et 1 jour avant"
    assert context["region_page"] is True


def test_form_view_stored_alias_zone_offered_on_its_own(timeline: Timeline) -> None:
    view = form_view(Choices(tz="Etc/GMT-3"), timeline, "en", LANGUAGE_MENU)
    assert (view.zone, view.extra_zone) == ("Etc/GMT-3", "Etc/GMT-3")
    listed = form_view(Choices(tz="Asia/Tokyo"), timeline, "en", LANGUAGE_MENU)
    assert (listed.zone, listed.extra_zone) == ("Asia/Tokyo", "")


@pytest.mark.parametrize(
    ("code", "lang", "label"),
    [
        ("3w", "en", "3 weeks before"),
        ("1w", "ru", "за 1 неделю"),
        ("8w", "ar", "قبل 8 أسابيع"),
        ("1d", "zh", "提前1天"),
        ("2w", "en", "2 weeks before"),
        ("2w", "es", "2 semanas antes"),
    ],
)
def test_lead_label_in_language(code: str, lang: str, label: str) -> None:
    assert lead_label(parse_lead(code), lang) == label


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "5 December 2026, 16:19 (Cairo time, UTC+2)"),
        ("ar", "5 كانون الأول/ديسمبر 2026، 16:19 (توقيت القاهرة، \u2066UTC+2\u2069)"),
        ("ru", "5 декабря 2026\u00a0г., 16:19 (Каир, UTC+2)"),  # no-break space
        ("zh", "2026年12月5日 16:19（开罗时间，UTC+2）"),
    ],
)
def test_date_time_in_subscriber_zone_and_language(lang: str, text: str) -> None:
    moment = datetime(2026, 12, 5, 14, 19, 57, tzinfo=UTC)
    assert date_time(moment, "Africa/Cairo", lang) == text


def test_long_date_in_subscriber_zone() -> None:
    moment = datetime(2024, 3, 10, 23, 30, tzinfo=UTC)
    assert (long_date(moment, "Asia/Tokyo", "fr"), long_date(moment, "UTC", "fr")) == (
        "11 mars 2024",
        "10 mars 2024",
    )


def test_form_view_compact_zones_offers_only_the_venues_zones(timeline: Timeline) -> None:
    compact = signup_form(timeline, "fr", "africa", compact_zones=True)["form"]
    full = signup_form(timeline, "fr", "africa")["form"]

    offered = sorted(zone for group in compact.zone_groups for zone, _label in group.zones)
    assert offered == sorted({region.tz for region in timeline.regions})
    assert sum(len(group.zones) for group in full.zone_groups) > 400
