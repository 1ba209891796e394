"""Every page and feed of the shipped timeline, exported in each language, is in that
language: no text in another one besides proper names, addresses and fallbacks marked
with their own ``lang`` (which feeds cannot mark, so feeds must have none)."""

from __future__ import annotations

import shutil
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from feeds import load_timeline, missing_translations
from feeds.vocabulary import LANGUAGES
from reminders.cli import main
from tests.support.language_check import foreign_texts, visible_texts

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
_FEED_TEXT = ("SUMMARY", "LOCATION", "DESCRIPTION", "CATEGORIES", "X-WR-CALNAME", "X-WR-CALDESC")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("site")
    timeline = tmp / "timeline.toml"
    shutil.copy(ROOT / "config" / "timeline.toml", timeline)
    env = {
        "GCMCAL_TIMELINE": str(timeline),
        "GCMCAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'db.sqlite3'}",
        "GCMCAL_BASE_URL": "https://gcm.example.org",
    }
    result = CliRunner(env=env).invoke(main, ["export", str(tmp / "out")])
    assert result.exit_code == 0, result.output
    return tmp / "out"


def _feed_texts(body: bytes) -> list[str]:
    texts: list[str] = []
    calendar = icalendar.Calendar.from_ical(body)
    for component in calendar.walk():
        for name in _FEED_TEXT:
            value = component.get(name)
            if value is None:
                continue
            if hasattr(value, "cats"):
                texts += [str(item) for item in value.cats]
            else:
                texts += [line for line in str(value).splitlines() if line.strip()]
    return texts


def texts_in_another_language(site: Path, lang: str) -> dict[str, list[str]]:
    """Per exported file of `lang`: the texts that contain another language."""
    found: dict[str, list[str]] = {}
    for page in sorted((site / lang).rglob("*.html")):
        if bad := foreign_texts(visible_texts(page.read_text(encoding="utf-8"), lang), lang):
            found[str(page.relative_to(site))] = bad
    for feed in sorted(
        [*(site / "feeds" / lang).glob("*.ics"), *(site / "events" / lang).glob("*.ics")]
    ):
        if bad := foreign_texts(_feed_texts(feed.read_bytes()), lang):
            found[str(feed.relative_to(site))] = bad
    return found


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_page_and_feed_wholly_in_its_language(site: Path, lang: str) -> None:
    assert texts_in_another_language(site, lang) == {}


def test_shipped_timeline_has_every_translation() -> None:
    timeline = load_timeline(ROOT / "config" / "timeline.toml")
    assert [str(problem) for problem in missing_translations(timeline)] == []


def test_check_strict_passes_on_the_shipped_timeline() -> None:
    result = CliRunner().invoke(main, ["check", "--strict", str(ROOT / "config" / "timeline.toml")])
    assert (result.exit_code, result.stderr) == (0, "")
