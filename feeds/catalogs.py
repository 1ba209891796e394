"""The words the feeds print, in gettext catalogs: ``feeds/locale/<lang>/LC_MESSAGES/feeds.po``.

English is the source language. A translator edits the ``.po`` files with ordinary tools
(Poedit, Weblate); they are compiled in memory once per process and language, so no
``.mo`` file is written or committed. The same compiler serves the email and page
catalogs of `reminders`, which may import `feeds` (never the other way round).

Code marks a phrase with `N_` or, where the same English word means two things, with
`pgettext` (a context); both only record the message. `phrase` translates it::

    EXPECTED = pgettext("date", "expected %(period)s")
    phrase(EXPECTED, "fr", period="fin 2024")

Refresh the catalogs after changing messages: ``scripts/update-catalogs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "feeds"
#: The source language: its messages translate to themselves.
SOURCE_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class Message:
    """A phrase as written in the source, with its context when it has one."""

    text: str
    context: str | None = None


def N_(text: str) -> Message:  # the marker Babel's extractor knows
    return Message(text)


def pgettext(context: str, text: str) -> Message:  # extracted as (context, message)
    return Message(text, context)


def read_catalog(path: Path, lang: str, domain: str) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=lang, domain=domain)


def compile_catalog(path: Path, lang: str, domain: str) -> Translations:
    """The `.po` file at `path` compiled in memory; fuzzy entries are left out, as msgfmt does."""
    compiled = BytesIO()
    write_mo(compiled, read_catalog(path, lang, domain), use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> NullTranslations:
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    if not catalog_path(lang).is_file():
        raise ValueError(f"no feed catalog for language {lang!r}")
    return compile_catalog(catalog_path(lang), lang, DOMAIN)


def phrase(message: Message, lang: str, **values: object) -> str:
    """`message` in `lang`, its ``%(name)s`` placeholders filled from `values`."""
    # Keyed by the strings, whose hashes Python keeps (a dataclass hashes anew each time).
    key = (message.text, message.context, lang)
    try:
        text = _found[key]
    except KeyError:
        text = _found[key] = _look_up(message, lang)
    return text % values if values else text


#: Every translation looked up, kept for the process as the compiled catalogs are:
#: a long timeline's entries ask for the same few dozen phrases over a million times.
_found: dict[tuple[str, str | None, str], str] = {}


def _look_up(message: Message, lang: str) -> str:
    found = translations(lang)
    if message.context is None:
        return found.ugettext(message.text)
    return found.upgettext(message.context, message.text)
