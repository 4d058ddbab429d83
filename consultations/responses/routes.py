"""Responding to a consultation and reading your response.

Paths are relative to the /consultations mount:
  /{slug}/respond                  the response form (GET, POST)
  /{slug}/response                 your response, with the confirmation after sending
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.questions.models import Question
from consultations.questions.service import choices_of, for_consultation
from consultations.responses import service as responses
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.permissions import Action, require_in
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render


def _load(request: Request) -> tuple[Consultation, list[Question], Any]:
    """The consultation, its questions and the viewer's response, for someone who may
    respond (visitors are sent to sign in; observers and the secretariat are refused)."""
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        consultation = lifecycle.get_readable(session, who, request.path_params["slug"], rt.clock())
        require_in(who, Action.RESPOND, lifecycle.place_of(consultation))
        questions = for_consultation(session, consultation.id or 0)
        own = responses.own_response(session, consultation.id or 0, who.user_id)
    return consultation, questions, own


async def respond(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    consultation, questions, own = _load(request)
    status = lifecycle.status_of(consultation, rt.clock())
    if request.method == "GET":
        if status is not ConsultationStatus.OPEN:
            return _not_open(request, consultation, status, questions, None, own is not None)
        form = responses.form_from_response(own[0], own[1], questions) if own else FormInput()
        return _form_page(request, consultation, questions, form, editing=own is not None)
    form = await read_form(request)
    if form.get("step") == "change":  # back from "check your answers", nothing lost
        return _form_page(request, consultation, questions, form, editing=own is not None)
    draft = responses.check_response(form, questions)
    if status is not ConsultationStatus.OPEN:
        return _not_open(request, consultation, status, questions, form, own is not None)
    if not questions:
        form.error("respondent_type", _("This consultation has no questions to answer"))
    if not form.ok:
        return _form_page(
            request, consultation, questions, form, editing=own is not None, status_code=400
        )
    if form.get("step") == "check":  # the form's button: show the answers before sending
        return _check_page(request, consultation, questions, form, draft, editing=own is not None)
    try:
        saved = responses.do_save(rt, who, consultation.id or 0, draft)
    except lifecycle.WrongStatus as exc:  # it closed between reading and writing
        return _not_open(request, consultation, exc.status, questions, form, own is not None)
    notice = (
        _("Thank you. Your response has been sent.")
        if saved.created
        else _("Your changes have been saved.")
    )
    return redirect(f"{lifecycle.url(consultation)}/response", notice)


def _form_page(
    request: Request,
    consultation: Consultation,
    questions: list[Question],
    form: FormInput,
    *,
    editing: bool,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "consultations/responses/respond.html",
        {
            "consultation": consultation,
            "questions": questions,
            "form": form,
            "editing": editing,
            "choices_of": choices_of,
            "max_text": responses.MAX_TEXT,
            "sectors": responses.SECTOR_CHOICES,
            "types": responses.RESPONDENT_TYPES,
            "consents": responses.CONSENT_LABELS,
            "consent_hints": responses.CONSENT_HINTS,
        },
        status_code=status_code,
    )


def _check_page(
    request: Request,
    consultation: Consultation,
    questions: list[Question],
    form: FormInput,
    draft: responses.ResponseDraft,
    *,
    editing: bool,
) -> Response:
    """GOV.UK "check your answers": everything as it will be sent, the form's values
    carried in hidden fields, to send or to change."""
    answers = [
        (f"{n}. {q.prompt}", responses.display_value(q, draft.answers.get(q.id or 0, "")))
        for n, q in enumerate(questions, start=1)
    ]
    about = [
        (_("Responding"), str(responses.RESPONDENT_TYPES.get(form.get("respondent_type"), ""))),
        (_("Organisation"), draft.on_behalf_of),
        (_("Sector"), responses.sector_label(draft.sector) if draft.on_behalf_of else ""),
        (_("Publication"), str(responses.CONSENT_LABELS.get(draft.consent, draft.consent))),
    ]
    carried = [
        (name, value)
        for name, values in form.lists.items()
        if name not in ("csrf_token", "step")
        for value in values
    ]
    return render(
        request,
        "consultations/responses/check.html",
        {
            "consultation": consultation,
            "answers": answers,
            "about": [(k, v) for k, v in about if v],
            "carried": carried,
            "editing": editing,
        },
    )


def _not_open(
    request: Request,
    consultation: Consultation,
    status: ConsultationStatus,
    questions: list[Question],
    form: FormInput | None,
    has_response: bool,
) -> Response:
    """Refuse clearly (409), showing back anything typed so that nothing is lost."""
    return render(
        request,
        "consultations/responses/respond_closed.html",
        {
            "consultation": consultation,
            "status": status,
            "message": lifecycle.status_message(status),
            "typed": _typed(form, questions) if form is not None else [],
            "has_response": has_response,
        },
        status_code=409,
    )


def _typed(form: FormInput, questions: list[Question]) -> list[tuple[str, list[str]]]:
    typed = []
    for number, question in enumerate(questions, start=1):
        name = responses.field_name(question)
        lines = [v for v in form.getlist(name) if v.strip()]
        if lines:
            typed.append((f"{number}. {question.prompt}", lines))
    if form.get("organisation").strip():
        typed.append((_("Organisation"), [form.get("organisation").strip()]))
    return typed


async def own_response(request: Request) -> Response:
    rt = runtime(request)
    consultation, questions, own = _load(request)
    status = lifecycle.status_of(consultation, rt.clock())
    context: dict[str, Any] = {
        "consultation": consultation,
        "response": None,
        "is_open": status is ConsultationStatus.OPEN,
    }
    if own is not None:
        response, answers = own
        context.update(
            {
                "response": response,
                "sector": responses.sector_label(response.sector),
                "consent": str(responses.CONSENT_LABELS.get(response.consent, response.consent)),
                "answers": [
                    (f"{n}. {q.prompt}", responses.display_value(q, answers.get(q.id or 0, "")))
                    for n, q in enumerate(questions, start=1)
                ],
            }
        )
    return render(request, "consultations/responses/response.html", context)


routes: list[BaseRoute] = [
    Route("/{slug}/respond", respond, methods=["GET", "POST"]),
    Route("/{slug}/response", own_response),
]
