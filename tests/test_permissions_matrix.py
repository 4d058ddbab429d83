"""Every route for every role: the permission table of ARCHITECTURE.md section 2, run.

Each row is (method, path, expected status per role). POST rows send an empty or
deliberately invalid form: a permitted role gets past the gate and is answered with
400/404 by validation, a refused role is stopped at the gate (403, or 303 to sign in).
A test also checks that every route the app serves has a row, so a new route cannot
slip in without its permissions being tested.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.routing import Mount, Route

from definitions import service as definitions
from definitions.tiers import Tier, new_tier_key
from tests.client import HubClient
from tests.factories import ROLES, World
from workspace.permissions import Viewer
from workspace.runtime import Runtime

G = "/groups/zero-carbon-homes-definition"
OK_ALL = dict.fromkeys(ROLES, 200)
SIGNED_IN = {"visitor": 303} | dict.fromkeys(ROLES[1:], 200)


def admin_only(allowed: int) -> dict[str, int]:
    return {"visitor": 303, "public": 403, "member": 403, "chair": 403, "observer": 403,
            "secretariat": allowed}


def group_private(allowed: int = 200) -> dict[str, int]:
    return {"visitor": 303, "public": 403, "member": allowed, "chair": allowed,
            "observer": allowed, "secretariat": allowed}


def editors(allowed: int) -> dict[str, int]:
    return {"visitor": 303, "public": 403, "member": allowed, "chair": allowed,
            "observer": 403, "secretariat": 403}


def chairs(allowed: int) -> dict[str, int]:
    return {"visitor": 303, "public": 403, "member": 403, "chair": allowed, "observer": 403,
            "secretariat": allowed}


D = f"{G}/definitions/zero-carbon-homes"
DP = "/groups/{slug}/definitions"

MATRIX: list[tuple[str, str, str, dict[str, int]]] = [
    # (method, route pattern, concrete path, expected per role)
    ("GET", "/", "/", OK_ALL),
    ("GET", "/healthz", "/healthz", OK_ALL),
    ("GET", "/my-groups", "/my-groups", SIGNED_IN),
    ("GET", "/organisations", "/organisations", OK_ALL),
    ("GET", "/organisations/new", "/organisations/new", admin_only(200)),
    ("POST", "/organisations/new", "/organisations/new", admin_only(400)),
    ("GET", "/people", "/people", admin_only(200)),
    ("GET", "/account/", "/account/", SIGNED_IN),
    ("GET", "/account/register", "/account/register", OK_ALL),
    ("POST", "/account/register", "/account/register", dict.fromkeys(ROLES, 400)),
    ("GET", "/account/sign-in", "/account/sign-in", OK_ALL),
    ("POST", "/account/sign-in", "/account/sign-in", dict.fromkeys(ROLES, 400)),
    ("POST", "/account/sign-out", "/account/sign-out", dict.fromkeys(ROLES, 303)),
    ("POST", "/account/sign-out-everywhere", "/account/sign-out-everywhere",
     dict.fromkeys(ROLES, 303)),
    ("GET", "/account/password-reset", "/account/password-reset", OK_ALL),
    ("POST", "/account/password-reset", "/account/password-reset", dict.fromkeys(ROLES, 400)),
    ("GET", "/account/password-reset/{token}", "/account/password-reset/not-a-token",
     dict.fromkeys(ROLES, 404)),
    ("POST", "/account/password-reset/{token}", "/account/password-reset/not-a-token",
     dict.fromkeys(ROLES, 404)),
    ("GET", "/groups/new", "/groups/new", admin_only(200)),
    ("POST", "/groups/new", "/groups/new", admin_only(400)),
    ("GET", "/groups/{slug}", G, OK_ALL),
    ("GET", "/groups/{slug}/edit", f"{G}/edit", admin_only(200)),
    ("POST", "/groups/{slug}/edit", f"{G}/edit", admin_only(400)),
    ("POST", "/groups/{slug}/status", f"{G}/status", admin_only(400)),
    ("GET", "/groups/{slug}/people", f"{G}/people", admin_only(200)),
    ("POST", "/groups/{slug}/members", f"{G}/members", admin_only(400)),
    ("POST", "/groups/{slug}/members/{seat_id}/remove", f"{G}/members/999999/remove",
     admin_only(404)),
    ("POST", "/groups/{slug}/observers", f"{G}/observers", admin_only(400)),
    ("POST", "/groups/{slug}/observers/{seat_id}/end", f"{G}/observers/999999/end",
     admin_only(404)),
    # A draft definition: the group's members, observers and secretariat read it; only
    # members edit; chairs (and the secretariat) run sign-off; observers never write.
    ("GET", DP + "/new", f"{G}/definitions/new", editors(200)),
    ("POST", DP + "/new", f"{G}/definitions/new", editors(400)),
    ("GET", DP + "/{dslug}", D, group_private()),
    ("GET", DP + "/{dslug}/edit", f"{D}/edit", editors(200)),
    ("POST", DP + "/{dslug}/edit", f"{D}/edit", editors(400)),
    ("GET", DP + "/{dslug}/history", f"{D}/history", group_private()),
    ("GET", DP + "/{dslug}/compare", f"{D}/compare", group_private()),
    ("GET", DP + "/{dslug}/revisions/{number}", f"{D}/revisions/1", group_private()),
    ("GET", DP + "/{dslug}/revisions/{number}/print", f"{D}/revisions/1/print",
     group_private()),
    ("GET", DP + "/{dslug}/revisions/{number}/export.{fmt}", f"{D}/revisions/1/export.json",
     group_private()),
    ("GET", DP + "/{dslug}/sign-off", f"{D}/sign-off", group_private()),
    ("POST", DP + "/{dslug}/propose", f"{D}/propose", chairs(303)),
    ("POST", DP + "/{dslug}/positions", f"{D}/positions", editors(400)),
    ("POST", DP + "/{dslug}/disputes/{dispute_id}/answer", f"{D}/disputes/999999/answer",
     chairs(400)),
    ("POST", DP + "/{dslug}/agree", f"{D}/agree", chairs(400)),
]


@pytest.fixture
def with_definition(rt: Runtime, world: World) -> World:
    chair = world.users["chair"]
    with rt.db.read() as session:
        roles, observed = rt.role_loader(session, chair.id)  # type: ignore[arg-type]
    who = Viewer(user_id=chair.id, display_name=chair.display_name, member_roles=roles,
                 observed_groups=observed)
    tier = Tier(key=new_tier_key(), name="Energy efficiency", summary="Fabric first",
                requirement="Good fabric.")
    definitions.do_create(rt, who, world.group, "Zero carbon homes", "One definition", [tier])
    return world


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(
    as_role: Callable[[str], HubClient], with_definition: World, role: str
) -> None:
    world = with_definition
    client = as_role(role)
    failures = []
    for method, _pattern, path, expected in MATRIX:
        if method == "GET":
            status = client.get(path).status_code
        else:
            status = client.submit(path, {}).status_code
            if path.startswith("/account/sign-out") and role != "visitor":
                client.sign_in_as(world.users[role])  # signing out ends the session
        if status != expected[role]:
            failures.append(f"{method} {path}: {status}, expected {expected[role]}")
    assert failures == []


def _served_routes(routes: list, prefix: str = "") -> set[tuple[str, str]]:  # type: ignore[type-arg]
    served = set()
    for route in routes:
        if isinstance(route, Mount):
            if route.path == "/static":
                continue
            served |= _served_routes(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            for method in route.methods or []:
                if method != "HEAD":
                    served.add((method, prefix + route.path))
    return served


def test_every_route_is_in_the_matrix(app) -> None:  # type: ignore[no-untyped-def]
    tested = {(method, pattern) for method, pattern, _path, _expected in MATRIX}
    assert _served_routes(app.routes) - tested == set()


@pytest.mark.parametrize("role", ["visitor", "secretariat"])
def test_unsafe_requests_without_csrf_token_are_refused(
    as_role: Callable[[str], HubClient], with_definition: World, role: str
) -> None:
    client = as_role(role)
    client.get("/")
    for method, _pattern, path, _expected in MATRIX:
        if method == "POST":
            response = client.post(path, data={"name": "x"})
            assert response.status_code == 403, path
            assert "expired" in response.text
