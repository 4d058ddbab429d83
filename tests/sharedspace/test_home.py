"""A home for each kind of user: what is open for everyone, my own responses and
comments, "Needs you" for members and chairs, the dashboard for observers and the state
of the hub for the secretariat; a search box and the public-service links on every page."""

from __future__ import annotations

from collections.abc import Callable

from bs4 import BeautifulSoup

from definitions.signoff import service as signoff
from tests.client import HubClient
from tests.consultations.factories import (
    add_question,
    make_consultation,
    post_comment,
    respond,
)
from tests.definitions.factories import make_definition, viewer_for
from tests.factories import World, make_group, make_org
from workspace.runtime import Runtime

Open = Callable[[str], HubClient]


def _nav(page: BeautifulSoup) -> list[str]:
    nav = page.find("nav", attrs={"aria-label": "Main"})
    assert nav is not None
    return [a.get_text(" ", strip=True) for a in nav.find_all("a")]


def test_a_visitor_sees_open_consultations_and_no_personal_sections(
    rt: Runtime, world: World, as_role: Open
) -> None:
    make_consultation(rt, world, title="Fabric standard")
    page = as_role("visitor").page("/")
    listing = page.find("ul", attrs={"aria-labelledby": "open-consultations-heading"})
    assert listing is not None
    titles = [a.get_text(strip=True) for a in listing.select("h3 a")]
    assert titles == ["Fabric standard"]
    for absent in ("needs-you", "hub-health", "observer-home", "my-contributions-heading"):
        assert page.find(id=absent) is None, absent


def test_the_public_find_their_response_and_comment_again(
    rt: Runtime, world: World, as_role: Open
) -> None:
    consultation = make_consultation(rt, world, title="Fabric standard")
    question = add_question(rt, consultation)
    respond(rt, consultation, world.users["public"], {question.id or 0: "agree"})
    comment = post_comment(rt, consultation, world.users["public"], "Raise the bar.")
    page = as_role("public").page("/")
    responses = page.find("ul", attrs={"aria-labelledby": "my-responses-heading"})
    comments = page.find("ul", attrs={"aria-labelledby": "my-comments-heading"})
    assert responses is not None
    assert comments is not None
    response_link = responses.find("a")
    assert response_link is not None
    assert response_link["href"] == f"/consultations/{consultation.slug}/response"
    assert "Can still be changed" in responses.get_text(" ", strip=True)
    comment_link = comments.find("a")
    assert comment_link is not None
    assert comment_link["href"] == f"/consultations/{consultation.slug}/comments/{comment.id}"
    # and the link leads to a page they may read
    as_role("public").page(str(response_link["href"]))


def test_a_member_is_told_the_position_they_owe_until_they_record_it(
    rt: Runtime, world: World, as_role: Open
) -> None:
    definition = make_definition(rt, world)
    signoff.do_propose(rt, viewer_for(rt, world.users["chair"]), world.group, definition.id or 0)
    member = as_role("member")
    owed = _needs(member.page("/"))
    wanted = "Record UK Green Building Council's position on Zero carbon homes (revision 1)"
    assert wanted in owed
    href = owed[wanted]
    sign_off = member.page(href.split("#")[0])
    assert sign_off.find(id="record-position") is not None
    summary = sign_off.find(id="signoff-summary")
    assert summary is not None
    assert summary.get_text(" ", strip=True).startswith("0 of 2 organisations")
    signoff.do_record_position(
        rt, viewer_for(rt, world.users["member"]), world.group, definition.id or 0, "support", ""
    )
    assert wanted not in _needs(member.page("/"))
    # the chair, whose organisation has not answered, still owes one
    assert any(
        text.startswith("Record Home Builders") for text in _needs(as_role("chair").page("/"))
    )


def test_a_chair_is_told_of_an_objection_to_answer(
    rt: Runtime, world: World, as_role: Open
) -> None:
    definition = make_definition(rt, world)
    signoff.do_propose(rt, viewer_for(rt, world.users["chair"]), world.group, definition.id or 0)
    signoff.do_record_position(
        rt,
        viewer_for(rt, world.users["member"]),
        world.group,
        definition.id or 0,
        "object",
        "Too weak.",
    )
    owed = _needs(as_role("chair").page("/"))
    assert "Answer UK Green Building Council's objection to Zero carbon homes" in owed
    assert "Answer UK Green Building Council's objection to Zero carbon homes" not in _needs(
        as_role("member").page("/")
    )


def _needs(page: BeautifulSoup) -> dict[str, str]:
    section = page.find(id="needs-you")
    assert section is not None
    listing = section.find("ul")
    if listing is None:
        return {}
    return {a.get_text(" ", strip=True): str(a["href"]) for a in listing.find_all("a")}


def test_an_observer_reaches_the_dashboard_in_one_click(world: World, as_role: Open) -> None:
    observer = as_role("observer")
    page = observer.page("/")
    box = page.find(id="observer-home")
    assert box is not None
    button = box.find("a", string="Open your observer dashboard")
    assert button is not None
    assert button["href"] == "/dashboard"
    assert "Dashboard" in _nav(page)
    observer.page("/dashboard")
    assert "Dashboard" not in _nav(as_role("public").page("/"))


def test_the_secretariat_sees_loose_ends(rt: Runtime, world: World, as_role: Open) -> None:
    page = as_role("secretariat").page("/")
    health = page.find(id="hub-health")
    assert health is not None
    make_org(rt, "Lonely Organisation")
    make_group(rt, world.users["secretariat"], "Chairless group")
    items = [
        li.get_text(" ", strip=True)
        for li in as_role("secretariat").page("/").select("#hub-health li")
    ]
    assert "Chairless group has no chair" in items
    assert any("Lonely Organisation" in item for item in items)
    assert as_role("chair").page("/").find(id="hub-health") is None


def test_every_page_has_a_search_box_and_the_service_links(as_role: Open) -> None:
    for role in ("visitor", "public"):
        page = as_role(role).page("/consultations/")
        form = page.find("form", attrs={"role": "search", "class": "ss-header__search"})
        assert form is not None
        assert form["action"] == "/search"
        assert form["method"] == "get"
        label = form.find("label")
        assert label is not None
        assert label["for"] == "header-search"
        footer = page.find("footer")
        assert footer is not None
        hrefs = {a.get_text(strip=True): a["href"] for a in footer.find_all("a")}
        assert hrefs["Accessibility statement"] == "/accessibility"
        assert hrefs["Privacy notice"] == "/privacy"
        assert hrefs["Cookies"] == "/cookies"
        assert hrefs["Help"] == "/help"
        assert "Search" in _nav(page)


def test_the_group_page_lists_what_its_work_still_needs_from_a_member(
    rt: Runtime, world: World, as_role: Open
) -> None:
    definition = make_definition(rt, world)
    signoff.do_propose(rt, viewer_for(rt, world.users["chair"]), world.group, definition.id or 0)
    page = as_role("member").page("/groups/zero-carbon-homes-definition")
    tasks = page.select("ul.govuk-task-list li")
    assert [t.select_one("a").get_text(strip=True) for t in tasks] == [
        "Record UK Green Building Council's position on Zero carbon homes (revision 1)"
    ]
    assert tasks[0].select_one(".govuk-tag").get_text(strip=True) == "To do"
    for role in ("public", "observer", "secretariat"):
        assert (
            as_role(role).page("/groups/zero-carbon-homes-definition").select("ul.govuk-task-list")
            == []
        )
