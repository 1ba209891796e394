from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feeds.conditional import http_date, is_not_modified

ETAG = '"abc"'
MODIFIED = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def test_http_date_is_an_imf_fixdate() -> None:
    assert http_date(MODIFIED) == "Sat, 01 Jun 2024 12:00:00 GMT"


@pytest.mark.parametrize(
    ("if_none_match", "if_modified_since", "expected"),
    [
        ('"abc"', None, True),
        ('W/"abc"', None, True),
        ('"x", W/"abc" , "y"', None, True),
        ("*", None, True),
        ('"abd"', None, False),
        ('"abd"', "Sat, 01 Jun 2024 12:00:00 GMT", False),  # If-None-Match wins
        (None, "Sat, 01 Jun 2024 12:00:00 GMT", True),
        (None, "Sat, 01 Jun 2024 13:00:00 GMT", True),
        (None, "Sat, 01 Jun 2024 11:59:59 GMT", False),
        (None, "Sat, 01 Jun 2024 12:00:00 -0000", True),
        (None, "yesterday", False),
        ("", "Sat, 01 Jun 2024 12:00:00 GMT", True),
        (None, None, False),
    ],
)
def test_is_not_modified_follows_rfc_9110(
    if_none_match: str | None, if_modified_since: str | None, expected: bool
) -> None:
    assert (
        is_not_modified(
            etag=ETAG,
            last_modified=MODIFIED,
            if_none_match=if_none_match,
            if_modified_since=if_modified_since,
        )
        == expected
    )
