"""The running service: pages, feeds, and edits of the timeline file while it runs."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import icalendar
import pytest
from click.testing import CliRunner

from feeds.vocabulary import LANGUAGES, Kind
from reminders.cli import main
from reminders.service import Service
from reminders.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def timeline_file(tmp_path: Path) -> Path:
    path = tmp_path / "timeline.toml"
    shutil.copy(ROOT / "config" / "timeline.toml", path)
    return path


def _settings(tmp_path: Path, timeline_file: Path) -> Settings:
    return Settings(
        timeline=timeline_file,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        base_url="https://gcm.example.org",
        outbox=tmp_path / "outbox",
    )


@asynccontextmanager
async def _opened(tmp_path: Path, timeline_file: Path, **changes: Any) -> AsyncIterator[Service]:
    """A service on the copied timeline with these settings changed, open until exit."""
    settings = _settings(tmp_path, timeline_file).model_copy(update=changes)
    service = Service.create(settings, Clock(NOW))
    await service.open()
    try:
        yield service
    finally:
        await service.close()


@pytest.fixture
async def service(tmp_path: Path, timeline_file: Path) -> AsyncIterator[Service]:
    async with _opened(tmp_path, timeline_file) as opened:
        yield opened


def _client(service: Service) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=service.asgi()), base_url="https://gcm.example.org"
    )


def _sequences(body: bytes) -> dict[str, int]:
    calendar = icalendar.Calendar.from_ical(body)
    return {
        str(event["UID"]).split("@")[0]: int(event["SEQUENCE"]) for event in calendar.walk("VEVENT")
    }


@pytest.mark.anyio
async def test_editing_the_file_bumps_sequence_of_exactly_the_changed_event(
    service: Service, timeline_file: Path
) -> None:
    async with _client(service) as client:
        first = await client.get("/feeds/africa.ics")
        assert first.status_code == 200
        before = _sequences(first.content)
        assert set(before.values()) == {0}

        unchanged = await client.get(
            "/feeds/africa.ics", headers={"If-None-Match": first.headers["etag"]}
        )
        assert (unchanged.status_code, unchanged.content) == (304, b"")

        text = timeline_file.read_text(encoding="utf-8")
        edited = text.replace('en = "Addis Ababa, Ethiopia"', 'en = "Nairobi, Kenya"', 1)
        assert edited != text
        timeline_file.write_text(edited, encoding="utf-8")
        service.clock.now = NOW.replace(hour=13)  # type: ignore[attr-defined]
        changes = await service.source.refresh()

        second = await client.get(
            "/feeds/africa.ics", headers={"If-None-Match": first.headers["etag"]}
        )
        assert second.status_code == 200
        assert second.headers["etag"] != first.headers["etag"]
        after = _sequences(second.content)
        bumped = {uid for uid in after if after[uid] != before[uid]}
        assert bumped == {change.event_id for change in changes}
        assert len(bumped) == 1
        assert after[bumped.pop()] == 1


@pytest.mark.anyio
async def test_invalid_edit_keeps_the_last_good_feed_and_reports_the_error(
    service: Service, timeline_file: Path
) -> None:
    async with _client(service) as client:
        good = await client.get("/feeds/all.ics")
        timeline_file.write_text(
            timeline_file.read_text(encoding="utf-8").replace(
                'kind = "regional-review"', 'kind = "review"', 1
            ),
            encoding="utf-8",
        )
        assert await service.source.refresh() == []
        kept = await client.get("/feeds/all.ics")
        assert (kept.status_code, kept.content) == (200, good.content)
        ready = (await client.get("/readyz")).json()
        assert ready["ready"] is True
        assert ready["timeline"]["error"].splitlines()[0] == f"{timeline_file}: 1 problem(s)"
        assert "kind" in ready["timeline"]["error"].splitlines()[1]


@pytest.mark.anyio
async def test_revisions_survive_a_restart(tmp_path: Path, timeline_file: Path) -> None:
    settings = _settings(tmp_path, timeline_file)
    first = Service.create(settings, Clock(NOW))
    await first.open()
    async with _client(first) as client:
        text = timeline_file.read_text(encoding="utf-8")
        timeline_file.write_text(text.replace("Addis Ababa, Ethiopia", "Nairobi", 1), "utf-8")
        await first.source.refresh()
        before = (await client.get("/feeds/all.ics")).content
    await first.close()

    again = Service.create(settings, Clock(NOW.replace(day=20)))
    await again.open()
    async with _client(again) as client:
        after = (await client.get("/feeds/all.ics")).content
    await again.close()
    assert _sequences(after) == _sequences(before)
    assert after == before


@pytest.mark.anyio
async def test_region_page_lists_every_event_of_the_region_with_its_label(
    service: Service,
) -> None:
    from feeds.lapse import event_date_label

    timeline = service.timeline()
    async with _client(service) as client:
        for region in timeline.regions:
            response = await client.get(f"/regions/{region.id}")
            assert response.status_code == 200
            html = response.text
            for event in timeline.select(regions=[region.id]):
                # Upcoming events in full, past ones as a line linking to their page.
                listed = f'id="{event.id}"', f'<a href="/events/{event.id}?lang=en">'
                assert any(form in html for form in listed), event.id
                label = event_date_label(event, "en", service.clock())
                assert label.replace("&", "&amp;") in html, (event.id, label)
            assert f'href="webcal://gcm.example.org/feeds/{region.id}.ics"' in html
            assert f'href="https://gcm.example.org/feeds/{region.id}.ics" download' in html


@pytest.mark.anyio
async def test_pages_answer_unknown_region_with_a_404_page(service: Service) -> None:
    async with _client(service) as client:
        response = await client.get("/regions/atlantis")
    assert response.status_code == 404
    assert "There is no region called “atlantis”." in response.text


def test_export_writes_the_bytes_the_server_sends(tmp_path: Path, timeline_file: Path) -> None:
    env = {
        "GCMCAL_TIMELINE": str(timeline_file),
        "GCMCAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        "GCMCAL_BASE_URL": "https://gcm.example.org",
    }
    out = tmp_path / "site"
    result = CliRunner(env=env).invoke(main, ["export", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("exported ")

    async def served() -> tuple[bytes, bytes, bytes]:
        service = Service.create(Settings(**{k[7:].lower(): v for k, v in env.items()}))
        await service.open()
        async with _client(service) as client:
            feed = (await client.get("/feeds/africa.ics?lang=fr")).content
            page = (await client.get("/regions/africa?lang=ar")).content
            css = (await client.get("/static/site.css")).content
        await service.close()
        return feed, page, css

    import asyncio

    feed, page, css = asyncio.run(served())
    assert (out / "feeds" / "fr" / "africa.ics").read_bytes() == feed
    assert (out / "ar" / "regions" / "africa" / "index.html").read_bytes() == page
    # The pages carry their timeline pictures inline, with the pinned lane names.
    for body in (page, (out / "index.html").read_bytes()):
        assert (
            body.count(b'<svg xmlns="http://www.w3.org/2000/svg" class="tl" '),
            body.count(b'<svg xmlns="http://www.w3.org/2000/svg" class="tl pin" '),
        ) == (1, 1)
    assert (out / "static" / "site.css").read_bytes() == css


def _sample(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in metrics")


@pytest.mark.anyio
async def test_metrics_count_feed_requests_and_report_the_outbox(service: Service) -> None:
    async with _client(service) as client:
        before = (await client.get("/metrics")).text
        first = await client.get("/feeds/all.ics")
        await client.get("/feeds/all.ics", headers={"If-None-Match": first.headers["etag"]})
        await client.get("/feeds/atlantis.ics")
        after = await client.get("/metrics")
    assert after.headers["content-type"].startswith("text/plain; version=")
    counts = {
        status: _sample(after.text, f'gcmcal_feed_requests_total{{status="{status}"}}')
        - (
            _sample(before, f'gcmcal_feed_requests_total{{status="{status}"}}')
            if f'status="{status}"' in before
            else 0.0
        )
        for status in ("200", "304", "404")
    }
    assert counts == {"200": 1.0, "304": 1.0, "404": 1.0}
    assert _sample(after.text, 'gcmcal_outbox_messages{state="queued"}') == 0.0
    assert _sample(after.text, "gcmcal_outbox_oldest_due_lag_seconds") == 0.0


@pytest.mark.anyio
async def test_readyz_reports_database_timeline_and_last_tick(service: Service) -> None:
    from reminders.db.models import SchedulerState
    from reminders.scheduler_state import PLANNED_UNTIL

    async with _client(service) as client:
        before = (await client.get("/readyz")).json()
        async with service.sessions.begin() as session:
            session.add(
                SchedulerState(
                    name=PLANNED_UNTIL,
                    value={"at": NOW.isoformat()},
                    updated_at=NOW.replace(hour=11, minute=59, second=30),
                )
            )
        after = await client.get("/readyz")
    assert before["database"] == {"reachable": True, "last_tick_age_seconds": None}
    assert after.status_code == 200
    assert after.json()["database"] == {"reachable": True, "last_tick_age_seconds": 30.0}
    assert after.json()["timeline"]["error"] is None


@pytest.mark.anyio
async def test_web_instance_without_scheduler_picks_up_a_timeline_edit(
    tmp_path: Path, timeline_file: Path
) -> None:
    import asyncio

    from reminders.service import watch_timeline

    async with _opened(tmp_path, timeline_file, tick_seconds=0.05) as service:
        stop = watch_timeline(service)
        try:
            async with _client(service) as client:
                before = (await client.get("/feeds/africa.ics")).headers["etag"]
                text = timeline_file.read_text(encoding="utf-8")
                timeline_file.write_text(
                    text.replace("Addis Ababa, Ethiopia", "Nairobi", 1), "utf-8"
                )
                etag = before
                for _ in range(200):  # bounded: at most about 10 s
                    await asyncio.sleep(0.05)
                    etag = (await client.get("/feeds/africa.ics")).headers["etag"]
                    if etag != before:
                        break
        finally:
            await stop()
    assert etag != before


@pytest.mark.anyio
async def test_feed_cache_size_setting_bounds_the_bodies_kept(
    tmp_path: Path, timeline_file: Path
) -> None:
    async with _opened(tmp_path, timeline_file, feed_cache_mb=1) as service:
        feeds = service.source.served
        wanted = {
            **{
                f"/feeds/{key}.ics?lang={lang}": feeds.feed(key, lang)
                for key in feeds.keys
                for lang in LANGUAGES
            },
            **{
                f"/feeds/{key}.ics?lang={lang}&kinds={kind.value}": feeds.feed(key, lang, {kind})
                for key in feeds.keys
                for lang in LANGUAGES
                for kind in (Kind.REGIONAL_REVIEW, Kind.CONSULTATION)
            },
        }
        async with _client(service) as client:
            served = [await client.get(url) for url in wanted]
        assert [(r.status_code, r.content) for r in served] == [
            (200, file.body) for file in wanted.values() if file is not None
        ]
        assert sum(len(r.content) for r in served) > 2**20 >= feeds.kept_bytes > 0
