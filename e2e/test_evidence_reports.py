"""The evidence library and the report to government in Chromium, on the demo: a member
uploads a PDF and links it to a tier; a visitor finds a word from inside a public PDF
through search; an observer records the department's response and the tracker shows it.
axe audits every page on the way (e2e/hub.py), and what the pages claim is checked again
over HTTP."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Browser, expect

from e2e.conftest import DEMO_PASSWORD
from e2e.hub import Hub
from sharedspace.demo import documents

GROUP = "/groups/zero-carbon-homes-definition"
DEFINITION = f"{GROUP}/definitions/zero-carbon-homes"
WORD = "flibbertigibbet"  # in no other document: only the upload can match


def signed_in(browser: Browser, base_url: str, key: str) -> Hub:
    hub = Hub(browser.new_context(base_url=base_url).new_page(), base_url)
    hub.sign_in(f"{key}@demo.sharedspace.test", DEMO_PASSWORD)
    return hub


def visitor(browser: Browser, base_url: str) -> Hub:
    return Hub(browser.new_context(base_url=base_url).new_page(), base_url)


def test_a_member_uploads_a_pdf_links_it_to_a_tier_and_a_visitor_finds_its_words(
    browser: Browser, demo_server: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    member = signed_in(browser, demo_server, "ukgbc")
    member.goto(f"{GROUP}/evidence")
    member.click_and_wait("a:has-text('Add evidence')")
    # A wrong file first: a program named as a PDF is refused, and the form keeps its text.
    program = tmp_path / "airtightness.pdf"
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    page = member.page
    page.get_by_label("Title").fill("Airtightness field trial")
    page.get_by_label("Authors or source").fill("UK Green Building Council")
    page.get_by_label("Everyone: it is listed and served publicly").check()
    page.get_by_label("File", exact=True).set_input_files(str(program))
    member.click_and_wait("form button[type=submit]:has-text('Add to the library')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("program or a script")
    expect(page.get_by_label("Title")).to_have_value("Airtightness field trial")
    study = tmp_path / "airtightness-trial.pdf"
    study.write_bytes(
        documents.pdf("Airtightness field trial", [f"Homes were {WORD} tight at 3 m3/h.m2."])
    )
    page.get_by_label("File", exact=True).set_input_files(str(study))
    member.click_and_wait("form button[type=submit]:has-text('Add to the library')")
    expect(page.locator("h1")).to_have_text("Airtightness field trial")
    item = page.url.removeprefix(demo_server)

    page.get_by_label("Link it to").select_option(label="Energy efficiency, in Zero carbon homes")
    member.click_and_wait("form button[type=submit]:has-text('Link')")
    expect(page.locator(".ss-evidence-links")).to_contain_text("Energy efficiency")
    member.goto(DEFINITION)
    tier_evidence = page.locator(".ss-tier-text", has_text="Energy efficiency").locator(
        ".ss-linked-evidence"
    )
    expect(tier_evidence).to_contain_text("Airtightness field trial")
    # Stored as the page says: the file comes back byte for byte, fenced in.
    download = page.request.get(item + "/file")
    assert download.ok
    assert download.body() == study.read_bytes()
    assert "sandbox" in download.headers["content-security-policy"]

    # A visitor, in another browser, finds a word that is only inside the PDF.
    reader = visitor(browser, demo_server)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if "Airtightness field trial" in reader.page.request.get(f"/search?q={WORD}").text():
            break
        time.sleep(0.2)
    reader.goto("/search")
    reader.page.get_by_label(re.compile("^Search definitions")).fill(WORD)
    reader.click_and_wait("form.ss-search-form button[type=submit]")
    result = reader.page.locator(".ss-search-result a", has_text="Airtightness field trial")
    expect(result).to_have_count(1)
    reader.click_and_wait(".ss-search-result a:has-text('Airtightness field trial')")
    expect(reader.page.locator("a.ss-download")).to_contain_text("airtightness-trial.pdf")
    member.assert_no_console_errors()
    reader.assert_no_console_errors()


def test_an_observer_records_the_departments_response_and_the_tracker_shows_it(
    browser: Browser, demo_server: str
) -> None:
    public = visitor(browser, demo_server)
    public.goto("/recommendations")
    awaiting = public.page.locator("tr[data-recommendation]", has_text="Awaiting response")
    expect(awaiting).to_have_count(2)
    rec = awaiting.first.get_attribute("data-recommendation")

    observer = signed_in(browser, demo_server, "observer")
    observer.goto(f"/recommendations/{rec}")
    observer.click_and_wait("a:has-text('Record Department for Communities')")
    page = observer.page
    page.get_by_label("Statement", exact=True).fill(
        "The government will legislate in the Infrastructure Bill."
    )
    observer.click_and_wait("form button[type=submit]:has-text('Publish the response')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the government's response")
    expect(page.get_by_label("Statement", exact=True)).to_have_value(
        "The government will legislate in the Infrastructure Bill."
    )
    page.get_by_label("Accepted", exact=True).check()
    observer.click_and_wait("form button[type=submit]:has-text('Publish the response')")
    expect(page.locator(".ss-response").first).to_contain_text(
        "Department for Communities and Local Government: Accepted"
    )

    public.goto("/recommendations")
    row = public.page.locator(f"tr[data-recommendation='{rec}']")
    expect(row.locator(".govuk-tag")).to_have_text("Accepted")
    # With JavaScript the filters answer in place, and the address follows.
    public.page.get_by_label("Status").select_option(label="Accepted")
    expect(public.page.locator("#tracker-count")).to_contain_text("2 recommendations")
    assert "status=accepted" in public.page.url
    public.audit()
    # And over HTTP: the export says what the page says.
    exported = public.page.request.get("/recommendations.json").json()["recommendations"]
    mine = next(r for r in exported if str(r["id"]) == rec)
    assert mine["status"] == "accepted"
    assert mine["history"][-1]["department"] == "Department for Communities and Local Government"
    observer.assert_no_console_errors()
    public.assert_no_console_errors()


def test_every_new_page_passes_axe(browser: Browser, demo_server: str) -> None:
    chair = signed_in(browser, demo_server, "chair")
    report = f"{GROUP}/reports/zero-carbon-homes-the-task-group-s-recommendations"
    for path in (
        f"{GROUP}/evidence",
        f"{GROUP}/evidence/new",
        f"{GROUP}/evidence/1",
        f"{GROUP}/evidence/1/edit",
        f"{GROUP}/evidence/1/withdraw",
        f"{GROUP}/reports/",
        f"{GROUP}/reports/new",
        report,
        f"{report}/sign-off",
        "/recommendations",
        "/recommendations/1",
        f"{GROUP}/meetings",
    ):
        chair.goto(path)
    admin = signed_in(browser, demo_server, "secretariat")
    admin.goto("/health")
    observer = signed_in(browser, demo_server, "observer")
    observer.goto("/recommendations/4/respond")
    for hub in (chair, admin, observer):
        hub.assert_no_console_errors()
