"""The layering the design card fixes: `feeds` never imports `reminders`."""

from __future__ import annotations

import ast
from pathlib import Path

FEEDS = Path(__file__).resolve().parents[2] / "feeds"


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_feeds_never_imports_reminders() -> None:
    offenders = sorted(p.name for p in FEEDS.glob("*.py") if "reminders" in _imported(p))
    assert offenders == []
