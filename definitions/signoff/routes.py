"""Sign-off pages: the position table, and the chair's and members' forms, for any subject
kind. `routes_for(kind, prefix)` gives the five routes under a record's address; the
definitions mount them at `/{dslug}`, the reports at `/{rslug}`."""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from definitions.signoff import service as signoff
from definitions.signoff.definition import DEFINITION
from definitions.signoff.models import STANCE_LABELS, DisputeStatus, Stance
from definitions.signoff.subject import Place, SubjectKind
from taskgroups.groups.models import Membership
from workspace.failures import NotFound
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.models import Organisation
from workspace.numbers import parse_id, parse_int
from workspace.permissions import Action, require
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render


def _page(
    request: Request,
    kind: SubjectKind,
    place: Place,
    form: FormInput | None = None,
    status: int = 200,
    problem: str = "",
) -> Response:
    who = viewer(request)
    record = place.record
    with runtime(request).db.read() as session:
        current = signoff.state(session, record, kind)
        history = signoff.position_history(session, record.id, kind)
        all_disputes = signoff.disputes(session, record.id, kind)
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
            kind.name: record,  # what the kind's own nav and status partials expect
            "place": place,
            "kind": kind,
            "subject": record,
            "base": place.url,
            "group": place.group,
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


def routes_for(kind: SubjectKind, prefix: str) -> list[Route]:
    """The sign-off routes of one subject kind, under `prefix` (its record's path)."""

    async def signoff_page(request: Request) -> Response:
        place = kind.load(request)
        require(viewer(request), Action.READ_GROUP_PRIVATE, place.group.id)
        return _page(request, kind, place)

    async def propose(request: Request) -> Response:
        place = kind.load(request)
        who = viewer(request)
        require(who, Action.MANAGE_PROCESS, place.group.id)
        try:
            number = signoff.do_propose(runtime(request), who, place.group, _id(place), kind)
        except signoff.SignOffError as error:
            return _page(request, kind, place, status=400, problem=str(error))
        return redirect(
            f"{place.url}/sign-off",
            _(
                "%(word)s %(number)s is proposed for agreement. Each member organisation can "
                "now record its position.",
                word=str(kind.version_word).capitalize(),
                number=number,
            ),
        )

    async def record_position(request: Request) -> Response:
        place = kind.load(request)
        who = viewer(request)
        require(who, Action.RECORD_POSITION, place.group.id)
        form = await read_form(request)
        stance, comment = form.get("stance"), form.get("comment")
        problem = signoff.check_position(stance, comment)
        if problem:
            field = "stance" if stance not in {s.value for s in Stance} else "comment"
            form.error(field, problem)
            return _page(request, kind, place, form, status=400)
        try:
            signoff.do_record_position(
                runtime(request), who, place.group, _id(place), stance, comment, kind
            )
        except signoff.SignOffError as error:
            return _page(request, kind, place, form, status=400, problem=str(error))
        return redirect(
            f"{place.url}/sign-off", _("Your organisation's position has been recorded.")
        )

    async def answer_dispute(request: Request) -> Response:
        place = kind.load(request)
        who = viewer(request)
        require(who, Action.MANAGE_PROCESS, place.group.id)
        dispute_id = parse_id(request.path_params["dispute_id"])
        if dispute_id is None:
            raise NotFound(_("That dispute does not exist."))
        form = await read_form(request)
        outcome = form.get("outcome")
        if outcome not in {DisputeStatus.RESOLVED.value, DisputeStatus.NOT_ACCEPTED.value}:
            form.error(f"outcome-{dispute_id}", _("Choose how the objection was answered"))
            return _page(request, kind, place, form, status=400)
        number = parse_int(form.get("resolved_in"), low=1, high=999_999)
        try:
            signoff.do_answer_dispute(
                runtime(request),
                who,
                place.group,
                _id(place),
                dispute_id,
                outcome,
                form.get("answer"),
                number,
                kind,
            )
        except signoff.SignOffError as error:
            form.error(f"outcome-{dispute_id}", str(error))
            return _page(request, kind, place, form, status=400)
        return redirect(f"{place.url}/sign-off", _("The dispute has been answered."))

    async def withdraw_dispute(request: Request) -> Response:
        place = kind.load(request)
        who = viewer(request)
        require(who, Action.RECORD_POSITION, place.group.id)
        dispute_id = parse_id(request.path_params["dispute_id"])
        if dispute_id is None:
            raise NotFound(_("That dispute does not exist."))
        form = await read_form(request)
        note = form.optional("note", _("the note"), max_length=5000, multiline=True)
        if not form.ok:
            return _page(request, kind, place, form, status=400)
        try:
            signoff.do_withdraw_dispute(
                runtime(request), who, place.group, _id(place), dispute_id, note, kind
            )
        except signoff.SignOffError as error:
            form.error(f"withdraw-{dispute_id}", str(error))
            return _page(request, kind, place, form, status=400)
        return redirect(f"{place.url}/sign-off", _("Your organisation's objection is withdrawn."))

    async def agree(request: Request) -> Response:
        place = kind.load(request)
        who = viewer(request)
        require(who, Action.MANAGE_PROCESS, place.group.id)
        try:
            number = signoff.do_agree(runtime(request), who, place.group, _id(place), kind)
        except signoff.SignOffError as error:
            return _page(request, kind, place, status=400, problem=str(error))
        return redirect(
            place.url,
            _(
                "%(title)s is agreed at %(word)s %(number)s.",
                title=place.record.title,
                word=kind.version_word,
                number=number,
            ),
        )

    return [
        Route(prefix + "/sign-off", signoff_page),
        Route(prefix + "/propose", propose, methods=["POST"]),
        Route(prefix + "/positions", record_position, methods=["POST"]),
        Route(prefix + "/disputes/{dispute_id}/answer", answer_dispute, methods=["POST"]),
        Route(prefix + "/agree", agree, methods=["POST"]),
        Route(prefix + "/disputes/{dispute_id}/withdraw", withdraw_dispute, methods=["POST"]),
    ]


def _id(place: Place) -> int:
    return int(place.record.id or 0)


routes = routes_for(DEFINITION, "/{dslug}")
