"""The import contract: which parts of the service may load which libraries.

Each module is imported in a fresh interpreter and the libraries it pulled in are
listed, so an import anywhere down the chain counts, not only the module's own lines.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

DATABASE = ("sqlalchemy", "aiosqlite", "asyncpg", "alembic")
TRANSPORT = ("aiosmtplib", "aiosmtpd")
#: Jinja alone is not the web: the composer renders emails with it.
WEB = ("fastapi", "starlette", "uvicorn", "granian", "multipart")

#: Pure logic: what to send, to whom, when, in which words. No I/O library at all.
CORE = (
    "reminders.states",
    "reminders.mail.port",
    "reminders.due_reminders",
    "reminders.subscriber_profiles",
    "reminders.changes",
    "reminders.preview",
    "reminders.outcomes",
    "reminders.leads",
    "reminders.subscription_choices",
    "reminders.backoff",
    "reminders.circuit",
    "reminders.bounce_score",
    "reminders.bounce_kinds",
    "reminders.mail.words",
    "reminders.mail.content",
    "reminders.mail.subject_line",
    "reminders.mail.message_types",
    "reminders.mail.compose",
    "reminders.tokens",
    "reminders.addresses",
    "reminders.clock",
)


def _loaded(modules: list[str], families: tuple[str, ...]) -> dict[str, list[str]]:
    """Per module, the packages among `families` that its import was first to load.

    One fresh interpreter imports the modules in turn; whatever a module pulls in is
    blamed on it, so a forbidden library shows up under the first module that loads it.
    """
    code = f"""
import importlib, json, sys
blamed = {{}}
for name in {modules!r}:
    before = set(sys.modules)
    importlib.import_module(name)
    new = {{m.split(".")[0] for m in set(sys.modules) - before}} & set({families!r})
    if new:
        blamed[name] = sorted(new)
print(json.dumps(blamed))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout))


def test_core_modules_load_no_database_transport_or_web() -> None:
    assert _loaded(list(CORE), DATABASE + TRANSPORT + WEB) == {}


def test_feeds_loads_nothing_of_reminders_or_the_service() -> None:
    modules = sorted(f"feeds.{p.stem}" for p in (ROOT / "feeds").glob("*.py"))
    # The feed server is plain ASGI: no web framework, database or mail library either.
    assert _loaded(modules, ("reminders", "fastapi", *DATABASE, *TRANSPORT)) == {}


def test_worker_loads_no_web_app() -> None:
    assert _loaded(["reminders.worker"], WEB) == {}


def test_command_line_loads_database_mail_and_web_only_for_the_command_that_runs() -> None:
    # `gcmcal --help` and `gcmcal check` on an operator's terminal should start at once.
    assert _loaded(["reminders.cli"], DATABASE + TRANSPORT + WEB) == {}
