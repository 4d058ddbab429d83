"""Following and notifications: automatic and chosen follows, notices produced from domain
events in the worker (never on the request path), why each person got one, the centre
with its unread count, and preferences."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import col, select

from consultations.moderation import service as moderation
from definitions.signoff import service as signoff
from tests.client import HubClient, error_summary, soup
from tests.consultations.factories import make_consultation, post_comment
from tests.definitions.factories import make_definition, viewer_for
from tests.factories import World, make_user
from workspace.models import User
from workspace.notifications.models import EmailState, Follow, Notification
from workspace.runtime import Runtime

OpenAs = Callable[[str], HubClient]


def notes(rt: Runtime, user: User) -> list[Notification]:
    with rt.db.read() as session:
        return list(
            session.exec(
                select(Notification)
                .where(Notification.user_id == user.id)
                .order_by(col(Notification.id))
            ).all()
        )


def follows(rt: Runtime, user: User) -> set[tuple[str, int, bool]]:
    with rt.db.read() as session:
        rows = session.exec(select(Follow).where(Follow.user_id == user.id)).all()
    return {(f.target_kind, f.target_id, f.active) for f in rows}


def test_people_follow_what_they_sit_in_and_write(rt: Runtime, world: World) -> None:
    group = world.group.id or 0
    assert ("group", group, True) in follows(rt, world.users["member"])
    assert ("group", group, True) in follows(rt, world.users["observer"])
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["public"], "Fabric first.")
    assert ("thread", comment.id, True) in follows(rt, world.users["public"])
    assert ("consultation", consultation.id, True) in follows(rt, world.users["chair"])


def test_notices_are_made_by_the_worker_not_the_request(rt: Runtime, world: World) -> None:
    consultation = make_consultation(rt, world)
    first = post_comment(rt, consultation, world.users["public"], "Fabric first.")
    rt.worker.run_pending()
    post_comment(rt, consultation, world.users["member"], "Agreed, fabric first.", parent=first)
    assert notes(rt, world.users["public"]) == []  # nothing until the worker runs
    rt.worker.run_pending()
    [reply] = notes(rt, world.users["public"])
    assert reply.kind == "comment_reply"
    assert reply.title == f"Raj Member replied to your comment on {consultation.title}"
    assert reply.reason == "You wrote the comment they answered"
    assert reply.url.endswith(f"/comments/{first.id + 1}")  # the exact place: the reply
    assert reply.email_state == EmailState.EMAILED  # a reply needs you: emailed at once
    assert notes(rt, world.users["member"]) == []  # never told of their own act


def test_a_retried_fan_out_makes_no_duplicates(rt: Runtime, world: World) -> None:
    consultation = make_consultation(rt, world)
    first = post_comment(rt, consultation, world.users["public"], "Fabric first.")
    post_comment(rt, consultation, world.users["member"], "Why?", parent=first)
    pending = rt.worker.huey.pending()
    rt.worker.run_pending()
    for task in pending:  # as if the worker crashed after committing and ran them again
        rt.worker.huey.execute(task)
    assert len(notes(rt, world.users["public"])) == 1


def test_a_proposal_asks_each_member_organisation_for_its_position(
    rt: Runtime, world: World
) -> None:
    definition = make_definition(rt, world)
    chair = viewer_for(rt, world.users["chair"])
    signoff.do_propose(rt, chair, world.group, definition.id or 0)
    rt.worker.run_pending()
    [asked] = notes(rt, world.users["member"])
    assert asked.kind == "position_needed"
    assert "UK Green Building Council" in asked.reason
    assert "position is needed" in asked.reason
    assert asked.url.endswith("/sign-off")
    observed = notes(rt, world.users["observer"])
    assert [n.kind for n in observed] == ["definition_progress"]
    assert observed[0].email_state == EmailState.WEEKLY  # observers: a weekly digest
    assert notes(rt, world.users["public"]) == []  # private to the group
    # The chair proposed it, but their own organisation has to sign off too.
    [own] = notes(rt, world.users["chair"])
    assert own.kind == "position_needed"
    assert "Home Builders Federation" in own.reason


def test_an_objection_goes_to_the_chairs_and_its_answer_to_the_objectors(
    rt: Runtime, world: World
) -> None:
    definition = make_definition(rt, world)
    chair = viewer_for(rt, world.users["chair"])
    signoff.do_propose(rt, chair, world.group, definition.id or 0)
    member = viewer_for(rt, world.users["member"])
    position = signoff.do_record_position(
        rt, member, world.group, definition.id or 0, "object", "Too weak on fabric."
    )
    rt.worker.run_pending()
    raised = [n for n in notes(rt, world.users["chair"]) if n.kind == "dispute_raised"]
    assert len(raised) == 1
    assert "needs your answer" in raised[0].reason
    with rt.db.read() as session:
        from definitions.signoff.models import Dispute

        dispute = session.exec(select(Dispute).where(Dispute.position_id == position.id)).one()
    signoff.do_answer_dispute(
        rt, chair, world.group, definition.id or 0, dispute.id or 0, "not_accepted", "No.", None
    )
    rt.worker.run_pending()
    answered = [n for n in notes(rt, world.users["member"]) if n.kind == "dispute_answered"]
    assert len(answered) == 1
    assert answered[0].reason == "Your organisation raised the objection"
    assert "not accepted" in answered[0].title


def test_a_hidden_comment_tells_its_author_why(rt: Runtime, world: World) -> None:
    consultation = make_consultation(rt, world)
    comment = post_comment(rt, consultation, world.users["public"], "Off topic.")
    chair = viewer_for(rt, world.users["chair"])
    moderation.do_hide(rt, chair, consultation.id or 0, comment.id or 0, "Off topic")
    rt.worker.run_pending()
    [hidden] = [n for n in notes(rt, world.users["public"]) if n.kind == "comment_moderated"]
    assert hidden.summary == "The reason given: Off topic"


def test_new_comments_reach_the_consultations_followers(
    rt: Runtime, world: World, as_role: OpenAs
) -> None:
    consultation = make_consultation(rt, world)
    reader = as_role("public")
    page = reader.page(f"/consultations/{consultation.slug}")
    button = page.select_one("form.ss-follow button")
    assert button is not None
    assert "Follow" in button.get_text()
    response = reader.submit(
        "/following/set",
        {
            "kind": "consultation",
            "target_id": str(consultation.id),
            "action": "follow",
            "next": f"/consultations/{consultation.slug}",
        },
    )
    assert response.status_code == 303
    page = reader.page(f"/consultations/{consultation.slug}")
    assert page.select_one("form.ss-follow button")["aria-pressed"] == "true"
    post_comment(rt, consultation, world.users["member"], "Fabric first.")
    rt.worker.run_pending()
    [news] = notes(rt, world.users["public"])
    assert news.kind == "new_comments"
    assert news.reason == "You follow this consultation"
    listed = reader.page("/following")
    assert consultation.title in listed.get_text()
    reader.submit(
        "/following/set",
        {"kind": "consultation", "target_id": str(consultation.id), "action": "unfollow"},
    )
    assert ("consultation", consultation.id, False) in follows(rt, world.users["public"])


def test_unfollowing_an_automatic_follow_sticks(rt: Runtime, world: World, as_role: OpenAs) -> None:
    consultation = make_consultation(rt, world)
    first = post_comment(rt, consultation, world.users["public"], "Fabric first.")
    reader = as_role("public")
    reader.submit(
        "/following/set", {"kind": "thread", "target_id": str(first.id), "action": "unfollow"}
    )
    post_comment(rt, consultation, world.users["public"], "And more.", parent=first)
    assert ("thread", first.id, False) in follows(rt, world.users["public"])


def test_nobody_follows_what_they_cannot_read(rt: Runtime, world: World, as_role: OpenAs) -> None:
    definition = make_definition(rt, world)  # a draft: the group's only
    outsider = as_role("public")
    response = outsider.submit(
        "/following/set",
        {"kind": "definition", "target_id": str(definition.id), "action": "follow"},
    )
    assert response.status_code == 404
    assert follows(rt, world.users["public"]) == set()
    bad = outsider.submit("/following/set", {"kind": "spaceship", "target_id": "1"})
    assert bad.status_code == 400
    huge = outsider.submit("/following/set", {"kind": "group", "target_id": "9" * 40})
    assert huge.status_code == 400


def test_private_notices_skip_people_who_lost_access(rt: Runtime, world: World) -> None:
    stranger = make_user(rt, "Sam Stranger")
    with rt.db.write() as unit:  # followed while they could read it, say
        unit.session.add(
            Follow(user_id=stranger.id or 0, target_kind="group", target_id=world.group.id or 0)
        )
    definition = make_definition(rt, world)
    signoff.do_propose(rt, viewer_for(rt, world.users["chair"]), world.group, definition.id or 0)
    rt.worker.run_pending()
    assert notes(rt, stranger) == []


def test_the_centre_counts_unread_and_opening_marks_read(
    rt: Runtime, world: World, as_role: OpenAs
) -> None:
    consultation = make_consultation(rt, world)
    first = post_comment(rt, consultation, world.users["public"], "Fabric first.")
    post_comment(rt, consultation, world.users["member"], "Why?", parent=first)
    rt.worker.run_pending()
    reader = as_role("public")
    home = reader.page("/")
    assert home.select_one("#unread-count").get_text() == "1"
    centre = reader.page("/notifications")
    item = centre.select_one(".ss-notification--unread")
    assert item is not None
    assert "replied to your comment" in item.get_text()
    assert "You wrote the comment they answered" in item.get_text()
    action = item.select_one("form")["action"]
    opened = reader.submit(action)
    assert opened.status_code == 303
    assert opened.headers["location"].endswith(f"/comments/{first.id + 1}")
    assert reader.page("/").select_one("#unread-count").get_text() == "0"
    assert reader.get("/notifications/unread").json() == {"unread": 0}


def test_nobody_opens_another_persons_notification(
    rt: Runtime, world: World, as_role: OpenAs
) -> None:
    consultation = make_consultation(rt, world)
    first = post_comment(rt, consultation, world.users["public"], "Fabric first.")
    post_comment(rt, consultation, world.users["member"], "Why?", parent=first)
    rt.worker.run_pending()
    [mine] = notes(rt, world.users["public"])
    other = as_role("observer")
    assert other.submit(f"/notifications/{mine.id}/open").status_code == 404
    assert other.submit("/notifications/99999999999999/open").status_code == 404
    assert notes(rt, world.users["public"])[0].read_at is None


def test_mark_all_as_read(rt: Runtime, world: World, as_role: OpenAs) -> None:
    consultation = make_consultation(rt, world)
    first = post_comment(rt, consultation, world.users["public"], "Fabric first.")
    for text in ("One.", "Two."):
        post_comment(rt, consultation, world.users["member"], text, parent=first)
    rt.worker.run_pending()
    reader = as_role("public")
    assert reader.submit("/notifications/read-all").status_code == 303
    assert all(n.read_at is not None for n in notes(rt, world.users["public"]))


def test_preferences_keep_input_and_report_errors(
    as_role: OpenAs, rt: Runtime, world: World
) -> None:
    member = as_role("member")
    page = member.page("/notifications/preferences")
    legend = page.find(string=lambda s: s and "Your organisation's position is needed" in s)
    assert legend is not None
    assert page.select_one("input[name='kind-position_needed'][value='default']").has_attr(
        "checked"
    )
    bad = member.submit(
        "/notifications/preferences",
        {
            "kind-position_needed": "never",
            "timezone": "Mars/Olympus_Mons",
            "digest_hour": "25",
            "digest_weekday": "2",
        },
    )
    assert bad.status_code == 400
    page = soup(bad.text)
    assert error_summary(page) == [
        "Enter a time zone like Europe/London",
        "Select the hour your digests arrive",
    ]
    assert page.select_one("#timezone")["value"] == "Mars/Olympus_Mons"
    assert page.select_one("input[name='kind-position_needed'][value='never']").has_attr("checked")
    good = member.submit(
        "/notifications/preferences",
        {
            "kind-position_needed": "never",
            "timezone": "Europe/Brussels",
            "digest_hour": "7",
            "digest_weekday": "4",
        },
    )
    assert good.status_code == 303
    definition = make_definition(rt, world)
    signoff.do_propose(rt, viewer_for(rt, world.users["chair"]), world.group, definition.id or 0)
    rt.worker.run_pending()
    [asked] = notes(rt, world.users["member"])
    assert asked.email_state == EmailState.NONE  # chosen: never by email


def test_followers_written_by_the_database_get_their_own_email_choices(
    rt: Runtime, world: World
) -> None:
    """A big audience is one INSERT ... SELECT (workspace/notifications/bulk.py): each
    follower's preference, role default and "no email" switch apply there too."""
    from workspace.notifications.models import NotificationPreference, NotificationSettings

    consultation = make_consultation(rt, world)
    keen, quiet, plain = (make_user(rt, name) for name in ("Kay Keen", "Quinn Quiet", "Pip"))
    with rt.db.write() as unit:
        for person in (keen, quiet, plain):
            unit.session.add(
                Follow(
                    user_id=person.id or 0,
                    target_kind="consultation",
                    target_id=consultation.id or 0,
                )
            )
        unit.session.add(
            NotificationPreference(user_id=keen.id or 0, kind="new_comments", channel="at_once")
        )
        unit.session.add(NotificationSettings(user_id=quiet.id or 0, emails_off=True))
    post_comment(rt, consultation, world.users["member"], "Fabric first.")
    rt.worker.run_pending()
    states = {p.display_name: notes(rt, p)[0].email_state for p in (keen, quiet, plain)}
    assert states == {
        "Kay Keen": EmailState.EMAILED,  # chose "at once": emailed in the same transaction
        "Quinn Quiet": EmailState.NONE,  # turned email off
        "Pip": EmailState.WEEKLY,  # the default for someone with no seat
    }


