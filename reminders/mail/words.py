"""Sentences the emails build in code: what to do now, field names, the subject lines.

Each text is an English gettext message id, marked with `N_` so that
``pybabel extract`` finds it; `reminders.i18n.gettext` translates it when a message is
composed. The sentences that only templates use live in ``templates/email``.

"What to do now" follows the civil-society guide's "Ideas for action" for each stage of
the regional reviews (register early, accreditation is needed; prepare input for the
discussion space; propose a GCM Talk; organise side events or briefings; take part in
pre-consultations; follow up on pledges).
"""

from __future__ import annotations

from collections.abc import Mapping

from feeds.wording import Kind
from reminders.states import MessageKind


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it here."""
    return message


def ngettext(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction (Babel knows the name `ngettext`).

    Translate with `reminders.i18n.ngettext(lang, *pair, count)`.
    """
    return (singular, plural)


REGISTER = N_(
    "Register to take part. Accreditation will be needed: the organisers publish the "
    "details closer to the date."
)
PREPARE = N_(
    "Prepare the priorities you want to raise, with examples from your work and your community."
)
SIDE_EVENT = N_(
    "Organise a side event or a virtual briefing on a priority issue, during the meeting "
    "or before it."
)
PLEDGES = N_(
    "Follow up on the pledges made at the International Migration Review Forum and ask "
    "for accountability."
)
PRE_CONSULTATION = N_(
    "Take part in the pre-consultation: it shapes the format and the themes of the review."
)
SUBMIT_INPUT = N_(
    "Prepare and submit written input to the Discussion Space: your reports, information "
    "and perspectives."
)
JOIN_DISCUSSION = N_("Join the online discussion to draw attention to your input.")
FOLLOW_POSTS = N_("Follow what governments and other stakeholders post there.")
PROPOSE_TALK = N_(
    "Suggest a topic and an outline for a GCM Talk on a priority issue, in contact with "
    "the Regional Network and the Network Secretariat."
)
JOIN_TALK = N_("Take part in the GCM Talk and raise your priority issues where they fit the topic.")
DEADLINE = N_("Register before the deadline. Accreditation will be needed.")
REGISTRATION_CLOSED = N_(
    "Registration has closed. If you registered, look for the organisers' email with your "
    "accreditation and the access details."
)
REPRESENTATION = N_(
    "Share this date with migrant-led organisations and networks, so that migrants are represented."
)
CHECK_PAGE = N_("Check the regional page for the details and the next steps.")

#: What to do before an event of each kind (reminders, expected and confirmed notices).
ACTIONS: Mapping[Kind, tuple[str, ...]] = {
    Kind.PRE_CONSULTATION: (PRE_CONSULTATION, PREPARE, REPRESENTATION),
    Kind.CONSULTATION: (REGISTER, PREPARE, SIDE_EVENT),
    Kind.HEARING: (REGISTER, PREPARE, SIDE_EVENT),
    Kind.REGISTRATION_DEADLINE: (DEADLINE, PREPARE),
    Kind.DISCUSSION_SPACE: (SUBMIT_INPUT, JOIN_DISCUSSION, FOLLOW_POSTS),
    Kind.GCM_TALK: (PROPOSE_TALK, JOIN_TALK),
    Kind.REGIONAL_REVIEW: (REGISTER, PREPARE, SIDE_EVENT, PLEDGES),
    Kind.IMRF: (REGISTER, SIDE_EVENT, PLEDGES),
    Kind.OTHER: (CHECK_PAGE, REPRESENTATION),
}

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
