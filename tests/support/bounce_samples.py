"""Bounces, complaints and auto-replies in the shapes the big mail servers and providers
send them, built here (no real person's mail is stored in the repository).

Each builder takes the return path the original message had (`verp`) and the address it
was sent to (`rcpt`). Formats follow what these servers emit: Postfix's and Exim's RFC
3464 reports, Gmail's and Microsoft 365's DSNs, qmail's QSBMF text, Exim's old
X-Failed-Recipients bounce, Yahoo's old text bounce, RFC 5965 feedback reports as
Yahoo, Microsoft and mail.ru send them, Exchange and Unix vacation auto-replies.
"""

from __future__ import annotations

from collections.abc import Callable

Builder = Callable[[str, str], bytes]

ORIGINAL_HEADERS = (
    "Return-Path: <{verp}>\n"
    "From: GCM calendar <reminders@gcm.example.org>\n"
    "To: {rcpt}\n"
    "Subject: Reminder: Regional review in 1 day\n"
    "Date: Sat, 01 Mar 2025 08:00:00 +0000\n"
    "Message-ID: <5f1c0e2a9b7d4e8f@gcm.example.org>\n"
    "List-Id: GCM review reminders <reminders.gcm.example.org>\n"
)


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def _dsn(
    *,
    verp: str,
    rcpt: str,
    mta: str,
    from_: str,
    subject: str,
    human: str,
    action: str,
    status: str,
    diagnostic: str,
    extra_headers: str = "",
) -> bytes:
    headers = ORIGINAL_HEADERS.format(verp=verp, rcpt=rcpt)
    return _crlf(
        f"Return-Path: <>\n"
        f"Delivered-To: {verp}\n"
        f"From: {from_}\n"
        f"To: {verp}\n"
        f"Subject: {subject}\n"
        f"Date: Sat, 01 Mar 2025 08:00:05 +0000\n"
        f"Auto-Submitted: auto-replied\n"
        f"{extra_headers}"
        f"MIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\n'
        f"\n"
        f"--B1\n"
        f"Content-Type: text/plain; charset=us-ascii\n"
        f"\n"
        f"{human}\n"
        f"\n"
        f"--B1\n"
        f"Content-Type: message/delivery-status\n"
        f"\n"
        f"Reporting-MTA: dns; {mta}\n"
        f"Arrival-Date: Sat, 01 Mar 2025 08:00:01 +0000\n"
        f"\n"
        f"Final-Recipient: rfc822; {rcpt}\n"
        f"Original-Recipient: rfc822;{rcpt}\n"
        f"Action: {action}\n"
        f"Status: {status}\n"
        f"Diagnostic-Code: {diagnostic}\n"
        f"\n"
        f"--B1\n"
        f"Content-Type: text/rfc822-headers\n"
        f"\n"
        f"{headers}"
        f"\n"
        f"--B1--\n"
    )


def postfix_user_unknown(verp: str, rcpt: str) -> bytes:
    return _dsn(
        verp=verp,
        rcpt=rcpt,
        mta="mx1.example.net",
        from_="MAILER-DAEMON@mx1.example.net (Mail Delivery System)",
        subject="Undelivered Mail Returned to Sender",
        human="This is the mail system at host mx1.example.net.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients.\n\n"
        f"<{rcpt}>: host mx.example.net said: 550 5.1.1 <{rcpt}>:\n"
        "    Recipient address rejected: User unknown in local recipient table",
        action="failed",
        status="5.1.1",
        diagnostic=f"smtp; 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown",
    )


def exim_dsn_no_such_user(verp: str, rcpt: str) -> bytes:
    # Exim puts 5.0.0 in Status and the real code in the diagnostic.
    return _dsn(
        verp=verp,
        rcpt=rcpt,
        mta="mail.example.com",
        from_="Mail Delivery System <Mailer-Daemon@mail.example.com>",
        subject="Mail delivery failed: returning message to sender",
        human="This message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error.",
        action="failed",
        status="5.0.0",
        diagnostic="smtp; 550 5.1.1 No Such User Here",
        extra_headers=f"X-Failed-Recipients: {rcpt}\n",
    )


def gmail_does_not_exist(verp: str, rcpt: str) -> bytes:
    return _dsn(
        verp=verp,
        rcpt=rcpt,
        mta="googlemail.com",
        from_="Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        subject="Delivery Status Notification (Failure)",
        human="Address not found\n\nYour message wasn't delivered to "
        f"{rcpt} because the address couldn't be found, or is unable to receive mail.",
        action="failed",
        status="5.1.1",
        diagnostic="smtp; 550-5.1.1 The email account that you tried to reach does not exist.",
    )


def gmail_over_quota(verp: str, rcpt: str) -> bytes:
    return _dsn(
        verp=verp,
        rcpt=rcpt,
        mta="googlemail.com",
        from_="Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        subject="Delivery Status Notification (Failure)",
        human=f"Your message couldn't be delivered to {rcpt} because the mailbox is full.",
        action="failed",
        status="5.2.2",
        diagnostic="smtp; 552-5.2.2 The email account that you tried to reach is over quota.",
    )


