"""One rule for a subscriber's choices: the web form and `gcmcal subscriptions add`
accept and refuse the same values, with the same message, each naming the place in its
own terms (the form's field, the command's option)."""

from __future__ import annotations

import pytest

from reminders.subscription_admin import ChoiceError, normalized_email, validate
from reminders.subscription_choices import (
    CLI_OPTIONS,
    E_EMAIL_CONTROL,
    E_EMAIL_INVALID,
    E_EMAIL_TOO_LONG,
    E_HOUR,
    E_KINDS,
    E_LANGUAGE,
    E_LEADS,
    E_REGIONS,
    E_ZONE,
    Choices,
    check_choices,
    with_zone,
)
from reminders.web.forms import FormData, check_signup
from tests.support.reminder_fixtures import timeline

TIMELINE = timeline()
REGIONS = "one of: europe, lac, arab"
KINDS = (
    "one of: pre-consultation, multi-stakeholder-consultation, multi-stakeholder-hearing, "
    "registration-deadline, discussion-space, gcm-talk, regional-review, imrf, other"
)
LEADS = "one of: 8w, 3w, 1w, 1d, 1h"
GLOBAL_HINT = (
    "global events are in every subscription; choose no region for every region, or "
    "one of: europe, lac, arab"
)

#: (form field, value) → (the message both show, what the command line prints after
#: the option's name).
REFUSED = [
    ("regions", "mars", E_REGIONS, f"'mars': Please choose regions from the list ({REGIONS})."),
    (
        "regions",
        "global",
        E_REGIONS,
        f"'global': Please choose regions from the list ({GLOBAL_HINT}).",
    ),
    ("kinds", "party", E_KINDS, f"'party': Please choose kinds of event from the list ({KINDS})."),
    ("leads", "2d", E_LEADS, f"'2d': Please choose reminders from the list ({LEADS})."),
    ("leads", "0h", E_LEADS, f"'0h': Please choose reminders from the list ({LEADS})."),
    (
        "language",
        "de",
        E_LANGUAGE,
        "'de': Please choose a language from the list (one of: en, fr, es, ar, ru, zh).",
    ),
    (
        "tz",
        "Mars/Olympus",
        E_ZONE,
        "'Mars/Olympus': Please choose a time zone from the list "
        "(an IANA time zone such as Europe/Zurich).",
    ),
    (
        # A file of the system's zone database, not a zone id.
        "tz",
        "posix/Europe/Zurich",
        E_ZONE,
        "'posix/Europe/Zurich': Please choose a time zone from the list "
        "(an IANA time zone such as Europe/Zurich).",
    ),
    (
        "delivery_hour",
        "24",
        E_HOUR,
        "'24': Please choose an hour from the list (an hour from 0 to 23).",
    ),
    (
        "delivery_hour",
        "-1",
        E_HOUR,
        "'-1': Please choose an hour from the list (an hour from 0 to 23).",
    ),
]
#: The command's keyword for each form field.
KEYWORDS = {
    "regions": "regions",
    "kinds": "kinds",
    "leads": "leads",
    "language": "language",
    "tz": "tz",
    "delivery_hour": "hour",
}
LISTS = {"regions", "kinds", "leads"}


def _form_errors(field: str, value: str) -> dict[str, str]:
    fields = {"leads": "1d", "language": "en", "tz": "UTC", "delivery_hour": "9", field: value}
    items = [("email", "a@example.org"), *fields.items()]
    return check_signup(FormData(items), TIMELINE, "en").errors


def _command_error(field: str, value: str) -> str:
    argument: str | tuple[str, ...] = (value,) if field in LISTS else value
    with pytest.raises(ChoiceError) as caught:
        validate(TIMELINE, **{KEYWORDS[field]: argument})  # type: ignore[arg-type]
    return str(caught.value)


@pytest.mark.parametrize(("field", "value", "message", "printed"), REFUSED)
def test_choices_refused_alike_by_form_and_command(
    field: str, value: str, message: str, printed: str
) -> None:
    assert (_form_errors(field, value), _command_error(field, value)) == (
        {field: message},
        f"{CLI_OPTIONS[field]}: {printed}",
    )


ACCEPTED = [
    ({"regions": ["lac"]}, Choices(regions=("lac",), tz="America/Santiago")),
    (
        {"regions": ["arab", "europe"], "kinds": ["imrf", "regional-review"]},
        Choices(regions=("europe", "arab"), kinds=("regional-review", "imrf"), tz="Europe/Zurich"),
    ),
    ({"leads": ["1D", "8w"]}, Choices(leads=("8w", "1d"), tz="UTC")),
    ({"tz": ["Etc/GMT-3"], "language": ["ar"]}, Choices(language="ar", tz="Etc/GMT-3")),
    ({"delivery_hour": ["0"]}, Choices(delivery_hour=0, tz="UTC")),
]


@pytest.mark.parametrize(("given", "stored"), ACCEPTED)
def test_choices_accepted_alike_by_form_and_command(
    given: dict[str, list[str]], stored: Choices
) -> None:
    fields = {"leads": ["3w", "1d"], "language": ["en"], "tz": [""], "delivery_hour": ["9"]}
    fields.update(given)
    items = [("email", "a@example.org")]
    items += [(key, item) for key, values in fields.items() for item in values]
    checked = check_signup(FormData(items), TIMELINE, "en")
    command = {KEYWORDS[key]: tuple(v) if key in LISTS else v[0] for key, v in given.items()}

    assert (checked.errors, with_zone(checked.preferences, TIMELINE)) == ({}, stored)
    assert validate(TIMELINE, **command) == stored  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "message", "printed"),
    [
        ("not an address", E_EMAIL_INVALID, "An email address must have an @-sign."),
        (
            "a@example.org\r\nBcc: b@example.org",
            E_EMAIL_CONTROL,
            "a line break or control character",
        ),
        (
            "a" * 65 + "@example.org",
            E_EMAIL_TOO_LONG,
            "the part before the @ is longer than 64 octets (RFC 5321)",
        ),
    ],
)
def test_address_refused_alike_by_form_and_command(typed: str, message: str, printed: str) -> None:
    with pytest.raises(ChoiceError) as caught:
        normalized_email(typed)

    assert (
        check_signup(FormData([("email", typed)]), TIMELINE, "en").errors,
        str(caught.value),
    ) == (
        {"email": message},
        f"EMAIL: {typed!r} is not a valid address: {printed}",
    )


def test_check_choices_reports_every_problem_in_field_order() -> None:
    _choices, problems = check_choices(
        TIMELINE, regions=["mars"], kinds=["party"], leads=[], language="de", tz="x", hour="x"
    )
    assert [(problem.field, problem.value) for problem in problems] == [
        ("regions", "mars"),
        ("kinds", "party"),
        ("leads", ""),
        ("language", "de"),
        ("tz", "x"),
        ("delivery_hour", "x"),
    ]
