"""The demo's history: what it records is spread over the past months, so that the
history, the activity lists and the record of positions read like a programme that
took time rather than one that happened in the second the demo was loaded.

The activity log is sealed as it is written (workspace/auditchain.py) and can never be
re-dated, so each event gets its demo date when it is recorded: `DemoHistory` is the
clock `activity.recording_as_of` asks, a day after the event before (never later than
two hours ago), each demo step starting its own stretch of the span. Afterwards
`spread` moves the other records made during loading (revisions, positions, answered
disputes) to the demo date of the last event recorded before them, keeping the order of
things across tables: revision 3 still came after the first positions, the objection
before the revision that answered it."""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta

from sqlmodel import select

from definitions.models import Revision
from definitions.signoff.models import Dispute, Position
from sharedspace.demo.context import DemoContext
from workspace.db import utcnow

SPAN = timedelta(days=150)
END_BEFORE_NOW = timedelta(hours=2)
TICK = timedelta(days=1)  # a day between events: each revision has its own date


class DemoHistory:
    """The demo's clock for the activity log, and the map from loading time to demo date."""

    def __init__(self, now: datetime, steps: int) -> None:
        self.start = now - END_BEFORE_NOW - SPAN
        self.stretch = SPAN / max(steps, 1)
        self.base = self.start
        self.last: datetime | None = None
        self.walls: list[datetime] = []  # when each event was recorded, in loading time
        self.dates: list[datetime] = []  # and the demo date it was given

    def begin_step(self, index: int) -> None:
        self.base = self.start + self.stretch * index

    def __call__(self) -> datetime:
        stamp = self.base if self.last is None else max(self.base, self.last + TICK)
        stamp = min(stamp, self.start + SPAN)  # a busy step never runs into the present
        self.last = stamp
        self.walls.append(utcnow())
        self.dates.append(stamp)
        return stamp

    def move(self, wall: datetime) -> datetime:
        """The demo date of something made at `wall` (loading time): that of the last
        event recorded before it, plus the moment between them."""
        at = bisect_right(self.walls, wall) - 1
        if at < 0:
            return self.start
        return self.dates[at] + (wall - self.walls[at])


def spread(ctx: DemoContext, history: DemoHistory) -> None:
    with ctx.rt.db.write() as unit:
        session = unit.session
        for revision in session.exec(select(Revision)):
            revision.created_at = history.move(revision.created_at)
            session.add(revision)
        for position in session.exec(select(Position)):
            position.created_at = history.move(position.created_at)
            session.add(position)
        for dispute in session.exec(select(Dispute)):
            if dispute.answered_at is not None:
                dispute.answered_at = history.move(dispute.answered_at)
                session.add(dispute)
