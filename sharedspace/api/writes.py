"""What integrators may write: a comment, a response, an organisation's position.

Each write goes through the same service (`check_*` then `do_*`) as its HTML form, so the
same rules, activity record, events and notifications follow. The gate comes first
(`workspace.permissions`), then the body is read, so a refused caller learns nothing from
validation messages.
"""

from __future__ import annotations

from consultations.comments import forms as comment_forms
from consultations.comments import service as comments
from consultations.lifecycle import status as lifecycle
from consultations.questions.service import for_consultation
from consultations.responses import service as responses
from definitions import service as drafting
from definitions.signoff import service as signoff
from sharedspace.api import schemas as s
from sharedspace.api.consultations import SLUG, comment_out, readable_consultation
from sharedspace.api.groups import DEFINITION, group_named
from sharedspace.api.groups import SLUG as GROUP_SLUG
from sharedspace.api.kit import Call, Endpoint
from sharedspace.api.problems import ApiError, FieldProblem
from workspace.failures import NotFound
from workspace.forms import FormInput
from workspace.i18n import gettext as _
from workspace.models import Organisation
from workspace.permissions import Action, require, require_in


def _invalid(form: FormInput, pointers: dict[str, str]) -> ApiError:
    faults = [
        FieldProblem(pointer=pointers.get(name, "/" + name), detail=text)
        for name, text in form.errors.items()
    ]
    return ApiError(422, "The request body is not valid.", faults)


def post_comment(call: Call) -> s.Comment:
    with call.rt.db.read() as session:
        consultation = readable_consultation(call, session)
    require_in(call.viewer, Action.COMMENT, lifecycle.place_of(consultation))
    body = call.payload(s.NewComment)
    lifecycle.require_open(consultation, call.rt.clock())
    form = FormInput(values={"comment": body.body, "comment_anchor": body.anchor})
    draft = comment_forms.check_draft(form, consultation)
    if draft is None:
        raise _invalid(form, {"comment": "/body", "comment_anchor": "/anchor"})
    limited = comment_forms.check_rate(call.rt, call.viewer)
    if limited:
        raise ApiError(429, limited, headers={"Retry-After": str(call.rt.limiter.window)})
    made = comments.do_post(call.rt, call.viewer, consultation.id or 0, draft, body.parent_id)
    return comment_out(made)


def submit_response(call: Call) -> s.ResponseSaved:
    with call.rt.db.read() as session:
        consultation = readable_consultation(call, session)
        questions = for_consultation(session, consultation.id or 0)
    require_in(call.viewer, Action.RESPOND, lifecycle.place_of(consultation))
    body = call.payload(s.NewResponse)
    lifecycle.require_open(consultation, call.rt.clock())
    known = {q.id: n for n, q in enumerate(questions)}
    form = FormInput(
        values={
            "respondent_type": body.respondent_type,
            "organisation": body.organisation,
            "sector": body.sector,
            "consent": body.consent,
        }
    )
    pointers = {"respondent_type": "/respondent_type", "organisation": "/organisation"}
    pointers |= {"sector": "/sector", "consent": "/consent"}
    for index, answer in enumerate(body.answers):
        if answer.question_id not in known:
            form.error(f"answers-{index}", "This consultation has no question with that id")
            pointers[f"answers-{index}"] = f"/answers/{index}/question_id"
            continue
        name = f"q-{answer.question_id}"
        pointers[name] = f"/answers/{index}/value"
        if isinstance(answer.value, list):
            form.lists[name] = answer.value
        else:
            form.values[name] = answer.value
            form.lists[name] = [answer.value]
    draft = responses.check_response(form, questions)
    if not form.ok:
        raise _invalid(form, pointers)
    saved = responses.do_save(call.rt, call.viewer, consultation.id or 0, draft)
    return s.ResponseSaved(id=saved.response_id, created=saved.created)


def record_position(call: Call) -> s.Position:
    with call.rt.db.read() as session:
        group = group_named(session, call.path["slug"])
        found = drafting.get_definition(session, group.id or 0, call.path["definition"])
        if found is None or not drafting.readable(call.viewer, found):
            raise NotFound(_("There is no definition with that name in this group."))
    require(call.viewer, Action.RECORD_POSITION, group.id)
    body = call.payload(s.NewPosition)
    problem = signoff.check_position(body.stance, body.comment)
    if problem:
        raise ApiError(422, problem, [FieldProblem(pointer="/comment", detail=problem)])
    made = signoff.do_record_position(
        call.rt, call.viewer, group, found.id or 0, body.stance, body.comment
    )
    with call.rt.db.read() as session:
        org = session.get(Organisation, made.organisation_id)
    return s.Position(
        revision_number=made.revision_number,
        organisation=org.name if org else "",
        stance=body.stance,
        comment=made.comment,
        recorded_by=call.viewer.display_name,
        recorded_at=made.created_at,
    )


WRITE_ERRORS = (401, 403, 404, 409, 415, 422, 429)
ENDPOINTS = [
    Endpoint(
        "POST",
        "/consultations/{slug}/comments",
        "Post a comment or a reply",
        post_comment,
        s.Comment,
        "consultations",
        body=s.NewComment,
        params=(SLUG,),
        status=201,
        errors=WRITE_ERRORS,
    ),
    Endpoint(
        "POST",
        "/consultations/{slug}/responses",
        "Submit (or replace) your response to a consultation's questions",
        submit_response,
        s.ResponseSaved,
        "consultations",
        body=s.NewResponse,
        params=(SLUG,),
        status=201,
        errors=WRITE_ERRORS,
    ),
    Endpoint(
        "POST",
        "/groups/{slug}/definitions/{definition}/positions",
        "Record your organisation's position on the proposed revision",
        record_position,
        s.Position,
        "definitions",
        body=s.NewPosition,
        params=(GROUP_SLUG, DEFINITION),
        status=201,
        errors=WRITE_ERRORS,
    ),
]
