"""The gettext catalogs: one system for every phrase, kept in step with the sources.

`scripts/update-catalogs` (pybabel extract, then update) must leave every catalog of the
three domains exactly as committed; the feed words' catalog must be complete.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from feeds.catalogs import LOCALE_DIR, catalog_path, read_catalog
from feeds.vocabulary import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
CATALOG_DIRS = ("reminders/locale", "feeds/locale")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _differences(left: Path, right: Path) -> list[str]:
    compared = filecmp.dircmp(left, right)
    found = [str(left / name) for name in compared.left_only + compared.right_only]
    found += [
        str(left / name)
        for name in compared.common_files
        if not filecmp.cmp(left / name, right / name, shallow=False)
    ]
    for name in compared.common_dirs:
        found += _differences(left / name, right / name)
    return found


def test_extract_then_update_leaves_catalogs_unchanged(tmp_path: Path) -> None:
    for folder in CATALOG_DIRS:
        shutil.copytree(ROOT / folder, tmp_path / folder)
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(ROOT / "scripts" / "update-catalogs"), str(tmp_path)],
        check=True,
        env={**os.environ, "PYBABEL": str(pybabel)},
        capture_output=True,
    )
    assert [
        found for folder in CATALOG_DIRS for found in _differences(ROOT / folder, tmp_path / folder)
    ] == []


def _catalog(lang: str) -> Catalog:
    return read_catalog(catalog_path(lang), lang, "feeds")


def test_feed_catalogs_exist_for_every_translated_language() -> None:
    assert sorted(path.name for path in LOCALE_DIR.iterdir()) == sorted(TRANSLATED)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_feed_catalog_every_message_translated(lang: str) -> None:
    problems = []
    for message in _catalog(lang):
        if not message.id:
            continue
        text = str(message.string)
        if message.fuzzy:
            problems.append(("fuzzy", message.context, message.id))
        if not text.strip():
            problems.append(("empty", message.context, message.id))
        # A pattern of placeholders and punctuation only may stay as it is.
        elif text == message.id and re.search(r"[^\W\d_]", _PLACEHOLDER.sub("", text)):
            problems.append(("untranslated", message.context, message.id))
    assert problems == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_feed_catalog_placeholders_kept(lang: str) -> None:
    assert [
        (message.id, message.string)
        for message in _catalog(lang)
        if message.id
        and sorted(_PLACEHOLDER.findall(str(message.string)))
        != sorted(_PLACEHOLDER.findall(str(message.id)))
    ] == []
