"""A real SMTP server for tests (aiosmtpd), keeping every message it accepts, parsed."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from sharedspace.app import create_app
from tests.factories import World, build_world
from workspace.runtime import Runtime
from workspace.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sink:
    """aiosmtpd handler: stores each accepted message. `on_data(n)` runs before the n-th
    (1-based) message is answered: a test kills a worker there, between send and commit."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.on_data: Callable[[int], None] | None = None
        self.refuse_next = 0  # answer this many messages with a 451 (try again later)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refuse_next:
                self.refuse_next -= 1
                return "451 4.3.0 Try again later"
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.messages.append(parsed)
            count = len(self.messages)
        if self.on_data is not None:
            self.on_data(count)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@contextmanager
def smtp_server() -> Iterator[tuple[Sink, str]]:
    """A running SMTP server and the `SMTP_URL` that reaches it."""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain text and HTML bodies of a multipart/alternative message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return str(text.get_content()), str(html.get_content())


@contextmanager
def mailed_hub(settings: Settings) -> Iterator[tuple[Any, Runtime, World, Sink]]:
    """The app sending its mail by SMTP to a fresh sink, with the standard test world:
    (app, runtime, world, sink). The queue is run by hand, as everywhere in the tests."""
    with smtp_server() as (sink, url):
        app = create_app(replace(settings, smtp_url=url))
        rt: Runtime = app.state.runtime
        try:
            yield app, rt, build_world(rt), sink
        finally:
            rt.worker.close()
            rt.db.dispose()
