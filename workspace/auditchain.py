"""The activity log as a hash chain: append-only and tamper-evident.

Each `ActivityEvent` carries `prev_hash` (the `hash` of the event before it, by id) and
`hash` = SHA-256 over its own sealed fields and `prev_hash`. Sealing happens in the
writing transaction (`seal`, called by `activity.record`): on PostgreSQL under a
transaction-scoped advisory lock, on SQLite under the `BEGIN IMMEDIATE` every write
already takes, so two writers can never chain onto the same event. `verify` walks the
chain and names the first event whose link is broken.

Sealed: created_at, actor_id, verb, object_type, object_id, group_id, visibility, url;
the order is the chain's own (moving, dropping or inserting an event breaks a link). Not
sealed: `summary`, because it holds people's names ("Fiona Walsh joined the hub"), which
erasure (anonymisation) must be able to overwrite without breaking the chain; actor_id is
a number and survives anonymisation of the person it names (deleting the person would
not: the database refuses it while their events exist). Database triggers (migration
13a4dc0f2e61) refuse DELETE and any UPDATE of a sealed column.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, col, select

from workspace.db import WriteUnit
from workspace.models import ActivityEvent

# Any constant: the one lock every PostgreSQL writer of the log queues on.
ADVISORY_LOCK = 7_013_013
GENESIS = "0" * 64
SEALED = (
    "created_at",
    "actor_id",
    "verb",
    "object_type",
    "object_id",
    "group_id",
    "visibility",
    "url",
)


def digest(event: ActivityEvent, prev_hash: str) -> str:
    fields: dict[str, object] = {name: getattr(event, name) for name in SEALED}
    stamp = fields["created_at"]
    assert isinstance(stamp, datetime)
    fields["created_at"] = _instant(stamp)
    body = json.dumps([fields, prev_hash], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _instant(stamp: datetime) -> str:
    """The moment, in one spelling on both engines (microseconds since the epoch)."""
    seconds = stamp.timestamp() if stamp.tzinfo else stamp.replace(tzinfo=None).timestamp()
    return str(round(seconds * 1_000_000))


def seal(unit: WriteUnit, event: ActivityEvent) -> None:
    """Add `event` to `unit` at the end of the chain (it must not be added yet)."""
    session = unit.session
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    last = session.exec(
        select(ActivityEvent.hash)
        .where(col(ActivityEvent.id).is_not(None))
        .order_by(col(ActivityEvent.id).desc())
        .limit(1)
    ).first()
    event.prev_hash = last or GENESIS
    event.hash = digest(event, event.prev_hash)
    session.add(event)


@dataclass(frozen=True)
class Verdict:
    checked: int
    broken_at: int | None  # the id of the first event whose link fails
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(session: Session, batch: int = 5_000) -> Verdict:
    """Walk the chain in id order; the first event whose `prev_hash` is not the hash of
    the event before it, or whose `hash` is not its content's, breaks it."""
    previous, after, checked = GENESIS, 0, 0
    while True:
        rows = session.exec(
            select(ActivityEvent)
            .where(col(ActivityEvent.id) > after)
            .order_by(col(ActivityEvent.id))
            .limit(batch)
        ).all()
        if not rows:
            return Verdict(checked, None)
        for event in rows:
            if event.prev_hash != previous:
                return Verdict(checked, event.id, "does not follow the event before it")
            if event.hash != digest(event, event.prev_hash):
                return Verdict(checked, event.id, "was changed after it was written")
            previous, after, checked = event.hash, event.id or 0, checked + 1
