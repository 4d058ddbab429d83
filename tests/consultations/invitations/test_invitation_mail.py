"""Invitation mail through the outbox and the background worker to a real SMTP server
(aiosmtpd): the link in the message is the one that works, once; a reminder follows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from consultations.invitations import service as invitations
from tests.client import HubClient
from tests.consultations.invitations.factories import invite, make_invited
from tests.definitions.factories import viewer_for
from tests.factories import World
from tests.mailserver import Sink, mailed_hub
from workspace.runtime import Runtime
from workspace.settings import Settings


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


@pytest.fixture
def mailed(settings: Settings) -> Iterator[tuple[object, Runtime, World, Sink]]:
    with mailed_hub(settings) as hub:
        yield hub


def test_the_invitation_goes_by_smtp_and_its_link_registers_the_newcomer(
    mailed: tuple[object, Runtime, World, Sink],
) -> None:
    app, rt, world, sink = mailed
    consultation = make_invited(rt, world, "Allowable solutions: by invitation")
    invite(rt, world, consultation, "newcomer@example.org")
    assert sink.to("newcomer@example.org") == []  # queued for the worker, not sent inline
    rt.worker.run_pending()
    [message] = sink.to("newcomer@example.org")
    assert message["Subject"] == f"You are invited to respond: {consultation.title}"
    text = _text(message)
    found = re.search(r"https?://\S+(/invitations/\S+)", text)
    assert found is not None
    with HubClient(app) as newcomer:
        done = newcomer.submit(
            found.group(1),
            {
                "email": "newcomer@example.org",
                "display_name": "Nia Newcomer",
                "password": "a long enough password",
            },
        )
        assert done.status_code == 303
        assert newcomer.get(f"/consultations/{consultation.slug}").status_code == 200
    chair = viewer_for(rt, world.users["chair"])
    invite(rt, world, consultation, "quiet@example.org")
    rt.worker.run_pending()
    assert invitations.do_remind(rt, chair, consultation.id or 0) == 2
    rt.worker.run_pending()
    reminders = [
        m for m in sink.to("quiet@example.org") if str(m["Subject"]).strip().startswith("Reminder")
    ]
    assert len(reminders) == 1
    assert f"/consultations/{consultation.slug}" in _text(reminders[0])
