"""The home page, for whoever is looking: the programme and what is open for everyone;
a person's own responses and comments; "Needs you" for members and chairs; the
dashboard for observers; the state of the hub for the secretariat.

The features bring their parts through two hooks: `needs_you` (what waits for this
person) and `home_panels` (a panel of their own, such as open consultations)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from taskgroups.groups.models import MemberRole, Membership, TaskGroup
from taskgroups.milestones import service as milestones
from taskgroups.milestones.models import MilestoneStatus
from workspace import hooks
from workspace.hooks import GroupSection, NeedsYou
from workspace.models import Organisation
from workspace.permissions import Viewer
from workspace.runtime import Runtime


@dataclass(frozen=True)
class HubHealth:
    """What the secretariat should look at first: loose ends in the hub's set-up."""

    unrepresented: list[Organisation]
    chairless: list[TaskGroup]
    overdue: list[milestones.MilestoneRow]
    search_backlog: int

    @property
    def all_well(self) -> bool:
        return not (self.unrepresented or self.chairless or self.overdue or self.search_backlog)


def needs_you(rt: Runtime, session: Session, who: Viewer) -> list[NeedsYou]:
    if not who.signed_in:
        return []
    found = hooks.flat(rt.hook.needs_you(rt=rt, session=session, viewer=who))
    return sorted(found, key=lambda item: (item.order, item.group, item.text))


def panels(rt: Runtime, session: Session, who: Viewer) -> list[GroupSection]:
    return hooks.ordered(rt.hook.home_panels(rt=rt, session=session, viewer=who))


def hub_health(rt: Runtime, session: Session, search_backlog: int) -> HubHealth:
    represented = select(Membership.organisation_id)
    unrepresented = session.exec(
        select(Organisation)
        .where(col(Organisation.id).not_in(represented))
        .order_by(col(Organisation.name))
    ).all()
    chaired = select(Membership.group_id).where(Membership.role == MemberRole.CHAIR)
    chairless = session.exec(
        select(TaskGroup)
        .where(col(TaskGroup.id).not_in(chaired))
        .where(TaskGroup.status == "active")
        .order_by(col(TaskGroup.name))
    ).all()
    overdue = [r for r in milestones.rows(rt, session) if r.status is MilestoneStatus.OVERDUE]
    return HubHealth(list(unrepresented), list(chairless), overdue, search_backlog)
