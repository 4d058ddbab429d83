"""Read the mail the hub sent in a test: the file transport writes one .eml per message
under DATA_DIR/mail, named by outbox id, so sorting them gives the sending order."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from pathlib import Path

from workspace.runtime import Runtime


@dataclass(frozen=True)
class Sent:
    to: str
    subject: str
    text: str

    def link(self, fragment: str) -> str:
        """The path of the first link in the message that contains `fragment`."""
        line = next(line for line in self.text.splitlines() if fragment in line)
        return "/" + line.strip().split("://", 1)[1].split("/", 1)[1]


def sent_mail(rt: Runtime) -> list[Sent]:
    folder = Path(rt.settings.data_dir) / "mail"
    messages = []
    for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""  # type: ignore[union-attr]
        messages.append(Sent(str(message["To"]), str(message["Subject"]), text))
    return messages
