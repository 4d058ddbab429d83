"""The chair's questions: added, edited, reordered and removed while the consultation is a
draft; refused with a clear message once it opens; refused to everyone but the group's
chairs and the secretariat."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import col, select

from consultations.lifecycle.models import Consultation
from consultations.questions.models import Question
from tests.client import error_summary, soup
from tests.consultations.factories import Clock, add_question, make_consultation
from tests.factories import World
from workspace.models import ActivityEvent
from workspace.runtime import Runtime

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(rt: Runtime) -> Clock:
    clock = Clock(NOW)
    rt.clock = clock
    return clock


@pytest.fixture
def draft(rt: Runtime, world: World, clock: Clock) -> Consultation:
    """Opens in a week."""
    return make_consultation(
        rt, world, opens_at=NOW + timedelta(days=7), closes_at=NOW + timedelta(days=60)
    )


def path(consultation: Consultation, rest: str = "") -> str:
    return f"/consultations/{consultation.slug}/questions{rest}"


def stored(rt: Runtime, consultation: Consultation) -> list[Question]:
    with rt.db.read() as session:
        return list(
            session.exec(
                select(Question)
                .where(Question.consultation_id == consultation.id)
                .order_by(col(Question.position))
            )
        )


def listed(page: BeautifulSoup) -> list[str]:
    return [h.get_text(" ", strip=True) for h in page.select("ol.ss-card-list > li h2")]


def test_chair_adds_each_kind_of_question(as_role: Any, rt: Runtime, draft: Consultation) -> None:
    chair = as_role("chair")
    forms = [
        {"prompt": "Why?", "kind": "free_text", "required": "yes"},
        {"prompt": "Do you agree with tier 1?", "kind": "scale", "hint": "Fabric first"},
        {
            "prompt": "Which tier matters most?",
            "kind": "single",
            "choices": "Energy efficiency\n\n  Carbon compliance  \n"
            "energy efficiency\nAllowable solutions",
        },
        {"prompt": "Which apply to you?", "kind": "multiple", "choices": "Builder\nCouncil"},
    ]
    for form in forms:
        response = chair.submit(path(draft), form)
        assert response.status_code == 303, error_summary(soup(response.text))
        assert response.headers["location"].startswith(path(draft) + "#question-")
    questions = stored(rt, draft)
    assert [(q.kind, q.required) for q in questions] == [
        ("free_text", True),
        ("scale", False),
        ("single", False),
        ("multiple", False),
    ]
    # Blank lines and repeated choices (ignoring case) are dropped; the order is kept.
    assert json.loads(questions[2].choices) == [
        "Energy efficiency",
        "Carbon compliance",
        "Allowable solutions",
    ]
    assert questions[1].hint == "Fabric first"
    page = chair.page(path(draft))
    assert listed(page) == [
        "Question 1: Why?",
        "Question 2: Do you agree with tier 1?",
        "Question 3: Which tier matters most?",
        "Question 4: Which apply to you?",
    ]
    scale_card = page.select("ol.ss-card-list > li")[1]
    assert [li.get_text() for li in scale_card.select("ul li")] == [
        "Strongly agree",
        "Agree",
        "Neither agree nor disagree",
        "Disagree",
        "Strongly disagree",
    ]
    with rt.db.read() as session:
        events = session.exec(
            select(ActivityEvent).where(ActivityEvent.verb == "question.added")
        ).all()
    assert len(events) == 4
    assert {e.visibility for e in events} == {"group"}


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({"kind": "scale"}, ["Enter the question"]),
        (
            {"prompt": "Which?", "kind": "single", "choices": "Only one"},
            ["Enter at least 2 different choices, one on each line"],
        ),
        (
            {"prompt": "Which?", "kind": "multiple", "choices": "A\na\n A "},
            ["Enter at least 2 different choices, one on each line"],
        ),
        (
            {
                "prompt": "Which?",
                "kind": "multiple",
                "choices": "\n".join(f"C{i}" for i in range(21)),
            },
            ["Enter 20 choices or fewer"],
        ),
        (
            {"prompt": "Which?", "kind": "single", "choices": "A\n" + "x" * 201},
            ["Each choice must be 200 characters or fewer"],
        ),
        ({"prompt": "Why?"}, ["Select the kind of answer"]),
        ({"prompt": "Why?", "kind": "essay"}, ["Select the kind of answer"]),
        (
            {"prompt": "x" * 501, "kind": "free_text"},
            ["The question must be 500 characters or fewer"],
        ),
    ],
)
def test_invalid_questions_are_refused_keeping_the_input(
    as_role: Any, rt: Runtime, draft: Consultation, form: dict[str, str], errors: list[str]
) -> None:
    chair = as_role("chair")
    response = chair.submit(path(draft), form)
    assert response.status_code == 400
    page = soup(response.text)
    assert error_summary(page) == errors
    assert page.title.get_text().startswith("Error: ")
    assert page.select_one("#prompt")["value"] == form.get("prompt", "")
    assert page.select_one("#choices").get_text() == form.get("choices", "")
    for link in page.select(".govuk-error-summary a"):
        assert page.select_one(link["href"]) is not None
    assert stored(rt, draft) == []


def test_choices_are_ignored_for_free_text_and_scale(
    as_role: Any, rt: Runtime, draft: Consultation
) -> None:
    as_role("chair").submit(path(draft), {"prompt": "Agree?", "kind": "scale", "choices": "x"})
    assert stored(rt, draft)[0].choices == "[]"


def test_chair_edits_a_question(as_role: Any, rt: Runtime, draft: Consultation) -> None:
    question = add_question(rt, draft, "Which?", "single", choices=["A", "B"], required=True)
    chair = as_role("chair")
    page = chair.page(path(draft, f"/{question.id}/edit"))
    assert page.select_one("#prompt")["value"] == "Which?"
    assert page.select_one("#choices").get_text() == "A\nB"
    assert page.select_one("input[name=kind][checked]")["value"] == "single"
    assert page.select_one("input[name=required]").has_attr("checked")
    response = chair.submit(
        path(draft, f"/{question.id}/edit"),
        {"prompt": "Which one?", "kind": "multiple", "choices": "A\nB\nC"},
    )
    assert response.status_code == 303
    saved = stored(rt, draft)[0]
    assert (saved.prompt, saved.kind, saved.required) == ("Which one?", "multiple", False)
    assert json.loads(saved.choices) == ["A", "B", "C"]


def test_chair_reorders_and_removes_questions(
    as_role: Any, rt: Runtime, draft: Consultation
) -> None:
    first, second, third = (
        add_question(rt, draft, p, "free_text") for p in ("One", "Two", "Three")
    )
    chair = as_role("chair")
    assert chair.submit(path(draft, f"/{third.id}/move"), {"direction": "up"}).status_code == 303
    assert [q.prompt for q in stored(rt, draft)] == ["One", "Three", "Two"]
    assert chair.submit(path(draft, f"/{first.id}/move"), {"direction": "down"}).status_code == 303
    assert [q.prompt for q in stored(rt, draft)] == ["Three", "One", "Two"]
    # Moving past either end changes nothing.
    chair.submit(path(draft, f"/{third.id}/move"), {"direction": "up"})
    assert [q.prompt for q in stored(rt, draft)] == ["Three", "One", "Two"]
    assert chair.submit(path(draft, f"/{first.id}/remove")).status_code == 303
    assert [q.prompt for q in stored(rt, draft)] == ["Three", "Two"]
    page = chair.page(path(draft))
    assert listed(page) == ["Question 1: Three", "Question 2: Two"]
    # The page offers only the moves that make sense, each with a unique name.
    buttons = [b.get_text(" ", strip=True) for b in page.select("ol.ss-card-list button")]
    assert buttons == [
        "Move down question 1",
        "Remove question 1",
        "Move up question 2",
        "Remove question 2",
    ]
    assert second.id is not None


def test_bad_move_and_unknown_question(as_role: Any, rt: Runtime, draft: Consultation) -> None:
    question = add_question(rt, draft, "One", "free_text")
    chair = as_role("chair")
    assert (
        chair.submit(path(draft, f"/{question.id}/move"), {"direction": "sideways"}).status_code
        == 400
    )
    assert chair.get(path(draft, "/999999/edit")).status_code == 404
    assert chair.submit(path(draft, "/999999/remove")).status_code == 404
    assert chair.get(path(draft, "/not-a-number/edit")).status_code == 404


def test_questions_of_another_consultation_are_not_reachable(
    as_role: Any, rt: Runtime, world: World, draft: Consultation
) -> None:
    other = make_consultation(
        rt,
        world,
        title="Another one",
        opens_at=NOW + timedelta(days=7),
        closes_at=NOW + timedelta(days=60),
    )
    question = add_question(rt, other, "Theirs", "free_text")
    chair = as_role("chair")
    assert chair.submit(path(draft, f"/{question.id}/remove")).status_code == 404
    assert [q.prompt for q in stored(rt, other)] == ["Theirs"]


def test_once_open_every_change_is_refused_clearly(
    as_role: Any, rt: Runtime, clock: Clock, draft: Consultation
) -> None:
    question = add_question(rt, draft, "One", "free_text")
    chair = as_role("chair")
    clock.now = draft.opens_at  # the moment it opens
    page = chair.page(path(draft))
    assert listed(page) == ["Question 1: One"]
    assert page.select_one("main form[action$='/questions']") is None
    assert "can no longer change" in page.select_one(".govuk-inset-text").get_text()
    attempts = [
        chair.submit(path(draft), {"prompt": "Late", "kind": "free_text"}),
        chair.submit(path(draft, f"/{question.id}/edit"), {"prompt": "Late", "kind": "scale"}),
        chair.get(path(draft, f"/{question.id}/edit")),
        chair.submit(path(draft, f"/{question.id}/remove")),
        chair.submit(path(draft, f"/{question.id}/move"), {"direction": "down"}),
    ]
    for response in attempts:
        assert response.status_code == 409
        assert error_summary(soup(response.text)) == [
            "This consultation is open, so what respondents read can no longer change."
        ]
    assert [(q.prompt, q.kind) for q in stored(rt, draft)] == [("One", "free_text")]
    clock.now = draft.closes_at + timedelta(days=1)
    response = chair.submit(path(draft), {"prompt": "Later", "kind": "free_text"})
    assert response.status_code == 409
    assert error_summary(soup(response.text)) == [
        "This consultation has closed. Responses and comments can no longer be changed."
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("visitor", 404),
        ("public", 404),
        ("outsider", 404),  # a draft is not advertised
        ("member", 403),
        ("observer", 403),
        ("chair", 200),
        ("secretariat", 200),
    ],
)
def test_only_chairs_and_secretariat_manage_questions_of_a_draft(
    as_role: Any, rt: Runtime, draft: Consultation, role: str, expected: int
) -> None:
    question = add_question(rt, draft, "One", "free_text")
    client = as_role(role)
    assert client.get(path(draft)).status_code == expected
    post = client.submit(path(draft), {"prompt": "Mine", "kind": "free_text"}).status_code
    assert post == (303 if expected == 200 else expected)
    assert client.submit(path(draft, f"/{question.id}/remove")).status_code == (
        303 if expected == 200 else expected
    )


def test_refusals_once_open_name_the_rule(
    as_role: Any, rt: Runtime, clock: Clock, draft: Consultation
) -> None:
    clock.now = draft.opens_at + timedelta(hours=1)
    visitor = as_role("visitor").get(path(draft))
    assert visitor.status_code == 303
    assert visitor.headers["location"].startswith("/account/sign-in?next=")
    public = as_role("public").get(path(draft))
    assert public.status_code == 403
    assert (
        "Only the chairs of this task group and the secretariat can do this."
        in soup(public.text).select_one("main").get_text()
    )
    observer = as_role("observer").get(path(draft))
    assert observer.status_code == 403
    assert (
        "Government observers follow the work but do not take part in it."
        in soup(observer.text).select_one("main").get_text()
    )
