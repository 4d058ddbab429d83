"""What definitions offer the progress pages: a milestone can wait for a definition to be
agreed, and the observer dashboard shows each group's definitions with their sign-off."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from definitions import service as definitions
from definitions.models import DefinitionStatus
from definitions.signoff import service as signoff
from taskgroups.groups.models import TaskGroup
from taskgroups.milestones.models import DeliverableKind
from workspace.hooks import DeliverableOption, GroupSection
from workspace.permissions import Viewer


def deliverable_options(session: Session, group_id: int) -> list[DeliverableOption]:
    group = session.get(TaskGroup, group_id)
    if group is None:
        return []
    return [
        DeliverableOption(
            DeliverableKind.DEFINITION_AGREED,
            d.id or 0,
            f"Definition agreed: {d.title}",
            definitions.definition_url(group, d),
            started=d.status in (DefinitionStatus.PROPOSED, DefinitionStatus.AGREED),
            done=d.status == DefinitionStatus.AGREED,
        )
        for d in definitions.for_group(session, group_id)
        if d.status != DefinitionStatus.SUPERSEDED
    ]


@dataclass
class DefinitionSummary:
    title: str
    url: str
    status: str
    positions: int
    organisations: int
    open_disputes: int


def dashboard_panel(session: Session, who: Viewer, group: TaskGroup) -> GroupSection:
    items = []
    for d in definitions.for_group(session, group.id or 0):
        if not definitions.readable(who, d):
            continue
        state = signoff.state(session, d)
        items.append(
            DefinitionSummary(
                d.title,
                definitions.definition_url(group, d),
                d.status,
                positions=len(state.rows) - len(state.missing),
                organisations=len(state.rows),
                open_disputes=len(state.open_disputes),
            )
        )
    return GroupSection(
        "definitions/_dashboard_panel.html", {"definitions": items, "group": group}, order=10
    )
