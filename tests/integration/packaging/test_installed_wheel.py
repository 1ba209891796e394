"""The built wheel is the whole service: installed into a fresh virtual environment and
run from an empty folder, `gcmcal check`, `gcmcal worker` and `gcmcal serve` work with
nothing from this checkout (templates, catalogs, static files and the shipped timeline
are package data; the shipped timeline is the default when GCMCAL_TIMELINE is unset).

Slow (a virtual environment with every dependency is built), so marked `slow`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import venv
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live_service import free_port

ROOT = Path(__file__).resolve().parents[3]
INSTALL_SECONDS = 600
COMMAND_SECONDS = 120
START_SECONDS = 90.0

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=COMMAND_SECONDS, check=False
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin` folder of a fresh virtual environment with only the wheel installed."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work), str(ROOT)],
        check=True,
        timeout=INSTALL_SECONDS,
        capture_output=True,
    )
    (wheel,) = work.glob("gcm_calendar-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    subprocess.run(
        [str(bin_dir / "pip"), "install", "-q", str(wheel)],
        check=True,
        timeout=INSTALL_SECONDS,
        capture_output=True,
    )
    return bin_dir


@pytest.fixture
def empty_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def _clean_env(empty_folder: Path) -> dict[str, str]:
    # Nothing of this checkout may leak in: no GCMCAL_* settings, no PYTHONPATH.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GCMCAL_") and key not in {"PYTHONPATH", "VIRTUAL_ENV"}
    }
    env["HOME"] = str(empty_folder)
    return env


def test_installed_wheel_checks_the_shipped_timeline_from_an_empty_folder(
    installed: Path, empty_folder: Path
) -> None:
    out = _run([str(installed / "gcmcal"), "check"], empty_folder, _clean_env(empty_folder))
    assert out.splitlines()[0].startswith("GCM regional reviews: 5 regions, ")


def test_installed_wheel_worker_runs_once_from_an_empty_folder(
    installed: Path, empty_folder: Path
) -> None:
    _run([str(installed / "gcmcal"), "worker", "--once"], empty_folder, _clean_env(empty_folder))
    assert sorted(p.name for p in (empty_folder / "var").iterdir() if p.is_dir()) == ["outbox"]


@pytest.fixture
def served(installed: Path, empty_folder: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [str(installed / "gcmcal"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=empty_folder,
        env=_clean_env(empty_folder),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError(f"gcmcal serve did not answer within {START_SECONDS} s")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()


def test_installed_wheel_serves_pages_feeds_and_static_files(served: str) -> None:
    page = httpx.get(f"{served}/regions/africa", timeout=10)
    feed = httpx.get(f"{served}/feeds/africa.ics", timeout=10)
    css = httpx.get(f"{served}/static/site.css", timeout=10)
    arabic = httpx.get(f"{served}/?lang=ar", timeout=10)

    assert (page.status_code, page.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert (feed.status_code, feed.headers["content-type"]) == (
        200,
        "text/calendar; charset=utf-8",
    )
    assert feed.content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert css.status_code == 200
    assert (arabic.status_code, 'dir="rtl"' in arabic.text) == (200, True)
