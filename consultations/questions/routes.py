"""The chair's question pages: add, edit, remove and reorder while the consultation is
a draft. Once it opens the page still lists the questions, and every change is refused
with a clear message (HTTP 409), never an error page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.questions import service as questions
from consultations.questions.models import Question
from taskgroups.groups.models import TaskGroup
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.permissions import Action, require
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render


@dataclass
class Managed:
    consultation: Consultation
    group: TaskGroup
    status: ConsultationStatus
    questions: list[Question]

    @property
    def base(self) -> str:
        return f"{lifecycle.url(self.consultation)}/questions"

    @property
    def editable(self) -> bool:
        return self.status is ConsultationStatus.DRAFT


def _managed(request: Request) -> Managed:
    rt, who = runtime(request), viewer(request)
    now = rt.clock()
    with rt.db.read() as session:
        consultation = lifecycle.get_readable(session, who, request.path_params["slug"], now)
        require(who, Action.MANAGE_PROCESS, consultation.group_id)
        group = session.get(TaskGroup, consultation.group_id)
        found = questions.for_consultation(session, consultation.id or 0)
    assert group is not None
    return Managed(consultation, group, lifecycle.status_of(consultation, now), found)


def _question(place: Managed, request: Request) -> tuple[int, Question]:
    raw = request.path_params["question_id"]
    for number, question in enumerate(place.questions, start=1):
        if str(question.id) == raw:
            return number, question
    raise HTTPException(404)


def _context(place: Managed, **extra: Any) -> dict[str, Any]:
    return {
        "consultation": place.consultation,
        "group": place.group,
        "status": place.status,
        "questions": place.questions,
        "editable": place.editable,
        "base": place.base,
        "kinds": questions.KIND_LABELS,
        "kind_hints": questions.KIND_HINTS,
        "choices_of": questions.choices_of,
        "choice_label": questions.choice_label,
        "kind_label": questions.kind_label,
        "max_questions": questions.MAX_QUESTIONS,
    } | extra


def _refused(
    request: Request, place: Managed, message: str, template: str, **extra: Any
) -> Response:
    return render(request, template, _context(place, refusal=message, **extra), status_code=409)


async def questions_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    place = _managed(request)
    form = FormInput(values={"kind": "", "required": "yes"})
    if request.method == "POST":
        form = await read_form(request)
        draft = questions.check_question(form)
        if not place.editable:
            return _refused(
                request,
                place,
                lifecycle.status_message(place.status),
                "consultations/questions/questions.html",
                form=form,
            )
        if form.ok:
            try:
                question = questions.do_add(rt, who, place.consultation.id or 0, draft)
            except lifecycle.WrongStatus as exc:
                return _refused(
                    request, place, exc.message, "consultations/questions/questions.html", form=form
                )
            except questions.TooManyQuestions as exc:
                form.error("prompt", exc.message)
            else:
                return redirect(f"{place.base}#question-{question.id}", _("Question added."))
    return render(
        request,
        "consultations/questions/questions.html",
        _context(place, form=form),
        status_code=400 if form.errors else 200,
    )


async def edit_question(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    place = _managed(request)
    number, question = _question(place, request)
    form = FormInput(values=questions.form_values(question))
    extra = {"form": form, "question": question, "number": number}
    if not place.editable:
        message = lifecycle.status_message(place.status)
        return _refused(
            request, place, message, "consultations/questions/question_edit.html", **extra
        )
    if request.method == "POST":
        form = extra["form"] = await read_form(request)
        draft = questions.check_question(form)
        if form.ok:
            try:
                questions.do_update(rt, who, place.consultation.id or 0, question.id or 0, draft)
            except lifecycle.WrongStatus as exc:
                return _refused(
                    request,
                    place,
                    exc.message,
                    "consultations/questions/question_edit.html",
                    **extra,
                )
            except LookupError as exc:  # removed meanwhile
                raise HTTPException(404) from exc
            return redirect(
                f"{place.base}#question-{question.id}",
                _("Question %(number)s saved.", number=number),
            )
    return render(
        request,
        "consultations/questions/question_edit.html",
        _context(place, **extra),
        status_code=400 if form.errors else 200,
    )


async def remove_question(request: Request) -> Response:
    return await _change(request, "remove")


async def move_question(request: Request) -> Response:
    return await _change(request, "move")


async def _change(request: Request, what: str) -> Response:
    rt, who = runtime(request), viewer(request)
    place = _managed(request)
    number, question = _question(place, request)
    form = await read_form(request)
    direction = form.get("direction")
    if what == "move" and direction not in ("up", "down"):
        raise HTTPException(400, _("Choose whether to move the question up or down."))
    if not place.editable:
        return _refused(
            request,
            place,
            lifecycle.status_message(place.status),
            "consultations/questions/questions.html",
            form=FormInput(),
        )
    try:
        if what == "remove":
            questions.do_remove(rt, who, place.consultation.id or 0, question.id or 0)
            return redirect(place.base, _("Question %(number)s removed.", number=number))
        questions.do_move(rt, who, place.consultation.id or 0, question.id or 0, direction)
    except lifecycle.WrongStatus as exc:
        return _refused(
            request, place, exc.message, "consultations/questions/questions.html", form=FormInput()
        )
    except LookupError as exc:  # removed meanwhile
        raise HTTPException(404) from exc
    moved = _("Question moved up.") if direction == "up" else _("Question moved down.")
    return redirect(f"{place.base}#question-{question.id}", moved)


routes = [
    Route("/{slug}/questions", questions_page, methods=["GET", "POST"]),
    Route("/{slug}/questions/{question_id}/edit", edit_question, methods=["GET", "POST"]),
    Route("/{slug}/questions/{question_id}/remove", remove_question, methods=["POST"]),
    Route("/{slug}/questions/{question_id}/move", move_question, methods=["POST"]),
]
