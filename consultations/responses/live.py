"""Live validation of the response form: as a person leaves an answer, htmx posts the
whole form here and gets back that answer's field, re-rendered with its GOV.UK error
message (or none). The checks are the full submit's own (`service.check_response`), so the
two can never disagree; nothing is stored. Without JavaScript nothing calls this and the
full submit's error summary is the whole story."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.questions.service import choices_of
from consultations.responses import service as responses
from consultations.responses.routes import _load
from workspace.forms import read_form
from workspace.i18n import gettext as _
from workspace.templating import render


async def check_field(request: Request) -> Response:
    _consultation, questions, _own = _load(request)
    wanted = request.path_params["question_id"]
    found = [(n, q) for n, q in enumerate(questions, start=1) if q.id == wanted]
    if not found:
        raise HTTPException(404, _("That consultation has no such question."))
    number, question = found[0]
    form = await read_form(request)
    responses.check_response(form, questions)  # errors for every field; one is shown
    return render(
        request,
        "consultations/responses/_live_field.html",
        {
            "question": question,
            "number": number,
            "form": form,
            "choices": choices_of(question),
            "max_text": responses.MAX_TEXT,
        },
    )


routes = [Route("/{slug}/respond/field/{question_id:id}", check_field, methods=["POST"])]
