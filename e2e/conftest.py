"""Browser tests: a real uvicorn server on a free port with a fresh database, driven by
Chromium through Playwright. axe-core audits every page a test visits."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from e2e.hub import Hub
from e2e.mailbox import DATA_DIRS

ROOT = Path(__file__).resolve().parent.parent
ADMIN_EMAIL = "secretariat@hub.example"
ADMIN_PASSWORD = "secretariat password 1"
DEMO_PASSWORD = "demo password 1"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not start:\n{log.read_text()}")


@contextmanager
def _serve(data: Path, setup: list[str], stdin: bytes = b"") -> Iterator[str]:
    """Run `sharedspace <setup>` against a fresh database in `data`, then serve it."""
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{data / 'hub.db'}",
        "DATA_DIR": str(data),
        "BASE_URL": f"http://127.0.0.1:{port}",
        "ARGON2_FAST": "1",
        "DEMO_PASSWORD": DEMO_PASSWORD,
        # Every test signs people in from 127.0.0.1; the limits have their own tests.
        "SIGNIN_LIMIT_PER_IP": "1000",
        "REGISTER_LIMIT_PER_IP": "1000",
        # The secretariat's second factor is tested on its own (tests/workspace,
        # e2e/test_two_factor.py); elsewhere the admin signs in with a password only.
        "TWO_FACTOR_REQUIRED": "0",
    }
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [bin_dir / "sharedspace", *setup], input=stdin, env=env, check=True, capture_output=True
    )
    log = data / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "sharedspace.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    DATA_DIRS[url] = data  # where its mail lands (e2e/mailbox.py)
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
    errors = [line for line in log.read_text().splitlines() if "Traceback" in line]
    assert errors == [], log.read_text()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _serve(
        tmp_path_factory.mktemp("server"),
        ["create-admin", ADMIN_EMAIL, "Sam Secretariat", "--password-stdin"],
        ADMIN_PASSWORD.encode(),
    ) as url:
        yield url


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second server loaded with the Zero Carbon Hub demo (`sharedspace demo`);
    every demo account's password is DEMO_PASSWORD."""
    with _serve(tmp_path_factory.mktemp("demo"), ["demo"]) as url:
        yield url


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    executable = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE") or None
    browser = playwright_instance.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()


@pytest.fixture
def new_hub(browser: Browser, server: str) -> Iterator:  # type: ignore[type-arg]
    """Open a fresh browser context (a separate person) as a Hub driver."""
    contexts: list[BrowserContext] = []
    hubs: list[Hub] = []

    def open_hub(*, javascript: bool = True) -> Hub:
        context = browser.new_context(base_url=server, java_script_enabled=javascript)
        contexts.append(context)
        page: Page = context.new_page()
        hub = Hub(page, server, audit=javascript)
        hubs.append(hub)
        return hub

    yield open_hub
    for hub in hubs:
        hub.assert_no_console_errors()
    for context in contexts:
        context.close()
