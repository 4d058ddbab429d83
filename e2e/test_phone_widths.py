"""Every page each kind of user can reach fits a phone (issue 14): from the home page,
breadth first by link, each page is measured at 320 and 390 pixels wide, and axe audits
each one (e2e/hub.py). A module of its own, on a demo of its own, so that the crawls
run beside the other wayfinding tests instead of after them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import Browser, Page

from e2e.conftest import DEMO_PASSWORD, _serve
from e2e.hub import Hub


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Crawling as each role reads notifications and other pages that remember being
    read: that stays on this module's own demo."""
    with _serve(tmp_path_factory.mktemp("phone-widths"), ["demo"]) as url:
        yield url


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
    context = browser.new_context(
        base_url=demo_server, viewport={"width": WIDTHS[0], "height": 800}
    )
    hub = Hub(context.new_page(), demo_server)
    key = ROLES[role]
    if key is not None:
        hub.sign_in(f"{key}@demo.sharedspace.test", DEMO_PASSWORD)
    pages, too_wide = _crawl(hub)
    assert len(pages) > 10, pages
    assert too_wide == []
    context.close()
