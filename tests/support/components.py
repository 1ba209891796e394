"""Where the tests find the outside components that scripts/test sets up.

scripts/test exports GCMCAL_CHROMIUM, GCMCAL_NODE, GCMCAL_NODE_MODULES,
GCMCAL_SPAMASSASSIN, GCMCAL_WRK, GCMCAL_NGINX, GCMCAL_POSTFIX and GCMCAL_TEST_POSTGRES_URL.
A missing component skips the test, which fails it under CI=true
(tests/conftest.py).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def require(name: str, path: str | None) -> str:
    """Return ``path``, or skip the test saying ``name`` is not available."""
    if not path:
        pytest.skip(f"{name} not available")
    return path


def _command(name: str, variable: str) -> str:
    path = os.environ.get(variable) or shutil.which(name) or shutil.which(name, path="/usr/sbin")
    return require(name, path)


def chromium() -> str:
    return _command("chromium", "GCMCAL_CHROMIUM")


def node() -> str:
    return _command("node", "GCMCAL_NODE")


def node_modules() -> str:
    """The repository's node_modules (ical.js, axe-core), after `npm ci`."""
    path = os.environ.get("GCMCAL_NODE_MODULES")
    if not path:
        here = Path(__file__).resolve().parents[2] / "node_modules"
        path = str(here) if here.is_dir() else None
    return require("node_modules (npm ci)", path)


def spamassassin() -> str:
    return _command("spamassassin", "GCMCAL_SPAMASSASSIN")


def wrk() -> str:
    return _command("wrk", "GCMCAL_WRK")


def nginx() -> str:
    return _command("nginx", "GCMCAL_NGINX")


def postfix() -> str:
    """Debian's postfix command; a private instance must be started as root."""
    path = _command("postfix", "GCMCAL_POSTFIX")
    if os.geteuid() != 0:
        pytest.skip("postfix instances need root (scripts/test runs as root in CI)")
    return path
