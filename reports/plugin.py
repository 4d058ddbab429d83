"""Reports' contribution: reports of recommendations signed off like definitions, the
government's response to them, and the public tracker."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlmodel import Session, SQLModel
from starlette.routing import BaseRoute

from reports import progress
from reports.drafting import models as report_tables
from reports.drafting import routes as drafting
from reports.drafting import service as report_service
from reports.page import routes as page
from reports.responses import models as response_tables
from reports.responses import routes as responding
from reports.tracker import routes as tracker
from taskgroups.groups.models import TaskGroup
from workspace.hooks import DeliverableOption, EvidenceTarget, GroupSection, hookimpl, tables_in
from workspace.permissions import Viewer

HERE = Path(__file__).resolve().parent
SUBPACKAGES = ("drafting", "responses", "tracker", "page")


@hookimpl
def models() -> Iterable[type[SQLModel]]:
    return tables_in(report_tables, response_tables)


@hookimpl
def template_folders() -> Mapping[str, Path]:
    return {f"reports/{sub}": HERE / sub / "templates" for sub in SUBPACKAGES}


@hookimpl
def routes() -> Iterable[BaseRoute]:
    return [*drafting.routes_with(page.route), *responding.routes, *tracker.routes]


@hookimpl
def evidence_targets(
    session: Session, viewer: Viewer, group: TaskGroup
) -> Iterable[EvidenceTarget]:
    return report_service.evidence_targets(session, viewer, group)


@hookimpl
def deliverable_options(session: Session, group_id: int) -> Iterable[DeliverableOption]:
    return progress.deliverable_options(session, group_id)


@hookimpl
def group_sections(session: Session, viewer: Viewer, group: TaskGroup) -> GroupSection:
    return progress.group_section(session, viewer, group)
