"""After an invited consultation closes: the chair's publication choice, and commercially
confidential responses counted in the summary but never in a public export."""

from __future__ import annotations

import json
from typing import Any

import pytest

from consultations.invitations.models import Publication
from consultations.lifecycle import service as lifecycle
from consultations.lifecycle.models import Consultation
from consultations.responses import service as responses
from tests.client import HubClient
from tests.consultations.factories import add_question
from tests.consultations.invitations.factories import invite, make_invited
from tests.definitions.factories import viewer_for
from tests.factories import World, make_user
from workspace.runtime import Runtime


def _closed(rt: Runtime, world: World, publication: Publication) -> Consultation:
    """Three invited organisations' contacts; two respond, one of them in confidence."""
    consultation = make_invited(rt, world, f"Small group {publication.value}", publication)
    scale = add_question(rt, consultation, "Do you agree?", "scale")
    why = add_question(rt, consultation, "Why?", "free_text")
    people = [make_user(rt, name) for name in ("Open Olga", "Secret Sid", "Silent Sue")]
    for person in people:
        invite(rt, world, consultation, person.email)
    for person, confidential in ((people[0], False), (people[1], True)):
        draft = responses.ResponseDraft(
            on_behalf_of=f"{person.display_name} Ltd",
            sector="industry",
            consent="named",
            answers={scale.id or 0: "Agree", why.id or 0: f"Reason of {person.display_name}"},
            confidential=confidential,
        )
        responses.do_save(rt, viewer_for(rt, person), consultation.id or 0, draft)
    return lifecycle.do_close_now(rt, viewer_for(rt, world.users["chair"]), consultation.id or 0)


def _export(client: HubClient, c: Consultation, scope: str) -> Any:
    return client.get(f"/consultations/{c.slug}/export/responses.json?scope={scope}")


@pytest.mark.parametrize(
    ("publication", "summary", "public_export"),
    [
        (Publication.NOTHING, 404, 404),
        (Publication.SUMMARY, 200, 403),
        (Publication.RESPONSES, 200, 200),
    ],
)
def test_what_the_public_gets_follows_the_chairs_choice(
    rt: Runtime,
    world: World,
    as_role: Any,
    publication: Publication,
    summary: int,
    public_export: int,
) -> None:
    consultation = _closed(rt, world, publication)
    visitor = as_role("visitor")
    assert visitor.get(f"/consultations/{consultation.slug}/summary").status_code == summary
    assert _export(visitor, consultation, "public").status_code == public_export
    chair = as_role("chair")
    assert chair.get(f"/consultations/{consultation.slug}/summary").status_code == 200
    assert _export(chair, consultation, "full").status_code == 200


def test_confidential_responses_count_but_never_appear_in_public(
    rt: Runtime, world: World, as_role: Any
) -> None:
    consultation = _closed(rt, world, Publication.RESPONSES)
    visitor = as_role("visitor")
    page = visitor.page(f"/consultations/{consultation.slug}/summary")
    total = page.select_one("#total-responses")
    assert total is not None
    assert total.get_text(strip=True) == "2 responses."
    quoted = page.get_text()
    assert "Reason of Open Olga" in quoted
    assert "Reason of Secret Sid" not in quoted
    data = json.loads(_export(visitor, consultation, "public").text)
    assert data["count"] == 1
    assert [r["respondent"]["name"] for r in data["responses"]] == ["Open Olga"]
    csv_text = visitor.get(
        f"/consultations/{consultation.slug}/export/responses.csv?scope=public"
    ).text
    assert "Secret Sid" not in csv_text
    full = json.loads(_export(as_role("chair"), consultation, "full").text)
    assert sorted(r["respondent"]["name"] for r in full["responses"]) == ["Open Olga", "Secret Sid"]


def test_the_respondent_marks_their_response_confidential_on_the_form(
    rt: Runtime, world: World, app: Any
) -> None:
    consultation = make_invited(rt, world, "Form check")
    question = add_question(rt, consultation, "Do you agree?", "scale")
    person = make_user(rt, "Form Filler")
    invite(rt, world, consultation, person.email)
    with HubClient(app) as client:
        client.sign_in_as(person)
        form = client.page(f"/consultations/{consultation.slug}/respond")
        assert form.select_one("input[name=confidential][value=yes]") is not None
        sent = client.submit(
            f"/consultations/{consultation.slug}/respond",
            {
                f"q-{question.id}": "Agree",
                "respondent_type": "individual",
                "consent": "named",
                "confidential": "yes",
            },
        )
        assert sent.status_code == 303
        again = client.page(f"/consultations/{consultation.slug}/respond")
        box = again.select_one("input[name=confidential][value=yes]")
        assert box is not None
        assert box.has_attr("checked")
