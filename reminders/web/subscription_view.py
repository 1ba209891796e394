"""What the confirm and manage pages say about one subscription, in one language (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.lists import format_list

from feeds import Timeline
from feeds.wording import KIND_NAMES, Kind, babel_locale, phrase
from reminders.leads import parse_lead
from reminders.web.forms import Preferences, hour_label, lead_label
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
    preferences: Preferences,
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
    return format_date(moment.astimezone(ZoneInfo(tz)).date(), "long", locale=babel_locale(lang))


def date_time(moment: datetime, tz: str, lang: str) -> str:
    """A moment in the subscriber's zone, with the zone named ("5 December 2026, 15:19").

    The long date and the short time, joined as the language joins them (CLDR's medium
    date-time pattern): no seconds, and the day written out.
    """
    locale = babel_locale(lang)
    local = moment.astimezone(ZoneInfo(tz))
    pattern = str(locale.datetime_formats["medium"]).replace("'", "")
    joined = pattern.replace("{0}", format_time(local, "short", locale=locale)).replace(
        "{1}", format_date(local.date(), "long", locale=locale)
    )
    return f"{joined} ({tz})"