def microsoft_recipient_not_found(verp: str, rcpt: str) -> bytes:
    return _dsn(
        verp=verp,
        rcpt=rcpt,
        mta="AM6PR01MB1234.eurprd01.prod.outlook.com",
        from_="Microsoft Outlook <postmaster@outlook.com>",
        subject="Undeliverable: Reminder: Regional review in 1 day",
        human="Your message to the recipient couldn't be delivered.\n"
        "The email address wasn't found at the destination domain.",
        action="failed",
        status="5.1.10",
        diagnostic="smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
        "Recipient not found by SMTP address lookup",
    )


def microsoft_blocked_as_spam(verp: str, rcpt: str) -> bytes:
    # A policy block is about the sender, not a dead address.
    return _dsn(
        verp=verp,
        rcpt=rcpt,
        mta="DB8PR01MB5678.eurprd01.prod.outlook.com",
        from_="Microsoft Outlook <postmaster@outlook.com>",
        subject="Undeliverable: Reminder: Regional review in 1 day",
        human="Your message couldn't be delivered because it was blocked.",
        action="failed",
        status="5.7.1",
        diagnostic="smtp;550 5.7.1 Service unavailable, Client host blocked using Spamhaus",
    )


def postfix_delayed(verp: str, rcpt: str) -> bytes:
    return _dsn(
        verp=verp,
        rcpt=rcpt,
        mta="mx1.example.net",
        from_="MAILER-DAEMON@mx1.example.net (Mail Delivery System)",
        subject="Delayed Mail (still being retried)",
        human="This is the mail system at host mx1.example.net.\n\n"
        "####################################################################\n"
        "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
        "####################################################################",
        action="delayed",
        status="4.4.1",
        diagnostic="X-Postfix; connect to mx.example.net[192.0.2.7]:25: Connection timed out",
    )


def qmail_no_mailbox(verp: str, rcpt: str) -> bytes:
    headers = ORIGINAL_HEADERS.format(verp=verp, rcpt=rcpt)
    return _crlf(
        f"Return-Path: <>\n"
        f"Delivered-To: {verp}\n"
        f"From: MAILER-DAEMON@mail.example.com\n"
        f"To: {verp}\n"
        f"Subject: failure notice\n"
        f"Date: Sat, 01 Mar 2025 08:00:05 -0000\n"
        f"\n"
        f"Hi. This is the qmail-send program at mail.example.com.\n"
        f"I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        f"This is a permanent error; I've given up. Sorry it didn't work out.\n"
        f"\n"
        f"<{rcpt}>:\n"
        f"Sorry, no mailbox here by that name. (#5.1.1)\n"
        f"\n"
        f"--- Below this line is a copy of the message.\n"
        f"\n"
        f"{headers}\n"
        f"Reminder text.\n"
    )


def exim_quota_exceeded(verp: str, rcpt: str) -> bytes:
    # Old Exim text bounce: permanent in Exim's eyes, yet only a full mailbox.
    headers = ORIGINAL_HEADERS.format(verp=verp, rcpt=rcpt)
    return _crlf(
        f"Return-path: <>\n"
        f"Envelope-to: {verp}\n"
        f"From: Mail Delivery System <Mailer-Daemon@mail.example.com>\n"
        f"To: {verp}\n"
        f"Subject: Mail delivery failed: returning message to sender\n"
        f"X-Failed-Recipients: {rcpt}\n"
        f"Auto-Submitted: auto-replied\n"
        f"\n"
        f"This message was created automatically by mail delivery software.\n"
        f"\n"
        f"A message that you sent could not be delivered to one or more of its\n"
        f"recipients. This is a permanent error. The following address(es) failed:\n"
        f"\n"
        f"  {rcpt}\n"
        f"    Mailbox quota exceeded\n"
        f"\n"
        f"------ This is a copy of the message, including all the headers. ------\n"
        f"\n"
        f"{headers}\n"
        f"Reminder text.\n"
    )


def yahoo_no_account(verp: str, rcpt: str) -> bytes:
    return _crlf(
        f"Delivered-To: {verp}\n"
        f"From: MAILER-DAEMON@yahoo.com\n"
        f"To: {verp}\n"
        f"Subject: Failure Notice\n"
        f"\n"
        f"Sorry, we were unable to deliver your message to the following address.\n"
        f"\n"
        f"<{rcpt}>:\n"
        f"554: delivery error: dd This user doesn't have a yahoo.com account ({rcpt}) [0]\n"
        f"\n"
        f"--- Below this line is a copy of the message.\n"
        f"\n"
        f"Return-Path: <{verp}>\n"
    )


