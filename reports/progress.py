"""What reports offer the group page and milestones: the group's reports, and "the
government's response published" as a deliverable a milestone can wait for."""

from __future__ import annotations

from sqlmodel import Session

from reports.drafting import service as reports
from reports.drafting.models import ReportStatus
from reports.responses import service as responses
from reports.responses.models import ResponseStatus
from taskgroups.groups.models import TaskGroup
from taskgroups.milestones.models import DeliverableKind
from workspace.hooks import DeliverableOption, GroupSection
from workspace.permissions import Action, Viewer, can


def deliverable_options(session: Session, group_id: int) -> list[DeliverableOption]:
    group = session.get(TaskGroup, group_id)
    if group is None:
        return []
    found = []
    for report in reports.all_in_group(session, group_id):
        recs = reports.recommendations(session, report.id or 0)
        answers = responses.history(session, [r.id or 0 for r in recs])
        done = report.published and all(
            a and ResponseStatus(a[-1].status).final for a in answers.values()
        )
        found.append(
            DeliverableOption(
                DeliverableKind.RESPONSE_PUBLISHED,
                report.id or 0,
                f"Government response published: {report.title}",
                reports.report_url(group, report),
                started=report.status == ReportStatus.PUBLISHED,
                done=bool(recs) and done,
            )
        )
    return found


def group_section(session: Session, who: Viewer, group: TaskGroup) -> GroupSection:
    return GroupSection(
        "reports/drafting/_group_section.html",
        {
            "group": group,
            "reports": reports.for_group(session, who, group.id or 0),
            "may_draft": can(who, Action.EDIT_DRAFT, group.id),
        },
        order=25,
    )
