"""Translations for emails and pages: gettext catalogs compiled in memory at start-up.

English is the source language: messages are written in English in templates and code,
and ``reminders/locale/<lang>/LC_MESSAGES/<domain>.po`` holds the other five UN
languages, in two domains: ``messages`` (emails) and ``web`` (pages). No ``.mo`` file
is ever written or committed: each catalog is read with
Babel, compiled into memory and wrapped as `babel.support.Translations`, once per
process and language.

Refresh the catalogs after changing messages::

    pybabel extract -F config/babel.cfg -o reminders/locale/messages.pot .
    pybabel update -i reminders/locale/messages.pot -d reminders/locale

`tests/unit/reminders/test_translations.py` fails while any message is missing, fuzzy,
empty or left in English.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from feeds.wording import DEFAULT_LANGUAGE, LANGUAGES, RTL_LANGUAGES
from reminders.package_data import TEMPLATES

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
#: Languages with a catalog; English is the identity.
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)


def catalog_path(lang: str, domain: str = DOMAIN) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(lang: str, domain: str = DOMAIN) -> Catalog:
    with catalog_path(lang, domain).open("rb") as source:
        return read_po(source, locale=lang, domain=domain)


def _check(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (use one of {', '.join(LANGUAGES)})")


@cache
def translations(lang: str, domain: str = DOMAIN) -> NullTranslations:
    """The compiled catalog of `lang`; English (the source language) translates to itself.

    Fuzzy entries are left out, as msgfmt does.
    """
    _check(lang)
    if lang == DEFAULT_LANGUAGE:
        return NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, read_catalog(lang, domain), use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def gettext(lang: str, message: str, **values: Any) -> str:
    """`message` in `lang`, with ``%(name)s`` placeholders filled from `values`."""
    text = translations(lang).ugettext(message)
    return text % values if values else text


def ngettext(lang: str, singular: str, plural: str, count: int, **values: Any) -> str:
    """The plural form of `lang` for `count`; ``%(num)d`` is `count`."""
    text = translations(lang).ungettext(singular, plural, count)
    return text % {"num": count, **values}


def direction(lang: str) -> str:
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


@cache
def environment(lang: str, folder: str = "email", domain: str = DOMAIN) -> Environment:
    """The Jinja environment for templates in ``templates/<folder>`` in `lang`, built once,
    translating with the catalogs of `domain`.

    ``.html.j2`` templates are autoescaped; ``_()``, ``gettext`` and ``ngettext`` are
    the new-style gettext functions of `jinja2.ext.i18n` (``_("%(n)s days", n=3)``).
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATES / folder),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.install_gettext_translations(  # type: ignore[attr-defined]
        translations(lang, domain), newstyle=True
    )
    # Between a label and its value: Chinese labels end in a full-width colon, no space.
    env.globals.update(lang=lang, direction=direction(lang), sep="" if lang == "zh" else " ")
    return env
