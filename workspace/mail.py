"""Outgoing mail through an outbox table.

A message is stored in the same transaction as the change that needs it (a reset
token, say) and delivered after commit: by SMTP when `SMTP_URL` is set, otherwise
written to `DATA_DIR/mail/` and the log, which is what development needs.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from workspace.db import Database, WriteUnit, utcnow
from workspace.models import OutboxEmail
from workspace.settings import Settings

log = logging.getLogger(__name__)


class Mailer:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db

    def queue(self, unit: WriteUnit, to: str, subject: str, body: str) -> None:
        message = OutboxEmail(to_address=to, subject=subject, body=body)
        unit.session.add(message)
        unit.session.flush()
        message_id = message.id
        unit.after_commit(lambda: self.deliver(message_id))

    def deliver(self, message_id: int | None) -> None:
        with self.db.write() as unit:
            message = unit.session.get(OutboxEmail, message_id)
            if message is None or message.sent_at is not None:
                return
            message.attempts += 1
            try:
                self._send(message)
                message.sent_at = utcnow()
                message.last_error = ""
            except (OSError, smtplib.SMTPException) as error:
                log.warning("mail %s not sent: %s", message_id, error)
                message.last_error = str(error)[:500]
            unit.session.add(message)

    def _send(self, message: OutboxEmail) -> None:
        email = EmailMessage()
        email["From"] = self.settings.mail_from
        email["To"] = message.to_address
        email["Subject"] = message.subject
        email.set_content(message.body)
        if self.settings.smtp_url:
            _send_smtp(self.settings.smtp_url, email)
            return
        folder = Path(self.settings.data_dir) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{message.id:06d}.eml").write_bytes(bytes(email))
        log.info("mail to %s: %s\n%s", message.to_address, message.subject, message.body)


def _send_smtp(url: str, email: EmailMessage) -> None:
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
        client.send_message(email)
