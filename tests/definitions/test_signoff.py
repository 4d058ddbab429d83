"""Sign-off: a chair proposes, each member organisation takes one position, objections
open disputes the chair must answer, and only then is the definition agreed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import col, func, select
from starlette.routing import Route

from definitions import routes as definition_routes
from definitions import service
from definitions.forms import form_values
from definitions.models import Definition, DefinitionStatus, Revision
from definitions.signoff import routes as signoff_routes
from definitions.signoff import service as signoff
from definitions.signoff.models import Dispute, DisputeStatus, Position, Stance
from tests.client import HubClient, error_summary, soup
from tests.definitions.factories import (
    D,
    G,
    edit,
    head_tiers,
    make_definition,
    notice,
    open_editor,
    tier_index,
    viewer_for,
)
from tests.factories import World, make_org, make_user, seat_member
from workspace.events import DefinitionAgreed, DefinitionChange, DefinitionProposed
from workspace.failures import Forbidden
from workspace.models import ActivityEvent, Sector
from workspace.runtime import Runtime

Opener = Callable[[str], HubClient]


@pytest.fixture
def definition(rt: Runtime, world: World) -> Definition:
    return make_definition(rt, world)


@pytest.fixture
def proposed(rt: Runtime, world: World, definition: Definition) -> Definition:
    """Revision 1 proposed by the chair; no positions yet."""
    assert propose(rt, world, definition) == 1
    return definition


def propose(rt: Runtime, world: World, definition: Definition, role: str = "chair") -> int:
    who = viewer_for(rt, world.users[role])
    return signoff.do_propose(rt, who, world.group, definition.id or 0)


def take_position(
    rt: Runtime, world: World, definition: Definition, role: str, stance: str, comment: str = ""
) -> Position:
    who = viewer_for(rt, world.users[role])
    return signoff.do_record_position(rt, who, world.group, definition.id or 0, stance, comment)


def fresh(rt: Runtime, definition: Definition) -> Definition:
    with rt.db.read() as session:
        found = session.get(Definition, definition.id)
    assert found is not None
    return found


def open_disputes(rt: Runtime) -> list[Dispute]:
    with rt.db.read() as session:
        return list(session.exec(select(Dispute).where(Dispute.status == DisputeStatus.OPEN)).all())


def position_table(page: BeautifulSoup) -> list[tuple[str, str, str, str]]:
    """(organisation, sector, position, comment) for each row of the sign-off table."""
    rows = []
    for tr in page.select("table[aria-labelledby=positions-heading] tbody tr"):
        cells = tr.select("td")
        tag = cells[1].select_one(".govuk-tag")
        rows.append(
            (
                tr.select_one("th").get_text(strip=True),
                cells[0].get_text(strip=True),
                tag.get_text(strip=True) if tag else cells[1].get_text(strip=True),
                cells[2].get_text(strip=True),
            )
        )
    return rows


def recorded_by(page: BeautifulSoup, organisation: str) -> str:
    row = page.select_one(f"tr[data-organisation='{organisation}']")
    return row.select_one(".ss-muted").get_text(strip=True).split(",")[0]


def record_of_positions(page: BeautifulSoup) -> list[str]:
    """The record of positions, newest first, without the timestamps."""
    items = page.select("ul[aria-labelledby=record-heading] li")
    return [li.get_text(" ", strip=True).split(" — ", 1)[1] for li in items]


def page_error(response: Any) -> list[str]:
    assert response.status_code == 400
    return error_summary(soup(response.text))


# -- proposing ---------------------------------------------------------------------------


def test_only_a_chair_proposes(
    as_role: Opener, rt: Runtime, world: World, definition: Definition
) -> None:
    member = as_role("member")
    assert member.page(f"{D}/sign-off").select_one(f"form[action='{D}/propose']") is None
    response = member.submit(f"{D}/propose")
    assert response.status_code == 403
    assert soup(response.text).select_one("main p").get_text(strip=True) == (
        "Only the chairs of this task group and the secretariat can do this."
    )
    with pytest.raises(Forbidden):
        propose(rt, world, definition, role="member")
    assert fresh(rt, definition).status == DefinitionStatus.DRAFT

    chair = as_role("chair")
    assert chair.page(f"{D}/sign-off").select_one(f"form[action='{D}/propose']") is not None
    response = chair.submit(f"{D}/propose")

    assert response.status_code == 303
    assert response.headers["location"] == f"{D}/sign-off"
    page = chair.page(f"{D}/sign-off")
    assert notice(page) == (
        "Revision 1 is proposed for agreement. Each member organisation "
        "can now record its position."
    )
    assert page.select_one("h1 .govuk-tag").get_text(strip=True) == "Proposed for agreement"
    after = fresh(rt, definition)
    assert (after.status, after.proposed_number) == (DefinitionStatus.PROPOSED, 1)


def test_a_definition_without_tiers_cannot_be_proposed(
    as_role: Opener, rt: Runtime, world: World
) -> None:
    empty = make_definition(rt, world, tiers=[])
    response = as_role("chair").submit(f"{D}/propose")
    assert page_error(response) == ["Add at least one tier before proposing the definition."]
    assert fresh(rt, empty).status == DefinitionStatus.DRAFT


# -- positions ----------------------------------------------------------------------------


def test_check_position_rules() -> None:
    assert signoff.check_position("support", "") is None
    assert signoff.check_position("reservations", "Costs on small sites") is None
    assert signoff.check_position("object", "Too weak") is None
    assert signoff.check_position("object", "  \n ") == "Give the reason for your objection"
    assert signoff.check_position("reservations", " ") == (
        "Say what your reservations are in the comment"
    )
    assert signoff.check_position("", "x") == "Choose your organisation's position"
    assert signoff.check_position("agree", "x") == "Choose your organisation's position"
    assert signoff.check_position("support", "x" * 5001) == (
        "The comment must be 5,000 characters or fewer"
    )


POSITION_PROBLEMS = [
    ({"stance": "object", "comment": "   "}, "Give the reason for your objection", "comment"),
    (
        {"stance": "reservations", "comment": ""},
        "Say what your reservations are in the comment",
        "comment",
    ),
    ({"comment": "We like it"}, "Choose your organisation's position", "stance"),
]


def test_a_position_without_what_it_needs_is_refused(
    as_role: Opener, rt: Runtime, proposed: Definition
) -> None:
    member = as_role("member")
    for data, message, field in POSITION_PROBLEMS:
        response = member.submit(f"{D}/positions", data)

        assert page_error(response) == [message]
        page = soup(response.text)
        assert page.select_one(".govuk-error-summary__list a")["href"] == f"#{field}"
        assert page.select_one(f"#{field}-error") is not None
        # What the person chose and wrote is still there.
        checked = page.select_one("input[name=stance][checked]")
        assert (checked["value"] if checked else "") == data.get("stance", "")
        assert page.select_one("#comment").get_text().strip() == data["comment"].strip()
    with rt.db.read() as session:
        assert session.exec(select(Position)).all() == []


def test_one_position_per_organisation_and_the_latest_counts(
    as_role: Opener, rt: Runtime, world: World, proposed: Definition
) -> None:
    admin = world.users["secretariat"]
    colleague = make_user(rt, "Priya Builder")
    seat_member(rt, admin, world.group, colleague, world.orgs["builders"])
    energy = make_org(rt, "E.ON Energy", Sector.ENERGY_SUPPLY)
    supplier = make_user(rt, "Ed Supplier")
    seat_member(rt, admin, world.group, supplier, energy)

    chair = as_role("chair")
    assert (
        chair.submit(
            f"{D}/positions", {"stance": "reservations", "comment": "Costs on small sites"}
        ).status_code
        == 303
    )
    assert notice(chair.page(f"{D}/sign-off")) == (
        "Your organisation's position has been recorded."
    )
    take_position(rt, world, proposed, "member", Stance.SUPPORT)
    priya = as_role("visitor")
    priya.sign_in_as(colleague)
    assert (
        priya.submit(
            f"{D}/positions", {"stance": "support", "comment": "Costs answered"}
        ).status_code
        == 303
    )

    page = as_role("observer").page(f"{D}/sign-off")
    # One row per organisation, grouped by sector; the colleague's later support counts.
    assert position_table(page) == [
        ("E.ON Energy", "Energy supply", "No position yet", ""),
        ("UK Green Building Council", "Environmental", "Support", ""),
        ("Home Builders Federation", "Industry", "Support", "Costs answered"),
    ]
    assert recorded_by(page, "Home Builders Federation") == "Priya Builder"
    assert recorded_by(page, "UK Green Building Council") == "Raj Member"
    # The earlier position is kept in the record.
    assert record_of_positions(page) == [
        "Home Builders Federation: Support on revision 1 (recorded by Priya Builder)",
        "UK Green Building Council: Support on revision 1 (recorded by Raj Member)",
        "Home Builders Federation: Support with reservations on revision 1 "
        "(recorded by Helen Chair)",
    ]
    with rt.db.read() as session:
        current = signoff.state(session, fresh(rt, proposed))
    assert [o.name for o in current.missing] == ["E.ON Energy"]
    assert not current.can_agree


# -- disputes and agreement -----------------------------------------------------------------


def test_an_objection_opens_a_dispute_the_chair_must_answer(
    as_role: Opener, rt: Runtime, world: World, proposed: Definition
) -> None:
    member, chair = as_role("member"), as_role("chair")
    assert (
        member.submit(
            f"{D}/positions", {"stance": "object", "comment": "Too weak on fabric"}
        ).status_code
        == 303
    )
    take_position(rt, world, proposed, "chair", Stance.SUPPORT)
    [dispute] = open_disputes(rt)
    assert (dispute.organisation_id, dispute.revision_number) == (world.orgs["green"].id, 1)

    page = chair.page(f"{D}/sign-off")
    block = page.select_one(f"#dispute-{dispute.id}")
    assert block.select_one("h3").get_text(" ", strip=True) == (
        "UK Green Building Council objected to revision 1 Open"
    )
    assert block.select_one("p").get_text(strip=True) == "“Too weak on fabric” — Raj Member"
    assert block.select_one(f"form[action='{D}/disputes/{dispute.id}/answer']") is not None
    # Every organisation has a position, but the dispute is open: no agreement.
    assert page_error(chair.submit(f"{D}/agree")) == [
        "Answer every open dispute before declaring agreement."
    ]

    answer = f"{D}/disputes/{dispute.id}/answer"
    assert page_error(chair.submit(answer, {"outcome": "not_accepted", "answer": " "})) == [
        "Give the reason the objection is not accepted."
    ]
    assert page_error(chair.submit(answer, {"answer": "No"})) == [
        "Choose how the objection was answered"
    ]
    refused = member.submit(answer, {"outcome": "not_accepted", "answer": "Members can't"})
    assert refused.status_code == 403
    assert len(open_disputes(rt)) == 1

    response = chair.submit(
        answer, {"outcome": "not_accepted", "answer": "The fabric standard is set nationally."}
    )
    assert response.status_code == 303
    assert notice(chair.page(f"{D}/sign-off")) == "The dispute has been answered."
    with rt.db.read() as session:
        answered = session.get(Dispute, dispute.id)
    assert answered is not None
    assert (answered.status, answered.answered_by, answered.resolved_in) == (
        DisputeStatus.NOT_ACCEPTED,
        world.users["chair"].id,
        None,
    )
    block = chair.page(f"{D}/sign-off").select_one(f"#dispute-{dispute.id}")
    assert block.select_one("h3 .govuk-tag").get_text(strip=True) == "Not accepted"
    assert block.select("p")[1].get_text(" ", strip=True) == (
        "Chair's answer: The fabric standard is set nationally."
    )
    assert block.select_one("form") is None
    assert page_error(chair.submit(answer, {"outcome": "not_accepted", "answer": "Again"})) == [
        "That dispute has already been answered."
    ]

    response = chair.submit(f"{D}/agree")
    assert response.status_code == 303
    assert notice(chair.page(D)) == "Zero carbon homes is agreed at revision 1."
    agreed = fresh(rt, proposed)
    assert (agreed.status, agreed.agreed_number) == (DefinitionStatus.AGREED, 1)
    # The record stays: the objection and its answer are still shown.
    kept = as_role("observer").page(f"{D}/sign-off").select_one(f"#dispute-{dispute.id}")
    assert kept.select_one("h3 .govuk-tag").get_text(strip=True) == "Not accepted"


def test_a_dispute_resolved_by_a_later_revision(
    as_role: Opener, rt: Runtime, world: World, proposed: Definition
) -> None:
    position = take_position(rt, world, proposed, "member", Stance.OBJECT, "Add a metric")
    take_position(rt, world, proposed, "chair", Stance.SUPPORT)
    member = as_role("member")
    fields = open_editor(member)
    _number, tiers = head_tiers(rt, proposed)
    i = tier_index(fields, tiers[1].key)
    fields |= {f"tier-{i}-comparator": ">=", f"tier-{i}-value": "70", f"tier-{i}-unit": "%"}
    assert member.submit(f"{D}/edit", fields).status_code == 303  # revision 2

    chair = as_role("chair")
    [dispute] = open_disputes(rt)
    assert dispute.position_id == position.id
    answer = f"{D}/disputes/{dispute.id}/answer"
    for resolved_in, problem in [
        ("1", "The resolving revision must come after the one objected to."),
        ("9", "Name the revision that resolved the objection."),
        ("", "Name the revision that resolved the objection."),
    ]:
        response = chair.submit(answer, {"outcome": "resolved", "resolved_in": resolved_in})
        assert page_error(response) == [problem]
    assert (
        chair.submit(
            answer, {"outcome": "resolved", "resolved_in": "2", "answer": "Metric added"}
        ).status_code
        == 303
    )

    with rt.db.read() as session:
        resolved = session.get(Dispute, dispute.id)
    assert resolved is not None
    assert (resolved.status, resolved.resolved_in) == (DisputeStatus.RESOLVED, 2)
    page = chair.page(f"{D}/sign-off")
    assert page.select_one(f"#dispute-{dispute.id} h3 .govuk-tag").get_text(strip=True) == (
        "Resolved in revision 2"
    )
    # Revision 2 resets the positions: nobody has a position on it yet.
    assert page_error(chair.submit(f"{D}/agree")) == [
        "Every member organisation must record a position first. Waiting for: "
        "UK Green Building Council, Home Builders Federation."
    ]
    take_position(rt, world, proposed, "member", Stance.SUPPORT)
    take_position(rt, world, proposed, "chair", Stance.SUPPORT)
    assert chair.submit(f"{D}/agree").status_code == 303
    agreed = fresh(rt, proposed)
    assert (agreed.status, agreed.agreed_number) == (DefinitionStatus.AGREED, 2)


def test_agreement_waits_for_every_organisation(
    as_role: Opener, rt: Runtime, world: World, definition: Definition
) -> None:
    chair = as_role("chair")
    assert page_error(chair.submit(f"{D}/agree")) == [
        "Only a proposed definition can be declared agreed."
    ]
    assert page_error(chair.submit(f"{D}/positions", {"stance": "support"})) == [
        "Positions can only be recorded while a revision is proposed."
    ]
    propose(rt, world, definition)
    take_position(rt, world, definition, "chair", Stance.SUPPORT)

    page = chair.page(f"{D}/sign-off")
    waiting = page.select_one(f"form[action='{D}/agree'] p").get_text(" ", strip=True)
    assert waiting.endswith("Waiting for: UK Green Building Council.")
    assert page_error(chair.submit(f"{D}/agree")) == [
        "Every member organisation must record a position first. "
        "Waiting for: UK Green Building Council."
    ]
    assert fresh(rt, definition).status == DefinitionStatus.PROPOSED

    take_position(rt, world, definition, "member", Stance.RESERVATIONS, "Watch the costs")
    assert chair.page(f"{D}/sign-off").select_one(f"form[action='{D}/agree'] p") is None
    assert chair.submit(f"{D}/agree").status_code == 303
    assert fresh(rt, definition).status == DefinitionStatus.AGREED


def test_a_new_revision_after_proposal_resets_positions(
    as_role: Opener, rt: Runtime, world: World, proposed: Definition
) -> None:
    take_position(rt, world, proposed, "member", Stance.SUPPORT)
    take_position(rt, world, proposed, "chair", Stance.SUPPORT)
    with rt.db.read() as session:
        assert signoff.state(session, fresh(rt, proposed)).can_agree

    _number, tiers = head_tiers(rt, proposed)
    member = viewer_for(rt, world.users["member"])
    result = service.do_save(
        rt,
        member,
        world.group,
        proposed.id or 0,
        1,
        edit(tiers, tiers[0].key, summary="Fabric first"),
        "Late change",
    )
    assert result.number == 2

    after = fresh(rt, proposed)
    assert (after.status, after.proposed_number, after.head_number) == (
        DefinitionStatus.PROPOSED,
        2,
        2,
    )
    with rt.db.read() as session:
        current = signoff.state(session, after)
    assert [row.position for row in current.rows] == [None, None]
    assert not current.can_agree
    page = as_role("chair").page(f"{D}/sign-off")
    headers = [th.get_text(strip=True) for th in page.select("table thead th")]
    assert headers[2] == "Position on revision 2"
    assert [row[2] for row in position_table(page)] == ["No position yet"] * 2
    # The positions on revision 1 stay on the record.
    assert record_of_positions(page) == [
        "Home Builders Federation: Support on revision 1 (recorded by Helen Chair)",
        "UK Green Building Council: Support on revision 1 (recorded by Raj Member)",
    ]


def test_events_are_published_and_activity_recorded(
    as_role: Opener, rt: Runtime, world: World, definition: Definition
) -> None:
    seen: list[tuple[DefinitionChange, str]] = []

    def remember(event: DefinitionChange) -> None:
        # Published after commit: a fresh session already sees the change.
        seen.append((event, fresh(rt, definition).status))

    rt.events.subscribe(DefinitionProposed, remember)
    rt.events.subscribe(DefinitionAgreed, remember)
    chair, member = as_role("chair"), as_role("member")

    assert chair.submit(f"{D}/propose").status_code == 303
    assert chair.submit(f"{D}/agree").status_code == 400  # refused: publishes nothing
    assert chair.submit(f"{D}/positions", {"stance": "support"}).status_code == 303
    assert (
        member.submit(f"{D}/positions", {"stance": "object", "comment": "Too weak"}).status_code
        == 303
    )
    [dispute] = open_disputes(rt)
    assert (
        chair.submit(
            f"{D}/disputes/{dispute.id}/answer",
            {"outcome": "not_accepted", "answer": "Set nationally"},
        ).status_code
        == 303
    )
    assert chair.submit(f"{D}/agree").status_code == 303

    ids = (definition.id or 0, world.group.id or 0, 1)
    assert seen == [(DefinitionProposed(*ids), "proposed"), (DefinitionAgreed(*ids), "agreed")]
    with rt.db.read() as session:
        events = session.exec(
            select(ActivityEvent)
            .where(ActivityEvent.object_type == "definition")
            .order_by(col(ActivityEvent.id))
        ).all()
    chair_id, member_id = world.users["chair"].id, world.users["member"].id
    assert [(e.verb, e.actor_id, e.visibility) for e in events] == [
        ("definition.created", chair_id, "group"),
        ("definition.proposed", chair_id, "group"),
        ("definition.position", chair_id, "group"),
        ("definition.position", member_id, "group"),
        ("definition.dispute_answered", chair_id, "group"),
        ("definition.agreed", chair_id, "public"),
    ]
    assert {(e.object_id, e.group_id, e.url) for e in events} == {
        (definition.id, world.group.id, D)
    }
    assert events[1].summary == "Revision 1 of Zero carbon homes proposed for agreement"
    assert events[3].summary == (
        "UK Green Building Council: object on revision 1 of Zero carbon homes"
    )
    assert events[5].summary == "Zero carbon homes agreed at revision 1"


# -- who may write ------------------------------------------------------------------------

EDITORS = frozenset({"member", "chair"})
CHAIRS = frozenset({"chair", "secretariat"})
# Every POST route of the definitions package, and who may use it.
WRITE_ROUTES = {
    "/new": EDITORS,
    "/{dslug}/edit": EDITORS,
    "/{dslug}/positions": EDITORS,
    "/{dslug}/propose": CHAIRS,
    "/{dslug}/disputes/{dispute_id}/answer": CHAIRS,
    "/{dslug}/agree": CHAIRS,
    # the objecting organisation's members (issue 14); the service refuses other members
    "/{dslug}/disputes/{dispute_id}/withdraw": EDITORS,
}
REFUSED_ROLES = ["visitor", "public", "observer", "outsider", "member", "secretariat"]


def test_every_definitions_write_route_is_covered() -> None:
    posts = {
        route.path
        for route in [*definition_routes.routes, *signoff_routes.routes]
        if isinstance(route, Route) and "POST" in (route.methods or set())
    }
    assert posts == set(WRITE_ROUTES)


def _valid_requests(rt: Runtime, definition: Definition) -> dict[str, tuple[str, dict[str, str]]]:
    """For each write route, a path and a form that an allowed person could send now."""
    number, tiers = head_tiers(rt, definition)
    edited = form_values(edit(tiers, tiers[0].key, summary="Fabric first"), number, "Edit")
    [dispute] = open_disputes(rt)
    return {
        "/new": (
            f"{G}/definitions/new",
            {"title": "Allowable solutions", "tier_count": "0", "tier-new-name": "Offsets"},
        ),
        "/{dslug}/edit": (f"{D}/edit", edited.values),
        "/{dslug}/positions": (f"{D}/positions", {"stance": "support", "comment": ""}),
        "/{dslug}/propose": (f"{D}/propose", {}),
        "/{dslug}/disputes/{dispute_id}/answer": (
            f"{D}/disputes/{dispute.id}/answer",
            {"outcome": "not_accepted", "answer": "Set nationally", "resolved_in": ""},
        ),
        "/{dslug}/agree": (f"{D}/agree", {}),
        "/{dslug}/disputes/{dispute_id}/withdraw": (
            f"{D}/disputes/{dispute.id}/withdraw",
            {"note": "Withdrawn"},
        ),
    }


def _snapshot(rt: Runtime) -> tuple[Any, ...]:
    with rt.db.read() as session:
        return (
            session.exec(
                select(
                    Definition.id,
                    Definition.status,
                    Definition.head_number,
                    Definition.proposed_number,
                    Definition.agreed_number,
                )
            ).all(),
            session.exec(select(func.count()).select_from(Revision)).one(),
            session.exec(select(Position.id, Position.stance)).all(),
            session.exec(select(Dispute.id, Dispute.status)).all(),
            session.exec(select(func.count()).select_from(ActivityEvent)).one(),
        )


@pytest.fixture
def objected(rt: Runtime, world: World, proposed: Definition) -> Definition:
    """Proposed, with the green council objecting: every write route has work to do."""
    take_position(rt, world, proposed, "member", Stance.OBJECT, "Too weak")
    return proposed


def test_refused_roles_cannot_write_anywhere(
    as_role: Opener, rt: Runtime, objected: Definition
) -> None:
    before = _snapshot(rt)
    requests = _valid_requests(rt, objected)
    refused: dict[str, list[str]] = {}
    for role in REFUSED_ROLES:
        client = as_role(role)
        for route, (path, data) in requests.items():
            if role in WRITE_ROUTES[route]:
                continue
            refused.setdefault(role, []).append(route)
            response = client.submit(path, data)
            if role == "visitor":
                assert response.status_code == 303, (role, path)
                assert response.headers["location"] == f"/account/sign-in?next={path}"
            else:
                assert response.status_code == 403, (role, path)
                heading = soup(response.text).select_one("h1")
                assert heading.get_text(strip=True) == "You cannot do this"
    # Nobody but members, chairs and the secretariat of this group writes anything at all.
    everything = list(WRITE_ROUTES)
    assert {role: refused[role] for role in ("visitor", "public", "observer", "outsider")} == (
        dict.fromkeys(("visitor", "public", "observer", "outsider"), everything)
    )
    assert sorted(refused["member"]) == sorted(r for r in everything if WRITE_ROUTES[r] == CHAIRS)
    assert sorted(refused["secretariat"]) == sorted(
        r for r in everything if WRITE_ROUTES[r] == EDITORS
    )
    assert _snapshot(rt) == before
    # Observers still read the sign-off page, with no form on it.
    page = as_role("observer").page(f"{D}/sign-off")
    assert position_table(page)[0][:3] == ("UK Green Building Council", "Environmental", "Object")
    assert page.select("main form") == []
    assert [a.get_text() for a in page.select("nav.ss-subnav a")] == [
        "Current text",
        "History",
        "Compare",
        "Sign-off",
    ]


def test_allowed_roles_can_write_everywhere(
    as_role: Opener, rt: Runtime, world: World, objected: Definition
) -> None:
    """The same requests the refused roles sent, from people who may: each one works."""
    requests = _valid_requests(rt, objected)
    order = [
        ("member", "/{dslug}/positions"),
        ("chair", "/{dslug}/positions"),
        ("chair", "/{dslug}/disputes/{dispute_id}/answer"),
        ("chair", "/{dslug}/agree"),
        ("member", "/{dslug}/edit"),
        ("chair", "/new"),
        ("secretariat", "/{dslug}/propose"),
    ]
    # Withdrawing would leave the chair no objection to answer: it has its own test
    # (test_the_objecting_organisation_withdraws_its_objection).
    withdraw = "/{dslug}/disputes/{dispute_id}/withdraw"
    assert {route for _role, route in order} == set(WRITE_ROUTES) - {withdraw}
    for role, route in order:
        assert role in WRITE_ROUTES[route]
        path, data = requests[route]
        response = as_role(role).submit(path, data)
        assert response.status_code == 303, (role, path, error_summary(soup(response.text)))
    after = fresh(rt, objected)
    assert (after.status, after.agreed_number, after.proposed_number) == (
        DefinitionStatus.PROPOSED,
        1,
        2,
    )
    with rt.db.read() as session:
        titles = session.exec(select(Definition.title).order_by(col(Definition.id))).all()
    assert titles == ["Zero carbon homes", "Allowable solutions"]


def test_the_agreed_text_stays_public_while_the_group_drafts_again(
    as_role: Opener, rt: Runtime, world: World, proposed: Definition
) -> None:
    take_position(rt, world, proposed, "member", Stance.SUPPORT)
    take_position(rt, world, proposed, "chair", Stance.SUPPORT)
    signoff.do_agree(rt, viewer_for(rt, world.users["chair"]), world.group, proposed.id or 0)
    _number, tiers = head_tiers(rt, proposed)
    member = viewer_for(rt, world.users["member"])
    edited = edit(tiers, tiers[0].key, name="Fabric energy efficiency")
    assert service.do_save(rt, member, world.group, proposed.id or 0, 1, edited, "").number == 2
    # It stays agreed (issue 14): only the group learns that a new draft is in progress.
    assert fresh(rt, proposed).status == DefinitionStatus.AGREED

    public = as_role("public")
    page = public.page(D)
    tag = page.select_one("h1 .govuk-tag")
    assert tag is not None
    assert tag.get_text(strip=True) == "Agreed"
    assert page.select_one("h1 .ss-status-note") is None
    assert "latest is" not in page.select_one("main p").get_text(" ", strip=True)
    group_tag = as_role("member").page(D).select_one("h1")
    assert group_tag is not None
    assert group_tag.get_text(" ", strip=True).endswith(
        "Agreed (revision 1) draft revision 2 in progress"
    )
    listing = public.page(G).select("a[href='" + D + "'] ~ .govuk-tag")
    assert [t.get_text(strip=True) for t in listing] == ["Agreed"]
    assert page.select_one(".govuk-inset-text").get_text(strip=True) == (
        "This is the agreed text of the definition."
    )
    assert page.select_one(f"#tier-{tiers[0].key}").get_text(strip=True) == (
        "Tier 1: Energy efficiency"
    )
    assert public.get(f"{D}/revisions/1/export.json").status_code == 200
    assert public.get(f"{D}/revisions/2").status_code == 403  # the new draft is the group's
    visitor = as_role("visitor")
    assert visitor.page(f"{D}/revisions/1").select_one("h1") is not None
    assert visitor.get(f"{D}/revisions/2").status_code == 303
    # The group sees the new draft by default.
    group_page = as_role("observer").page(D)
    assert group_page.select_one(f"#tier-{tiers[0].key}").get_text(strip=True) == (
        "Tier 1: Fabric energy efficiency"
    )


def test_a_dispute_is_answered_only_through_its_own_definition(
    as_role: Opener, rt: Runtime, world: World, proposed: Definition
) -> None:
    take_position(rt, world, proposed, "member", Stance.OBJECT, "Too weak on fabric")
    [dispute] = open_disputes(rt)
    other = make_definition(rt, world, title="Allowable solutions list")
    wrong = f"{G}/definitions/{other.slug}/disputes/{dispute.id}/answer"
    response = as_role("chair").submit(
        wrong, {"outcome": "not_accepted", "answer": "Answered from the wrong page"}
    )
    assert response.status_code == 400
    assert error_summary(soup(response.text)) == ["That dispute does not exist."]
    assert [d.status for d in open_disputes(rt)] == [DisputeStatus.OPEN]


# -- withdrawing an objection (issue 14) -------------------------------------------------


def test_the_objecting_organisation_withdraws_its_objection(
    as_role: Opener, rt: Runtime, world: World, proposed: Definition
) -> None:
    take_position(rt, world, proposed, "member", Stance.OBJECT, "Too weak on fabric")
    [dispute] = open_disputes(rt)
    action = f"{D}/disputes/{dispute.id}/withdraw"
    # the chair's organisation did not object: no button, and the service refuses
    assert as_role("chair").page(f"{D}/sign-off").select_one(f"form[action='{action}']") is None
    refused = as_role("chair").submit(action, {"note": ""})
    assert page_error(refused) == [
        "Only the organisation that objected can withdraw its objection."
    ]
    member = as_role("member")
    assert member.page(f"{D}/sign-off").select_one(f"form[action='{action}']") is not None
    response = member.submit(action, {"note": "Revision 2 will meet it."})
    assert response.status_code == 303
    assert open_disputes(rt) == []
    page = member.page(f"{D}/sign-off")
    tag = page.select_one(f"#dispute-{dispute.id} h3 .govuk-tag")
    assert tag is not None
    assert tag.get_text(strip=True) == "Withdrawn by UK Green Building Council"
    assert page.select_one(f"form[action='{action}']") is None
    again = member.submit(action, {"note": ""})
    assert page_error(again) == ["That dispute has already been answered."]
