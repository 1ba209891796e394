"""`gcmcal import` on exports laid out as Indico writes them (indico/modules/events/ical.py):
PRODID -//CERN//INDICO//EN, UID indico-event-<id>@<host>, UTC DTSTART/DTEND, the label
in brackets in SUMMARY, URL, LOCATION "room (venue)", contributions with RELATED-TO."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner, Result

from feeds import load_timeline
from reminders.cli import main

TIMELINE = """
[timeline]
name = "Import test"

[[regions]]
id = "europe-north-america"
tz = "Europe/Zurich"
name = { en = "Europe and North America" }

[[regions]]
id = "asia-pacific"
tz = "Asia/Bangkok"
name = { en = "Asia and the Pacific" }

[[events]]
id = "europe-2024-review"
region = "europe-north-america"
kind = "regional-review"
when = "2024-03"
place = "Palais des Nations, Geneva"
links = [{ url = "https://indico.un.org/event/1007071", label = "Registration" }]
title = { en = "Europe regional review" }

[[events]]
id = "asia-2025-review"
region = "asia-pacific"
kind = "regional-review"
when = "2025-02-04T09:00/2025-02-06T17:30"
place = "UNCC (Bangkok)"
external_uids = ["indico-event-2000@indico.un.org"]
title = { en = "Asia-Pacific regional review" }
"""


def indico_event(
    number: int, title: str, start: datetime, end: datetime, room: str, venue: str
) -> icalendar.Event:
    """A VEVENT as Indico's generate_event_component builds it."""
    component = icalendar.Event()
    component.add("dtstamp", datetime(2024, 2, 1, 8, 0, tzinfo=UTC))
    component.add("dtstart", start)
    component.add("dtend", end)
    component.add("summary", title)
    component.add("uid", f"indico-event-{number}@indico.un.org")
    url = f"https://indico.un.org/event/{number}/"
    component.add("url", url)
    component.add("location", f"{room} ({venue})")
    component.add("description", f"Speakers: A. Speaker (IOM)\n\nThe programme.\n\n{url}")
    component.add("contact", "mignet@example.org")
    return component


def indico_export(*events: icalendar.Event) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//CERN//INDICO//EN")
    for event in events:
        calendar.add_component(event)
    contribution = icalendar.Event()
    contribution.add("dtstamp", datetime(2024, 2, 1, 8, 0, tzinfo=UTC))
    contribution.add("dtstart", datetime(2024, 3, 11, 9, 0, tzinfo=UTC))
    contribution.add("dtend", datetime(2024, 3, 11, 10, 0, tzinfo=UTC))
    contribution.add("summary", "Opening session")
    contribution.add("uid", "indico-contribution-55@indico.un.org")
    contribution.add("related-to", "indico-event-1007071@indico.un.org")
    calendar.add_component(contribution)
    return calendar.to_ical()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    timeline = tmp_path / "timeline.toml"
    timeline.write_text(TIMELINE, encoding="utf-8")
    export = tmp_path / "events.ics"
    export.write_bytes(
        indico_export(
            indico_event(
                1007071,
                "Regional Review of the GCM in Europe and North America",
                datetime(2024, 3, 11, 9, 0, tzinfo=UTC),
                datetime(2024, 3, 11, 17, 0, tzinfo=UTC),
                "Room XVIII",
                "Palais des Nations",
            ),
            indico_event(
                2000,
                "Asia-Pacific Regional Review [Postponed]",
                datetime(2025, 2, 4, 2, 0, tzinfo=UTC),
                datetime(2025, 2, 6, 10, 30, tzinfo=UTC),
                "UNCC",
                "Bangkok",
            ),
            indico_event(
                3100,
                "Multi-stakeholder hearing: Asia and the Pacific",
                datetime(2025, 2, 3, 3, 0, tzinfo=UTC),
                datetime(2025, 2, 3, 9, 0, tzinfo=UTC),
                "Room B",
                "UNCC",
            ),
        )
    )
    return timeline, export


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"GCMCAL_DATABASE_URL": "sqlite://"})


def test_import_indico_export_suggests_changes_and_blocks(files: tuple[Path, Path]) -> None:
    timeline, export = files
    before = timeline.read_bytes()

    result = run("import", str(export), "--timeline", str(timeline), "--region", "asia-pacific")

    assert (result.exit_code, result.output.splitlines()) == (
        0,
        [
            f"{export}: 3 events, 2 matched, 1 new, 1 contributions or sessions left out. "
            "The timeline was not changed.",
            "",
            "europe-2024-review (matched by URL https://indico.un.org/event/1007071/):",
            '  when = "2024-03-11T10:00/18:00"  # now: 2024-03',
            '  place = "Room XVIII (Palais des Nations)"  # now: Palais des Nations, Geneva',
            '  external_uids = ["indico-event-1007071@indico.un.org"]  # now: (none)',
            "",
            "asia-2025-review (matched by UID indico-event-2000@indico.un.org):",
            '  status = "postponed"  # now: confirmed',
            '  links = [{ url = "https://indico.un.org/event/2000/", label = "Indico" }]'
            "  # now: (none)",
            "",
            "# New events: check region, kind and id, then paste into the timeline.",
            "",
            "[[events]]",
            'id = "asia-pacific-2025-multi-stakeholder-hearing-asia-and-the"',
            'region = "asia-pacific"',
            'kind = "multi-stakeholder-hearing"  # check',
            'when = "2025-02-03T10:00/16:00"',
            'tz = "Asia/Bangkok"',
            'place = "Room B (UNCC)"',
            'sources = ["https://indico.un.org/event/3100/"]',
            'links = [{ url = "https://indico.un.org/event/3100/", label = "Indico" }]',
            'external_uids = ["indico-event-3100@indico.un.org"]',
            'title = { en = "Multi-stakeholder hearing: Asia and the Pacific" }',
        ],
    )
    assert timeline.read_bytes() == before


def test_import_suggested_block_loads_as_timeline(files: tuple[Path, Path], tmp_path: Path) -> None:
    timeline, export = files
    result = run("import", str(export), "--timeline", str(timeline), "--region", "asia-pacific")
    block = result.output.split("paste into the timeline.\n\n", 1)[1]

    pasted = tmp_path / "pasted.toml"
    pasted.write_text(TIMELINE + "\n" + block, encoding="utf-8")

    added = load_timeline(pasted).event("asia-pacific-2025-multi-stakeholder-hearing-asia-and-the")
    assert (added.when.format(), added.external_uids) == (  # type: ignore[union-attr]
        "2025-02-03T10:00/16:00",
        ("indico-event-3100@indico.un.org",),
    )


def test_import_not_a_calendar_says_so(tmp_path: Path, files: tuple[Path, Path]) -> None:
    timeline, _ = files
    bad = tmp_path / "bad.ics"
    bad.write_text("hello", encoding="utf-8")

    result = run("import", str(bad), "--timeline", str(timeline))

    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bad}: not an iCalendar file")


def test_import_unknown_region_names_the_option(files: tuple[Path, Path]) -> None:
    timeline, export = files

    result = run("import", str(export), "--timeline", str(timeline), "--region", "mars")

    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: --region: no region 'mars'; use one of europe-north-america, asia-pacific"
    )
