"""Helpers for the API tests: tokens made through the account page, as a person would."""

from __future__ import annotations

from tests.client import HubClient, soup


def make_token(client: HubClient, scope: str = "read", name: str = "A script") -> str:
    """Make a token on the signed-in person's API tokens page; return it as shown once."""
    response = client.submit("/account/tokens", {"name": name, "scope": scope})
    assert response.status_code == 201, response.text
    shown = soup(response.text).select_one("#new-token [data-token]")
    assert shown is not None
    return shown.get_text().strip()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
