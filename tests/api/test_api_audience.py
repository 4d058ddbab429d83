"""The API follows a consultation's audience as the pages do: an invited consultation is
never listed, opened or found by anyone outside it, and only those invited answer it."""

from __future__ import annotations

from consultations.lifecycle import service as lifecycle
from consultations.responses import service as responses
from tests.client import HubClient
from tests.consultations.factories import make_consultation
from tests.consultations.invitations.factories import invite, make_invited
from tests.definitions.factories import viewer_for
from tests.factories import World, make_user
from workspace.runtime import Runtime

TITLE = "Fabric standard: small group"


def _slugs(client: HubClient) -> set[str]:
    listed = client.get("/api/v1/consultations").json()
    return {item["slug"] for item in listed["items"]}


def test_an_invited_consultation_is_unknown_to_a_visitor(
    client: HubClient, rt: Runtime, world: World
) -> None:
    invited = make_invited(rt, world, title=TITLE)
    assert invited.slug not in _slugs(client)
    assert client.get(f"/api/v1/consultations/{invited.slug}").status_code == 404
    found = client.get("/api/v1/search?q=small+group").json()
    assert TITLE not in [hit["title"] for hit in found["hits"]]


def test_an_invitee_reads_it_and_another_public_person_does_not(
    client: HubClient, rt: Runtime, world: World
) -> None:
    invited = make_invited(rt, world, title=TITLE)
    invite(rt, world, invited, email=world.users["public"].email)
    client.sign_in_as(world.users["public"])
    assert invited.slug in _slugs(client)
    assert client.get(f"/api/v1/consultations/{invited.slug}").status_code == 200


ANSWER = {
    "respondent_type": "individual",
    "sector": "environmental",
    "consent": "named",
    "answers": [],
}


def test_a_member_who_is_not_invited_cannot_answer_through_the_api(
    client: HubClient, rt: Runtime, world: World
) -> None:
    invited = make_invited(rt, world, title=TITLE)
    client.sign_in_as(world.users["member"])
    answered = client.post(
        f"/api/v1/consultations/{invited.slug}/responses",
        json=ANSWER,
        headers={"X-CSRF-Token": client.csrf_token()},
    )
    assert answered.status_code == 403
    assert answered.headers["content-type"].startswith("application/problem+json")


def test_confidential_responses_are_never_published_through_the_api(
    client: HubClient, rt: Runtime, world: World
) -> None:
    consultation = make_consultation(rt, world)
    for name, confidential in (("Open Olga", False), ("Secret Sid", True)):
        person = make_user(rt, name)
        draft = responses.ResponseDraft("", "industry", "named", {}, confidential)
        responses.do_save(rt, viewer_for(rt, person), consultation.id or 0, draft)
    lifecycle.do_close_now(rt, viewer_for(rt, world.users["chair"]), consultation.id or 0)
    listed = client.get(f"/api/v1/consultations/{consultation.slug}/responses").json()
    assert [item["respondent"]["name"] for item in listed["items"]] == ["Open Olga"]
