"""tests/conftest.py: under CI=true a skipped test fails; elsewhere it skips."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFTEST = (Path(__file__).parent / "conftest.py").read_text(encoding="utf-8")

TESTS = """
import pytest

def test_passes():
    pass

def test_skips():
    pytest.skip("frobnicator not available")

@pytest.mark.skipif(True, reason="marked away")
def test_marked():
    pass

@pytest.fixture
def component():
    pytest.skip("component missing")

def test_fixture_skips(component):
    pass

@pytest.mark.xfail(reason="known bug")
def test_xfails():
    raise AssertionError

def test_postgres(postgres_url):
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("GCMCAL_TEST_POSTGRES_URL", raising=False)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_suite=TESTS)
    return pytester


def test_skips_fail_under_ci(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    result = suite.runpytest("-p", "no:cacheprovider")
    # A skip while setting up (mark, fixture) is reported as an error.
    result.assert_outcomes(passed=1, failed=1, errors=3, xfailed=1)
    result.stdout.fnmatch_lines(["*skipped under CI=true: frobnicator not available*"])
    result.stdout.fnmatch_lines(["*skipped under CI=true: PostgreSQL not available*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_skips_skip_elsewhere(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    result = suite.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=4, xfailed=1)
    assert result.ret == pytest.ExitCode.OK


def test_module_skip_fails_under_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_mod="import pytest\npytest.importorskip('no_such_module_xyz')\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret != pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*skipped under CI=true*no_such_module_xyz*"])
