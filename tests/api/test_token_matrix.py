"""The permission matrix's API rows, run with personal API tokens of each scope instead of
a browser session: a token gives its owner's access, and a read token never writes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.factories import bearer, make_token
from tests.client import HubClient
from tests.factories import ROLES, World
from tests.test_permissions_matrix import API_MATRIX
from tests.test_permissions_matrix import with_definition as with_definition  # the fixture


@pytest.mark.parametrize("scope", ["read", "read-write"])
@pytest.mark.parametrize("role", ROLES[1:])
def test_api_routes_answer_a_token_as_its_owner_within_its_scope(
    as_role: Callable[[str], HubClient],
    app: object,
    with_definition: World,
    role: str,
    scope: str,
) -> None:
    token = make_token(as_role(role), scope=scope)
    failures = []
    with HubClient(app) as plain:  # no cookie: the token alone
        for method, _pattern, path, expected in API_MATRIX:
            if method == "GET":
                status = plain.get(path, headers=bearer(token)).status_code
                wanted = expected[role]
            else:
                status = plain.post(path, data={}, headers=bearer(token)).status_code
                wanted = expected[role] if scope == "read-write" else 403
            if status != wanted:
                failures.append(f"{method} {path}: {status}, expected {wanted}")
    assert failures == []
