"""Consultations' contribution: the lifecycle of a consultation, its questions and
responses, live threaded comments with moderation, the summary and the outcome."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlmodel import Session, SQLModel
from starlette.routing import BaseRoute, Mount

from consultations import evidence, notices, progress, search
from consultations.comments import live
from consultations.comments import models as comment_tables
from consultations.comments import routes as comments
from consultations.invitations import models as invitation_tables
from consultations.invitations import routes as invitations
from consultations.invitations import service as invitation_service
from consultations.lifecycle import clock
from consultations.lifecycle import models as consultation_tables
from consultations.lifecycle import routes as lifecycle
from consultations.moderation import routes as moderation
from consultations.outcome import models as outcome_tables
from consultations.outcome import routes as outcome
from consultations.page import home
from consultations.page import routes as page
from consultations.questions import models as question_tables
from consultations.questions import routes as questions
from consultations.responses import live as responses_live
from consultations.responses import models as response_tables
from consultations.responses import routes as responses
from consultations.roadshows import models as roadshow_tables
from consultations.roadshows import routes as roadshows
from consultations.summary import answers as summary_answers
from consultations.summary import routes as summary
from taskgroups.groups.models import TaskGroup
from workspace.hooks import (
    DeliverableOption,
    EvidenceTarget,
    FollowTarget,
    GroupSection,
    Job,
    LiveRelay,
    LiveRoom,
    NeedsYou,
    NotificationKind,
    NotificationSource,
    PeriodicJob,
    hookimpl,
    tables_in,
)
from workspace.permissions import Viewer
from workspace.runtime import Runtime
from workspace.search import DocumentProvider

HERE = Path(__file__).resolve().parent
SUBPACKAGES = (
    "lifecycle",
    "page",
    "questions",
    "responses",
    "comments",
    "moderation",
    "summary",
    "outcome",
    "invitations",
    "roadshows",
)


@hookimpl
def models() -> Iterable[type[SQLModel]]:
    return tables_in(
        consultation_tables,
        question_tables,
        response_tables,
        comment_tables,
        outcome_tables,
        invitation_tables,
        roadshow_tables,
    )


@hookimpl
def template_folders() -> Mapping[str, Path]:
    return {f"consultations/{sub}": HERE / sub / "templates" for sub in SUBPACKAGES}


@hookimpl
def routes() -> Iterable[BaseRoute]:
    return [
        Mount(
            "/consultations",
            routes=[
                *lifecycle.routes,  # "/new" before the page's "/{slug}"
                *page.routes,
                *outcome.routes,
                *questions.routes,
                *responses.routes,
                *responses_live.routes,
                *summary.routes,
                *summary_answers.routes,
                *comments.routes,
                *moderation.routes,
                *invitations.routes,
                *roadshows.routes,
            ],
        ),
        *invitations.link_routes,
    ]


@hookimpl
def search_providers() -> Iterable[DocumentProvider]:
    return search.PROVIDERS


@hookimpl
def live_rooms(rt: Runtime) -> Iterable[LiveRoom]:
    return [live.room(rt)]


@hookimpl
def live_relays() -> Iterable[LiveRelay]:
    return [live.relay()]


@hookimpl
def group_sections(rt: Runtime, session: Session, viewer: Viewer, group: TaskGroup) -> GroupSection:
    return lifecycle.group_section(rt, session, viewer, group)


@hookimpl
def dashboard_panels(
    rt: Runtime, session: Session, viewer: Viewer, group: TaskGroup
) -> GroupSection:
    return progress.dashboard_panel(rt, session, viewer, group)


@hookimpl
def deliverable_options(
    rt: Runtime, session: Session, group_id: int
) -> Iterable[DeliverableOption]:
    return progress.deliverable_options(rt, session, group_id)


@hookimpl
def evidence_targets(
    rt: Runtime, session: Session, viewer: Viewer, group: TaskGroup
) -> Iterable[EvidenceTarget]:
    return evidence.evidence_targets(rt, session, viewer, group)


@hookimpl
def jobs(rt: Runtime) -> Iterable[Job | PeriodicJob]:
    return [clock.job(rt)]


@hookimpl
def notification_kinds() -> Iterable[NotificationKind]:
    return notices.KINDS


@hookimpl
def notification_sources(rt: Runtime) -> Iterable[NotificationSource]:
    return notices.sources(rt)


@hookimpl
def follow_targets(rt: Runtime) -> Iterable[FollowTarget]:
    return [notices.describer(rt), notices.THREADS]


@hookimpl
def invited_to(session: Session, user_id: int) -> Iterable[int]:
    return invitation_service.invited_to(session, user_id)


@hookimpl
def needs_you(rt: Runtime, session: Session, viewer: Viewer) -> Iterable[NeedsYou]:
    return home.needs_you(rt, session, viewer)


@hookimpl
def home_panels(rt: Runtime, session: Session, viewer: Viewer) -> GroupSection:
    return home.home_panel(rt, session, viewer)
