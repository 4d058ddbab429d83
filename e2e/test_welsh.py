"""Cymraeg in Chromium (issue 18, item 4): switch to Welsh from the header, sign in and
complete a response to the demo's open consultation in Welsh. Every page says
`<html lang="cy">`, the switcher names each language in itself with its `lang`, the
`hreflang` alternates are there, what the person wrote stays as written, and axe audits
each page (e2e/hub.py).

Controls are found by what does not change with the language (names, values, ids), so
the test holds whichever texts are translated."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from e2e.conftest import DEMO_PASSWORD
from e2e.hub import Hub

OPEN = "/consultations/zero-carbon-homes-the-proposed-definition"
# What the respondent writes: it must come back exactly so, never translated.
THEIR_ORGANISATION = "Cymdeithas Tai Eryri & Co"


def assert_welsh(page: Page) -> None:
    assert page.locator("html").get_attribute("lang") == "cy"
    current = page.locator("form.ss-language .ss-language__current")
    assert current.get_attribute("lang") == "cy"
    assert current.inner_text() == "Cymraeg"
    english = page.locator("form.ss-language button[name=lang][value=en]")
    assert english.get_attribute("lang") == "en"
    assert english.inner_text() == "English"
    alternates = page.locator('head link[rel="alternate"][hreflang]')
    assert sorted(alternates.evaluate_all("links => links.map(l => l.hreflang)")) == ["cy", "en"]


def switch_to_welsh(hub: Hub) -> None:
    hub.goto("/")
    assert hub.page.locator("html").get_attribute("lang") == "en"
    welsh = hub.page.locator("form.ss-language button[name=lang][value=cy]")
    assert welsh.get_attribute("lang") == "cy"
    assert welsh.inner_text() == "Cymraeg"
    hub.click_and_wait("form.ss-language button[value=cy]")
    assert hub.page.url.rstrip("/") == hub.base_url  # back on the same page
    assert_welsh(hub.page)
    nav = hub.page.locator("nav.ss-nav").inner_text()
    assert "Ymgynghoriadau" in nav
    assert "Mewngofnodi" in nav


def test_a_resident_switches_to_welsh_and_responds(browser: Browser, demo_server: str) -> None:
    context = browser.new_context(base_url=demo_server)
    hub = Hub(context.new_page(), demo_server)
    switch_to_welsh(hub)

    hub.goto("/account/sign-in")
    assert_welsh(hub.page)
    assert hub.page.locator("h1").inner_text() == "Mewngofnodi"
    hub.page.locator("#email").fill("resident3@demo.sharedspace.test")
    hub.page.locator("#password").fill(DEMO_PASSWORD)
    hub.click_and_wait("main form button[type=submit]")
    assert_welsh(hub.page)

    hub.goto(OPEN)
    assert_welsh(hub.page)
    hub.click_and_wait(f"a[href='{OPEN}/respond']")
    page = hub.page
    assert_welsh(page)
    # The chair's question is what people wrote: it stays in English.
    assert "Do you agree with the three-tier approach?" in page.locator("main").inner_text()
    page.locator("input[type=radio][value='Agree']").check()
    page.locator("input[type=radio][value='11 kgCO2/m²/yr']").check()
    page.locator("input[name=respondent_type][value=organisation]").check()
    page.locator("#organisation").fill(THEIR_ORGANISATION)
    page.locator("#sector").select_option("environmental")
    page.locator("input[name=consent][value=anonymous]").check()
    hub.click_and_wait("button[name=step][value=check]")

    assert_welsh(page)
    assert THEIR_ORGANISATION in page.locator("main").inner_text()
    hub.click_and_wait("button[name=step][value=send]")
    assert_welsh(page)
    assert THEIR_ORGANISATION in page.locator("main").inner_text()

    hub.goto(OPEN)
    assert_welsh(page)
    assert page.locator(f"a[href='{OPEN}/respond']").count() == 1  # now "change your response"
    hub.assert_no_console_errors()
    context.close()


def test_the_switcher_works_without_javascript(browser: Browser, demo_server: str) -> None:
    context = browser.new_context(base_url=demo_server, java_script_enabled=False)
    hub = Hub(context.new_page(), demo_server, audit=False)
    hub.goto("/search?q=carbon")
    with hub.page.expect_navigation():
        hub.page.locator("form.ss-language button[value=cy]").click()
    assert hub.page.url.endswith("/search?q=carbon")
    assert_welsh(hub.page)
    with hub.page.expect_navigation():
        hub.page.locator("form.ss-language button[value=en]").click()
    assert hub.page.locator("html").get_attribute("lang") == "en"
    context.close()
