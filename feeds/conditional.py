"""Conditional GET, written once: feeds and pages answer 304 by the same rules.

The rules follow RFC 9110 §13.1 as Starlette's ``staticfiles.is_not_modified`` applies
them: If-None-Match wins when present (weak comparison: a ``W/`` prefix is ignored, a
list matches if any member does, ``*`` matches anything); If-Modified-Since is read only
without it, and a date that cannot be parsed is ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime


def http_date(moment: datetime) -> str:
    """An IMF-fixdate ("Sat, 01 Jun 2024 00:00:00 GMT") for an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass an aware one")
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def etag_matches(etag: str, if_none_match: str) -> bool:
    own = etag.removeprefix("W/")
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == own:
            return True
    return False


def modified_since(last_modified: datetime, if_modified_since: str) -> bool:
    """False only when the header parses and `last_modified` is not after it."""
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return True
    if since.tzinfo is None:  # "-0000" means UTC to RFC 5322, naive to the stdlib
        since = since.replace(tzinfo=UTC)
    return last_modified > since


def is_not_modified(
    *,
    etag: str,
    last_modified: datetime,
    if_none_match: str | None,
    if_modified_since: str | None,
) -> bool:
    """Whether a GET or HEAD with these request headers may be answered 304."""
    if if_none_match:
        return etag_matches(etag, if_none_match)
    if if_modified_since:
        return not modified_since(last_modified, if_modified_since)
    return False
