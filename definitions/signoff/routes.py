"""Sign-off pages: the position table, and the chair's and members' forms."""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from definitions.places import Place, load_place
from definitions.signoff import service as signoff
from definitions.signoff.models import STANCE_LABELS, DisputeStatus
from taskgroups.groups.models import Membership
from workspace.forms import FormInput, read_form
from workspace.models import Organisation
from workspace.permissions import Action, require
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render


def _page(
    request: Request,
    place: Place,
    form: FormInput | None = None,
    status: int = 200,
    problem: str = "",
) -> Response:
    who = viewer(request)
    with runtime(request).db.read() as session:
        current = signoff.state(session, place.definition)
        history = signoff.position_history(session, place.definition.id)
        all_disputes = signoff.disputes(session, place.definition.id)
        org_names = {
            o.id: o.name
            for o in (session.get(Organisation, d.organisation_id) for d in all_disputes)
            if o
        }
        my_org = _my_org(session, place.group.id, who.user_id)
    sectors: dict[str, list[signoff.OrganisationPosition]] = {}
    for row in current.rows:
        sectors.setdefault(row.organisation.sector_label, []).append(row)
    return render(
        request,
        "definitions/signoff/signoff.html",
        {
            "place": place,
            "group": place.group,
            "definition": place.definition,
            "state": current,
            "sectors": sorted(sectors.items()),
            "history": history,
            "disputes": all_disputes,
            "org_names": org_names,
            "stances": STANCE_LABELS,
            "form": form or FormInput(),
            "problem": problem,
            "my_org": my_org,
        },
        status_code=status,
    )


def _my_org(session: Any, group_id: int | None, user_id: int | None) -> Organisation | None:
    org_id = session.exec(
        select(Membership.organisation_id).where(
            Membership.group_id == group_id, Membership.user_id == user_id
        )
    ).first()
    return session.get(Organisation, org_id) if org_id else None


async def signoff_page(request: Request) -> Response:
    place = load_place(request)
    require(viewer(request), Action.READ_GROUP_PRIVATE, place.group.id)
    return _page(request, place)


async def propose(request: Request) -> Response:
    place = load_place(request)
    who = viewer(request)
    require(who, Action.MANAGE_PROCESS, place.group.id)
    try:
        number = signoff.do_propose(runtime(request), who, place.group, place.definition.id or 0)
    except signoff.SignOffError as error:
        return _page(request, place, status=400, problem=str(error))
    return redirect(
        f"{place.url}/sign-off",
        f"Revision {number} is proposed for agreement. Each member organisation "
        "can now record its position.",
    )


async def record_position(request: Request) -> Response:
    place = load_place(request)
    who = viewer(request)
    require(who, Action.RECORD_POSITION, place.group.id)
    form = await read_form(request)
    stance, comment = form.get("stance"), form.get("comment")
    problem = signoff.check_position(stance, comment)
    if problem:
        form.error("comment" if "reason" in problem or "comment" in problem else "stance", problem)
        return _page(request, place, form, status=400)
    try:
        signoff.do_record_position(
            runtime(request), who, place.group, place.definition.id or 0, stance, comment
        )
    except signoff.SignOffError as error:
        return _page(request, place, form, status=400, problem=str(error))
    return redirect(f"{place.url}/sign-off", "Your organisation's position has been recorded.")


async def answer_dispute(request: Request) -> Response:
    place = load_place(request)
    who = viewer(request)
    require(who, Action.MANAGE_PROCESS, place.group.id)
    raw_id = request.path_params["dispute_id"]
    if not raw_id.isdigit() or len(raw_id) > 12:
        raise HTTPException(404)
    form = await read_form(request)
    outcome = form.get("outcome")
    if outcome not in {DisputeStatus.RESOLVED.value, DisputeStatus.NOT_ACCEPTED.value}:
        form.error(f"outcome-{raw_id}", "Choose how the objection was answered")
        return _page(request, place, form, status=400)
    raw_number = form.get("resolved_in").strip()
    number = int(raw_number) if raw_number.isdigit() and len(raw_number) < 7 else None
    try:
        signoff.do_answer_dispute(
            runtime(request),
            who,
            place.group,
            place.definition.id or 0,
            int(raw_id),
            outcome,
            form.get("answer"),
            number,
        )
    except signoff.SignOffError as error:
        form.error(f"outcome-{raw_id}", str(error))
        return _page(request, place, form, status=400)
    return redirect(f"{place.url}/sign-off", "The dispute has been answered.")


async def agree(request: Request) -> Response:
    place = load_place(request)
    who = viewer(request)
    require(who, Action.MANAGE_PROCESS, place.group.id)
    try:
        number = signoff.do_agree(runtime(request), who, place.group, place.definition.id or 0)
    except signoff.SignOffError as error:
        return _page(request, place, status=400, problem=str(error))
    return redirect(place.url, f"{place.definition.title} is agreed at revision {number}.")


routes = [
    Route("/{dslug}/sign-off", signoff_page),
    Route("/{dslug}/propose", propose, methods=["POST"]),
    Route("/{dslug}/positions", record_position, methods=["POST"]),
    Route("/{dslug}/disputes/{dispute_id}/answer", answer_dispute, methods=["POST"]),
    Route("/{dslug}/agree", agree, methods=["POST"]),
]
