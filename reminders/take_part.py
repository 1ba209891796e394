"""What to do before each stage of the reviews: the civil-society guide's ideas for action.

One catalogue for both readers: the reminder emails ("What you can do now") and the
pages ("How to take part" on every region and event page). Each text is an English
gettext message id marked with `N_`; both gettext domains extract this module
(``config/babel.cfg`` for emails, ``config/babel-web.cfg`` for pages).

The ideas follow the guide "Migration Justice" (QUNO, December 2023): take part in
pre-consultations; register early, accreditation is needed; prepare input for the
discussion spaces; propose a GCM Talk; organise side events or briefings; follow up on
the pledges made at the IMRF.
"""

from __future__ import annotations

from collections.abc import Mapping

from feeds.vocabulary import Kind


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it here."""
    return message


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
REPRESENTATION = N_(
    "Share this date with migrant-led organisations and networks, so that migrants are represented."
)
CHECK_PAGE = N_("Check the regional page for the details and the next steps.")

#: What to do before an event of each kind (reminders, notices, and every event page).
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
