"""`gcmcal bounces serve`: an SMTP or LMTP receiver for the mail server to hand bounces to.

The operator's mail server delivers everything for `<local>+*@<bounce domain>` here
(Postfix: a transport map entry `bounces.example.org lmtp:inet:127.0.0.1:8025`). Each
message is read and acted on (`reminders.bounce_intake`) before the reply, so a 250
means it is stored; database trouble answers 451 and the mail server tries again
later. Whatever the content, the reply is 250: garbage is counted and dropped, never
bounced back (that would only make more mail). Messages over GCMCAL_BOUNCE_MAX_BYTES are
refused with 552 before they are read.

Processed messages are filed in the Maildir GCMCAL_BOUNCE_ARCHIVE when GCMCAL_BOUNCE_KEEP
is true, for an operator to look at; otherwise nothing of them is kept.
"""

from __future__ import annotations

import asyncio
import logging
import mailbox
from pathlib import Path
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from sqlalchemy.exc import SQLAlchemyError

from reminders.bounce_intake import Intake

log = logging.getLogger(__name__)
# aiosmtpd logs every envelope address at INFO: return-path tokens and, for auto-replies,
# people's addresses. Those stay out of the logs above DEBUG.
logging.getLogger("mail.log").setLevel(logging.WARNING)

OK = "250 2.0.0 report received"
TRY_LATER = "451 4.3.0 cannot store the report now, try again later"


class BounceHandler:
    """aiosmtpd handler: every accepted message goes through the intake."""

    def __init__(self, intake: Intake, archive: Path | None, *, lmtp: bool) -> None:
        self._intake = intake
        self._archive = mailbox.Maildir(archive, create=True) if archive else None
        self._lmtp = lmtp

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        recipients = [str(address) for address in envelope.rcpt_tos]
        try:
            await self._intake.take(raw, recipients)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("bounce not stored, the mail server will retry: %s", type(exc).__name__)
            return self._reply(TRY_LATER, len(recipients))
        if self._archive is not None:
            try:
                await asyncio.to_thread(self._archive.add, raw)
            except OSError as exc:
                log.warning("bounce processed but not archived: %s", exc.strerror)
        return self._reply(OK, len(recipients))

    def _reply(self, line: str, recipients: int) -> str:
        # LMTP answers DATA once per recipient (RFC 2033 §4.2).
        return "\r\n".join([line] * max(recipients, 1)) if self._lmtp else line


async def start(
    handler: BounceHandler, host: str, port: int, *, lmtp: bool, max_bytes: int
) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    protocol = LMTP if lmtp else SMTP

    def factory() -> SMTP:
        return protocol(
            handler,
            data_size_limit=max_bytes,
            hostname="gcmcal-bounces",
            ident="gcmcal bounces",
            decode_data=False,
            loop=loop,
        )

    return await loop.create_server(factory, host, port)
