"""Reports: drafting, the sign-off subject they are, and publishing.

A report is signed off through `definitions.signoff` with `REPORT` as its kind: the same
positions, disputes and agreement as a definition's, in the same tables. Only the
drafting and the publishing are the report's own.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select
from starlette.requests import Request

from definitions import service as definitions
from definitions.models import Definition
from definitions.signoff.service import after_new_version
from definitions.signoff.subject import Place, SubjectKind
from reports.drafting.forms import ReportDraft
from reports.drafting.models import Recommendation, Report, ReportStatus
from taskgroups.groups import service as groups
from taskgroups.groups.models import ObserverSeat, TaskGroup
from workspace import activity
from workspace.db import WriteUnit, utcnow
from workspace.events import ReportPublished
from workspace.failures import Conflict, Invalid, NotFound
from workspace.hooks import EvidenceTarget
from workspace.i18n import gettext as _
from workspace.i18n import lazy_gettext
from workspace.markdown import render_markdown
from workspace.permissions import Action, Viewer, can, require
from workspace.runtime import Runtime, runtime, viewer
from workspace.text import slugify

KIND = "report"


def report_url(group: TaskGroup, report: Report) -> str:
    return f"/groups/{group.slug}/reports/{report.slug}"


# -- reading ----------------------------------------------------------------------------


def readable(who: Viewer, report: Report) -> bool:
    return report.published or can(who, Action.READ_GROUP_PRIVATE, report.group_id)


def for_group(session: Session, who: Viewer, group_id: int) -> list[Report]:
    """The group's reports this viewer may read: published ones, or all for the group."""
    if can(who, Action.READ_GROUP_PRIVATE, group_id):
        return all_in_group(session, group_id)
    query = select(Report).where(
        Report.group_id == group_id, Report.status == ReportStatus.PUBLISHED
    )
    return list(session.exec(query.order_by(col(Report.created_at).desc())).all())


def all_in_group(session: Session, group_id: int) -> list[Report]:
    """Every report of the group, drafts included (what a milestone may wait for)."""
    query = select(Report).where(Report.group_id == group_id)
    return list(session.exec(query.order_by(col(Report.created_at).desc())).all())


def by_slug(session: Session, group_id: int, slug: str) -> Report | None:
    query = select(Report).where(Report.group_id == group_id, Report.slug == slug)
    return session.exec(query).first()


def recommendations(session: Session, report_id: int) -> list[Recommendation]:
    query = select(Recommendation).where(Recommendation.report_id == report_id)
    return list(session.exec(query.order_by(col(Recommendation.number))).all())


def agreed_definitions(session: Session, group_id: int) -> list[Definition]:
    return [d for d in definitions.for_group(session, group_id) if d.agreed_number is not None]


def known_bodies(session: Session) -> list[str]:
    """Departments that hold observer seats: the bodies recommendations usually address."""
    found = session.exec(select(ObserverSeat.department).distinct()).all()
    return sorted({" ".join(d.split()) for d in found}, key=str.casefold)


def load_place(request: Request) -> Place:
    """The group and report named in the path, if this viewer may read the report."""
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group = groups.group_by_slug(session, request.path_params["slug"])
        report = by_slug(session, group.id or 0, request.path_params["rslug"]) if group else None
    if group is None or report is None:
        raise NotFound(_("There is no such report."))
    if not readable(who, report):
        require(who, Action.READ_GROUP_PRIVATE, group.id)
    return Place(group, report, report_url(group, report))


# -- writing ----------------------------------------------------------------------------


def do_create(rt: Runtime, actor: Viewer, group: TaskGroup, draft: ReportDraft) -> Report:
    require(actor, Action.EDIT_DRAFT, group.id)
    with rt.db.write() as unit:
        slug = slugify(draft.title)
        if by_slug(unit.session, group.id or 0, slug) is not None:
            raise Invalid(_("A report with this title already exists in the group"))
        report = Report(group_id=group.id or 0, title=draft.title, slug=slug)
        report.created_by = actor.user_id
        _apply(unit, report, draft)
        _log(unit, actor, "report.created", report, group, f"Report started: {draft.title}")
    return report


def do_save(
    rt: Runtime, actor: Viewer, group: TaskGroup, report_id: int, draft: ReportDraft
) -> Report:
    require(actor, Action.EDIT_DRAFT, group.id)
    with rt.db.write() as unit:
        report = _own(unit, group, report_id)
        if report.published:
            raise Conflict(_("A published report cannot be changed."))
        report.head_number += 1
        after_new_version(report, report.head_number)
        report.title = draft.title
        _apply(unit, report, draft)
        _log(
            unit,
            actor,
            "report.revised",
            report,
            group,
            f"{actor.display_name} saved version {report.head_number} of {report.title}",
        )
    return report