def test_a_consultation_closing_soon_is_announced_once(rt: Runtime, world: World) -> None:
    from datetime import timedelta

    from consultations.lifecycle import clock

    consultation = make_consultation(rt, world, closes_at=rt.clock() + timedelta(days=2))
    make_consultation(rt, world, title="Far off", closes_at=rt.clock() + timedelta(days=20))
    assert clock.announce_closing_soon(rt) == 1
    assert clock.announce_closing_soon(rt) == 0  # once, whoever looks again
    rt.worker.run_periodic()  # the clock job itself: nothing new
    [soon] = [n for n in notes(rt, world.users["member"]) if "closing soon" in n.title]
    assert soon.kind == "consultation_progress"
    assert soon.title == f"Consultation closing soon: {consultation.title}"
    assert soon.reason == "You follow the task group Zero carbon homes definition"
    assert soon.summary.startswith("It closes on")


def test_milestones_becoming_overdue_or_slipping_are_announced(
    rt: Runtime, world: World, as_role: OpenAs
) -> None:
    from datetime import timedelta

    from taskgroups.milestones import service as milestones
    from taskgroups.milestones import watch
    from taskgroups.milestones.forms import MilestoneDraft

    chair = viewer_for(rt, world.users["chair"])
    today = milestones.today(rt)
    late = milestones.do_create(
        rt,
        chair,
        world.group,
        MilestoneDraft("Fabric standard agreed", "", today - timedelta(days=2), None),
    )
    follower = as_role("public")
    follower.submit("/following/set", {"kind": "programme", "target_id": "0", "action": "follow"})
    assert watch.announce_changes(rt) == 1
    assert watch.announce_changes(rt) == 0
    rt.worker.run_pending()
    [overdue] = notes(rt, world.users["member"])
    assert overdue.title == "Milestone is overdue: Fabric standard agreed"
    assert overdue.url == f"/milestones/{late.id}"
    milestones.do_update(
        rt,
        chair,
        late.id or 0,
        MilestoneDraft("Fabric standard agreed", "", today + timedelta(days=200), None, "Costs"),
    )
    rt.worker.run_pending()
    titles = [n.title for n in notes(rt, world.users["public"])]
    assert "Milestone has slipped to a later date: Fabric standard agreed" in titles
