"""What is next, at a glance: "Coming up" groups one stage in one window across regions,
marks cancelled and postponed events, leaves out overtaken announcements, and never
offers a cancelled event as a region's next; a region's past folds to its latest events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feeds import parse_timeline
from reminders.web.coming_up import ComingRow, Member, coming_up, list_joints
from reminders.web.timeline_view import Fold, LineItem, fold, region_item

TOML = """
[timeline]
name = "Coming"

[[regions]]
id = "africa"
tz = "UTC"
name = { en = "Africa", fr = "Afrique", ar = "أفريقيا" }

[[regions]]
id = "asia-pacific"
tz = "UTC"
name = { en = "Asia and the Pacific", fr = "Asie et Pacifique", ar = "آسيا والمحيط الهادئ" }

[[regions]]
id = "arab-states"
tz = "UTC"
name = { en = "Arab States", fr = "États arabes", ar = "الدول العربية" }

[[events]]
id = "africa-talk"
region = "africa"
kind = "gcm-talk"
when = "2027-03-02"
status = "cancelled"
title = { en = "Talk on data", fr = "Échange sur les données", ar = "حوار حول البيانات" }

[[events]]
id = "asia-pacific-review"
region = "asia-pacific"
kind = "regional-review"
when = "2028 .. early 2029"
status = "tentative"
title = { en = "Asia-Pacific review" }

[[events]]
id = "africa-review"
region = "africa"
kind = "regional-review"
when = "2028 .. early 2029"
status = "tentative"
title = { en = "Africa review" }

[[events]]
id = "arab-states-review"
region = "arab-states"
kind = "regional-review"
when = "2028 .. early 2029"
status = "tentative"
title = { en = "Arab States review" }

[[events]]
id = "arab-states-old-consultation"
region = "arab-states"
kind = "multi-stakeholder-consultation"
when = "2028-02"
status = "tentative"
superseded_by = "arab-states-review"
title = { en = "Arab States consultation as first announced" }

[[events]]
id = "asia-pacific-hearing"
region = "asia-pacific"
kind = "multi-stakeholder-hearing"
when = "2028-03"
status = "postponed"
title = { en = "Asia-Pacific hearing", fr = "Audition Asie-Pacifique", ar = "جلسة آسيا" }
"""

TIMELINE = parse_timeline(TOML)
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_coming_up_groups_one_window_across_regions_and_marks_status() -> None:
    assert coming_up(TIMELINE, "en", NOW, limit=8) == [
        ComingRow("Cancelled: Talk on data", "2 March 2027", "cancelled", "africa-talk", ()),
        ComingRow(
            "Regional review",
            "2028 to early 2029 (date to be confirmed)",
            "",
            "",
            (
                Member("africa-review", "Africa", ""),
                Member("asia-pacific-review", "Asia and the Pacific", ", "),
                Member("arab-states-review", "Arab States", " and "),
            ),
        ),
        ComingRow(
            "Postponed: Asia-Pacific hearing",
            "March 2028 (date to be confirmed)",
            "postponed",
            "asia-pacific-hearing",
            (),
        ),
    ]


def test_coming_up_in_french() -> None:
    assert coming_up(TIMELINE, "fr", NOW, limit=2) == [
        ComingRow(
            "Événement annulé : Échange sur les données",
            "2 mars 2027",
            "cancelled",
            "africa-talk",
            (),
        ),
        ComingRow(
            "Examen régional",
            "de 2028 à début 2029 (date à confirmer)",
            "",
            "",
            (
                Member("africa-review", "Afrique", ""),
                Member("asia-pacific-review", "Asie et Pacifique", ", "),
                Member("arab-states-review", "États arabes", " et "),
            ),
        ),
    ]


def test_coming_up_in_arabic() -> None:
    rows = coming_up(TIMELINE, "ar", NOW, limit=8)
    assert [(row.label, row.date, [(m.joint, m.name) for m in row.members]) for row in rows] == [
        ("تم الإلغاء: حوار حول البيانات", "2 آذار/مارس 2027", []),
        (
            "الاستعراض الإقليمي",
            "من عام 2028 إلى أوائل عام 2029 (التاريخ قيد التأكيد)",
            [("", "أفريقيا"), (" و", "آسيا والمحيط الهادئ"), (" و", "الدول العربية")],
        ),
        ("تم التأجيل: جلسة آسيا", "آذار/مارس 2028 (التاريخ قيد التأكيد)", []),
    ]


@pytest.mark.parametrize(
    ("lang", "joints"),
    [
        ("en", ("", ", ", ", ", " and ")),
        ("zh", ("", "、", "、", "和")),
        ("ru", ("", ", ", ", ", " и ")),
        ("en", ()),
    ],
)
def test_list_joints_follow_the_language(lang: str, joints: tuple[str, ...]) -> None:
    assert list_joints(len(joints), lang) == joints


def test_region_next_is_never_the_cancelled_event() -> None:
    africa = TIMELINE.region("africa")
    assert africa is not None
    item = region_item(africa, TIMELINE, "en", NOW)
    assert (item.next.id if item.next else None) == "africa-review"


def test_past_fold_lists_the_latest_and_counts_the_rest() -> None:
    events = list(TIMELINE.events)
    folded = fold(events, "en", datetime(2031, 1, 1, tzinfo=UTC), listed=2)
    talk, review = TIMELINE.events[:2]
    assert folded == Fold(
        (
            LineItem("africa-talk", talk.title_in("en"), "2 March 2027", "cancelled", "cancelled"),
            LineItem(
                "africa-review",
                review.title_in("en"),
                "2028 to early 2029 (date never confirmed)",
                "unconfirmed",
                "",
            ),
        ),
        6,
    )
    assert folded.earlier == 4
