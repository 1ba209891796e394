"""Finds reader-facing text left in another language (for the shipped-timeline walk).

A page's text is read as a reader's screen reader would: elements whose ``lang`` is not
the page's are skipped (they are marked fallbacks or language names), and so are URLs,
email addresses and the proper names below. What is left must be in the page's language:

- Arabic, Russian, Chinese: no Latin word;
- French, Spanish: no English function word or common English timeline word.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Names written in Latin letters in every language (organisations, products, codes).
PROPER_NAMES = frozenset(
    [
        "GCM",
        "IMRF",
        "UN",
        "IOM",
        "OIM",
        "ECLAC",
        "CEPAL",
        "ESCWA",
        "UNECE",
        "ECA",
        "ESCAP",
        "UNCC",
        "ITUC",
        "QUNO",
        "CSAC",
        "LAS",
        "AU",
        "Indico",
        "Hub",
        "GCM",
        "Talk",
        "Talks",
        "Google",
        "Outlook",
        "Apple",
        "Thunderbird",
        "Atom",
        "Mirage",
        "News",
        "IISD",
        "SDG",
        "Knowledge",
        "Viet",
        "Nam",
        "BusinessGhana",
        "URL",
        "JSON",
        "PDF",
        "ics",
        "UTC",
        "spam",
        "Network",
        "Migration",
        "com",
        "org",
        "un",
        "int",
        "www",
        "https",
        "http",
    ]
)
#: English words that never occur in French or Spanish text.
ENGLISH_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "for",
        "with",
        "from",
        "by",
        "to",
        "at",
        "this",
        "that",
        "these",
        "those",
        "is",
        "are",
        "was",
        "were",
        "been",
        "will",
        "would",
        "can",
        "could",
        "should",
        "into",
        "about",
        "after",
        "before",
        "between",
        "during",
        "review",
        "reviews",
        "stakeholder",
        "stakeholders",
        "hearing",
        "hearings",
        "event",
        "events",
        "registration",
        "deadline",
        "meeting",
        "headquarters",
        "held",
        "announced",
        "expected",
        "first",
        "third",
        "round",
        "report",
        "summary",
        "side",
        "online",
        "space",
        "week",
        "month",
        "year",
        "early",
        "late",
        "mid",
        "half",
        "quarter",
    ]
)
_URL = re.compile(r"(?:https?|webcal|mailto):\S+|\S+@\S+|\b[\w.-]+\.(?:org|int|com|net)\S*")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
#: Latin words only: in Chinese or Arabic text they may touch the other script.
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
_ISOLATES = re.compile("[\u2066-\u2069\u200e\u200f]")


class _Visible(HTMLParser):
    """Text nodes of the body, leaving out script, style and other-language elements."""

    VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "source", "wbr"})

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.stack: list[bool] = []  # per open element: is it hidden from the check?
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        values = dict(attrs)
        other = values.get("lang") not in (None, self.lang) and tag != "html"
        # The zone picker lists city names (proper names, from CLDR).
        zones = tag == "select" and values.get("name") == "tz"
        hidden = tag in ("script", "style", "title", "head") or other or zones
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]) and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str, lang: str) -> list[str]:
    parser = _Visible(lang)
    parser.feed(html)
    return parser.texts


def foreign_words(text: str, lang: str) -> list[str]:
    """Words of `text` that belong to another language than `lang`."""
    plain = _URL.sub(" ", _ISOLATES.sub("", text))
    if lang in ("ar", "ru", "zh"):
        latin = _LATIN_WORD.findall(plain)
        return [w for w in latin if len(w) > 1 and w not in PROPER_NAMES]
    words = _WORD.findall(plain)
    if lang in ("fr", "es"):
        return [w for w in words if w.lower() in ENGLISH_WORDS and w not in PROPER_NAMES]
    return []


def foreign_texts(texts: list[str], lang: str) -> list[str]:
    """The texts containing a word of another language."""
    return [text for text in texts if foreign_words(text, lang)]
