"""The response form: for observers of the department a recommendation is addressed to."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from reports.responses import service as responses
from workspace.failures import NotFound
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.numbers import parse_id
from workspace.permissions import require_speaks_for
from workspace.runtime import Runtime, runtime, viewer
from workspace.templating import redirect, render


def today(rt: Runtime) -> date:
    return rt.clock().astimezone(ZoneInfo(rt.settings.timezone)).date()


async def respond(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    rec_id = parse_id(request.path_params["recommendation_id"])
    on = today(rt)
    with rt.db.read() as session:
        found = responses.published_recommendation(session, rec_id)
        if found is None:
            raise NotFound(_("There is no such published recommendation."))
        seats = responses.seated_departments(session, who.user_id, on)
    rec, report, group = found
    require_speaks_for(who, rec.addressed_to, seats)
    form = FormInput(values={"responded_on": on.isoformat()})
    status = 200
    if request.method == "POST":
        form = await read_form(request)
        draft = responses.check_response(form, on)
        if form.ok:
            responses.do_respond(rt, who, rec.id or 0, draft, on)
            return redirect(
                f"/recommendations/{rec.id}",
                f"{rec.addressed_to}'s response to recommendation {rec.number} is recorded "
                "and published.",
            )
        status = 400
    return render(
        request,
        "reports/responses/respond.html",
        {
            "recommendation": rec,
            "report": report,
            "group": group,
            "form": form,
            "choices": responses.CHOICES,
        },
        status_code=status,
    )


routes = [Route("/recommendations/{recommendation_id}/respond", respond, methods=["GET", "POST"])]
