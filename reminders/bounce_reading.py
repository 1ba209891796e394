"""What a message that came back to a return path says: bounce, complaint, or nothing.

Pure: bytes in, a `Reading` out; never raises, whatever the bytes are.

Order of the checks
-------------------
1. A feedback-loop report (ARF, RFC 5965: a `message/feedback-report` part) of type
   abuse, fraud or other is a complaint. Other feedback types (not-spam, authentication
   failure reports) are not complaints.
2. A delivery status notification (RFC 3464: `message/delivery-status`) is judged by
   each recipient's Action and Status (RFC 3463): `failed` with X.1.x (bad address) or
   X.2.1 (mailbox disabled) is permanent; a full mailbox (X.2.2), a message too large,
   a policy or content block (X.7.x), routing and network trouble (X.4.x), and every
   `delayed` are temporary: they are no proof that the address is dead. A failure whose
   status says nothing (X.0.0) is judged by its diagnostic's wording.
3. Other bounce formats (qmail, old Exim, Yahoo, Microsoft, …) go to flufl.bounce, the
   detectors Mailman uses; a permanent failure that mentions a quota stays temporary.
4. An auto-reply (RFC 3834 Auto-Submitted, the X-Autoreply family, "Out of office"
   subjects) is ignored.

A report counts only when it carries one of our return-path tokens (in the address it
came to, or anywhere in it, e.g. the returned headers); a token proves the report is
about a message we sent, so nobody can pause or unsubscribe somebody else by sending
a made-up bounce.
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from email.parser import HeaderParser
from itertools import islice

from flufl.bounce import all_failures

from reminders.bounce_kinds import ReportKind
from reminders.return_path import Mark, ReturnPathReader

_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
#: Wording of a dead address when the status code says nothing more precise.
_DEAD = re.compile(
    r"user unknown|unknown user|no such user|does not exist|doesn'?t have an? .{0,40}account"
    r"|recipient not found|address rejected|invalid recipient|no mailbox|mailbox not found"
    r"|account (?:has been )?disabled|unrouteable address|recipientnotfound",
    re.IGNORECASE,
)
_QUOTA = re.compile(
    r"quota|mailbox (?:is )?full|over ?quota|insufficient (?:system )?storage|mailbox size",
    re.IGNORECASE,
)
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?re(?:ply|sponse)|"
    r"auto:|autoreply|vacation|absence|abwesenheit|réponse automatique|"
    r"respuesta automática|respuesta automatica|自动回复|автоответ)",
    re.IGNORECASE,
)
# flufl.bounce logs every detector it runs (INFO) and the traceback of any detector that
# fails on odd input (ERROR); what it found, or that it failed, is reported here instead.
logging.getLogger("flufl.bounce").setLevel(logging.CRITICAL)

_COMPLAINT_TYPES = frozenset({"abuse", "fraud", "other"})
#: Parts walked at most: a hostile message with thousands of parts is read no further.
MAX_PARTS = 200
#: A message with more lines that could be MIME boundaries than this is not a bounce but
#: an attack on the parsers (deep nesting, tens of thousands of parts): it is not parsed
#: at all. Real bounces and feedback reports have a handful.
MAX_BOUNDARY_LINES = 500
#: Bytes of a non-standard bounce that the heuristic detectors read.
HEURISTIC_BYTES = 256 * 1024
_BOUNDARY_LINE = re.compile(rb"^--", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Reading:
    kind: ReportKind
    mark: Mark | None
    #: What was found, without addresses ("dsn 5.1.1", "arf abuse", "auto-reply").
    detail: str


def read_report(raw: bytes, recipients: Sequence[str], paths: ReturnPathReader) -> Reading:
    """Classify one message that came back to us (`recipients`: its envelope recipients)."""
    mark = paths.first(*(address.encode("utf-8", "replace") for address in recipients), raw)
    try:
        kind, detail = _classify(raw)
    except Exception as exc:  # hostile input must never stop the intake
        kind, detail = ReportKind.OTHER, f"unreadable: {type(exc).__name__}"
    if mark is None and kind is not ReportKind.OTHER:
        return Reading(ReportKind.UNMATCHED, None, f"{kind.value}: {detail}")
    return Reading(kind, mark, detail)


def _classify(raw: bytes) -> tuple[ReportKind, str]:
    boundaries = islice(_BOUNDARY_LINE.finditer(raw), MAX_BOUNDARY_LINES + 1)
    if sum(1 for _ in boundaries) > MAX_BOUNDARY_LINES:
        return ReportKind.OTHER, "unreadable: too many MIME parts"
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    parts = list(_parts(message))
    feedback = [part for part in parts if part.get_content_type() == "message/feedback-report"]
    if feedback:
        return _feedback(feedback[0])
    statuses = [part for part in parts if part.get_content_type() == "message/delivery-status"]
    if statuses:
        found = _delivery_status(statuses)
        if found is not None:
            return found
    if len(raw) > HEURISTIC_BYTES:
        # The heuristic detectors read every line, several times: only the beginning,
        # where every bounce format says what happened.
        message = email.message_from_bytes(raw[:HEURISTIC_BYTES], policy=email.policy.compat32)
    found = _other_formats(message)
    if found is not None:
        return found
    if _auto_reply(message):
        return ReportKind.AUTO_REPLY, "auto-reply"
    return ReportKind.OTHER, "not a report"


def _parts(message: Message) -> Iterator[Message]:
    stack = [message]
    for _ in range(MAX_PARTS):
        if not stack:
            return
        part = stack.pop(0)
        yield part
        # message/delivery-status payloads are header blocks, not parts to walk into.
        if part.is_multipart() and part.get_content_type() != "message/delivery-status":
            stack.extend(p for p in part.get_payload() if isinstance(p, Message))


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes) and payload:
        return payload.decode("utf-8", "replace")
    if isinstance(payload, str):
        return payload
    if part.is_multipart():
        blocks = [p for p in part.get_payload() if isinstance(p, Message)]
        return "\n\n".join(block.as_string() for block in blocks)
    return ""


def _feedback(part: Message) -> tuple[ReportKind, str]:
    fields = HeaderParser().parsestr(_text(part).lstrip())
    feedback_type = (fields.get("Feedback-Type") or "").strip().lower()[:30]
    if feedback_type in _COMPLAINT_TYPES:
        return ReportKind.COMPLAINT, f"arf {feedback_type}"
    return ReportKind.OTHER, f"arf {feedback_type or 'without type'}"


def _blocks(part: Message) -> list[Message]:
    """The per-message and per-recipient field blocks of a delivery-status part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    parser = HeaderParser()
    return [parser.parsestr(chunk) for chunk in re.split(r"\r?\n\s*\r?\n", _text(part))]


