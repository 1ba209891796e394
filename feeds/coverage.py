"""Which human-readable texts of a timeline lack a translation (pure).

A missing translation is not an error: the text falls back to the default language,
marked for screen readers. `gcmcal check` lists each one as a warning (event id, field,
language) and `gcmcal check --strict` fails on them; CI runs it on the shipped timeline.
"""

from __future__ import annotations

from feeds.loader import Problem
from feeds.timeline import Texts, Timeline
from feeds.vocabulary import LANGUAGES


def _missing(place: str, field: str, texts: Texts) -> list[Problem]:
    if not texts:
        return []
    return [
        Problem(place, f"{field}.{lang}", "no translation (readers see another language)")
        for lang in LANGUAGES
        if not texts.get(lang)
    ]


def missing_translations(timeline: Timeline) -> list[Problem]:
    """One warning per (region or event, field, language) without its own text."""
    found: list[Problem] = []
    for region in timeline.regions:
        found += _missing(f"region {region.id}", "name", region.names)
    for event in timeline.events:
        for field, texts in event.texts().items():
            found += _missing(f"event {event.id}", field, texts)
    return found
