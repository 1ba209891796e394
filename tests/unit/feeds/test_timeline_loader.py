from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from feeds import Kind, Status, TimelineError, parse_timeline
from feeds import when as w
from feeds.loader import Problem
from feeds.when import FORMS_HELP
from reminders.cli import main

VALID = """
[timeline]
name = "Test round"

[[regions]]
id = "europe"
tz = "Europe/Zurich"
contact = "mignet@example.org"
url = "https://example.org/europe"
name = { en = "Europe", fr = "Europe" }

[[events]]
id = "europe-review"
region = "europe"
kind = "regional-review"
when = "2024-03-11T10:00/18:00"
title = { en = "Regional review", fr = "Examen régional" }
place = "Palais des Nations, Geneva"
modality = "hybrid"
sources = ["https://example.org/source"]

[[events]]
id = "europe-pre"
region = "europe"
kind = "pre-consultation"
when = "2023-11"
status = "tentative"
announced = "2023-11"
title = { en = "Pre-consultation" }

[[events]]
id = "imrf"
region = "global"
kind = "imrf"
when = "2026-05-05..2026-05-08"
tz = "America/New_York"
title = { en = "IMRF" }
"""

BROKEN = """
[timeline]
name = "Broken"

[[regions]]
id = "europe"
tz = "Europe/Geneva"
name = { en = "Europe" }

[[events]]
id = "a"
region = "atlantis"
kind = "regional-review"
when = "2024-03-11"
title = { en = "A" }

[[events]]
id = "a"
region = "europe"
kind = "hearing"
when = "2024-03-12"
title = { en = "A again" }

[[events]]
id = "b"
region = "europe"
kind = "other"
when = "next spring"
title = { fr = "Seulement en français" }
sources = ["ftp://example.org/x"]

[[events]]
id = "c"
region = "europe"
kind = "other"
when = "2024-10-10..2024-10-09"
tz = "Mars/Olympus"
titel = { en = "Typo" }

[[events]]
region = "europe"
kind = "other"
when = "2024"
title = { en = "No id" }
"""


def test_valid_timeline_gives_events_in_start_order() -> None:
    timeline = parse_timeline(VALID)
    assert [event.id for event in timeline.events] == ["europe-pre", "europe-review", "imrf"]
    review = timeline.event("europe-review")
    assert review is not None
    assert (review.kind, review.status, review.tz, review.when) == (
        Kind.REGIONAL_REVIEW,
        Status.CONFIRMED,
        "Europe/Zurich",
        w.parse("2024-03-11T10:00/18:00"),
    )
    assert review.starts_at == datetime(2024, 3, 11, 10, tzinfo=ZoneInfo("Europe/Zurich"))
    pre = timeline.event("europe-pre")
    assert pre is not None
    assert (pre.when, pre.announced, pre.title("fr")) == (
        w.month(2023, 11),
        w.month(2023, 11),
        "Pre-consultation",  # falls back to the default language
    )
    imrf = timeline.event("imrf")
    assert imrf is not None
    assert (imrf.tz, imrf.when.last_day) == ("America/New_York", date(2026, 5, 8))
    assert [e.id for e in timeline.select(regions=["europe"], kinds=[Kind.IMRF])] == ["imrf"]


def test_broken_timeline_lists_every_problem_with_place_and_field() -> None:
    with pytest.raises(TimelineError) as caught:
        parse_timeline(BROKEN, "broken.toml")
    assert caught.value.problems == [
        Problem("event a", "id", "used by 2 events"),
        Problem(
            "region europe",
            "tz",
            "unknown time zone 'Europe/Geneva' (use an IANA name like Europe/Zurich)",
        ),
        Problem("event a", "region", "unknown region 'atlantis'"),
        Problem(
            "event a",
            "kind",
            "'hearing' is not one of 'pre-consultation', 'multi-stakeholder-consultation', "
            "'multi-stakeholder-hearing', 'registration-deadline', 'discussion-space', "
            "'gcm-talk', 'regional-review', 'imrf' or 'other'",
        ),
        Problem("event b", "title.en", "title in the default language is missing"),
        Problem("event b", "when", f"cannot read 'next spring': {FORMS_HELP}"),
        Problem("event b", "sources.0", "'ftp://example.org/x' is not an http(s) URL"),
        Problem("event c", "title", "required field is missing"),
        Problem("event c", "titel", "unknown field (misspelt?)"),
        Problem("event #5", "id", "required field is missing"),
    ]


def test_end_before_start_and_unknown_zone_are_reported_per_field() -> None:
    text = VALID.replace('when = "2023-11"', 'when = "2024-10-10..2024-10-09"').replace(
        'status = "tentative"', 'status = "tentative"\ntz = "Mars/Olympus"'
    )
    with pytest.raises(TimelineError) as caught:
        parse_timeline(text)
    assert caught.value.problems == [
        Problem(
            "event europe-pre",
            "tz",
            "unknown time zone 'Mars/Olympus' (use an IANA name like Europe/Zurich)",
        ),
        Problem(
            "event europe-pre",
            "when",
            "cannot read '2024-10-10..2024-10-09': end before start: 2024-10-09 is not after "
            "2024-10-10",
        ),
    ]


