"""What definitions put in the search index: the current text of each tier.

Follows `definitions.service.readable` and `public_number`: the head revision is the
group's (visibility group:N) and the agreed revision, when there is one, is public. When
the head *is* the agreed revision it is indexed once, as public.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, select

from definitions.models import Definition, Revision, TierRow
from definitions.service import definition_url
from taskgroups.groups.models import TaskGroup
from workspace.markdown import plain_text
from workspace.search import PUBLIC, DocumentProvider, SearchDocument, group_visibility

KIND = "definition"


def _fetch(session: Session, ids: Sequence[int]) -> dict[int, list[SearchDocument]]:
    rows = session.exec(
        select(Definition, TaskGroup)
        .join(TaskGroup, col(TaskGroup.id) == Definition.group_id)
        .where(col(Definition.id).in_(ids))
    ).all()
    wanted: dict[tuple[int, int], str] = {}  # (definition, number) -> visibility
    for definition, _group in rows:
        if definition.agreed_number is not None:
            wanted[(definition.id or 0, definition.agreed_number)] = PUBLIC
        if definition.head_number and definition.head_number != definition.agreed_number:
            wanted[(definition.id or 0, definition.head_number)] = group_visibility(
                definition.group_id
            )
    revisions = session.exec(
        select(Revision).where(col(Revision.definition_id).in_([d.id for d, _ in rows]))
    ).all()
    by_id = {r.id: r for r in revisions if (r.definition_id, r.number) in wanted}
    tiers = session.exec(
        select(TierRow)
        .where(col(TierRow.revision_id).in_(list(by_id)))
        .order_by(col(TierRow.revision_id), col(TierRow.position))
    ).all()
    found: dict[int, list[SearchDocument]] = {d.id or 0: [] for d, _ in rows}
    groups = {d.id: (d, g) for d, g in rows}
    for tier in tiers:
        revision = by_id[tier.revision_id]
        definition, group = groups[revision.definition_id]
        visibility = wanted[(revision.definition_id, revision.number)]
        agreed = visibility == PUBLIC
        metric = " ".join(
            p for p in (tier.metric_comparator, tier.metric_value, tier.metric_unit) if p
        )
        found[definition.id or 0].append(
            SearchDocument(
                kind=KIND,
                object_id=definition.id or 0,
                title=f"{definition.title}: {tier.name}",
                body=f"{tier.summary}\n{plain_text(tier.requirement)}\n{metric}",
                url=f"{definition_url(group, definition)}/revisions/{revision.number}",
                date=revision.created_at,
                visibility=visibility,
                group_id=definition.group_id,
                part=f"r{revision.number}-t{tier.position}",
                label=("Agreed" if agreed else "Draft") + f", revision {revision.number}",
            )
        )
    return found


def _all_ids(session: Session) -> Iterable[int]:
    return [i for i in session.exec(select(Definition.id).order_by(col(Definition.id))) if i]


PROVIDERS = [DocumentProvider(KIND, "Definitions", _fetch, _all_ids)]
