"""Every kind of user finds their way (issue 14): each role's first minute from the home
page, by link and button names only, on the demo; and every page they can reach fits a
320- and a 390-pixel-wide screen. axe audits every page on the way (e2e/hub.py)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import DEMO_PASSWORD, _serve
from e2e.hub import Hub
from e2e.mailbox import confirm_by_mail

_people = itertools.count(1)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This module's own demo: the member records the position The Climate Group owes,
    which other modules' tests on the shared demo expect to find still missing."""
    with _serve(tmp_path_factory.mktemp("wayfinding"), ["demo"]) as url:
        yield url


def _hub(browser: Browser, base_url: str, **options: object) -> Hub:
    context = browser.new_context(base_url=base_url, **options)  # type: ignore[arg-type]
    return Hub(context.new_page(), base_url)


def _click(hub: Hub, role: str, name: str | re.Pattern[str], **kwargs: object) -> Page:
    """Follow a link or press a button by its accessible name, then audit the new page."""
    with hub.page.expect_navigation():
        hub.page.get_by_role(role, name=name, **kwargs).first.click()  # type: ignore[arg-type]
    hub.audit()
    return hub.page


def _sign_in_from_home(hub: Hub, key: str) -> None:
    hub.goto("/")
    _click(hub, "link", "Sign in", exact=True)
    hub.page.get_by_label("Email address").fill(f"{key}@demo.sharedspace.test")
    hub.page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    _click(hub, "button", "Sign in", exact=True)
    assert urlparse(hub.page.url).path == "/"


