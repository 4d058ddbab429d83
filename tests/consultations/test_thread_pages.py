"""The comment thread page (`/consultations/<slug>/comments`) shows the thread in pages
of top-level comments, each with all its replies, with the GOV.UK pagination; a
comment's link (`?comment=<id>`) leads to the page that holds it; the consultation page
still shows the whole thread. Pages are small here (PAGE_SIZE patched to 2)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from consultations.comments import audience
from consultations.lifecycle.models import Consultation
from tests.client import HubClient
from tests.consultations.factories import make_consultation, post_comment
from tests.factories import World
from workspace.runtime import Runtime


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audience, "PAGE_SIZE", 2)


def shown(page: BeautifulSoup) -> list[str]:
    return [str(a["id"]) for a in page.select("#comment-thread article.ss-comment")]


def pagination(page: BeautifulSoup) -> dict[str, str]:
    """The pagination's links by their text (numbers, "Previous", "Next")."""
    nav = page.select_one("nav.govuk-pagination")
    if nav is None:
        return {}
    return {
        " ".join(a.get_text(" ", strip=True).split()[:1]): str(a["href"])
        for a in nav.select("a.govuk-pagination__link")
    }


def seed(rt: Runtime, world: World, consultation: Consultation) -> None:
    """Five top-level comments (1, 2, 4, 5, 6) and a reply (3) to the first."""
    post_comment(rt, consultation, world.users["member"], "One.")
    post_comment(rt, consultation, world.users["member"], "Two.")
    post_comment(rt, consultation, world.users["chair"], "Reply to one.", parent=1)
    for text in ("Four.", "Five.", "Six."):
        post_comment(rt, consultation, world.users["member"], text)


def test_pages_hold_top_level_comments_with_their_replies(
    rt: Runtime, world: World, consultation: Consultation, client: HubClient
) -> None:
    seed(rt, world, consultation)
    base = f"/consultations/{consultation.slug}/comments"
    first = client.page(base)
    assert shown(first) == ["comment-1", "comment-3", "comment-2"]
    assert first.select_one("#comments")["data-new-comments"] == "elsewhere"  # type: ignore[index]
    links = pagination(first)
    assert links["Next"] == f"{base}?page=2"
    assert links["3"] == f"{base}?page=3"
    assert "Previous" not in links
    assert shown(client.page(f"{base}?page=2")) == ["comment-4", "comment-5"]
    last = client.page(f"{base}?page=3")
    assert shown(last) == ["comment-6"]
    assert not last.select_one("#comments").has_attr("data-new-comments")  # type: ignore[union-attr]
    assert pagination(last)["Previous"] == f"{base}?page=2"
    # The count is the whole thread's, on every page.
    assert "6 comments" in last.select_one("#comments p").get_text()  # type: ignore[union-attr]


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "99999999999999999999", "1e3", ""])
def test_a_page_number_out_of_range_or_not_a_number_is_no_error(
    rt: Runtime, world: World, consultation: Consultation, client: HubClient, raw: str
) -> None:
    seed(rt, world, consultation)
    page = client.page(f"/consultations/{consultation.slug}/comments?page={raw}")
    assert shown(page) == ["comment-1", "comment-3", "comment-2"]


def test_a_page_past_the_last_shows_the_last(
    rt: Runtime, world: World, consultation: Consultation, client: HubClient
) -> None:
    seed(rt, world, consultation)
    page = client.page(f"/consultations/{consultation.slug}/comments?page=40")
    assert shown(page) == ["comment-6"]


def test_a_new_comment_shows_on_the_last_page_at_once(
    rt: Runtime, world: World, consultation: Consultation, client: HubClient
) -> None:
    seed(rt, world, consultation)
    base = f"/consultations/{consultation.slug}/comments"
    assert shown(client.page(f"{base}?page=3")) == ["comment-6"]
    post_comment(rt, consultation, world.users["member"], "Seven.")
    assert shown(client.page(f"{base}?page=3")) == ["comment-6", "comment-7"]
    post_comment(rt, consultation, world.users["chair"], "Reply to four.", parent=4)
    assert shown(client.page(f"{base}?page=2")) == ["comment-4", "comment-8", "comment-5"]


def test_a_comment_link_leads_to_its_page_and_anchor(
    rt: Runtime, world: World, consultation: Consultation, client: HubClient
) -> None:
    seed(rt, world, consultation)
    base = f"/consultations/{consultation.slug}/comments"
    for comment_id, page in ((3, 1), (5, 2), (6, 3)):
        response = client.get(f"{base}?comment={comment_id}", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"{base}?page={page}#comment-{comment_id}"
    for missing in ("99", "abc", "0"):
        assert client.get(f"{base}?comment={missing}").status_code == 404


def test_waiting_comments_take_no_place_on_the_pages_of_others(
    rt: Runtime, world: World, client: HubClient
) -> None:
    consultation = make_consultation(rt, world, moderation="pre")
    post_comment(rt, consultation, world.users["chair"], "Approved at once.")  # a moderator
    post_comment(rt, consultation, world.users["member"], "Waiting.")
    post_comment(rt, consultation, world.users["chair"], "Second.")
    post_comment(rt, consultation, world.users["chair"], "Third.")
    base = f"/consultations/{consultation.slug}/comments"
    assert shown(client.page(base)) == ["comment-1", "comment-3"]
    assert shown(client.page(f"{base}?page=2")) == ["comment-4"]
    client.sign_in_as(world.users["chair"])
    assert shown(client.page(base)) == ["comment-1", "comment-2"]
    assert shown(client.page(f"{base}?page=2")) == ["comment-3", "comment-4"]


def test_the_consultation_page_still_shows_the_whole_thread(
    rt: Runtime, world: World, consultation: Consultation, client: HubClient
) -> None:
    seed(rt, world, consultation)
    page = client.page(f"/consultations/{consultation.slug}")
    assert shown(page) == [f"comment-{n}" for n in (1, 3, 2, 4, 5, 6)]
    assert page.select_one("nav.govuk-pagination") is None
