"""Live comments in Chromium: two people on one consultation page. One posts a comment
and a reply; the other sees both appear in place without reloading. The reader drops
off the network while a third comment is posted and, back online, sees it exactly once.
And with JavaScript off the thread is read and written with plain forms."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from e2e.hub import Hub
from e2e.steps import article, open_consultation, post_comment, register

LIVE = "#comments[data-live=connected]"


@pytest.fixture(scope="module")
def consultation(browser, server: str) -> str:  # type: ignore[no-untyped-def]
    """An open consultation, made through the pages as the secretariat would."""
    return open_consultation(
        browser, server, "Live comments group", "Zero carbon homes: live thread"
    )


def post_reply(hub: Hub, path: str, parent_id: str, text: str) -> str:
    hub.goto(path)
    hub.click_and_wait(f"#{parent_id} a:has-text('Reply')")
    hub.page.get_by_label("Your reply").fill(text)
    hub.click_and_wait("form.ss-comment-form button[type=submit]:has-text('Post reply')")
    hub.goto(path)
    posted = article(hub.page, text)
    expect(posted).to_have_count(1)
    return str(posted.get_attribute("id"))


def feed(hub: Hub, path: str) -> dict:  # type: ignore[type-arg]
    response = hub.page.request.get(f"{path}/comments?after=0")
    assert response.ok, response.status
    body: dict = json.loads(response.text())  # type: ignore[type-arg]
    return body


def test_comments_and_replies_appear_live_and_survive_a_dropped_connection(
    new_hub: Callable[..., Hub], consultation: str
) -> None:
    writer, reader = new_hub(), new_hub()
    register(writer, "Wendy Writer")
    register(reader, "Rita Reader")
    reader.goto(consultation)
    expect(reader.page.locator(LIVE)).to_have_count(1)

    # A comment, then a reply to it: each appears in its place on the reader's page.
    first = post_comment(writer, consultation, "Tier 1 should include heat pumps.")
    first_number = first.removeprefix("comment-")
    live_first = reader.page.locator(f"#comment-thread > #item-{first_number} > #{first}")
    expect(live_first).to_contain_text("Tier 1 should include heat pumps.")
    expect(reader.page.locator("#comments-announcer")).to_have_text(
        "New comment from Wendy Writer."
    )

    reply = post_reply(writer, consultation, first, "And district heating, please.")
    live_reply = reader.page.locator(
        f"#item-{first_number} > #replies-{first_number} > li > #{reply}"
    )
    expect(live_reply).to_contain_text("And district heating, please.")
    reader.audit()  # the page as changed live passes axe too

    # The reader drops off the network (and its socket with it) while a third is posted.
    reader.page.context.set_offline(True)
    reader.page.evaluate("document.getElementById('comments').liveSocket.io.engine.close()")
    expect(reader.page.locator("#comments[data-live=offline]")).to_have_count(1)
    third_text = "Posted while you were away."
    third = post_comment(writer, consultation, third_text)
    reader.page.wait_for_timeout(500)
    expect(article(reader.page, third_text)).to_have_count(0)

    reader.page.context.set_offline(False)
    # Back online, the page reconnects at once ("online"), not after socket.io's backoff.
    expect(reader.page.locator(LIVE)).to_have_count(1, timeout=3000)
    expect(reader.page.locator(f"#comment-thread > li > #{third}")).to_have_count(1)
    reader.page.wait_for_timeout(500)  # anything doubled would have arrived by now
    for text in ("Tier 1 should include heat pumps.", "And district heating, please.", third_text):
        expect(article(reader.page, text)).to_have_count(1)
    # Top-level order matches a fresh page: the third after the first.
    ids = reader.page.locator("#comment-thread > li > article").evaluate_all(
        "nodes => nodes.map(n => n.id)"
    )
    assert ids.index(first) < ids.index(third)

    # The stored state, read back over HTTP: three published comments, the reply in place.
    changes = {c["comment_id"]: c for c in feed(reader, consultation)["changes"]}
    assert {
        int(first_number),
        int(reply.removeprefix("comment-")),
        int(third.removeprefix("comment-")),
    } <= set(changes)
    assert changes[int(reply.removeprefix("comment-"))]["parent_id"] == int(first_number)

    # Going offline makes Chromium log the failed reconnection attempts; nothing else.
    reader.console_errors = [
        e
        for e in reader.console_errors
        if not ("WebSocket connection to" in e and "ERR_INTERNET_DISCONNECTED" in e)
    ]


def test_without_javascript_comments_are_posted_and_read(
    new_hub: Callable[..., Hub], consultation: str
) -> None:
    hub = new_hub(javascript=False)
    register(hub, "Nora NoScript")
    text = "Posted with a plain form, no script at all."
    comment_id = post_comment(hub, consultation, text)
    reader = new_hub(javascript=False)
    reader.goto(consultation)
    expect(reader.page.locator(f"#{comment_id}")).to_contain_text(text)
    expect(reader.page.locator(f"#{comment_id} .ss-comment__author")).to_have_text("Nora NoScript")
