"""Campaign responses: identical or near-identical text sent by many people.

Computed once, when a response is saved (`text_signature`), and stored on the response:
- `fingerprint`: sha256 of the normalised free text (lower case, punctuation and runs
  of whitespace collapsed), so "Build better homes!" and "build  better homes" match.
- `simhash`: a 64-bit simhash of two-word shingles, stored as a signed 64-bit integer
  (the column is BIGINT on PostgreSQL), 0 when there is too little text to compare.

At read time `find_groups` gathers responses sharing a fingerprint (identical) and those
whose simhashes differ in at most `MAX_DISTANCE` bits (near-identical: a campaign letter
with a word or a name changed). The summary counts each group; nothing is hidden.

How near is near: on letters of 60 to 200 words, one word changed or a four-word
signature added stays within 3 bits about half the time (measured: two-word shingles
caught 48%, three-word 36%), and unrelated texts are never closer than about 20 bits.
A wider threshold would catch more but needs more, smaller blocks in `find_groups`,
which turns its bucket comparisons quadratic at 50,000 responses.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from workspace import formats
from workspace.i18n import gettext as _

MAX_DISTANCE = 3  # bits of 64: near-identical
MIN_WORDS = 12  # fewer words than this and near-identity says nothing
SHINGLE = 2  # words per shingle
BLOCKS = 4  # MAX_DISTANCE + 1 blocks: two hashes within 3 bits share a whole block
_MASK64 = (1 << 64) - 1
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower case, with punctuation and whitespace collapsed to single spaces."""
    return _NON_WORD.sub(" ", text.casefold()).strip()


@dataclass(frozen=True)
class Signature:
    fingerprint: str  # "" when the response has no free text
    simhash: int  # signed 64-bit; 0 when there is too little text


NO_TEXT = Signature("", 0)


def text_signature(texts: Iterable[str]) -> Signature:
    """The signature of a response's free-text answers, in question order."""
    parts = [normalise(t) for t in texts]
    parts = [p for p in parts if p]
    if not parts:
        return NO_TEXT
    joined = " | ".join(parts)
    fingerprint = hashlib.sha256(joined.encode()).hexdigest()
    words = " ".join(parts).split()
    return Signature(fingerprint, to_signed(simhash(words)) if len(words) >= MIN_WORDS else 0)


def simhash(words: list[str]) -> int:
    """Unsigned 64-bit simhash of the word shingles (Charikar)."""
    weights = [0] * 64
    count = max(1, len(words) - SHINGLE + 1)
    for i in range(count):
        shingle = " ".join(words[i : i + SHINGLE]).encode()
        h = int.from_bytes(hashlib.blake2b(shingle, digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if (h >> bit) & 1 else -1
    value = 0
    for bit, weight in enumerate(weights):
        if weight > 0:
            value |= 1 << bit
    return value


def to_signed(value: int) -> int:
    value &= _MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value & _MASK64


def distance(a: int, b: int) -> int:
    return (to_unsigned(a) ^ to_unsigned(b)).bit_count()


@dataclass
class CampaignGroup:
    """Responses sharing (near-)identical free text."""

    number: int  # 1, 2, ... largest first
    count: int
    fingerprints: set[str] = field(default_factory=set)
    identical: bool = True  # one fingerprint only

    @property
    def label(self) -> str:
        count = formats.number(self.count)
        if self.identical:
            return _("%(count)s responses share identical text", count=count)
        return _("%(count)s responses share near-identical text", count=count)


def find_groups(rows: Iterable[tuple[str, int, int]]) -> list[CampaignGroup]:
    """Group `(fingerprint, simhash, count)` rows (one per distinct fingerprint, as a
    GROUP BY gives them) into campaigns of two or more responses, largest first.

    Near-identity is only looked for among distinct simhashes, bucketed by each of four
    16-bit blocks: two hashes within three bits agree on at least one whole block, so
    only hashes sharing a bucket are compared.
    """
    parent: dict[str, str] = {}
    counts: dict[str, int] = {}
    by_hash: dict[int, list[str]] = defaultdict(list)
    for fingerprint, hash_value, count in rows:
        if not fingerprint:
            continue
        parent[fingerprint] = fingerprint
        counts[fingerprint] = counts.get(fingerprint, 0) + count
        if hash_value:
            by_hash[hash_value].append(fingerprint)

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    for fingerprints in by_hash.values():  # equal simhash, different punctuation-free text
        for other in fingerprints[1:]:
            union(fingerprints[0], other)
    hashes = list(by_hash)
    for block in range(BLOCKS):
        buckets: dict[int, list[int]] = defaultdict(list)
        for h in hashes:
            buckets[(to_unsigned(h) >> (16 * block)) & 0xFFFF].append(h)
        for members in buckets.values():
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    fa, fb = by_hash[a][0], by_hash[b][0]
                    if find(fa) != find(fb) and distance(a, b) <= MAX_DISTANCE:
                        union(fa, fb)

    clusters: dict[str, CampaignGroup] = {}
    for fingerprint in parent:
        root = find(fingerprint)
        group = clusters.setdefault(root, CampaignGroup(number=0, count=0))
        group.count += counts[fingerprint]
        group.fingerprints.add(fingerprint)
    found = [g for g in clusters.values() if g.count >= 2]
    found.sort(key=lambda g: (-g.count, min(g.fingerprints)))
    for number, group in enumerate(found, start=1):
        group.number = number
        group.identical = len(group.fingerprints) == 1
    return found
