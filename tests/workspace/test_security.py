"""Bad input and hostile requests: always a clear 4xx, never a 500."""

from __future__ import annotations

from tests.client import HubClient, soup
from tests.mailbox import sent_mail
from workspace.markdown import render_markdown
from workspace.runtime import Runtime


def test_pages_carry_a_strict_content_security_policy(client: HubClient) -> None:
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert "HX-Request" in response.headers["vary"]
    page = soup(response.text)
    inline = [s for s in page.find_all("script") if not s.get("src")]
    assert inline == []
    assert page.find(attrs={"style": True}) is None


def test_oversized_form_gets_a_413_page(client: HubClient) -> None:
    token = client.csrf_token()
    response = client.post(
        "/account/register", data={"csrf_token": token, "display_name": "x" * 10_000_000}
    )
    assert response.status_code == 413
    assert soup(response.text).select_one("h1").get_text() == "What you sent is too large"


def test_invalid_utf8_gets_a_400_page(client: HubClient) -> None:
    token = client.csrf_token()
    body = f"csrf_token={token}&display_name=%ff%fe&email=a".encode()
    response = client.post(
        "/account/register",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert "not valid UTF-8" in soup(response.text).select_one("main").get_text()


def test_nul_bytes_are_dropped_not_stored(client: HubClient, rt: Runtime) -> None:
    response = client.submit(
        "/account/register",
        {"email": "nul@example.org", "display_name": "Nu\x00ll", "password": "long enough pass"},
    )
    assert response.status_code == 200  # "Check your email" (no account enumeration)
    [mail] = sent_mail(rt)
    assert client.submit(mail.link("/account/confirm/")).status_code == 303
    signed_in = client.submit(
        "/account/sign-in", {"email": "nul@example.org", "password": "long enough pass"}
    )
    assert signed_in.status_code == 303
    assert "Null" in client.page("/account/").select_one(".govuk-summary-list").get_text()


def test_unknown_ids_and_paths_are_404_pages(client: HubClient) -> None:
    for path in (
        "/groups/no-such-group",
        "/groups/no-such-group/edit",
        "/nowhere",
        "/account/password-reset/abc",
    ):
        response = client.get(path)
        assert response.status_code in (303, 404), path
    page = client.page("/groups/no-such-group", status=404)
    assert page.select_one("h1").get_text() == "Page not found"
    assert page.select_one("a.ss-header__brand") is not None  # same design as the site


def test_wrong_method_is_a_405_page(client: HubClient) -> None:
    response = client.get("/account/sign-out")
    assert response.status_code == 405
    assert soup(response.text).select_one("h1") is not None


def test_api_style_requests_get_json_problems(client: HubClient) -> None:
    response = client.get("/nowhere", headers={"accept": "application/json"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_mangled_cookie_header_is_ignored(client: HubClient) -> None:
    response = client.get("/", headers={"cookie": 'ss_session="\\x; ;;=='})
    assert response.status_code == 200


def test_markdown_drops_raw_html_and_unsafe_links() -> None:
    html = render_markdown(
        "<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](https://example.org) "
        "[z](data:text/html;base64,xx) <img src=x onerror=alert(1)>"
    )
    page = soup(html)
    assert page.find("script") is None
    assert page.find("img") is None
    links = page.find_all("a")
    assert [a["href"] for a in links] == ["https://example.org"]
    assert links[0]["rel"] == ["nofollow", "ugc", "noopener"]
    assert "&lt;script&gt;" in html
