"""GOV.UK "check your answers" before a response is sent: the form's button shows every
answer as it will be sent, nothing is stored until "Send response", and "Change your
answers" goes back to the form with everything kept (issue 14)."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import select

from consultations.responses.models import Response
from consultations.responses.service import field_name
from tests.client import HubClient, soup
from tests.consultations.factories import add_question, make_consultation
from tests.factories import World
from workspace.runtime import Runtime


def test_check_then_send_or_change(
    rt: Runtime, world: World, as_role: Callable[[str], HubClient]
) -> None:
    consultation = make_consultation(rt, world)
    question = add_question(rt, consultation, "What should count?", kind="free_text")
    public = as_role("public")
    path = f"/consultations/{consultation.slug}/respond"
    fields = {
        field_name(question): "Retrofit of existing homes",
        "respondent_type": "individual",
        "consent": "anonymous",
    }
    form_page = public.page(path)
    button = form_page.select_one("main form button[type=submit]")
    assert button is not None
    assert (button["name"], button["value"], button.get_text(strip=True)) == (
        "step",
        "check",
        "Continue",
    )
    checked = public.submit(path, fields | {"step": "check"})
    assert checked.status_code == 200
    page = soup(checked.text)
    rows = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(strip=True)
        for row in page.select(".govuk-summary-list__row")
    }
    assert rows["1. What should count?"] == "Retrofit of existing homes"
    assert rows["Publication"] == "Yes, but without my name"
    with rt.db.read() as session:
        assert session.exec(select(Response)).all() == []
    carried = {i["name"]: i["value"] for i in page.select("form input[type=hidden]")}
    assert carried[field_name(question)] == "Retrofit of existing homes"

    back = soup(public.submit(path, fields | {"step": "change"}).text)
    box = back.select_one(f"#{field_name(question)}")
    assert box is not None
    assert box.get_text() == "Retrofit of existing homes"

    sent = public.submit(path, fields | {"step": "send"})
    assert sent.status_code == 303
    with rt.db.read() as session:
        assert len(session.exec(select(Response)).all()) == 1
