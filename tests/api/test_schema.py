"""Schemathesis against the OpenAPI document, as a visitor and with a read and write
token: no 5xx, and every answer (status, content type, headers, body) matches the
document. Bounded here (`SCHEMA_EXAMPLES`, 8 per operation); `make fuzz` runs longer."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.testclient import TestClient

from sharedspace.app import create_app
from tests.consultations.factories import add_question, make_consultation, post_comment
from tests.definitions.factories import make_definition, viewer_for
from tests.factories import build_world
from workspace.settings import Settings
from workspace.tokens import service as tokens
from workspace.tokens.models import TokenScope

EXAMPLES = int(os.environ.get("SCHEMA_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_app(settings: Settings) -> Any:
    """The app with data behind the documented example slugs, and rate limits far enough
    away that the run reaches the endpoints rather than the limit."""
    app = create_app(replace(settings, api_limit_per_ip=100_000, api_limit_per_token=100_000))
    rt = app.state.runtime
    world = build_world(rt)
    make_definition(rt, world)
    consultation = make_consultation(rt, world)
    add_question(rt, consultation, "Do you agree?")
    first = post_comment(rt, consultation, world.users["member"], "Fabric first.")
    post_comment(rt, consultation, world.users["public"], "Agreed.", first)
    app.state.token = tokens.do_create(
        rt,
        viewer_for(rt, world.users["member"]),
        tokens.TokenDraft(name="schema", scope=TokenScope.READ_WRITE),
    )
    yield app
    rt.worker.close()
    rt.db.dispose()


BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


def _run_every_operation(
    app: Any, headers: dict[str, str], seen: set[tuple[str, int]]
) -> list[str]:
    """Each operation's examples and generated cases, through Hypothesis (schemathesis's
    pytest plugin does not load under pytest 9); the failures, by operation."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures = []
    for found in schema.get_all_operations():
        operation = found.ok()

        examples = operation.get_strategies_from_examples()
        strategies = [st.one_of(*examples)] if examples else []
        strategies.append(operation.as_strategy())
        try:
            for strategy in strategies:  # the documented examples, then generated cases
                _checker(operation.label, strategy, headers, seen)()
        except Exception as failure:
            failures.append(f"{operation.label}: {failure}")
    return failures


def _checker(label: str, strategy: Any, headers: dict[str, str], seen: set[tuple[str, int]]) -> Any:
    @given(case=strategy)
    @BOUNDED
    def check(case: Any) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        seen.add((label, response.status_code))

    return check


def _succeeded(seen: set[tuple[str, int]]) -> set[str]:
    return {label for label, status in seen if status in (200, 201)}


def test_every_answer_to_a_visitor_matches_the_document(api_app: Any) -> None:
    seen: set[tuple[str, int]] = set()
    assert _run_every_operation(api_app, {}, seen) == []
    # The documented examples reach real data: every read a visitor may make succeeded
    # at least once (the draft definition and an open consultation's responses are not
    # theirs to read).
    reads = {f"GET {path}" for path in _paths(api_app, "get")}
    assert reads - _succeeded(seen) == {
        "GET /api/v1/groups/{slug}/definitions/{definition}",
        "GET /api/v1/consultations/{slug}/responses",
    }


def test_every_answer_to_a_token_matches_the_document(api_app: Any) -> None:
    seen: set[tuple[str, int]] = set()
    token = {"Authorization": f"Bearer {api_app.state.token}"}
    assert _run_every_operation(api_app, token, seen) == []
    writes = {f"POST {path}" for path in _paths(api_app, "post")}
    assert _succeeded(seen) & writes  # and some writes got through, as the member


def _paths(app: Any, method: str) -> list[str]:
    with TestClient(app) as client:
        document = client.get("/api/v1/openapi.json").json()
    return [path for path, operations in document["paths"].items() if method in operations]
