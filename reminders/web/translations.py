"""Page translations: the gettext domain ``web``, compiled in memory from the .po files.

English is the source language (``en`` has no catalog). Each other language has
``reminders/locale/<lang>/LC_MESSAGES/web.po``; it is read with Babel and compiled to a
GNU .mo image in memory the first time a language is needed, so no compiled file is
ever kept in the repository or edited by hand. Fuzzy entries are left out, as msgfmt does.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from feeds.wording import DEFAULT_LANGUAGE, LANGUAGES

DOMAIN = "web"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


def N_(message: str) -> str:  # the marker Babel's extractor knows
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def catalog_path(lang: str, domain: str = DOMAIN) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(lang: str, domain: str = DOMAIN) -> Catalog:
    with catalog_path(lang, domain).open("rb") as po:
        return read_po(po, locale=lang, domain=domain)


def compile_catalog(catalog: Catalog) -> Translations:
    """A .po catalog as gettext translations, compiled in memory."""
    image = io.BytesIO()
    write_mo(image, catalog, use_fuzzy=False)
    image.seek(0)
    return Translations(fp=image, domain=catalog.domain)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The page translations of `lang` (identity for English); built once per language."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return compile_catalog(read_catalog(lang))


def translate(lang: str, message: str, params: Mapping[str, object] | None = None) -> str:
    """`message` in `lang`, with ``%(name)s`` placeholders filled from `params`."""
    text = translations(lang).gettext(message)
    return text % dict(params) if params else text
