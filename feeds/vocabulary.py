"""The timeline's terms in the six UN languages: languages, kinds, statuses, modalities,
source kinds, and the translated name of each (`phrase` looks a message up).

Every phrase is an English gettext message (`feeds.catalogs`); its translations live in
``feeds/locale/<lang>/LC_MESSAGES/feeds.po``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache

from babel import Locale

from feeds.catalogs import Message, pgettext
from feeds.catalogs import phrase as _translate

LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ar", "ru", "zh")
RTL_LANGUAGES = frozenset({"ar"})
DEFAULT_LANGUAGE = "en"

#: UN documents write "11 March 2024"; CLDR's plain `en` is American ("March 11, 2024").
_BABEL_LOCALE = {"en": "en_GB"}


@cache
def babel_locale(lang: str) -> Locale:
    return Locale.parse(_BABEL_LOCALE.get(lang, lang))


class Kind(StrEnum):
    PRE_CONSULTATION = "pre-consultation"
    CONSULTATION = "multi-stakeholder-consultation"
    HEARING = "multi-stakeholder-hearing"
    REGISTRATION_DEADLINE = "registration-deadline"
    DISCUSSION_SPACE = "discussion-space"
    GCM_TALK = "gcm-talk"
    REGIONAL_REVIEW = "regional-review"
    IMRF = "imrf"
    OTHER = "other"


class Status(StrEnum):
    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    #: The announced window passed and no source ever confirmed the date.
    UNCONFIRMED = "unconfirmed"


class SourceKind(StrEnum):
    #: The organisers' own page (UN Network on Migration, a regional commission, Indico.UN).
    ORGANISER = "organiser"
    #: A report by others: civil society, press, a government's news item.
    REPORT = "report"


class Modality(StrEnum):
    IN_PERSON = "in-person"
    ONLINE = "online"
    HYBRID = "hybrid"


#: A phrase to translate (see `feeds.catalogs`); kept under its old name for callers.
Phrases = Message


def phrase(message: Message, lang: str, **values: object) -> str:
    """`message` in `lang`; ``%(name)s`` placeholders filled from `values`."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (use one of {', '.join(LANGUAGES)})")
    return _translate(message, lang, **values)


KIND_NAMES: Mapping[Kind, Message] = {
    Kind.PRE_CONSULTATION: pgettext("kind", "Pre-consultation"),
    Kind.CONSULTATION: pgettext("kind", "Multi-stakeholder consultation"),
    Kind.HEARING: pgettext("kind", "Multi-stakeholder hearing"),
    Kind.REGISTRATION_DEADLINE: pgettext("kind", "Registration deadline"),
    Kind.DISCUSSION_SPACE: pgettext("kind", "Discussion space"),
    Kind.GCM_TALK: pgettext("kind", "GCM Talk"),
    Kind.REGIONAL_REVIEW: pgettext("kind", "Regional review"),
    Kind.IMRF: pgettext("kind", "International Migration Review Forum"),
    Kind.OTHER: pgettext("kind", "Other"),
}

STATUS_NAMES: Mapping[Status, Message] = {
    Status.CONFIRMED: pgettext("status", "confirmed"),
    Status.TENTATIVE: pgettext("status", "tentative"),
    Status.POSTPONED: pgettext("status", "postponed"),
    Status.CANCELLED: pgettext("status", "cancelled"),
    Status.UNCONFIRMED: pgettext("status", "date never confirmed"),
}

MODALITY_NAMES: Mapping[Modality, Message] = {
    Modality.IN_PERSON: pgettext("modality", "in person"),
    Modality.ONLINE: pgettext("modality", "online"),
    Modality.HYBRID: pgettext("modality", "hybrid"),
}
