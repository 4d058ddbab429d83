"""The summary broken down by how responses arrived (online, at an event, by letter or
email) and by road-show event: response counts, and every choice question's answers.

Two grouped queries, whatever the number of responses; the sector breakdown stays in
`tally`. Responses entered by facilitators are counted exactly like online ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from consultations.questions.models import Answer, Question, QuestionKind
from consultations.responses.models import Response
from consultations.roadshows.models import Channel, RoadShow
from workspace.i18n import gettext as _

CHANNEL_ORDER = [c.value for c in Channel]


@dataclass
class Breakdown:
    channels: list[tuple[str, str, int]]  # key, label, responses (only channels with some)
    events: list[tuple[int, str, int]]  # road show id, title, responses (events with some)
    # question id -> choice label -> column key ("channel:event", "event:3") -> count
    answers: dict[int, dict[str, dict[str, int]]] = field(default_factory=dict)

    @property
    def columns(self) -> list[tuple[str, str]]:
        """Column keys and headings of the per-question tables: channels, then events."""
        return [(f"channel:{k}", label) for k, label, _n in self.channels] + [
            (f"event:{i}", title) for i, title, _n in self.events
        ]

    def count(self, question_id: int, label: str, column: str) -> int:
        return self.answers.get(question_id, {}).get(label, {}).get(column, 0)


def build(session: Session, consultation_id: int) -> Breakdown:
    rows = session.exec(
        select(Response.channel, Response.road_show_id, func.count())
        .where(Response.consultation_id == consultation_id)
        .group_by(col(Response.channel), col(Response.road_show_id))
    ).all()
    by_channel: dict[str, int] = {}
    by_event: dict[int, int] = {}
    for channel, show_id, n in rows:
        by_channel[channel] = by_channel.get(channel, 0) + n
        if show_id is not None:
            by_event[show_id] = by_event.get(show_id, 0) + n
    titles = dict(
        session.exec(
            select(RoadShow.id, RoadShow.title).where(RoadShow.consultation_id == consultation_id)
        ).all()
    )
    ordered = [c for c in CHANNEL_ORDER if c in by_channel] + sorted(
        set(by_channel) - set(CHANNEL_ORDER)
    )
    result = Breakdown(
        channels=[(c, _label(c), by_channel[c]) for c in ordered],
        events=[(i, titles.get(i, _("Event %(id)s", id=i)), by_event[i]) for i in sorted(by_event)],
    )
    _answers(session, consultation_id, result)
    return result


def _label(channel: str) -> str:
    try:
        return Channel(channel).label
    except ValueError:
        return channel


def _answers(session: Session, consultation_id: int, result: Breakdown) -> None:
    rows = session.execute(
        sa_select(
            col(Answer.question_id),
            col(Question.kind),
            col(Answer.value),
            col(Response.channel),
            col(Response.road_show_id),
            func.count(),
        )
        .join(Response, col(Response.id) == Answer.response_id)
        .join(Question, col(Question.id) == Answer.question_id)
        .where(
            col(Response.consultation_id) == consultation_id,
            col(Question.kind) != QuestionKind.FREE_TEXT.value,
        )
        .group_by(
            col(Answer.question_id),
            col(Question.kind),
            col(Answer.value),
            col(Response.channel),
            col(Response.road_show_id),
        )
    ).all()
    for question_id, kind, value, channel, show_id, n in rows:
        labels = json.loads(value) if kind == QuestionKind.MULTIPLE else [value]
        per_label = result.answers.setdefault(question_id, {})
        for label in labels:
            cells = per_label.setdefault(label, {})
            cells[f"channel:{channel}"] = cells.get(f"channel:{channel}", 0) + n
            if show_id is not None:
                cells[f"event:{show_id}"] = cells.get(f"event:{show_id}", 0) + n
