"""The published outcome, "You said, we did": each theme raised and what the group did
about it, linked to the definition revision that changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.comments.models import Comment, CommentState
from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.outcome import service as outcome
from consultations.outcome.models import Disposition, OutcomeItem
from consultations.questions.models import Question
from definitions.models import Definition, Revision
from taskgroups.groups.models import TaskGroup
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.i18n import lazy_gettext
from workspace.numbers import parse_id, parse_int
from workspace.permissions import Action, can, require
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render

DISPOSITIONS = {
    Disposition.ACCEPTED.value: lazy_gettext("Accepted: the definition was changed"),
    Disposition.NOTED.value: lazy_gettext("Noted"),
    Disposition.NOT_ACCEPTED.value: lazy_gettext("Not accepted"),
}
BLANK_ROWS = 3
MAX_ROWS = 60


@dataclass(frozen=True)
class OutcomeRow:
    item: OutcomeItem
    comment: Comment | None
    question: Question | None
    revision_url: str


async def outcome_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    now = rt.clock()
    with rt.db.read() as session:
        consultation = lifecycle.get_readable(session, who, request.path_params["slug"], now)
        status = lifecycle.status_of(consultation, now)
        if status is not ConsultationStatus.OUTCOME_PUBLISHED:
            raise HTTPException(
                404, _("The outcome of this consultation has not been published yet.")
            )
        context = {
            "consultation": consultation,
            "rows": _rows(session, consultation),
            "group": session.get(TaskGroup, consultation.group_id),
            "labels": DISPOSITIONS,
            "can_manage": can(who, Action.MANAGE_PROCESS, consultation.group_id),
        }
    return render(request, "consultations/outcome/outcome.html", context)


async def edit_outcome(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    now = rt.clock()
    with rt.db.read() as session:
        consultation = lifecycle.get_readable(session, who, request.path_params["slug"], now)
        require(who, Action.MANAGE_PROCESS, consultation.group_id)
        status = lifecycle.status_of(consultation, now)
        if status in (ConsultationStatus.DRAFT, ConsultationStatus.OPEN):
            raise lifecycle.WrongStatus(status)
        choices = _choices(session, consultation)
        form = _form_of(consultation, [r.item for r in _rows(session, consultation)])
    if request.method == "POST":
        form = await read_form(request)
        if form.get("add_rows") != "yes":
            parsed = _check(form, choices)
            if parsed is not None:
                outcome.do_publish_outcome(
                    rt, who, consultation.id or 0, form.get("summary"), parsed
                )
                return redirect(
                    f"{lifecycle.url(consultation)}/outcome", _("The outcome is published.")
                )
        else:
            form.values["row_count"] = str(min(_row_count(form) + BLANK_ROWS, MAX_ROWS))
    return render(
        request,
        "consultations/outcome/outcome_edit.html",
        {
            "consultation": consultation,
            "form": form,
            "labels": DISPOSITIONS,
            "rows": range(_row_count(form)),
            **choices,
        },
        status_code=400 if form.errors else 200,
    )


def _rows(session: Session, consultation: Consultation) -> list[OutcomeRow]:
    items = session.exec(
        select(OutcomeItem)
        .where(OutcomeItem.consultation_id == consultation.id)
        .order_by(col(OutcomeItem.position))
    ).all()
    comment_ids = [i.comment_id for i in items if i.comment_id]
    question_ids = [i.question_id for i in items if i.question_id]
    comments = {
        c.id: c for c in session.exec(select(Comment).where(col(Comment.id).in_(comment_ids)))
    }
    questions = {
        q.id: q for q in session.exec(select(Question).where(col(Question.id).in_(question_ids)))
    }
    base = _definition_url(session, consultation)
    return [
        OutcomeRow(
            item,
            comments.get(item.comment_id),
            questions.get(item.question_id),
            f"{base}/revisions/{item.revision_number}" if base and item.revision_number else "",
        )
        for item in items
    ]


def _definition_url(session: Session, consultation: Consultation) -> str:
    if consultation.definition_id is None:
        return ""
    definition = session.get(Definition, consultation.definition_id)
    group = session.get(TaskGroup, consultation.group_id)
    if definition is None or group is None:
        return ""
    return f"/groups/{group.slug}/definitions/{definition.slug}"


def _choices(session: Session, consultation: Consultation) -> dict[str, Any]:
    """What an outcome line may point at: published comments, questions, revisions."""
    comments = session.exec(
        select(Comment)
        .where(Comment.consultation_id == consultation.id, Comment.state == CommentState.PUBLISHED)
        .order_by(col(Comment.path))
    ).all()
    questions = session.exec(
        select(Question)
        .where(Question.consultation_id == consultation.id)
        .order_by(col(Question.position))
    ).all()
    revisions: list[int] = []
    if consultation.definition_id is not None:
        revisions = list(
            session.exec(
                select(Revision.number)
                .where(Revision.definition_id == consultation.definition_id)
                .order_by(col(Revision.number))
            )
        )
    return {"comments": comments, "questions": questions, "revisions": revisions}


def _form_of(consultation: Consultation, items: list[OutcomeItem]) -> FormInput:
    values = {
        "summary": consultation.outcome_summary,
        "row_count": str(max(len(items) + BLANK_ROWS, BLANK_ROWS)),
    }
    for i, item in enumerate(items):
        values.update(
            {
                f"row-{i}-theme": item.theme,
                f"row-{i}-disposition": item.disposition,
                f"row-{i}-revision": str(item.revision_number or ""),
                f"row-{i}-reason": item.reason,
                f"row-{i}-comment": str(item.comment_id or ""),
                f"row-{i}-question": str(item.question_id or ""),
            }
        )
    return FormInput(values=values)


def _row_count(form: FormInput) -> int:
    count = parse_int(form.get("row_count"))
    return min(count, MAX_ROWS) if count is not None else BLANK_ROWS


def _check(form: FormInput, choices: dict[str, Any]) -> list[OutcomeItem] | None:
    form.optional("summary", _("The summary"), max_length=20_000, multiline=True)
    items = [item for i in range(_row_count(form)) if (item := _check_row(form, i, choices))]
    if not items and form.ok:
        form.error("row-0-theme", _("Enter at least one theme and what was done about it"))
    return items if form.ok else None


def _check_row(form: FormInput, i: int, choices: dict[str, Any]) -> OutcomeItem | None:
    p = f"row-{i}-"
    fields = ("theme", "disposition", "revision", "reason", "comment", "question")
    if not any(form.get(p + f).strip() for f in fields):
        return None
    line = i + 1
    theme = form.required(p + "theme", _("the theme of line %(line)d", line=line), max_length=500)
    disposition = form.choice(
        p + "disposition", _("what was done about line %(line)d", line=line), set(DISPOSITIONS)
    )
    reason = form.optional(p + "reason", _("The reason"), max_length=2000, multiline=True)
    revision = _pick(
        form,
        p + "revision",
        set(choices["revisions"]),
        _("Select the revision that changed for line %(line)d", line=line),
    )
    comment = _pick(
        form,
        p + "comment",
        {c.id for c in choices["comments"]},
        _("Select a comment from the list for line %(line)d", line=line),
    )
    question = _pick(
        form,
        p + "question",
        {q.id for q in choices["questions"]},
        _("Select a question from the list for line %(line)d", line=line),
    )
    if disposition == Disposition.NOT_ACCEPTED and not reason.strip():
        form.error(p + "reason", _("Give the reason line %(line)d was not accepted", line=line))
    if disposition == Disposition.ACCEPTED and choices["revisions"] and revision is None:
        form.error(
            p + "revision", _("Select the revision that changed for line %(line)d", line=line)
        )
    return OutcomeItem(
        consultation_id=0,
        theme=theme,
        disposition=disposition,
        reason=reason,
        revision_number=revision,
        comment_id=comment,
        question_id=question,
    )


def _pick(form: FormInput, name: str, allowed: set[Any], message: str) -> int | None:
    raw = form.get(name).strip()
    if not raw:
        return None
    value = parse_id(raw)
    if value is None or value not in allowed:
        form.error(name, message)
        return None
    return value


routes = [
    Route("/{slug}/outcome", outcome_page),
    Route("/{slug}/outcome/edit", edit_outcome, methods=["GET", "POST"]),
]
