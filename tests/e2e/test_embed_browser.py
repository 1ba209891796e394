"""The embeddable calendar in headless Chromium: framed by a listed partner origin and
refused by any other, under axe-core in English and Arabic, under 20 KB with no script."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Request, sync_playwright

from tests.support.components import chromium, node_modules
from tests.support.live_service import CHROMIUM_ARGS, Live, free_port, live_service

pytestmark = pytest.mark.browser
MAX_BYTES = 20 * 1024
BAD_IMPACTS = ("serious", "critical")


class Partner:
    """A partner site on its own loopback origin whose page frames the calendar."""

    def __init__(self, embed_url: str, port: int) -> None:
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title>'
            f'</head><body><main><iframe src="{embed_url}" title="Calendar" width="600" '
            'height="480"></iframe></main></body></html>'
        ).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Partner:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def partner_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, partner_port: int) -> Iterator[Live]:
    origins = f"http://127.0.0.1:{partner_port}"
    with live_service(
        tmp_path_factory.mktemp("embed"), {"GCMCAL_EMBED_ORIGINS": origins}
    ) as service:
        yield service


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_embed_accessible_small_and_without_script(live: Live, browser: Browser, lang: str) -> None:
    axe = Path(node_modules()) / "axe-core" / "axe.min.js"
    # CSP bypassed only so that axe can be injected; the policy itself is tested elsewhere.
    context = browser.new_context(viewport={"width": 360, "height": 480}, bypass_csp=True)
    page = context.new_page()
    requests: list[Request] = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(f"{live.base_url}/embed/africa?lang={lang}")
    page.wait_for_load_state("load")
    transferred = sum(
        r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in requests
    )
    kinds = sorted({r.resource_type for r in requests})
    direction = page.evaluate("document.documentElement.dir")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    scripts = page.evaluate("document.scripts.length")
    # axe is added only now, after everything above was measured.
    page.add_script_tag(path=str(axe))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => v.impact + ' ' + v.id)"
    )
    context.close()

    assert {
        "under 20 KB": transferred < MAX_BYTES,
        "resources": kinds,
        "scripts": scripts,
        "direction": direction,
        "sideways scroll": overflow,
        "serious or critical": [v for v in violations if v.split()[0] in BAD_IMPACTS],
    } == {
        "under 20 KB": True,
        "resources": ["document", "stylesheet"],
        "scripts": 0,
        "direction": "rtl" if lang == "ar" else "ltr",
        "sideways scroll": 0,
        "serious or critical": [],
    }


def test_embed_framed_by_listed_partner_only(
    live: Live, browser: Browser, partner_port: int
) -> None:
    embed = f"{live.base_url}/embed/africa?lang=en"
    shown: dict[str, str] = {}
    sites = (("listed", Partner(embed, partner_port)), ("stranger", Partner(embed, free_port())))
    for name, site in sites:
        with site:
            context = browser.new_context()
            page = context.new_page()
            page.goto(site.url)
            page.wait_for_load_state("load")
            frame = page.frame_locator("iframe")
            heading = frame.locator("body.embed h1")
            shown[name] = heading.inner_text(timeout=5000) if heading.count() else ""
            context.close()

    assert shown == {"listed": "Africa", "stranger": ""}
