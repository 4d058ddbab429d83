"""The demo's zero carbon homes definition shows every part of the definitions feature:
a history written by several organisations, a merged save, a proposal with mixed
positions and an objection answered by a later revision."""

from __future__ import annotations

from sqlmodel import select

from definitions import service
from definitions.models import Definition, DefinitionStatus
from definitions.signoff import service as signoff
from definitions.signoff.models import DisputeStatus, Stance
from sharedspace import demo
from workspace.runtime import Runtime


def test_demo_definition_has_a_real_history_and_sign_off(rt: Runtime) -> None:
    ctx = demo.load(rt, "demo password 1")
    group = ctx.groups["definition"]
    with rt.db.read() as session:
        (definition,) = session.exec(
            select(Definition).where(Definition.group_id == group.id)
        ).all()
        assert definition.id is not None
        revisions = [r for r, _author in service.history(session, definition.id)]
        head = service.tiers_of(session, definition.id, definition.head_number)
        first = service.tiers_of(session, definition.id, 1)
        positions = signoff.position_history(session, definition.id)
        disputes = signoff.disputes(session, definition.id)
        current = signoff.state(session, definition)

    assert len(revisions) >= 3
    assert len({r.organisation_id for r in revisions}) >= 2
    assert any(r.merged_with for r in revisions), "one save was merged automatically"
    assert [t.name for t in head] == [
        "Energy efficiency",
        "Carbon compliance",
        "Allowable solutions",
    ]
    assert head[0].metric is not None
    assert head[0].metric.label() == "≤ 39 kWh/m²/yr"
    assert head[1].metric is not None
    assert head[1].metric.label() == "≤ 10 kgCO₂/m²/yr"
    assert [t.key for t in first] == [t.key for t in head]  # the same tiers, edited

    assert definition.status == DefinitionStatus.PROPOSED
    assert definition.proposed_number == definition.head_number
    assert {p.stance for p, _who, _org in positions} == {s.value for s in Stance}
    assert all(p.comment for p, _who, _org in positions if p.stance != Stance.SUPPORT)

    (dispute,) = disputes
    assert dispute.status == DisputeStatus.RESOLVED
    assert dispute.resolved_in == definition.head_number
    assert dispute.revision_number < definition.head_number
    assert dispute.answer
    assert not current.open_disputes
    # Positions are recorded again on the revision that answered the objection; one
    # organisation is still to take a position, so the chair cannot declare it agreed.
    on_head = {row.organisation.name: row.position for row in current.rows}
    lga = on_head["Local Government Association"]
    assert lga is not None
    assert lga.stance == Stance.SUPPORT
    assert [org.name for org in current.missing] == ["The Climate Group"]
    assert not current.can_agree


def test_the_demo_record_is_spread_over_past_months_in_order(rt: Runtime) -> None:
    """Every demo event once had the load's timestamp; history now reads like a programme
    that took months, in the order things happened (issue 14)."""
    from sqlmodel import col

    from definitions.models import Revision
    from workspace.models import ActivityEvent

    demo.load(rt, "demo password 1")
    with rt.db.read() as session:
        events = session.exec(select(ActivityEvent).order_by(col(ActivityEvent.id))).all()
        revisions = session.exec(select(Revision).order_by(col(Revision.id))).all()
    times = [e.created_at for e in events]
    assert times == sorted(times)
    assert (times[-1] - times[0]).days >= 100
    assert times[-1] < rt.clock()
    revision_times = [r.created_at for r in revisions]
    assert revision_times == sorted(revision_times)
    assert len({t.date() for t in revision_times}) == len(revision_times)
