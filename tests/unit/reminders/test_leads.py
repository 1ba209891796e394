from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reminders.leads import DEFAULT, OFFERED, Lead, LeadError, parse_lead, parse_leads


def test_parse_lead_offered_codes() -> None:
    assert [parse_lead(code) for code in ("8w", "3w", "1w", "1d", "1h")] == [
        Lead(8, "w"),
        Lead(3, "w"),
        Lead(1, "w"),
        Lead(1, "d"),
        Lead(1, "h"),
    ]


def test_parse_lead_any_count_and_case() -> None:
    assert (parse_lead(" 10D "), parse_lead("36h"), parse_lead("52W")) == (
        Lead(10, "d"),
        Lead(36, "h"),
        Lead(52, "w"),
    )


@pytest.mark.parametrize("code", ["", "w", "0d", "-1d", "1m", "1.5d", "1 d", "1dd", "53w", "d1"])
def test_parse_lead_rejects_non_leads(code: str) -> None:
    with pytest.raises(LeadError):
        parse_lead(code)


def test_lead_day_based_units() -> None:
    assert [(lead.is_day_based, lead.days, lead.delta) for lead in OFFERED] == [
        (True, 56, timedelta(weeks=8)),
        (True, 21, timedelta(weeks=3)),
        (True, 7, timedelta(weeks=1)),
        (True, 1, timedelta(days=1)),
        (False, 0, timedelta(hours=1)),
    ]


def test_parse_leads_longest_first_without_duplicates() -> None:
    assert parse_leads(["1h", "1d", "3w", "1d", "24h", "7d", "1w"]) == (
        Lead(3, "w"),
        Lead(1, "w"),
        Lead(7, "d"),
        Lead(1, "d"),
        Lead(24, "h"),
        Lead(1, "h"),
    )


def test_default_leads_offered() -> None:
    assert set(DEFAULT) <= set(OFFERED)
    assert [lead.code for lead in DEFAULT] == ["3w", "1d"]


@given(st.integers(1, 52), st.sampled_from(["w", "d", "h"]))
def test_lead_code_round_trip(count: int, unit: str) -> None:
    lead = parse_lead(f"{count}{unit}")
    assert parse_lead(lead.code) == lead
    assert lead.code == f"{count}{unit}"
