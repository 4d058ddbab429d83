"""The summary of responses: counts per question and choice, split by sector, campaign
groups, and free-text answers as each respondent consented.

Counting happens in the database (GROUP BY question, value, sector), so the page costs
a handful of queries whatever the number of responses. A multiple-choice answer is
stored as a JSON list, so the database counts each combination and `_spread` adds the
combinations up per choice (there are at most a few hundred combinations, never one
row per response). Free text is read in one streamed query that stops once every
question has its first `TEXT_LIMIT` answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from consultations.questions.models import Answer, Question, QuestionKind
from consultations.questions.service import choices_of, for_consultation
from consultations.responses import campaign
from consultations.responses.models import Consent, Response
from consultations.responses.service import INDIVIDUAL, sector_label
from workspace.models import Sector, User

TEXT_LIMIT = 100  # free-text answers shown per question; the exports have all of them
SECTOR_ORDER = [s.value for s in Sector] + [INDIVIDUAL]


@dataclass
class ChoiceCount:
    label: str
    total: int = 0
    by_sector: dict[str, int] = field(default_factory=dict)


@dataclass
class TextEntry:
    text: str
    name: str = ""  # "" when not shown
    organisation: str = ""
    sector: str = ""
    consent: str = Consent.NAMED
    campaign: campaign.CampaignGroup | None = None


@dataclass
class QuestionSummary:
    number: int
    question: Question
    answered: int = 0
    choices: list[ChoiceCount] = field(default_factory=list)
    texts: list[TextEntry] = field(default_factory=list)
    campaign_texts: list[TextEntry] = field(default_factory=list)
    truncated: bool = False

    @property
    def is_choice(self) -> bool:
        return self.question.kind != QuestionKind.FREE_TEXT


@dataclass
class Summary:
    total: int
    sectors: list[tuple[str, str, int]]  # key, label, responses: only sectors with some
    questions: list[QuestionSummary]
    campaigns: list[campaign.CampaignGroup]
    public: bool  # identities and unpublished text left out

    @property
    def sector_keys(self) -> list[tuple[str, str]]:
        return [(key, label) for key, label, _n in self.sectors]


def build(session: Session, consultation_id: int, *, public: bool) -> Summary:
    questions = for_consultation(session, consultation_id)
    sectors = _sectors(session, consultation_id)
    groups = campaigns(session, consultation_id)
    summaries = [QuestionSummary(number=n, question=q) for n, q in enumerate(questions, 1)]
    by_id = {s.question.id: s for s in summaries}
    for question_id, answered in _answered(session, consultation_id):
        if question_id in by_id:
            by_id[question_id].answered = answered
    _count_choices(session, consultation_id, by_id)
    _collect_texts(session, consultation_id, by_id, groups, public=public)
    return Summary(
        total=sum(n for _k, _l, n in sectors),
        sectors=sectors,
        questions=summaries,
        campaigns=groups,
        public=public,
    )


def _sectors(session: Session, consultation_id: int) -> list[tuple[str, str, int]]:
    rows = session.exec(
        select(Response.sector, func.count())
        .where(Response.consultation_id == consultation_id)
        .group_by(Response.sector)
    ).all()
    counts = dict(rows)
    ordered = [k for k in SECTOR_ORDER if k in counts] + sorted(set(counts) - set(SECTOR_ORDER))
    return [(key, sector_label(key), counts[key]) for key in ordered]


def _answered(session: Session, consultation_id: int) -> list[tuple[int, int]]:
    return list(
        session.exec(
            select(Answer.question_id, func.count())
            .join(Response, col(Response.id) == Answer.response_id)
            .where(Response.consultation_id == consultation_id)
            .group_by(col(Answer.question_id))
        ).all()
    )


def _count_choices(
    session: Session, consultation_id: int, by_id: dict[int | None, QuestionSummary]
) -> None:
    for summary in by_id.values():
        if summary.is_choice:
            summary.choices = [ChoiceCount(label) for label in choices_of(summary.question)]
    rows = session.exec(
        select(Answer.question_id, Answer.value, Response.sector, func.count())
        .join(Response, col(Response.id) == Answer.response_id)
        .join(Question, col(Question.id) == Answer.question_id)
        .where(
            Response.consultation_id == consultation_id,
            Question.kind != QuestionKind.FREE_TEXT.value,
        )
        .group_by(col(Answer.question_id), col(Answer.value), col(Response.sector))
    ).all()
    for question_id, value, sector, n in rows:
        found = by_id.get(question_id)
        if found is not None:
            _spread(found, value, sector, n)


def _spread(summary: QuestionSummary, value: str, sector: str, n: int) -> None:
    picked = json.loads(value) if summary.question.kind == QuestionKind.MULTIPLE else [value]
    for choice in summary.choices:
        if choice.label in picked:
            choice.total += n
            choice.by_sector[sector] = choice.by_sector.get(sector, 0) + n


def campaigns(session: Session, consultation_id: int) -> list[campaign.CampaignGroup]:
    rows = session.exec(
        select(Response.fingerprint, Response.simhash, func.count())
        .where(Response.consultation_id == consultation_id, Response.fingerprint != "")
        .group_by(col(Response.fingerprint), col(Response.simhash))
    ).all()
    return campaign.find_groups(rows)


def _collect_texts(
    session: Session,
    consultation_id: int,
    by_id: dict[int | None, QuestionSummary],
    groups: list[campaign.CampaignGroup],
    *,
    public: bool,
) -> None:
    """Free-text answers in submission order: a campaign appears once per question (its
    first publishable text, with the group's count), everyone else answer by answer."""
    free = {qid for qid, s in by_id.items() if qid is not None and not s.is_choice}
    if not free:
        return
    group_of = {fp: g for g in groups for fp in g.fingerprints}
    query = (
        sa_select(
            col(Answer.question_id),
            col(Answer.value),
            col(Response.consent),
            col(Response.on_behalf_of),
            col(Response.sector),
            col(Response.fingerprint),
            func.coalesce(col(User.display_name), col(Response.respondent_name)),
        )
        .join(Response, col(Response.id) == Answer.response_id)
        .join(User, col(User.id) == Response.user_id, isouter=True)
        .where(col(Response.consultation_id) == consultation_id, col(Answer.question_id).in_(free))
        .order_by(col(Response.id))
    )
    if public:  # confidential answers are counted above, never quoted
        query = query.where(
            col(Response.consent) != Consent.WITHHELD.value,
            col(Response.confidential).is_(False),
        )
    pending = {(qid, g.number) for qid in free for g in groups}  # campaign samples to find
    # Streamed (a server-side cursor on PostgreSQL), closed even when left early.
    result = session.execute(query.execution_options(yield_per=500))
    try:
        _read_texts(result, by_id, group_of, pending, set(free), public=public)
    finally:
        result.close()
    for summary in by_id.values():
        summary.campaign_texts.sort(key=lambda e: e.campaign.number if e.campaign else 0)


def _read_texts(
    rows: Any,
    by_id: dict[int | None, QuestionSummary],
    group_of: dict[str, campaign.CampaignGroup],
    pending: set[tuple[int, int]],
    open_questions: set[int],
    *,
    public: bool,
) -> None:
    for qid, value, consent, organisation, sector, fingerprint, name in rows:
        summary = by_id[qid]
        group = group_of.get(fingerprint)
        if group is not None:
            if (qid, group.number) in pending:
                pending.discard((qid, group.number))
                entry = _entry(value, consent, organisation, sector, name, public=public)
                entry.campaign = group
                summary.campaign_texts.append(entry)
        elif len(summary.texts) < TEXT_LIMIT:
            summary.texts.append(_entry(value, consent, organisation, sector, name, public=public))
        else:
            summary.truncated = True
            open_questions.discard(qid)
            if not open_questions and not pending:
                return  # every question is full and every campaign has its sample


def _entry(
    value: str, consent: str, organisation: str, sector: str, name: str, *, public: bool
) -> TextEntry:
    if public and consent == Consent.ANONYMOUS:
        return TextEntry(text=value, consent=consent)
    return TextEntry(
        text=value,
        name=name,
        organisation=organisation,
        sector=sector_label(sector) if organisation else "",
        consent=consent,
    )


def table_rows(summary: QuestionSummary, sector_keys: list[tuple[str, str]]) -> list[list[Any]]:
    """Rows of the data table: choice, then a count per sector, then the total."""
    return [
        [c.label, *[c.by_sector.get(k, 0) for k, _l in sector_keys], c.total]
        for c in summary.choices
    ]


def _text_filters(
    session: Session, consultation_id: int, question_id: int, *, public: bool
) -> list[Any]:
    """What the summary quotes of one question: campaign texts left out (the summary shows
    each campaign once), and confidential or withheld ones too when `public`."""
    grouped = [fp for g in campaigns(session, consultation_id) for fp in g.fingerprints]
    where: list[Any] = [
        col(Response.consultation_id) == consultation_id,
        col(Answer.question_id) == question_id,
    ]
    if grouped:
        where.append(col(Response.fingerprint).not_in(grouped))
    if public:
        where += [
            col(Response.consent) != Consent.WITHHELD.value,
            col(Response.confidential).is_(False),
        ]
    return where


def count_text_answers(
    session: Session, consultation_id: int, question_id: int, *, public: bool
) -> int:
    where = _text_filters(session, consultation_id, question_id, public=public)
    query = (
        sa_select(func.count())
        .select_from(Answer)
        .join(Response, col(Response.id) == Answer.response_id)
        .where(*where)
    )
    return int(session.execute(query).scalar_one())


def text_answers(
    session: Session,
    consultation_id: int,
    question_id: int,
    *,
    public: bool,
    offset: int,
    limit: int,
) -> list[TextEntry]:
    """One page of a free-text question's answers in submission order, as the summary
    quotes them."""
    where = _text_filters(session, consultation_id, question_id, public=public)
    rows = session.execute(
        sa_select(
            col(Answer.value),
            col(Response.consent),
            col(Response.on_behalf_of),
            col(Response.sector),
            func.coalesce(col(User.display_name), col(Response.respondent_name)),
        )
        .join(Response, col(Response.id) == Answer.response_id)
        .join(User, col(User.id) == Response.user_id, isouter=True)
        .where(*where)
        .order_by(col(Response.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return [
        _entry(value, consent, organisation, sector, name, public=public)
        for value, consent, organisation, sector, name in rows
    ]
