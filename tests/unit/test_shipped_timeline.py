from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

from feeds import GLOBAL, LANGUAGES, Event, Kind, Status, Timeline, load_timeline
from feeds.when import When, alternatives, between, days, on_day, part_of_year, timed, year

SHIPPED = Path(__file__).resolve().parents[2] / "config" / "timeline.toml"

REGION_IDS = (
    "europe-north-america",
    "africa",
    "latin-america-caribbean",
    "arab-states",
    "asia-pacific",
)


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    return load_timeline(SHIPPED)


def event(timeline: Timeline, event_id: str) -> Event:
    found = timeline.event(event_id)
    assert found is not None, event_id
    return found


def facts(found: Event) -> tuple[str, Kind, When, str, Status]:
    return (found.region, found.kind, found.when, found.tz, found.status)


def test_regions_ids_zones_contacts_and_pages(timeline: Timeline) -> None:
    assert [(r.id, r.tz, r.contact, r.url) for r in timeline.regions] == [
        (
            "europe-north-america",
            "Europe/Zurich",
            "mignetUNECE@iom.int",
            "https://migrationnetwork.un.org/europe-and-north-america-2024",
        ),
        (
            "africa",
            "Africa/Addis_Ababa",
            # The guide's address is a person's, and its region uncertain: not shown.
            "",
            "https://migrationnetwork.un.org/africa2024",
        ),
        (
            "latin-america-caribbean",
            "America/Santiago",
            "SociedadCivilLAC@iom.int",
            "https://migrationnetwork.un.org/latin-america-and-caribbean-2024",
        ),
        (
            "arab-states",
            "Asia/Beirut",
            "gcmrrarabstates@iom.int",
            "https://migrationnetwork.un.org/arab-states-2024",
        ),
        (
            "asia-pacific",
            "Asia/Bangkok",
            "unrnap@iom.int",
            "https://migrationnetwork.un.org/asia-and-pacific-2024",
        ),
    ]


def test_region_names_in_all_six_languages(timeline: Timeline) -> None:
    assert {r.id: sorted(r.names) for r in timeline.regions} == {
        region_id: sorted(LANGUAGES) for region_id in REGION_IDS
    }
    europe = timeline.region("europe-north-america")
    assert europe is not None
    assert dict(europe.names) == {
        "en": "Europe and North America",
        "fr": "Europe et Amérique du Nord",
        "es": "Europa y América del Norte",
        "ar": "أوروبا وأمريكا الشمالية",
        "ru": "Европа и Северная Америка",
        "zh": "欧洲和北美",
    }


def test_arab_states_review_was_in_cairo_in_july_not_november(timeline: Timeline) -> None:
    review = event(timeline, "arab-states-2024-review")
    assert (*facts(review), str(review.announced)) == (
        "arab-states",
        Kind.REGIONAL_REVIEW,
        days(date(2024, 7, 3), date(2024, 7, 4)),
        "Africa/Cairo",
        Status.CONFIRMED,
        "week of 2024-11-03",
    )


def test_latin_america_caribbean_hearing_and_review_in_santiago(timeline: Timeline) -> None:
    hearing = event(timeline, "latin-america-caribbean-2024-hearing")
    review = event(timeline, "latin-america-caribbean-2024-review")
    assert [facts(hearing), facts(review)] == [
        (
            "latin-america-caribbean",
            Kind.HEARING,
            on_day(date(2025, 3, 18)),
            "America/Santiago",
            Status.CONFIRMED,
        ),
        (
            "latin-america-caribbean",
            Kind.REGIONAL_REVIEW,
            days(date(2025, 3, 19), date(2025, 3, 20)),
            "America/Santiago",
            Status.CONFIRMED,
        ),
    ]
    assert (str(hearing.announced), str(review.announced)) == ("2024-06", "2024-06")


def test_africa_review_in_addis_ababa(timeline: Timeline) -> None:
    assert facts(event(timeline, "africa-2024-review")) == (
        "africa",
        Kind.REGIONAL_REVIEW,
        days(date(2024, 10, 9), date(2024, 10, 10)),
        "Africa/Addis_Ababa",
        Status.CONFIRMED,
    )


def test_africa_dakar_consultation_carries_its_own_zone(timeline: Timeline) -> None:
    found = event(timeline, "africa-2024-dakar-consultation")
    assert (*facts(found), found.place("en")) == (
        "africa",
        Kind.CONSULTATION,
        days(date(2024, 9, 3), date(2024, 9, 4)),
        "Africa/Dakar",
        Status.CONFIRMED,
        "Dakar, Senegal",
    )


def test_asia_pacific_review_in_bangkok(timeline: Timeline) -> None:
    assert facts(event(timeline, "asia-pacific-2024-review")) == (
        "asia-pacific",
        Kind.REGIONAL_REVIEW,
        days(date(2025, 2, 4), date(2025, 2, 6)),
        "Asia/Bangkok",
        Status.CONFIRMED,
    )


