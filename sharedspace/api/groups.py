"""The programme, its groups, their definitions, milestones, meetings and evidence."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel
from sqlmodel import Session, col, select

from definitions import service as drafting
from definitions.models import Definition, Revision, TierRow
from definitions.signoff.models import Position
from sharedspace.api import schemas as s
from sharedspace.api.kit import PAGED, Call, Endpoint, Param, next_cursor
from taskgroups.evidence import service as evidence
from taskgroups.evidence.models import Evidence
from taskgroups.groups import service as groups
from taskgroups.groups.models import TaskGroup
from taskgroups.meetings.models import Meeting
from taskgroups.milestones import service as milestones
from workspace.failures import NotFound
from workspace.i18n import gettext as _
from workspace.models import Organisation, User
from workspace.permissions import Action, Viewer, can

SLUG = Param(
    "slug",
    "The group's slug",
    {"type": "string", "maxLength": 150, "examples": ["zero-carbon-homes-definition"]},
    "path",
    True,
)
DEFINITION = Param(
    "definition",
    "The definition's slug",
    {"type": "string", "maxLength": 200, "examples": ["zero-carbon-homes"]},
    "path",
    True,
)


def group_named(session: Session, slug: str) -> TaskGroup:
    found = groups.group_by_slug(session, slug)
    if found is None:
        raise NotFound(_("There is no task group with that name."))
    return found


def _milestone(row: milestones.MilestoneRow) -> s.Milestone:
    m = row.milestone
    return s.Milestone(
        id=m.id or 0,
        title=m.title,
        due_on=m.due_on,
        status=row.status.value,
        group=row.group.slug if row.group else None,
        description_html=m.description_html,
        deliverable=m.deliverable_label,
        completed_on=m.completed_on,
    )


def programme(call: Call) -> s.Programme:
    with call.rt.db.read() as session:
        view = milestones.programme(call.rt, session)
        found = milestones.rows(call.rt, session)
    return s.Programme(
        goal=view.goal,
        starts_on=view.starts_on,
        target_on=view.target_on,
        today=milestones.today(call.rt),
        milestones=[_milestone(r) for r in found],
    )


def list_milestones(call: Call) -> BaseModel:
    after, limit = call.page()
    with call.rt.db.read() as session:
        found = [r for r in milestones.rows(call.rt, session) if (r.milestone.id or 0) > after]
    found.sort(key=lambda r: r.milestone.id or 0)
    ids = [r.milestone.id for r in found]
    items = [_milestone(r) for r in found[:limit]]
    return s.MilestonePage(items=items, next_cursor=next_cursor(ids[: limit + 1], limit))


def list_groups(call: Call) -> BaseModel:
    after, limit = call.page()
    with call.rt.db.read() as session:
        found = sorted(groups.list_groups(session), key=lambda row: row[0].id or 0)
    found = [row for row in found if (row[0].id or 0) > after][: limit + 1]
    items = [
        s.GroupSummary(
            id=g.id or 0,
            slug=g.slug,
            name=g.name,
            status=g.status,
            url=f"/groups/{g.slug}",
            member_count=members,
            observer_count=observers,
        )
        for g, members, observers in found[:limit]
    ]
    return s.GroupPage(items=items, next_cursor=next_cursor([r[0].id for r in found], limit))


def one_group(call: Call) -> s.Group:
    with call.rt.db.read() as session:
        group = group_named(session, call.path["slug"])
        sectors = groups.members_by_sector(session, group.id or 0)
        seats = groups.observers_of(session, group.id or 0)
    organisations = [
        s.OrganisationSeats(
            organisation=o.organisation.name,
            sector=o.organisation.sector,
            members=[
                s.Member(name=m.user.display_name, role=m.membership.role)  # type: ignore[arg-type]
                for m in o.members
            ],
        )
        for sector in sectors
        for o in sector.organisations
    ]
    return s.Group(
        id=group.id or 0,
        slug=group.slug,
        name=group.name,
        status=group.status,
        url=f"/groups/{group.slug}",
        remit_html=group.remit_html,
        organisations=organisations,
        observers=[
            s.Observer(
                name=user.display_name,
                department=seat.department,
                starts_on=seat.starts_on,
                ends_on=seat.ends_on,
            )
            for seat, user in seats
        ],
    )


def _summary(who: Viewer, group: TaskGroup, d: Definition) -> s.DefinitionSummary:
    return s.DefinitionSummary(
        id=d.id or 0,
        slug=d.slug,
        title=d.title,
        status=d.status,  # type: ignore[arg-type]
        group=group.slug,
        url=f"/groups/{group.slug}/definitions/{d.slug}",
        head_number=drafting.public_number(who, d),
        agreed_number=d.agreed_number,
        proposed_number=d.proposed_number
        if can(who, Action.READ_GROUP_PRIVATE, group.id)
        else None,
    )


def list_definitions(call: Call) -> BaseModel:
    after, limit = call.page()
    with call.rt.db.read() as session:
        group = group_named(session, call.path["slug"])
        found = session.exec(
            select(Definition)
            .where(Definition.group_id == group.id, col(Definition.id) > after)
            .order_by(col(Definition.id))
        ).all()
    readable = [d for d in found if drafting.readable(call.viewer, d)][: limit + 1]
    items = [_summary(call.viewer, group, d) for d in readable[:limit]]
    return s.DefinitionPage(items=items, next_cursor=next_cursor([d.id for d in readable], limit))


def one_definition(call: Call) -> s.Definition:
    who = call.viewer
    with call.rt.db.read() as session:
        group = group_named(session, call.path["slug"])
        found = drafting.get_definition(session, group.id or 0, call.path["definition"])
        if found is None or not drafting.readable(who, found):
            raise NotFound(_("There is no definition with that name in this group."))
        upto = drafting.public_number(who, found)
        revisions = [
            _revision(session, revision, author)
            for revision, author in drafting.history(session, found.id or 0)
            if revision.number <= upto
        ]
        positions = (
            _positions(session, found.id or 0)
            if can(who, Action.READ_GROUP_PRIVATE, group.id)
            else None
        )
    summary = _summary(who, group, found)
    return s.Definition(**summary.model_dump(), revisions=revisions, positions=positions)


def _revision(session: Session, revision: Revision, author: str | None) -> s.Revision:
    return s.Revision(
        number=revision.number,
        author=author,
        created_at=revision.created_at,
        change_note=revision.change_note,
        base_number=revision.base_number,
        tiers=[_tier(row) for row in drafting.tier_rows(session, revision.id or 0)],
    )


def _tier(row: TierRow) -> s.Tier:
    metric = None
    if row.metric_comparator:
        metric = s.Metric(
            comparator=row.metric_comparator, value=row.metric_value, unit=row.metric_unit
        )
    return s.Tier(
        key=row.key,
        name=row.name,
        summary=row.summary,
        requirement=row.requirement,
        requirement_html=row.requirement_html,
        metric=metric,
    )


def _positions(session: Session, definition_id: int) -> list[s.Position]:
    rows = session.exec(
        select(Position, Organisation.name, User.display_name)
        .join(Organisation, col(Organisation.id) == Position.organisation_id)
        .join(User, col(User.id) == Position.user_id, isouter=True)
        .where(Position.subject_kind == "definition", Position.subject_id == definition_id)
        .order_by(col(Position.id))
    ).all()
    return [
        s.Position(
            revision_number=p.revision_number,
            organisation=org,
            stance=p.stance,  # type: ignore[arg-type]
            comment=p.comment,
            recorded_by=name,
            recorded_at=p.created_at,
        )
        for p, org, name in rows
    ]


def list_meetings(call: Call) -> BaseModel:
    after, limit = call.page()
    with call.rt.db.read() as session:
        group = group_named(session, call.path["slug"])
        found = session.exec(
            select(Meeting)
            .where(Meeting.group_id == group.id, col(Meeting.id) > after)
            .order_by(col(Meeting.id))
            .limit(limit + 1)
        ).all()
    private = can(call.viewer, Action.READ_GROUP_PRIVATE, group.id)
    items = [_meeting(m, private) for m in found[:limit]]
    return s.MeetingPage(items=items, next_cursor=next_cursor([m.id for m in found], limit))


def _meeting(m: Meeting, private: bool) -> s.Meeting:
    shown = private or m.minutes_published
    return s.Meeting(
        id=m.id or 0,
        title=m.title,
        starts_at=m.starts_at,
        place=m.place,
        agenda_html=m.agenda_html,
        minutes_html=m.minutes_html if shown and m.recorded_at else None,
        decisions_html=m.decisions_html if shown and m.recorded_at else None,
    )


def list_evidence(call: Call) -> BaseModel:
    after, limit = call.page()
    with call.rt.db.read() as session:
        group = group_named(session, call.path["slug"])
        found: Sequence[Evidence] = session.exec(
            select(Evidence)
            .where(
                Evidence.group_id == group.id,
                evidence.readable_clause(call.viewer, group.id or 0),
                col(Evidence.id) > after,
            )
            .order_by(col(Evidence.id))
            .limit(limit + 1)
        ).all()
    items = [
        s.Evidence(
            id=e.id or 0,
            title=e.title,
            authors=e.authors,
            published_on=e.published_on,
            kind=e.kind,
            summary_html=e.summary_html,
            url=evidence.evidence_url(group, e),
            visibility="public" if e.is_public else "group",
            withdrawn=e.withdrawn,
        )
        for e in found[:limit]
    ]
    return s.EvidencePage(items=items, next_cursor=next_cursor([e.id for e in found], limit))


G = "/groups/{slug}"
ENDPOINTS = [
    Endpoint(
        "GET",
        "/programme",
        "The programme and its milestones",
        programme,
        s.Programme,
        "programme",
        errors=(),
    ),
    Endpoint(
        "GET",
        "/milestones",
        "Milestones, hub-wide and of every group",
        list_milestones,
        s.MilestonePage,
        "programme",
        params=PAGED,
        errors=(400,),
    ),
    Endpoint(
        "GET",
        "/groups",
        "Task groups",
        list_groups,
        s.GroupPage,
        "groups",
        params=PAGED,
        errors=(400,),
    ),
    Endpoint(
        "GET",
        G,
        "A task group: members by organisation, observers apart",
        one_group,
        s.Group,
        "groups",
        params=(SLUG,),
    ),
    Endpoint(
        "GET",
        G + "/definitions",
        "A group's definitions this viewer may read",
        list_definitions,
        s.DefinitionPage,
        "definitions",
        params=(SLUG, *PAGED),
        errors=(400, 404),
    ),
    Endpoint(
        "GET",
        G + "/definitions/{definition}",
        "A definition with its revisions and, for the group, positions",
        one_definition,
        s.Definition,
        "definitions",
        params=(SLUG, DEFINITION),
    ),
    Endpoint(
        "GET",
        G + "/meetings",
        "A group's meetings; minutes once published",
        list_meetings,
        s.MeetingPage,
        "groups",
        params=(SLUG, *PAGED),
        errors=(400, 404),
    ),
    Endpoint(
        "GET",
        G + "/evidence",
        "A group's evidence library, as far as this viewer may read it",
        list_evidence,
        s.EvidencePage,
        "groups",
        params=(SLUG, *PAGED),
        errors=(400, 404),
    ),
]
