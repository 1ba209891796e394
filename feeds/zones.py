"""Time zones as readers know them: a city's time and its offset, never a raw IANA id.

City names come from CLDR (Babel), localized; the phrase around them from the catalogs
("%(city)s time, %(offset)s" → "heure de Zurich, UTC+1"). In right-to-left text the
offset is isolated (LRI … PDI) so that "UTC+3" is not reordered into "3+UTC".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location

from feeds.catalogs import pgettext
from feeds.date_labels import moment_label
from feeds.feed_words import IN_ZONE as _IN_ZONE
from feeds.vocabulary import RTL_LANGUAGES, babel_locale, phrase

_ZONE = pgettext("time zone", "%(city)s time, %(offset)s")
_CITY_TIME = pgettext("time zone", "%(city)s time")
_PICKER = pgettext("time zone", "%(city)s (%(country)s)")
#: Left-to-right isolate and its closing pop (Unicode bidi, UAX #9).
LRI, PDI = "\u2066", "\u2069"


def isolate(text: str, lang: str) -> str:
    """`text` (a URL, an offset, a Latin name) kept in its own order inside `lang`'s text."""
    return f"{LRI}{text}{PDI}" if lang in RTL_LANGUAGES else text


def offset_text(offset: timedelta | None) -> str:
    """ "UTC+1", "UTC-3", "UTC+5:30", "UTC"."""
    minutes = int((offset or timedelta()).total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


@cache
def city_name(tz: str, lang: str) -> str:
    """The zone's city in `lang` ("Zurich", "Zúrich", "苏黎世"); "UTC" for UTC."""
    if tz in ("UTC", "Etc/UTC"):
        return "UTC"
    return str(get_timezone_location(ZoneInfo(tz), locale=babel_locale(lang), return_city=True))


def city_time(tz: str, lang: str) -> str:
    """ "Zurich time", without an offset (offsets change with summer time)."""
    return phrase(_CITY_TIME, lang, city=city_name(tz, lang))


def zone_label(tz: str, moment: datetime, lang: str) -> str:
    """The zone as shown next to a time at `moment`: "Zurich time, UTC+1"."""
    offset = moment.astimezone(ZoneInfo(tz)).utcoffset()
    if tz in ("UTC", "Etc/UTC"):
        return "UTC"
    return phrase(_ZONE, lang, city=city_name(tz, lang), offset=isolate(offset_text(offset), lang))


def moments_in_zone(start: datetime, end: datetime | None, tz: str, lang: str) -> str:
    """Aware date-times as seen in `tz`, the zone named:
    "Monday 11 March 2024, 10:00–18:00 (Zurich time, UTC+1)"."""
    zone = ZoneInfo(tz)
    local_end = None if end is None else end.astimezone(zone)
    text = moment_label(start.astimezone(zone), local_end, lang, weekday=True)
    return phrase(_IN_ZONE, lang, date=text, zone=zone_label(tz, start, lang))


@cache
def canonical_zones() -> tuple[tuple[str, str], ...]:
    """(zone, ISO country code) of every current zone people pick from, one row per
    country and zone as tzdata's ``zone.tab`` lists them: no deprecated aliases
    ("US/Eastern", "Asia/Calcutta") and no "Etc/GMT-3"."""
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, zone, *_comment = line.split("\t")
            rows.append((zone, country))
    return tuple(sorted(rows))


def picker_label(tz: str, country: str, lang: str) -> str:
    """A zone as the picker shows it: "Zúrich (Suiza)", "苏黎世（瑞士）"."""
    territory = babel_locale(lang).territories.get(country, country)
    return phrase(_PICKER, lang, city=city_name(tz, lang), country=territory)
