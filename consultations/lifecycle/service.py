"""Consultation writes: create, edit while draft, open or close now, publish the outcome,
and announce the transitions the clock makes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import update
from sqlmodel import Session, col, select

from consultations.lifecycle.forms import ConsultationInput
from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.lifecycle.status import FOLLOW_KIND as CONSULTATION
from consultations.lifecycle.status import WrongStatus, activity_visibility, status_of, url
from definitions import exports as definition_exports
from definitions import service as definitions
from definitions.models import Definition
from taskgroups.groups.models import TaskGroup
from workspace import activity, events, search
from workspace.db import WriteUnit
from workspace.markdown import render_markdown
from workspace.notifications.following import auto_follow
from workspace.permissions import Action, Viewer, require
from workspace.runtime import Runtime
from workspace.text import slugify

C = TypeVar("C", bound=events.ConsultationChange)

_ANNOUNCE: dict[ConsultationStatus, type[events.ConsultationChange]] = {
    ConsultationStatus.OPEN: events.ConsultationOpened,
    ConsultationStatus.CLOSED: events.ConsultationClosed,
    ConsultationStatus.OUTCOME_PUBLISHED: events.ConsultationOutcomePublished,
}


@dataclass(frozen=True)
class Source:
    """A definition revision a consultation can be put on."""

    value: str  # "<definition id>:<number>"
    label: str


def sources_for(session: Session, group_id: int) -> list[Source]:
    found: list[Source] = []
    for definition in definitions.for_group(session, group_id):
        numbers = {definition.head_number, definition.proposed_number, definition.agreed_number}
        for number in sorted((n for n in numbers if n), reverse=True):
            tags = [
                t
                for t, n in (
                    ("agreed", definition.agreed_number),
                    ("proposed", definition.proposed_number),
                    ("latest", definition.head_number),
                )
                if n == number
            ]
            found.append(
                Source(
                    f"{definition.id}:{number}",
                    f"{definition.title}, revision {number} ({', '.join(tags)})",
                )
            )
    return found


def for_group(session: Session, group_id: int) -> list[Consultation]:
    return list(
        session.exec(
            select(Consultation)
            .where(Consultation.group_id == group_id)
            .order_by(col(Consultation.opens_at).desc())
        )
    )


def listing(session: Session) -> list[tuple[Consultation, TaskGroup]]:
    rows = session.exec(
        select(Consultation, TaskGroup)
        .join(TaskGroup, col(TaskGroup.id) == Consultation.group_id)
        .order_by(col(Consultation.closes_at).desc())
    )
    return [(c, g) for c, g in rows]


def frozen_definition(consultation: Consultation) -> dict[str, Any] | None:
    return json.loads(consultation.frozen_definition) if consultation.frozen_definition else None


def do_create(
    rt: Runtime, actor: Viewer, group: TaskGroup, data: ConsultationInput
) -> Consultation:
    require(actor, Action.MANAGE_PROCESS, group.id)
    with rt.db.write() as unit:
        consultation = Consultation(
            group_id=group.id or 0,
            title=data.title,
            slug=_free_slug(unit.session, data.title),
            created_by=actor.user_id,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
        )
        _apply(unit.session, consultation, data)
        unit.session.add(consultation)
        unit.session.flush()
        _log(
            unit,
            actor,
            "consultation.created",
            consultation,
            f"{actor.display_name} drafted the consultation {consultation.title}",
            visibility=activity.GROUP,
        )
        auto_follow(unit, [actor.user_id], CONSULTATION, consultation.id or 0, role="chair")
        search.enqueue(rt, unit, "consultation", consultation.id)
    return consultation


def do_update(
    rt: Runtime, actor: Viewer, consultation_id: int, data: ConsultationInput
) -> Consultation:
    with rt.db.write() as unit:
        consultation = _locked(unit.session, consultation_id)
        require(actor, Action.MANAGE_PROCESS, consultation.group_id)
        _require_draft(consultation, rt.clock())
        _apply(unit.session, consultation, data)
        _log(
            unit,
            actor,
            "consultation.edited",
            consultation,
            f"{actor.display_name} edited the draft consultation {consultation.title}",
            visibility=activity.GROUP,
        )
        search.enqueue(rt, unit, "consultation", consultation.id)
    return consultation


def do_open_now(rt: Runtime, actor: Viewer, consultation_id: int) -> Consultation:
    now = rt.clock()
    with rt.db.write() as unit:
        consultation = _locked(unit.session, consultation_id)
        require(actor, Action.MANAGE_PROCESS, consultation.group_id)
        _require_draft(consultation, now)
        consultation.opens_at = now
        consultation.closes_at = max(consultation.closes_at, now)
        unit.session.add(consultation)
        search.enqueue(rt, unit, "consultation", consultation.id)  # public from now
    announce_transitions(rt)
    return consultation


def do_close_now(rt: Runtime, actor: Viewer, consultation_id: int) -> Consultation:
    now = rt.clock()
    with rt.db.write() as unit:
        consultation = _locked(unit.session, consultation_id)
        require(actor, Action.MANAGE_PROCESS, consultation.group_id)
        if status_of(consultation, now) is not ConsultationStatus.OPEN:
            raise WrongStatus(status_of(consultation, now))
        consultation.closes_at = now
        unit.session.add(consultation)
    announce_transitions(rt)
    return consultation


def announce_transitions(rt: Runtime) -> int:
    """Publish ConsultationOpened / Closed / OutcomePublished for every status change
    not yet announced. The conditional UPDATE makes each announcement happen once, even
    with several workers noticing the same change at the same moment."""
    now = rt.clock()
    with rt.db.read() as session:
        candidates = list(
            session.exec(
                select(Consultation).where(
                    col(Consultation.announced) != ConsultationStatus.OUTCOME_PUBLISHED.value
                )
            )
        )
    announced = 0
    for consultation in candidates:
        status = status_of(consultation, now)
        if status.value == consultation.announced:
            continue
        with rt.db.write() as unit:
            claimed = unit.session.execute(
                update(Consultation)
                .where(
                    col(Consultation.id) == consultation.id,
                    col(Consultation.announced) == consultation.announced,
                )
                .values(announced=status.value)
            ).rowcount  # type: ignore[attr-defined]
            if claimed and status in _ANNOUNCE:
                _announce(rt, unit, consultation, status)
                announced += 1
    return announced


def _announce(
    rt: Runtime, unit: WriteUnit, consultation: Consultation, status: ConsultationStatus
) -> None:
    kind = _ANNOUNCE[status]
    activity.record(
        unit,
        actor_id=None,
        verb=kind.name,
        object_type="consultation",
        object_id=consultation.id,
        group_id=consultation.group_id,
        summary=f"The consultation {consultation.title} {_VERBS[status]}",
        url=url(consultation),
        visibility=activity_visibility(consultation, activity.PUBLIC),
    )
    event = change_event(kind, consultation)
    unit.after_commit(lambda: rt.events.publish(event))


def change_event(kind: type[C], consultation: Consultation) -> C:
    """The event of `kind` (opened, closed, closing soon...) about this consultation."""
    return kind(
        consultation_id=consultation.id or 0,
        group_id=consultation.group_id,
        slug=consultation.slug,
        title=consultation.title,
        url=url(consultation),
        definition_id=consultation.definition_id,
    )


_VERBS = {
    ConsultationStatus.OPEN: "opened",
    ConsultationStatus.CLOSED: "closed",
    ConsultationStatus.OUTCOME_PUBLISHED: "published its outcome",
}


def _apply(session: Session, consultation: Consultation, data: ConsultationInput) -> None:
    consultation.title, consultation.summary = data.title, data.summary
    consultation.body, consultation.body_html = data.body, render_markdown(data.body)
    consultation.opens_at, consultation.closes_at = data.opens_at, data.closes_at
    consultation.moderation = data.moderation
    consultation.definition_id, consultation.revision_number = None, None
    consultation.frozen_definition = ""
    if data.source:
        definition_id, number = (int(part) for part in data.source.split(":"))
        _freeze(session, consultation, definition_id, number)


def _freeze(session: Session, consultation: Consultation, definition_id: int, number: int) -> None:
    definition = session.get(Definition, definition_id)
    revision = definitions.get_revision(session, definition_id, number)
    group = session.get(TaskGroup, consultation.group_id)
    if definition is None or revision is None or group is None:
        return
    rows = definitions.tier_rows(session, revision.id or 0)
    frozen = definition_exports.as_dict(group, definition, revision, rows, author="")
    frozen["tiers_html"] = {row.key: row.requirement_html for row in rows}
    consultation.definition_id, consultation.revision_number = definition_id, number
    consultation.frozen_definition = json.dumps(frozen)


def _free_slug(session: Session, title: str) -> str:
    base = slugify(title) or "consultation"
    taken = set(
        session.exec(select(Consultation.slug).where(col(Consultation.slug).startswith(base)))
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _locked(session: Session, consultation_id: int) -> Consultation:
    consultation = session.exec(
        select(Consultation).where(Consultation.id == consultation_id).with_for_update()
    ).first()
    if consultation is None:
        raise LookupError(consultation_id)
    return consultation


def _require_draft(consultation: Consultation, now: datetime) -> None:
    status = status_of(consultation, now)
    if status is not ConsultationStatus.DRAFT:
        raise WrongStatus(status)


def _log(
    unit: WriteUnit,
    actor: Viewer,
    verb: str,
    consultation: Consultation,
    summary: str,
    visibility: str = activity.PUBLIC,
) -> None:
    activity.record(
        unit,
        actor_id=actor.user_id,
        verb=verb,
        object_type="consultation",
        object_id=consultation.id,
        group_id=consultation.group_id,
        summary=summary,
        visibility=activity_visibility(consultation, visibility),
        url=url(consultation),
    )
