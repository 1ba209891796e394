"""What a subscriber chooses, and the one rule that checks it (pure).

The sign-up and manage forms, `gcmcal subscriptions add` and `gcmcal subscriptions
import` all read choices through `check_choices` and addresses through `read_address`,
so they accept and refuse the same values for the same reason. A `Problem` names its
field by the form's field name (`FIELDS`); each caller says where that is in its own
terms: the form shows the message beside the field, the command line names the option
(`CLI_OPTIONS`), the import names the column.

Messages are message ids (English source strings, marked with `N_`, in the ``web``
catalogs): the pages translate them; the command line prints them in English after the
value, with what is offered (`Problem.explained`).

"global" is no region to choose: global events (the IMRF, the global hearings) are in
every subscription, and every region is chosen by choosing none — on the form by
ticking no region, on the command line by giving no ``--region``.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache

from email_validator import EmailNotValidError, validate_email

from feeds import GLOBAL, Timeline
from feeds.vocabulary import LANGUAGES, Kind
from reminders.addresses import length_problem
from reminders.leads import DEFAULT, OFFERED, LeadError, parse_lead

DEFAULT_DELIVERY_HOUR = 9
DEFAULT_LANGUAGE = "en"
FALLBACK_ZONE = "UTC"
MAX_EMAIL_LENGTH = 254  # RFC 5321 path limit less the angle brackets (`reminders.addresses`)

#: The fields, by the form's names, in the order problems are reported.
FIELDS = ("email", "regions", "kinds", "leads", "language", "tz", "delivery_hour")
#: The same fields as `gcmcal subscriptions add` names them.
CLI_OPTIONS = {
    "email": "EMAIL",
    "regions": "--region",
    "kinds": "--kind",
    "leads": "--lead",
    "language": "--lang",
    "tz": "--tz",
    "delivery_hour": "--hour",
}


def N_(message: str) -> str:  # the marker Babel's extractor knows
    """Mark a string for extraction; it is translated where it is shown."""
    return message


E_EMAIL_MISSING = N_("Please enter your email address.")
E_EMAIL_INVALID = N_("This does not look like an email address. Please check it.")
E_EMAIL_CONTROL = N_("An email address must be on one line, without special characters.")
E_EMAIL_TOO_LONG = N_("This email address is too long.")
E_EMAIL_INTERNATIONAL = N_(
    "Addresses with non-Latin letters before the @ cannot receive our emails yet. "
    "Please use another address."
)
E_REGIONS = N_("Please choose regions from the list.")
E_KINDS = N_("Please choose kinds of event from the list.")
E_LEADS_NONE = N_("Please choose at least one reminder.")
E_LEADS = N_("Please choose reminders from the list.")
E_LANGUAGE = N_("Please choose a language from the list.")
E_ZONE = N_("Please choose a time zone from the list.")
E_HOUR = N_("Please choose an hour from the list.")


@dataclass(frozen=True, slots=True)
class Choices:
    """What a subscriber chose; empty regions or kinds mean all of them.

    `tz` is "" while it is automatic (the form's default): `with_zone` resolves it
    before a subscription is stored.
    """

    regions: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    leads: tuple[str, ...] = tuple(lead.code for lead in DEFAULT)
    language: str = DEFAULT_LANGUAGE
    tz: str = ""
    delivery_hour: int = DEFAULT_DELIVERY_HOUR


@dataclass(frozen=True, slots=True)
class Problem:
    """A value refused: its field (the form's name), the message id, the value, and
    what is offered instead in the operator's terms (English, for the command line)."""

    field: str
    message: str
    value: str
    offered: str = ""

    def explained(self) -> str:
        """The problem in English after the value, as the command line prints it."""
        if not self.offered:
            return f"{self.value!r}: {self.message}"
        return f"{self.value!r}: {self.message.removesuffix('.')} ({self.offered})."


@dataclass(frozen=True, slots=True)
class Address:
    """An address read: as stored (ASCII, lower case) or as typed when refused."""

    text: str
    problem: Problem | None = None
    #: Why it was refused, in English (email-validator's or RFC 5321's words).
    reason: str = ""


def read_address(raw: str | None) -> Address:
    """The address as stored, or what was typed with a `Problem` (field ``email``).

    Validated by email-validator without any DNS lookup, then stored in ASCII (an
    internationalised domain in its xn-- form) and lower case, so one mailbox has one
    subscription. Local parts that need SMTPUTF8 are refused: the relay may not take them.
    """
    text = (raw or "").strip()
    if not text:
        return _refused("", E_EMAIL_MISSING, "", "no address")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        return _refused("", E_EMAIL_CONTROL, text, "a line break or control character")
    if len(text) > MAX_EMAIL_LENGTH:
        reason = length_problem(text) or "too long"
        return _refused(text[:MAX_EMAIL_LENGTH], E_EMAIL_TOO_LONG, text, reason)
    try:
        valid = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        international = "SMTPUTF8" in str(exc) or "internationalized" in str(exc).lower()
        message = E_EMAIL_INTERNATIONAL if international else E_EMAIL_INVALID
        return _refused(text, message, text, str(exc))
    address = (valid.ascii_email or valid.normalized).lower()
    if problem := length_problem(address):
        return _refused(text, E_EMAIL_TOO_LONG, text, problem)
    return Address(address)


def _refused(kept: str, message: str, typed: str, reason: str) -> Address:
    return Address(kept, Problem("email", message, typed), reason)


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value.strip() for value in values if value.strip()))


