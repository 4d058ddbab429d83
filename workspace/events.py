"""Domain events: the catalogue, and the bus that carries them after commit.

Every event is a frozen dataclass in this module, with a stable `name` (used in logs and
as the activity log's verb). A feature publishes an instance (`rt.events.publish(
DefinitionAgreed(...))`) and any layer subscribes by class (`rt.events.subscribe(
DefinitionAgreed, handler)`), so a lower layer (milestones, in `taskgroups`) reacts to a
higher one (`definitions`) without importing it. No event name is written as a string
anywhere else; `tests/workspace/test_events.py` checks that.

Events are published only after the transaction that caused them has committed
(`WriteUnit.after_commit`), so a subscriber never acts on something that was rolled
back. The bus is created per app: no module-level registry, so two apps in one process
(tests) never share subscribers.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    name: ClassVar[str]


# --- task groups ---------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingHeld(DomainEvent):
    """A meeting's record was saved for the first time."""

    name: ClassVar[str] = "meeting.held"
    meeting_id: int
    group_id: int
    url: str


@dataclass(frozen=True)
class MeetingScheduled(DomainEvent):
    """A meeting was put in the diary (not when it is only rescheduled)."""

    name: ClassVar[str] = "meeting.scheduled"
    meeting_id: int
    group_id: int
    url: str


@dataclass(frozen=True)
class MinutesPublished(DomainEvent):
    """A meeting's minutes became public (recorded with "publish", first time)."""

    name: ClassVar[str] = "meeting.minutes_published"
    meeting_id: int
    group_id: int
    url: str


@dataclass(frozen=True)
class MilestoneStatusChanged(DomainEvent):
    """A milestone became at risk, overdue or done (announced once per status and due
    date, by whichever worker notices first)."""

    name: ClassVar[str] = "milestone.status_changed"
    milestone_id: int
    group_id: int | None
    status: str
    title: str
    url: str
    due_on: str  # ISO date: the same status for a new due date is news again


# --- definitions ---------------------------------------------------------------------


@dataclass(frozen=True)
class DefinitionChange(DomainEvent):
    definition_id: int
    group_id: int
    number: int  # the revision concerned


@dataclass(frozen=True)
class DefinitionRevised(DefinitionChange):
    name: ClassVar[str] = "definition.revised"


@dataclass(frozen=True)
class DefinitionProposed(DefinitionChange):
    name: ClassVar[str] = "definition.proposed"


@dataclass(frozen=True)
class DefinitionAgreed(DefinitionChange):
    name: ClassVar[str] = "definition.agreed"


@dataclass(frozen=True)
class DisputeRaised(DefinitionChange):
    """An organisation objected to a proposed revision: the chair must answer."""

    name: ClassVar[str] = "definition.dispute_raised"
    dispute_id: int
    raised_by: int | None


@dataclass(frozen=True)
class DisputeAnswered(DefinitionChange):
    name: ClassVar[str] = "definition.dispute_settled"
    dispute_id: int
    outcome: str


# --- consultations -------------------------------------------------------------------


@dataclass(frozen=True)
class ConsultationChange(DomainEvent):
    consultation_id: int
    group_id: int
    slug: str
    title: str
    url: str
    definition_id: int | None


@dataclass(frozen=True)
class ConsultationOpened(ConsultationChange):
    name: ClassVar[str] = "consultation.opened"


@dataclass(frozen=True)
class ConsultationClosed(ConsultationChange):
    name: ClassVar[str] = "consultation.closed"


@dataclass(frozen=True)
class ConsultationOutcomePublished(ConsultationChange):
    name: ClassVar[str] = "consultation.outcome_published"


@dataclass(frozen=True)
class ConsultationClosingSoon(ConsultationChange):
    """An open consultation is within `CLOSING_SOON_DAYS` of closing (announced once)."""

    name: ClassVar[str] = "consultation.closing_soon"


@dataclass(frozen=True)
class CommentChanged(DomainEvent):
    """A comment was posted, edited, deleted or moderated. A pending (pre-moderated)
    comment carries no html or author name: nothing of it is public yet."""

    name: ClassVar[str] = "comment.changed"
    consultation_id: int
    comment_id: int
    parent_id: int | None
    seq: int
    state: str
    html: str
    author_name: str
    change: str
    # The same fragment in each other language the hub speaks ({"cy": ...}): a live reader
    # gets the comment's controls in the language of their page, not the stored English.
    html_localised: dict[str, str] = field(default_factory=dict)


# --- reports and the government's response ------------------------------------------


@dataclass(frozen=True)
class ReportPublished(DomainEvent):
    """A report of recommendations was published: its recommendations await a response."""

    name: ClassVar[str] = "report.published"
    report_id: int
    group_id: int
    url: str


@dataclass(frozen=True)
class GovernmentResponded(DomainEvent):
    """A department recorded its response to a recommendation. `complete` says every
    recommendation of the report now has a final response (not "under consideration")."""

    name: ClassVar[str] = "report.government_responded"
    report_id: int
    group_id: int
    recommendation_id: int
    status: str
    complete: bool
    url: str


# --- notifications -------------------------------------------------------------------


@dataclass(frozen=True)
class UnreadChanged(DomainEvent):
    """A person's count of unread notifications changed (relayed to their own room)."""

    name: ClassVar[str] = "notifications.unread_changed"
    user_id: int
    unread: int


# --- access --------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessChanged(DomainEvent):
    """Someone's access may have narrowed: their sessions ended (sign-out, sign-out
    everywhere, a password reset) or a seat or membership ended. Live sockets re-check
    every room they are in (workspace/live_access.py)."""

    name: ClassVar[str] = "access.changed"
    user_id: int


CATALOGUE: tuple[type[DomainEvent], ...] = (
    MeetingHeld,
    MeetingScheduled,
    MinutesPublished,
    MilestoneStatusChanged,
    DisputeRaised,
    DisputeAnswered,
    ConsultationClosingSoon,
    UnreadChanged,
    DefinitionRevised,
    DefinitionProposed,
    DefinitionAgreed,
    ConsultationOpened,
    ConsultationClosed,
    ConsultationOutcomePublished,
    CommentChanged,
    ReportPublished,
    GovernmentResponded,
    AccessChanged,
)

E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Any], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[type[DomainEvent], list[Handler]] = defaultdict(list)

    def subscribe(self, kind: type[E], handler: Callable[[E], None]) -> None:
        if kind not in CATALOGUE:
            raise ValueError(f"{kind.__name__} is not in the event catalogue")
        self._handlers[kind].append(handler)

    def publish(self, event: DomainEvent) -> None:
        for handler in self._handlers.get(type(event), []):
            try:
                handler(event)
            except Exception:
                # One subscriber's failure must not undo or hide the publisher's write.
                log.exception("event handler for %s failed", event.name)

    def subscribers(self, kind: type[DomainEvent]) -> list[Handler]:
        return list(self._handlers.get(kind, []))
