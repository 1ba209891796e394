"""Every email message is translated in every catalog: none missing, empty, fuzzy or left
in English, and the placeholders survive translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from reminders.i18n import TRANSLATED, catalog_path, gettext, ngettext, translations

ROOT = Path(__file__).resolve().parents[3]
#: Messages that are the same word in a language (checked by hand).
SAME_IN = {("fr", "Date")}
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")

Message = tuple[str, ...]  # (singular,) or (singular, plural)


def extracted() -> set[Message]:
    with (ROOT / "config" / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: set[Message] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        directory_filter=lambda path: (
            Path(path).name not in {".venv", "node_modules", "var"}
            and not Path(path).name.startswith(".")
        ),
    ):
        found.add(tuple(message) if isinstance(message, tuple | list) else (message,))
    return found


@pytest.fixture(scope="module")
def messages() -> set[Message]:
    return extracted()


def catalog(lang: str) -> Catalog:
    with catalog_path(lang).open("rb") as source:
        return read_po(source, locale=lang, domain="messages")


def test_extracted_messages_cover_every_kind_of_text(messages: set[Message]) -> None:
    singles = {message[0] for message in messages}
    assert {"Reminder", "What you can do now:", "in %(num)d day", "Unsubscribe:"} <= singles


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_complete_no_missing_messages(lang: str, messages: set[Message]) -> None:
    have = {m.id if isinstance(m.id, tuple) else (m.id,) for m in catalog(lang) if m.id}
    assert sorted(messages - have) == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_complete_no_obsolete_messages(lang: str, messages: set[Message]) -> None:
    have = {m.id if isinstance(m.id, tuple) else (m.id,) for m in catalog(lang) if m.id}
    assert sorted(have - messages) == []
    assert dict(catalog(lang).obsolete) == {}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_complete_every_message_translated(lang: str) -> None:
    problems = []
    cat = catalog(lang)
    for message in cat:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(("fuzzy", ids[0]))
        if isinstance(message.id, tuple) and len(strings) != cat.num_plurals:
            problems.append(("plural forms", ids[0]))
        for text in strings:
            if not text.strip():
                problems.append(("empty", ids[0]))
            elif text in ids and (lang, text) not in SAME_IN:
                problems.append(("untranslated", ids[0]))
    assert problems == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_placeholders_kept(lang: str) -> None:
    problems = []
    for message in catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(_PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            got = set(_PLACEHOLDER.findall(text))
            # A plural form for exactly one or two may spell the number out ("يومين").
            if got != wanted and not (isinstance(message.id, tuple) and got == wanted - {"num"}):
                problems.append((ids[0], text))
            if re.search(r"%(?!\(\w+\)[sd])", text):
                problems.append((ids[0], text))
    assert problems == []


def test_translations_compiled_in_memory() -> None:
    assert (gettext("fr", "Reminder"), gettext("en", "Reminder")) == ("Rappel", "Reminder")
    assert translations("ar") is translations("ar")  # compiled once per process


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 1, "in 1 day"),
        ("en", 3, "in 3 days"),
        ("fr", 1, "dans 1 jour"),
        ("fr", 3, "dans 3 jours"),
        ("ru", 1, "через 1 день"),
        ("ru", 3, "через 3 дня"),
        ("ru", 5, "через 5 дней"),
        ("ru", 21, "через 21 день"),
        ("ar", 1, "بعد يوم واحد"),
        ("ar", 2, "بعد يومين"),
        ("ar", 3, "بعد 3 أيام"),
        ("ar", 11, "بعد 11 يومًا"),
        ("ar", 100, "بعد 100 يوم"),
        ("zh", 3, "3天后"),
    ],
)
def test_ngettext_plural_forms(lang: str, count: int, expected: str) -> None:
    assert ngettext(lang, "in %(num)d day", "in %(num)d days", count) == expected


def test_gettext_unknown_language_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        gettext("de", "Reminder")
