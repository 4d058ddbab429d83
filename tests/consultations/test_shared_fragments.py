"""The consultation page signed in shares its thread and frozen definition between
viewers and requests (workspace/fragments.py, consultations/comments/audience.py), and
is never stale for it: every change shows at once, for every viewer, even when it was
made by another runtime on the same database, and nobody gets another viewer's thread
or controls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup

from consultations.comments import service as comments
from consultations.comments.forms import Draft
from consultations.lifecycle.models import Consultation
from consultations.moderation import service as moderation
from sharedspace.app import create_app
from tests.client import HubClient
from tests.consultations.factories import make_consultation, post_comment
from tests.definitions.factories import viewer_for
from tests.factories import World, seat_member
from workspace.runtime import Runtime
from workspace.settings import Settings


@pytest.fixture
def other_rt(settings: Settings, rt: Runtime) -> Iterator[Runtime]:
    """A second runtime (another worker) on the same database, with its own caches."""
    app = create_app(settings)
    other: Runtime = app.state.runtime
    other.clock = lambda: rt.clock()  # the same time as the first, however tests move it
    yield other
    other.worker.close()
    other.db.dispose()


@pytest.fixture
def reader(app, world: World) -> Iterator[HubClient]:  # type: ignore[no-untyped-def]
    with HubClient(app) as c:
        c.sign_in_as(world.users["public"])
        yield c


def page_of(client: HubClient, consultation: Consultation) -> BeautifulSoup:
    return client.page(f"/consultations/{consultation.slug}")


def thread_texts(page: BeautifulSoup) -> dict[str, str]:
    """Each comment shown: element id -> its text (body, or the placeholder)."""
    found = {}
    for article in page.select("#comment-thread article.ss-comment"):
        body = article.select_one(".ss-comment__body, .ss-comment__placeholder")
        assert body is not None
        found[str(article["id"])] = body.get_text(" ", strip=True)
    return found


def subnav_links(page: BeautifulSoup) -> list[str]:
    return [a.get_text(strip=True) for a in page.select("nav.ss-subnav a")]


def test_a_second_view_signed_in_reuses_the_thread(
    rt: Runtime, world: World, consultation: Consultation, reader: HubClient
) -> None:
    post_comment(rt, consultation, world.users["member"], "Fabric first.")
    first = page_of(reader, consultation)
    hits = rt.fragments.hits
    second = page_of(reader, consultation)
    assert rt.fragments.hits > hits
    assert thread_texts(second) == thread_texts(first) == {"comment-1": "Fabric first."}


def test_a_new_comment_from_another_worker_shows_at_once(
    rt: Runtime, other_rt: Runtime, world: World, consultation: Consultation, reader: HubClient
) -> None:
    post_comment(rt, consultation, world.users["member"], "Fabric first.")
    assert list(thread_texts(page_of(reader, consultation))) == ["comment-1"]
    post_comment(other_rt, consultation, world.users["chair"], "Agreed.", parent=1)
    page = page_of(reader, consultation)
    assert thread_texts(page) == {"comment-1": "Fabric first.", "comment-2": "Agreed."}
    reply = page.select_one("#replies-1 #comment-2")
    assert reply is not None
    section = page.select_one("#comments")
    assert section is not None
    assert section["data-seq"] == "2"


def test_an_edit_and_a_moderation_elsewhere_show_at_once_for_every_role(
    rt: Runtime,
    other_rt: Runtime,
    world: World,
    consultation: Consultation,
    as_role,  # type: ignore[no-untyped-def]
) -> None:
    member = world.users["member"]
    post_comment(rt, consultation, member, "Fabric first.")
    post_comment(rt, consultation, world.users["public"], "Buy me a boat.")
    clients = {role: as_role(role) for role in ("visitor", "public", "observer", "chair")}
    for client in clients.values():
        page_of(client, consultation)  # every audience's thread is now kept
    cid = consultation.id or 0
    comments.do_edit(
        other_rt, viewer_for(other_rt, member), cid, 1, Draft("Fabric, then heat.", "")
    )
    chair = viewer_for(other_rt, world.users["chair"])
    moderation.do_hide(other_rt, chair, cid, 2, "Off topic")
    for role, client in clients.items():
        shown = thread_texts(page_of(client, consultation))
        assert shown == {
            "comment-1": "Fabric, then heat.",
            "comment-2": "Removed by moderator: Off topic",
        }, role


def test_waiting_comments_reach_only_their_author_and_moderators(
    rt: Runtime,
    other_rt: Runtime,
    world: World,
    as_role,  # type: ignore[no-untyped-def]
) -> None:
    consultation = make_consultation(rt, world, moderation="pre")
    post_comment(rt, consultation, world.users["public"], "Waiting for approval.")
    public, member, chair = as_role("public"), as_role("member"), as_role("chair")
    assert thread_texts(page_of(member, consultation)) == {}
    assert thread_texts(page_of(public, consultation)) == {"comment-1": "Waiting for approval."}
    assert thread_texts(page_of(chair, consultation)) == {"comment-1": "Waiting for approval."}
    assert thread_texts(page_of(member, consultation)) == {}  # after the others: not theirs
    moderation.do_approve(
        other_rt, viewer_for(other_rt, world.users["chair"]), consultation.id or 0, 1
    )
    for client in (member, public, chair):
        assert thread_texts(page_of(client, consultation)) == {"comment-1": "Waiting for approval."}
        waiting = page_of(client, consultation).select(".govuk-tag--yellow")
        assert waiting == []


def test_a_new_role_changes_the_thread_and_controls_at_once(
    rt: Runtime,
    world: World,
    as_role,  # type: ignore[no-untyped-def]
) -> None:
    consultation = make_consultation(rt, world, moderation="pre")
    post_comment(rt, consultation, world.users["member"], "Waiting for approval.")
    newcomer = as_role("public")
    assert thread_texts(page_of(newcomer, consultation)) == {}
    assert "Moderation queue" not in subnav_links(page_of(newcomer, consultation))
    org = next(iter(world.orgs.values()))
    admin = world.users["secretariat"]
    seat_member(rt, admin, world.group, world.users["public"], org, role="chair")
    page = page_of(newcomer, consultation)
    assert thread_texts(page) == {"comment-1": "Waiting for approval."}
    assert "Moderation queue" in subnav_links(page)


def test_a_viewer_never_gets_another_viewers_controls(
    rt: Runtime,
    world: World,
    consultation: Consultation,
    as_role,  # type: ignore[no-untyped-def]
) -> None:
    post_comment(rt, consultation, world.users["member"], "Fabric first.")
    chair, public, visitor = as_role("chair"), as_role("public"), as_role("visitor")
    chair_page = page_of(chair, consultation)
    public_page = page_of(public, consultation)
    visitor_page = page_of(visitor, consultation)
    assert "Moderation queue" in subnav_links(chair_page)
    assert subnav_links(public_page) == subnav_links(visitor_page) == []
    assert public_page.select("form.ss-moderate, a[href$='/moderation']") == []
    # Same shared thread, each with their own CSRF token in their own forms.
    assert thread_texts(chair_page) == thread_texts(public_page) == thread_texts(visitor_page)
    for page in (chair_page, public_page):
        meta = page.find("meta", attrs={"name": "csrf-token"})
        assert meta is not None
        tokens = {str(i["value"]) for i in page.select("input[name=csrf_token]")}
        assert tokens == {str(meta["content"])}
    assert visitor_page.select("#comments form") == []
    assert public_page.select("#comments form textarea[name=comment]") != []
