"""A small timeline for the feed tests: every `when` precision, every status, right-to-left
text, long multi-byte titles and the characters iCalendar must escape.

Independent of config/timeline.toml so that editing the shipped data never breaks them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from feeds import Timeline, parse_timeline
from feeds.publish import FeedSet
from feeds.revisions import Revision, advance

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
BASE_URL = "https://gcm.example.org"
HOST = "gcm.example.org"

LONG_TITLE = (
    "Consultation régionale élargie — 区域磋商与利益攸关方听证会 — "
    "مشاورة إقليمية موسعة مع أصحاب المصلحة 🎉 " * 3
).strip()

FIXTURE_TOML = r'''
[timeline]
name = "Fixture reviews"
default_language = "en"
default_tz = "Europe/Zurich"

[[regions]]
id = "asia-pacific"
tz = "Asia/Bangkok"
contact = "rnap@example.org"
url = "https://example.org/asia-pacific"
[regions.name]
en = "Asia and the Pacific"
fr = "Asie et Pacifique"
ar = "آسيا والمحيط الهادئ"
zh = "亚洲及太平洋"

[[regions]]
id = "arab-states"
tz = "Asia/Beirut"
contact = "Arab States team, c/o ESCWA; desk \\ 3"
url = "https://example.org/arab-states"
[regions.name]
en = "Arab States"
ar = "الدول العربية"

[[regions]]
id = "latin-america-caribbean"
tz = "America/Santiago"
contact = "lac@example.org"
url = "https://example.org/lac"
[regions.name]
en = "Latin America and the Caribbean"
es = "América Latina y el Caribe"

[[events]]
id = "ap-timed"
region = "asia-pacific"
kind = "multi-stakeholder-hearing"
when = "2024-03-11T08:30/10:00"
place = "Bangkok, UNCC"
modality = "hybrid"
[events.title]
en = "Asia-Pacific hearing"
fr = "Audition Asie-Pacifique"
zh = "亚太听证会"
[events.description]
en = """First line, with a comma; a semicolon \\ a backslash.
Second line."""

[[events]]
id = "ap-across-days"
region = "asia-pacific"
kind = "regional-review"
when = "2024-10-09T09:00/2024-10-10T17:00"
tz = "Europe/Zurich"
place = "Geneva"
modality = "in-person"
links = [
  { url = "https://example.org/review", label = "Review page" },
  { url = "https://example.org/bare" },
]
sources = ["https://example.org/source-1", "https://example.org/source-2"]
[events.title]
en = "Asia-Pacific review, Geneva session"

[[events]]
id = "lac-deadline"
region = "latin-america-caribbean"
kind = "registration-deadline"
when = "2024-03-01T23:59"
[events.title]
en = "Registration closes"
es = "Cierre de inscripciones"

[[events]]
id = "utc-briefing"
region = "global"
kind = "other"
when = "2024-02-05T13:00/14:00"
tz = "UTC"
modality = "online"
[events.title]
en = "Global briefing"

[[events]]
id = "ap-day"
region = "asia-pacific"
kind = "pre-consultation"
when = "2024-03-11"
[events.title]
en = "Asia-Pacific pre-consultation"

[[events]]
id = "ap-days"
region = "asia-pacific"
kind = "multi-stakeholder-consultation"
when = "2024-10-09..2024-10-10"
[events.title]
en = "Asia-Pacific consultation"

[[events]]
id = "arab-alternatives"
region = "arab-states"
kind = "pre-consultation"
when = "2024-03-08 or 2024-03-11"
[events.title]
en = "Arab States pre-consultation"
ar = "المشاورة التمهيدية للدول العربية"
[events.description]
ar = """مشاورة تمهيدية لأصحاب المصلحة، بالعربية والإنجليزية؛ التفاصيل لاحقاً.
سطر ثانٍ."""

[[events]]
id = "arab-week"
region = "arab-states"
kind = "discussion-space"
when = "week of 2024-11-03"
[events.title]
en = "Arab States discussion space"
ar = "فضاء النقاش للدول العربية"

[[events]]
id = "lac-month"
region = "latin-america-caribbean"
kind = "multi-stakeholder-consultation"
when = "2024-03"
[events.title]
en = "LAC consultation"
es = "Consulta ALC"

[[events]]
id = "lac-late"
region = "latin-america-caribbean"
kind = "regional-review"
when = "late 2024"
[events.title]
en = "Regional review"
es = "Examen regional"

[[events]]
id = "ap-quarter"
region = "asia-pacific"
kind = "gcm-talk"
when = "Q2 2025"
[events.title]
en = "GCM Talk"

[[events]]
id = "imrf-year"
region = "global"
kind = "imrf"
when = "2026"
[events.title]
en = "IMRF"

[[events]]
id = "ap-cancelled"
region = "asia-pacific"
kind = "gcm-talk"
when = "2024-05-10"
status = "cancelled"
[events.title]
en = "Talk on data"
fr = "Débat sur les données"

[[events]]
id = "ap-cancelled-long-ago"
region = "asia-pacific"
kind = "gcm-talk"
when = "2024-01-10"
status = "cancelled"
[events.title]
en = "Old talk"

[[events]]
id = "lac-postponed"
region = "latin-america-caribbean"
kind = "multi-stakeholder-hearing"
when = "2024-09"
status = "postponed"
[events.title]
en = "LAC hearing"

[[events]]
id = "arab-tentative"
region = "arab-states"
kind = "multi-stakeholder-hearing"
when = "2024-12-02"
status = "tentative"
[events.title]
en = "Arab States hearing"

[[events]]
id = "arab-long-title"
region = "arab-states"
kind = "other"
when = "2024-07-15"
place = "Beirut; UN House, \"Riad El Solh\""
[events.title]
en = "Title with, commas; semicolons \\ backslash\nand a newline"
ar = "LONG_TITLE"
'''.replace("LONG_TITLE", LONG_TITLE)


def fixture_timeline() -> Timeline:
    return parse_timeline(FIXTURE_TOML, "fixture")


def fixture_revisions(timeline: Timeline) -> dict[str, Revision]:
    return advance({}, timeline, datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))[0]


def fixture_feeds(now: datetime = NOW) -> FeedSet:
    timeline = fixture_timeline()
    return FeedSet(timeline, fixture_revisions(timeline), BASE_URL, now)
