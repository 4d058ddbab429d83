"""What definitions tell people: a new revision; a proposal, to the organisations whose
position is now needed (saying so); an objection, to the chairs who must answer it; the
answer, to the organisation that objected; agreement. And definitions can be followed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlmodel import Session, col, select

from definitions.models import Definition, Revision
from definitions.service import FOLLOW_KIND, definition_url
from definitions.signoff.models import Dispute, DisputeStatus
from taskgroups.groups.models import MemberRole, Membership, TaskGroup
from taskgroups.groups.service import GROUP
from workspace.events import (
    DefinitionAgreed,
    DefinitionChange,
    DefinitionProposed,
    DefinitionRevised,
    DisputeAnswered,
    DisputeRaised,
)
from workspace.hooks import (
    Audience,
    Followed,
    Followers,
    FollowTarget,
    Notice,
    NotificationKind,
    NotificationSource,
    People,
)
from workspace.i18n import N_
from workspace.models import Organisation
from workspace.notifications.following import PROGRAMME

REVISED = "definition_revised"
PROGRESS = "definition_progress"
POSITION = "position_needed"
DISPUTE = "dispute_raised"
ANSWER = "dispute_answered"

KINDS = (
    NotificationKind(
        POSITION,
        N_("Your organisation's position is needed"),
        N_(
            "A revision is proposed for agreement and your organisation has to say where it stands."
        ),
        N_("Definitions"),
        needs_you=True,
        order=10,
    ),
    NotificationKind(
        DISPUTE,
        N_("Objections to answer"),
        N_("An organisation objects to a proposed revision of a group you chair."),
        N_("Definitions"),
        needs_you=True,
        order=11,
    ),
    NotificationKind(
        ANSWER,
        N_("Answers to your organisation's objections"),
        N_("The chair answers an objection your organisation raised."),
        N_("Definitions"),
        needs_you=True,
        order=12,
    ),
    NotificationKind(
        REVISED,
        N_("New revisions of definitions"),
        N_("Someone saves a new revision of a definition you follow."),
        N_("Definitions"),
        order=13,
    ),
    NotificationKind(
        PROGRESS,
        N_("Definitions proposed, disputed or agreed"),
        N_("A definition you follow moves towards agreement."),
        N_("Definitions"),
        order=14,
    ),
)


def _found(session: Session, event: DefinitionChange) -> tuple[Definition, TaskGroup] | None:
    definition = session.get(Definition, event.definition_id)
    group = session.get(TaskGroup, event.group_id)
    if definition is None or group is None:
        return None
    return definition, group


def _followers(definition: Definition, group: TaskGroup, hub: bool = False) -> tuple[Audience, ...]:
    found: list[Audience] = [
        Followers(FOLLOW_KIND, definition.id or 0, f"You follow the definition {definition.title}"),
        Followers(GROUP, group.id or 0, f"You follow the task group {group.name}"),
    ]
    if hub:
        found.append(Followers(PROGRAMME, 0, "You follow the programme"))
    return tuple(found)


def _members(session: Session, group_id: int, role: str | None = None) -> list[tuple[int, int]]:
    query = select(Membership.user_id, Membership.organisation_id).where(
        Membership.group_id == group_id
    )
    if role is not None:
        query = query.where(Membership.role == role)
    return [(int(u), int(o)) for u, o in session.execute(query).all()]


def revised(session: Session, event: DefinitionRevised) -> Iterable[Notice]:
    found = _found(session, event)
    if found is None:
        return []
    definition, group = found
    revision = session.exec(
        select(Revision).where(
            Revision.definition_id == definition.id, Revision.number == event.number
        )
    ).first()
    note = revision.change_note if revision else ""
    return [
        Notice(
            kind=REVISED,
            key=f"definition:{definition.id}:revision:{event.number}",
            title=f"Revision {event.number} of {definition.title} was saved",
            url=f"{definition_url(group, definition)}/history",
            audiences=_followers(definition, group),
            group_id=group.id,
            private=True,  # a new revision is the group's until agreed
            actor_id=revision.author_id if revision else None,
            summary=note,
        )
    ]


def proposed(session: Session, event: DefinitionProposed) -> Iterable[Notice]:
    found = _found(session, event)
    if found is None:
        return []
    definition, group = found
    members = _members(session, group.id or 0)
    names = {
        o.id: o.name
        for o in session.exec(
            select(Organisation).where(col(Organisation.id).in_({o for _u, o in members}))
        ).all()
    }
    url = definition_url(group, definition)
    asked = tuple(
        People(
            tuple(u for u, o in members if o == org_id),
            f"{name} is a member of {group.name}: its position is needed",
            "member",
        )
        for org_id, name in names.items()
    )
    what = f"revision {event.number} of {definition.title}"
    return [
        Notice(
            kind=POSITION,
            key=f"definition:{definition.id}:proposed:{event.number}:position",
            title=f"Your organisation's position is needed on {what}",
            url=f"{url}/sign-off",
            audiences=asked,
            group_id=group.id,
            private=True,
        ),
        Notice(
            kind=PROGRESS,
            key=f"definition:{definition.id}:proposed:{event.number}",
            title=f"{what[0].upper()}{what[1:]} was proposed for agreement",
            url=url,
            audiences=_followers(definition, group),
            group_id=group.id,
            private=True,
            exclude=tuple(u for u, _o in members),
        ),
    ]


def agreed(session: Session, event: DefinitionAgreed) -> Iterable[Notice]:
    found = _found(session, event)
    if found is None:
        return []
    definition, group = found
    return [
        Notice(
            kind=PROGRESS,
            key=f"definition:{definition.id}:agreed:{event.number}",
            title=f"{definition.title} was agreed at revision {event.number}",
            url=definition_url(group, definition),
            audiences=_followers(definition, group, hub=True),
            group_id=group.id,
        )
    ]


def dispute_raised(session: Session, event: DisputeRaised) -> Iterable[Notice]:
    found = _found(session, event)
    dispute = session.get(Dispute, event.dispute_id)
    if found is None or dispute is None:
        return []
    definition, group = found
    org = session.get(Organisation, dispute.organisation_id)
    who = org.name if org else "An organisation"
    chairs = tuple(u for u, _o in _members(session, group.id or 0, MemberRole.CHAIR))
    url = f"{definition_url(group, definition)}/sign-off"
    title = f"{who} objects to revision {event.number} of {definition.title}"
    return [
        Notice(
            kind=DISPUTE,
            key=f"dispute:{dispute.id}:raised:chairs",
            title=title,
            url=url,
            audiences=(
                People(chairs, f"You chair {group.name}: the objection needs your answer", "chair"),
            ),
            group_id=group.id,
            private=True,
            actor_id=event.raised_by,
        ),
        Notice(
            kind=PROGRESS,
            key=f"dispute:{dispute.id}:raised",
            title=title,
            url=url,
            audiences=_followers(definition, group),
            group_id=group.id,
            private=True,
            actor_id=event.raised_by,
            exclude=chairs,
        ),
    ]


def dispute_answered(session: Session, event: DisputeAnswered) -> Iterable[Notice]:
    found = _found(session, event)
    dispute = session.get(Dispute, event.dispute_id)
    if found is None or dispute is None:
        return []
    definition, group = found
    objectors = tuple(
        u for u, o in _members(session, group.id or 0) if o == dispute.organisation_id
    )
    outcome = (
        f"resolved in revision {dispute.resolved_in}"
        if event.outcome == DisputeStatus.RESOLVED
        else "not accepted"
    )
    title = f"The objection to {definition.title} was answered: {outcome}"
    url = f"{definition_url(group, definition)}/sign-off"
    return [
        Notice(
            kind=ANSWER,
            key=f"dispute:{dispute.id}:answered:objectors",
            title=title,
            url=url,
            audiences=(People(objectors, "Your organisation raised the objection", "member"),),
            group_id=group.id,
            private=True,
            actor_id=dispute.answered_by,
            summary=dispute.answer[:300],
        ),
        Notice(
            kind=PROGRESS,
            key=f"dispute:{dispute.id}:answered",
            title=title,
            url=url,
            audiences=_followers(definition, group),
            group_id=group.id,
            private=True,
            actor_id=dispute.answered_by,
            exclude=objectors,
        ),
    ]


SOURCES = (
    NotificationSource("definitions.revised", DefinitionRevised, revised),
    NotificationSource("definitions.proposed", DefinitionProposed, proposed),
    NotificationSource("definitions.agreed", DefinitionAgreed, agreed),
    NotificationSource("definitions.dispute_raised", DisputeRaised, dispute_raised),
    NotificationSource("definitions.dispute_answered", DisputeAnswered, dispute_answered),
)


def _describe(session: Session, ids: list[int]) -> Mapping[int, Followed]:
    rows = session.exec(
        select(Definition, TaskGroup)
        .join(TaskGroup, col(TaskGroup.id) == Definition.group_id)
        .where(col(Definition.id).in_(ids))
    ).all()
    return {
        d.id or 0: Followed(d.title, definition_url(g, d), g.id, private=d.agreed_number is None)
        for d, g in rows
    }


TARGETS = (FollowTarget(FOLLOW_KIND, N_("definition"), _describe),)
