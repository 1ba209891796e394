"""The "How to take part" catalogue: one set of ideas for action for emails and pages,
translated alike in both catalogs; every stage a region page lists is explained."""

from __future__ import annotations

import pytest

from feeds.vocabulary import LANGUAGES
from reminders import i18n
from reminders.take_part import ACTIONS
from reminders.web.guide import GLOSSARY, STAGES, glossary
from reminders.web.translations import translations

IDEAS = sorted({text for texts in ACTIONS.values() for text in texts})


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ideas_for_action_read_the_same_in_emails_and_pages(lang: str) -> None:
    pages = translations(lang).gettext
    assert [pages(text) for text in IDEAS] == [i18n.gettext(lang, text) for text in IDEAS]


def test_every_stage_of_a_region_page_has_ideas_and_a_glossary_entry() -> None:
    explained = [kind for kind, _ in GLOSSARY]
    assert [(kind, bool(ACTIONS[kind]), kind in explained) for kind in STAGES] == [
        (kind, True, True) for kind in STAGES
    ]


def test_glossary_for_one_stage() -> None:
    assert glossary("en", translations("en").gettext, STAGES[-1:]) == (
        glossary("en", translations("en").gettext)[5],
    )
