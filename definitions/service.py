"""Definitions and their revisions: every save kept, none lost.

A save names the revision it was based on. Inside one write transaction (which holds
the database's write lock on SQLite and a row lock on the definition on PostgreSQL)
we compare that base with the head: unchanged head -> new revision; moved head ->
three-way merge per tier; clean -> new revision marked as merged; conflict -> nothing
written, the caller shows the merge page with the user's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from definitions.merge import MergeResult, merge_tiers, resolve
from definitions.models import Definition, DefinitionStatus, Revision, TierRow
from definitions.tiers import Metric, Tier
from taskgroups.groups.models import Membership, TaskGroup
from workspace import activity, search
from workspace.db import WriteUnit, utcnow
from workspace.events import DefinitionRevised
from workspace.markdown import render_markdown
from workspace.models import User
from workspace.notifications.following import auto_follow
from workspace.permissions import Action, Viewer, can, require
from workspace.runtime import Runtime
from workspace.text import slugify


@dataclass
class SaveResult:
    number: int | None = None  # the new revision, when one was written
    merged: bool = False  # the head had moved and the change was merged onto it
    conflict: MergeResult | None = None
    head_number: int = 0
    head_tiers: list[Tier] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return self.number is not None


# -- reading ----------------------------------------------------------------------------


def to_tier(row: TierRow) -> Tier:
    metric = None
    if row.metric_comparator:
        metric = Metric(row.metric_comparator, row.metric_value, row.metric_unit)
    return Tier(
        key=row.key, name=row.name, summary=row.summary, requirement=row.requirement, metric=metric
    )


def get_definition(session: Session, group_id: int, slug: str) -> Definition | None:
    return session.exec(
        select(Definition).where(Definition.group_id == group_id, Definition.slug == slug)
    ).first()


def get_revision(session: Session, definition_id: int, number: int) -> Revision | None:
    return session.exec(
        select(Revision).where(Revision.definition_id == definition_id, Revision.number == number)
    ).first()


def tier_rows(session: Session, revision_id: int) -> list[TierRow]:
    return list(
        session.exec(
            select(TierRow)
            .where(TierRow.revision_id == revision_id)
            .order_by(col(TierRow.position))
        ).all()
    )


def tiers_of(session: Session, definition_id: int, number: int) -> list[Tier]:
    revision = get_revision(session, definition_id, number)
    if revision is None or revision.id is None:
        return []
    return [to_tier(row) for row in tier_rows(session, revision.id)]


def history(session: Session, definition_id: int) -> list[tuple[Revision, str | None]]:
    rows = session.exec(
        select(Revision, User.display_name)
        .join(User, User.id == Revision.author_id, isouter=True)  # type: ignore[arg-type]
        .where(Revision.definition_id == definition_id)
        .order_by(col(Revision.number).desc())
    ).all()
    return [(revision, name) for revision, name in rows]


def for_group(session: Session, group_id: int) -> list[Definition]:
    return list(
        session.exec(
            select(Definition)
            .where(Definition.group_id == group_id)
            .order_by(col(Definition.title))
        ).all()
    )


def readable(viewer: Viewer, definition: Definition) -> bool:
    """Agreed definitions are public, and stay so while the group drafts a new revision
    (the public then sees the agreed one); drafts and proposals are the group's."""
    if definition.agreed_number is not None:
        return True
    return can(viewer, Action.READ_GROUP_PRIVATE, definition.group_id)


def draft_after(definition: Definition) -> int | None:
    """The revision being drafted after the agreed one, if the group has started one."""
    if definition.agreed_number is not None and definition.head_number > definition.agreed_number:
        return definition.head_number
    return None


def public_number(viewer: Viewer, definition: Definition) -> int:
    """The revision this viewer is shown by default: the head for the group, the agreed
    revision for everyone else."""
    if can(viewer, Action.READ_GROUP_PRIVATE, definition.group_id):
        return definition.head_number
    return definition.agreed_number or definition.head_number


# -- writing ----------------------------------------------------------------------------


def _author_org(session: Session, group_id: int, user_id: int | None) -> int | None:
    return session.exec(
        select(Membership.organisation_id).where(
            Membership.group_id == group_id, Membership.user_id == user_id
        )
    ).first()


def title_taken(session: Session, group_id: int, title: str) -> bool:
    return (
        session.exec(
            select(Definition.id).where(
                Definition.group_id == group_id, Definition.slug == slugify(title)
            )
        ).first()
        is not None
    )


def do_create(
    rt: Runtime, actor: Viewer, group: TaskGroup, title: str, purpose: str, tiers: list[Tier]
) -> Definition:
    require(actor, Action.EDIT_DRAFT, group.id)
    with rt.db.write() as unit:
        definition = Definition(
            group_id=group.id or 0,
            title=title,
            slug=slugify(title),
            purpose=purpose,
            created_by=actor.user_id,
        )
        unit.session.add(definition)
        unit.session.flush()
        _write_revision(unit, actor, definition, tiers, "First draft", base=None, merged=None)
        auto_follow(unit, [actor.user_id], FOLLOW_KIND, definition.id or 0, role="author")
        search.enqueue(rt, unit, "definition", definition.id)
        _log(
            unit,
            actor,
            "definition.created",
            definition,
            group,
            f"{actor.display_name} started the definition {title}",
        )
    return definition


