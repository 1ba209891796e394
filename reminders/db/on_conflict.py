"""``INSERT … ON CONFLICT`` for the two backends (SQLAlchemy has it per dialect only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite


def insert(dialect: str, table: Table) -> Any:
    """The dialect's INSERT construct, which has `on_conflict_do_nothing` / `_do_update`."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no ON CONFLICT support for {dialect}")
