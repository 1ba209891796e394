"""The subscription form: what it offers, and checking what comes back (pure).

The same fields serve the sign-up form (with the email address) and the manage page
(without it). Every choice has a default, so an email address alone is a complete
sign-up: every region, every kind, the default lead times, the page's language, the
browser's time zone (or the first chosen region's venue zone) and 09:00.

The rule is `reminders.subscription_choices`, shared with the command line; this module
reads the form into it. Errors are message ids (English source strings, marked with `N_`),
translated where the form is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import time
from functools import cache
from typing import Any

from babel.dates import format_time
from babel.lists import format_list
from babel.units import format_unit

from feeds import Timeline
from feeds.vocabulary import KIND_NAMES, Kind, babel_locale, phrase
from feeds.zones import canonical_zones, picker_label
from reminders.leads import DEFAULT, OFFERED, Lead
from reminders.subscription_choices import (
    FALLBACK_ZONE,
    Choices,
    check_choices,
    read_address,
)
from reminders.web.timeline_view import LANGUAGE_MENU
from reminders.web.translations import N_, translate

#: Most values read for one field; a form has fewer options than this.
MAX_VALUES = 64
#: The fields a full form always sends (select values); a post with none of them and no
#: ticked boxes is an address alone, and gets every default.
PREFERENCE_FIELDS = ("language", "tz", "delivery_hour")

#: Time-zone groups, in the order the select lists them.
ZONE_GROUPS: tuple[tuple[str, str], ...] = (
    ("Africa", N_("Africa")),
    ("America", N_("Americas")),
    ("Antarctica", N_("Antarctica")),
    ("Arctic", N_("Arctic")),
    ("Asia", N_("Asia")),
    ("Atlantic", N_("Atlantic Ocean")),
    ("Australia", N_("Australia")),
    ("Europe", N_("Europe")),
    ("Indian", N_("Indian Ocean")),
    ("Pacific", N_("Pacific Ocean")),
)

#: Labels of the offered lead times (Babel's unit names lack the grammatical case some
#: languages need after "before"); other leads fall back to "%(duration)s before".
LEAD_LABELS: Mapping[str, str] = {
    "8w": N_("8 weeks before"),
    "3w": N_("3 weeks before"),
    "1w": N_("1 week before"),
    "1d": N_("1 day before"),
    "1h": N_("1 hour before (events with a start time)"),
}
_UNIT_NAMES = {"w": "duration-week", "d": "duration-day", "h": "duration-hour"}


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome of reading a form: the values as understood, and any errors."""

    email: str
    preferences: Choices
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class FormData:
    """The few read operations needed of a submitted form (a multi-dict)."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for count, (key, value) in enumerate(items):
            if count >= MAX_VALUES * 8:
                break
            values = self._values.setdefault(key, [])
            if len(values) < MAX_VALUES:
                values.append(value)

    def get(self, key: str) -> str | None:
        values = self._values.get(key)
        return values[0] if values else None

    def getlist(self, key: str) -> list[str]:
        return list(self._values.get(key, ()))


# -- checking --------------------------------------------------------------------------


def check_email(raw: str | None) -> tuple[str, str | None]:
    """(the address as stored, None) or (what was typed, an error message id)."""
    address = read_address(raw)
    return address.text, address.problem.message if address.problem else None


def check_preferences(
    form: FormData, timeline: Timeline, page_lang: str
) -> tuple[Choices, dict[str, str]]:
    leads = [lead for lead in form.getlist("leads") if lead.strip()]
    if not leads and not any(form.get(name) is not None for name in PREFERENCE_FIELDS):
        leads = [lead.code for lead in DEFAULT]  # an address alone: every default
    preferences, problems = check_choices(
        timeline,
        regions=form.getlist("regions"),
        kinds=form.getlist("kinds"),
        leads=leads,
        language=form.get("language") or page_lang,
        tz=form.get("tz") or "",
        hour=form.get("delivery_hour") or "",
    )
    errors = {problem.field: problem.message for problem in problems}
    if "language" in errors:
        preferences = replace(preferences, language=page_lang)
    return preferences, errors


def check_signup(form: FormData, timeline: Timeline, page_lang: str) -> Checked:
    email, email_error = check_email(form.get("email"))
    preferences, errors = check_preferences(form, timeline, page_lang)
    if email_error:
        errors = {"email": email_error, **errors}
    return Checked(email, preferences, errors)


# -- what the form offers ---------------------------------------------------------------


@cache
def listed_zones() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(group prefix, zones) for the select: canonical zones only (tzdata's zone.tab, no
    deprecated aliases), by region; UTC is offered on its own."""
    countries = dict(canonical_zones())
    groups = []
    for prefix, _label in ZONE_GROUPS:
        members = sorted(zone for zone in countries if zone.startswith(prefix + "/"))
        groups.append((prefix, tuple(members)))
    return tuple(groups)


