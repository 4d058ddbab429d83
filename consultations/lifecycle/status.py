"""A consultation's status, derived from the clock, and who may read or act on it.

Opening and closing need no scheduled job: status is computed from `opens_at` and
`closes_at` against `Runtime.clock` on every read, and every write checks it again in
its own transaction, so a response posted one second after closing is refused.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from consultations.lifecycle.models import Consultation, ConsultationStatus
from taskgroups.groups.models import TaskGroup
from workspace import activity
from workspace.failures import Conflict, NotFound
from workspace.i18n import gettext as _
from workspace.permissions import Action, Audience, Place, Viewer, can, can_in


class WrongStatus(Conflict):
    """A write arrived when the consultation was not in the state it needs (a 409 with
    this message, if a route lets it escape)."""

    def __init__(self, status: ConsultationStatus) -> None:
        self.status = status
        super().__init__(status_message(status))


def status_message(status: ConsultationStatus) -> str:
    if status is ConsultationStatus.DRAFT:
        return _("This consultation has not opened yet.")
    if status is ConsultationStatus.OPEN:
        return _("This consultation is open, so what respondents read can no longer change.")
    return _("This consultation has closed. Responses and comments can no longer be changed.")


def status_of(consultation: Consultation, now: datetime) -> ConsultationStatus:
    if consultation.outcome_published_at is not None:
        return ConsultationStatus.OUTCOME_PUBLISHED
    if now < consultation.opens_at:
        return ConsultationStatus.DRAFT
    if now < consultation.closes_at:
        return ConsultationStatus.OPEN
    return ConsultationStatus.CLOSED


def next_change(consultation: Consultation, now: datetime) -> datetime | None:
    """When the clock alone next changes this consultation's status (None: never)."""
    if consultation.outcome_published_at is not None:
        return None
    return next((t for t in (consultation.opens_at, consultation.closes_at) if now < t), None)


def is_open(consultation: Consultation, now: datetime) -> bool:
    return status_of(consultation, now) is ConsultationStatus.OPEN


def require_open(consultation: Consultation, now: datetime) -> None:
    status = status_of(consultation, now)
    if status is not ConsultationStatus.OPEN:
        raise WrongStatus(status)


def place_of(consultation: Consultation) -> Place:
    """The consultation as the policy module sees it: its group and its audience."""
    audience = Audience.INVITED if consultation.audience == Audience.INVITED else Audience.OPEN
    return Place(consultation.group_id, audience, consultation.id or 0)


def is_invited(consultation: Consultation) -> bool:
    return consultation.audience == Audience.INVITED


def activity_visibility(consultation: Consultation, visibility: str) -> str:
    """What the activity log may show of this consultation: an invited consultation's
    events never reach public feeds (`workspace.activity.GROUP` at most)."""
    if is_invited(consultation) and visibility == activity.PUBLIC:
        return activity.GROUP
    return visibility


def readable(viewer: Viewer, consultation: Consultation, now: datetime) -> bool:
    """Before it opens a consultation is a draft of its group; after, it is read by its
    audience: everyone, or (by invitation) its invitees and the group."""
    if not can_in(viewer, Action.READ_PUBLIC, place_of(consultation)):
        return False
    if status_of(consultation, now) is ConsultationStatus.DRAFT:
        return can(viewer, Action.READ_GROUP_PRIVATE, consultation.group_id)
    return True


# Built once, not per request (issue 19: building and keying an ORM statement cost
# about as much as running it). The page reads the consultation with its group.
BY_SLUG = select(Consultation).where(Consultation.slug == bindparam("slug"))
WITH_GROUP = (
    select(Consultation, TaskGroup)
    .join(TaskGroup, col(TaskGroup.id) == Consultation.group_id)
    .where(Consultation.slug == bindparam("slug"))
)


def by_slug(session: Session, slug: str) -> Consultation | None:
    return session.exec(BY_SLUG, params={"slug": slug}).first()


def get_readable(session: Session, viewer: Viewer, slug: str, now: datetime) -> Consultation:
    """The consultation named, or 404 if it does not exist or this viewer may not see it
    (a draft is not advertised to those who cannot read it)."""
    return _readable_or_404(viewer, by_slug(session, slug), now)


def get_readable_with_group(
    session: Session, viewer: Viewer, slug: str, now: datetime
) -> tuple[Consultation, TaskGroup]:
    """`get_readable` and the consultation's group, in one statement."""
    row = session.exec(WITH_GROUP, params={"slug": slug}).first()
    if row is None:
        raise NotFound()
    consultation, group = row
    return _readable_or_404(viewer, consultation, now), group


def _readable_or_404(
    viewer: Viewer, consultation: Consultation | None, now: datetime
) -> Consultation:
    if consultation is None or not readable(viewer, consultation, now):
        raise NotFound()
    return consultation


FOLLOW_KIND = "consultation"  # what following a consultation is called (notifications)


def url(consultation: Consultation) -> str:
    return f"/consultations/{consultation.slug}"