def _apply(unit: WriteUnit, report: Report, draft: ReportDraft) -> None:
    report.body, report.body_html = draft.body, render_markdown(draft.body)
    report.definition_id = draft.definition_id
    rests_on = unit.session.get(Definition, draft.definition_id) if draft.definition_id else None
    report.definition_number = rests_on.agreed_number if rests_on else None
    report.updated_at = utcnow()
    unit.session.add(report)
    unit.session.flush()
    existing = {r.id: r for r in recommendations(unit.session, report.id or 0)}
    kept: list[Recommendation] = []
    for row in draft.recommendations:
        rec = existing.pop(row.recommendation_id, None) if row.recommendation_id else None
        rec = rec or Recommendation(report_id=report.id or 0, number=0, text="", addressed_to="")
        rec.text, rec.text_html = row.text, render_markdown(row.text)
        rec.addressed_to = row.addressed_to
        kept.append(rec)
    for removed in existing.values():
        unit.session.delete(removed)
    unit.session.flush()
    # Number in two passes so the unique (report, number) never clashes mid-way.
    for offset, rec in enumerate(kept, start=1):
        rec.number = 100_000 + offset
        unit.session.add(rec)
    unit.session.flush()
    for number, rec in enumerate(kept, start=1):
        rec.number = number
        unit.session.add(rec)


def do_publish(rt: Runtime, actor: Viewer, group: TaskGroup, report_id: int) -> Report:
    require(actor, Action.MANAGE_PROCESS, group.id)
    with rt.db.write() as unit:
        report = _own(unit, group, report_id)
        if report.status != ReportStatus.AGREED:
            raise Conflict(
                _("Only a report the member organisations have agreed can be published.")
            )
        report.status = ReportStatus.PUBLISHED
        report.published_at, report.published_by = utcnow(), actor.user_id
        unit.session.add(report)
        count = len(recommendations(unit.session, report.id or 0))
        _log(
            unit,
            actor,
            ReportPublished.name,
            report,
            group,
            f"{report.title} published with {count} recommendation{'s' if count != 1 else ''}",
        )
        published = ReportPublished(report.id or 0, group.id or 0, report_url(group, report))
        unit.after_commit(lambda: rt.events.publish(published))
    return report


def _own(unit: WriteUnit, group: TaskGroup, report_id: int) -> Report:
    report = unit.session.get(Report, report_id)
    if report is None or report.group_id != group.id:
        raise NotFound(_("There is no such report."))
    return report


def _log(
    unit: WriteUnit, actor: Viewer, verb: str, report: Any, group: TaskGroup, summary: str
) -> None:
    activity.record(
        unit,
        actor_id=actor.user_id,
        verb=verb,
        object_type=KIND,
        object_id=report.id,
        group_id=group.id,
        summary=summary,
        url=report_url(group, report),
        visibility=activity.PUBLIC if report.published else activity.GROUP,
    )


# -- the sign-off subject ---------------------------------------------------------------


def _ready(session: Session, report: Report) -> str | None:
    if not recommendations(session, report.id or 0):
        return "Add at least one recommendation before proposing the report."
    return None


def _has_version(_session: Session, report: Report, number: int) -> bool:
    return 1 <= number <= report.head_number


def _nothing(*_args: Any) -> None:
    """Proposing and agreeing a report announce nothing beyond the activity log;
    publishing it does (ReportPublished)."""


REPORT = SubjectKind(
    name=KIND,
    noun=lazy_gettext("report"),
    version_word=lazy_gettext("version"),
    log_word="version",
    table=Report,
    templates={"nav": "reports/drafting/_nav.html", "status": "reports/drafting/_status.html"},
    load=load_place,
    ready=_ready,
    has_version=_has_version,
    log=_log,
    verbs={
        "proposed": "report.proposed",
        "position": "report.position",
        "dispute_answered": "report.dispute_answered",
        "agreed": "report.agreed",
    },
    proposed=_nothing,
    agreed=_nothing,
)


# -- what evidence can be linked to -----------------------------------------------------


def evidence_targets(session: Session, who: Viewer, group: TaskGroup) -> list[EvidenceTarget]:
    may_edit = can(who, Action.EDIT_DRAFT, group.id)
    found: list[EvidenceTarget] = []
    for report in for_group(session, who, group.id or 0):
        url = report_url(group, report)
        may_link = may_edit and not report.published
        found.append(
            EvidenceTarget(KIND, report.id or 0, report.title, url, _("Reports"), "", may_link)
        )
        for rec in recommendations(session, report.id or 0):
            found.append(
                EvidenceTarget(
                    "recommendation",
                    rec.id or 0,
                    _(
                        "Recommendation %(number)s of %(report)s",
                        number=rec.number,
                        report=report.title,
                    ),
                    f"{url}#recommendation-{rec.number}",
                    _("Recommendations"),
                    "",
                    may_link,
                )
            )
    return found
