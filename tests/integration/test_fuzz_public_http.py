"""Any request to the public pages and feeds gets an answer, never a 500 or a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reminders.service import Service
from reminders.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Client:
    """Synchronous calls (for hypothesis) into the app running on a portal's event loop."""

    portal: BlockingPortal
    http: httpx.AsyncClient

    def request(self, method: str, path: str, params: dict[str, str]) -> httpx.Response:
        return self.portal.call(lambda: self.http.request(method, path, params=params))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    folder = tmp_path_factory.mktemp("fuzz")
    service = Service.create(
        Settings(
            timeline=ROOT / "config" / "timeline.toml",
            database_url=f"sqlite+aiosqlite:///{folder / 'db.sqlite3'}",
            outbox=folder / "outbox",
        )
    )
    with start_blocking_portal() as portal:
        portal.call(service.open)
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=service.asgi()), base_url="http://127.0.0.1"
        )
        yield Client(portal, http)
        portal.call(http.aclose)
        portal.call(service.close)


_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_paths = st.one_of(
    st.builds(lambda s: f"/feeds/{quote(s, safe='')}.ics", _text),
    st.builds(lambda s: f"/events/{quote(s, safe='')}.ics", _text),
    st.builds(lambda s: f"/events/{quote(s, safe='')}", _text),
    st.builds(lambda s: f"/regions/{quote(s, safe='')}", _text),
    st.sampled_from(["/", "/feeds/all.ics", "/feeds/africa.ics", "/regions/africa"]),
)
_params = st.dictionaries(st.sampled_from(["lang", "kinds", "x", "kinds[]"]), _text, max_size=3)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(path=_paths, params=_params, method=st.sampled_from(["GET", "HEAD", "POST", "PUT"]))
def test_public_urls_never_fail_with_a_server_error(
    client: Client, path: str, params: dict[str, str], method: str
) -> None:
    response = client.request(method, path, params=params)
    assert response.status_code < 500, (method, path, params, response.text[:300])
    assert "Traceback" not in response.text
