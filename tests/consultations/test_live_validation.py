"""Live validation of the response form (issue 14): the field endpoint answers with the
field and the full submit's own error message, stores nothing, needs the CSRF token and
the right to respond; the page wires each answer to it and still works without it."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import select

from consultations.questions.models import Question
from consultations.responses.models import Response
from consultations.responses.service import MAX_TEXT, field_name
from tests.client import HubClient, soup
from tests.consultations.factories import add_question, make_consultation
from tests.factories import World
from workspace.runtime import Runtime

Open = Callable[[str], HubClient]


def _setup(rt: Runtime, world: World) -> tuple[str, Question, Question]:
    consultation = make_consultation(rt, world)
    why = add_question(rt, consultation, "Why?", kind="free_text", required=True)
    agree = add_question(rt, consultation, "Do you agree?", required=True)
    return f"/consultations/{consultation.slug}/respond", why, agree


def _error(html: str, question: Question) -> str | None:
    found = soup(html).select_one(f"#{field_name(question)}-error")
    return None if found is None else found.get_text(" ", strip=True)


def test_a_missing_or_too_long_answer_comes_back_with_its_message(
    rt: Runtime, world: World, as_role: Open
) -> None:
    path, why, agree = _setup(rt, world)
    public = as_role("public")
    empty = public.submit(f"{path}/field/{why.id}", {field_name(why): "  "})
    assert empty.status_code == 200
    assert _error(empty.text, why) == "Error: Enter your answer to question 1"
    fragment = soup(empty.text)
    assert fragment.select_one("h1") is None  # the field alone, not the page
    assert fragment.select_one(f"textarea#{field_name(why)}") is not None
    long = public.submit(f"{path}/field/{why.id}", {field_name(why): "x" * (MAX_TEXT + 1)})
    assert _error(long.text, why) == (
        f"Error: Your answer to question 1 must be {MAX_TEXT:,} characters or fewer"
    )
    # what was typed is kept in the field it comes back in
    box = soup(long.text).select_one("textarea")
    assert box is not None
    assert box.get_text() == "x" * (MAX_TEXT + 1)
    good = public.submit(f"{path}/field/{why.id}", {field_name(why): "Because."})
    assert _error(good.text, why) is None
    # only the field asked about: the other question's error is not shown here
    assert _error(good.text, agree) is None
    with rt.db.read() as session:
        assert session.exec(select(Response)).all() == []


def test_an_invalid_choice_is_refused_as_the_full_submit_refuses_it(
    rt: Runtime, world: World, as_role: Open
) -> None:
    path, _why, agree = _setup(rt, world)
    public = as_role("public")
    live = public.submit(f"{path}/field/{agree.id}", {field_name(agree): "Perhaps not"})
    full = public.submit(path, {field_name(agree): "Perhaps not", "step": "check"})
    assert full.status_code == 400
    assert _error(live.text, agree) == _error(full.text, agree)
    assert _error(live.text, agree) is not None
    checked = soup(
        public.submit(f"{path}/field/{agree.id}", {field_name(agree): "Agree"}).text
    ).select_one(f"input[name={field_name(agree)}][value=Agree]")
    assert checked is not None
    assert checked.has_attr("checked")


def test_the_endpoint_needs_the_token_the_right_and_a_real_question(
    rt: Runtime, world: World, as_role: Open
) -> None:
    path, why, _agree = _setup(rt, world)
    public = as_role("public")
    assert public.post(f"{path}/field/{why.id}", data={field_name(why): ""}).status_code == 403
    assert public.submit(f"{path}/field/999999").status_code == 404
    assert public.submit(f"{path}/field/99999999999").status_code == 404
    observer = as_role("observer")
    assert observer.submit(f"{path}/field/{why.id}").status_code == 403


def test_the_form_wires_each_answer_to_the_check(rt: Runtime, world: World, as_role: Open) -> None:
    path, why, agree = _setup(rt, world)
    page = as_role("public").page(path)
    text = page.select_one(f"#live-q-{why.id}")
    assert text is not None
    assert text["data-hx-post"] == f"{path}/field/{why.id}"
    assert text["data-hx-trigger"] == "focusout"
    assert text.select_one(f"textarea#{field_name(why)}") is not None
    choice = page.select_one(f"#live-q-{agree.id}")
    assert choice is not None
    assert choice["data-hx-trigger"] == "change"
