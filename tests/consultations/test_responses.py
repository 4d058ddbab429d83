"""Responding: one response per person, open by the clock, editable until close, kept on
every error, refused to observers, and recorded without exposing who responded."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from consultations.lifecycle.models import Consultation
from consultations.lifecycle.status import WrongStatus
from consultations.questions.models import Answer, Question
from consultations.responses import service as responses
from consultations.responses.models import Response
from tests.client import error_summary, soup
from tests.consultations.conftest import CLOSES, OPENS
from tests.consultations.factories import Clock, add_question, respond
from tests.definitions.factories import viewer_for
from tests.factories import World
from workspace import activity
from workspace.models import ActivityEvent
from workspace.runtime import Runtime


@pytest.fixture
def questions(rt: Runtime, consultation: Consultation) -> dict[str, Question]:
    return {
        "scale": add_question(
            rt, consultation, "Do you agree with the three tiers?", "scale", required=True
        ),
        "single": add_question(
            rt,
            consultation,
            "Which tier matters most?",
            "single",
            choices=["Energy efficiency", "Carbon compliance", "Allowable solutions"],
        ),
        "multiple": add_question(
            rt,
            consultation,
            "Which describe you?",
            "multiple",
            choices=["Builder", "Council", "Resident"],
            required=True,
        ),
        "why": add_question(rt, consultation, "Why?", "free_text", hint="In your own words"),
    }


def respond_path(consultation: Consultation) -> str:
    return f"/consultations/{consultation.slug}/respond"


def good_form(q: dict[str, Question], **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        f"q-{q['scale'].id}": "Agree",
        f"q-{q['single'].id}": "Carbon compliance",
        f"q-{q['multiple'].id}": ["Resident", "Builder"],
        f"q-{q['why'].id}": "Warm homes,\nlow bills.",
        "respondent_type": "individual",
        "consent": "named",
    }
    form.update(changes)
    return form


def stored(rt: Runtime, consultation: Consultation) -> list[tuple[Response, dict[int, str]]]:
    with rt.db.read() as session:
        found = session.exec(
            select(Response).where(Response.consultation_id == consultation.id)
        ).all()
        return [
            (
                r,
                dict(
                    session.exec(
                        select(Answer.question_id, Answer.value).where(Answer.response_id == r.id)
                    ).all()
                ),
            )
            for r in found
        ]


def main_text(page: BeautifulSoup) -> str:
    return page.select_one("main").get_text(" ", strip=True)


# -- the clock ----------------------------------------------------------------------------


def test_respond_follows_the_clock(
    as_role: Any,
    rt: Runtime,
    clock: Clock,
    consultation: Consultation,
    questions: dict[str, Question],
) -> None:
    member = as_role("member")  # a member can read the draft, so is told it is not open
    clock.now = OPENS - timedelta(seconds=1)
    before = member.get(respond_path(consultation))
    assert before.status_code == 409
    assert soup(before.text).h1.get_text() == "This consultation is not open yet"
    refused = member.submit(respond_path(consultation), good_form(questions))
    assert refused.status_code == 409
    assert stored(rt, consultation) == []

    clock.now = OPENS
    assert member.get(respond_path(consultation)).status_code == 200
    sent = member.submit(respond_path(consultation), good_form(questions))
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/consultations/{consultation.slug}/response"

    clock.now = CLOSES - timedelta(seconds=1)  # edit until the last second
    page = member.page(respond_path(consultation))
    assert page.h1.get_text() == "Change your response"
    changed = member.submit(
        respond_path(consultation),
        good_form(questions, **{f"q-{questions['scale'].id}": "Disagree"}),
    )
    assert changed.status_code == 303
    [(response, answers)] = stored(rt, consultation)
    assert answers[questions["scale"].id or 0] == "Disagree"
    assert response.submitted_at == OPENS
    assert response.updated_at == CLOSES - timedelta(seconds=1)

    clock.now = CLOSES  # closed at the stroke of the closing time
    late = member.submit(
        respond_path(consultation),
        good_form(questions, **{f"q-{questions['why'].id}": "One more thing"}),
    )
    assert late.status_code == 409
    page = soup(late.text)
    assert page.h1.get_text() == "This consultation has closed"
    # What was typed is shown back, so nothing is lost.
    typed = {
        dt.get_text(strip=True): dd.get_text(" ", strip=True)
        for dt, dd in zip(
            page.select("#typed-answers dt"), page.select("#typed-answers dd"), strict=True
        )
    }
    assert typed["4. Why?"] == "One more thing"
    assert typed["1. Do you agree with the three tiers?"] == "Agree"
    assert page.select_one("a[href$='/response']") is not None
    [(response, answers)] = stored(rt, consultation)
    assert answers[questions["why"].id or 0] == "Warm homes,\nlow bills."
    assert member.get(respond_path(consultation)).status_code == 409


def test_the_service_checks_the_clock_again(
    rt: Runtime,
    clock: Clock,
    world: World,
    consultation: Consultation,
    questions: dict[str, Question],
) -> None:
    """A form read while open but saved after closing is refused in the write itself."""
    clock.now = CLOSES + timedelta(microseconds=1)
    draft = responses.ResponseDraft(
        "", "individual", "named", {questions["scale"].id or 0: "Agree"}
    )
    with pytest.raises(WrongStatus):
        responses.do_save(rt, viewer_for(rt, world.users["public"]), consultation.id or 0, draft)
    assert stored(rt, consultation) == []


# -- who may respond --------------------------------------------------------------------


def test_visitors_are_sent_to_sign_in(as_role: Any, consultation: Consultation) -> None:
    visitor = as_role("visitor")
    for response in (
        visitor.get(respond_path(consultation)),
        visitor.submit(respond_path(consultation), {}),
        visitor.get(f"/consultations/{consultation.slug}/response"),
    ):
        assert response.status_code == 303
        assert response.headers["location"] == (
            f"/account/sign-in?next=/consultations/{consultation.slug}/respond"
            if "respond" in response.request.url.path
            else f"/account/sign-in?next=/consultations/{consultation.slug}/response"
        )


def test_observers_are_refused_with_the_policy_message(
    as_role: Any, rt: Runtime, consultation: Consultation, questions: dict[str, Question]
) -> None:
    observer = as_role("observer")
    for response in (
        observer.get(respond_path(consultation)),
        observer.submit(respond_path(consultation), good_form(questions)),
    ):
        assert response.status_code == 403
        assert "Government observers follow the work but do not take part in it." in main_text(
            soup(response.text)
        )
    assert stored(rt, consultation) == []


def test_secretariat_does_not_respond(
    as_role: Any, consultation: Consultation, questions: dict[str, Question]
) -> None:
    assert as_role("secretariat").get(respond_path(consultation)).status_code == 403


@pytest.mark.parametrize("role", ["public", "member", "chair", "outsider"])
def test_public_members_and_chairs_respond(
    as_role: Any, rt: Runtime, role: str, consultation: Consultation, questions: dict[str, Question]
) -> None:
    client = as_role(role)
    assert client.get(respond_path(consultation)).status_code == 200
    assert client.submit(respond_path(consultation), good_form(questions)).status_code == 303
    assert len(stored(rt, consultation)) == 1


def test_a_draft_is_not_found_by_the_public(
    as_role: Any, clock: Clock, consultation: Consultation
) -> None:
    clock.now = OPENS - timedelta(days=1)
    assert as_role("public").get(respond_path(consultation)).status_code == 404


# -- what is saved -------------------------------------------------------------------------


def test_a_response_is_saved_and_shown_back(
    as_role: Any, rt: Runtime, consultation: Consultation, questions: dict[str, Question]
) -> None:
    public = as_role("public")
    form = good_form(
        questions,
        respondent_type="organisation",
        organisation="Home Builders Federation",
        sector="industry",
        consent="anonymous",
    )
    sent = public.submit(respond_path(consultation), form)
    [(response, answers)] = stored(rt, consultation)
    assert (response.on_behalf_of, response.sector, response.consent) == (
        "Home Builders Federation",
        "industry",
        "anonymous",
    )
    # Multiple choice is stored in the question's order, whatever order was ticked.
    assert json.loads(answers[questions["multiple"].id or 0]) == ["Builder", "Resident"]
    page = public.page(sent.headers["location"])
    banner = page.select_one(".govuk-notification-banner")
    assert banner.get_text(" ", strip=True).endswith("Thank you. Your response has been sent.")
    about = {
        dt.get_text(strip=True): dd.get_text(" ", strip=True)
        for dt, dd in zip(page.select("#about-you dt"), page.select("#about-you dd"), strict=True)
    }
    assert about == {
        "Responding": "On behalf of Home Builders Federation (Industry)",
        "Publication": "Yes, but without my name",
    }
    shown = [
        (dt.get_text(strip=True), [p.get_text() for p in dd.select("p")])
        for dt, dd in zip(page.select("#answers dt"), page.select("#answers dd"), strict=True)
    ]
    assert shown == [
        ("1. Do you agree with the three tiers?", ["Agree"]),
        ("2. Which tier matters most?", ["Carbon compliance"]),
        ("3. Which describe you?", ["Builder", "Resident"]),
        ("4. Why?", ["Warm homes,\nlow bills."]),
    ]
    assert page.select_one("a.govuk-button[href$='/respond']").get_text() == "Change your response"


def test_editing_keeps_one_response_and_prefills_the_form(
    as_role: Any, rt: Runtime, consultation: Consultation, questions: dict[str, Question]
) -> None:
    public = as_role("public")
    public.submit(respond_path(consultation), good_form(questions))
    page = public.page(respond_path(consultation))
    assert page.select_one(f"input[name=q-{questions['scale'].id}][checked]")["value"] == "Agree"
    assert [
        i["value"] for i in page.select(f"input[name=q-{questions['multiple'].id}][checked]")
    ] == ["Builder", "Resident"]
    assert page.select_one(f"#q-{questions['why'].id}").get_text() == "Warm homes,\nlow bills."
    assert page.select_one("input[name=consent][checked]")["value"] == "named"
    changed = good_form(
        questions,
        **{f"q-{questions['single'].id}": "", f"q-{questions['why'].id}": ""},
        consent="withheld",
    )
    response = public.submit(respond_path(consultation), changed)
    assert response.status_code == 303
    assert (
        public.page(response.headers["location"])
        .select_one(".govuk-notification-banner")
        .get_text(" ", strip=True)
        .endswith("Your changes have been saved.")
    )
    [(saved, answers)] = stored(rt, consultation)
    assert saved.consent == "withheld"
    # Cleared optional answers are removed, not stored empty.
    assert set(answers) == {questions["scale"].id, questions["multiple"].id}
    assert (saved.fingerprint, saved.simhash) == ("", 0)


def test_every_write_is_recorded_for_the_secretariat_only(
    as_role: Any,
    rt: Runtime,
    world: World,
    consultation: Consultation,
    questions: dict[str, Question],
) -> None:
    public = as_role("public")
    public.submit(respond_path(consultation), good_form(questions))
    public.submit(respond_path(consultation), good_form(questions, consent="anonymous"))
    with rt.db.read() as session:
        events = session.exec(
            select(ActivityEvent).where(ActivityEvent.object_type == "response")
        ).all()
        member_view = activity.recent_for_group(
            session, viewer_for(rt, world.users["member"]), world.group.id or 0, limit=50
        )
        admin_view = activity.recent_for_group(
            session, viewer_for(rt, world.users["secretariat"]), world.group.id or 0, limit=50
        )
    assert [(e.verb, e.visibility, e.actor_id) for e in events] == [
        ("response.submitted", "secretariat", world.users["public"].id),
        ("response.changed", "secretariat", world.users["public"].id),
    ]
    assert not any(e.object_type == "response" for e, _name in member_view)
    assert sum(e.object_type == "response" for e, _name in admin_view) == 2


def test_someone_who_has_not_responded_is_told_so(as_role: Any, consultation: Consultation) -> None:
    page = as_role("public").page(f"/consultations/{consultation.slug}/response")
    assert "You have not responded to this consultation." in main_text(page)
    assert page.select_one("a.govuk-button")["href"].endswith("/respond")


# -- validation ----------------------------------------------------------------------------


def test_errors_keep_every_answer(
    as_role: Any, rt: Runtime, consultation: Consultation, questions: dict[str, Question]
) -> None:
    q = questions
    long_text = "x" * 10_001
    form = {
        f"q-{q['scale'].id}": "",  # required, missing
        f"q-{q['single'].id}": "Carbon compliance",
        f"q-{q['multiple'].id}": ["Resident", "Landlord"],  # a choice not offered
        f"q-{q['why'].id}": long_text,
        "respondent_type": "organisation",
        "organisation": "Acme Homes",
        "sector": "",
        "consent": "anonymous",
    }
    response = as_role("public").submit(respond_path(consultation), form)
    assert response.status_code == 400
    page = soup(response.text)
    assert page.title.get_text().startswith("Error: ")
    assert error_summary(page) == [
        "Select an answer to question 1",
        "Select answers to question 3 from the list",
        "Your answer to question 4 must be 10,000 characters or fewer",
        "Select your organisation's sector",
    ]
    for link in page.select(".govuk-error-summary a"):
        assert page.select_one(link["href"]) is not None, link["href"]
    assert page.select_one(f"input[name=q-{q['single'].id}][checked]")["value"] == (
        "Carbon compliance"
    )
    assert [i["value"] for i in page.select(f"input[name=q-{q['multiple'].id}][checked]")] == [
        "Resident"
    ]
    assert page.select_one(f"#q-{q['why'].id}").get_text() == long_text
    assert page.select_one("input[name=respondent_type][checked]")["value"] == "organisation"
    assert page.select_one("#organisation")["value"] == "Acme Homes"
    assert page.select_one("input[name=consent][checked]")["value"] == "anonymous"
    assert stored(rt, consultation) == []


def test_required_answers_and_about_you(
    as_role: Any, consultation: Consultation, questions: dict[str, Question]
) -> None:
    response = as_role("public").submit(respond_path(consultation), {})
    assert error_summary(soup(response.text)) == [
        "Select an answer to question 1",
        "Select at least one answer to question 3",
        "Select whether you are responding as an individual or for an organisation",
        "Select whether we may publish your response",
    ]


def test_forged_values_are_refused_not_500(
    as_role: Any, rt: Runtime, consultation: Consultation, questions: dict[str, Question]
) -> None:
    q = questions
    public = as_role("public")
    for changes in (
        {f"q-{q['scale'].id}": "Very much"},
        {f"q-{q['single'].id}": "<script>"},
        {"respondent_type": "robot"},
        {"consent": "everything"},
        {"respondent_type": "organisation", "organisation": "x" * 201, "sector": "industry"},
        {"respondent_type": "organisation", "organisation": "Acme", "sector": "aliens"},
        {"q-999999": "stray field", f"q-{q['why'].id}": "\x00nul"},
    ):
        response = public.submit(respond_path(consultation), good_form(q, **changes))
        assert response.status_code in (303, 400), changes
    [(_saved, answers)] = stored(rt, consultation)
    assert answers[q["why"].id or 0] == "nul"
    assert 999999 not in answers


def test_exactly_ten_thousand_characters_are_accepted(
    as_role: Any, rt: Runtime, consultation: Consultation, questions: dict[str, Question]
) -> None:
    text = "é" * 10_000
    response = as_role("public").submit(
        respond_path(consultation), good_form(questions, **{f"q-{questions['why'].id}": text})
    )
    assert response.status_code == 303
    [(_saved, answers)] = stored(rt, consultation)
    assert answers[questions["why"].id or 0] == text


def test_a_consultation_without_questions_takes_no_response(
    as_role: Any, rt: Runtime, consultation: Consultation
) -> None:
    public = as_role("public")
    page = public.page(respond_path(consultation))
    assert page.select_one("main form[action$='/respond']") is None
    response = public.submit(
        respond_path(consultation), {"respondent_type": "individual", "consent": "named"}
    )
    assert response.status_code == 400
    assert stored(rt, consultation) == []


def test_page_is_accessible_in_structure(
    as_role: Any, consultation: Consultation, questions: dict[str, Question]
) -> None:
    page = as_role("public").page(respond_path(consultation))
    assert page.title.get_text() == (
        "Respond to this consultation: Zero carbon homes: the draft – Shared Space"
    )
    form = page.select_one("main form[action$='/respond']")
    assert form.select_one("input[name=csrf_token]")["value"]
    legends = [legend.get_text(" ", strip=True) for legend in form.select("legend")]
    assert legends[:3] == [
        "1. Do you agree with the three tiers?",
        "2. Which tier matters most? (optional)",
        "3. Which describe you?",
    ]
    why = form.select_one(f"label[for=q-{questions['why'].id}]")
    assert why.get_text(strip=True) == "4. Why? (optional)"
    ids = [tag["id"] for tag in page.select("[id]")]
    assert len(ids) == len(set(ids))


# -- the consultation page's panel ------------------------------------------------------


def test_panel_context_for_the_consultation_page(
    rt: Runtime,
    world: World,
    clock: Clock,
    consultation: Consultation,
    questions: dict[str, Question],
) -> None:
    respond(
        rt,
        consultation,
        world.users["public"],
        {questions["scale"].id or 0: "Agree", questions["multiple"].id or 0: ["Builder"]},
    )
    with rt.db.read() as session:
        mine = responses.page_context(
            session, viewer_for(rt, world.users["public"]), consultation, clock.now
        )["responses_panel"]
        observer = responses.page_context(
            session, viewer_for(rt, world.users["observer"]), consultation, clock.now
        )["responses_panel"]
        chair = responses.page_context(
            session, viewer_for(rt, world.users["chair"]), consultation, clock.now
        )["responses_panel"]
    assert mine["own"] is not None
    assert mine["is_open"]
    assert mine["can_respond"]
    assert not mine["summary_visible"]
    assert observer["is_observer"]
    assert not observer["can_respond"]
    assert observer["own"] is None
    assert chair["summary_visible"]
    assert chair["response_count"] == 1
    assert not chair["can_edit_questions"]  # it is open
    html = rt.templates.get_template("consultations/responses/_responses_panel.html").render(
        responses_panel=mine, viewer=None
    )
    panel = soup(html)
    assert [li.get_text(" ", strip=True) for li in panel.select("#question-list li")] == [
        "Do you agree with the three tiers?",
        "Which tier matters most? (optional)",
        "Which describe you?",
        "Why? (optional)",
    ]
    assert panel.select_one("a.govuk-button").get_text() == "Change your response"


def test_the_count_and_own_response_come_together(
    rt: Runtime,
    world: World,
    clock: Clock,
    consultation: Consultation,
    questions: dict[str, Question],
) -> None:
    """One statement for the page's panel: the count stays right whether or not the
    reader has responded (the outer join must not lose it)."""
    clock.now = OPENS
    member, public = world.users["member"].id, world.users["public"].id
    cid = consultation.id or 0
    with rt.db.read() as session:
        assert responses.count_and_own(session, cid, member) == (0, None)
    respond(rt, consultation, world.users["public"], {questions["why"].id or 0: "Because"})
    with rt.db.read() as session:
        total, own = responses.count_and_own(session, cid, member)
        assert (total, own) == (1, None)
        total, own = responses.count_and_own(session, cid, public)
        assert total == 1
        assert own is not None
        assert own.user_id == public
        assert responses.count_and_own(session, cid, None) == (1, None)
