"""An invited consultation in search, on both backends (Whoosh and PostgreSQL full-text):
its `place:N` visibility lets its invitees and its group find it and its comments, and
nobody else, not even by words of its title."""

from __future__ import annotations

import time
from collections.abc import Callable

from consultations.invitations import service as invitations
from tests import search_cases
from tests.client import HubClient
from tests.consultations.factories import post_comment
from tests.consultations.invitations.factories import invite, make_invited
from tests.definitions.factories import viewer_for
from tests.factories import World
from workspace.permissions import ANONYMOUS, readable_places
from workspace.runtime import Runtime
from workspace.search.outbox import backlog

# Each test runs once per search backend (tests/search_cases.py).
search_case, database_url, settings = (
    search_cases.search_case,
    search_cases.database_url,
    search_cases.settings,
)


def _drain(rt: Runtime) -> None:
    rt.indexer.drain()
    deadline = time.monotonic() + 10
    while backlog(rt.db) and time.monotonic() < deadline:
        time.sleep(0.02)
        rt.indexer.drain()


def _titles(client: HubClient, q: str) -> list[str]:
    page = client.page(f"/search?q={q}")
    return [a.get_text(strip=True) for a in page.select(".ss-search-result h2 a")]


EXPECTED = {
    "visitor": False,
    "public": True,  # invited
    "outsider": False,  # chairs another group
    "member": True,
    "chair": True,
    "observer": True,
    "secretariat": True,
}


def test_only_the_audience_finds_an_invited_consultation_and_its_comments(
    rt: Runtime, world: World, as_role: Callable[[str], HubClient]
) -> None:
    consultation = make_invited(rt, world, "Heatpump pilots: invited circle")
    invite(rt, world, consultation, world.users["public"].email)
    post_comment(rt, consultation, world.users["member"], "Heatpump grants should come first.")
    _drain(rt)
    for role, allowed in EXPECTED.items():
        found = _titles(as_role(role), "heatpump")
        assert (consultation.title in found) is allowed, (role, found)
        comments = [t for t in found if t.endswith(f"on {consultation.title}")]
        assert bool(comments) is allowed, (role, found)


def test_search_reads_only_the_invited_consultations_a_viewer_could_read(
    rt: Runtime, world: World
) -> None:
    """The candidates come from the viewer's groups and invitations, not from every
    invited consultation in the hub; what is readable is the same as from all of them."""
    consultation = make_invited(rt, world, "Heatpump pilots: invited circle")
    invite(rt, world, consultation, world.users["public"].email)
    secretariat = viewer_for(rt, world.users["secretariat"])
    with rt.db.read() as session:
        every = invitations.invited_places(session, secretariat)
        assert [p.place_id for p in every] == [consultation.id]
        assert invitations.invited_places(session, ANONYMOUS) == []
        for role in EXPECTED:
            who = viewer_for(rt, world.users[role]) if role != "visitor" else ANONYMOUS
            candidates = invitations.invited_places(session, who)
            assert readable_places(who, candidates) == readable_places(who, every), role
            assert bool(candidates) is EXPECTED[role], role
