"""Fixtures of the reliability suite: `db`, one database per backend (tests/db_backends.py)."""

from tests.db_backends import db

__all__ = ["db"]