def test_the_public_register_respond_and_find_their_response_again(
    browser: Browser, demo_server: str
) -> None:
    hub = _hub(browser, demo_server)
    hub.goto("/")
    _click(hub, "link", "Register", exact=True)
    page = hub.page
    email = f"walker{next(_people)}@example.org"
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Your name").fill("Pat Walker")
    page.get_by_label("Password", exact=True).fill("a good long password")
    _click(hub, "button", "Create account")
    # Registration never says whether the address had an account: try to sign in from
    # there, which is refused until the address is confirmed, then confirm it by mail.
    assert page.locator("h1").inner_text() == "Check your email"
    _click(hub, "link", "Go to sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill("a good long password")
    _click(hub, "button", "Sign in")
    assert "confirm your email address" in page.locator(".govuk-error-summary").inner_text()
    confirm_by_mail(hub, email)
    assert urlparse(page.url).path == "/"  # home, not an empty "My groups"
    assert (
        "Your email address is confirmed" in page.locator(".govuk-notification-banner").inner_text()
    )

    open_list = page.get_by_role("list", name="Open consultations")
    open_list.get_by_role("link").first.click()
    page.wait_for_load_state()
    hub.audit()
    title = page.locator("h1").inner_text()
    _click(hub, "link", "Respond to this consultation")
    page.get_by_role("group", name=re.compile("^1\\. ")).get_by_label("Agree", exact=True).check()
    page.get_by_label("11 kgCO2/m²/yr").check()
    page.get_by_label("As an individual").check()
    page.get_by_label("Yes, but without my name").check()
    expect(
        page.locator("form").get_by_role("link", name="privacy notice", exact=True)
    ).to_have_count(1)
    _click(hub, "button", "Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your response before sending it"
    )
    _click(hub, "button", "Send response")

    _click(hub, "link", "Home", exact=True)
    mine = page.get_by_role("list", name="My responses")
    expect(mine).to_contain_text("Can still be changed")
    with page.expect_navigation():
        mine.get_by_role("link", name=re.compile("^Your response to ")).first.click()
    hub.audit()
    assert "11 kgCO2/m²/yr" in page.locator("main").inner_text()
    assert title.split(" ")[0] in page.locator("main").inner_text()
    hub.assert_no_console_errors()


def test_the_observer_reaches_the_dashboard_in_one_click(
    browser: Browser, demo_server: str
) -> None:
    hub = _hub(browser, demo_server)
    _sign_in_from_home(hub, "observer")
    _click(hub, "button", "Open your observer dashboard")
    assert urlparse(hub.page.url).path == "/dashboard"
    # and from any page, through the menu
    hub.goto("/consultations/")
    _click(hub, "link", "Dashboard", exact=True)
    assert urlparse(hub.page.url).path == "/dashboard"
    hub.assert_no_console_errors()


def test_a_member_finds_the_position_they_owe_and_records_it(
    browser: Browser, demo_server: str
) -> None:
    hub = _hub(browser, demo_server)
    _sign_in_from_home(hub, "climate")
    page = hub.page
    owed = re.compile("^Record The Climate Group's position on ")
    needs = page.get_by_role("list", name="Needs you")
    expect(needs.get_by_role("link", name=owed)).to_have_count(1)
    with page.expect_navigation():
        needs.get_by_role("link", name=owed).click()
    hub.audit()
    expect(page.locator("#signoff-summary")).to_contain_text("The Climate Group outstanding")
    page.get_by_role("group", name=re.compile("^Position on revision")).get_by_label(
        "Support", exact=True
    ).check()
    page.evaluate("() => { window.ssSamePage = true; }")
    _click(hub, "button", "Record position")
    row = page.locator("tr[data-organisation='The Climate Group']")
    expect(row).to_contain_text("Support")
    # recorded in place (htmx): the page was not reloaded, and the notice shows
    assert page.evaluate("() => window.ssSamePage === true")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("position has been recorded")
    _click(hub, "link", "Home", exact=True)
    expect(page.get_by_role("link", name=owed)).to_have_count(0)
    hub.assert_no_console_errors()


# -- no page wider than the screen ---------------------------------------------------

SKIP = re.compile(
    r"\.(ics|atom|csv|json|md|pdf|svg|xml|txt)$|^/static/|^/files/|/export|/download"
    r"|^/account/sign-out|^/notifications/unsubscribe|^/outbox/\d+/html|^/feeds/private/|/file$"
)
MAX_PAGES = 80
# Words run together where a template tag ate the space: "2027by Helen", "OpenCloses".
RUN_ON = re.compile(r"\d(by|Closes|Opens|Ran from) |[a-z](Closes|Opens|Ran from|Published with) ")
WIDTHS = (320, 390)
ROLES = {
    "visitor": None,
    "public": "public",
    "member": "nhbc",
    "chair": "chair",
    "observer": "observer",
    "secretariat": "secretariat",
}


def _crawl(hub: Hub, start: str = "/") -> tuple[list[str], list[str]]:
    """Same-origin pages reachable by links from `start`, breadth first, each measured at
    every width: the pages visited, and those wider than the screen."""
    seen, queue, pages, too_wide = {_shape(start)}, [start], [], []
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        response = hub.page.goto(path)
        if response is None or not response.ok:
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        pages.append(path)
        hub.audit()  # axe on every page each role can reach
        too_wide += _too_wide(hub.page, path)
        too_wide += [
            f"{path}: {m.group(0)!r}" for m in RUN_ON.finditer(hub.page.inner_text("main"))
        ]
        for href in hub.page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"):
            parsed = urlparse(urldefrag(href)[0])
            if parsed.netloc != urlparse(hub.base_url).netloc or SKIP.search(parsed.path):
                continue
            local = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            if _shape(local) not in seen:
                seen.add(_shape(local))
                queue.append(local)
    return pages, too_wide


def _shape(path: str) -> str:
    """Pages of one kind (comment 3, comment 4) are measured once: ids and queries go."""
    return re.sub(r"\d+", "N", path.split("?")[0])


def _too_wide(page: Page, path: str) -> list[str]:
    """Measure the loaded page at each width: nothing may be wider than the screen."""
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        wide = page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        )
        if wide > width:
            culprits = page.evaluate(
                """w => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > w + 1)
                    .slice(-3).map(e => e.tagName + '.' + e.className)""",
                width,
            )
            found.append(f"{path} at {width}: {wide}px {culprits}")
    page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    return found


@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_is_wider_than_a_phone(browser: Browser, demo_server: str, role: str) -> None:
    hub = _hub(browser, demo_server, viewport={"width": WIDTHS[0], "height": 800})
    key = ROLES[role]
    if key is not None:
        hub.sign_in(f"{key}@demo.sharedspace.test", DEMO_PASSWORD)
    pages, too_wide = _crawl(hub)
    assert len(pages) > 10, pages
    assert too_wide == []
