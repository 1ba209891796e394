"""Suite-wide hooks and fixtures. Keep this small: put fixtures for one part of
the suite in a conftest.py of its own folder.

Under CI=true a skipped test is a failure: a test that skips because a component
(PostgreSQL, Chromium, node, ...) is missing must not pass CI unnoticed.
xfail stays xfail.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest
from hypothesis import settings

from tests.support.pg_databases import worker_database

pytest_plugins = ["pytester"]

# CI runs the same examples every time: a new failing example shows up in a developer's
# run (and its .hypothesis database), never as a red CI run for an unrelated change.
# No per-example deadline anywhere: it is a timing threshold, and on a shared, busy
# machine it fails examples that are merely slow.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


def _under_ci() -> bool:
    return os.environ.get("CI") == "true"


def _skip_reason(longrepr: object) -> str:
    # A skip's longrepr is (path, lineno, "Skipped: reason").
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if _under_ci() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true: {_skip_reason(report.longrepr)}"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    # A whole module skipped (pytest.importorskip, skip(allow_module_level=True)).
    report = yield
    if _under_ci() and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true: {_skip_reason(report.longrepr)}"
    return report


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test asking for the database, by fixture or by a fixture's "postgresql"
    # parameter, is a PostgreSQL test, marked or not: `-m "not postgres"` (the edit
    # loop) leaves it out instead of skipping it.
    for item in items:
        callspec = getattr(item, "callspec", None)
        parameters = callspec.params.values() if callspec is not None else ()
        if "postgres_url" in getattr(item, "fixturenames", ()) or "postgresql" in parameters:
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """SQLAlchemy URL of the throwaway database that scripts/test starts.

    Under pytest-xdist each worker gets a database of its own on that cluster: tests
    drop and create the schema, so two workers must never share one.
    """
    url = os.environ.get("GCMCAL_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL not available (GCMCAL_TEST_POSTGRES_URL unset: run scripts/test)")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    return worker_database(url, worker)
