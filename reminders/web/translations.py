"""Page translations: the gettext domain ``web`` (compiled by `reminders.i18n`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.support import NullTranslations

from reminders import i18n

DOMAIN = "web"


def N_(message: str) -> str:  # the marker Babel's extractor knows
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def catalog_path(lang: str) -> Path:
    return i18n.catalog_path(lang, DOMAIN)


def read_catalog(lang: str) -> Catalog:
    return i18n.read_catalog(lang, DOMAIN)


def translations(lang: str) -> NullTranslations:
    """The page translations of `lang` (identity for English); built once per language."""
    return i18n.translations(lang, DOMAIN)


def translate(lang: str, message: str, params: Mapping[str, object] | None = None) -> str:
    """`message` in `lang`, with ``%(name)s`` placeholders filled from `params`."""
    text = translations(lang).gettext(message)
    return text % dict(params) if params else text
