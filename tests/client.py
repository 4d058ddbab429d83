"""A test client that behaves like a browser: keeps cookies, sends the page's CSRF token."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from workspace import auth
from workspace.models import User
from workspace.runtime import Runtime


class HubClient(TestClient):
    def __init__(self, app: Any) -> None:
        super().__init__(app, base_url="http://testserver", follow_redirects=False)
        self.rt: Runtime = app.state.runtime

    def csrf_token(self) -> str:
        """The token a page would embed; fetching any page sets the CSRF cookie."""
        if "ss_csrf" not in self.cookies:
            self.get("/healthz")
            self.get("/")
        page = self.get("/")
        meta = soup(page.text).find("meta", attrs={"name": "csrf-token"})
        assert meta is not None
        return str(meta["content"])

    def submit(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST a form the way a page would, with its CSRF token."""
        body = dict(data or {})
        body.setdefault("csrf_token", self.csrf_token())
        return self.post(path, data=body, **kwargs)

    def sign_in_as(self, user: User) -> None:
        assert user.id is not None
        with self.rt.db.write() as unit:
            token = auth.start_session(unit, user.id, 1, "tests")
        self.cookies.set(auth.SESSION_COOKIE, token)

    def page(self, path: str, status: int = 200) -> BeautifulSoup:
        response = self.get(path)
        assert response.status_code == status, (path, response.status_code)
        return soup(response.text)


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def error_summary(page: BeautifulSoup) -> list[str]:
    box = page.select_one(".govuk-error-summary")
    if box is None:
        return []
    return [li.get_text(" ", strip=True) for li in box.select(".govuk-error-summary__list li")]
