"""The subject line of a message, built from its sections in the reader's language.

Pure, like `reminders.mail.content`, whose `Section`s it reads.
"""

from __future__ import annotations

from collections.abc import Sequence

from reminders.i18n import gettext, ngettext
from reminders.mail import words
from reminders.mail.content import Section
from reminders.states import MessageKind

#: Languages whose subject segments after the first start in lower case ("; moved: …").
_CASED = frozenset({"en", "fr", "es", "ru"})
#: Punctuation between subject segments where the script has its own semicolon.
_SEGMENT_JOINER = {"ar": "؛ ", "zh": "；"}


def _segment(section: Section, lang: str) -> str:
    if len(section.events) > 1:
        return ngettext(lang, *words.SUBJECT_MANY[section.kind], len(section.events))
    view = section.events[0]
    what = section.happened[0] if section.happened else section.kind
    if what == MessageKind.REMINDER and view.deadline:
        what = words.DEADLINE_SUBJECT_KEY
    return gettext(
        lang,
        words.SUBJECT_HAPPENED[what],
        title=str(view.title),
        starts=view.starts,
        when=view.period,
    )


def subject(found: Sequence[Section], lang: str) -> str:
    """The subject line: what happened, section by section ("Cancelled: …; moved: …").

    A section about one event names it; a section about several counts them.
    """
    parts = [_segment(section, lang) for section in found]
    if lang in _CASED:
        parts[1:] = [part[:1].lower() + part[1:] for part in parts[1:]]
    return _SEGMENT_JOINER.get(lang, "; ").join(parts)
