"""Definitions' contribution: tiered definitions drafted in revisions, compared, merged
and signed off organisation by organisation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlmodel import Session, SQLModel
from starlette.routing import BaseRoute, Mount

from definitions import evidence, notices, progress, search
from definitions import models as definition_tables
from definitions import needs as definition_needs
from definitions import routes as drafting
from definitions.signoff import models as signoff_tables
from definitions.signoff import routes as signoff
from taskgroups.groups.models import TaskGroup
from workspace.hooks import (
    DeliverableOption,
    EvidenceTarget,
    FollowTarget,
    GroupSection,
    NeedsYou,
    NotificationKind,
    NotificationSource,
    hookimpl,
    tables_in,
)
from workspace.permissions import Viewer
from workspace.search import DocumentProvider

HERE = Path(__file__).resolve().parent


@hookimpl
def models() -> Iterable[type[SQLModel]]:
    return tables_in(definition_tables, signoff_tables)


@hookimpl
def template_folders() -> Mapping[str, Path]:
    return {
        "definitions": HERE / "templates",
        "definitions/signoff": HERE / "signoff" / "templates",
    }


@hookimpl
def routes() -> Iterable[BaseRoute]:
    return [Mount("/groups/{slug}/definitions", routes=[*drafting.routes, *signoff.routes])]


@hookimpl
def search_providers() -> Iterable[DocumentProvider]:
    return search.PROVIDERS


@hookimpl
def group_sections(session: Session, viewer: Viewer, group: TaskGroup) -> GroupSection:
    return drafting.group_section(session, viewer, group)


@hookimpl
def dashboard_panels(session: Session, viewer: Viewer, group: TaskGroup) -> GroupSection:
    return progress.dashboard_panel(session, viewer, group)


@hookimpl
def deliverable_options(session: Session, group_id: int) -> Iterable[DeliverableOption]:
    return progress.deliverable_options(session, group_id)


@hookimpl
def evidence_targets(
    session: Session, viewer: Viewer, group: TaskGroup
) -> Iterable[EvidenceTarget]:
    return evidence.evidence_targets(session, viewer, group)


@hookimpl
def notification_kinds() -> Iterable[NotificationKind]:
    return notices.KINDS


@hookimpl
def notification_sources() -> Iterable[NotificationSource]:
    return notices.SOURCES


@hookimpl
def follow_targets() -> Iterable[FollowTarget]:
    return notices.TARGETS


@hookimpl
def needs_you(session: Session, viewer: Viewer) -> Iterable[NeedsYou]:
    return definition_needs.needs_you(session, viewer)
