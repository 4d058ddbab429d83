"""Moderation: flags, the queue, hide with a reason shown in place, restore, approval in
pre-moderation, the record every decision leaves, and who is refused."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlmodel import select

from consultations.comments import service
from consultations.comments.models import Comment, CommentFlag, ModerationAction
from consultations.lifecycle.models import Consultation
from consultations.moderation import service as moderation_service
from tests.client import error_summary, soup
from tests.consultations.factories import make_consultation, post_comment
from tests.consultations.test_comments import article, list_of, stored, thread_url
from tests.definitions.factories import viewer_for
from tests.factories import World
from workspace.models import ActivityEvent
from workspace.runtime import Runtime


def moderation_url(consultation: Consultation) -> str:
    return f"/consultations/{consultation.slug}/moderation"


def comment_url(consultation: Consultation, comment: Comment) -> str:
    return f"{thread_url(consultation)}/{comment.id}"


def actions(rt: Runtime, comment: Comment) -> list[tuple[str, int | None, str]]:
    with rt.db.read() as session:
        rows = session.exec(
            select(ModerationAction)
            .where(ModerationAction.comment_id == comment.id)
            .order_by(ModerationAction.id)
        ).all()
    return [(a.action, a.moderator_id, a.reason) for a in rows]


def verbs(rt: Runtime, comment: Comment) -> list[str]:
    with rt.db.read() as session:
        rows = session.exec(
            select(ActivityEvent)
            .where(ActivityEvent.object_type == "comment", ActivityEvent.object_id == comment.id)
            .order_by(ActivityEvent.id)
        ).all()
    return [e.verb for e in rows]


# -- who may moderate ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("visitor", 303),
        ("public", 403),
        ("member", 403),
        ("observer", 403),
        ("chair", 200),
        ("secretariat", 200),
    ],
)
def test_the_queue_is_for_the_groups_chairs_and_the_secretariat(
    rt: Runtime, world: World, as_role: Any, role: str, status: int
) -> None:
    consultation = make_consultation(rt, world)
    response = as_role(role).get(moderation_url(consultation))
    assert response.status_code == status
    if status == 303:
        assert response.headers["location"].startswith("/account/sign-in")


def test_a_chair_of_another_group_is_refused(rt: Runtime, world: World, as_role: Any) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["member"], "Hello")
    outsider = as_role("outsider")
    assert outsider.get(moderation_url(consultation)).status_code == 403
    response = outsider.submit(f"{comment_url(consultation, comment)}/hide", {"reason": "No"})
    assert response.status_code == 403
    assert "Only the chairs of this task group" in soup(response.text).select_one("main").get_text()
    assert stored(rt, comment.id or 0).state == "published"


@pytest.mark.parametrize("role", ["visitor", "public", "member", "observer"])
def test_non_moderators_cannot_hide_restore_approve_or_dismiss(
    rt: Runtime, world: World, as_role: Any, role: str
) -> None:
    consultation = make_consultation(rt, world, moderation="pre")
    comment = post_comment(rt, consultation, world.users["public"], "Waiting")
    client = as_role(role)
    expected = 303 if role == "visitor" else 403
    base = comment_url(consultation, comment)
    for action in ("hide", "restore", "approve", "dismiss-flags"):
        assert client.submit(f"{base}/{action}", {"reason": "x"}).status_code == expected, action
    assert stored(rt, comment.id or 0).state == "pending"
    assert actions(rt, comment) == []


def test_the_full_export_is_for_moderators_only(rt: Runtime, world: World, as_role: Any) -> None:
    consultation = make_consultation(rt, world)
    url = f"/consultations/{consultation.slug}/export/comments.csv?view=full"
    assert as_role("visitor").get(url).status_code == 303
    for role in ("public", "member", "observer"):
        assert as_role(role).get(url).status_code == 403
    assert as_role("chair").get(url).status_code == 200


# -- flags ---------------------------------------------------------------------------------


def test_a_reader_flags_a_comment_with_a_reason_and_it_reaches_the_queue(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["member"], "Spam spam spam")
    client = as_role("public")
    form = client.page(f"{comment_url(consultation, comment)}/flag").select_one("main form")
    assert client.submit(form["action"], {"reason": ""}).status_code == 400
    response = client.submit(form["action"], {"reason": "It is spam"})
    assert response.status_code == 303
    assert stored(rt, comment.id or 0).flag_count == 1

    again = client.submit(form["action"], {"reason": "Still spam"})
    assert again.status_code == 409
    assert error_summary(soup(again.text)) == [
        "You have already flagged this comment. A moderator will look at it."
    ]
    own = as_role("member").submit(form["action"], {"reason": "Mine"})
    assert own.status_code == 409

    queue = as_role("chair").page(moderation_url(consultation))
    [item] = queue.select("#flagged + ul > li")
    assert [li.get_text(" ", strip=True) for li in item.select(".govuk-list li")] == [
        "It is spam (Alex Public)"
    ]
    assert verbs(rt, comment) == ["comment.posted", "comment.flagged"]
    with rt.db.read() as session:
        event = session.exec(
            select(ActivityEvent).where(ActivityEvent.verb == "comment.flagged")
        ).one()
    assert event.visibility == "secretariat"  # who flagged is not public


def test_dismissing_flags_keeps_the_comment_and_empties_the_queue(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["member"], "Robust view")
    as_role("public").submit(f"{comment_url(consultation, comment)}/flag", {"reason": "Rude"})
    chair = as_role("chair")
    response = chair.submit(
        f"{comment_url(consultation, comment)}/dismiss-flags", {"next": "queue"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == moderation_url(consultation)
    assert stored(rt, comment.id or 0).flag_count == 0
    assert stored(rt, comment.id or 0).state == "published"
    assert chair.page(moderation_url(consultation)).select("#flagged + ul > li") == []
    assert actions(rt, comment) == [("dismiss", world.users["chair"].id, "")]
    with rt.db.read() as session:
        flag = session.exec(select(CommentFlag)).one()
    assert flag.handled_at is not None


# -- hide and restore ----------------------------------------------------------------------


def test_hiding_shows_the_reason_in_place_and_keeps_the_replies(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["public"], "Something abusive")
    reply = post_comment(rt, consultation, world.users["member"], "Please don't", parent=comment)
    as_role("member").submit(f"{comment_url(consultation, comment)}/flag", {"reason": "Abuse"})
    chair = as_role("chair")
    page = chair.page(comment_url(consultation, comment))
    form = page.select_one(f"form[action='{comment_url(consultation, comment)}/hide']")
    assert form.select_one("input[name=csrf_token]")["value"]
    missing = chair.submit(form["action"], {"reason": " "})
    assert missing.status_code == 400
    assert error_summary(soup(missing.text)) == ["Enter the reason for removing this comment"]
    assert chair.submit(form["action"], {"reason": "Personal abuse"}).status_code == 303

    page = as_role("visitor").page(thread_url(consultation))
    node = article(page, comment)
    assert node.select_one(".ss-comment__placeholder").get_text() == (
        "Removed by moderator: Personal abuse"
    )
    assert "Something abusive" not in page.get_text()
    assert list_of(article(page, reply)) == f"replies-{comment.id}"
    assert stored(rt, comment.id or 0).flag_count == 0
    # The public cannot read it through the history; moderators still can, on its page.
    assert as_role("public").get(f"{comment_url(consultation, comment)}/history").status_code == 403
    assert "Something abusive" in chair.page(comment_url(consultation, comment)).get_text()
    assert actions(rt, comment) == [("hide", world.users["chair"].id, "Personal abuse")]


def test_restoring_brings_the_comment_back(rt: Runtime, world: World, as_role: Any) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["public"], "Fair point actually")
    secretariat = as_role("secretariat")
    base = comment_url(consultation, comment)
    secretariat.submit(f"{base}/hide", {"reason": "Off topic"})
    queue = secretariat.page(moderation_url(consultation))
    assert [a["href"] for a in queue.select("#hidden + ul > li a")] == [base]
    assert secretariat.submit(f"{base}/restore", {"next": "queue"}).status_code == 303
    node = article(as_role("visitor").page(thread_url(consultation)), comment)
    assert node.select_one(".ss-comment__body").get_text().strip() == "Fair point actually"
    assert stored(rt, comment.id or 0).moderation_reason == ""
    assert [a for a, _m, _r in actions(rt, comment)] == ["hide", "restore"]
    assert verbs(rt, comment) == ["comment.posted", "comment.hidden", "comment.restored"]
    # Restoring twice is refused, not repeated.
    assert secretariat.submit(f"{base}/restore").status_code == 409


def test_a_moderator_can_still_hide_after_the_consultation_closes(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["public"], "Late abuse")
    later = consultation.closes_at
    rt.clock = lambda: later
    response = as_role("chair").submit(
        f"{comment_url(consultation, comment)}/hide", {"reason": "Abuse"}
    )
    assert response.status_code == 303
    assert stored(rt, comment.id or 0).state == "hidden"


# -- pre-moderation ------------------------------------------------------------------------


def test_pre_moderated_comments_wait_seen_only_by_their_author_and_moderators(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world, moderation="pre")
    author = as_role("public")
    response = author.submit(thread_url(consultation), {"comment": "Please approve me"})
    assert response.status_code == 303
    [comment] = list(_all(rt, consultation))
    assert comment.state == "pending"

    mine = article(author.page(thread_url(consultation)), comment)
    assert mine.select_one(".govuk-tag--yellow").get_text() == "Waiting for a moderator"
    assert (
        mine.select(".ss-comment__actions a")[0].get_text(" ", strip=True).startswith("Permalink")
    )
    for role in ("visitor", "member", "observer"):
        page = as_role(role).page(thread_url(consultation))
        assert page.select_one(f"#comment-{comment.id}") is None, role
        assert as_role(role).get(comment_url(consultation, comment)).status_code == 404
    chair = as_role("chair")
    assert article(chair.page(thread_url(consultation)), comment) is not None
    # Nobody replies to it before it is approved.
    assert as_role("member").get(f"{comment_url(consultation, comment)}/reply").status_code == 404

    queue = chair.page(moderation_url(consultation))
    [item] = queue.select("#pending + ul > li")
    assert "Please approve me" in item.get_text()
    approve = item.select_one(f"form[action='{comment_url(consultation, comment)}/approve']")
    assert approve.select_one("input[name=csrf_token]")["value"]
    assert chair.submit(approve["action"], {"next": "queue"}).status_code == 303

    page = as_role("visitor").page(thread_url(consultation))
    assert article(page, comment).select_one(".ss-comment__body").get_text().strip() == (
        "Please approve me"
    )
    assert actions(rt, comment) == [("approve", world.users["chair"].id, "")]
    assert verbs(rt, comment) == ["comment.posted", "comment.approved"]
    with rt.db.read() as session:
        posted = session.exec(
            select(ActivityEvent).where(ActivityEvent.verb == "comment.posted")
        ).one()
    assert posted.visibility == "group"


def test_a_moderators_own_comment_needs_no_approval(rt: Runtime, world: World) -> None:
    consultation = make_consultation(rt, world, moderation="pre")
    assert post_comment(rt, consultation, world.users["chair"], "From the chair").state == (
        "published"
    )
    assert post_comment(rt, consultation, world.users["observer"], "Observed").state == ("pending")


def test_a_waiting_comment_can_be_rejected_with_a_reason(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = make_consultation(rt, world, moderation="pre")
    comment = post_comment(rt, consultation, world.users["public"], "Buy cheap watches")
    assert (
        as_role("chair")
        .submit(f"{comment_url(consultation, comment)}/hide", {"reason": "Spam", "next": "queue"})
        .status_code
        == 303
    )
    node = article(as_role("visitor").page(thread_url(consultation)), comment)
    assert node.get_text(" ", strip=True).startswith("Removed by moderator: Spam")


def test_the_moderation_page_passes_its_own_checks(rt: Runtime, world: World, as_role: Any) -> None:
    consultation = make_consultation(rt, world, moderation="pre")
    post_comment(rt, consultation, world.users["public"], "One")
    post_comment(rt, consultation, world.users["member"], "Two")
    page = as_role("secretariat").page(moderation_url(consultation))
    ids = [tag["id"] for tag in page.select("[id]")]
    assert len(ids) == len(set(ids))
    assert page.title.get_text() == f"Moderation queue – {consultation.title} – Shared Space"
    for form in page.select("main form[method=post]"):
        assert form.select_one("input[name=csrf_token]")["value"]


def _all(rt: Runtime, consultation: Consultation) -> list[Comment]:
    with rt.db.read() as session:
        return list(
            session.exec(select(Comment).where(Comment.consultation_id == consultation.id)).all()
        )


# -- exports -------------------------------------------------------------------------------


def _export_world(rt: Runtime, world: World) -> tuple[Consultation, dict[str, Comment]]:
    consultation = make_consultation(rt, world, moderation="pre")
    made = {
        "published": post_comment(rt, consultation, world.users["chair"], "=1+1 published"),
        "pending": post_comment(rt, consultation, world.users["public"], "Waiting text"),
        "hidden": post_comment(rt, consultation, world.users["observer"], "Hidden text"),
        "deleted": post_comment(rt, consultation, world.users["secretariat"], "Deleted text"),
    }
    chair = viewer_for(rt, world.users["chair"])
    moderation_service.do_hide(rt, chair, consultation.id or 0, made["hidden"].id or 0, "Rude")
    service.do_delete(
        rt,
        viewer_for(rt, world.users["secretariat"]),
        consultation.id or 0,
        made["deleted"].id or 0,
    )
    return consultation, made


def test_the_public_export_leaves_out_waiting_comments_and_removed_text(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation, made = _export_world(rt, world)
    response = as_role("visitor").get(f"/consultations/{consultation.slug}/export/comments.json")
    assert response.status_code == 200
    body = json.loads(response.text)
    assert body["view"] == "public"
    rows = {row["id"]: row for row in body["comments"]}
    assert set(rows) == {made[k].id for k in ("published", "hidden", "deleted")}
    assert rows[made["published"].id]["text"] == "=1+1 published"
    assert rows[made["hidden"].id]["text"] == ""
    assert rows[made["hidden"].id]["state"] == "hidden"
    assert rows[made["hidden"].id]["removal_reason"] == "Rude"
    assert rows[made["deleted"].id]["text"] == ""
    assert rows[made["deleted"].id]["author_name"] == ""
    assert "author_id" not in rows[made["published"].id]


def test_the_full_export_has_everything_and_csv_cells_are_defused(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation, made = _export_world(rt, world)
    response = as_role("chair").get(
        f"/consultations/{consultation.slug}/export/comments.csv?view=full"
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert {int(r["id"]) for r in rows} == {c.id for c in made.values()}
    texts = {r["state"]: r["text"] for r in rows}
    assert texts == {
        "published": "'=1+1 published",
        "pending": "Waiting text",
        "hidden": "Hidden text",
        "deleted": "Deleted text",
    }
    assert {r["author_id"] for r in rows} >= {str(world.users["observer"].id)}
    assert (
        as_role("visitor")
        .get(f"/consultations/{consultation.slug}/export/comments.xml")
        .status_code
        == 404
    )
