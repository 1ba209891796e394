"""What the confirm and manage pages say about one subscription, in one language (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.lists import format_list

from feeds import Timeline
from feeds.date_labels import day_label, moment_label
from feeds.feed_words import IN_ZONE
from feeds.vocabulary import KIND_NAMES, Kind, babel_locale, phrase
from feeds.zones import zone_label
from reminders.leads import parse_lead
from reminders.subscription_choices import Choices
from reminders.web.forms import hour_label, lead_label
from reminders.web.translations import N_, translate

_KINDS = {kind.value: kind for kind in Kind}


@dataclass(frozen=True, slots=True)
class Summary:
    email: str
    regions: str
    kinds: str
    leads: str
    language: str
    tz: str
    hour: str


def summary(
    email: str,
    preferences: Choices,
    timeline: Timeline,
    lang: str,
    language_names: Sequence[tuple[str, str]],
) -> Summary:
    locale = babel_locale(lang)
    region_names = [
        region.name(lang) for region in timeline.regions if region.id in preferences.regions
    ]
    kind_names = [
        phrase(KIND_NAMES[_KINDS[slug]], lang) for slug in preferences.kinds if slug in _KINDS
    ]
    leads = [lead_label(parse_lead(code), lang) for code in preferences.leads]
    names = dict(language_names)
    return Summary(
        email=email,
        regions=format_list(region_names, locale=locale)
        if region_names
        else translate(lang, N_("All regions")),
        kinds=format_list(kind_names, locale=locale)
        if kind_names
        else translate(lang, N_("Every kind of event")),
        leads=format_list(leads, locale=locale) if leads else translate(lang, N_("None")),
        language=names.get(preferences.language, preferences.language),
        tz=preferences.tz,
        hour=hour_label(preferences.delivery_hour, lang),
    )


def long_date(moment: datetime, tz: str, lang: str) -> str:
    """A day in the subscriber's zone, as the language writes it ("11 March 2024")."""
    return day_label(moment.astimezone(ZoneInfo(tz)).date(), lang)


def date_time(moment: datetime, tz: str, lang: str) -> str:
    """A moment in the subscriber's zone, with the zone named
    ("5 December 2026, 15:19 (Zurich time, UTC+1)")."""
    local = moment.astimezone(ZoneInfo(tz)).replace(second=0, microsecond=0)
    text = moment_label(local.replace(tzinfo=None), None, lang)
    return phrase(IN_ZONE, lang, date=text, zone=zone_label(tz, moment, lang))
