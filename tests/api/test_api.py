"""The JSON API: reading as a visitor and as a person, paging, ETags, problems, tokens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from definitions.signoff import service as signoff
from sharedspace.app import create_app
from tests.api.factories import bearer, make_token
from tests.client import HubClient
from tests.consultations.factories import add_question, make_consultation, post_comment
from tests.definitions.factories import make_definition, viewer_for
from tests.factories import World, build_world
from workspace.runtime import Runtime
from workspace.settings import Settings

PROBLEM = "application/problem+json"


def test_a_visitor_reads_groups_a_page_at_a_time(client: HubClient, world: World) -> None:
    first = client.get("/api/v1/groups?limit=1")
    assert first.status_code == 200
    body = first.json()
    assert [g["slug"] for g in body["items"]] == [world.group.slug]
    second = client.get(f"/api/v1/groups?limit=1&cursor={body['next_cursor']}").json()
    assert [g["slug"] for g in second["items"]] == [world.other_group.slug]
    assert second["next_cursor"] is None


def test_a_group_lists_members_by_organisation_and_observers_apart(
    client: HubClient, world: World
) -> None:
    body = client.get(f"/api/v1/groups/{world.group.slug}").json()
    members = {
        (o["organisation"], m["name"], m["role"])
        for o in body["organisations"]
        for m in o["members"]
    }
    assert members == {
        ("Home Builders Federation", "Helen Chair", "chair"),
        ("UK Green Building Council", "Raj Member", "member"),
    }
    assert [o["name"] for o in body["observers"]] == ["David Observer"]


def test_an_unchanged_answer_is_not_sent_again(client: HubClient, world: World) -> None:
    first = client.get("/api/v1/groups")
    etag = first.headers["etag"]
    again = client.get("/api/v1/groups", headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["etag"] == etag
    changed = client.get(f"/api/v1/groups/{world.group.slug}", headers={"If-None-Match": etag})
    assert changed.status_code == 200


def test_errors_are_problem_documents(client: HubClient, world: World) -> None:
    cases = {
        "/api/v1/nothing-here": 404,
        "/api/v1/groups/no-such-group": 404,
        "/api/v1/groups?limit=0": 400,
        "/api/v1/groups?limit=abc": 400,
        "/api/v1/groups?cursor=%%%": 400,
        "/api/v1/search?q=%22unclosed": 400,
    }
    for path, status in cases.items():
        response = client.get(path)
        assert response.status_code == status, path
        assert response.headers["content-type"] == PROBLEM, path
        problem = response.json()
        assert problem["status"] == status, path
        assert problem["title"], path
    wrong_method = client.delete("/api/v1/groups", headers={"X-CSRF-Token": client.csrf_token()})
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"] == PROBLEM


def test_drafts_are_read_only_by_the_group(
    as_role: Callable[[str], HubClient], rt: Runtime, world: World
) -> None:
    definition = make_definition(rt, world)
    path = f"/api/v1/groups/{world.group.slug}/definitions/{definition.slug}"
    listing = f"/api/v1/groups/{world.group.slug}/definitions"
    expected = {"visitor": 404, "public": 404, "outsider": 404, "member": 200, "observer": 200}
    for role, status in expected.items():
        client = as_role(role)
        assert client.get(path).status_code == status, role
        seen = [d["slug"] for d in client.get(listing).json()["items"]]
        assert seen == ([definition.slug] if status == 200 else []), role
    member = as_role("member").get(path).json()
    assert [r["number"] for r in member["revisions"]] == [1]
    assert next(t["name"] for t in member["revisions"][0]["tiers"]) == "Energy efficiency"
    assert member["positions"] == []


def test_a_token_speaks_for_its_owner_and_never_reads_other_groups_drafts(
    as_role: Callable[[str], HubClient], app: object, rt: Runtime, world: World
) -> None:
    definition = make_definition(rt, world)
    path = f"/api/v1/groups/{world.group.slug}/definitions/{definition.slug}"
    member_token = make_token(as_role("member"))
    outsider_token = make_token(as_role("outsider"), scope="read-write")
    with HubClient(app) as plain:
        assert plain.get(path, headers=bearer(member_token)).status_code == 200
        assert plain.get(path, headers=bearer(outsider_token)).status_code == 404
        listing = plain.get(
            f"/api/v1/groups/{world.group.slug}/definitions", headers=bearer(outsider_token)
        )
        assert listing.json()["items"] == []


def test_a_bad_or_revoked_token_is_refused(
    as_role: Callable[[str], HubClient], app: object, world: World
) -> None:
    owner = as_role("member")
    token = make_token(owner)
    with HubClient(app) as plain:
        assert plain.get("/api/v1/groups", headers=bearer(token)).status_code == 200
        bad = plain.get("/api/v1/groups", headers=bearer(token + "x"))
        assert bad.status_code == 401
        assert bad.headers["content-type"] == PROBLEM
        assert bad.headers["www-authenticate"].startswith("Bearer")
        page = owner.page("/account/tokens")
        row = page.select_one("#tokens tbody tr")
        assert row is not None
        cells = [td.get_text(" ", strip=True) for td in row.select("td")]
        assert cells[4] != "Never"  # last used, just now
        token_id = row["data-token-id"]
        assert owner.submit(f"/account/tokens/{token_id}/revoke").status_code == 303
        assert plain.get("/api/v1/groups", headers=bearer(token)).status_code == 401
        tag = owner.page("/account/tokens").select_one("#tokens tbody tr .govuk-tag")
        assert tag is not None
        assert tag.get_text(strip=True) == "Revoked"


def test_writes_need_a_read_write_token_or_a_csrf_token_with_the_cookie(
    as_role: Callable[[str], HubClient], app: object, rt: Runtime, world: World
) -> None:
    consultation = make_consultation(rt, world)
    path = f"/api/v1/consultations/{consultation.slug}/comments"
    public = as_role("public")
    read_only, read_write = make_token(public), make_token(public, scope="read-write")
    with HubClient(app) as plain:
        refused = plain.post(path, json={"body": "Hello"}, headers=bearer(read_only))
        assert refused.status_code == 403
        posted = plain.post(path, json={"body": "From a script"}, headers=bearer(read_write))
        assert posted.status_code == 201, posted.text
        assert posted.json()["author"] == "Alex Public"
        invalid = plain.post(path, json={"body": ""}, headers=bearer(read_write))
        assert invalid.status_code == 422
        assert [e["pointer"] for e in invalid.json()["errors"]] == ["/body"]
        as_form = plain.post(path, data={"body": "x"}, headers=bearer(read_write))
        assert as_form.status_code == 415
        anonymous = plain.post(path, json={"body": "Hello"})
        assert anonymous.status_code == 403  # no session, no CSRF cookie: refused first
    # The same person's browser session: a cookie alone could be forged from another site.
    forged = public.post(path, json={"body": "Forged"})
    assert forged.status_code == 403
    assert forged.headers["content-type"] == PROBLEM
    honest = public.post(
        path, json={"body": "From the page"}, headers={"X-CSRF-Token": public.csrf_token()}
    )
    assert honest.status_code == 201
    listed = plain_comments(app, consultation.slug)
    assert listed == ["From a script", "From the page"]


def plain_comments(app: object, slug: str) -> list[str]:
    with HubClient(app) as plain:
        items = plain.get(f"/api/v1/consultations/{slug}/comments").json()["items"]
    return [c["body"] for c in items]


def test_comments_page_by_cursor_and_hide_what_moderators_removed(
    client: HubClient, rt: Runtime, world: World
) -> None:
    consultation = make_consultation(rt, world)
    made = [post_comment(rt, consultation, world.users["member"], f"Comment {n}") for n in range(5)]
    post_comment(rt, consultation, world.users["public"], "A reply", parent=made[0])
    seen: list[str] = []
    cursor = ""
    for _ in range(4):
        page = client.get(
            f"/api/v1/consultations/{consultation.slug}/comments?limit=2&cursor={cursor}"
        ).json()
        seen += [c["body"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # Thread order, as the page reads: the reply follows the comment it answers.
    assert seen == ["Comment 0", "A reply"] + [f"Comment {n}" for n in range(1, 5)]


def test_too_many_requests_are_told_when_to_come_back(settings: Settings) -> None:
    app = create_app(replace(settings, api_limit_per_ip=3))
    build_world(app.state.runtime)
    with HubClient(app) as client:
        statuses = [client.get("/api/v1/groups").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.get("/api/v1/groups")
        assert limited.headers["content-type"] == PROBLEM
        assert 0 < int(limited.headers["retry-after"]) <= settings.rate_window_seconds
    app.state.runtime.db.dispose()


def test_a_trade_body_submits_its_response_and_records_its_position(
    as_role: Callable[[str], HubClient], app: object, rt: Runtime, world: World
) -> None:
    consultation = make_consultation(rt, world)
    question = add_question(rt, consultation, "What comes first?", kind="free_text")
    definition = make_definition(rt, world)
    signoff.do_propose(rt, viewer_for(rt, world.users["chair"]), world.group, definition.id or 0)
    token = bearer(make_token(as_role("member"), scope="read-write"))
    answer = {
        "respondent_type": "organisation",
        "organisation": "UK Green Building Council",
        "sector": "environmental",
        "consent": "named",
        "answers": [{"question_id": question.id, "value": "Fabric, as our members said."}],
    }
    path = f"/api/v1/consultations/{consultation.slug}/responses"
    positions = f"/api/v1/groups/{world.group.slug}/definitions/{definition.slug}/positions"
    with HubClient(app) as plain:
        first = plain.post(path, json=answer, headers=token)
        assert (first.status_code, first.json()["created"]) == (201, True)
        again = plain.post(path, json=answer, headers=token)
        assert again.json() == {"id": first.json()["id"], "created": False}
        unknown = plain.post(
            path, json=answer | {"answers": [{"question_id": 999, "value": "x"}]}, headers=token
        )
        assert unknown.status_code == 422
        assert [e["pointer"] for e in unknown.json()["errors"]] == ["/answers/0/question_id"]
        objection = plain.post(positions, json={"stance": "object"}, headers=token)
        assert objection.status_code == 422  # an objection needs its reason
        recorded = plain.post(
            positions, json={"stance": "object", "comment": "2016 is too soon."}, headers=token
        )
        assert recorded.status_code == 201
        read = plain.get(
            f"/api/v1/groups/{world.group.slug}/definitions/{definition.slug}", headers=token
        ).json()
    assert [(p["organisation"], p["stance"], p["comment"]) for p in read["positions"]] == [
        ("UK Green Building Council", "object", "2016 is too soon.")
    ]
