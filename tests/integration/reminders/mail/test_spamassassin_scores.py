"""SpamAssassin (local rules, no network) scores every kind of email well below its 5.0
threshold: under 2.0 in English and Arabic for every kind, and for a mixed message in
every language."""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from feeds.vocabulary import LANGUAGES
from tests.support import components
from tests.support.reminder_mail_fixtures import KINDS, mail_setup, message_bytes

LIMIT = 2.0
CASES = [(kind, lang) for lang in ("en", "ar") for kind in KINDS] + [
    ("mixed", lang) for lang in LANGUAGES if lang not in ("en", "ar")
]
_STATUS = re.compile(rb"^X-Spam-Status: \w+, score=(-?\d+(?:\.\d+)?) .*?tests=(\S*)", re.M | re.S)


def _score(command: str, message: bytes) -> tuple[float, str]:
    result = subprocess.run(
        [command, "-L", "-t"], input=message, capture_output=True, check=True, timeout=120
    )
    found = _STATUS.search(result.stdout)
    assert found is not None, result.stdout[:2000]
    return float(found[1]), found[2].decode()


@pytest.fixture(scope="module")
def scores() -> dict[tuple[str, str], tuple[float, str]]:
    command = components.spamassassin()
    setup = mail_setup()
    messages = {case: message_bytes(setup, *case) for case in CASES}
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda case: _score(command, messages[case]), CASES)
        return dict(zip(CASES, results, strict=True))


@pytest.mark.parametrize(("kind", "lang"), CASES)
def test_spamassassin_score_below_limit(
    scores: dict[tuple[str, str], tuple[float, str]], kind: str, lang: str
) -> None:
    score, rules = scores[(kind, lang)]
    assert (score < LIMIT, rules) == (True, rules)
