"""A person makes an API token and uses it, reads the API reference, downloads their data
and closes their account; axe on every page on the way."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from e2e.hub import Hub
from e2e.mailbox import confirm_by_mail

PASSWORD = "a good long password"


def _register(hub: Hub, email: str, name: str) -> None:
    hub.goto("/account/register")
    hub.page.get_by_label("Email address").fill(email)
    hub.page.get_by_label("Your name").fill(name)
    hub.page.get_by_label("Password", exact=True).fill(PASSWORD)
    hub.click_and_wait("form button[type=submit]:has-text('Create account')")
    # Registration never says whether the address had an account: confirm it from the
    # mail as a person would, which signs them in.
    assert hub.page.locator("h1").inner_text() == "Check your email"
    confirm_by_mail(hub, email)


def _api_status(server: str, path: str, token: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - our own test server
        server + path, headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310 - our own test server
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def test_token_download_my_data_and_close_my_account(
    new_hub: Callable[..., Hub], server: str, tmp_path: Path
) -> None:
    hub = new_hub()
    _register(hub, "nadia@hbf.example", "Nadia Okafor")
    hub.goto("/account/")
    hub.click_and_wait("a:has-text('Manage your API tokens')")
    hub.page.get_by_label("Name").fill("Members' survey sync")
    hub.page.get_by_label("Read and write").check()
    hub.click_and_wait("form button[type=submit]:has-text('Make token')")
    token = hub.page.locator("#new-token [data-token]").inner_text().strip()
    assert token.startswith("ss_")
    assert _api_status(server, "/api/v1/groups", token) == 200
    hub.goto("/account/tokens")  # last used is now shown
    assert hub.page.locator("#tokens tbody tr td").nth(4).inner_text() != "Never"

    hub.goto("/api/v1/docs")
    assert hub.page.locator("h1").inner_text() == "Shared Space API"
    hub.goto("/privacy")

    hub.goto("/account/data")
    with hub.page.expect_download() as download:
        hub.page.locator("#download-data").click()
    saved = tmp_path / "my-data.zip"
    download.value.save_as(saved)
    data = json.loads(zipfile.ZipFile(saved).read("data.json"))
    assert data["profile"][0]["email"] == "nadia@hbf.example"
    assert [t["name"] for t in data["api_token"]] == ["Members' survey sync"]

    hub.click_and_wait("form button[type=submit]:has-text('Close my account')")
    assert hub.page.locator(".govuk-error-summary").is_visible()  # nothing confirmed yet
    hub.page.get_by_label("I want to close my account").check()
    hub.page.get_by_label("Your password").fill(PASSWORD)
    hub.click_and_wait("form button[type=submit]:has-text('Close my account')")
    assert hub.page.url.rstrip("/") == server.rstrip("/")
    assert _api_status(server, "/api/v1/groups", token) == 401
