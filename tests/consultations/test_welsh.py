"""Consultations in Welsh (docs/i18n.md): the pages, messages and dates follow the
reader's language; what people write, and the answers as stored, stay as they were.

The comment thread is stored once, in English, and rendered again for Welsh readers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from consultations.comments.live import relay
from consultations.comments.models import Comment
from consultations.lifecycle.models import Consultation
from consultations.questions.models import Answer, Question
from tests.client import HubClient, error_summary, soup
from tests.consultations.factories import add_question, make_consultation, post_comment
from tests.factories import World
from workspace.events import CommentChanged
from workspace.runtime import Runtime

WELSH_TEXT = "Cartrefi cynnes, biliau isel."


def in_welsh(client: HubClient) -> HubClient:
    """The reader chose Cymraeg with the header's switcher."""
    chosen = client.submit("/language", {"lang": "cy", "next": "/"})
    assert chosen.status_code == 303
    return client


@pytest.fixture
def questions(rt: Runtime, consultation: Consultation) -> dict[str, Question]:
    return {
        "scale": add_question(rt, consultation, "Do you agree?", "scale", required=True),
        "why": add_question(rt, consultation, "Why?", "free_text"),
    }


def labels_by_value(page: BeautifulSoup, name: str) -> dict[str, str]:
    """Each radio's value and the text of its label."""
    found = {}
    for radio in page.select(f"input[name='{name}']"):
        label = page.select_one(f"label[for='{radio['id']}']")
        assert label is not None
        found[str(radio["value"])] = label.get_text(strip=True)
    return found


def test_a_response_in_welsh_is_stored_as_answered(
    as_role: Any, rt: Runtime, consultation: Consultation, questions: dict[str, Question]
) -> None:
    member = in_welsh(as_role("member"))
    path = f"/consultations/{consultation.slug}/respond"
    page = member.page(path)
    assert page.html["lang"] == "cy"
    assert page.h1.get_text(strip=True) == "Ymateb i’r ymgynghoriad hwn"
    scale = f"q-{questions['scale'].id}"
    # The scale's points are offered in Welsh but sent as the stored English values.
    assert labels_by_value(page, scale)["Agree"] == "Cytuno"
    assert labels_by_value(page, scale)["Strongly disagree"] == "Anghytuno’n gryf"
    assert page.select_one("#sector option[value='industry']").get_text(strip=True) == "Diwydiant"
    count = page.select_one(f"#q-{questions['why'].id}-info")
    assert count.get_text(strip=True) == "Gallwch ddefnyddio hyd at 10000 nod"

    missing = member.submit(path, {"respondent_type": "individual", "consent": "named"})
    assert missing.status_code == 400
    assert "Dewiswch ateb i gwestiwn 1" in error_summary(soup(missing.text))

    form = {
        scale: "Agree",
        f"q-{questions['why'].id}": WELSH_TEXT,
        "respondent_type": "individual",
        "consent": "named",
    }
    check = member.submit(path, {**form, "step": "check"})
    assert check.status_code == 200
    checked = soup(check.text)
    assert checked.h1.get_text(strip=True) == "Gwiriwch eich ymateb cyn ei anfon"
    values = [dd.get_text(strip=True) for dd in checked.select(".govuk-summary-list__value")]
    assert "Cytuno" in values
    assert WELSH_TEXT in values

    sent = member.submit(path, {**form, "step": "send"})
    assert sent.status_code == 303
    with rt.db.read() as session:
        stored = dict(session.exec(select(Answer.question_id, Answer.value)).all())
    assert stored == {questions["scale"].id: "Agree", questions["why"].id: WELSH_TEXT}
    mine = member.page(f"/consultations/{consultation.slug}/response")
    assert mine.h1.get_text(strip=True) == "Eich ymateb"
    answers = [dd.get_text(strip=True) for dd in mine.select("#answers dd")]
    assert answers == ["Cytuno", WELSH_TEXT]


def test_dates_and_status_follow_the_language(as_role: Any, consultation: Consultation) -> None:
    english = as_role("visitor").page(f"/consultations/{consultation.slug}")
    welsh = in_welsh(as_role("visitor")).page(f"/consultations/{consultation.slug}")
    status = {
        page.html["lang"]: next(
            p for p in page.select("main p.govuk-body") if p.select(".govuk-tag")
        )
        for page in (english, welsh)
    }
    assert "Closes 1 June 2026 17:00 (UK time)." in status["en"].get_text(" ", strip=True)
    assert "Yn cau 1 Mehefin 2026 17:00 (amser y DU)." in status["cy"].get_text(" ", strip=True)
    assert status["cy"].select_one(".govuk-tag").get_text(strip=True) == "Ar agor"


