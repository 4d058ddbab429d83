"""The shared shape of a definition's tiers.

A revision of a definition is an ordered ``list[Tier]``, base (widest) first. Tiers are
immutable values so revisions can be compared, hashed and merged without defensive
copying.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from workspace.i18n import LazyString, lazy_gettext

COMPARATORS: tuple[str, ...] = ("<=", "<", ">=", ">", "=")

# Display symbols: typographic comparators read better than ASCII digraphs, and screen
# readers announce ≤/≥ as "less-than or equal to"/"greater-than or equal to".
_SYMBOLS: dict[str, str] = {"<=": "≤", "<": "<", ">=": "≥", ">": ">", "=": "="}

# Words for text alternatives (SVG <desc>, summaries) where symbols may be skipped.
_WORDS: dict[str, LazyString] = {
    "<=": lazy_gettext("at most"),
    "<": lazy_gettext("less than"),
    ">=": lazy_gettext("at least"),
    ">": lazy_gettext("more than"),
    "=": lazy_gettext("exactly"),
}


@dataclass(frozen=True)
class Metric:
    """A measurable threshold such as "≤ 39 kWh/m²/yr"."""

    comparator: str  # one of COMPARATORS
    value: str  # decimal kept as text so "39.0" and "39" round-trip exactly as typed
    unit: str

    def __post_init__(self) -> None:
        # Fail early: an unknown comparator would otherwise surface as a KeyError in a
        # template far from the code that built the bad value.
        if self.comparator not in COMPARATORS:
            raise ValueError(f"unknown comparator {self.comparator!r}")

    def label(self) -> str:
        """Compact display form, e.g. ``≤ 39 kWh/m²/yr``."""
        return " ".join(p for p in (_SYMBOLS[self.comparator], self.value, self.unit) if p)

    def words(self) -> str:
        """Spoken form for text alternatives, e.g. ``at most 39 kWh/m²/yr``."""
        return " ".join(p for p in (str(_WORDS[self.comparator]), self.value, self.unit) if p)


@dataclass(frozen=True)
class Tier:
    """One step of a tiered definition."""

    key: str  # stable identity across revisions; survives rename and reorder
    name: str
    summary: str
    requirement: str  # markdown source
    metric: Metric | None = None

    def content(self) -> tuple[str, str, str, Metric | None]:
        """Everything except the key, so two tiers can be compared by content alone."""
        return (self.name, self.summary, self.requirement, self.metric)


def new_tier_key() -> str:
    """A fresh stable tier identity (uuid4 hex)."""
    return uuid.uuid4().hex
