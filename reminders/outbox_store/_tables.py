"""The two tables, the state groups the statements use, and id chunks for IN lists."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Table

from reminders.db.models import Base
from reminders.states import OutboxState

OUTBOX: Table = Base.metadata.tables["outbox"]
SEND_LOG: Table = Base.metadata.tables["send_log"]

PENDING_STATES = (OutboxState.QUEUED, OutboxState.RETRY_WAIT)
WAITING_STATES = (*PENDING_STATES, OutboxState.SENDING)
FINISHED_STATES = (OutboxState.SENT, OutboxState.FAILED, OutboxState.WITHDRAWN)
TOO_LATE = "too late: the event has started"
_CHUNK = 500  # ids per IN (...) list


def chunks(values: Collection[Any]) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
