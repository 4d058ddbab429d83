"""The activity log: every service write records who did what, where, visible to whom."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from workspace import auditchain
from workspace.db import WriteUnit
from workspace.models import ActivityEvent, User
from workspace.permissions import Action, Viewer, can

PUBLIC = "public"
GROUP = "group"  # members, observers and secretariat of the group
SECRETARIAT = "secretariat"

# Set only while the demo loads (sharedspace/demo/history.py): the moment each event
# happened in the demo's programme. The sealed log cannot be re-dated afterwards, so a
# backdated event must carry its date when it is written and chained.
_RECORDED_AT: ContextVar[Callable[[], datetime] | None] = ContextVar("recorded_at", default=None)


@contextmanager
def recording_as_of(clock: Callable[[], datetime]) -> Iterator[None]:
    """Within this block, events are recorded at the moments `clock` gives."""
    token = _RECORDED_AT.set(clock)
    try:
        yield
    finally:
        _RECORDED_AT.reset(token)


def record(
    unit: WriteUnit,
    *,
    actor_id: int | None,
    verb: str,
    object_type: str,
    object_id: int | None,
    summary: str,
    group_id: int | None = None,
    visibility: str = PUBLIC,
    url: str = "",
) -> ActivityEvent:
    """Write the event in the same transaction as the change it records, so the log
    can never claim a change that rolled back or miss one that committed."""
    event = ActivityEvent(
        actor_id=actor_id,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        group_id=group_id,
        visibility=visibility,
        summary=summary[:300],
        url=url[:300],
    )
    backdate = _RECORDED_AT.get()
    if backdate is not None:
        event.created_at = backdate()
    auditchain.seal(unit, event)  # adds it, chained to the event before
    return event


def recent_for_group(
    session: Session, viewer: Viewer, group_id: int, limit: int = 10
) -> list[tuple[ActivityEvent, str | None]]:
    """Recent events of one group that this viewer may see, with the actor's name."""
    query = (
        select(ActivityEvent, User.display_name)
        .join(User, User.id == ActivityEvent.actor_id, isouter=True)  # type: ignore[arg-type]
        .where(ActivityEvent.group_id == group_id)
        .where(visible_clause(viewer, group_id))
        .order_by(col(ActivityEvent.created_at).desc(), col(ActivityEvent.id).desc())
        .limit(limit)
    )
    return [(event, name) for event, name in session.exec(query).all()]


def visible_clause(viewer: Viewer, group_id: int | None) -> Any:
    allowed = [ActivityEvent.visibility == PUBLIC]
    if can(viewer, Action.READ_GROUP_PRIVATE, group_id):
        allowed.append(ActivityEvent.visibility == GROUP)
    if viewer.is_secretariat:
        allowed.append(ActivityEvent.visibility == SECRETARIAT)
    return or_(*allowed)
