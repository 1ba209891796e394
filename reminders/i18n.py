"""Translations for emails and pages: gettext catalogs compiled in memory at start-up.

English is the source language: messages are written in English in templates and code,
and ``reminders/locale/<lang>/LC_MESSAGES/<domain>.po`` holds the other five UN
languages, in two domains: ``messages`` (emails) and ``web`` (pages). No ``.mo`` file
is ever written or committed: each catalog is read with
Babel, compiled into memory and wrapped as `babel.support.Translations`, once per
process and language.

Refresh the catalogs (these and the feeds' own) after changing messages::

    scripts/update-catalogs

`tests/unit/reminders/test_translations.py` fails while any message is missing, fuzzy,
empty or left in English.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.support import NullTranslations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from feeds import catalogs as feeds_catalogs
from feeds.catalogs import compile_catalog
from feeds.vocabulary import DEFAULT_LANGUAGE, LANGUAGES, RTL_LANGUAGES
from reminders.package_data import TEMPLATES

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
#: Languages with a catalog; English is the identity.
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)


def catalog_path(lang: str, domain: str = DOMAIN) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(lang: str, domain: str = DOMAIN) -> Catalog:
    return feeds_catalogs.read_catalog(catalog_path(lang, domain), lang, domain)


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
    return compile_catalog(catalog_path(lang, domain), lang, domain)


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
    sep = "" if lang == "zh" else " "
    # In right-to-left text a URL after its label goes on its own line, where it reads in
    # its own order; invisible isolates would risk ending up inside the link.
    url_sep = "\n" if lang in RTL_LANGUAGES else sep
    env.globals.update(lang=lang, direction=direction(lang), sep=sep, url_sep=url_sep)
    return env
