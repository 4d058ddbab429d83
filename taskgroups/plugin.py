"""Task groups' contribution: groups with their members and observers, milestones toward
the target date, and meetings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlmodel import Session, SQLModel
from starlette.routing import BaseRoute, Mount

from taskgroups import notices, search
from taskgroups.evidence import models as evidence_tables
from taskgroups.evidence import routes as evidence
from taskgroups.evidence import service as evidence_service
from taskgroups.groups import invite_routes as seat_invite_routes
from taskgroups.groups import models as group_tables
from taskgroups.groups import roles
from taskgroups.groups import routes as groups
from taskgroups.groups.models import TaskGroup
from taskgroups.meetings import models as meeting_tables
from taskgroups.meetings import needs as meeting_needs
from taskgroups.meetings import routes as meetings
from taskgroups.meetings import service as meeting_service
from taskgroups.milestones import models as milestone_tables
from taskgroups.milestones import routes as milestones
from taskgroups.milestones import service as milestone_service
from taskgroups.milestones import watch as milestone_watch
from workspace.hooks import (
    DeliverableOption,
    EvidenceTarget,
    FollowTarget,
    GroupSection,
    Job,
    NeedsYou,
    NotificationKind,
    NotificationSource,
    PeriodicJob,
    RoleMap,
    Subscription,
    hookimpl,
    tables_in,
)
from workspace.permissions import Viewer
from workspace.runtime import Runtime
from workspace.search import DocumentProvider

HERE = Path(__file__).resolve().parent


@hookimpl
def models() -> Iterable[type[SQLModel]]:
    return tables_in(group_tables, milestone_tables, meeting_tables, evidence_tables)


@hookimpl
def template_folders() -> Mapping[str, Path]:
    return {f"taskgroups/{sub}": HERE / sub / "templates" for sub in SUBPACKAGES}


SUBPACKAGES = ("groups", "milestones", "meetings", "evidence")


@hookimpl
def routes() -> Iterable[BaseRoute]:
    return [
        *milestones.routes,
        *meetings.routes,
        *evidence.routes,
        Mount("/groups", routes=[*groups.routes, *seat_invite_routes.routes]),
    ]


@hookimpl
def upload_paths() -> Iterable[str]:
    return [evidence.UPLOAD_PATH]


@hookimpl
def evidence_targets(
    session: Session, viewer: Viewer, group: TaskGroup
) -> Iterable[EvidenceTarget]:
    return meeting_service.evidence_targets(session, viewer, group)


@hookimpl
def group_roles(session: Session, user_id: int) -> RoleMap:
    return roles.group_roles(session, user_id)


@hookimpl
def search_providers() -> Iterable[DocumentProvider]:
    return search.PROVIDERS


@hookimpl
def subscriptions(rt: Runtime) -> Iterable[Subscription]:
    return milestone_service.subscriptions(rt)


@hookimpl
def group_sections(rt: Runtime, session: Session, viewer: Viewer, group: TaskGroup) -> GroupSection:
    return milestones.group_section(rt, session, viewer, group)


@hookimpl
def deliverable_options(session: Session, group_id: int) -> Iterable[DeliverableOption]:
    return meeting_service.deliverable_options(session, group_id)


@hookimpl
def notification_kinds() -> Iterable[NotificationKind]:
    return notices.KINDS


@hookimpl
def notification_sources(rt: Runtime) -> Iterable[NotificationSource]:
    return notices.sources(rt)


@hookimpl
def follow_targets() -> Iterable[FollowTarget]:
    return notices.TARGETS


@hookimpl
def jobs(rt: Runtime) -> Iterable[Job | PeriodicJob]:
    return [
        milestone_watch.job(rt),
        evidence_service.extraction_job(rt),
        evidence_service.sweep_job(rt),
    ]


@hookimpl
def needs_you(rt: Runtime, session: Session, viewer: Viewer) -> Iterable[NeedsYou]:
    return meeting_needs.needs_you(rt, session, viewer)
