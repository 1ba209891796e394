"""`gcmcal bounces scan MAILDIR`: bounces the mail server delivered to a mailbox.

Only `new/` is read: a processed message is moved to `cur/` and marked seen
(GCMCAL_BOUNCE_KEEP true) or deleted (false), so the next scan does not read it again.
A message whose processing hit database trouble stays in `new/` for the next scan.
A message larger than GCMCAL_BOUNCE_MAX_BYTES is read up to that size only: the
part that says what happened comes first in every bounce format.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from reminders.bounce_intake import Intake

log = logging.getLogger(__name__)

#: Messages read per scan at most: a flooded mailbox is worked off over several runs.
MAX_PER_SCAN = 100_000


@dataclass
class ScanReport:
    by_kind: dict[str, int] = field(default_factory=dict)
    paused: int = 0
    unsubscribed: int = 0
    left: int = 0  # left in new/ for the next scan (database trouble)


def _head(path: Path, max_bytes: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(max_bytes)


def _finish(path: Path, maildir: Path, keep: bool) -> None:
    if not keep:
        path.unlink(missing_ok=True)
        return
    # Maildir: "name:2,S" in cur/ is a message that was read.
    name = path.name.split(":", 1)[0]
    os.replace(path, maildir / "cur" / f"{name}:2,S")


async def scan(intake: Intake, maildir: Path, *, keep: bool, max_bytes: int) -> ScanReport:
    new = maildir / "new"
    if not new.is_dir() or not (maildir / "cur").is_dir():
        raise NotADirectoryError(f"{maildir} is not a Maildir (no new/ and cur/)")
    report = ScanReport()
    names = sorted(entry.name for entry in os.scandir(new) if entry.is_file())
    for name in names[:MAX_PER_SCAN]:
        path = new / name
        try:
            raw = _head(path, max_bytes)
        except OSError as exc:  # gone meanwhile (another scan), or unreadable
            log.warning("bounce %s not read: %s", name, exc.strerror)
            continue
        try:
            taken = await intake.take(raw)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("bounce %s left for the next scan: %s", name, type(exc).__name__)
            report.left += 1
            continue
        kind = taken.reading.kind.value
        report.by_kind[kind] = report.by_kind.get(kind, 0) + 1
        report.paused += taken.paused
        report.unsubscribed += taken.unsubscribed
        try:
            _finish(path, maildir, keep)
        except OSError as exc:  # counted already: a second read adds nothing
            log.warning("bounce %s processed but not moved: %s", name, exc.strerror)
    report.left += max(0, len(names) - MAX_PER_SCAN)
    return report