def do_save(
    rt: Runtime,
    actor: Viewer,
    group: TaskGroup,
    definition_id: int,
    base_number: int,
    mine: list[Tier],
    note: str,
) -> SaveResult:
    require(actor, Action.EDIT_DRAFT, group.id)
    with rt.db.write() as unit:
        definition = _locked(unit, definition_id)
        head = definition.head_number
        theirs = tiers_of(unit.session, definition_id, head)
        if base_number == head:
            if mine == theirs:
                return SaveResult(number=None, head_number=head, head_tiers=theirs)
            result_tiers, merged = mine, False
        else:
            base = tiers_of(unit.session, definition_id, base_number)
            outcome = merge_tiers(base, theirs, mine)
            if not outcome.clean:
                return SaveResult(conflict=outcome, head_number=head, head_tiers=theirs)
            result_tiers, merged = outcome.tiers, True
            if result_tiers == theirs:  # their change already contained mine
                return SaveResult(number=None, merged=True, head_number=head, head_tiers=theirs)
        number = _write_revision(
            unit,
            actor,
            definition,
            result_tiers,
            note,
            base=base_number,
            merged=head if merged else None,
        )
        _log(
            unit,
            actor,
            DefinitionRevised.name,
            definition,
            group,
            f"{actor.display_name} saved revision {number} of {definition.title}"
            + (" (merged with another edit)" if merged else ""),
        )
        search.enqueue(rt, unit, "definition", definition.id)
        auto_follow(unit, [actor.user_id], FOLLOW_KIND, definition.id or 0, role="author")
        revised = DefinitionRevised(definition.id or 0, group.id or 0, number)
        unit.after_commit(lambda: rt.events.publish(revised))
    return SaveResult(number=number, merged=merged, head_number=number, head_tiers=result_tiers)


def conflict_draft(result: MergeResult, mine: list[Tier]) -> tuple[list[Tier], set[str]]:
    """What the merge page starts from: the merged tiers with the user's own version in
    every conflicting tier, and their order where the orders clash. A tier the user
    removed but the other person edited stays in view, marked for removal, so that
    neither their edit nor the user's intent disappears unseen."""
    mine_by_key = {t.key: t for t in mine}
    choices: dict[str, Tier | None] = {}
    removed: set[str] = set()
    for c in result.conflicts:
        if c.kind == "order":
            continue
        if c.key in mine_by_key:
            choices[c.key] = mine_by_key[c.key]
        else:
            choices[c.key] = c.theirs
            removed.add(c.key)
    order_clash = any(c.kind == "order" for c in result.conflicts)
    order = [t.key for t in mine] if order_clash else None
    return resolve(result, choices, order), removed


def _locked(unit: WriteUnit, definition_id: int) -> Definition:
    # FOR UPDATE serialises concurrent saves on PostgreSQL; SQLite's BEGIN IMMEDIATE
    # already holds the database write lock, and ignores the clause.
    definition = unit.session.exec(
        select(Definition).where(Definition.id == definition_id).with_for_update()
    ).one()
    return definition


def _write_revision(
    unit: WriteUnit,
    actor: Viewer,
    definition: Definition,
    tiers: list[Tier],
    note: str,
    *,
    base: int | None,
    merged: int | None,
) -> int:
    number = definition.head_number + 1
    revision = Revision(
        definition_id=definition.id or 0,
        number=number,
        author_id=actor.user_id,
        organisation_id=_author_org(unit.session, definition.group_id, actor.user_id),
        change_note=note[:500],
        base_number=base,
        merged_with=merged,
    )
    unit.session.add(revision)
    unit.session.flush()
    for position, tier in enumerate(tiers):
        unit.session.add(_tier_row(revision.id, position, tier))  # type: ignore[arg-type]
    definition.head_number = number
    definition.updated_at = utcnow()
    if definition.status == DefinitionStatus.PROPOSED:
        # A new revision during sign-off: positions now count against it.
        definition.proposed_number = number
    # An agreed definition stays agreed while its group drafts the next revision: the
    # agreed text is still what everyone outside the group reads (see `draft_after`).
    unit.session.add(definition)
    return number


def _tier_row(revision_id: int, position: int, tier: Tier) -> TierRow:
    metric = tier.metric
    return TierRow(
        revision_id=revision_id,
        position=position,
        key=tier.key,
        name=tier.name,
        summary=tier.summary,
        requirement=tier.requirement,
        requirement_html=render_markdown(tier.requirement),
        metric_comparator=metric.comparator if metric else "",
        metric_value=metric.value if metric else "",
        metric_unit=metric.unit if metric else "",
    )


def _log(
    unit: WriteUnit,
    actor: Viewer,
    verb: str,
    definition: Definition,
    group: TaskGroup,
    summary: str,
) -> None:
    public = definition.status == DefinitionStatus.AGREED and draft_after(definition) is None
    visibility = activity.PUBLIC if public else activity.GROUP
    activity.record(
        unit,
        actor_id=actor.user_id,
        verb=verb,
        object_type="definition",
        object_id=definition.id,
        group_id=group.id,
        summary=summary,
        url=definition_url(group, definition),
        visibility=visibility,
    )


FOLLOW_KIND = "definition"  # what following a definition is called (workspace/notifications)


def definition_url(group: TaskGroup, definition: Definition) -> str:
    return f"/groups/{group.slug}/definitions/{definition.slug}"
