"""Every route, hostile input, every role: no answer may be a server error (5xx).

The routes come from the app's own route table (joined with the permission matrix's
concrete paths for the real ids and slugs). Hypothesis draws a role, a route and hostile
values for its path parameters, its query string and, for POST, its form fields (the
names the route's page really uses, and some it does not): Unicode digits, huge and
negative numbers, control characters, long strings, odd dates and duplicated fields.

`make test` runs a bounded, derandomised number of examples (FUZZ_EXAMPLES, default 400);
`make fuzz` runs many more, randomised, on SQLite and PostgreSQL (docs/testing.md).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharedspace.routing import leaves
from tests.client import HubClient, soup
from tests.conftest import BACKENDS, fresh_database
from tests.factories import ROLES, World
from tests.test_permissions_matrix import MATRIX, with_definition  # noqa: F401 - fixture

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "400"))
RANDOM = os.environ.get("FUZZ_RANDOM", "") == "1"
ENGINES = [e for e in os.environ.get("FUZZ_ENGINES", "sqlite").split(",") if e in BACKENDS]

HOSTILE = [
    "²",
    "١٢",
    "１２",
    "99999999999999999999",
    str(2**31),
    str(2**63),
    "-1",
    "0",
    "1e3",
    " 7 ",
    "0x10",
    "9999-12-31",
    "0001-01-01",
    "2016-02-30",
    "+002016-01-01",
    "2016-W01-1",
    "25:61",
    "\x00",
    "a\nb",
    "\r\n",
    "line\u2028break",
    "\x1b[31m",
    "x" * 5000,
    "%",
    "%ff",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "NaN",
    "∞",
    "🏠",
    "",
]
QUERY_KEYS = ["after", "group", "person", "page", "from", "to", "q", "kind", "next", "format"]
# Signing out (or in) changes who the client is; the test signs the role back in after.
IDENTITY = re.compile(r"^/account/(sign-out|sign-in|password-reset|register)")

hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path, request.param)


def _targets(app: Any) -> list[tuple[str, str, list[str], dict[str, str]]]:
    """(method, path template, parameter names, real values) for every served route."""
    concrete = {(method, pattern): path for method, pattern, path, _ in MATRIX}
    found = []
    for prefix, route in leaves(app.routes):
        names = re.findall(r"\{(\w+)(?::\w+)?\}", prefix + route.path)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            real = concrete.get((method, prefix + route.path), "")
            matched = re.fullmatch(_as_regex(prefix + route.path), real.split("?")[0])
            values = matched.groupdict() if matched else {}
            found.append((method, prefix + route.path, names, values))
    return found


def _as_regex(template: str) -> str:
    parts = re.split(r"\{(\w+)(?::\w+)?\}", template)
    out = ""
    for i, part in enumerate(parts):
        out += re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+?)"
    return out


def _fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: quote(values[m.group(1)], safe=""), template)


def _field_names(client: HubClient, path: str) -> list[str]:
    """The names of the fields on the page a form is posted from (when it has one)."""
    response = client.get(path)
    if response.status_code != 200 or "html" not in response.headers.get("content-type", ""):
        return []
    page = soup(response.text)
    return sorted({str(f["name"]) for f in page.select("[name]") if f.name != "meta"})


@pytest.mark.usefixtures("with_definition")
def test_no_input_reaches_a_server_error(
    app: Any, as_role: Callable[[str], HubClient], world: World
) -> None:
    clients = {role: as_role(role) for role in ROLES}
    targets = _targets(app)
    fields: dict[str, list[str]] = {}
    for method, template, _names, values in targets:
        if method == "POST" and len(values) == len(_names):
            path = _fill(template, values)
            fields[template] = _field_names(clients["secretariat"], path)
    sent: list[str] = []
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def attempt(data: st.DataObject) -> None:
        role = data.draw(st.sampled_from(ROLES), label="role")
        method, template, names, real = data.draw(st.sampled_from(targets), label="route")
        values = {n: data.draw(st.sampled_from([real.get(n, "1")]) | hostile) for n in names}
        path = _fill(template, {n: v or "1" for n, v in values.items()})
        keys = st.sampled_from(QUERY_KEYS + fields.get(template, []))
        query = data.draw(st.lists(st.tuples(keys, hostile), max_size=4), label="query")
        client = clients[role]
        url = path + ("?" + urlencode(query) if query else "")
        if method == "GET":
            response = client.get(url)
        else:
            form = data.draw(st.lists(st.tuples(keys, hostile), max_size=8), label="form")
            body = urlencode([("csrf_token", client.csrf_token()), *form])
            response = client.post(
                url, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
            )
            if IDENTITY.match(path) and role != "visitor":
                client.sign_in_as(world.users[role])
        sent.append(f"{method} {url}")
        if response.status_code >= 500:
            failures.append(f"{role} {method} {url!r} {dict(query)!r}: {response.status_code}")

    attempt()
    print(f"\nfuzz: {len(sent)} requests over {len(targets)} routes, {len(failures)} server errors")
    assert failures == []
    assert len(sent) >= EXAMPLES
