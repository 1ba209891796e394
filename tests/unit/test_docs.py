"""Docs drift is a test: every setting and every command is in the README."""

from __future__ import annotations

import re
from pathlib import Path

from reminders.cli import main
from reminders.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_readme_documents_every_setting() -> None:
    documented = set(re.findall(r"^\| `(GCMCAL_[A-Z_]+)` \|", README, flags=re.MULTILINE))
    assert documented == {f"GCMCAL_{name.upper()}" for name in Settings.model_fields}


def test_readme_mentions_every_command() -> None:
    missing = [name for name in main.commands if f"gcmcal {name}" not in README]
    assert missing == []


def test_readme_quick_start_is_the_two_scripts() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick_start.strip().splitlines()]
    assert commands == ["scripts/serve", "scripts/test"]


def test_readme_architecture_names_every_module() -> None:
    root = Path(__file__).resolve().parents[2]
    section = README.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    modules = [
        path.relative_to(root / path.relative_to(root).parts[0]).as_posix()
        for package in ("feeds", "reminders")
        for path in (root / package).rglob("*.py")
        if path.name not in {"__init__.py", "__main__.py"} and "versions" not in path.parts
    ]
    # A module is named by its file name, with its folder inside the package where the
    # table's row does not say it ("db/engine.py", "web/app.py" or just "app.py").
    missing = sorted(m for m in modules if Path(m).name not in section)
    assert missing == []