@cache
def _zone_options(lang: str) -> tuple[ZoneGroup, ...]:
    """The picker's groups in `lang`: localized city and country, sorted by what is shown."""
    countries = dict(canonical_zones())
    return tuple(
        ZoneGroup(
            translate(lang, label),
            tuple(
                sorted(
                    ((zone, picker_label(zone, countries[zone], lang)) for zone in zones),
                    key=lambda option: option[1].casefold(),
                )
            ),
        )
        for (_prefix, label), (_same, zones) in zip(ZONE_GROUPS, listed_zones(), strict=True)
    )


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True, slots=True)
class ZoneGroup:
    label: str
    #: (IANA id sent by the form, what the reader sees)
    zones: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class FormView:
    """Everything a template needs to draw the preference fields, in one language."""

    regions: tuple[Option, ...]
    kinds: tuple[Option, ...]
    leads: tuple[Option, ...]
    languages: tuple[Option, ...]
    hours: tuple[Option, ...]
    zone_groups: tuple[ZoneGroup, ...]
    zone: str  # "" = automatic
    #: A stored zone the list does not show (an alias, "Etc/GMT-3"): offered on its own.
    extra_zone: str


def lead_label(lead: Lead, lang: str) -> str:
    known = LEAD_LABELS.get(lead.code)
    if known is not None:
        return translate(lang, known)
    duration = format_unit(lead.count, _UNIT_NAMES[lead.unit], "long", locale=babel_locale(lang))
    return translate(lang, N_("%(duration)s before"), {"duration": duration})


def hour_label(hour: int, lang: str) -> str:
    return format_time(time(hour), format="short", locale=babel_locale(lang))


def form_view(
    preferences: Choices,
    timeline: Timeline,
    lang: str,
    language_names: Sequence[tuple[str, str]],
    compact_zones: bool = False,
) -> FormView:
    """`compact_zones`: offer only the timeline's venue zones (and UTC), for the short
    form on the home and region pages, where the whole picker (about 420 localized
    names) would take half the page budget in Russian or Arabic. The /subscribe and
    manage pages offer every zone; with JavaScript the reader's own zone is added."""
    groups = _zone_options(lang)
    if compact_zones:
        venues = {region.tz for region in timeline.regions}
        groups = tuple(
            ZoneGroup(group.label, tuple(z for z in group.zones if z[0] in venues))
            for group in groups
        )
        groups = tuple(group for group in groups if group.zones)
    return FormView(
        regions=tuple(
            Option(region.id, region.name(lang), region.id in preferences.regions)
            for region in timeline.regions
        ),
        kinds=tuple(
            Option(kind.value, phrase(KIND_NAMES[kind], lang), kind.value in preferences.kinds)
            for kind in Kind
        ),
        leads=tuple(
            Option(lead.code, lead_label(lead, lang), lead.code in preferences.leads)
            for lead in OFFERED
        ),
        languages=tuple(
            Option(code, name, code == preferences.language) for code, name in language_names
        ),
        hours=tuple(
            Option(str(hour), hour_label(hour, lang), hour == preferences.delivery_hour)
            for hour in range(24)
        ),
        zone_groups=groups,
        zone=preferences.tz,
        extra_zone=preferences.tz if preferences.tz and preferences.tz not in _listed() else "",
    )


@cache
def _listed() -> frozenset[str]:
    return frozenset({FALLBACK_ZONE, *(zone for _, zones in listed_zones() for zone in zones)})


def signup_form(
    timeline: Timeline,
    lang: str,
    region: str | None = None,
    preferences: Choices | None = None,
    email: str = "",
    errors: Mapping[str, str] | None = None,
    compact_zones: bool = False,
) -> dict[str, Any]:
    """The context of the sign-up form partial (``_signup.html.j2``).

    Without `preferences`, the defaults: `region` ticked (if given), the page's language.
    """
    shown = preferences or Choices(regions=(region,) if region else (), language=lang)
    defaults = [lead_label(lead, lang) for lead in DEFAULT]
    return {
        "form": form_view(shown, timeline, lang, LANGUAGE_MENU, compact_zones),
        "email": email,
        "errors": dict(errors or {}),
        "region_page": region is not None,
        "default_leads": format_list(defaults, locale=babel_locale(lang)),
    }
