"""A consultation's questions: their kinds, the chair's form, and the writes.

Questions can change only while the consultation is a draft: once it opens, everyone
must be answering the same questions, so every write checks the status again inside
its own transaction (by the runtime's clock) and refuses with `WrongStatus`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func
from sqlmodel import Session, col, select

from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.lifecycle.status import WrongStatus, status_of, url
from consultations.questions.models import Answer, Question, QuestionKind
from workspace import activity
from workspace.db import WriteUnit
from workspace.failures import Invalid
from workspace.forms import FormInput
from workspace.i18n import gettext as _
from workspace.i18n import lazy_gettext
from workspace.permissions import Action, Viewer, require
from workspace.runtime import Runtime

# The scale's points are stored as answered, in English, so counts never depend on the
# respondent's language; SCALE_LABELS says them in the reader's (see `choice_label`).
SCALE_POINTS = (
    "Strongly agree",
    "Agree",
    "Neither agree nor disagree",
    "Disagree",
    "Strongly disagree",
)
SCALE_LABELS = {
    "Strongly agree": lazy_gettext("Strongly agree"),
    "Agree": lazy_gettext("Agree"),
    "Neither agree nor disagree": lazy_gettext("Neither agree nor disagree"),
    "Disagree": lazy_gettext("Disagree"),
    "Strongly disagree": lazy_gettext("Strongly disagree"),
}
KIND_LABELS = {
    QuestionKind.FREE_TEXT: lazy_gettext("Free text"),
    QuestionKind.SCALE: lazy_gettext("Agree or disagree (five points)"),
    QuestionKind.SINGLE: lazy_gettext("Choose one"),
    QuestionKind.MULTIPLE: lazy_gettext("Choose any that apply"),
}
KIND_HINTS = {
    QuestionKind.FREE_TEXT: lazy_gettext("Respondents write their answer, up to 10,000 characters"),
    QuestionKind.SCALE: lazy_gettext("From strongly agree to strongly disagree"),
    QuestionKind.SINGLE: lazy_gettext("Respondents choose one of your choices"),
    QuestionKind.MULTIPLE: lazy_gettext("Respondents choose as many of your choices as apply"),
}
CHOICE_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE}
MIN_CHOICES, MAX_CHOICES, MAX_CHOICE_LENGTH = 2, 20, 200
MAX_QUESTIONS = 50


def choices_of(question: Question) -> list[str]:
    """The answers a respondent may pick (none for free text)."""
    if question.kind == QuestionKind.SCALE:
        return list(SCALE_POINTS)
    if question.kind in CHOICE_KINDS:
        loaded = json.loads(question.choices or "[]")
        return [str(c) for c in loaded]
    return []


def kind_label(question: Question) -> str:
    return str(KIND_LABELS.get(QuestionKind(question.kind), question.kind))


def choice_label(question: Question, choice: str) -> str:
    """A stored answer as the reader sees it: the scale's points in their language, the
    chair's own choices as written."""
    if question.kind == QuestionKind.SCALE and choice in SCALE_LABELS:
        return str(SCALE_LABELS[choice])
    return choice


# On every consultation page: built once (issue 19).
FOR_CONSULTATION = (
    select(Question)
    .where(Question.consultation_id == bindparam("consultation_id"))
    .order_by(col(Question.position))
)


def for_consultation(session: Session, consultation_id: int) -> list[Question]:
    return list(session.exec(FOR_CONSULTATION, params={"consultation_id": consultation_id}))


@dataclass
class QuestionDraft:
    prompt: str
    hint: str
    kind: QuestionKind
    required: bool
    choices: list[str]


def form_values(question: Question) -> dict[str, str]:
    """A question as the form shows it, for editing."""
    values = {
        "prompt": question.prompt,
        "hint": question.hint,
        "kind": question.kind,
        "required": "yes" if question.required else "",
    }
    if question.kind in CHOICE_KINDS:
        values["choices"] = "\n".join(choices_of(question))
    return values


def check_question(form: FormInput) -> QuestionDraft:
    prompt = form.required("prompt", _("the question"), max_length=500)
    hint = form.optional("hint", _("the hint"), max_length=500)
    kind = form.choice("kind", _("the kind of answer"), {k.value for k in QuestionKind})
    choices: list[str] = []
    if kind in CHOICE_KINDS:
        choices = _check_choices(form)
    return QuestionDraft(
        prompt=prompt,
        hint=hint,
        kind=QuestionKind(kind) if kind in set(QuestionKind) else QuestionKind.FREE_TEXT,
        required=form.get("required") == "yes",
        choices=choices,
    )


def _check_choices(form: FormInput) -> list[str]:
    lines = [line.strip() for line in form.get("choices").split("\n")]
    choices: list[str] = []
    for line in lines:
        if line and line.casefold() not in {c.casefold() for c in choices}:
            choices.append(line)
    if len(choices) < MIN_CHOICES:
        form.error(
            "choices",
            _("Enter at least %(least)d different choices, one on each line", least=MIN_CHOICES),
        )
    elif len(choices) > MAX_CHOICES:
        form.error("choices", _("Enter %(most)d choices or fewer", most=MAX_CHOICES))
    elif any(len(c) > MAX_CHOICE_LENGTH for c in choices):
        form.error(
            "choices",
            _("Each choice must be %(most)d characters or fewer", most=MAX_CHOICE_LENGTH),
        )
    return choices


