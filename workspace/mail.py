"""Outgoing mail through an outbox table, sent at most once.

A message is stored in the same transaction as the change that needs it (a reset token,
a notification) and delivered after commit: by SMTP when `SMTP_URL` is set, otherwise
written to `DATA_DIR/mail/` and the log, which is what development needs.

Each message goes out **at most once**, however many workers try and whenever one dies:

1. **Claim**: a conditional UPDATE moves the row from `queued` to `sending` and counts the
   attempt, in a transaction of its own that commits *before* anything is sent. Of two
   workers reaching for the same row, one claims it; the other sees rowcount 0 and moves on.
2. **Send.** A failure the server answered (a 4xx reply, a refused connection, anything
   before the message's data was handed over) puts the row back to `queued` with
   `next_attempt_at` pushed out exponentially (`MAIL_RETRY_SECONDS` x 2^attempts), until
   `MAIL_MAX_ATTEMPTS`, then `failed`. A 5xx reply is `failed` at once.
3. **Settle**: `sent`, with `sent_at`.

The edge: a worker that dies between handing the data over and settling leaves the row
`sending`. Whether the server took the message cannot be known, so it is never sent
again: after `MAIL_SEND_TIMEOUT_SECONDS` the sweep marks it `uncertain` and logs it, and
the outbox page lists it for the secretariat to look at. Likewise a connection lost
after the data went out, with no reply, is `uncertain`, not retried. Mail that may be
lost is preferred to mail that may be doubled (docs/notifications.md).
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import ColumnElement, insert, or_, update
from sqlmodel import col, select

from workspace.db import Database, WriteUnit, utcnow
from workspace.hooks import Job, PeriodicJob
from workspace.models import OutboxEmail
from workspace.settings import Settings

log = logging.getLogger(__name__)
SWEEP_BATCH = 500


class MailState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNCERTAIN = "uncertain"


class Ambiguous(Exception):
    """The message's data went to the server and no answer came back: it may have been
    taken. Never retried (at most once)."""


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    body: str
    html: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)


class Mailer:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        # Wakes a worker to send what `queue(..., at_once=False)` left (set by the runtime).
        self.wake: Callable[[], None] = lambda: None
        self.job = Job("mail.send", self.send_due)
        self.sweep = PeriodicJob("mail.sweep", self.run_sweep, minutes=1)

    def queue(
        self,
        unit: WriteUnit,
        to: str,
        subject: str,
        body: str,
        *,
        html: str = "",
        headers: Mapping[str, str] | None = None,
        at_once: bool = True,
    ) -> int:
        """Store a message in this transaction; the outbox id. After commit it is sent at
        once on this thread (someone is waiting for it: a reset link), or, with
        `at_once=False`, by the background worker (notifications, digests)."""
        message = OutboxEmail(
            to_address=to,
            subject=subject[:200],
            body=body,
            html_body=html,
            headers=json.dumps(dict(headers or {})),
        )
        unit.session.add(message)
        unit.session.flush()
        message_id = message.id or 0
        if at_once:
            unit.after_commit(lambda: self._deliver_quietly(message_id))
        else:
            unit.after_commit_once("mail.wake", lambda: self.wake())
        return message_id

    def queue_many(self, unit: WriteUnit, messages: Sequence[OutgoingMail]) -> list[int]:
        """`queue(..., at_once=False)` for many messages in one statement (digests); their
        outbox ids, in order."""
        if not messages:
            return []
        now = utcnow()
        rows = [
            {
                "to_address": m.to,
                "subject": m.subject[:200],
                "body": m.body,
                "html_body": m.html,
                "headers": json.dumps(dict(m.headers)),
                "created_at": now,
                "state": MailState.QUEUED,
                "attempts": 0,
                "last_error": "",
            }
            for m in messages
        ]
        statement = insert(OutboxEmail).returning(col(OutboxEmail.id), sort_by_parameter_order=True)
        ids = [int(i or 0) for i in unit.session.connection().execute(statement, rows).scalars()]
        unit.after_commit_once("mail.wake", lambda: self.wake())
        return ids

    # -- delivering ---------------------------------------------------------------------

    def deliver(self, message_id: int | None) -> bool:
        """Claim, send and settle one message; False when it was not this call's to send
        (already claimed, sent, or not due yet)."""
        now = utcnow()
        message = self._claim(message_id or 0, now)
        if message is None:
            return False
        try:
            self._send(message)
        except Ambiguous as error:
            log.error("mail %s may or may not have been sent: %s", message_id, error)
            self._settle(message, MailState.UNCERTAIN, error=str(error))
        except (OSError, smtplib.SMTPException) as error:
            log.warning("mail %s not sent: %s", message_id, error)
            self._settle(message, *self._after_failure(message, error, now), error=str(error))
        else:
            self._settle(message, MailState.SENT, sent_at=utcnow())
        return True

    def _deliver_quietly(self, message_id: int) -> None:
        self.deliver(message_id)

    def _claim(self, message_id: int, now: datetime) -> OutboxEmail | None:
        with self.db.write() as unit:
            claimed = unit.session.execute(
                update(OutboxEmail)
                .where(
                    col(OutboxEmail.id) == message_id,
                    col(OutboxEmail.state) == MailState.QUEUED,
                    _due(now),
                )
                .values(
                    state=MailState.SENDING,
                    claimed_at=now,
                    attempts=col(OutboxEmail.attempts) + 1,
                )
            ).rowcount  # type: ignore[attr-defined]
            if not claimed:
                return None
            return unit.session.get(OutboxEmail, message_id, populate_existing=True)

    def _after_failure(
        self, message: OutboxEmail, error: Exception, now: datetime
    ) -> tuple[MailState, datetime | None]:
        permanent = isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500
        if permanent or message.attempts >= self.settings.mail_max_attempts:
            return MailState.FAILED, None
        delay = self.settings.mail_retry_seconds * 2 ** (message.attempts - 1)
        return MailState.QUEUED, now + timedelta(seconds=delay)

    def _settle(
        self,
        message: OutboxEmail,
        state: MailState,
        retry_at: datetime | None = None,
        *,
        error: str = "",
        sent_at: datetime | None = None,
    ) -> None:
        with self.db.write() as unit:
            unit.session.execute(
                update(OutboxEmail)
                .where(col(OutboxEmail.id) == message.id, col(OutboxEmail.state) == "sending")
                .values(
                    state=state, next_attempt_at=retry_at, last_error=error[:500], sent_at=sent_at
                )
            )

    # -- the worker's jobs ----------------------------------------------------------------

    def send_due(self) -> int:
        """Send every queued message that is due; the number this call sent or settled.
        Several workers may run it at once: each message is claimed by one."""
        done = 0
        while True:
            with self.db.read() as session:
                ids = session.exec(
                    select(OutboxEmail.id)
                    .where(col(OutboxEmail.state) == MailState.QUEUED, _due(utcnow()))
                    .order_by(col(OutboxEmail.id))
                    .limit(SWEEP_BATCH)
                ).all()
            if not ids:
                return done
            attempted = sum(self.deliver(message_id) for message_id in ids)
            done += attempted
            if attempted == 0:
                return done  # every one was another worker's

    def run_sweep(self) -> None:
        """Every minute: give up on claims older than the send timeout (their worker
        died mid-send: `uncertain`), then send what is due (retries after back-off)."""
        cutoff = utcnow() - timedelta(seconds=self.settings.mail_send_timeout_seconds)
        with self.db.write() as unit:
            stuck = unit.session.execute(
                update(OutboxEmail)
                .where(
                    col(OutboxEmail.state) == MailState.SENDING,
                    col(OutboxEmail.claimed_at) < cutoff,
                )
                .values(state=MailState.UNCERTAIN, last_error="the worker stopped while sending")
            ).rowcount  # type: ignore[attr-defined]
        if stuck:
            log.error("%d message(s) left mid-send by a stopped worker: not resent", stuck)
        self.send_due()

    # -- composing and sending -------------------------------------------------------------

    def compose(self, message: OutboxEmail) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.settings.mail_from
        email["To"] = message.to_address
        email["Subject"] = message.subject
        email["Date"] = format_datetime(utcnow())
        host = urlsplit(self.settings.base_url).hostname or "localhost"
        # Stable per outbox row, so a receiving system can recognise the same message.
        email["Message-ID"] = make_msgid(f"outbox-{message.id}", domain=host)
        for name, value in json.loads(message.headers or "{}").items():
            email[name] = value
        email.set_content(message.body)
        if message.html_body:
            email.add_alternative(message.html_body, subtype="html")
        return email

    def _send(self, message: OutboxEmail) -> None:
        email = self.compose(message)
        if self.settings.smtp_url:
            _send_smtp(self.settings.smtp_url, email)
            return
        folder = Path(self.settings.data_dir) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{message.id:06d}.eml").write_bytes(bytes(email))
        log.info("mail to %s: %s\n%s", message.to_address, message.subject, message.body)


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(col(OutboxEmail.next_attempt_at).is_(None), col(OutboxEmail.next_attempt_at) <= now)


def _send_smtp(url: str, email: EmailMessage) -> None:
    """One SMTP conversation. Failures before the data is handed over are plain errors
    (retried); a lost connection after it, with no reply, is `Ambiguous`."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, context=ssl.create_default_context(), timeout=20
        )
    else:
        client = smtplib.SMTP(host, parts.port or 587, timeout=20)
    with client:
        if parts.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        sender = email["From"].addresses[0].addr_spec
        recipients = [a.addr_spec for a in email["To"].addresses]
        client.ehlo_or_helo_if_needed()
        code, reply = client.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        for recipient in recipients:
            code, reply = client.rcpt(recipient)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        try:
            code, reply = client.data(email.as_bytes(policy=SMTP))  # CRLF line ends
        except smtplib.SMTPDataError:
            raise  # the server answered: not taken
        except (OSError, smtplib.SMTPServerDisconnected) as lost:
            raise Ambiguous(f"connection lost after the data was sent: {lost}") from lost
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)  # answered: not taken
