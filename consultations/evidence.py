"""Consultations as things evidence can be linked to: their supporting documents."""

from __future__ import annotations

from sqlmodel import Session

from consultations.lifecycle import service
from consultations.lifecycle import status as lifecycle
from taskgroups.groups.models import TaskGroup
from workspace.hooks import EvidenceTarget
from workspace.i18n import gettext as _
from workspace.permissions import Action, Viewer, can
from workspace.runtime import Runtime

CONSULTATION = "consultation"


def evidence_targets(
    rt: Runtime, session: Session, who: Viewer, group: TaskGroup
) -> list[EvidenceTarget]:
    may_link = can(who, Action.MANAGE_PROCESS, group.id)
    now = rt.clock()
    return [
        EvidenceTarget(
            kind=CONSULTATION,
            target_id=c.id or 0,
            label=c.title,
            url=f"/consultations/{c.slug}",
            heading=_("Consultations (supporting documents)"),
            may_link=may_link,
        )
        for c in service.for_group(session, group.id or 0)
        if lifecycle.readable(who, c, now)
    ]