# -- writing ------------------------------------------------------------------------------


def _draft_consultation(
    unit: WriteUnit, rt: Runtime, actor: Viewer, consultation_id: int
) -> Consultation:
    """The consultation, locked, for a chair of its group while it is still a draft."""
    consultation = unit.session.exec(
        select(Consultation).where(Consultation.id == consultation_id).with_for_update()
    ).first()
    if consultation is None:
        raise LookupError(consultation_id)
    require(actor, Action.MANAGE_PROCESS, consultation.group_id)
    status = status_of(consultation, rt.clock())
    if status is not ConsultationStatus.DRAFT:
        raise WrongStatus(status)
    return consultation


def _question(unit: WriteUnit, consultation: Consultation, question_id: int) -> Question:
    question = unit.session.get(Question, question_id)
    if question is None or question.consultation_id != consultation.id:
        raise LookupError(question_id)
    return question


def _apply(question: Question, draft: QuestionDraft) -> None:
    question.prompt, question.hint = draft.prompt, draft.hint
    question.kind, question.required = draft.kind.value, draft.required
    question.choices = json.dumps(draft.choices if draft.kind in CHOICE_KINDS else [])


def do_add(rt: Runtime, actor: Viewer, consultation_id: int, draft: QuestionDraft) -> Question:
    with rt.db.write() as unit:
        consultation = _draft_consultation(unit, rt, actor, consultation_id)
        last = unit.session.exec(
            select(func.max(Question.position), func.count()).where(
                Question.consultation_id == consultation_id
            )
        ).one()
        if last[1] >= MAX_QUESTIONS:
            raise TooManyQuestions()
        question = Question(
            consultation_id=consultation_id,
            position=(last[0] + 1) if last[0] is not None else 0,
            kind=draft.kind.value,
            prompt=draft.prompt,
        )
        _apply(question, draft)
        unit.session.add(question)
        unit.session.flush()
        _log(
            unit, actor, consultation, "question.added", f"added a question to {consultation.title}"
        )
    return question


class TooManyQuestions(Invalid):
    def __init__(self) -> None:
        super().__init__(
            _("A consultation can have at most %(most)d questions.", most=MAX_QUESTIONS)
        )


def do_update(
    rt: Runtime, actor: Viewer, consultation_id: int, question_id: int, draft: QuestionDraft
) -> Question:
    with rt.db.write() as unit:
        consultation = _draft_consultation(unit, rt, actor, consultation_id)
        question = _question(unit, consultation, question_id)
        _apply(question, draft)
        unit.session.add(question)
        _log(
            unit,
            actor,
            consultation,
            "question.edited",
            f"edited a question of {consultation.title}",
        )
    return question


def do_remove(rt: Runtime, actor: Viewer, consultation_id: int, question_id: int) -> None:
    with rt.db.write() as unit:
        consultation = _draft_consultation(unit, rt, actor, consultation_id)
        question = _question(unit, consultation, question_id)
        # A draft has no responses, but never leave an answer pointing nowhere.
        unit.session.execute(delete(Answer).where(col(Answer.question_id) == question_id))
        unit.session.delete(question)
        _log(
            unit,
            actor,
            consultation,
            "question.removed",
            f"removed a question from {consultation.title}",
        )


def do_move(
    rt: Runtime, actor: Viewer, consultation_id: int, question_id: int, direction: str
) -> None:
    """Swap the question with its neighbour above ("up") or below ("down")."""
    with rt.db.write() as unit:
        consultation = _draft_consultation(unit, rt, actor, consultation_id)
        question = _question(unit, consultation, question_id)
        ordered = for_consultation(unit.session, consultation_id)
        index = next(i for i, q in enumerate(ordered) if q.id == question.id)
        other_index = index - 1 if direction == "up" else index + 1
        if not 0 <= other_index < len(ordered):
            return
        other = ordered[other_index]
        mine, theirs = question.position, other.position
        # (consultation, position) is unique: park one row while the other moves.
        question.position = -1
        unit.session.add(question)
        unit.session.flush()
        other.position = mine
        unit.session.add(other)
        unit.session.flush()
        question.position = theirs
        unit.session.add(question)
        _log(
            unit,
            actor,
            consultation,
            "question.moved",
            f"reordered the questions of {consultation.title}",
        )


def _log(unit: WriteUnit, actor: Viewer, consultation: Consultation, verb: str, what: str) -> None:
    # The consultation is still a draft, so its questions are the group's business.
    activity.record(
        unit,
        actor_id=actor.user_id,
        verb=verb,
        object_type="consultation",
        object_id=consultation.id,
        group_id=consultation.group_id,
        summary=f"{actor.display_name} {what}",
        visibility=activity.GROUP,
        url=f"{url(consultation)}/questions",
    )
