"""Every title and every page text follows the terminology list (config/terminology.toml):
the Compact and the stages of the reviews named as UN documents name them, in each
language, and none of the variants to avoid anywhere."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from feeds import Kind, load_timeline
from feeds.catalogs import catalog_path as feeds_catalog_path
from feeds.catalogs import read_catalog
from feeds.vocabulary import LANGUAGES
from reminders.i18n import catalog_path

ROOT = Path(__file__).resolve().parents[2]
TERMS: dict[str, dict[str, Any]] = tomllib.loads(
    (ROOT / "config" / "terminology.toml").read_text(encoding="utf-8")
)
TIMELINE = load_timeline(ROOT / "config" / "timeline.toml")
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
#: Which list of stage names a title of each kind must use.
STAGE_OF_KIND = {
    Kind.REGIONAL_REVIEW: "regional_review",
    Kind.IMRF: "imrf",
    Kind.HEARING: "hearing",
    Kind.DISCUSSION_SPACE: "discussion_space",
}


def _has(text: str, forms: list[str]) -> bool:
    folded = text.casefold()
    return any(form.casefold() in folded for form in forms)


def _compact_names(lang: str) -> list[str]:
    return [TERMS[lang]["compact"], *TERMS[lang]["compact_short"]]


def _catalog_texts(lang: str) -> list[str]:
    texts: list[str] = []
    paths = [
        (catalog_path(lang, "messages"), "messages"),
        (catalog_path(lang, "web"), "web"),
        (feeds_catalog_path(lang), "feeds"),
    ]
    for path, domain in paths:
        for message in read_catalog(path, lang, domain):
            if message.id:
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                texts += [str(text) for text in strings]
    return texts


def _timeline_texts(lang: str) -> list[str]:
    texts = [region.names.get(lang, "") for region in TIMELINE.regions]
    for event in TIMELINE.events:
        texts += [values.get(lang, "") for values in event.texts().values()]
    return [text for text in texts if text]


def test_terminology_lists_every_language_and_term() -> None:
    assert sorted(TERMS) == sorted(LANGUAGES)
    assert all(set(TERMS[lang]) == set(TERMS["en"]) for lang in LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_variant_to_avoid_in_timeline_or_catalogs(lang: str) -> None:
    avoid = TERMS[lang]["avoid"]
    texts = _timeline_texts(lang) + (_catalog_texts(lang) if lang != "en" else [])
    assert [text for text in texts if _has(text, avoid)] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_titles_name_the_stage_and_the_compact_as_the_un_does(lang: str) -> None:
    wrong = []
    for event in TIMELINE.events:
        title = event.titles.get(lang)
        if title is None:
            continue
        stage = STAGE_OF_KIND.get(event.kind)
        if stage is not None and not _has(title, TERMS[lang][stage]):
            wrong.append((event.id, stage, title))
        english = event.titles["en"]
        if "GCM" in english.replace("GCM Talk", "") and not _has(title, _compact_names(lang)):
            wrong.append((event.id, "compact", title))
    assert wrong == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_page_and_calendar_names_use_the_terms(lang: str) -> None:
    web = {m.id: str(m.string) for m in read_catalog(catalog_path(lang, "web"), lang, "web")}
    feeds = {m.id: str(m.string) for m in read_catalog(feeds_catalog_path(lang), lang, "feeds")}
    names = [web["GCM regional reviews calendar"], feeds["GCM regional reviews"]]
    assert [
        name
        for name in names
        if not (_has(name, TERMS[lang]["regional_review"]) and _has(name, _compact_names(lang)))
    ] == []