def _one_of(allowed: Iterable[str]) -> str:
    return f"one of: {', '.join(allowed)}"


def _pick(
    field: str, message: str, values: Iterable[str], allowed: list[str], problems: list[Problem]
) -> tuple[str, ...]:
    """The values that are allowed, in the offered order; a problem for the first other."""
    chosen = _distinct(values)
    wrong = [value for value in chosen if value not in allowed]
    if wrong:
        problems.append(Problem(field, message, wrong[0], _one_of(allowed)))
    return tuple(value for value in allowed if value in chosen)


def check_choices(
    timeline: Timeline,
    *,
    regions: Iterable[str] = (),
    kinds: Iterable[str] = (),
    leads: Iterable[str] = (),
    language: str = DEFAULT_LANGUAGE,
    tz: str = "",
    hour: str = "",
) -> tuple[Choices, tuple[Problem, ...]]:
    """The choices as understood and every problem, in `FIELDS` order.

    Refused values are left out of the choices (a refused language, zone or hour takes
    the default), so a form can be shown again with what was right. No leads is a
    problem: a caller for whom none means the defaults passes `DEFAULT` itself. An empty
    `tz` stays automatic; an empty `hour` is the default hour.
    """
    problems: list[Problem] = []
    region_ids = [region.id for region in timeline.regions]
    chosen_regions = _pick("regions", E_REGIONS, regions, region_ids, problems)
    if problems and problems[0].value == GLOBAL:
        problems[0] = replace(
            problems[0],
            offered="global events are in every subscription; choose no region for every "
            f"region, or {_one_of(region_ids)}",
        )
    chosen_kinds = _pick("kinds", E_KINDS, kinds, [kind.value for kind in Kind], problems)

    offered = [lead.code for lead in OFFERED]
    codes: list[str] = []
    wrong: str | None = None
    for text in _distinct(leads):
        try:
            code = parse_lead(text).code
        except LeadError:
            code = text
        if code in offered:
            codes.append(code)
        elif wrong is None:
            wrong = text
    if wrong is not None:
        problems.append(Problem("leads", E_LEADS, wrong, _one_of(offered)))
    elif not codes:
        problems.append(Problem("leads", E_LEADS_NONE, "", _one_of(offered)))
    chosen_leads = tuple(code for code in offered if code in codes)

    language = language.strip()
    if language not in LANGUAGES:
        problems.append(Problem("language", E_LANGUAGE, language, _one_of(LANGUAGES)))
        language = DEFAULT_LANGUAGE

    tz = tz.strip()
    if tz and tz not in accepted_zones():
        problems.append(Problem("tz", E_ZONE, tz, "an IANA time zone such as Europe/Zurich"))
        tz = ""

    hour_text = hour.strip() or str(DEFAULT_DELIVERY_HOUR)
    delivery_hour = int(hour_text) if hour_text.isascii() and hour_text.isdigit() else -1
    if not 0 <= delivery_hour <= 23:
        problems.append(Problem("delivery_hour", E_HOUR, hour_text, "an hour from 0 to 23"))
        delivery_hour = DEFAULT_DELIVERY_HOUR

    choices = Choices(
        regions=chosen_regions,
        kinds=chosen_kinds,
        leads=chosen_leads,
        language=language,
        tz=tz,
        delivery_hour=delivery_hour,
    )
    return choices, tuple(problems)


def resolved_zone(choices: Choices, timeline: Timeline) -> str:
    """The zone to store: the one chosen, else the first chosen region's venue zone."""
    if choices.tz:
        return choices.tz
    for region_id in choices.regions:
        region = timeline.region(region_id)
        if region is not None:
            return region.tz
    return FALLBACK_ZONE


def with_zone(choices: Choices, timeline: Timeline, keep_tz: str = "") -> Choices:
    """`choices` with the zone to store: the chosen one, else `keep_tz` (the zone a
    subscription has), else the first chosen region's, else UTC."""
    return replace(choices, tz=choices.tz or keep_tz or resolved_zone(choices, timeline))


@cache
def accepted_zones() -> frozenset[str]:
    """Every IANA zone id of the tz database (aliases included; no file paths)."""
    return frozenset(zoneinfo.available_timezones())
