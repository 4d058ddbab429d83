"""The mail an e2e server sent, read as a person reads their inbox. With no `SMTP_URL`
the server's worker writes each message to DATA_DIR/mail/<outbox id>.eml; `_serve`
(conftest.py) records each server's DATA_DIR here under its URL."""

from __future__ import annotations

import re
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from e2e.hub import Hub

DATA_DIRS: dict[str, Path] = {}


def mail_to(server: str, to: str, contains: str = "", timeout: float = 15) -> EmailMessage:
    """The newest message to `to` whose text holds `contains`; the background worker
    sends it after the request's commit, so wait for it."""
    folder = DATA_DIRS[server] / "mail"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [
            message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(folder.glob("*.eml"))
        ]
        mine = [m for m in found if m["To"] == to and contains in text_of(m)]  # type: ignore[arg-type]
        if mine:
            message = mine[-1]
            assert isinstance(message, EmailMessage)
            return message
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to} containing {contains!r}")


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def confirm_by_mail(hub: Hub, email: str) -> None:
    """Open the confirmation link mailed to `email` and press its button: the address is
    confirmed and the person signed in, on the home page."""
    message = mail_to(hub.base_url, email, "/account/confirm/")
    link = re.search(r"https?://\S+(/account/confirm/\S+)", text_of(message))
    assert link is not None
    hub.goto(link.group(1))
    hub.click_and_wait("main form button:has-text('Confirm and sign in')")
