"""The public-service pages: sensible defaults for everyone, edited by the secretariat in
markdown, and the privacy notice linked from the forms that collect personal data."""

from __future__ import annotations

from collections.abc import Callable

from tests.client import HubClient, error_summary
from tests.factories import World
from workspace.settings import Settings

Open = Callable[[str], HubClient]


def test_each_page_has_a_default_text(as_role: Open) -> None:
    visitor = as_role("visitor")
    expected = {
        "/help": "Help",
        "/accessibility": "Accessibility statement",
        "/privacy": "Privacy notice",
        "/cookies": "Cookies",
    }
    for path, title in expected.items():
        page = visitor.page(path)
        h1 = page.find("h1")
        assert h1 is not None
        assert h1.get_text(strip=True) == title
        text = page.find(id="page-text")
        assert text is not None
        assert text.find(["h2", "table"]) is not None, path
        assert page.find("a", string="Edit this page") is None
    cookies = visitor.page("/cookies").select(
        "#page-text table tbody tr th, #page-text table tbody tr td:first-child"
    )
    names = [cell.get_text(strip=True) for cell in cookies]
    assert names == ["ss_session", "ss_csrf", "ss_flash", "lang"]


def test_the_secretariat_edits_a_page_and_can_go_back_to_the_default(
    world: World, as_role: Open
) -> None:
    admin = as_role("secretariat")
    assert admin.page("/help").find("a", string="Edit this page") is not None
    form = admin.page("/help/edit").find("textarea", attrs={"name": "body"})
    assert form is not None
    assert "Finding your way" in form.get_text()
    saved = admin.submit("/help/edit", {"body": "## Ask us\n\nCall **0300 123 4567**."})
    assert saved.status_code == 303
    page = as_role("visitor").page("/help")
    text = page.find(id="page-text")
    assert text is not None
    heading = text.find("h2")
    assert heading is not None
    assert heading.get_text() == "Ask us"
    strong = text.find("strong")
    assert strong is not None
    assert strong.get_text() == "0300 123 4567"
    reset = admin.submit("/help/edit", {"reset": "default", "body": ""})
    assert reset.status_code == 303
    back = as_role("visitor").page("/help").find(id="page-text")
    assert back is not None
    assert next(h.get_text() for h in back.find_all("h2")) == "Finding your way"


def test_an_empty_text_is_refused_with_an_error_summary(world: World, as_role: Open) -> None:
    admin = as_role("secretariat")
    response = admin.submit("/privacy/edit", {"body": "   "})
    assert response.status_code == 400
    from tests.client import soup

    assert error_summary(soup(response.text)) == ["Enter the text of the page"]


def test_markdown_cannot_carry_script(world: World, as_role: Open) -> None:
    admin = as_role("secretariat")
    admin.submit("/cookies/edit", {"body": "<script>alert(1)</script> [x](javascript:alert(1))"})
    page = as_role("visitor").page("/cookies")
    text = page.find(id="page-text")
    assert text is not None
    assert text.find("script") is None
    assert all(not str(a.get("href", "")).startswith("javascript") for a in text.find_all("a"))


def test_forms_collecting_personal_data_link_the_privacy_notice(as_role: Open) -> None:
    page = as_role("visitor").page("/account/register")
    form = page.find("main")
    assert form is not None
    assert form.find("a", href="/privacy") is not None


def test_the_privacy_notice_ends_with_what_the_settings_enforce(
    as_role: Open, settings: Settings
) -> None:
    """However the secretariat words the notice, the retention periods shown are the ones
    the worker applies, and the rule for closing an account is stated."""
    admin = as_role("secretariat")
    admin.submit("/privacy/edit", {"body": "## Who we are\n\nThe hub secretariat."})
    page = as_role("visitor").page("/privacy")
    retention = [li.get_text(" ", strip=True) for li in page.select("#retention li")]
    assert retention[0].startswith(
        f"Sign-ins that have ended: deleted {settings.retention_session_days} days"
    )
    closing = [li.get_text(" ", strip=True) for li in page.select("#closing-rule li")]
    assert any("Former participant" in item for item in closing)
    data_link = page.select_one("#enforced-rules a[href='/account/data']")
    assert data_link is not None