def test_unece_hearing_and_review_are_timed_in_geneva(timeline: Timeline) -> None:
    hearing = event(timeline, "europe-north-america-2024-hearing")
    review = event(timeline, "europe-north-america-2024-review")
    assert [(*facts(e), e.place("en"), str(e.announced)) for e in (hearing, review)] == [
        (
            "europe-north-america",
            Kind.HEARING,
            timed(datetime(2024, 3, 11, 8, 30), datetime(2024, 3, 11, 10, 0)),
            "Europe/Zurich",
            Status.CONFIRMED,
            "Palais des Nations, Geneva",
            "2024-03-08 or 2024-03-11",
        ),
        (
            "europe-north-america",
            Kind.REGIONAL_REVIEW,
            timed(datetime(2024, 3, 11, 10, 0), datetime(2024, 3, 11, 18, 0)),
            "Europe/Zurich",
            Status.CONFIRMED,
            "Palais des Nations, Geneva",
            "2024-03-11",
        ),
    ]


def test_unece_discussion_space_window(timeline: Timeline) -> None:
    assert facts(event(timeline, "europe-north-america-2024-discussion-space")) == (
        "europe-north-america",
        Kind.DISCUSSION_SPACE,
        days(date(2024, 1, 18), date(2024, 2, 29)),
        "Europe/Zurich",
        Status.CONFIRMED,
    )


def test_imrf_2026_hearing_and_forum_in_new_york(timeline: Timeline) -> None:
    hearing = event(timeline, "global-2026-imrf-hearing")
    forum = event(timeline, "global-2026-imrf")
    assert [facts(hearing), facts(forum)] == [
        (GLOBAL, Kind.HEARING, on_day(date(2026, 5, 4)), "America/New_York", Status.CONFIRMED),
        (
            GLOBAL,
            Kind.IMRF,
            days(date(2026, 5, 5), date(2026, 5, 8)),
            "America/New_York",
            Status.CONFIRMED,
        ),
    ]


def test_every_region_expects_a_third_review_from_2028_into_early_2029(
    timeline: Timeline,
) -> None:
    third_round = [e for e in timeline.events if e.when.first_day.year == 2028]
    window = between(year(2028), part_of_year("early", 2029))
    assert sorted((e.region, e.kind, e.when, e.status) for e in third_round) == sorted(
        (region_id, Kind.REGIONAL_REVIEW, window, Status.TENTATIVE) for region_id in REGION_IDS
    )
    assert (window.first_day, window.last_day) == (date(2028, 1, 1), date(2029, 4, 30))


def test_imrf_2030_is_expected(timeline: Timeline) -> None:
    assert facts(event(timeline, "global-2030-imrf")) == (
        GLOBAL,
        Kind.IMRF,
        year(2030),
        "America/New_York",
        Status.TENTATIVE,
    )


def test_every_event_has_a_title_in_all_six_languages(timeline: Timeline) -> None:
    untranslated = {
        e.id: sorted(set(LANGUAGES) - {lang for lang, text in e.titles.items() if text.strip()})
        for e in timeline.events
    }
    assert {event_id: missing for event_id, missing in untranslated.items() if missing} == {}
    assert all(set(e.titles) == set(LANGUAGES) for e in timeline.events)


def test_every_event_has_an_english_description(timeline: Timeline) -> None:
    assert [e.id for e in timeline.events if not e.descriptions.get("en")] == []


def test_vague_events_known_to_have_happened_are_the_confirmed_ones(timeline: Timeline) -> None:
    vague = [e for e in timeline.events if not e.when.is_exact_day]
    assert sorted(e.id for e in vague if e.status is Status.CONFIRMED) == [
        # The sources disagree on the day (8 or 14 November 2023).
        "europe-north-america-2024-pre-consultation",
        # The Network's 2024 calendar lists the talks; one entry for the year.
        "global-2024-gcm-talks",
        # Held in February 2025; the days were never given.
        "latin-america-caribbean-2024-pre-consultations",
    ]


def test_seed_dates_that_were_never_confirmed_keep_the_seed_precision(timeline: Timeline) -> None:
    seed_only = {
        e.id: (e.when.format(), str(e.announced))
        for e in timeline.events
        if (e.status is Status.UNCONFIRMED or e.superseded_by) and e.announced
    }
    assert seed_only == {
        "africa-2024-pre-consultation": ("2024-03", "2024-03"),
        "africa-2024-consultation": ("2024-05", "2024-05"),
        "arab-states-2024-pre-consultation": ("2024-09", "2024-09"),
        "arab-states-2024-consultation": ("week of 2024-11-03", "week of 2024-11-03"),
        "asia-pacific-2024-pre-consultation-asia": ("late 2024", "late 2024"),
        "asia-pacific-2024-pre-consultation-pacific": ("late 2024", "late 2024"),
        "asia-pacific-2024-consultation": ("2025", "2025"),
    }
    assert event(timeline, "africa-2024-consultation").superseded_by == (
        "africa-2024-dakar-consultation"
    )


