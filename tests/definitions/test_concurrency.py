"""Many people saving the same revision at once: every save is either merged into a new
revision or sent to the merge page, none fails, and nothing is silently lost.

Runs on SQLite (writers queue on BEGIN IMMEDIATE) and PostgreSQL (SELECT ... FOR UPDATE
on the definition row), with real threads, each save in its own session.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlmodel import col, select

from definitions import service
from definitions.models import Definition, Revision
from definitions.tiers import Tier
from tests.client import HubClient, soup
from tests.definitions.factories import (
    D,
    edit,
    edit_form,
    head_tiers,
    make_definition,
    new_tier,
    open_editor,
    tier_index,
    viewer_for,
)
from tests.factories import World
from workspace.models import ActivityEvent
from workspace.runtime import Runtime

SAVES_PER_KIND = 10  # 10 saves to separate tiers + 10 to the same tier


@dataclass
class Attempt:
    note: str
    mine: list[Tier]
    contested: bool  # touches the tier everyone else touches too
    result: service.SaveResult | None = None
    error: BaseException | None = None


def _run_together(
    rt: Runtime, world: World, definition: Definition, attempts: list[Attempt]
) -> None:
    editors = [viewer_for(rt, world.users[role]) for role in ("member", "chair")]
    start = threading.Barrier(len(attempts))

    def save(n: int, attempt: Attempt) -> None:
        start.wait()
        try:
            attempt.result = service.do_save(
                rt, editors[n % 2], world.group, definition.id or 0, 1, attempt.mine, attempt.note
            )
        except BaseException as error:  # recorded, then asserted on: none may happen
            attempt.error = error

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        list(pool.map(save, range(len(attempts)), attempts))


def test_parallel_saves_on_one_base_are_merged_or_sent_to_the_merge_page(
    rt: Runtime, world: World
) -> None:
    # Tier 0 is contested; tiers 1..10 each belong to one saver. (The form caps a
    # definition at 8 tiers; the service takes any list, which lets every separate
    # edit have a tier of its own here.)
    base = [new_tier(f"Tier {n}") for n in range(SAVES_PER_KIND + 1)]
    definition = make_definition(rt, world, base)
    contested = base[0].key
    attempts = [
        Attempt(
            f"separate {n}",
            edit(base, base[n].key, requirement=f"Edited by saver {n}"),
            contested=False,
        )
        for n in range(1, SAVES_PER_KIND + 1)
    ] + [
        Attempt(
            f"same {n}", edit(base, contested, summary=f"Contested version {n}"), contested=True
        )
        for n in range(1, SAVES_PER_KIND + 1)
    ]

    _run_together(rt, world, definition, attempts)

    assert [a.error for a in attempts if a.error] == []
    results = [a.result for a in attempts]
    assert all(r is not None for r in results)
    saved = [a for a in attempts if a.result and a.result.saved]
    clashed = [a for a in attempts if a.result and a.result.conflict is not None]
    # Every save went one way or the other, never both, never neither.
    assert len(saved) + len(clashed) == len(attempts)
    assert not {id(a) for a in saved} & {id(a) for a in clashed}
    # Separate tiers always merge; of the same-tier saves exactly the first one wins.
    assert all(a.contested for a in clashed)
    assert sorted(a.note for a in saved if not a.contested) == sorted(
        a.note for a in attempts if not a.contested
    )
    [winner] = [a for a in saved if a.contested]
    assert len(clashed) == SAVES_PER_KIND - 1
    for a in clashed:
        assert a.result is not None
        assert a.result.conflict is not None
        assert [c.key for c in a.result.conflict.conflicts] == [contested]
        # The merge page would start from the user's own text for the clashing tier.
        draft, _removed = service.conflict_draft(a.result.conflict, a.mine)
        assert next(t for t in draft if t.key == contested).summary == (
            next(t for t in a.mine if t.key == contested).summary
        )

    # The history accounts for every save: one revision each, numbered without gaps.
    with rt.db.read() as session:
        revisions = session.exec(
            select(Revision)
            .where(Revision.definition_id == definition.id)
            .order_by(col(Revision.number))
        ).all()
        logged = session.exec(
            select(ActivityEvent.summary).where(ActivityEvent.verb == "definition.revised")
        ).all()
    assert len(revisions) == 1 + len(saved)
    assert [r.number for r in revisions] == list(range(1, len(saved) + 2))
    assert sorted(r.number for a in saved if (r := a.result)) == list(range(2, len(saved) + 2))
    by_number = {r.number: r for r in revisions}
    for a in saved:
        assert a.result is not None
        written = by_number[a.result.number or 0]
        assert written.change_note == a.note
        assert written.base_number == 1
        # Only the first save found revision 1 still the head; the rest were merged.
        assert a.result.merged == (written.number > 2)
        assert written.merged_with == (written.number - 1 if a.result.merged else None)
    assert len(logged) == len(saved)

    # Every saved change is in the final head; nothing was overwritten.
    number, final = head_tiers(rt, definition)
    assert number == 1 + len(saved)
    expected = edit(base, contested, summary=winner.mine[0].summary)
    for a in saved:
        if not a.contested:
            changed = next(t for t, b in zip(a.mine, base, strict=True) if t != b)
            expected = edit(expected, changed.key, requirement=changed.requirement)
    assert final == expected


def test_parallel_form_posts_are_merged_or_answered_with_the_merge_page(
    app,
    rt: Runtime,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    """The same race through HTTP: each browser posts its form (based on revision 1) at
    once; each is answered 303 (saved or merged) or 409 (merge page), never 500."""
    definition = make_definition(rt, world)
    _number, base = head_tiers(rt, definition)
    clients = []
    for n in range(6):
        client = HubClient(app).__enter__()
        client.sign_in_as(world.users["member" if n % 2 else "chair"])
        fields = open_editor(client)
        if n < 3:  # three edit the same tier, three add a tier each
            fields[f"tier-{tier_index(fields, base[1].key)}-summary"] = f"Version {n}"
        else:
            fields |= {"tier-new-name": f"Added {n}", "tier-new-summary": f"By browser {n}"}
        clients.append((client, fields))
    start = threading.Barrier(len(clients))

    def post(pair: tuple[HubClient, dict[str, str]]) -> tuple[int, str]:
        client, fields = pair
        start.wait()
        # The form carries its CSRF token already: post it straight away, all at once.
        response = client.post(f"{D}/edit", data=fields)
        return response.status_code, response.text

    try:
        with ThreadPoolExecutor(max_workers=len(clients)) as pool:
            answers = list(pool.map(post, clients))
    finally:
        for client, _fields in clients:
            client.__exit__(None, None, None)

    statuses = [status for status, _text in answers]
    assert sorted(statuses) == [303, 303, 303, 303, 409, 409]
    number, final = head_tiers(rt, definition)
    assert number == 1 + statuses.count(303)
    assert sorted(t.name for t in final[3:]) == ["Added 3", "Added 4", "Added 5"]
    [winner] = [n for n in range(3) if statuses[n] == 303]
    assert final[1].summary == f"Version {winner}"
    # Each loser's merge page names the clashing tier and keeps their own version.
    car = base[1].key
    for n, (status, text) in enumerate(answers):
        if status == 409:
            fields = edit_form(soup(text))
            assert soup(text).select_one(f"#conflict-{car}") is not None
            assert fields[f"tier-{tier_index(fields, car)}-summary"] == f"Version {n}"
