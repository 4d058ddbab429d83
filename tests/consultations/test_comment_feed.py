"""The change feed (`?after=<seq>`) and the `CommentChanged` event: a client that
reconnects gets exactly what it missed, each comment once in its latest state, and only
what it may read; every change is announced after it commits."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import asdict
from typing import Any

from sqlmodel import select

from consultations.comments import service
from consultations.comments.models import Comment
from consultations.lifecycle.models import Consultation
from consultations.moderation import service as moderation
from tests.client import soup
from tests.consultations.factories import make_consultation, post_comment
from tests.consultations.test_comments import thread_url
from tests.definitions.factories import viewer_for
from tests.factories import World, make_user
from workspace.events import CommentChanged
from workspace.runtime import Runtime


def feed(client: Any, consultation: Consultation, after: int | str) -> dict[str, Any]:
    response = client.get(f"{thread_url(consultation)}?after={after}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> list[int]:
    return [change["comment_id"] for change in body["changes"]]


def test_after_returns_exactly_the_changes_after_a_seq(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    first = post_comment(rt, consultation, world.users["public"], "One")
    second = post_comment(rt, consultation, world.users["member"], "Two", parent=first)
    client = as_role("visitor")
    body = feed(client, consultation, 0)
    assert body["seq"] == 2
    assert ids(body) == [first.id, second.id]
    assert feed(client, consultation, 2) == {"seq": 2, "changes": []}
    assert ids(feed(client, consultation, 1)) == [second.id]
    change = feed(client, consultation, 1)["changes"][0]
    assert set(change) == {"comment_id", "parent_id", "seq", "state", "html"}
    assert (change["parent_id"], change["seq"], change["state"]) == (first.id, 2, "published")
    fragment = soup(change["html"]).select_one("article")
    assert fragment["id"] == f"comment-{second.id}"
    assert fragment["data-seq"] == "2"
    assert fragment["data-parent"] == str(first.id)


def test_catch_up_after_a_reconnect_misses_nothing_and_repeats_nothing(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    kept = post_comment(rt, consultation, world.users["public"], "Kept")
    edited = post_comment(rt, consultation, world.users["member"], "Draft")
    client = as_role("observer")
    seen = int(client.page(thread_url(consultation)).select_one("#comments")["data-seq"])
    assert seen == 2

    # While the client is away: a reply, two edits of one comment, a removal, a new one.
    member = viewer_for(rt, world.users["member"])
    reply = post_comment(rt, consultation, world.users["chair"], "Reply", parent=kept)
    service.do_edit(rt, member, consultation.id or 0, edited.id or 0, service.Draft("Better", ""))
    service.do_edit(rt, member, consultation.id or 0, edited.id or 0, service.Draft("Best", ""))
    moderation.do_hide(
        rt, viewer_for(rt, world.users["chair"]), consultation.id or 0, kept.id or 0, "Off topic"
    )
    last = post_comment(rt, consultation, world.users["public"], "Last")

    body = feed(client, consultation, seen)
    assert body["seq"] == 7
    assert ids(body) == [reply.id, edited.id, kept.id, last.id]  # in order of latest change
    assert len(set(ids(body))) == len(ids(body))
    by_id = {c["comment_id"]: c for c in body["changes"]}
    assert soup(by_id[edited.id]["html"]).select_one(".ss-comment__body").get_text().strip() == (
        "Best"
    )
    assert by_id[kept.id]["state"] == "hidden"
    assert "Kept" not in by_id[kept.id]["html"]
    assert [c["seq"] for c in body["changes"]] == sorted(c["seq"] for c in body["changes"])
    # The client's new cursor: nothing more until something changes.
    assert feed(client, consultation, body["seq"])["changes"] == []


def test_the_feed_holds_back_pending_comments_from_those_who_may_not_see_them(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world, moderation="pre")
    waiting = post_comment(rt, consultation, world.users["public"], "Waiting")
    published = post_comment(rt, consultation, world.users["chair"], "From the chair")
    assert ids(feed(as_role("visitor"), consultation, 0)) == [published.id]
    assert ids(feed(as_role("member"), consultation, 0)) == [published.id]
    assert ids(feed(as_role("public"), consultation, 0)) == [waiting.id, published.id]
    assert ids(feed(as_role("secretariat"), consultation, 0)) == [waiting.id, published.id]
    # Once approved it is a change like any other, after the cursor the public held.
    cursor = feed(as_role("visitor"), consultation, 0)["seq"]
    moderation.do_approve(
        rt, viewer_for(rt, world.users["chair"]), consultation.id or 0, waiting.id or 0
    )
    body = feed(as_role("visitor"), consultation, cursor)
    assert ids(body) == [waiting.id]
    assert body["changes"][0]["state"] == "published"


def test_a_bad_cursor_is_a_400_problem_not_an_error(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    for bad in ("", "x", "-1", "1.5", "9" * 40):
        response = as_role("visitor").get(f"{thread_url(consultation)}?after={bad}")
        assert response.status_code == 400, bad
        assert response.headers["content-type"] == "application/problem+json"
    assert feed(as_role("visitor"), consultation, "99999999999")["changes"] == []


def test_each_change_is_published_after_commit_with_the_public_fragment(
    rt: Runtime, world: World
) -> None:
    consultation = make_consultation(rt, world, moderation="pre")
    events: list[dict[str, Any]] = []

    def on_change(event: CommentChanged) -> None:
        with rt.db.read() as session:  # the change is already committed and readable
            row = session.get(Comment, event.comment_id)
        assert row is not None
        assert row.seq == event.seq
        events.append(asdict(event))

    rt.events.subscribe(CommentChanged, on_change)
    chair = viewer_for(rt, world.users["chair"])
    mine = post_comment(rt, consultation, world.users["chair"], "Published at once")
    pending = post_comment(rt, consultation, world.users["observer"], "Waiting")
    moderation.do_approve(rt, chair, consultation.id or 0, pending.id or 0)
    moderation.do_hide(rt, chair, consultation.id or 0, mine.id or 0, "Mistake")
    moderation.do_restore(rt, chair, consultation.id or 0, mine.id or 0)

    keys = {
        "consultation_id",
        "comment_id",
        "parent_id",
        "seq",
        "state",
        "html",
        "author_name",
        "change",
        "html_localised",
    }
    assert all(set(e) == keys for e in events)
    assert [(e["comment_id"], e["seq"], e["state"], e["change"]) for e in events] == [
        (mine.id, 1, "published", "posted"),
        (pending.id, 2, "pending", "posted"),
        (pending.id, 3, "published", "approved"),
        (mine.id, 4, "hidden", "hidden"),
        (mine.id, 5, "published", "restored"),
    ]
    waiting = events[1]
    assert waiting["html"] == ""
    assert waiting["author_name"] == ""
    assert waiting["html_localised"] == {}  # nothing of a pending comment goes out, in any language
    assert set(events[2]["html_localised"]) == {"cy"}
    assert events[2]["author_name"] == "David Observer"
    assert soup(events[2]["html"]).select_one(".ss-comment__badge").get_text() == (
        "Government observer"
    )
    assert "Removed by moderator: Mistake" in soup(events[3]["html"]).get_text()


def test_a_refused_change_publishes_nothing(rt: Runtime, world: World) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["public"], "Hello")
    events: list[CommentChanged] = []
    rt.events.subscribe(CommentChanged, events.append)
    with contextlib.suppress(moderation.CommentRefused):
        moderation.do_restore(
            rt, viewer_for(rt, world.users["chair"]), consultation.id or 0, comment.id or 0
        )
    assert events == []
    with rt.db.read() as session:
        assert session.get(Consultation, consultation.id).comment_seq == 1  # type: ignore[union-attr]


def test_concurrent_posters_get_distinct_seqs_and_a_whole_tree(rt: Runtime, world: World) -> None:
    consultation = make_consultation(rt, world)
    root = post_comment(rt, consultation, world.users["public"], "Root")
    posters = [make_user(rt, f"Poster {n}") for n in range(6)]
    errors: list[BaseException] = []

    def work(user: Any) -> None:
        try:
            parent: Comment | None = root
            for n in range(8):
                made = post_comment(rt, consultation, user, f"{user.display_name} {n}", parent)
                parent = made if n % 3 else root
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(u,)) for u in posters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with rt.db.read() as session:
        rows = {
            c.id: c
            for c in session.exec(
                select(Comment).where(Comment.consultation_id == consultation.id)
            ).all()
        }
        seq = session.get(Consultation, consultation.id).comment_seq  # type: ignore[union-attr]
    assert len(rows) == 1 + 6 * 8
    assert sorted(c.seq for c in rows.values()) == list(range(1, seq + 1))
    for comment in rows.values():
        if comment.parent_id is None:
            assert comment.path == f"{comment.id:010d}"
            continue
        parent = rows[comment.parent_id]
        assert comment.depth == parent.depth + 1
        assert comment.path == "/".join([*parent.path.split("/")[:5], f"{comment.id:010d}"])
