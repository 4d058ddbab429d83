"""The summary of responses: counts per choice split by sector (chart and table), campaign
groups, free text as each respondent consented, who may see it when, and no N+1."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from sqlalchemy import event

from consultations.lifecycle.models import Consultation
from consultations.questions.models import Question
from consultations.summary import tally as summary
from consultations.summary.charts import SECTOR_COLOURS, WHITE, Bar, bar_chart
from tests.client import soup
from tests.consultations.conftest import CLOSES
from tests.consultations.factories import Clock, add_question, respond
from tests.factories import World, make_user
from workspace.runtime import Runtime

SVG = "{http://www.w3.org/2000/svg}"
LETTER = (
    "Please keep the fabric standard at thirty nine kilowatt hours per square metre and "
    "require real on site carbon compliance for every new home built from 2016 onwards."
)


@pytest.fixture
def qs(rt: Runtime, consultation: Consultation) -> dict[str, Question]:
    return {
        "scale": add_question(rt, consultation, "Do you agree?", "scale"),
        "multiple": add_question(
            rt, consultation, "Which apply?", "multiple", choices=["Builder", "Council", "Resident"]
        ),
        "why": add_question(rt, consultation, "Why?", "free_text"),
    }


@pytest.fixture
def filled(
    rt: Runtime, world: World, clock: Clock, consultation: Consultation, qs: dict[str, Question]
) -> Consultation:
    """Six responses from three sectors, then closed."""
    s, m, w = (qs[k].id or 0 for k in ("scale", "multiple", "why"))
    people = [make_user(rt, f"Respondent {i}") for i in range(6)]
    respond(
        rt,
        consultation,
        people[0],
        {s: "Agree", m: ["Builder"], w: "Named view"},
        organisation="Home Builders Federation",
        sector="industry",
        consent="named",
    )
    respond(
        rt,
        consultation,
        people[1],
        {s: "Agree", m: ["Builder", "Council"], w: "Anonymous view"},
        organisation="Acme Homes",
        sector="industry",
        consent="anonymous",
    )
    respond(
        rt,
        consultation,
        people[2],
        {s: "Disagree", m: ["Council"], w: "Secret view"},
        organisation="Leeds City Council",
        sector="local_government",
        consent="withheld",
    )
    for person in people[3:]:  # a campaign: the same letter from three individuals
        respond(rt, consultation, person, {s: "Strongly agree", w: LETTER})
    clock.now = CLOSES
    return consultation


def summary_path(consultation: Consultation) -> str:
    return f"/consultations/{consultation.slug}/summary"


def table(page: BeautifulSoup, selector: str) -> list[list[str]]:
    found = page.select_one(selector)
    assert isinstance(found, Tag), selector
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in found.select("tr")
    ]


def section(page: BeautifulSoup, question: Question) -> Tag:
    found = page.select_one(f"#question-{question.id}")
    assert isinstance(found, Tag)
    return found


def test_counts_per_choice_are_split_by_sector(
    as_role: Any, filled: Consultation, qs: dict[str, Question]
) -> None:
    page = as_role("visitor").page(summary_path(filled))
    assert page.select_one("#total-responses").get_text(strip=True) == "6 responses."
    assert table(page, "#sector-table") == [
        ["Sector", "Responses"],
        ["Industry", "2"],
        ["Local government", "1"],
        ["Individuals", "3"],
    ]
    assert table(page, f"#question-{qs['scale'].id}-table") == [
        ["Answer", "Industry", "Local government", "Individuals", "Total"],
        ["Strongly agree", "0", "0", "3", "3"],
        ["Agree", "2", "0", "0", "2"],
        ["Neither agree nor disagree", "0", "0", "0", "0"],
        ["Disagree", "0", "1", "0", "1"],
        ["Strongly disagree", "0", "0", "0", "0"],
    ]
    # Multiple choice: each ticked choice counts once per person.
    assert table(page, f"#question-{qs['multiple'].id}-table")[1:] == [
        ["Builder", "2", "0", "0", "2"],
        ["Council", "1", "1", "0", "2"],
        ["Resident", "0", "0", "0", "0"],
    ]
    answered = section(page, qs["multiple"]).select_one("p.ss-muted").get_text()
    assert answered.endswith("3 of 6 answered")


def test_each_chart_is_an_accessible_svg_matching_its_table(
    as_role: Any, filled: Consultation, qs: dict[str, Question]
) -> None:
    page = as_role("visitor").page(summary_path(filled))
    svg_tag = section(page, qs["scale"]).select_one("figure svg")
    root = ET.fromstring(str(svg_tag))  # noqa: S314 - our own output; must be well formed
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby", "").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert title.get("id") == title_id
    assert desc is not None
    assert desc.get("id") == desc_id
    assert title.text == "Answers to question 1, by sector"
    assert desc.text is not None
    assert "Agree: 2 responses (Industry 2)." in desc.text
    assert "Strongly agree: 3 responses (Individuals 3)." in desc.text
    bars = {
        g.get("data-choice"): g for g in root.iter(f"{SVG}g") if g.get("class") == "ss-chart__bar"
    }
    assert list(bars) == [
        "Strongly agree",
        "Agree",
        "Neither agree nor disagree",
        "Disagree",
        "Strongly disagree",
    ]
    segments = {
        choice: [
            (r.get("data-sector"), int(r.get("data-count", "0"))) for r in g.iter(f"{SVG}rect")
        ]
        for choice, g in bars.items()
    }
    assert segments["Agree"] == [("industry", 2)]
    assert segments["Disagree"] == [("local_government", 1)]
    assert segments["Neither agree nor disagree"] == []
    widths = {
        c: sum(float(r.get("width", "0")) for r in g.iter(f"{SVG}rect")) for c, g in bars.items()
    }
    assert widths["Strongly agree"] > widths["Agree"] > widths["Disagree"] > 0
    legend = [
        g.get("data-sector") for g in root.iter(f"{SVG}g") if g.get("class") == "ss-chart__key"
    ]
    assert legend == ["industry", "local_government", "individual"]
    # Every id on the page is unique, charts included.
    ids = [tag["id"] for tag in page.select("[id]")]
    assert len(ids) == len(set(ids))


def test_sector_colours_keep_white_text_readable() -> None:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in SECTOR_COLOURS.values():
        assert (luminance(WHITE) + 0.05) / (luminance(colour) + 0.05) >= 4.5, colour
    assert len(set(SECTOR_COLOURS.values())) == len(SECTOR_COLOURS)


def test_chart_escapes_labels_and_handles_no_answers() -> None:
    svg = bar_chart(
        [Bar("<b>A & B</b>", 0, {})], [("industry", "Industry")], title="T <x>", id_prefix="c1"
    )
    root = ET.fromstring(str(svg))  # noqa: S314
    assert root.find(f"{SVG}title").text == "T <x>"  # type: ignore[union-attr]
    assert next(t.text for t in root.iter(f"{SVG}text")) == "<b>A & B</b>"
    assert list(root.iter(f"{SVG}rect")) == []
    with pytest.raises(ValueError, match="plain HTML id"):
        bar_chart([], [], title="t", id_prefix="1 bad")


def test_free_text_follows_consent_for_the_public(
    as_role: Any, filled: Consultation, qs: dict[str, Question]
) -> None:
    page = as_role("public").page(summary_path(filled))
    answers = section(page, qs["why"]).select("li.ss-answer")
    shown = [
        (
            a.select_one("blockquote").get_text(),
            a.select_one(".ss-answer__who").get_text(" ", strip=True),
        )
        for a in answers
    ]
    assert shown == [
        ("Named view", "Respondent 0, on behalf of Home Builders Federation (Industry)"),
        ("Anonymous view", "Anonymous response"),
    ]
    main = page.select_one("main").get_text(" ")
    assert "Secret view" not in main
    assert "Respondent 1" not in main
    assert "Acme Homes" not in main
    assert page.select_one("#full-downloads") is None


def test_chairs_see_every_answer_with_identity(
    as_role: Any, filled: Consultation, qs: dict[str, Question]
) -> None:
    chair = as_role("chair")
    page = chair.page(summary_path(filled))
    answers = section(page, qs["why"]).select("li.ss-answer")
    who = [a.select_one(".ss-answer__who").get_text(" ", strip=True) for a in answers]
    assert who == [
        "Respondent 0, on behalf of Home Builders Federation (Industry) Published with name",
        "Respondent 1, on behalf of Acme Homes (Industry) Published anonymously",
        "Respondent 2, on behalf of Leeds City Council (Local government) Not for publication",
    ]
    assert page.select_one("#full-downloads") is not None
    # The chair can check what the public sees.
    public_view = chair.page(summary_path(filled) + "?view=public")
    texts = [
        b.get_text() for b in section(public_view, qs["why"]).select("li.ss-answer blockquote")
    ]
    assert texts == ["Named view", "Anonymous view"]


def test_campaign_responses_are_counted_as_a_group(
    as_role: Any, filled: Consultation, qs: dict[str, Question]
) -> None:
    page = as_role("visitor").page(summary_path(filled))
    groups = [
        (li["data-count"], li.get_text(" ", strip=True))
        for li in page.select("#campaign-groups li")
    ]
    assert groups == [("3", "Campaign group 1: 3 responses share identical text")]
    why = section(page, qs["why"])
    campaign = why.select(".ss-campaign-text")
    assert len(campaign) == 1
    assert campaign[0].select_one("blockquote").get_text() == LETTER
    # Shown once, not three times, and still counted in full.
    assert [b.get_text() for b in why.select("li.ss-answer blockquote")].count(LETTER) == 0
    assert table(page, f"#question-{qs['scale'].id}-table")[1][-1] == "3"


def test_long_free_text_lists_are_cut_with_a_pointer_to_the_exports(
    rt: Runtime,
    world: World,
    clock: Clock,
    consultation: Consultation,
    qs: dict[str, Question],
    monkeypatch: pytest.MonkeyPatch,
    as_role: Any,
) -> None:
    monkeypatch.setattr(summary, "TEXT_LIMIT", 2)
    for i in range(4):
        respond(rt, consultation, make_user(rt), {qs["why"].id or 0: f"View number {i}"})
    clock.now = CLOSES
    page = as_role("visitor").page(summary_path(consultation))
    why = section(page, qs["why"])
    assert [b.get_text() for b in why.select("li.ss-answer blockquote")] == [
        "View number 0",
        "View number 1",
    ]
    assert "Showing the first 2 answers." in why.get_text(" ")


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
def test_while_open_only_chairs_and_secretariat_see_the_summary(
    as_role: Any, consultation: Consultation, qs: dict[str, Question], role: str, expected: int
) -> None:
    response = as_role(role).get(summary_path(consultation))
    assert response.status_code == expected
    if expected == 403:
        assert "published when the consultation closes" in soup(response.text).get_text()


@pytest.mark.parametrize("role", ["visitor", "public", "member", "observer"])
def test_once_closed_everyone_sees_the_summary(
    as_role: Any, filled: Consultation, role: str
) -> None:
    page = as_role(role).page(summary_path(filled))
    assert page.title.get_text() == (
        "Summary of responses: Zero carbon homes: the draft – Shared Space"
    )


def test_the_summary_costs_the_same_queries_for_few_or_many_responses(
    rt: Runtime, world: World, clock: Clock, consultation: Consultation, qs: dict[str, Question]
) -> None:
    s, m, w = (qs[k].id or 0 for k in ("scale", "multiple", "why"))

    def add(n: int) -> None:
        for i in range(n):
            respond(
                rt,
                consultation,
                make_user(rt),
                {s: "Agree", m: ["Council"], w: f"Reason {i}"},
                organisation=f"Org {i}",
                sector=["industry", "academic"][i % 2],
            )

    add(3)
    few = _count_queries(rt, consultation)
    add(30)
    many = _count_queries(rt, consultation)
    assert few == many <= 8


def _count_queries(rt: Runtime, consultation: Consultation) -> int:
    with _counting(rt) as seen, rt.db.read() as session:
        built = summary.build(session, consultation.id or 0, public=False)
        assert built.total > 0
    return len(seen)


@contextmanager
def _counting(rt: Runtime) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(rt.db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", before)
