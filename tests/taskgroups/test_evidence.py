"""The evidence library: who sees what, withdrawal that keeps the record, links to what
rests on a document, and search inside documents within the same rules."""

from __future__ import annotations

from collections.abc import Callable

from definitions import service as definitions
from definitions.tiers import Tier, new_tier_key
from tests.client import HubClient, error_summary, soup
from tests.definitions.factories import viewer_for
from tests.factories import World
from tests.taskgroups.factories import add_evidence, sample_pdf, stored
from workspace.files.store import FileStore
from workspace.runtime import Runtime

AsRole = Callable[[str], HubClient]


def _library(client: HubClient, world: World) -> list[str]:
    page = client.page(f"/groups/{world.group.slug}/evidence")
    return [a.get_text(strip=True) for a in page.select(".ss-evidence-list td a")]


def test_group_only_documents_are_never_listed_served_or_searched_for_outsiders(
    rt: Runtime, world: World, as_role: AsRole
) -> None:
    member = viewer_for(rt, world.users["member"])
    private = add_evidence(
        rt, member, world.group, "Draft cost review", sample_pdf("quibblesome costs")
    )
    add_evidence(
        rt,
        member,
        world.group,
        "Published fabric study",
        sample_pdf("quibblesome fabric"),
        "fabric.pdf",
        visibility="public",
    )
    rt.indexer.drain()
    item = f"/groups/{world.group.slug}/evidence/{private.id}"
    for role in ("visitor", "public", "outsider"):
        client = as_role(role) if role != "outsider" else _outsider(as_role, world)
        assert _library(client, world) == ["Published fabric study"], role
        assert client.get(item).status_code == 404, role
        assert client.get(item + "/file").status_code == 404, role
        hits = client.page("/search?q=quibblesome").select(".ss-search-result a")
        assert [a.get_text(strip=True) for a in hits] == ["Published fabric study"], role
    for role in ("member", "chair", "observer", "secretariat"):
        client = as_role(role)
        assert sorted(_library(client, world)) == ["Draft cost review", "Published fabric study"]
        assert client.get(item + "/file").status_code == 200, role
        assert len(client.page("/search?q=quibblesome").select(".ss-search-result")) == 2


def _outsider(as_role: AsRole, world: World) -> HubClient:
    """Signed in and chairing another group: still an outsider to this one."""
    client = as_role("visitor")
    client.sign_in_as(world.users["outsider"])
    return client


def test_withdrawing_keeps_the_record_and_stops_serving_the_file(
    rt: Runtime, world: World, as_role: AsRole
) -> None:
    member = viewer_for(rt, world.users["member"])
    item = add_evidence(rt, member, world.group, "Old cost review", sample_pdf("superseded"))
    row = stored(rt, item)
    path = FileStore(rt.settings.data_dir).path_for(row.sha256)
    assert path.is_file()
    client = as_role("member")
    base = f"/groups/{world.group.slug}/evidence/{item.id}"
    refused = client.submit(base + "/withdraw", {"reason": ""})
    assert refused.status_code == 400
    assert error_summary(soup(refused.text)) == ["Enter why it is withdrawn"]
    done = client.submit(base + "/withdraw", {"reason": "Superseded by the 2014 review."})
    assert done.status_code == 303
    page = client.page(base)
    notice = page.select_one("#withdrawn").get_text(" ", strip=True)
    assert "Withdrawn by Raj Member on" in notice
    assert "Superseded by the 2014 review." in notice
    gone = client.get(base + "/file")
    assert gone.status_code == 410
    assert soup(gone.text).select_one("#withdrawn") is not None
    assert not path.exists()  # nothing else used the bytes, so they are gone too
    assert stored(rt, item).removed_at is not None
    rt.indexer.drain()
    assert client.page("/search?q=superseded").select(".ss-search-result") == []
    assert client.submit(base + "/edit", {"title": "x"}).status_code == 400  # frozen


def test_a_shared_file_outlives_the_withdrawal_of_one_of_its_documents(
    rt: Runtime, world: World, as_role: AsRole
) -> None:
    member = viewer_for(rt, world.users["member"])
    first = add_evidence(rt, member, world.group, "Copy one", sample_pdf("twin"))
    second = add_evidence(rt, member, world.group, "Copy two", sample_pdf("twin"))
    assert first.file_id == second.file_id
    client = as_role("chair")  # chairs may withdraw what members added
    base = f"/groups/{world.group.slug}/evidence"
    assert client.submit(f"{base}/{first.id}/withdraw", {"reason": "Duplicate"}).status_code == 303
    assert client.get(f"{base}/{second.id}/file").content == sample_pdf("twin")


def test_only_the_adder_chairs_and_secretariat_change_a_document(
    rt: Runtime, world: World, as_role: AsRole
) -> None:
    chair = viewer_for(rt, world.users["chair"])
    item = add_evidence(rt, chair, world.group, "Chair's paper", sample_pdf())
    base = f"/groups/{world.group.slug}/evidence/{item.id}"
    assert as_role("member").get(base + "/edit").status_code == 403
    assert as_role("observer").get(base + "/edit").status_code == 403
    assert as_role("secretariat").get(base + "/edit").status_code == 200
    page = as_role("member").page(base)
    assert "Withdraw it" not in page.get_text()


def test_a_member_links_a_document_to_a_tier_and_the_tier_shows_it(
    rt: Runtime, world: World, as_role: AsRole
) -> None:
    chair = viewer_for(rt, world.users["chair"])
    tier = Tier(key=new_tier_key(), name="Energy efficiency", summary="", requirement="Fabric.")
    definition = definitions.do_create(rt, chair, world.group, "Zero carbon homes", "", [tier])
    item = add_evidence(rt, chair, world.group, "Fabric standard study", sample_pdf())
    client = as_role("member")
    base = f"/groups/{world.group.slug}/evidence/{item.id}"
    page = client.page(base)
    options = {o.get_text(strip=True): o["value"] for o in page.select("#target option")}
    value = options["Energy efficiency, in Zero carbon homes"]
    assert client.submit(base + "/links", {"target": "tier:999:x"}).status_code == 400
    assert client.submit(base + "/links", {"target": value}).status_code == 303
    assert client.submit(base + "/links", {"target": value}).status_code == 303  # idempotent
    page = client.page(base)
    links = [li.get_text(" ", strip=True) for li in page.select(".ss-evidence-links li")]
    assert len(links) == 1
    assert "Energy efficiency, in Zero carbon homes" in links[0]
    shown = client.page(definitions.definition_url(world.group, definition))
    section = shown.select_one(f"#tier-section-{tier.key} .ss-linked-evidence")
    assert section is not None
    assert "Fabric standard study" in section.get_text()
    # Observers read the links but never make them.
    observer_page = as_role("observer").page(base)
    assert observer_page.select_one("#target") is None
    assert as_role("observer").submit(base + "/links", {"target": value}).status_code == 403


def test_the_health_of_file_storage_is_reported(rt: Runtime, world: World, as_role: AsRole) -> None:
    member = viewer_for(rt, world.users["member"])
    add_evidence(rt, member, world.group, "Cost review", sample_pdf("x"))
    health = as_role("visitor").get("/healthz").json()
    assert health["files"]["count"] == 1
    assert health["files"]["bytes"] == len(sample_pdf("x"))
    assert health["files"]["free_bytes"] > 0
    page = as_role("secretariat").page("/health")
    assert "Stored files" in page.get_text()
    assert as_role("member").get("/health").status_code == 403