def test_announced_keeps_the_seed_dates(timeline: Timeline) -> None:
    assert {e.id: str(e.announced) for e in timeline.events if e.announced} == {
        "europe-north-america-2024-pre-consultation": "2023-11-08",
        "europe-north-america-2024-hearing": "2024-03-08 or 2024-03-11",
        "europe-north-america-2024-review": "2024-03-11",
        "africa-2024-pre-consultation": "2024-03",
        "africa-2024-consultation": "2024-05",
        "africa-2024-review": "2024-10",
        "latin-america-caribbean-2024-pre-consultations": "2024-04",
        "latin-america-caribbean-2024-hearing": "2024-06",
        "latin-america-caribbean-2024-review": "2024-06",
        "arab-states-2024-pre-consultation": "2024-09",
        "arab-states-2024-consultation": "week of 2024-11-03",
        "arab-states-2024-review": "week of 2024-11-03",
        "asia-pacific-2024-pre-consultation-asia": "late 2024",
        "asia-pacific-2024-pre-consultation-pacific": "late 2024",
        "asia-pacific-2024-consultation": "2025",
        "asia-pacific-2024-review": "2025",
    }


def test_every_event_cites_a_source(timeline: Timeline) -> None:
    assert [e.id for e in timeline.events if not e.sources] == []


def test_no_source_is_a_staging_print_or_translated_copy(timeline: Timeline) -> None:
    copies = re.compile(r"stage-|/print/|:80/|migrationnetwork\.un\.org/(?:zh-hant|ru|es|fr|ar)/")
    urls = [s.url for e in timeline.events for s in e.sources]
    assert [url for url in urls if copies.search(url)] == []


def test_events_known_only_from_reports_say_who_reported_them(timeline: Timeline) -> None:
    reported = {
        e.id: e.reporters("en")
        for e in timeline.events
        if e.reported_only and e.status is Status.CONFIRMED
    }
    assert reported == {
        "europe-north-america-2024-pre-consultation": [
            "Civil Society Action Committee",
            "Quaker United Nations Office (QUNO)",
        ],
        "europe-north-america-2024-consultation-2": ["Civil Society Action Committee"],
        "europe-north-america-2024-summary-report": ["Civil Society Action Committee"],
        "africa-2024-dakar-consultation": ["African Non-State Actors Platform"],
        "latin-america-caribbean-2024-pre-consultations": ["Red Jesuita con Migrantes"],
        "asia-pacific-2024-review": [
            "Viet Nam News",
            "BusinessGhana",
            "foreignaffairs.gov.fj",
        ],
        "global-2026-imrf-briefing": ["Global Cities Hub"],
        "global-2026-imrf-hearing": ["Global Cities Hub"],
        "global-2026-imrf": ["Global Cities Hub", "Civil Society Action Committee"],
    }


def test_europe_pre_consultation_keeps_both_announced_days(timeline: Timeline) -> None:
    found = event(timeline, "europe-north-america-2024-pre-consultation")
    assert found.when == alternatives(date(2023, 11, 8), date(2023, 11, 14))


def test_every_region_has_a_discussion_space(timeline: Timeline) -> None:
    spaces = timeline.select(kinds=[Kind.DISCUSSION_SPACE])
    hub = "https://migrationnetwork.un.org/hub/discussion-space/regionalreviews"
    assert sorted((e.region, e.status, e.when.format()) for e in spaces) == [
        ("africa", Status.UNCONFIRMED, "2024-08 .. 2024-10"),
        ("arab-states", Status.UNCONFIRMED, "2024-05 .. 2024-07"),
        ("asia-pacific", Status.UNCONFIRMED, "2024-12 .. 2025-02"),
        ("europe-north-america", Status.CONFIRMED, "2024-01-18..2024-02-29"),
        ("latin-america-caribbean", Status.UNCONFIRMED, "2025-01 .. 2025-03"),
    ]
    assert [e.id for e in spaces if e.status is Status.UNCONFIRMED and e.links[0].url != hub] == []


def test_every_hearing_and_review_says_how_to_register(timeline: Timeline) -> None:
    meetings = timeline.select(kinds=[Kind.HEARING, Kind.REGIONAL_REVIEW, Kind.IMRF])
    assert [e.id for e in meetings if e.registration is None] == []
    indico = "https://indico.un.org/event/1007071/overview"
    assert {
        e.id: e.registration.url
        for e in meetings
        if e.registration is not None and e.region == "europe-north-america" and e.registration.url
    } == {"europe-north-america-2024-hearing": indico, "europe-north-america-2024-review": indico}
    assert [e.id for e in meetings if e.registration and e.registration.deadline] == []


def test_gcm_talks_2024_offer_the_proposal_form(timeline: Timeline) -> None:
    talks = event(timeline, "global-2024-gcm-talks")
    assert (talks.kind, talks.when, talks.status, talks.links[0].url) == (
        Kind.GCM_TALK,
        year(2024),
        Status.CONFIRMED,
        "https://www.surveymonkey.com/r/HG8C92F",
    )


def test_every_region_has_a_second_round_review(timeline: Timeline) -> None:
    reviews = timeline.select(kinds=[Kind.REGIONAL_REVIEW])
    assert sorted(e.id for e in reviews if e.when.first_day.year < 2028) == sorted(
        f"{region_id}-2024-review" for region_id in REGION_IDS
    )
