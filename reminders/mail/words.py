"""Sentences the emails build in code: what to do now, field names, the subject lines.

Each text is an English gettext message id, marked with `N_` so that
``pybabel extract`` finds it; `reminders.i18n.gettext` translates it when a message is
composed. The sentences that only templates use live in ``templates/email``.

"What you can do now" is `reminders.take_part.ACTIONS`, the civil-society guide's ideas
for action that the pages' "How to take part" sections show too.
"""

from __future__ import annotations

from collections.abc import Mapping

from reminders import take_part
from reminders.states import MessageKind


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it here."""
    return message


def ngettext(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction (Babel knows the name `ngettext`).

    Translate with `reminders.i18n.ngettext(lang, *pair, count)`.
    """
    return (singular, plural)


REGISTRATION_CLOSED = N_(
    "Registration has closed. If you registered, look for the organisers' email with your "
    "accreditation and the access details."
)
#: "What you can do now": one catalogue with the pages' "How to take part".
ACTIONS = take_part.ACTIONS

CHECK_CHANGES = N_("Check the new details and update your plans, travel and registration.")
POSTPONED = N_("The event is postponed. We will write to you when a new date is announced.")
SUPERSEDED = N_(
    "This event will not be held as announced: another event has taken its place. The event "
    "page links to it."
)
CANCELLED = N_(
    "Nothing more is needed from you. If you registered or booked travel, contact the "
    "regional network."
)

#: Labels of the fields a change notice lists, old → new.
FIELD_LABELS: Mapping[str, str] = {
    "date": N_("Date"),
    "time": N_("Time"),
    "tz": N_("Time zone"),
    "place": N_("Place"),
    "modality": N_("Format"),
    "status": N_("Status"),
    "links": N_("Links"),
    "title": N_("Title"),
}
NONE = N_("(none)")

#: Subject of a message about one event, by what happened to it (`content.happened`);
#: ``%(title)s`` is the event's title. In a message with several sections each one
#: becomes a part of the subject: "Cancelled: …; moved: …".
SUBJECT_HAPPENED: Mapping[str, str] = {
    MessageKind.REMINDER.value: N_("Reminder: %(title)s, %(starts)s"),
    "deadline": N_("Deadline: %(title)s, closes %(starts)s"),
    MessageKind.EXPECTED.value: N_("Expected %(when)s, date not yet confirmed: %(title)s"),
    MessageKind.CONFIRMED.value: N_("Date confirmed: %(title)s, %(when)s"),
    "announced": N_("Date announced, not yet final: %(title)s, %(when)s"),
    "reported": N_("Date reported by others: %(title)s, %(when)s"),
    "moved": N_("Moved: %(title)s"),
    "postponed": N_("Postponed: %(title)s"),
    "changed": N_("Changed: %(title)s"),
    MessageKind.CANCELLED.value: N_("Cancelled: %(title)s"),
}
DEADLINE_SUBJECT_KEY = "deadline"
#: Subject (or part of it) about several events (``%(num)d``) in one section.
SUBJECT_MANY: Mapping[str, tuple[str, str]] = {
    MessageKind.REMINDER.value: ngettext(
        "Reminder: %(num)d upcoming event", "Reminder: %(num)d upcoming events"
    ),
    MessageKind.EXPECTED.value: ngettext(
        "%(num)d event expected, dates not yet confirmed",
        "%(num)d events expected, dates not yet confirmed",
    ),
    MessageKind.CONFIRMED.value: ngettext(
        "Dates confirmed for %(num)d event", "Dates confirmed for %(num)d events"
    ),
    "announced": ngettext(
        "Dates announced for %(num)d event, not yet final",
        "Dates announced for %(num)d events, not yet final",
    ),
    "reported": ngettext(
        "Dates reported by others for %(num)d event",
        "Dates reported by others for %(num)d events",
    ),
    MessageKind.CHANGE.value: ngettext("%(num)d event has changed", "%(num)d events have changed"),
    MessageKind.CANCELLED.value: ngettext("%(num)d event cancelled", "%(num)d events cancelled"),
}
SUBJECT_CONFIRM_SUBSCRIPTION = N_("Please confirm your subscription to GCM review reminders")
SUBJECT_MANAGE_LINK = N_("Your link to manage your GCM review reminders")

#: When an event starts, from the reader's point of view.
TODAY = N_("today")
TOMORROW = N_("tomorrow")
IN_DAYS = ngettext("in %(num)d day", "in %(num)d days")
IN_WEEKS = ngettext("in %(num)d week", "in %(num)d weeks")
IN_HOURS = ngettext("in %(num)d hour", "in %(num)d hours")
WITHIN_THE_HOUR = N_("in less than an hour")

#: The name of this list in the List-Id header and the sender's display name.
LIST_NAME = "GCM review reminders"