def test_toml_syntax_error_names_the_line() -> None:
    with pytest.raises(TimelineError) as caught:
        parse_timeline('[[events]]\nid = "x\n')
    assert caught.value.problems == [Problem("file", "line 2, column 8", "Illegal character '\\n'")]


def test_check_command_prints_summary_for_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "timeline.toml"
    path.write_text(VALID, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Test round: 1 regions, 3 events"
    assert lines[1:7] == [
        "  Europe (europe): 2 events",
        "    Pre-consultation: 1",
        "    Regional review: 1",
        "  Global (global): 1 events",
        "    International Migration Review Forum: 1",
        lines[6],
    ]
    assert lines[6].startswith("Next: ")


def test_check_command_lists_problems_and_exits_non_zero(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert result.output.splitlines()[:3] == [
        f"{path}: 10 problem(s)",
        "  event a: id: used by 2 events",
        "  region europe: tz: unknown time zone 'Europe/Geneva' (use an IANA name like "
        "Europe/Zurich)",
    ]
    assert "Traceback" not in result.output


def test_check_command_reports_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(tmp_path / "nope.toml")])
    assert result.exit_code == 1
    missing = tmp_path / "nope.toml"
    assert result.output.startswith(f"{missing}: 1 problem(s)\n  file: path: cannot read")


@pytest.mark.parametrize(
    ("region_id", "message"),
    [
        ("all", "'all' is reserved (feeds and URLs use it)"),
        ("global", "'global' is reserved (feeds and URLs use it)"),
        ("Europe West", "use lowercase letters, digits and hyphens (at most 100)"),
    ],
)
def test_region_id_must_be_a_free_slug(region_id: str, message: str) -> None:
    text = VALID.replace('id = "europe"', f'id = "{region_id}"').replace(
        'region = "europe"', f'region = "{region_id}"'
    )
    with pytest.raises(TimelineError) as caught:
        parse_timeline(text)
    assert caught.value.problems[0] == Problem(f"region {region_id}", "id", message)


def test_malformed_source_url_is_a_problem_not_a_crash() -> None:
    text = VALID.replace('sources = ["https://example.org/source"]', 'sources = ["https://[x"]')
    with pytest.raises(TimelineError) as caught:
        parse_timeline(text)
    assert caught.value.problems == [
        Problem("event europe-review", "sources.0", "'https://[x' is not an http(s) URL")
    ]


TRANSLATED = """
[timeline]
name = "Test round"

[[regions]]
id = "europe"
tz = "Europe/Zurich"
name = { en = "Europe", fr = "Europe", es = "Europa", ar = "أوروبا", ru = "Европа", zh = "欧洲" }

[[events]]
id = "europe-review"
region = "europe"
kind = "regional-review"
when = "2024-03-11"
announced = "week of 2024-11-03"
place = { en = "Geneva", fr = "Genève", es = "Ginebra", ar = "جنيف", ru = "Женева" }
links = [{ url = "https://example.org/r", label = "Registration" }]
[events.title]
en = "Review"
fr = "Examen"
es = "Examen"
ar = "استعراض"
ru = "Обзор"
zh = "审议"
"""


def test_plain_string_texts_are_the_default_language() -> None:
    review = parse_timeline(TRANSLATED).event("europe-review")
    assert review is not None
    assert (
        dict(review.places),
        [dict(link.labels) for link in review.links],
        review.announced,
    ) == (
        {"en": "Geneva", "fr": "Genève", "es": "Ginebra", "ar": "جنيف", "ru": "Женева"},
        [{"en": "Registration"}],
        w.week_of(date(2024, 11, 3)),
    )


def test_fallback_text_is_marked_with_its_language() -> None:
    review = parse_timeline(TRANSLATED).event("europe-review")
    assert review is not None
    assert [
        (review.place_in("zh").__html__(), review.place_in("fr").__html__()),
        (review.links[0].label("ar").__html__(), review.links[0].label("en").__html__()),
    ] == [
        ('<span lang="en" dir="ltr">Geneva</span>', "Genève"),
        ('<span lang="en" dir="ltr">Registration</span>', "Registration"),
    ]


def test_check_command_warns_per_missing_translation(tmp_path: Path) -> None:
    path = tmp_path / "timeline.toml"
    path.write_text(TRANSLATED, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert (result.exit_code, result.stderr.splitlines()) == (
        0,
        [
            "warning: event europe-review: place.zh: no translation (readers see another language)",
            *(
                f"warning: event europe-review: links.0.label.{lang}: no translation (readers "
                "see another language)"
                for lang in ("fr", "es", "ar", "ru", "zh")
            ),
        ],
    )


def test_check_command_strict_fails_on_warnings(tmp_path: Path) -> None:
    path = tmp_path / "timeline.toml"
    path.write_text(TRANSLATED, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--strict", str(path)])
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        1,
        f"{path}: 6 warning(s), failing (--strict)",
    )


def test_unreadable_announced_date_names_its_field() -> None:
    with pytest.raises(TimelineError) as caught:
        parse_timeline(TRANSLATED.replace("week of 2024-11-03", "first week of November"))
    assert caught.value.problems == [
        Problem(
            "event europe-review",
            "announced",
            f"cannot read 'first week of November': {FORMS_HELP}",
        )
    ]
