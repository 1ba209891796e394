"""Public pages stay within the 60 KB page budget however long the timeline: with 1,000
events (the benchmarks' synthetic timeline: every `when` form, six-language texts), the
home page, every region page and event pages, in every language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bench.synthetic_timeline import synthetic_timeline
from feeds import LANGUAGES
from tests.integration.reminders.web.web_support import client_on

pytestmark = pytest.mark.anyio

PAGE_BUDGET = 60 * 1024
TODAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
REGIONS = (
    "africa",
    "arab-states",
    "asia-pacific",
    "europe-north-america",
    "latin-america-caribbean",
)
#: A shipped event with its change history, and a copy with the longest `when` form.
EVENTS = ("global-2026-imrf", "europe-north-america-2024-consultation-2-copy390")


@pytest.fixture
async def long_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with client_on(tmp_path, synthetic_timeline(1000), TODAY) as client:
        yield client


async def test_pages_of_a_1000_event_timeline_within_the_page_budget(
    long_client: httpx.AsyncClient,
) -> None:
    paths = ["/", *(f"/regions/{r}" for r in REGIONS), *(f"/events/{e}" for e in EVENTS)]
    answers = {}
    for path in paths:
        for lang in LANGUAGES:
            response = await long_client.get(path, params={"lang": lang})
            answers[f"{path}?lang={lang}"] = (response.status_code, len(response.content))

    over_budget = {page: size for page, (_, size) in answers.items() if size > PAGE_BUDGET}
    assert (over_budget, {status for status, _ in answers.values()}) == ({}, {200})
