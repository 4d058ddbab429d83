"""Word-level diffs for comparing two revisions of a definition.

Output is ``Markup`` so templates can drop it in without ``|safe``; every piece of user
text is escaped here, exactly once, before any markup is added around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from markupsafe import Markup, escape

from definitions.tiers import Tier

# Words, runs of whitespace, and single punctuation marks. Splitting punctuation off
# means "39." -> "40." highlights the number rather than the whole token, and keeping
# whitespace as tokens lets the output reproduce the input exactly.
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")

# A segment of the diff: (old text, new text); equal segments have old == new.
_Segment = tuple[list[str], list[str], bool]


def tokenise(text: str) -> list[str]:
    return _TOKEN.findall(text)


def diff_words(old: str, new: str) -> Markup:
    """HTML of ``old`` -> ``new`` with removed text in ``<del>`` and added in ``<ins>``."""
    a, b = tokenise(old), tokenise(new)
    # autojunk would treat " " as noise in long texts and produce ragged diffs.
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    segments: list[_Segment] = [
        (a[i1:i2], b[j1:j2], tag == "equal") for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    return Markup("").join(_render(s) for s in _coalesce(segments))


def _coalesce(segments: list[_Segment]) -> list[_Segment]:
    """Fold whitespace-only equal runs between two changes into the change, then merge
    neighbouring changes - so "a b c" -> "x y z" reads as one del and one ins rather
    than three interleaved pairs."""
    out: list[_Segment] = []
    for i, (old, new, equal) in enumerate(segments):
        between_changes = (
            0 < i < len(segments) - 1 and not segments[i - 1][2] and not segments[i + 1][2]
        )
        if equal and between_changes and "".join(old).isspace():
            equal = False
        if out and not equal and not out[-1][2]:
            prev_old, prev_new, _ = out.pop()
            old, new = prev_old + old, prev_new + new
        out.append((old, new, equal))
    return out


def _render(segment: _Segment) -> Markup:
    old, new, equal = segment
    if equal:
        return escape("".join(old))
    parts = Markup("")
    if old:
        parts += Markup("<del>%s</del>") % "".join(old)  # % escapes the argument
    if new:
        parts += Markup("<ins>%s</ins>") % "".join(new)
    return parts


@dataclass(frozen=True)
class FieldDiff:
    field: str  # "name", "summary", "requirement" or "metric"
    old: str
    new: str
    html: Markup

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class TierComparison:
    key: str
    old: Tier | None
    new: Tier | None
    old_index: int | None  # position in the old list, base = 0
    new_index: int | None
    moved: bool  # position changed relative to the other surviving tiers
    fields: list[FieldDiff] = field(default_factory=list)

    @property
    def added(self) -> bool:
        return self.old is None

    @property
    def removed(self) -> bool:
        return self.new is None

    @property
    def changed(self) -> bool:
        """Content changed (not merely moved)."""
        return any(f.changed for f in self.fields) and not (self.added or self.removed)

    @property
    def status(self) -> str:
        """The headline status; "moved" can also be ``changed`` - check the flags."""
        if self.added:
            return "added"
        if self.removed:
            return "removed"
        if self.changed:
            return "changed"
        return "moved" if self.moved else "unchanged"


FIELDS: tuple[str, ...] = ("name", "summary", "requirement", "metric")


def _field_text(tier: Tier | None, name: str) -> str:
    if tier is None:
        return ""
    if name == "metric":
        return tier.metric.label() if tier.metric else ""
    return str(getattr(tier, name))


def _field_diffs(old: Tier | None, new: Tier | None) -> list[FieldDiff]:
    diffs = []
    for name in FIELDS:
        a, b = _field_text(old, name), _field_text(new, name)
        diffs.append(FieldDiff(name, a, b, diff_words(a, b)))
    return diffs


def compare_tiers(old: list[Tier], new: list[Tier]) -> list[TierComparison]:
    """Pair tiers by key. Returned in the new order, with each removed tier placed
    after its nearest surviving old neighbour so it shows where it used to be."""
    old_pos = {t.key: i for i, t in enumerate(old)}
    new_pos = {t.key: i for i, t in enumerate(new)}
    old_common = [t.key for t in old if t.key in new_pos]
    new_common = [t.key for t in new if t.key in old_pos]
    stayed = set(_lcs(old_common, new_common))
    old_by_key = {t.key: t for t in old}
    new_by_key = {t.key: t for t in new}

    def make(key: str) -> TierComparison:
        a, b = old_by_key.get(key), new_by_key.get(key)
        moved = a is not None and b is not None and key not in stayed
        return TierComparison(
            key, a, b, old_pos.get(key), new_pos.get(key), moved, _field_diffs(a, b)
        )

    return [make(key) for key in _display_order(old, new, new_pos)]


def _display_order(old: list[Tier], new: list[Tier], new_pos: dict[str, int]) -> list[str]:
    # Group each removed tier under the nearest surviving tier before it in the old
    # list (None = it was below every survivor), then emit each group after its anchor.
    removed_after: dict[str | None, list[str]] = {}
    anchor: str | None = None
    for tier in old:
        if tier.key in new_pos:
            anchor = tier.key
        else:
            removed_after.setdefault(anchor, []).append(tier.key)
    order = list(removed_after.get(None, []))
    for tier in new:
        order += [tier.key, *removed_after.get(tier.key, [])]
    return order


def _lcs(a: list[str], b: list[str]) -> list[str]:
    """Longest common subsequence. Tiers outside it are the ones that "moved": moving
    one tier then flags that tier alone, not every tier it shifted. Lists are short
    (a handful of tiers), so the quadratic table is fine."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            if a[i] == b[j]:
                table[i][j] = table[i + 1][j + 1] + 1
            else:
                table[i][j] = max(table[i + 1][j], table[i][j + 1])
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            out.append(a[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return out
