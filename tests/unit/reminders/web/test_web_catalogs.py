"""The page translations: complete, real, and in step with the templates and code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from feeds.vocabulary import LANGUAGES
from reminders.web.templating import render_page
from reminders.web.translations import read_catalog, translate, translations

ROOT = Path(__file__).resolve().parents[4]
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
#: Words that are the same in the translation as in English.
SAME_AS_ENGLISH = {
    "fr": {"Europe", "Sources", "%(title)s, %(date)s"},
    "es": {"Asia", "Australia", "%(title)s, %(date)s"},
    "ru": {"%(title)s, %(date)s"},
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
#: A message id: the text, or (singular, plural) for ngettext.
MessageId = str | tuple[str, ...]


def _source_messages() -> set[MessageId]:
    with (ROOT / "config" / "babel-web.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)

    def wanted(directory: str) -> bool:
        relative = Path(directory).resolve().relative_to(ROOT).as_posix()
        return relative == "." or relative.startswith(("reminders", "templates"))

    return {
        message if isinstance(message, str) else tuple(message)
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, directory_filter=wanted
        )
    }


@pytest.fixture(scope="module")
def source_messages() -> set[MessageId]:
    return _source_messages()


def test_source_messages_found_in_templates_and_code(source_messages: set[MessageId]) -> None:
    assert {"Subscribe", "Not found", "Skip to content", "Africa"} <= source_messages
    assert len(source_messages) > 100


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_has_exactly_the_source_messages(
    lang: str, source_messages: set[MessageId]
) -> None:
    catalog = read_catalog(lang)
    in_catalog = {message.id for message in catalog if message.id}
    assert sorted(source_messages - in_catalog) == []  # missing: run pybabel update
    assert sorted(in_catalog - source_messages) == []  # obsolete: remove them


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_every_message_translated(lang: str) -> None:
    catalog = read_catalog(lang)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(("fuzzy", str(message.id)))
        elif isinstance(message.id, tuple):
            problems += _plural_problems(message.id, message.string, catalog.num_plurals)
        elif not isinstance(message.string, str) or not message.string.strip():
            problems.append(("empty", message.id))
        elif message.string == message.id and message.id not in SAME_AS_ENGLISH.get(lang, ()):
            problems.append(("untranslated", message.id))
        elif sorted(_PLACEHOLDER.findall(message.string)) != sorted(
            _PLACEHOLDER.findall(message.id)
        ):
            problems.append(("placeholders differ", message.id))
    assert problems == []


def _plural_problems(ids: tuple[str, ...], strings: object, forms: int) -> list[tuple[str, str]]:
    if not isinstance(strings, tuple) or len(strings) != forms:
        return [("plural forms", ids[0])]
    wanted = set(_PLACEHOLDER.findall(ids[-1]))
    problems = []
    for text in strings:
        got = set(_PLACEHOLDER.findall(text))
        if not text.strip():
            problems.append(("empty", ids[0]))
        # A form for exactly one or two may spell the number out ("فعاليتان").
        elif got not in (wanted, wanted - {"num"}):
            problems.append(("placeholders differ", ids[0]))
    return problems


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_passes_babel_checks(lang: str) -> None:
    assert [(m.id, errors) for m, errors in read_catalog(lang).check() if errors] == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_compiled_translates(lang: str) -> None:
    expected = {message.id: message.string for message in read_catalog(lang) if message.id}
    assert translations(lang).gettext("Subscribe") == expected["Subscribe"]
    assert translate(lang, "There is no region called “%(name)s”.", {"name": "x"}) == (
        str(expected["There is no region called “%(name)s”."]) % {"name": "x"}
    )


def test_english_is_the_source() -> None:
    assert translate("en", "Subscribe") == "Subscribe"


def test_unknown_language_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'de'"):
        translations("de")


@pytest.mark.parametrize(
    ("lang", "direction", "heading"),
    [
        ("en", "ltr", "Not found"),
        ("ar", "rtl", "غير موجود"),
        ("zh", "ltr", "未找到"),
    ],
)
def test_page_rendered_in_language_and_direction(lang: str, direction: str, heading: str) -> None:
    html = render_page(
        lang,
        "error.html.j2",
        languages=[("en", "English")],
        heading=translate(lang, "Not found"),
        message="",
    )
    assert re.findall(r"<html[^>]*>", html) == [f'<html lang="{lang}" dir="{direction}">']
    assert re.findall(r"<h1>[^<]*</h1>", html) == [f"<h1>{heading}</h1>"]