def reply_links(page: BeautifulSoup) -> list[str]:
    return [
        a.find(string=True, recursive=False).strip() for a in page.select(".ss-comment__reply a")
    ]


def test_the_thread_is_stored_in_english_and_read_in_welsh(
    as_role: Any, rt: Runtime, world: World, consultation: Consultation
) -> None:
    post_comment(rt, consultation, world.users["member"], "Da iawn.")
    welsh = in_welsh(as_role("public"))
    posted = welsh.submit(f"/consultations/{consultation.slug}/comments", {"comment": WELSH_TEXT})
    assert posted.status_code == 303
    with rt.db.read() as session:
        stored = session.exec(select(Comment).order_by(Comment.id)).all()  # type: ignore[arg-type]
    # Whoever wrote it and in whichever language, the stored fragment is English.
    assert all(">Reply<" in c.html and ">Ateb<" not in c.html for c in stored)
    assert [c.body for c in stored] == ["Da iawn.", WELSH_TEXT]

    page = welsh.page(f"/consultations/{consultation.slug}")
    assert reply_links(page) == ["Ateb", "Ateb"]
    bodies = [p.get_text(strip=True) for p in page.select(".ss-comment__body")]
    assert bodies == ["Da iawn.", WELSH_TEXT]
    english = as_role("visitor").page(f"/consultations/{consultation.slug}")
    assert reply_links(english) == ["Reply", "Reply"]

    feed = welsh.get(f"/consultations/{consultation.slug}/comments?after=0").json()
    fragments = [soup(change["html"]) for change in feed["changes"]]
    assert [reply_links(f) for f in fragments] == [["Ateb"], ["Ateb"]]


def test_every_page_a_chair_runs_a_consultation_from_is_in_welsh(
    as_role: Any, rt: Runtime, world: World, consultation: Consultation, clock: Any
) -> None:
    """A chair reading in Welsh: every page of running a consultation answers, in Welsh,
    with a heading of its own (not the English one)."""
    now = clock.now
    draft = make_consultation(
        rt,
        world,
        title="A draft",
        opens_at=now + timedelta(days=5),
        closes_at=now + timedelta(days=40),
    )
    closed = make_consultation(
        rt,
        world,
        title="A closed one",
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=1),
    )
    add_question(rt, consultation, "Do you agree?", "scale")
    post_comment(rt, consultation, world.users["member"], "Da iawn.")
    pages = [
        "/consultations/",
        f"/consultations/new?group={world.group.slug}",
        *(
            f"/consultations/{consultation.slug}{tail}"
            for tail in (
                "/questions",
                "/invitations",
                "/moderation",
                "/summary",
                "/events",
                "/events/new",
                "/responses/enter",
                "/comments",
            )
        ),
        f"/consultations/{draft.slug}/edit",
        f"/consultations/{closed.slug}/outcome/edit",
        f"/consultations/{closed.slug}/summary",
    ]
    chair = as_role("chair")
    # The chair's choice is saved on their account, so read the English pages first.
    english = {path: chair.page(path).h1.get_text(strip=True) for path in pages}
    in_welsh(chair)
    for path in pages:
        page = chair.page(path)
        assert page.html["lang"] == "cy", path
        assert page.h1.get_text(strip=True) != english[path], path


def test_a_live_comment_reaches_each_reader_in_the_language_of_their_page(
    rt: Runtime, world: World, consultation: Consultation
) -> None:
    """The live broadcast carries the stored English fragment and the Welsh one beside
    it (`html_localised`); the page's script shows a Welsh reader the Welsh one."""
    events: list[CommentChanged] = []
    rt.events.subscribe(CommentChanged, events.append)
    post_comment(rt, consultation, world.users["member"], WELSH_TEXT)
    (event,) = events
    assert reply_links(soup(event.html)) == ["Reply"]
    assert set(event.html_localised) == {"cy"}
    welsh = soup(event.html_localised["cy"])
    assert reply_links(welsh) == ["Ateb"]
    assert welsh.select_one(".ss-comment__body").get_text(strip=True) == WELSH_TEXT  # type: ignore[union-attr]
    relayed = relay().message(event)  # what the live room sends
    assert relayed["html_localised"] == event.html_localised
