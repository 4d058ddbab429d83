"""The demo's last step: spread what it recorded over the past months, so that the
history, the activity lists and the record of positions read like a programme that
took time rather than one that happened in the second the demo was loaded.

Every timestamp is replaced by one evenly spaced by its rank among all of them, so
that the order of things (across tables too) is kept: revision 3 still came after the
first positions, the objection before the revision that answered it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import col, select

from definitions.models import Revision
from definitions.signoff.models import Dispute, Position
from sharedspace.demo.context import DemoContext
from workspace.models import ActivityEvent

SPAN = timedelta(days=150)
END_BEFORE_NOW = timedelta(hours=2)


def spread(ctx: DemoContext) -> None:
    with ctx.rt.db.write() as unit:
        session = unit.session
        events = list(session.exec(select(ActivityEvent).order_by(col(ActivityEvent.id))))
        revisions = list(session.exec(select(Revision)))
        positions = list(session.exec(select(Position)))
        disputes = list(session.exec(select(Dispute)))
        stamps = [e.created_at for e in events] + [r.created_at for r in revisions]
        stamps += [p.created_at for p in positions]
        stamps += [d.answered_at for d in disputes if d.answered_at is not None]
        if len(stamps) < 2:
            return
        move = _mapping(stamps, ctx.rt.clock())
        for event in events:
            event.created_at = move(event.created_at)
        for revision in revisions:
            revision.created_at = move(revision.created_at)
        for position in positions:
            position.created_at = move(position.created_at)
        session.add_all([*events, *revisions, *positions])
        for dispute in disputes:
            if dispute.answered_at is not None:
                dispute.answered_at = move(dispute.answered_at)
                session.add(dispute)


def _mapping(stamps: list[datetime], now: datetime) -> Callable[[datetime], datetime]:
    """Evenly spaced by rank: the n-th thing recorded goes n steps into the span."""
    ordered = sorted(set(stamps))
    end = now - END_BEFORE_NOW
    start = end - SPAN
    step = SPAN / max(len(ordered) - 1, 1)
    rank = {stamp: n for n, stamp in enumerate(ordered)}

    def move(stamp: datetime) -> datetime:
        return start + step * rank[stamp]

    return move
