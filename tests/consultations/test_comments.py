"""Comments: posting and replying by plain forms, the thread's shape (five levels, then
flat with "in reply to"), anchors, editing with history, deleting with a placeholder,
badges, markdown safety, the limits and their messages, and closed consultations."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bs4 import BeautifulSoup, Tag
from sqlalchemy import event
from sqlmodel import select

from consultations.comments import service
from consultations.comments.models import Comment, CommentEdit
from consultations.lifecycle.models import Consultation
from tests.client import error_summary, soup
from tests.consultations.factories import make_consultation, post_comment
from tests.definitions.factories import viewer_for
from tests.factories import World
from workspace.models import ActivityEvent
from workspace.runtime import Runtime


def thread_url(consultation: Consultation) -> str:
    return f"/consultations/{consultation.slug}/comments"


def article(page: BeautifulSoup, comment: Comment | int) -> Tag:
    comment_id = comment if isinstance(comment, int) else comment.id
    found = page.select_one(f"#comment-thread article#comment-{comment_id}")
    assert found is not None, f"comment {comment_id} is not in the thread"
    return found


def levels(node: Tag) -> int:
    """How many reply lists the comment sits in: 0 for a top-level comment."""
    return len(
        [
            p
            for p in node.parents
            if p.name == "ol" and "ss-thread__replies" in (p.get("class") or [])
        ]
    )


def list_of(node: Tag) -> str:
    parent_list = node.find_parent("ol")
    assert parent_list is not None
    return str(parent_list["id"])


def stored(rt: Runtime, comment_id: int) -> Comment:
    with rt.db.read() as session:
        found = session.get(Comment, comment_id)
    assert found is not None
    return found


def all_comments(rt: Runtime, consultation: Consultation) -> list[Comment]:
    with rt.db.read() as session:
        return list(
            session.exec(
                select(Comment)
                .where(Comment.consultation_id == consultation.id)
                .order_by(Comment.id)
            ).all()
        )


# -- posting -------------------------------------------------------------------------------


def test_a_registered_person_posts_by_plain_form_and_sees_it_in_the_thread(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    client = as_role("public")
    response = client.submit(thread_url(consultation), {"comment": "Fabric **first**, please."})
    assert response.status_code == 303
    [comment] = all_comments(rt, consultation)
    assert (
        response.headers["location"] == f"/consultations/{consultation.slug}#comment-{comment.id}"
    )
    assert (comment.depth, comment.path, comment.seq) == (0, f"{comment.id:010d}", 1)
    assert comment.body_html.strip() == "<p>Fabric <strong>first</strong>, please.</p>"

    page = client.page(thread_url(consultation))
    node = article(page, comment)
    assert node.select_one(".ss-comment__author").get_text() == "Alex Public"
    assert node.select_one(".ss-comment__body strong").get_text() == "first"
    assert node["data-seq"] == "1"
    assert node["data-parent"] == ""
    links = {a.get_text(" ", strip=True): a["href"] for a in node.select(".ss-comment__actions a")}
    base = f"/consultations/{consultation.slug}/comments/{comment.id}"
    assert links == {
        "Reply to Alex Public": f"{base}/reply",
        "Flag comment by Alex Public": f"{base}/flag",
        "Permalink to comment by Alex Public": base,
    }
    section = page.select_one("section#comments")
    assert section["data-seq"] == "1"
    assert section["data-consultation-id"] == str(consultation.id)


def test_posting_records_an_activity_event(rt: Runtime, world: World) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["member"], "First!")
    with rt.db.read() as session:
        events = session.exec(
            select(ActivityEvent).where(ActivityEvent.verb == "comment.posted")
        ).all()
    assert [(e.object_id, e.actor_id, e.visibility) for e in events] == [
        (comment.id, world.users["member"].id, "public")
    ]


def test_the_page_is_the_same_html_for_everyone_apart_from_the_form(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["member"], "Same for all")
    html = {
        role: str(article(as_role(role).page(thread_url(consultation)), comment))
        for role in ("visitor", "public", "chair", "secretariat")
    }
    assert len(set(html.values())) == 1


def test_markdown_is_safe_raw_html_escaped_and_javascript_links_dropped(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    text = (
        "<script>alert(1)</script> <img src=x onerror=alert(2)> "
        "[bad](javascript:alert(3)) [good](https://example.org/a)"
    )
    comment = post_comment(rt, consultation, world.users["public"], text)
    body = article(as_role("visitor").page(thread_url(consultation)), comment).select_one(
        ".ss-comment__body"
    )
    assert body.find("script") is None
    assert body.find("img") is None
    assert "<script>alert(1)</script>" in body.get_text()
    hrefs = [a.get("href") for a in body.find_all("a")]
    assert hrefs == ["https://example.org/a"]
    assert body.find("a")["rel"] == ["nofollow", "ugc", "noopener"]


def test_an_empty_comment_is_refused_with_a_message(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    response = as_role("public").submit(thread_url(consultation), {"comment": "   "})
    assert response.status_code == 400
    assert error_summary(soup(response.text)) == ["Enter your comment"]
    assert all_comments(rt, consultation) == []


def test_more_than_5000_characters_is_refused_and_the_text_kept(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    text = "Too long. " * 500 + "!"
    response = as_role("public").submit(thread_url(consultation), {"comment": text})
    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page) == [
        "Your comment must be 5,000 characters or fewer. It has 5,001 characters."
    ]
    assert page.select_one("textarea#comment").get_text().strip() == text
    assert page.title.get_text().startswith("Error: ")
    assert all_comments(rt, consultation) == []


def test_exactly_5000_characters_is_accepted(rt: Runtime, world: World, as_role: Any) -> None:
    consultation = make_consultation(rt, world)
    response = as_role("public").submit(thread_url(consultation), {"comment": "x" * 5000})
    assert response.status_code == 303


def test_the_rate_limit_per_person_has_a_clear_message_and_keeps_the_text(
    rt: Runtime, world: World, as_role: Any
) -> None:
    rt.settings = replace(rt.settings, comment_limit_per_person=2)
    consultation = make_consultation(rt, world)
    client = as_role("public")
    for n in range(2):
        assert client.submit(thread_url(consultation), {"comment": f"Point {n}"}).status_code == 303
    response = client.submit(thread_url(consultation), {"comment": "One more point"})
    assert response.status_code == 429
    page = soup(response.text)
    [message] = error_summary(page)
    assert message.startswith("You have posted 2 comments in the last 15 minutes")
    assert re.search(r"try again in \d+ minutes?\.$", message), message
    assert page.select_one("textarea#comment").get_text().strip() == "One more point"
    assert len(all_comments(rt, consultation)) == 2
    # Someone else is not held back by it.
    assert (
        as_role("member").submit(thread_url(consultation), {"comment": "Mine"}).status_code == 303
    )


def test_visitors_are_sent_to_sign_in_to_comment(rt: Runtime, world: World, as_role: Any) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["member"], "Hello all")
    visitor = as_role("visitor")
    response = visitor.submit(thread_url(consultation), {"comment": "Hello"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/account/sign-in?next=")
    page = visitor.page(thread_url(consultation))
    assert page.select_one("#comments form") is None
    assert page.select_one("#comments a[href^='/account/sign-in']") is not None
    assert visitor.get(f"{thread_url(consultation)}/{comment.id}/reply").status_code == 303
    assert visitor.get(f"{thread_url(consultation)}/{comment.id}/flag").status_code == 303


# -- threads -------------------------------------------------------------------------------


def test_replies_nest_five_levels_then_sit_flat_under_the_fifth_with_in_reply_to(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    people = [world.users["public"], world.users["member"]]
    chain = [post_comment(rt, consultation, people[0], "Level 1")]
    for n in range(2, 9):
        chain.append(post_comment(rt, consultation, people[n % 2], f"Reply {n}", parent=chain[-1]))
    sibling = post_comment(rt, consultation, people[0], "Another reply to level 4", parent=chain[3])
    assert [c.depth for c in chain] == [0, 1, 2, 3, 4, 5, 6, 7]
    fifth = chain[4]
    for deep in chain[5:]:
        assert deep.path == f"{fifth.path}/{deep.id:010d}"  # never longer than six ids

    page = as_role("visitor").page(thread_url(consultation))
    assert [levels(article(page, c)) for c in chain] == [0, 1, 2, 3, 4, 5, 5, 5]
    assert {list_of(article(page, c)) for c in chain[5:]} == {f"replies-{fifth.id}"}
    # In time order under the fifth level, after which the fifth's sibling follows.
    items = [a["id"] for a in page.select(f"#replies-{fifth.id} > li > article")]
    assert items == [f"comment-{c.id}" for c in chain[5:]]
    assert list_of(article(page, sibling)) == f"replies-{chain[3].id}"
    for shallow in chain[:6]:
        node = article(page, shallow)
        if shallow.depth < 5:
            assert node.select_one(".ss-comment__reply-to") is None
    for deep in chain[5:]:
        link = article(page, deep).select_one(".ss-comment__reply-to a")
        assert link["href"] == f"#comment-{deep.parent_id}"
        assert link.get_text() == stored(rt, deep.parent_id or 0).author_name


def test_a_reply_can_be_posted_without_javascript_from_its_own_page(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    parent = post_comment(rt, consultation, world.users["member"], "Question?")
    client = as_role("observer")
    page = client.page(f"{thread_url(consultation)}/{parent.id}/reply")
    form = page.select_one("main form")
    assert form["action"] == f"{thread_url(consultation)}/{parent.id}/reply"
    assert form.select_one("input[name=csrf_token]")["value"]
    response = client.submit(form["action"], {"comment": "Answer."})
    assert response.status_code == 303
    reply = all_comments(rt, consultation)[-1]
    assert (reply.parent_id, reply.depth) == (parent.id, 1)
    node = article(client.page(thread_url(consultation)), reply)
    assert list_of(node) == f"replies-{parent.id}"


def test_an_invalid_reply_keeps_the_text_on_the_reply_page(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    parent = post_comment(rt, consultation, world.users["member"], "Question?")
    response = as_role("public").submit(
        f"{thread_url(consultation)}/{parent.id}/reply", {"comment": "y" * 5001}
    )
    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page) == [
        "Your comment must be 5,000 characters or fewer. It has 5,001 characters."
    ]
    assert page.select_one("textarea#comment").get_text().strip() == "y" * 5001


def test_observers_comments_carry_the_government_observer_badge(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    observer = post_comment(rt, consultation, world.users["observer"], "Noted.")
    member = post_comment(rt, consultation, world.users["member"], "Agreed.")
    public = post_comment(rt, consultation, world.users["public"], "Hmm.")
    page = as_role("visitor").page(thread_url(consultation))
    badge = article(page, observer).select_one(".ss-comment__badge")
    assert badge.get_text() == "Government observer"
    assert "ss-comment--observer" in article(page, observer)["class"]
    assert stored(rt, observer.id or 0).is_observer
    assert article(page, member).select_one(".ss-comment__badge").get_text() == (
        "UK Green Building Council"
    )
    assert article(page, public).select_one(".ss-comment__badge") is None


def test_a_comment_can_be_anchored_to_a_tier_of_the_frozen_draft(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(
        rt, world, with_definition=True, body="Intro\n\n## Costs and benefits\n\nText."
    )
    client = as_role("public")
    page = client.page(thread_url(consultation))
    options = [(o["value"], o.get_text()) for o in page.select("select#comment_anchor option")]
    assert options[0] == ("", "The consultation as a whole")
    assert [label for _v, label in options[1:]] == [
        "Tier 1: Energy efficiency",
        "Tier 2: Carbon compliance",
        "Tier 3: Allowable solutions",
        "Costs and benefits",
    ]
    tier_value = options[2][0]
    assert (
        client.submit(
            thread_url(consultation), {"comment": "Too weak.", "comment_anchor": tier_value}
        ).status_code
        == 303
    )
    [comment] = all_comments(rt, consultation)
    link = article(client.page(thread_url(consultation)), comment).select_one(
        ".ss-comment__anchor a"
    )
    assert link.get_text() == "Tier 2: Carbon compliance"
    assert link["href"] == "#tier-" + tier_value.split(":", 1)[1]

    response = client.submit(
        thread_url(consultation), {"comment": "x", "comment_anchor": "tier:nonsense"}
    )
    assert response.status_code == 400
    assert error_summary(soup(response.text)) == [
        "Select a part of the consultation from the list, or the consultation as a whole"
    ]


def test_the_thread_is_read_in_one_query(rt: Runtime, world: World) -> None:
    consultation = make_consultation(rt, world)
    first = post_comment(rt, consultation, world.users["public"], "One")
    for n in range(5):
        post_comment(rt, consultation, world.users["member"], f"Reply {n}", parent=first)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(rt.db.engine, "before_cursor_execute", count)
    try:
        with rt.db.read() as session:
            ctx = service.thread_context(
                session, viewer_for(rt, world.users["public"]), consultation, rt.clock()
            )
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", count)
    assert len([s for s in statements if "FROM comment" in s]) == 1
    assert ctx["comment_thread"].count == 6


# -- editing and deleting ------------------------------------------------------------------


def test_the_author_edits_and_the_earlier_text_is_kept_as_history(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["public"], "Frist draft")
    client = as_role("public")
    edit_url = f"{thread_url(consultation)}/{comment.id}/edit"
    page = client.page(edit_url)
    assert page.select_one("textarea#comment").get_text().strip() == "Frist draft"
    assert client.submit(edit_url, {"comment": "First draft"}).status_code == 303
    assert client.submit(edit_url, {"comment": "First draft, fixed"}).status_code == 303

    after = stored(rt, comment.id or 0)
    assert after.body == "First draft, fixed"
    assert after.edited_at is not None
    assert after.seq == 3  # posted, edited, edited
    node = article(as_role("visitor").page(thread_url(consultation)), comment)
    edited = node.select_one("a.ss-comment__edited")
    assert edited["href"] == f"{thread_url(consultation)}/{comment.id}/history"
    history = as_role("visitor").page(edited["href"])
    assert [d.get_text() for d in history.select(".ss-history .ss-pre")] == [
        "First draft",
        "Frist draft",
    ]
    with rt.db.read() as session:
        assert len(session.exec(select(CommentEdit)).all()) == 2


def test_only_the_author_can_edit_or_delete(rt: Runtime, world: World, as_role: Any) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["public"], "Mine")
    base = f"{thread_url(consultation)}/{comment.id}"
    for role in ("member", "chair", "secretariat"):
        client = as_role(role)
        assert client.get(f"{base}/edit").status_code == 403
        assert client.submit(f"{base}/edit", {"comment": "Theirs"}).status_code == 403
        assert client.submit(f"{base}/delete").status_code == 403
        assert client.page(base).select_one(f"form[action='{base}/delete']") is None
    assert as_role("visitor").submit(f"{base}/delete").status_code == 303
    assert stored(rt, comment.id or 0).body == "Mine"
    assert stored(rt, comment.id or 0).state == "published"


def test_deleting_leaves_a_placeholder_that_keeps_the_replies_in_place(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["public"], "Regrettable")
    reply = post_comment(rt, consultation, world.users["member"], "Indeed", parent=comment)
    client = as_role("public")
    page = client.page(f"{thread_url(consultation)}/{comment.id}")
    form = page.select_one(f"form[action='{thread_url(consultation)}/{comment.id}/delete']")
    assert form.select_one("input[name=csrf_token]")["value"]
    assert client.submit(form["action"]).status_code == 303

    page = as_role("visitor").page(thread_url(consultation))
    node = article(page, comment)
    assert node.select_one(".ss-comment__placeholder").get_text() == "Comment deleted by its author"
    assert node.select_one(".ss-comment__body") is None
    assert "Regrettable" not in node.get_text()
    assert "Alex Public" not in node.get_text()
    assert node.select(".ss-comment__actions a")[0].get_text(" ", strip=True) == (
        "Permalink to this comment"
    )
    assert list_of(article(page, reply)) == f"replies-{comment.id}"
    # A deleted comment takes no replies and cannot be changed again.
    response = as_role("member").submit(
        f"{thread_url(consultation)}/{comment.id}/reply", {"comment": "Late"}
    )
    assert response.status_code == 409
    assert error_summary(soup(response.text)) == [
        "This comment has been removed, so it can no longer be replied to."
    ]
    assert (
        client.submit(
            f"{thread_url(consultation)}/{comment.id}/edit", {"comment": "Back"}
        ).status_code
        == 409
    )
    # Its earlier text is not shown to the public through the history either.
    assert (
        as_role("public").get(f"{thread_url(consultation)}/{comment.id}/history").status_code == 403
    )


# -- closed, draft and missing -------------------------------------------------------------


def test_a_closed_consultation_refuses_comments_with_a_clear_page(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["member"], "Before closing")
    later = consultation.closes_at + timedelta(minutes=1)
    rt.clock = lambda: later
    client = as_role("public")
    response = client.submit(thread_url(consultation), {"comment": "Too late"})
    assert response.status_code == 403
    page = soup(response.text)
    assert error_summary(page) == [
        "This consultation has closed. Responses and comments can no longer be changed."
    ]
    assert all_comments(rt, consultation) == [stored(rt, comment.id or 0)]

    response = client.get(f"{thread_url(consultation)}/{comment.id}/reply")
    assert response.status_code == 403
    assert "This consultation has closed" in soup(response.text).select_one("main").get_text()
    response = client.submit(
        f"{thread_url(consultation)}/{comment.id}/reply", {"comment": "Late reply"}
    )
    assert response.status_code == 403
    assert soup(response.text).select_one(".ss-pre").get_text() == "Late reply"

    member = as_role("member")
    assert (
        member.submit(
            f"{thread_url(consultation)}/{comment.id}/edit", {"comment": "Changed"}
        ).status_code
        == 403
    )
    assert member.submit(f"{thread_url(consultation)}/{comment.id}/delete").status_code == 403
    page = member.page(thread_url(consultation))
    assert page.select_one("#comments form") is None
    assert "has closed" in page.select_one("#comments .govuk-inset-text").get_text()
    # Stored fragments keep their Reply link; the closed thread's style hides it.
    assert "ss-comments--closed" in page.select_one("#comments")["class"]
    assert article(page, comment) is not None


def test_a_draft_consultation_is_not_found_by_the_public(
    rt: Runtime, world: World, as_role: Any
) -> None:
    now = rt.clock()
    consultation = make_consultation(
        rt, world, opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=30)
    )
    assert as_role("public").get(thread_url(consultation)).status_code == 404
    assert as_role("public").get(thread_url(consultation) + "?after=0").status_code == 404
    response = as_role("chair").submit(thread_url(consultation), {"comment": "Early"})
    assert response.status_code == 403
    assert error_summary(soup(response.text)) == ["This consultation has not opened yet."]


def test_comments_of_another_consultation_and_impossible_ids_are_not_found(
    rt: Runtime, world: World, as_role: Any
) -> None:
    first = make_consultation(rt, world, title="First")
    second = make_consultation(rt, world, title="Second")
    comment = post_comment(rt, first, world.users["member"], "Here")
    client = as_role("public")
    assert client.get(f"{thread_url(second)}/{comment.id}").status_code == 404
    assert client.get(f"{thread_url(first)}/99999999999999").status_code == 404
    assert client.get(f"{thread_url(first)}/0").status_code == 404
    assert client.get(f"{thread_url(first)}/abc").status_code == 404
