"""Responses: one per person per consultation, editable until it closes.

`check_response` validates the form against the consultation's questions (keeping what
was typed on the form for the error page); `do_save` writes the response and its
answers in one transaction, after checking again that the person may respond and that
the consultation is open *now*, by the runtime's clock.

Who responded is visible only to the secretariat and the group's chairs (docs/architecture.md,
"Security model"), so the activity event of a response is recorded at secretariat visibility:
`workspace.activity` has no "chairs" level, and "group" would show it to members and
observers too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, literal
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from consultations.lifecycle.models import Consultation, ConsultationStatus
from consultations.lifecycle.status import FOLLOW_KIND as CONSULTATION
from consultations.lifecycle.status import is_invited, place_of, require_open, status_of, url
from consultations.questions.models import Answer, Question, QuestionKind
from consultations.questions.service import CHOICE_KINDS, choice_label, choices_of, for_consultation
from consultations.responses import campaign
from consultations.responses.models import Consent, Response
from workspace import activity, formats
from workspace.forms import FormInput
from workspace.i18n import gettext as _
from workspace.i18n import lazy_gettext
from workspace.models import SECTOR_LABELS, Sector
from workspace.notifications.following import auto_follow
from workspace.permissions import Action, Role, Viewer, can, can_in, require_in
from workspace.runtime import Runtime

MAX_TEXT = 10_000
MAX_ORGANISATION = 200
INDIVIDUAL = "individual"
ORGANISATION = "organisation"
# Lazy labels: translated into the reader's language each time they are shown.
RESPONDENT_TYPES = {
    INDIVIDUAL: lazy_gettext("As an individual"),
    ORGANISATION: lazy_gettext("On behalf of an organisation"),
}
SECTOR_CHOICES = SECTOR_LABELS  # a Labels table: each read in the reader's language
CONSENT_LABELS = {
    Consent.NAMED.value: lazy_gettext("Yes, publish it with my name"),
    Consent.ANONYMOUS.value: lazy_gettext("Yes, but without my name"),
    Consent.WITHHELD.value: lazy_gettext("No, do not publish my response"),
}
CONSENT_HINTS = {
    Consent.NAMED.value: lazy_gettext(
        "Your name, and your organisation if you respond for one, appear beside your answers"
        " in the published summary and exports"
    ),
    Consent.ANONYMOUS.value: lazy_gettext(
        "Your answers are published with no name, organisation or sector"
    ),
    Consent.WITHHELD.value: lazy_gettext(
        "The task group still reads your response and counts it in the summary, but your"
        " words are not published"
    ),
}
CONSENT_SHORT = {
    Consent.NAMED.value: lazy_gettext("Published with name"),
    Consent.ANONYMOUS.value: lazy_gettext("Published anonymously"),
    Consent.WITHHELD.value: lazy_gettext("Not for publication"),
}
# An invited consultation's publication choice (consultations.invitations.models.Publication).
PUBLISHED_RESPONSES = "responses"
PUBLISHED_SUMMARY = frozenset({"summary", PUBLISHED_RESPONSES})
VISIBILITY = activity.SECRETARIAT  # see the module docstring
SUBMITTED, CHANGED = "response.submitted", "response.changed"


def sector_label(sector: str) -> str:
    if sector == INDIVIDUAL:
        return _("Individuals")
    try:
        return SECTOR_LABELS[Sector(sector)]
    except ValueError:
        return sector


def field_name(question: Question) -> str:
    return f"q-{question.id}"


@dataclass
class ResponseDraft:
    on_behalf_of: str  # "" = an individual
    sector: str
    consent: str
    answers: dict[int, str] = field(default_factory=dict)  # question id -> stored value
    confidential: bool = False  # commercially confidential: counted, never published


def check_response(form: FormInput, questions: list[Question]) -> ResponseDraft:
    """Validate every answer; errors go on `form`, keyed by the field ids."""
    answers: dict[int, str] = {}
    for number, question in enumerate(questions, start=1):
        value = _check_answer(form, question, number)
        if value:
            answers[question.id or 0] = value
    kind = form.choice(
        "respondent_type",
        _("whether you are responding as an individual or for an organisation"),
        set(RESPONDENT_TYPES),
    )
    organisation, sector = "", INDIVIDUAL
    if kind == ORGANISATION:
        organisation = form.required(
            "organisation", _("the name of your organisation"), max_length=MAX_ORGANISATION
        )
        sector = form.choice("sector", _("your organisation's sector"), {s.value for s in Sector})
    consent = form.choice("consent", _("whether we may publish your response"), set(CONSENT_LABELS))
    return ResponseDraft(
        on_behalf_of=organisation,
        sector=sector,
        consent=consent,
        answers=answers,
        confidential=form.get("confidential") == "yes",
    )


def _check_answer(form: FormInput, question: Question, number: int) -> str:
    name = field_name(question)
    if question.kind == QuestionKind.FREE_TEXT:
        text = form.get(name).strip()
        if len(text) > MAX_TEXT:
            form.error(
                name,
                _(
                    "Your answer to question %(number)d must be %(most)s characters or fewer",
                    number=number,
                    most=formats.number(MAX_TEXT),
                ),
            )
        elif not text and question.required:
            form.error(name, _("Enter your answer to question %(number)d", number=number))
        return text
    allowed = choices_of(question)
    if question.kind == QuestionKind.MULTIPLE:
        picked = [v for v in form.getlist(name) if v]
        if any(v not in allowed for v in picked):
            form.error(
                name, _("Select answers to question %(number)d from the list", number=number)
            )
        elif not picked and question.required:
            form.error(name, _("Select at least one answer to question %(number)d", number=number))
        # Stored in the question's own order, so equal answers group together in SQL.
        return json.dumps([c for c in allowed if c in picked]) if picked else ""
    value = form.get(name)
    if value and value not in allowed:
        form.error(name, _("Select an answer to question %(number)d from the list", number=number))
    elif not value and question.required:
        form.error(name, _("Select an answer to question %(number)d", number=number))
    return value


def form_from_response(
    response: Response, answers: dict[int, str], questions: list[Question]
) -> FormInput:
    """A saved response as the form shows it, for changing it."""
    values = {
        "respondent_type": ORGANISATION if response.on_behalf_of else INDIVIDUAL,
        "organisation": response.on_behalf_of,
        "sector": response.sector if response.on_behalf_of else "",
        "consent": response.consent,
        "confidential": "yes" if response.confidential else "",
    }
    lists: dict[str, list[str]] = {}
    for question in questions:
        value = answers.get(question.id or 0, "")
        if question.kind == QuestionKind.MULTIPLE:
            lists[field_name(question)] = json.loads(value) if value else []
        else:
            values[field_name(question)] = value
    return FormInput(values=values, lists=lists)


def display_value(question: Question, value: str) -> list[str]:
    """An answer as lines of text: the chosen labels, or the free text."""
    if not value:
        return []
    if question.kind == QuestionKind.MULTIPLE:
        return [str(v) for v in json.loads(value)]
    return [choice_label(question, value)]


# -- reading ------------------------------------------------------------------------------


# Read on every consultation page a signed-in person opens: built once (issue 19).
OWN = select(Response).where(
    Response.consultation_id == bindparam("consultation_id"),
    Response.user_id == bindparam("user_id"),
)
COUNT = (
    select(func.count())
    .select_from(Response)
    .where(Response.consultation_id == bindparam("consultation_id"))
)
# The count beside this person's response (or beside nothing): the panel needs both,
# and one statement costs half of two (issue 19). The one-row subquery keeps the
# count when the person has not responded.
_ONE_ROW = select(literal(1).label("one")).subquery()
COUNT_AND_OWN = (
    select(COUNT.scalar_subquery().label("total"), Response)
    .select_from(_ONE_ROW)
    .outerjoin(
        Response,
        and_(
            col(Response.consultation_id) == bindparam("consultation_id"),
            col(Response.user_id) == bindparam("user_id"),
        ),
    )
)


def own_response(
    session: Session, consultation_id: int, user_id: int | None
) -> tuple[Response, dict[int, str]] | None:
    response = own_row(session, consultation_id, user_id)
    if response is None:
        return None
    answers = dict(
        session.exec(
            select(Answer.question_id, Answer.value).where(Answer.response_id == response.id)
        ).all()
    )
    return response, answers


def own_row(session: Session, consultation_id: int, user_id: int | None) -> Response | None:
    """This person's response without its answers (what the page's panel shows)."""
    if user_id is None:
        return None
    found = {"consultation_id": consultation_id, "user_id": user_id}
    return session.exec(OWN, params=found).first()


def count(session: Session, consultation_id: int) -> int:
    return int(session.exec(COUNT, params={"consultation_id": consultation_id}).one())


def count_and_own(
    session: Session, consultation_id: int, user_id: int | None
) -> tuple[int, Response | None]:
    """How many responses there are, and this person's (without its answers)."""
    if user_id is None:
        return count(session, consultation_id), None
    found = {"consultation_id": consultation_id, "user_id": user_id}
    total, own = session.exec(COUNT_AND_OWN, params=found).one()
    return int(total), own


