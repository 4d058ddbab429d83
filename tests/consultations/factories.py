"""Factories for consultation tests: consultations made through the real service, and
people's comments posted through the real comment service."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlmodel import func, select

from consultations.comments import service as comment_service
from consultations.comments.models import Comment
from consultations.lifecycle import service as consultation_service
from consultations.lifecycle.forms import ConsultationInput
from consultations.lifecycle.models import Consultation
from consultations.questions.models import Question
from consultations.responses import service as response_service
from tests.definitions.factories import make_definition, viewer_for
from tests.factories import World
from workspace.models import User
from workspace.runtime import Runtime


def make_consultation(
    rt: Runtime,
    world: World,
    *,
    title: str = "Zero carbon homes: the draft",
    moderation: str = "post",
    with_definition: bool = False,
    body: str = "We propose **three tiers**.",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Consultation:
    """A consultation of the world's group, drafted by its chair. By default it opened a
    day ago and closes in thirty days by `rt.clock`."""
    now = rt.clock()
    source = ""
    if with_definition:
        definition = make_definition(rt, world)
        source = f"{definition.id}:{definition.head_number}"
    data = ConsultationInput(
        title=title,
        summary="Tell us what you think.",
        body=body,
        source=source,
        opens_at=opens_at or now - timedelta(days=1),
        closes_at=closes_at or now + timedelta(days=30),
        moderation=moderation,
    )
    chair = viewer_for(rt, world.users["chair"])
    return consultation_service.do_create(rt, chair, world.group, data)


def post_comment(
    rt: Runtime,
    consultation: Consultation,
    user: User,
    text: str = "A comment.",
    parent: Comment | int | None = None,
    anchor: str = "",
) -> Comment:
    """A comment (or a reply to `parent`) by `user`, through the comment service."""
    parent_id = parent.id if isinstance(parent, Comment) else parent
    return comment_service.do_post(
        rt,
        viewer_for(rt, user),
        consultation.id or 0,
        comment_service.Draft(text, anchor),
        parent_id,
    )


# -- questions and responses (appended by the responses work) ----------------------------


class Clock:
    """A clock tests move by hand: `rt.clock = Clock(start)`, then `clock.now += ...`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def add_question(
    rt: Runtime,
    consultation: Consultation,
    prompt: str = "Do you agree?",
    kind: str = "scale",
    *,
    choices: list[str] | None = None,
    required: bool = False,
    hint: str = "",
) -> Question:
    """A question written straight to the database, whatever the consultation's status
    (the chair's form only allows it while the consultation is a draft)."""
    with rt.db.write() as unit:
        last = unit.session.exec(
            select(func.max(Question.position)).where(Question.consultation_id == consultation.id)
        ).one()
        question = Question(
            consultation_id=consultation.id or 0,
            position=0 if last is None else last + 1,
            kind=kind,
            prompt=prompt,
            hint=hint,
            required=required,
            choices=json.dumps(choices or []),
        )
        unit.session.add(question)
    return question


def respond(
    rt: Runtime,
    consultation: Consultation,
    user: User,
    answers: dict[int, str | list[str]],
    *,
    organisation: str = "",
    sector: str = "individual",
    consent: str = "named",
) -> int:
    """A response by `user` through the real service (the consultation must be open).
    `answers` maps question ids to a value, or a list of labels for multiple choice."""
    stored = {qid: json.dumps(v) if isinstance(v, list) else v for qid, v in answers.items()}
    draft = response_service.ResponseDraft(
        on_behalf_of=organisation, sector=sector, consent=consent, answers=stored
    )
    return response_service.do_save(
        rt, viewer_for(rt, user), consultation.id or 0, draft
    ).response_id
