"""Tiers as things evidence can be linked to ("this tier's metric rests on ..."), and the
evidence each tier shows. A link names the definition and the tier's key, which stays the
same across revisions, so it follows the tier through later drafts."""

from __future__ import annotations

from sqlmodel import Session

from definitions import service
from taskgroups.evidence import service as evidence
from taskgroups.evidence.models import Evidence
from taskgroups.groups.models import TaskGroup
from workspace.hooks import EvidenceTarget
from workspace.i18n import gettext as _
from workspace.permissions import Action, Viewer, can

TIER = "tier"


def evidence_targets(session: Session, who: Viewer, group: TaskGroup) -> list[EvidenceTarget]:
    may_link = can(who, Action.EDIT_DRAFT, group.id)
    found = []
    for definition in service.for_group(session, group.id or 0):
        if not service.readable(who, definition):
            continue
        url = service.definition_url(group, definition)
        number = service.public_number(who, definition)
        for tier in service.tiers_of(session, definition.id or 0, number):
            found.append(
                EvidenceTarget(
                    kind=TIER,
                    target_id=definition.id or 0,
                    key=tier.key,
                    label=_(
                        "%(tier)s, in %(definition)s", tier=tier.name, definition=definition.title
                    ),
                    url=f"{url}#tier-section-{tier.key}",
                    heading=_("Definition tiers"),
                    may_link=may_link,
                )
            )
    return found


def by_tier(
    session: Session, who: Viewer, group_id: int, definition_id: int
) -> dict[str, list[Evidence]]:
    """The evidence this viewer may see under each tier of a definition, by tier key."""
    linked = evidence.linked_to(session, who, group_id, TIER, [definition_id])
    return {key: items for (_id, key), items in linked.items()}