def _delivery_status(parts: Sequence[Message]) -> tuple[ReportKind, str] | None:
    permanent: list[str] = []
    temporary: list[str] = []
    for part in parts:
        for block in _blocks(part):
            action = (block.get("Action") or "").strip().lower()
            if not action.startswith(("fail", "error", "delayed")):
                continue  # delivered, relayed, expanded; or the per-message block
            diagnostic = str(block.get("Diagnostic-Code") or "")
            code = _status_code(str(block.get("Status") or ""), diagnostic)
            if action.startswith("delayed"):
                temporary.append(code)
            elif _dead_address(code, diagnostic):
                permanent.append(code)
            else:
                temporary.append(code)
    if permanent:
        return ReportKind.PERMANENT, f"dsn {permanent[0]}"
    if temporary:
        return ReportKind.TEMPORARY, f"dsn {temporary[0]}"
    return None


def _status_code(status: str, diagnostic: str) -> str:
    """The Status field's code; the diagnostic's when Status says only X.0.0 (Exim does)."""
    found = _STATUS.search(status)
    told = _STATUS.search(diagnostic)
    if found is None or (found.group(2, 3) == ("0", "0") and told is not None):
        found = told or found
    return ".".join(found.groups()) if found else "5.0.0"


def _dead_address(code: str, diagnostic: str) -> bool:
    kind, subject, detail = code.split(".")
    if kind != "5":
        return False
    if subject == "1" or (subject, detail) == ("2", "1"):
        return True
    if subject == "0" or (subject, detail) == ("5", "0"):
        # "550 5.0.0" / "5.5.0" tell nothing: go by the words (a full mailbox is not dead).
        return bool(_DEAD.search(diagnostic)) and not _QUOTA.search(diagnostic)
    return False


def _other_formats(message: Message) -> tuple[ReportKind, str] | None:
    try:
        temporary, permanent = all_failures(message)
    except Exception:  # a detector choking on odd headers (e.g. 8-bit From): not a bounce
        return None
    if permanent:
        if _QUOTA.search(_body_text(message)):
            return ReportKind.TEMPORARY, "non-standard, mailbox full"
        return ReportKind.PERMANENT, "non-standard"
    if temporary:
        return ReportKind.TEMPORARY, "non-standard"
    return None


def _body_text(message: Message) -> str:
    texts = [
        _text(part)
        for part in _parts(message)
        if part.get_content_maintype() == "text" and part.get_content_type() != "text/html"
    ]
    return "\n".join(texts)[:200_000]


def _auto_reply(message: Message) -> bool:
    auto = (message.get("Auto-Submitted") or "").strip().lower()
    if auto and not auto.startswith("no"):
        return True
    if any(message.get(name) for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponse")):
        return True
    if (message.get("Precedence") or "").strip().lower() == "auto_reply":
        return True
    return bool(_AUTO_SUBJECT.search(_subject(message)))


def _subject(message: Message) -> str:
    raw = str(message.get("Subject") or "")
    try:
        return str(make_header(decode_header(raw)))
    except (ValueError, LookupError, UnicodeError):
        return raw
