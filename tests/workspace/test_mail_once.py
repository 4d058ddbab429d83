"""Each message at most once: two `sharedspace worker` processes drain one outbox into a
real SMTP server, and one of them is killed (SIGKILL) after the server took a message
but before the worker could record it as sent. No message arrives twice; none is lost;
the one caught mid-send is left `uncertain`, never resent (workspace/mail.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from sharedspace.app import create_app
from tests.mailserver import smtp_server
from workspace.mail import MailState
from workspace.models import OutboxEmail
from workspace.runtime import Runtime
from workspace.settings import Settings

MESSAGES = 30
ROOT = Path(__file__).resolve().parents[2]


def _pid_of_port(port: int, pids: list[int]) -> int | None:
    """Which of `pids` holds the TCP socket whose local port is `port` (Linux /proc)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                if os.readlink(fd).removeprefix("socket:[").rstrip("]") in inodes:
                    return pid
        except OSError:
            continue
    return None


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sharedspace.cli", "worker", "--threads", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_two_workers_and_a_crash_send_each_message_once(settings: Settings) -> None:
    with smtp_server() as (sink, url):
        settings = replace(settings, smtp_url=url)
        app = create_app(settings)
        rt: Runtime = app.state.runtime
        for n in range(MESSAGES):  # one transaction each: one `mail.send` job each
            with rt.db.write() as unit:
                rt.mailer.queue(unit, f"p{n}@example.org", f"Message {n}", "Hi.", at_once=False)
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "DATA_DIR": settings.data_dir,
            "SECRET_KEY": settings.secret_key,
            "SMTP_URL": url,
            "WORKER_POLL_SECONDS": "0.05",
            "LOG_LEVEL": "WARNING",
        }
        workers = [_worker(env), _worker(env)]
        killed: list[int] = []
        original = sink.handle_DATA

        async def slow_and_deadly(server: Any, session: Any, envelope: Any) -> str:
            answer = await original(server, session, envelope)
            if len(sink.messages) == MESSAGES // 3 and not killed:
                pid = _pid_of_port(session.peer[1], [w.pid for w in workers])
                assert pid is not None
                os.kill(pid, signal.SIGKILL)  # taken by the server, not yet marked sent
                killed.append(pid)
            await asyncio.sleep(0.02)  # slow enough that both workers take turns
            return answer

        sink.handle_DATA = slow_and_deadly  # type: ignore[method-assign]
        deadline = time.monotonic() + 60
        while len(sink.messages) < MESSAGES and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # anything sent twice would arrive now
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGINT)
        for worker in workers:
            worker.wait(timeout=20)
        assert killed, "no worker was killed"
        subjects = [m["Subject"] for m in sink.messages]
        assert sorted(subjects) == sorted(f"Message {n}" for n in range(MESSAGES))
        # The sweep gives up on the message its dead worker left mid-send; never resends it.
        rt.mailer.settings = replace(rt.settings, mail_send_timeout_seconds=0)
        time.sleep(0.01)
        rt.mailer.run_sweep()
        assert len(sink.messages) == MESSAGES
        with rt.db.read() as session:
            states = [row.state for row in session.exec(select(OutboxEmail))]
        assert states.count(MailState.UNCERTAIN) == 1
        assert states.count(MailState.SENT) == MESSAGES - 1
        rt.worker.close()
        rt.db.dispose()