def summary_visible(who: Viewer, consultation: Consultation, now: datetime) -> bool:
    """The summary: everyone once closed (an invited consultation only if its chair chose
    to publish it); chairs and secretariat at any time."""
    if can(who, Action.MANAGE_PROCESS, consultation.group_id):
        return True
    if status_of(consultation, now) not in (
        ConsultationStatus.CLOSED,
        ConsultationStatus.OUTCOME_PUBLISHED,
    ):
        return False
    return not is_invited(consultation) or consultation.publication in PUBLISHED_SUMMARY


def responses_published(who: Viewer, consultation: Consultation, now: datetime) -> bool:
    """Public exports of the responses: as the summary, but an invited consultation's
    only when its chair chose "summary and responses"."""
    if not summary_visible(who, consultation, now):
        return False
    if can(who, Action.MANAGE_PROCESS, consultation.group_id):
        return True
    return not is_invited(consultation) or consultation.publication == PUBLISHED_RESPONSES


def page_context(
    session: Session, who: Viewer, consultation: Consultation, now: datetime
) -> dict[str, Any]:
    """What the consultation page needs to show the responses panel
    (`consultations/responses/_responses_panel.html`, which reads `responses_panel`)."""
    status = status_of(consultation, now)
    questions = for_consultation(session, consultation.id or 0)
    if status is ConsultationStatus.DRAFT:
        # No one responds to a draft: nothing to count.
        total, own = 0, own_row(session, consultation.id or 0, who.user_id)
    else:
        total, own = count_and_own(session, consultation.id or 0, who.user_id)
    can_manage = can(who, Action.MANAGE_PROCESS, consultation.group_id)
    base = url(consultation)
    return {
        "responses_panel": {
            "status": status,
            "questions": questions,
            "is_open": status is ConsultationStatus.OPEN,
            "signed_in": who.signed_in,
            "can_respond": can_in(who, Action.RESPOND, place_of(consultation)),
            "is_observer": who.role_in(consultation.group_id) is Role.OBSERVER,
            "own": own,
            "can_manage": can_manage,
            "can_edit_questions": can_manage and status is ConsultationStatus.DRAFT,
            "summary_visible": summary_visible(who, consultation, now),
            "response_count": total,
            "respond_url": f"{base}/respond",
            "own_url": f"{base}/response",
            "questions_url": f"{base}/questions",
            "summary_url": f"{base}/summary",
            "sign_in_url": f"/account/sign-in?next={base}/respond",
        }
    }


