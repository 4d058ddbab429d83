"""All the answers to a free-text question, a page at a time (GOV.UK pagination, the list
alone when htmx asks), read on from the summary; a page past the end is the last page and
no page number is ever a server error."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup

from consultations.lifecycle.models import Consultation
from consultations.questions.models import Question
from consultations.summary import answers, tally
from tests.client import soup
from tests.consultations.conftest import CLOSES
from tests.consultations.factories import Clock, add_question, respond
from tests.factories import World, make_user
from workspace.runtime import Runtime


@pytest.fixture
def why(
    rt: Runtime,
    world: World,
    clock: Clock,
    consultation: Consultation,
    monkeypatch: pytest.MonkeyPatch,
) -> Question:
    """Question 2 ("Why?") with seven answers, one of them confidential, pages of three;
    then the consultation closes."""
    monkeypatch.setattr(answers, "PAGE_SIZE", 3)
    monkeypatch.setattr(tally, "TEXT_LIMIT", 2)
    scale = add_question(rt, consultation, "Do you agree?", "scale")
    why = add_question(rt, consultation, "Why?", "free_text")
    for i in range(7):
        consent = "withheld" if i == 4 else "named"
        respond(
            rt,
            consultation,
            make_user(rt, f"Person {i}"),
            {why.id or 0: f"View {i}"},
            consent=consent,
        )
    respond(rt, consultation, make_user(rt), {scale.id or 0: "Agree"})
    clock.now = CLOSES
    return why


def _quoted(page: BeautifulSoup) -> list[str]:
    return [b.get_text() for b in page.select("li.ss-answer blockquote")]


def _path(consultation: Consultation, number: int = 2) -> str:
    return f"/consultations/{consultation.slug}/summary/questions/{number}"


def test_the_summary_links_to_every_answer_page_by_page(
    consultation: Consultation, why: Question, as_role: Any
) -> None:
    visitor = as_role("visitor")
    summary = visitor.page(f"/consultations/{consultation.slug}/summary")
    link = summary.select_one(f"#question-{why.id} a.ss-all-answers")
    assert link is not None
    assert link["href"] == _path(consultation)
    first = visitor.page(str(link["href"]))
    assert _quoted(first) == ["View 0", "View 1", "View 2"]
    nav = first.select_one("nav.govuk-pagination")
    assert nav is not None
    assert nav.select_one(".govuk-pagination__prev") is None
    next_link = nav.select_one(".govuk-pagination__next a")
    assert next_link is not None
    second = visitor.page(str(next_link["href"]))
    # the withheld answer is counted on the summary but never quoted to the public
    assert _quoted(second) == ["View 3", "View 5", "View 6"]
    assert second.select_one(".govuk-pagination__next") is None
    assert second.select_one(".govuk-pagination__prev a")["href"] == _path(consultation) + "?page=1"
    assert second.select_one("ol.ss-answers")["start"] == "4"


def test_the_chair_reads_every_answer_with_its_consent(
    consultation: Consultation, why: Question, as_role: Any
) -> None:
    chair = as_role("chair")
    second = chair.page(_path(consultation) + "?page=2")
    assert _quoted(second) == ["View 3", "View 4", "View 5"]
    tags = [t.get_text(strip=True) for t in second.select(".ss-answer .govuk-tag")]
    assert len(tags) == 3
    public = chair.page(_path(consultation) + "?view=public&page=2")
    assert _quoted(public) == ["View 3", "View 5", "View 6"]
    assert public.select_one(".govuk-pagination__prev a")["href"].endswith("?view=public&page=1")


@pytest.mark.parametrize("page", ["99", "999999999999", "-1", "x", "²", ""])
def test_any_page_number_is_a_page_never_an_error(
    consultation: Consultation, why: Question, as_role: Any, page: str
) -> None:
    response = as_role("visitor").get(_path(consultation) + f"?page={page}")
    assert response.status_code == 200
    quoted = _quoted(soup(response.text))
    # past the end is the last page; anything that is not a page number is the first
    last = ["View 3", "View 5", "View 6"]  # six published answers: two pages of three
    assert quoted == (last if page == "99" else ["View 0", "View 1", "View 2"])


def test_questions_that_are_not_free_text_or_do_not_exist_are_not_found(
    consultation: Consultation, why: Question, as_role: Any
) -> None:
    visitor = as_role("visitor")
    assert visitor.get(_path(consultation, 1)).status_code == 404  # a choice question
    assert visitor.get(_path(consultation, 3)).status_code == 404
    assert visitor.get(_path(consultation, 99999999999)).status_code == 404


def test_htmx_paging_gets_only_the_list(
    consultation: Consultation, why: Question, as_role: Any
) -> None:
    response = as_role("visitor").get(
        _path(consultation) + "?page=2", headers={"HX-Request": "true"}
    )
    fragment = soup(response.text)
    assert fragment.select_one("h1") is None
    assert _quoted(fragment) == ["View 3", "View 5", "View 6"]
    assert fragment.select_one("nav.govuk-pagination") is not None


def test_before_closing_the_answers_are_the_chairs_alone(
    rt: Runtime, consultation: Consultation, clock: Clock, as_role: Any
) -> None:
    add_question(rt, consultation, "Why?", "free_text")
    assert as_role("chair").get(_path(consultation, 1)).status_code == 200
    assert as_role("public").get(_path(consultation, 1)).status_code == 403
