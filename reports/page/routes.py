"""A report's page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from definitions.models import Definition
from definitions.service import definition_url
from definitions.signoff import service as signoff
from reports.drafting import service as reports
from reports.drafting.models import Report, ReportStatus
from reports.responses import service as responses
from taskgroups.evidence import service as evidence
from workspace.runtime import runtime, viewer
from workspace.templating import render


async def report_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    place = reports.load_place(request)
    report: Report = place.record
    group = place.group
    with rt.db.read() as session:
        recs = reports.recommendations(session, report.id or 0)
        ids = [r.id or 0 for r in recs]
        answers = responses.history(session, ids) if report.published else {}
        rests_on = session.get(Definition, report.definition_id) if report.definition_id else None
        on_recs = evidence.linked_to(session, who, group.id or 0, "recommendation", ids)
        on_report = evidence.linked_to(session, who, group.id or 0, reports.KIND, [report.id or 0])
        state = signoff.state(session, report, reports.REPORT) if not report.published else None
    return render(
        request,
        "reports/page/report.html",
        {
            "group": group,
            "report": report,
            "recommendations": recs,
            "answers": answers,
            "status_of": responses.status_of,
            "label": responses.label,
            "rests_on": rests_on,
            "rests_on_url": definition_url(group, rests_on) if rests_on else "",
            "evidence_by_rec": {rid: items for (rid, _key), items in on_recs.items()},
            "linked": on_report.get((report.id or 0, ""), []),
            "state": state,
            "status_label": ReportStatus(report.status).label,
        },
    )


route = Route("/{rslug}", report_page)
