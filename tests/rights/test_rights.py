"""People's rights: the export holds what they wrote; closing leaves no name or email in
any text column of the database; the retention job deletes what has outlived its use."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import String, func, select
from sqlmodel import SQLModel

from consultations.comments import service as comment_service
from consultations.comments.models import Comment
from definitions.signoff import service as signoff
from sharedspace.rights import close, retention
from tests.api.factories import bearer, make_token
from tests.client import HubClient, error_summary
from tests.consultations.factories import add_question, make_consultation, post_comment, respond
from tests.definitions.factories import make_definition, viewer_for
from tests.factories import World, make_user
from workspace import auditchain, auth
from workspace.db import utcnow
from workspace.models import ActivityEvent, PasswordResetToken, RateLimitCounter, User, UserSession
from workspace.runtime import Runtime
from workspace.tokens.models import ApiToken

PASSWORD = "a long enough password"


def _member_writes(rt: Runtime, world: World) -> dict[str, str]:
    """The member comments (then edits it), replies, answers a question and records a
    position; a colleague quotes them by name. Returns what they wrote, by kind."""
    member = world.users["member"]
    consultation = make_consultation(rt, world)
    question = add_question(rt, consultation, "What should come first?", kind="free_text")
    comment = post_comment(rt, consultation, member, "Fabric first, always.")
    comment_service.do_edit(
        rt,
        viewer_for(rt, member),
        consultation.id or 0,
        comment.id or 0,
        comment_service.Draft("Fabric first, in almost every case.", ""),
    )
    post_comment(rt, consultation, world.users["chair"], "As Raj Member says: agreed.", comment)
    respond(rt, consultation, member, {question.id or 0: "Build the fabric standard in 2013."})
    definition = make_definition(rt, world)
    chair = viewer_for(rt, world.users["chair"])
    signoff.do_propose(rt, chair, world.group, definition.id or 0)
    signoff.do_record_position(
        rt,
        viewer_for(rt, member),
        world.group,
        definition.id or 0,
        "reservations",
        "Only if 2016 holds.",
    )
    return {
        "comment": "Fabric first, in almost every case.",
        "commentedit": "Fabric first, always.",
        "answer": "Build the fabric standard in 2013.",
        "position": "Only if 2016 holds.",
    }


def _sign_in_with_password(rt: Runtime, client: HubClient, world: World) -> None:
    member = world.users["member"]
    with rt.db.write() as unit:
        row = unit.session.get(type(member), member.id)
        assert row is not None
        row.password_hash = rt.hasher.hash(PASSWORD)
        unit.session.add(row)
    client.sign_in_as(member)


def test_the_download_holds_everything_the_person_wrote(
    as_role: Callable[[str], HubClient], rt: Runtime, world: World
) -> None:
    written = _member_writes(rt, world)
    client = as_role("member")
    make_token(client, name="Nightly sync")
    page = client.page("/account/data")
    link = page.select_one("a#download-data")
    assert link is not None
    response = client.get(str(link["href"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    for table, text in written.items():
        assert text in json.dumps(data[table]), table
        assert f"{table}.csv" in archive.namelist()
    assert data["profile"][0]["email"] == world.users["member"].email
    assert "password_hash" not in data["profile"][0]
    assert [t["name"] for t in data["api_token"]] == ["Nightly sync"]
    assert "token_hash" not in data["api_token"][0]
    assert data["user_session"]  # where they are signed in
    assert {row["organisation_id"] for row in data["membership"]} == {world.orgs["green"].id}
    assert [o["name"] for o in data["organisation"]] == ["UK Green Building Council"]


def _text_mentions(rt: Runtime, needle: str) -> list[str]:
    """Every (table.column) whose text contains `needle`, any case: a search of every
    text column of the database."""
    found = []
    with rt.db.read() as session:
        for table in SQLModel.metadata.tables.values():
            for column in table.columns:
                # SQLModel's AutoString wraps String (for str fields) rather than extending it.
                if not isinstance(getattr(column.type, "impl", column.type), String):
                    continue
                hits = session.execute(
                    select(func.count()).where(func.lower(column).contains(needle.lower()))
                ).scalar_one()
                if hits:
                    found.append(f"{table.name}.{column.name}")
    return found


def test_closing_an_account_leaves_no_name_or_email_in_the_database(
    app: object, rt: Runtime, world: World
) -> None:
    written = _member_writes(rt, world)
    member = world.users["member"]
    name, email = member.display_name, member.email
    with HubClient(app) as client:
        _sign_in_with_password(rt, client, world)
        token = make_token(client)
        assert _text_mentions(rt, name)  # the comments, the activity log, the quote...
        refused = client.submit("/account/close", {"confirm": "yes", "password": "wrong"})
        assert refused.status_code == 400
        from tests.client import soup

        assert error_summary(soup(refused.text)) == [
            "Enter your current password to close your account."
        ]
        closed = client.submit("/account/close", {"confirm": "yes", "password": PASSWORD})
        assert closed.status_code == 303
        assert _text_mentions(rt, name) == []
        assert _text_mentions(rt, email) == []
        assert client.get("/account/tokens").status_code == 303  # signed out: to sign in
        assert client.get("/api/v1/groups", headers=bearer(token)).status_code == 401
    assert auth.verify_password(rt.hasher, "!closed", PASSWORD) is False
    with rt.db.read() as session:
        events = session.exec(
            select(ActivityEvent).where(ActivityEvent.actor_id == member.id)  # type: ignore[call-overload]
        ).all()
        actor = session.get(User, member.id)
        chain = auditchain.verify(session)
    # The log keeps the facts, sealed and unbroken; their actor is nobody in particular.
    assert events != []
    assert actor is not None
    assert (actor.display_name, actor.is_active) == ("Former participant", False)
    assert chain.ok
    # The comment stays, as the former participant's; the position stays the organisation's.
    with HubClient(app) as visitor:
        slug = "zero-carbon-homes-the-draft"
        comments = visitor.get(f"/api/v1/consultations/{slug}/comments").json()["items"]
    assert (comments[0]["author"], comments[0]["body"]) == (
        "Former participant",
        written["comment"],
    )
    assert comments[1]["body"] == "As Former participant says: agreed."
    with rt.db.read() as session:
        position = session.exec(select(signoff.Position)).scalars().one()  # type: ignore[call-overload]
    assert (position.comment, position.organisation_id) == (
        written["position"],
        world.orgs["green"].id,
    )


def test_the_retention_job_deletes_what_has_outlived_its_use(rt: Runtime, world: World) -> None:
    member = world.users["member"]
    now = utcnow()
    long_ago = now - timedelta(days=rt.settings.retention_session_days + 2)
    with rt.db.write() as unit:
        unit.session.add(
            UserSession(
                token_hash="old",
                user_id=member.id or 0,
                expires_at=long_ago,
                created_at=long_ago,
                last_seen_at=long_ago,
            )
        )
        unit.session.add(
            UserSession(
                token_hash="current", user_id=member.id or 0, expires_at=now + timedelta(days=1)
            )
        )
        unit.session.add(
            RateLimitCounter(
                key="signin:ip:192.0.2.7", window_start=int(time.time()) - 3 * 86400, count=3
            )
        )
        unit.session.add(
            RateLimitCounter(key="signin:ip:192.0.2.8", window_start=int(time.time()), count=1)
        )
        unit.session.add(
            ApiToken(
                user_id=member.id or 0,
                name="old",
                prefix="ss_x",
                token_hash="h1",
                revoked_at=now - timedelta(days=rt.settings.retention_token_days + 1),
            )
        )
        unit.session.add(
            ApiToken(user_id=member.id or 0, name="live", prefix="ss_y", token_hash="h2")
        )
        unit.session.add(
            PasswordResetToken(
                token_hash="r", user_id=member.id or 0, expires_at=now - timedelta(days=2)
            )
        )
    assert rt.worker.run_periodic() >= 1  # every periodic job, retention among them
    with rt.db.read() as session:
        assert [s.token_hash for s in session.exec(select(UserSession)).scalars()] == ["current"]  # type: ignore[call-overload]
        assert [r.key for r in session.exec(select(RateLimitCounter)).scalars()] == [
            "signin:ip:192.0.2.8"
        ]  # type: ignore[call-overload]
        assert [t.name for t in session.exec(select(ApiToken)).scalars()] == ["live"]  # type: ignore[call-overload]
        assert session.exec(select(PasswordResetToken)).scalars().all() == []  # type: ignore[call-overload]
    assert retention.sweep(rt) == retention.Swept(0, 0, 0, 0)  # nothing left to do


def test_closing_rewrites_only_the_person_not_names_and_addresses_that_contain_theirs(
    rt: Runtime, world: World
) -> None:
    ann = make_user(rt, "Ann Lee", email="ann@example.org")
    joann = make_user(rt, "Joann Lee", email="joann@example.org")
    consultation = make_consultation(rt, world)
    post_comment(rt, consultation, world.users["public"], "Ann Lee and Joann Lee agree.")
    post_comment(rt, consultation, world.users["public"], "Write to ann@example.org.")
    close.do_close(rt, ann)
    with rt.db.read() as session:
        other = session.get(User, joann.id)
        bodies = [c.body for c in session.exec(select(Comment).order_by(Comment.id)).scalars()]  # type: ignore[call-overload, arg-type]
    assert other is not None
    assert (other.display_name, other.email) == ("Joann Lee", "joann@example.org")
    assert bodies == [
        "Former participant and Joann Lee agree.",
        "Write to [address removed].",
    ]


def test_a_one_word_name_leaves_the_comment_fragments_too(
    as_role: Callable[[str], HubClient], rt: Runtime, world: World
) -> None:
    solo = make_user(rt, "Greenwood", email="greenwood@example.org")
    consultation = make_consultation(rt, world)
    post_comment(rt, consultation, solo, "Fabric first.")
    close.do_close(rt, solo)
    page = as_role("visitor").page(f"/consultations/{consultation.slug}/comments")
    comment = page.select_one("article[id^=comment-]")
    assert comment is not None
    author = comment.select_one(".ss-comment__author")
    assert author is not None
    assert author.get_text(strip=True) == "Former participant"
    assert "Greenwood" not in comment.get_text(" ")
