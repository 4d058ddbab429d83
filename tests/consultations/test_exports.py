"""Response exports: full for chairs and secretariat, public by consent, streamed in
batches, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from consultations.lifecycle.models import Consultation
from consultations.questions.models import Question
from consultations.responses import export as exports
from tests.consultations.conftest import CLOSES
from tests.consultations.factories import Clock, add_question, respond
from tests.factories import World, make_user
from workspace.runtime import Runtime


@pytest.fixture
def qs(rt: Runtime, consultation: Consultation) -> dict[str, Question]:
    return {
        "scale": add_question(rt, consultation, "Do you agree?", "scale"),
        "multiple": add_question(
            rt, consultation, "Which apply?", "multiple", choices=["Builder", "Council"]
        ),
        "why": add_question(rt, consultation, "Why?", "free_text"),
    }


@pytest.fixture
def filled(
    rt: Runtime, world: World, clock: Clock, consultation: Consultation, qs: dict[str, Question]
) -> Consultation:
    s, m, w = (qs[k].id or 0 for k in ("scale", "multiple", "why"))
    named = make_user(rt, "Nadia Named", email="nadia@example.org")
    anon = make_user(rt, "Arthur Anon", email="arthur@example.org")
    withheld = make_user(rt, "Wendy Withheld", email="wendy@example.org")
    respond(
        rt,
        consultation,
        named,
        {s: "Agree", m: ["Builder", "Council"], w: '=HYPERLINK("http://evil")'},
        organisation="Home Builders Federation",
        sector="industry",
        consent="named",
    )
    respond(
        rt,
        consultation,
        anon,
        {s: "Disagree", w: "Too costly, “really”."},
        organisation="Acme Homes",
        sector="industry",
        consent="anonymous",
    )
    respond(rt, consultation, withheld, {s: "Agree", w: "Private view"}, consent="withheld")
    clock.now = CLOSES + timedelta(days=1)
    return consultation


def url(consultation: Consultation, fmt: str, scope: str | None = None) -> str:
    path = f"/consultations/{consultation.slug}/export/responses.{fmt}"
    return f"{path}?scope={scope}" if scope else path


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_full_csv_has_every_response_with_identity(as_role: Any, filled: Consultation) -> None:
    response = as_role("chair").get(url(filled, "csv", "full"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="zero-carbon-homes-the-draft-responses-full.csv"'
    )
    assert response.headers["cache-control"] == "private, no-store"
    rows = read_csv(response.text)
    assert [(r["respondent_name"], r["respondent_email"], r["consent"]) for r in rows] == [
        ("Nadia Named", "nadia@example.org", "named"),
        ("Arthur Anon", "arthur@example.org", "anonymous"),
        ("Wendy Withheld", "wendy@example.org", "withheld"),
    ]
    assert list(rows[0])[-3:] == ["Q1 Do you agree?", "Q2 Which apply?", "Q3 Why?"]
    assert rows[0]["Q2 Which apply?"] == "Builder; Council"
    assert rows[1]["organisation"] == "Acme Homes"
    assert rows[2]["respondent_type"] == "individual"
    assert rows[2]["organisation"] == ""
    # A formula is defused: spreadsheets show it as text.
    assert rows[0]["Q3 Why?"] == '\'=HYPERLINK("http://evil")'
    assert rows[1]["Q3 Why?"] == "Too costly, “really”."


def test_default_scope_is_full(as_role: Any, filled: Consultation) -> None:
    assert as_role("public").get(url(filled, "csv")).status_code == 403
    assert len(read_csv(as_role("secretariat").get(url(filled, "csv")).text)) == 3


def test_public_exports_follow_consent(
    as_role: Any, filled: Consultation, qs: dict[str, Question]
) -> None:
    visitor = as_role("visitor")
    rows = read_csv(visitor.get(url(filled, "csv", "public")).text)
    assert "respondent_email" not in rows[0]
    assert [(r["respondent_name"], r["organisation"], r["sector"], r["Q3 Why?"]) for r in rows] == [
        ("Nadia Named", "Home Builders Federation", "industry", '\'=HYPERLINK("http://evil")'),
        ("", "", "", "Too costly, “really”."),
    ]
    response = visitor.get(url(filled, "json", "public"))
    assert response.headers["content-type"] == "application/json"
    data = json.loads(response.text)
    assert data["schema"] == "sharedspace.consultation-responses.v1"
    assert data["scope"] == "public"
    assert data["count"] == 2
    assert data["consultation"]["status"] == "closed"
    assert [q["prompt"] for q in data["questions"]] == ["Do you agree?", "Which apply?", "Why?"]
    named, anonymous = data["responses"]
    assert named["respondent"] == {
        "name": "Nadia Named",
        "type": "organisation",
        "organisation": "Home Builders Federation",
        "sector": "industry",
    }
    assert anonymous["respondent"] is None
    assert anonymous["consent"] == "anonymous"
    assert named["answers"] == [
        {"question_id": qs["scale"].id, "value": "Agree"},
        {"question_id": qs["multiple"].id, "value": ["Builder", "Council"]},
        {"question_id": qs["why"].id, "value": '=HYPERLINK("http://evil")'},
    ]
    text = response.text
    for secret in (
        "Private view",
        "Wendy",
        "arthur@example.org",
        "Arthur Anon",
        "Acme Homes",
        "nadia@example.org",
        "_answers_by_id",
    ):
        assert secret not in text


def test_full_json_includes_email_and_withheld(as_role: Any, filled: Consultation) -> None:
    data = as_role("secretariat").get(url(filled, "json", "full")).json()
    assert data["scope"] == "full"
    assert data["count"] == 3
    assert [r["respondent"]["email"] for r in data["responses"]] == [
        "nadia@example.org",
        "arthur@example.org",
        "wendy@example.org",
    ]
    assert data["responses"][2]["answers"][-1]["value"] == "Private view"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("visitor", 303),
        ("public", 403),
        ("member", 403),
        ("observer", 403),
        ("outsider", 403),
        ("chair", 200),
        ("secretariat", 200),
    ],
)
def test_only_chairs_and_secretariat_get_the_full_export(
    as_role: Any, filled: Consultation, role: str, expected: int
) -> None:
    client = as_role(role)
    for fmt in ("csv", "json"):
        assert client.get(url(filled, fmt, "full")).status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("visitor", 303),
        ("public", 403),
        ("member", 403),
        ("observer", 403),
        ("chair", 200),
        ("secretariat", 200),
    ],
)
def test_public_export_waits_for_the_close(
    as_role: Any,
    rt: Runtime,
    clock: Clock,
    consultation: Consultation,
    qs: dict[str, Question],
    role: str,
    expected: int,
) -> None:
    respond(rt, consultation, make_user(rt), {qs["scale"].id or 0: "Agree"})
    response = as_role(role).get(url(consultation, "csv", "public"))
    assert response.status_code == expected
    if expected == 200:
        assert response.headers["cache-control"] == "private, no-store"  # not final yet


def test_unknown_format_or_scope_is_not_found(as_role: Any, filled: Consultation) -> None:
    chair = as_role("chair")
    assert chair.get(url(filled, "xlsx", "public")).status_code == 404
    assert chair.get(url(filled, "csv", "everything")).status_code == 404


def test_rows_stream_in_keyset_batches(
    rt: Runtime,
    world: World,
    clock: Clock,
    consultation: Consultation,
    qs: dict[str, Question],
    monkeypatch: pytest.MonkeyPatch,
    as_role: Any,
) -> None:
    people = [make_user(rt, f"Person {i:02d}") for i in range(7)]
    for i, person in enumerate(people):
        respond(
            rt,
            consultation,
            person,
            {qs["why"].id or 0: f"Answer {i}"},
            consent="withheld" if i in (2, 3) else "named",
        )
    clock.now = CLOSES
    with rt.db.read() as session:
        group = session.get(type(world.group), world.group.id)
    assert group is not None
    dataset = exports.responses_dataset(
        rt.db, consultation, group, [qs["why"]], exports.PUBLIC, clock.now
    )
    monkeypatch.setattr(exports, "BATCH", 2)
    batches = list(
        exports._response_batches(
            rt.db, consultation.id or 0, {qs["why"].id: "free_text"}, public=True, batch=2
        )
    )
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [r["answers"][0]["value"] for b in batches for r in b] == [
        "Answer 0",
        "Answer 1",
        "Answer 4",
        "Answer 5",
        "Answer 6",
    ]
    chunks = list(exports.csv_chunks(dataset))
    assert len(chunks) == 1 + 1  # the header, then one batch at the default size
    response = as_role("visitor").get(url(consultation, "json", "public"))
    data = response.json()
    assert data["count"] == 5
    assert len({r["id"] for r in data["responses"]}) == 5


def test_an_empty_export_is_still_valid(
    as_role: Any, clock: Clock, consultation: Consultation, qs: dict[str, Question]
) -> None:
    clock.now = CLOSES
    visitor = as_role("visitor")
    assert visitor.get(url(consultation, "json", "public")).json()["responses"] == []
    assert read_csv(visitor.get(url(consultation, "csv", "public")).text) == []


def test_other_datasets_plug_into_the_same_writers() -> None:
    """Comments (or anything) stream through the same CSV and JSON writers."""

    def batches() -> Any:
        yield [{"id": 1, "text": "+1 agree", "_hidden": "x"}]
        yield []
        yield [{"id": 2, "text": "Reply"}]

    dataset = exports.Dataset(
        name="comments",
        meta={"schema": "example.v1"},
        columns=[
            exports.Column("id", lambda r: r["id"]),
            exports.Column("text", lambda r: r["text"]),
        ],
        batches=batches,
    )
    data = json.loads("".join(exports.json_chunks(dataset)))
    assert data == {
        "schema": "example.v1",
        "comments": [{"id": 1, "text": "+1 agree"}, {"id": 2, "text": "Reply"}],
        "count": 2,
    }
    rows = read_csv("".join(exports.csv_chunks(dataset)))
    assert rows == [{"id": "1", "text": "'+1 agree"}, {"id": "2", "text": "Reply"}]


def test_every_json_field_is_documented(as_role: Any, filled: Consultation) -> None:
    """docs/consultation-exports.md names every key the JSON export writes."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "consultation-exports.md").read_text()
    data = as_role("chair").get(url(filled, "json", "full")).json()
    keys = set(data) | set(data["consultation"]) | set(data["questions"][0])
    for response in data["responses"]:
        keys |= set(response) | set(response["respondent"] or {})
        for answer in response["answers"]:
            keys |= set(answer)
    assert sorted(k for k in keys if f"`{k}`" not in doc) == []
