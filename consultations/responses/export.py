"""Streamed CSV and JSON exports (shape: docs/consultation-exports.md).

An export is a `Dataset`: metadata, CSV columns and a generator of row batches. The
batches are read by keyset pagination (`id > last ORDER BY id LIMIT n`), each batch in
its own short read, and written out as they come, so 50,000 responses export in the
memory of one batch and no transaction is held open for the whole download.

Responses are one dataset (`responses_dataset`); comments plug in the same way: build a
`Dataset` whose `batches` yields lists of comment dicts and hand it to `stream()`.

Public exports follow each respondent's consent: named responses with the name (and the
organisation responded for), anonymous ones with no name, organisation or sector, and
"not published" ones left out. Full exports (chairs and secretariat) have everything,
email addresses included.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import col, func, select
from starlette.responses import StreamingResponse

from consultations.lifecycle.models import Consultation
from consultations.lifecycle.status import status_of, url
from consultations.questions.models import Answer, Question, QuestionKind
from consultations.questions.service import choices_of
from consultations.responses.models import Consent, Response
from consultations.responses.service import INDIVIDUAL, ORGANISATION
from taskgroups.groups.models import TaskGroup
from workspace.db import Database
from workspace.models import User

BATCH = 1000
FULL, PUBLIC = "full", "public"
SCOPES = (FULL, PUBLIC)
RESPONSES_SCHEMA = "sharedspace.consultation-responses.v1"
# Spreadsheets run cells starting with these as formulas (CSV injection): such cells are
# prefixed with an apostrophe, which spreadsheets show as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Row], Any]


@dataclass
class Dataset:
    name: str  # the JSON key of the rows, and part of the file name
    meta: dict[str, Any]  # JSON fields written before the rows
    columns: list[Column]  # CSV
    batches: Callable[[], Iterator[list[Row]]]


# -- writing any dataset -------------------------------------------------------------------


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_chunks(dataset: Dataset) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # A byte-order mark, so spreadsheets open the file as UTF-8.
    writer.writerow([c.header for c in dataset.columns])
    yield "\ufeff" + buffer.getvalue()
    for batch in dataset.batches():
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([csv_cell(c.value(row)) for c in dataset.columns] for row in batch)
        yield buffer.getvalue()


def json_chunks(dataset: Dataset) -> Iterator[str]:
    head = ", ".join(
        f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in dataset.meta.items()
    )
    yield "{" + head + f", {json.dumps(dataset.name)}: ["
    count = 0
    for batch in dataset.batches():
        if not batch:
            continue
        text = ",".join("\n" + json.dumps(_public_keys(row), ensure_ascii=False) for row in batch)
        yield ("," if count else "") + text
        count += len(batch)
    yield f'\n], "count": {count}}}\n'


def _public_keys(row: Row) -> Row:
    """Keys starting with "_" are helpers for the CSV columns, not part of the JSON."""
    return {k: v for k, v in row.items() if not k.startswith("_")}


def stream(dataset: Dataset, fmt: str, filename: str, *, private: bool) -> StreamingResponse:
    """The dataset as a download, written batch by batch."""
    if fmt == "csv":
        body, media = csv_chunks(dataset), "text/csv; charset=utf-8"
    else:
        body, media = json_chunks(dataset), "application/json"
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}.{fmt}"',
        "Cache-Control": "private, no-store" if private else "public, max-age=60",
    }
    return StreamingResponse(body, media_type=media, headers=headers)


# -- responses -----------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def question_meta(number: int, question: Question) -> dict[str, Any]:
    return {
        "number": number,
        "id": question.id,
        "kind": question.kind,
        "prompt": question.prompt,
        "hint": question.hint,
        "required": question.required,
        "choices": choices_of(question),
    }


def responses_dataset(
    db: Database,
    consultation: Consultation,
    group: TaskGroup,
    questions: list[Question],
    scope: str,
    now: datetime,
) -> Dataset:
    public = scope == PUBLIC
    numbered = list(enumerate(questions, start=1))
    kinds = {q.id: q.kind for q in questions}
    meta = {
        "schema": RESPONSES_SCHEMA,
        "scope": scope,
        "generated_at": _iso(now),
        "consultation": {
            "title": consultation.title,
            "slug": consultation.slug,
            "url": url(consultation),
            "group": {"name": group.name, "slug": group.slug},
            "status": status_of(consultation, now).value,
            "opens_at": _iso(consultation.opens_at),
            "closes_at": _iso(consultation.closes_at),
        },
        "questions": [question_meta(n, q) for n, q in numbered],
    }
    columns = [
        Column("response_id", lambda r: r["id"]),
        Column("submitted_at", lambda r: r["submitted_at"]),
        Column("updated_at", lambda r: r["updated_at"]),
        Column("consent", lambda r: r["consent"]),
        Column("respondent_name", lambda r: _who(r, "name")),
    ]
    if not public:
        columns.append(Column("respondent_email", lambda r: _who(r, "email")))
    columns += [
        Column("respondent_type", lambda r: _who(r, "type")),
        Column("organisation", lambda r: _who(r, "organisation")),
        Column("sector", lambda r: _who(r, "sector")),
        Column("text_fingerprint", lambda r: r["text_fingerprint"]),
        Column("channel", lambda r: r["channel"]),
        Column("event_id", lambda r: r["event_id"]),
    ]
    columns += [Column(f"Q{n} {q.prompt}", _answer_getter(q.id or 0)) for n, q in numbered]

    def batches() -> Iterator[list[Row]]:
        yield from _response_batches(db, consultation.id or 0, kinds, public=public)

    return Dataset(name="responses", meta=meta, columns=columns, batches=batches)


def _who(row: Row, key: str) -> Any:
    respondent = row["respondent"]
    return respondent.get(key) if respondent else None


def _answer_getter(question_id: int) -> Callable[[Row], Any]:
    def get(row: Row) -> Any:
        return row["_answers_by_id"].get(question_id)

    return get


def _response_batches(
    db: Database,
    consultation_id: int,
    kinds: dict[int | None, str],
    *,
    public: bool,
    batch: int = BATCH,
) -> Iterator[list[Row]]:
    last = 0
    while True:
        query = (
            sa_select(
                col(Response.id),
                col(Response.submitted_at),
                col(Response.updated_at),
                col(Response.consent),
                col(Response.on_behalf_of),
                col(Response.sector),
                col(Response.fingerprint),
                func.coalesce(col(User.display_name), col(Response.respondent_name)),
                col(User.email),
                col(Response.channel),
                col(Response.road_show_id),
            )
            .join(User, col(User.id) == Response.user_id, isouter=True)
            .where(col(Response.consultation_id) == consultation_id, col(Response.id) > last)
            .order_by(col(Response.id))
            .limit(batch)
        )
        if public:  # commercially confidential responses are never in a public export
            query = query.where(
                col(Response.consent) != Consent.WITHHELD.value,
                col(Response.confidential).is_(False),
            )
        with db.read() as session:
            rows = session.execute(query).all()
            if not rows:
                return
            high = rows[-1][0]
            answers = session.exec(
                select(Answer.response_id, Answer.question_id, Answer.value)
                .join(Response, col(Response.id) == Answer.response_id)
                .where(
                    Response.consultation_id == consultation_id,
                    col(Answer.response_id) > last,
                    col(Answer.response_id) <= high,
                )
                .order_by(col(Answer.response_id), col(Answer.question_id))
            ).all()
        by_response: dict[int, dict[int, Any]] = {}
        for response_id, question_id, value in answers:
            if question_id in kinds:
                by_response.setdefault(response_id, {})[question_id] = _value(
                    kinds[question_id], value
                )
        yield [_response_row(r, by_response.get(r[0], {}), public=public) for r in rows]
        last = high
        if len(rows) < batch:
            return


def _value(kind: str, value: str) -> Any:
    return json.loads(value) if kind == QuestionKind.MULTIPLE else value


def _response_row(r: Any, answers: dict[int, Any], *, public: bool) -> Row:
    (
        response_id,
        submitted_at,
        updated_at,
        consent,
        organisation,
        sector,
        fingerprint,
        name,
        email,
        channel,
        event_id,
    ) = r
    respondent: dict[str, Any] | None = {"name": name}
    if not public:
        respondent = {"name": name, "email": email}
    elif consent == Consent.ANONYMOUS:
        respondent = None
    if respondent is not None:
        respondent.update(
            {
                "type": ORGANISATION if organisation else INDIVIDUAL,
                "organisation": organisation or None,
                "sector": sector,
            }
        )
    return {
        "id": response_id,
        "submitted_at": _iso(submitted_at),
        "updated_at": _iso(updated_at),
        "consent": consent,
        "respondent": respondent,
        "text_fingerprint": fingerprint or None,
        "channel": channel,
        "event_id": event_id,
        "answers": [{"question_id": qid, "value": value} for qid, value in answers.items()],
        "_answers_by_id": answers,
    }
