"""All the published answers to one free-text question, a page at a time: the summary
quotes the first ones, this page reads on through the rest (the GOV.UK pagination, with
htmx swapping only the list in place and the links working as links without it)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.lifecycle import status as lifecycle
from consultations.questions.models import QuestionKind
from consultations.questions.service import for_consultation
from consultations.responses import service as responses
from consultations.summary import tally
from consultations.summary.routes import _published_or_managed, _readable_or_published
from workspace.i18n import gettext as _
from workspace.paging import page_number, pagination
from workspace.permissions import Action, can
from workspace.runtime import runtime, viewer
from workspace.templating import render

PAGE_SIZE = 50


async def answers_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    now = rt.clock()
    wanted = page_number(request)
    position = request.path_params["number"]
    with rt.db.read() as session:
        consultation = _readable_or_published(session, who, request.path_params["slug"], now)
        _published_or_managed(who, consultation, now)
        public = (
            not can(who, Action.MANAGE_PROCESS, consultation.group_id)
            or request.query_params.get("view") == "public"
        )
        questions = for_consultation(session, consultation.id or 0)
        if position > len(questions) or questions[position - 1].kind != QuestionKind.FREE_TEXT:
            raise HTTPException(404, _("That consultation has no such free-text question."))
        question = questions[position - 1]
        total = tally.count_text_answers(
            session, consultation.id or 0, question.id or 0, public=public
        )
        last = max(1, -(-total // PAGE_SIZE))
        number = min(wanted, last)  # past the end reads as the last page
        entries = tally.text_answers(
            session,
            consultation.id or 0,
            question.id or 0,
            public=public,
            offset=(number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
    path = f"{lifecycle.url(consultation)}/summary/questions/{position}"
    filters = {"view": "public"} if request.query_params.get("view") == "public" else {}
    first = (number - 1) * PAGE_SIZE + 1
    return render(
        request,
        "consultations/summary/answers.html",
        {
            "consultation": consultation,
            "question": question,
            "position": position,
            "entries": entries,
            "total": total,
            "first": first,
            "number": number,
            "last": last,
            "public": public,
            "consent_short": responses.CONSENT_SHORT,
            "pagination": pagination(
                number,
                number < last,
                path,
                filters,
                _("Pages of answers to question %(number)s", number=position),
            ),
        },
        block="answers",
    )


routes = [Route("/{slug}/summary/questions/{number:id}", answers_page)]