# -- writing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    response_id: int
    created: bool


def do_save(rt: Runtime, actor: Viewer, consultation_id: int, draft: ResponseDraft) -> Saved:
    """Create or replace the actor's response. Raises `WrongStatus` (409) unless
    the consultation is open at this moment."""
    for attempt in range(2):
        try:
            return _save(rt, actor, consultation_id, draft)
        except IntegrityError:
            # Two first submissions raced (a double click on PostgreSQL): the other
            # one created the response, so this one now updates it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _save(rt: Runtime, actor: Viewer, consultation_id: int, draft: ResponseDraft) -> Saved:
    with rt.db.write() as unit:
        session = unit.session
        consultation = session.get(Consultation, consultation_id)
        if consultation is None:
            raise LookupError(consultation_id)
        require_in(actor, Action.RESPOND, place_of(consultation))
        now = rt.clock()
        require_open(consultation, now)
        questions = for_consultation(session, consultation_id)
        known = {q.id for q in questions}
        answers = {qid: value for qid, value in draft.answers.items() if qid in known}
        texts = [answers.get(q.id or 0, "") for q in questions if q.kind == QuestionKind.FREE_TEXT]
        signature = campaign.text_signature(texts)
        response = session.exec(
            select(Response).where(
                Response.consultation_id == consultation_id, Response.user_id == actor.user_id
            )
        ).first()
        created = response is None
        if response is None:
            response = Response(
                consultation_id=consultation_id, user_id=actor.user_id or 0, submitted_at=now
            )
        else:
            session.execute(delete(Answer).where(col(Answer.response_id) == response.id))
        response.on_behalf_of, response.sector = draft.on_behalf_of, draft.sector
        response.consent = draft.consent
        response.confidential = draft.confidential
        response.fingerprint, response.simhash = signature.fingerprint, signature.simhash
        response.updated_at = now
        session.add(response)
        session.flush()
        session.add_all(
            [
                Answer(response_id=response.id or 0, question_id=qid, value=value)
                for qid, value in answers.items()
            ]
        )
        verb = "responded to" if created else "changed their response to"
        activity.record(
            unit,
            actor_id=actor.user_id,
            verb=SUBMITTED if created else CHANGED,
            object_type="response",
            object_id=response.id,
            group_id=consultation.group_id,
            visibility=VISIBILITY,
            summary=f"{actor.display_name} {verb} {consultation.title}",
            url=f"{url(consultation)}/summary",
        )
        # Respondents hear how the consultation ends: closing, and "you said, we did".
        auto_follow(unit, [actor.user_id], CONSULTATION, consultation_id, role="respondent")
        return Saved(response_id=response.id or 0, created=created)


def is_choice(question: Question) -> bool:
    return question.kind in CHOICE_KINDS or question.kind == QuestionKind.SCALE