def _arf(verp: str, rcpt: str, *, from_: str, feedback_type: str, agent: str) -> bytes:
    headers = ORIGINAL_HEADERS.format(verp=verp, rcpt=rcpt)
    return _crlf(
        f"From: {from_}\n"
        f"To: fbl@gcm.example.org\n"
        f"Subject: FW: Reminder: Regional review in 1 day\n"
        f"Date: Sun, 02 Mar 2025 10:00:00 +0000\n"
        f"MIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type=feedback-report; boundary="F1"\n'
        f"\n"
        f"--F1\n"
        f"Content-Type: text/plain; charset=us-ascii\n"
        f"\n"
        f"This is an email abuse report for an email message received from IP 192.0.2.25.\n"
        f"\n"
        f"--F1\n"
        f"Content-Type: message/feedback-report\n"
        f"\n"
        f"Feedback-Type: {feedback_type}\n"
        f"User-Agent: {agent}\n"
        f"Version: 1\n"
        f"Original-Mail-From: <{verp}>\n"
        f"Source-IP: 192.0.2.25\n"
        f"Arrival-Date: Sat, 01 Mar 2025 08:00:01 +0000\n"
        f"\n"
        f"--F1\n"
        f"Content-Type: message/rfc822\n"
        f"Content-Disposition: inline\n"
        f"\n"
        f"{headers}"
        f"\n"
        f"Reminder text.\n"
        f"\n"
        f"--F1--\n"
    )


def yahoo_complaint(verp: str, rcpt: str) -> bytes:
    return _arf(
        verp,
        rcpt,
        from_="feedback@arf.mail.yahoo.com",
        feedback_type="abuse",
        agent="Yahoo!-Mail-Feedback/2.0",
    )


def microsoft_jmrp_complaint(verp: str, rcpt: str) -> bytes:
    return _arf(verp, rcpt, from_="staff@hotmail.com", feedback_type="abuse", agent="Hotmail FBL")


def mailru_complaint(verp: str, rcpt: str) -> bytes:
    return _arf(
        verp, rcpt, from_="fbl@corp.mail.ru", feedback_type="abuse", agent="Mail.Ru FBL/1.0"
    )


def dmarc_auth_failure_report(verp: str, rcpt: str) -> bytes:
    # An RFC 6591 failure report is about authentication, not a person's complaint.
    return _arf(
        verp, rcpt, from_="dmarc-noreply@example.net", feedback_type="auth-failure", agent="DMARC"
    )


def exchange_out_of_office(verp: str, rcpt: str) -> bytes:
    return _crlf(
        f"Delivered-To: {verp}\n"
        f"From: Ana Pérez <{rcpt}>\n"
        f"To: {verp}\n"
        f"Subject: =?utf-8?q?Respuesta_autom=C3=A1tica=3A_Reminder?=\n"
        f"Auto-Submitted: auto-replied\n"
        f"X-Auto-Response-Suppress: All\n"
        f"X-MS-Exchange-Inbox-Rules-Loop: {rcpt}\n"
        f"Content-Type: text/plain; charset=utf-8\n"
        f"\n"
        f"Estoy fuera de la oficina hasta el 10 de marzo.\n"
    )


def unix_vacation(verp: str, rcpt: str) -> bytes:
    return _crlf(
        f"Delivered-To: {verp}\n"
        f"From: {rcpt}\n"
        f"To: {verp}\n"
        f"Subject: Out of Office: Reminder: Regional review in 1 day\n"
        f"Precedence: junk\n"
        f"\n"
        f"I am away until Monday and will read your message when I return.\n"
    )


def reply_by_a_person(verp: str, rcpt: str) -> bytes:
    return _crlf(
        f"Delivered-To: {verp}\n"
        f"From: {rcpt}\n"
        f"To: {verp}\n"
        f"Subject: Re: Reminder: Regional review in 1 day\n"
        f"\n"
        f"Thanks, will the session be streamed?\n"
    )


#: name → (builder, the kind `bounces scan` must find)
SAMPLES: dict[str, tuple[Builder, str]] = {
    "postfix-user-unknown": (postfix_user_unknown, "permanent"),
    "exim-dsn-no-such-user": (exim_dsn_no_such_user, "permanent"),
    "gmail-does-not-exist": (gmail_does_not_exist, "permanent"),
    "microsoft-recipient-not-found": (microsoft_recipient_not_found, "permanent"),
    "qmail-no-mailbox": (qmail_no_mailbox, "permanent"),
    "yahoo-no-account": (yahoo_no_account, "permanent"),
    "gmail-over-quota": (gmail_over_quota, "temporary"),
    "exim-quota-exceeded": (exim_quota_exceeded, "temporary"),
    "microsoft-blocked-as-spam": (microsoft_blocked_as_spam, "temporary"),
    "postfix-delayed": (postfix_delayed, "temporary"),
    "yahoo-complaint": (yahoo_complaint, "complaint"),
    "microsoft-jmrp-complaint": (microsoft_jmrp_complaint, "complaint"),
    "mailru-complaint": (mailru_complaint, "complaint"),
    "dmarc-auth-failure-report": (dmarc_auth_failure_report, "other"),
    "exchange-out-of-office": (exchange_out_of_office, "auto-reply"),
    "unix-vacation": (unix_vacation, "auto-reply"),
    "reply-by-a-person": (reply_by_a_person, "other"),
}
