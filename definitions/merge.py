"""Three-way merge of tier lists.

``theirs`` is the definition's current head and ``mine`` is a user's edit that started
from ``base``. Tiers are matched by their stable ``key`` so renames and reorders are
not mistaken for delete-plus-add. Content and order are merged independently: one side
may reorder while the other edits without either losing work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from definitions.tiers import Tier

# Conflict kinds are named "<theirs action>-<mine action>".
EDIT_EDIT = "edit-edit"
DELETE_EDIT = "delete-edit"  # head deleted the tier, the user edited it
EDIT_DELETE = "edit-delete"  # head edited the tier, the user deleted it
ORDER = "order"
KINDS = frozenset({EDIT_EDIT, DELETE_EDIT, EDIT_DELETE, ORDER})

# Order conflicts concern the whole list, not a tier; tier keys are uuid hex so an empty
# key can never collide with one.
ORDER_CONFLICT_KEY = ""


@dataclass(frozen=True)
class Conflict:
    key: str
    kind: str
    base: Tier | None = None
    theirs: Tier | None = None
    mine: Tier | None = None
    # Only filled for kind "order": the key sequences the user must choose between.
    base_order: tuple[str, ...] = ()
    theirs_order: tuple[str, ...] = ()
    mine_order: tuple[str, ...] = ()


@dataclass
class MergeResult:
    # Merged tiers; a conflicting tier provisionally holds "theirs" (absent if deleted).
    tiers: list[Tier]
    conflicts: list[Conflict]
    auto_merged: bool = False
    # Every key that could appear after resolution, in merged order, including
    # conflicting tiers provisionally absent - resolve() needs their positions.
    slots: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def merge_tiers(base: list[Tier], theirs: list[Tier], mine: list[Tier]) -> MergeResult:
    """Merge ``mine`` (based on ``base``) into ``theirs`` (the current head)."""
    b, t, m = _index(base), _index(theirs), _index(mine)
    values: dict[str, Tier | None] = {}
    conflicts: list[Conflict] = []
    for key in _union_keys(base, theirs, mine):
        value, conflict = _merge_one(key, b.get(key), t.get(key), m.get(key))
        values[key] = value
        if conflict:
            conflicts.append(conflict)

    skeleton, order_conflict = _merge_order(base, theirs, mine)
    if order_conflict:
        conflicts.append(order_conflict)
    # Keys deleted without conflict take no slot; conflicting ones keep theirs open.
    open_keys = {c.key for c in conflicts} | {k for k, v in values.items() if v is not None}
    in_skeleton = set(skeleton)
    extras = [k for k in values if k in open_keys and k not in in_skeleton]
    slots = _place_extras(skeleton, extras, theirs, mine)
    tiers = [tier for k in slots if (tier := values[k]) is not None]
    both_changed = theirs != base and mine != base
    return MergeResult(tiers, conflicts, both_changed and not conflicts, slots)


def resolve(
    result: MergeResult, choices: dict[str, Tier | None], order: list[str] | None = None
) -> list[Tier]:
    """Apply a user's resolution: ``choices`` maps conflict key -> chosen tier (``None``
    deletes it); ``order`` optionally gives the final key order. Unresolved conflicts
    keep their provisional value ("theirs")."""
    by_key = {c.key: c for c in result.conflicts if c.kind != ORDER}
    unknown = set(choices) - set(by_key)
    if unknown:
        raise ValueError(f"no conflict for keys: {sorted(unknown)}")
    provisional = {t.key: t for t in result.tiers}
    tiers: list[Tier] = []
    for key in result.slots:
        tier = choices[key] if key in choices else provisional.get(key)
        if tier is not None and tier.key != key:
            raise ValueError(f"choice for {key!r} carries key {tier.key!r}")
        if tier is not None:
            tiers.append(tier)
    return _apply_order(tiers, order) if order is not None else tiers


def _apply_order(tiers: list[Tier], order: list[str]) -> list[Tier]:
    # Lenient on purpose: keys the user ordered but then deleted are ignored, and tiers
    # the order omits keep their merged position at the end rather than vanishing.
    rank = {key: i for i, key in enumerate(order)}
    return sorted(tiers, key=lambda t: rank.get(t.key, len(rank)))


def _index(tiers: Sequence[Tier]) -> dict[str, Tier]:
    index = {t.key: t for t in tiers}
    if len(index) != len(tiers):
        raise ValueError("duplicate tier keys")
    return index


def _union_keys(*lists: Iterable[Tier]) -> list[str]:
    # dict preserves first-seen order, which keeps the merge deterministic.
    return list(dict.fromkeys(t.key for tiers in lists for t in tiers))


def _same(a: Tier | None, b: Tier | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.content() == b.content()


def _merge_one(
    key: str, base: Tier | None, theirs: Tier | None, mine: Tier | None
) -> tuple[Tier | None, Conflict | None]:
    """Merge one tier's content. Returns (provisional value, conflict or None)."""
    if _same(theirs, mine):
        return theirs, None
    if _same(base, theirs):
        return mine, None  # only mine changed (edited, added or deleted)
    if _same(base, mine):
        return theirs, None  # only theirs changed
    if theirs is None:
        kind = DELETE_EDIT
    elif mine is None:
        kind = EDIT_DELETE
    else:
        kind = EDIT_EDIT  # includes the same key added differently on both sides
    return theirs, Conflict(key, kind, base, theirs, mine)


def _merge_order(
    base: list[Tier], theirs: list[Tier], mine: list[Tier]
) -> tuple[list[str], Conflict | None]:
    """Order the keys present on all three sides; returns (order, conflict or None)."""
    common = {t.key for t in base} & {t.key for t in theirs} & {t.key for t in mine}
    b, t, m = ([x.key for x in tiers if x.key in common] for tiers in (base, theirs, mine))
    if t in (b, m):
        return m, None
    if m == b:
        return t, None
    conflict = Conflict(
        ORDER_CONFLICT_KEY, ORDER, base_order=tuple(b), theirs_order=tuple(t), mine_order=tuple(m)
    )
    return t, conflict  # provisional: the head's order


def _place_extras(
    skeleton: list[str], extras: list[str], theirs: list[Tier], mine: list[Tier]
) -> list[str]:
    """Insert keys not on all three sides (additions, and tiers kept by a conflict)
    next to their neighbours on the side that has them - theirs first, so when both
    sides add at the same spot the head's additions come first."""
    result = list(skeleton)
    pending = set(extras)
    for side in (theirs, mine):
        side_keys = [t.key for t in side]
        present = set(side_keys)
        for i, key in enumerate(side_keys):
            if key in pending:
                pos = _insert_position(result, side_keys[:i], present)
                result.insert(pos, key)
                pending.discard(key)
    # Left over: keys only in base kept by a conflict (none today, but stay total).
    return result + [k for k in extras if k in pending]


def _insert_position(result: list[str], before: list[str], present: set[str]) -> int:
    """Just after the nearest preceding neighbour already placed, then past keys this
    side doesn't know about (the other side's additions at the same spot)."""
    placed = {k: i for i, k in enumerate(result)}
    anchor = next((k for k in reversed(before) if k in placed), None)
    pos = placed[anchor] + 1 if anchor is not None else 0
    while pos < len(result) and result[pos] not in present:
        pos += 1
    return pos
