"""Report pages: the group's reports, one report, drafting and publishing. Sign-off is
the definitions' own pages, mounted here with the report as their subject."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from definitions.signoff.routes import routes_for
from reports.drafting import service as reports
from reports.drafting.forms import NEW_ROWS, check_report, form_values
from reports.drafting.models import Report
from taskgroups.groups import service as groups
from taskgroups.groups.models import TaskGroup
from workspace.failures import Conflict, Invalid, NotFound
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.permissions import Action, can, require
from workspace.runtime import Runtime, runtime, viewer
from workspace.templating import redirect, render


def _group(session: Session, request: Request) -> TaskGroup:
    group = groups.group_by_slug(session, request.path_params["slug"])
    if group is None:
        raise NotFound(_("There is no such task group."))
    return group


async def list_reports(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group = _group(session, request)
        found = reports.for_group(session, who, group.id or 0)
    return render(
        request,
        "reports/drafting/reports.html",
        {"group": group, "reports": found, "may_draft": can(who, Action.EDIT_DRAFT, group.id)},
    )


async def new_report(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group = _group(session, request)
    require(who, Action.EDIT_DRAFT, group.id)
    return await _edit(request, rt, group, None)


async def edit_report(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    place = reports.load_place(request)
    require(who, Action.EDIT_DRAFT, place.group.id)
    if place.record.published:
        raise Conflict(_("A published report cannot be changed."))
    return await _edit(request, rt, place.group, place.record)


async def _edit(request: Request, rt: Runtime, group: TaskGroup, report: Report | None) -> Response:
    who = viewer(request)
    with rt.db.read() as session:
        recs = reports.recommendations(session, report.id or 0) if report else []
        agreed = reports.agreed_definitions(session, group.id or 0)
        bodies = reports.known_bodies(session)
    rows = len(recs) + NEW_ROWS
    form = FormInput(values=form_values(report, recs) if report else {})
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        rows = max(rows, _posted_rows(form))
        draft = check_report(form, rows, {d.id for d in agreed if d.id is not None})
        if form.ok:
            try:
                if report is None:
                    saved = reports.do_create(rt, who, group, draft)
                else:
                    saved = reports.do_save(rt, who, group, report.id or 0, draft)
            except Invalid as problem:
                form.error("title", problem.message)
            else:
                return redirect(reports.report_url(group, saved), "The report is saved.")
        status = 400
    return render(
        request,
        "reports/drafting/report_form.html",
        {
            "group": group,
            "report": report,
            "form": form,
            "rows": range(rows),
            "definitions": agreed,
            "bodies": bodies,
        },
        status_code=status,
    )


def _posted_rows(form: FormInput) -> int:
    """How many recommendation rows the submitted form had (so none is dropped)."""
    count = 0
    while f"rec-text-{count}" in form.values and count < 200:
        count += 1
    return count


async def publish(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    place = reports.load_place(request)
    require(who, Action.MANAGE_PROCESS, place.group.id)
    reports.do_publish(rt, who, place.group, place.record.id or 0)
    return redirect(
        place.url,
        f"{place.record.title} is published. Its recommendations now await the "
        "government's response.",
    )


BASE = "/groups/{slug}/reports"


def routes_with(page: Route) -> list[Mount]:
    """The drafting routes with the report's page (which lives above drafting)."""
    return [
        Mount(
            BASE,
            routes=[
                Route("/", list_reports),
                Route("/new", new_report, methods=["GET", "POST"]),
                page,
                Route("/{rslug}/edit", edit_report, methods=["GET", "POST"]),
                Route("/{rslug}/publish", publish, methods=["POST"]),
                *routes_for(reports.REPORT, "/{rslug}"),
            ],
        )
    ]
