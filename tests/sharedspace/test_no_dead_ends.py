"""Links never lead someone to a page they may not read (issue 14): from the home page,
every link a visitor or a member of the public can follow answers them, never with
"You cannot do this" (403) or a missing page."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urldefrag, urlparse

import pytest

from tests.client import HubClient, soup
from tests.consultations.factories import make_consultation, post_comment
from tests.definitions.factories import make_definition
from tests.factories import World
from workspace.runtime import Runtime

SKIP = re.compile(r"\.(ics|atom|csv|json|md)$|^/static/|/export|/file$|^/account/sign-out")
MAX_PAGES = 60


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


@pytest.mark.parametrize("role", ["visitor", "public"])
def test_no_link_leads_to_a_refusal(
    rt: Runtime, world: World, as_role: Callable[[str], HubClient], role: str
) -> None:
    make_definition(rt, world)  # a draft: the group's own
    consultation = make_consultation(rt, world)
    post_comment(rt, consultation, world.users["member"], "Fabric first.")
    client = as_role(role)
    seen, queue, dead, visited = {"/"}, ["/"], [], 0
    while queue and visited < MAX_PAGES:
        path = queue.pop(0)
        response = client.get(path)
        visited += 1
        if response.status_code in (403, 404, 500):
            dead.append((path, response.status_code))
            continue
        if response.status_code != 200 or "text/html" not in response.headers["content-type"]:
            continue
        for a in soup(response.text).select("a[href]"):
            parsed = urlparse(urldefrag(str(a["href"]))[0])
            if parsed.netloc or not parsed.path.startswith("/") or SKIP.search(parsed.path):
                continue
            local = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            if _shape(local) not in seen:
                seen.add(_shape(local))
                queue.append(local)
    assert visited > 15
    assert dead == []
