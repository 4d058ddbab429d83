"""The consultation, group and timeline pages read the header's unread count and their
follow button in one statement (workspace/notifications/header.py): what they show must
be what the separate reads show on other pages, for each viewer."""

from __future__ import annotations

from collections.abc import Callable

from consultations.lifecycle.models import Consultation
from tests.client import HubClient
from tests.consultations.factories import make_consultation, post_comment
from tests.definitions.factories import viewer_for
from tests.factories import World
from workspace.runtime import Runtime

OpenAs = Callable[[str], HubClient]


def unread(client: HubClient, path: str) -> str:
    count = client.page(path).select_one("#unread-count")
    assert count is not None
    return count.get_text()


def pressed(client: HubClient, path: str) -> str:
    button = client.page(path).select_one("form.ss-follow button")
    assert button is not None
    return str(button["aria-pressed"])


def follow(client: HubClient, kind: str, target_id: int, back: str) -> None:
    form = {"kind": kind, "target_id": str(target_id), "action": "follow", "next": back}
    assert client.submit("/following/set", form).status_code == 303


def test_the_unread_count_is_the_same_on_every_page(
    rt: Runtime, world: World, as_role: OpenAs
) -> None:
    consultation: Consultation = make_consultation(rt, world)
    first = post_comment(rt, consultation, world.users["public"], "Fabric first.")
    post_comment(rt, consultation, world.users["member"], "Why?", parent=first)
    rt.worker.run_pending()
    reader = as_role("public")
    pages = ["/", f"/consultations/{consultation.slug}", f"/groups/{world.group.slug}"]
    pages += ["/timeline", f"/groups/{world.group.slug}/timeline"]
    assert [unread(reader, path) for path in pages] == ["1"] * len(pages)
    other = as_role("observer")
    assert [unread(other, path) for path in pages] == ["0"] * len(pages)


def test_the_follow_button_shows_each_viewer_their_own_state(
    rt: Runtime, world: World, as_role: OpenAs
) -> None:
    reader, other = as_role("public"), as_role("observer")
    group_page = f"/groups/{world.group.slug}"
    assert pressed(reader, group_page) == pressed(reader, "/timeline") == "false"
    follow(reader, "group", world.group.id or 0, group_page)
    follow(reader, "programme", 0, "/timeline")
    assert pressed(reader, group_page) == pressed(reader, "/timeline") == "true"
    # The observer follows the group automatically (seated in it), not the programme: as
    # the separate read says.
    observer = viewer_for(rt, world.users["observer"])
    for kind, target_id, path in (
        ("group", world.group.id or 0, group_page),
        ("programme", 0, "/timeline"),
    ):
        expected = rt.notifications.button(observer, kind, target_id).following
        assert pressed(other, path) == ("true" if expected else "false")
