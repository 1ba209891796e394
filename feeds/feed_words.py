"""Words the calendar feeds print besides the date labels (translated in `feeds.catalogs`).

Status markers lead the SUMMARY because most clients show nothing else of a STATUS
(Google even hides cancelled entries), and the labels head the DESCRIPTION lines.
"""

from __future__ import annotations

from feeds.catalogs import N_, pgettext

CANCELLED_MARKER = pgettext("summary", "Cancelled: %(title)s")
POSTPONED_MARKER = pgettext("summary", "Postponed: %(title)s")
#: After an exact-day event whose organisers have not confirmed it yet.
TENTATIVE_NOTE = pgettext("summary", "%(title)s (tentative)")
#: A vague date in the SUMMARY: "Regional review — late 2024 (date to be confirmed)".
TITLE_AND_DATE = pgettext("summary", "%(title)s — %(date)s")

POSSIBLE_DATES = N_("Possible dates: %(dates)s")
STATUS_LINE = N_("Status: %(status)s")
WHERE = N_("Where: %(place)s")
#: LOCATION: a place and how to attend, "Geneva (hybrid)".
PLACE_AND_MODALITY = N_("%(place)s (%(modality)s)")
CONTACT = N_("Contact: %(contact)s")
LINKS = N_("Links:")
SOURCES = N_("Sources:")
EVENT_PAGE = N_("Event page: %(url)s")
#: The time zone of a timed event, after its date: "(Geneva time, UTC+1)".
IN_ZONE = N_("%(date)s (%(zone)s)")

CALENDAR_NAME = N_("GCM regional reviews")
#: A calendar's whole name, also what Outlook shows: "GCM regional reviews — Africa".
CALENDAR_NAME_FOR = N_("%(calendar)s — %(where)s")
ALL_REGIONS = N_("all regions")
CALENDAR_DESCRIPTION = N_(
    "Dates of the Global Compact for Migration regional reviews: consultations, "
    "hearings and deadlines. Dates not fixed yet are marked “(date to be confirmed)”."
)

#: Lead the SUMMARY of an announcement that did not happen as announced (`feeds.lapse`).
SUPERSEDED_MARKER = pgettext("summary", "Not held as announced: %(title)s")
NEVER_CONFIRMED_MARKER = pgettext("summary", "Never confirmed: %(title)s")
OVERTAKEN_BY = N_("Overtaken by: %(url)s")
REGISTRATION = N_("Registration and accreditation: %(url)s")
REGISTRATION_DEADLINE = N_("Registration deadline: %(date)s")
DEADLINE_NOT_PUBLISHED = pgettext("deadline", "not published")
