"""Headless Chromium and axe-core for the browser tests (imported by the modules next to it)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from tests.support.components import node_modules

BAD_IMPACTS = ("serious", "critical")


def serious_axe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as loaded, one line each."""
    page.add_script_tag(path=str(Path(node_modules()) / "axe-core" / "axe.min.js"))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))"
    )
    serious = [v for v in violations if v["impact"] in BAD_IMPACTS]
    return [f"axe {v['impact']} {v['id']}: {v['nodes']}" for v in serious]
