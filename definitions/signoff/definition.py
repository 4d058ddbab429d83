"""A definition as a sign-off subject: revisions are its versions, and agreeing it
publishes the agreed revision (to search, and to milestones waiting for it)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.requests import Request

from definitions.models import Definition
from definitions.places import load_place
from definitions.service import _log, get_revision, tiers_of
from definitions.signoff.subject import Place, SubjectKind
from taskgroups.groups.models import TaskGroup
from workspace import search
from workspace.db import WriteUnit
from workspace.events import (
    DefinitionAgreed,
    DefinitionProposed,
    DisputeAnswered,
    DisputeRaised,
)
from workspace.i18n import gettext
from workspace.i18n import lazy_gettext as _
from workspace.permissions import Viewer
from workspace.runtime import Runtime


def _load(request: Request) -> Place:
    place = load_place(request)
    return Place(place.group, place.definition, place.url)


def _ready(session: Session, definition: Definition) -> str | None:
    if definition.head_number == 0 or not tiers_of(
        session, definition.id or 0, definition.head_number
    ):
        return gettext("Add at least one tier before proposing the definition.")
    return None


def _has_version(session: Session, definition: Definition, number: int) -> bool:
    return get_revision(session, definition.id or 0, number) is not None


def _log_step(
    unit: WriteUnit, actor: Viewer, verb: str, record: Any, group: TaskGroup, summary: str
) -> None:
    _log(unit, actor, verb, record, group, summary)


def _proposed(
    rt: Runtime, unit: WriteUnit, _actor: Viewer, record: Any, group: TaskGroup, number: int
) -> None:
    proposed = DefinitionProposed(record.id or 0, group.id or 0, number)
    unit.after_commit(lambda: rt.events.publish(proposed))


def _agreed(
    rt: Runtime, unit: WriteUnit, _actor: Viewer, record: Any, group: TaskGroup, number: int
) -> None:
    # The agreed revision becomes public in the index.
    search.enqueue(rt, unit, "definition", record.id)
    agreed = DefinitionAgreed(record.id or 0, group.id or 0, number)
    unit.after_commit(lambda: rt.events.publish(agreed))


def _dispute_raised(
    rt: Runtime, unit: WriteUnit, actor: Viewer, record: Any, group: TaskGroup, dispute: Any
) -> None:
    raised = DisputeRaised(
        record.id or 0,
        group.id or 0,
        dispute.revision_number,
        dispute_id=dispute.id or 0,
        raised_by=actor.user_id,
    )
    unit.after_commit(lambda: rt.events.publish(raised))


def _dispute_answered(
    rt: Runtime, unit: WriteUnit, _actor: Viewer, record: Any, group: TaskGroup, dispute: Any
) -> None:
    answered = DisputeAnswered(
        record.id or 0, group.id or 0, dispute.revision_number, dispute.id or 0, dispute.status
    )
    unit.after_commit(lambda: rt.events.publish(answered))


DEFINITION = SubjectKind(
    name="definition",
    noun=_("definition"),
    version_word=_("revision"),
    log_word="revision",
    table=Definition,
    templates={"nav": "definitions/_nav.html", "status": "definitions/_status.html"},
    load=_load,
    ready=_ready,
    has_version=_has_version,
    log=_log_step,
    verbs={
        "proposed": DefinitionProposed.name,
        "position": "definition.position",
        "dispute_answered": "definition.dispute_answered",
        "agreed": DefinitionAgreed.name,
    },
    proposed=_proposed,
    agreed=_agreed,
    version_url=lambda url, number: f"{url}/revisions/{number}",
    dispute_raised=_dispute_raised,
    dispute_answered=_dispute_answered,
)
