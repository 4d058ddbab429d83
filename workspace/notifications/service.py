"""The notifications a runtime holds (`rt.notifications`) and the reads and writes of
the notification centre, the following page and the preferences."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from workspace.db import WriteUnit
from workspace.failures import Invalid, NotFound
from workspace.hooks import FollowTarget, Job, NotificationKind, NotificationSource, PeriodicJob
from workspace.i18n import gettext as _
from workspace.notifications.emails import ALL_EMAIL, Digests
from workspace.notifications.fanout import Fanout, default_channel, unread_counts
from workspace.notifications.following import FollowButton, Following, insert_ignoring
from workspace.notifications.header import Header, header_state
from workspace.notifications.models import (
    Announcement,
    Channel,
    EmailState,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from workspace.permissions import ANONYMOUS, Action, Viewer, require

if TYPE_CHECKING:
    from workspace.runtime import Runtime

PAGE_SIZE = 50
log = logging.getLogger(__name__)


class Notifications:
    """Kinds, follow targets, sources and the jobs: built once per runtime."""

    def __init__(
        self, rt: Runtime, kinds: Iterable[NotificationKind], targets: Iterable[FollowTarget]
    ) -> None:
        self.rt = rt
        self.fanout = Fanout(rt, kinds)
        self.kinds: Mapping[str, NotificationKind] = self.fanout.kinds
        self.following = Following(targets)
        self.digests = Digests(rt)

    def add_sources(self, sources: Iterable[NotificationSource]) -> None:
        for source in sources:
            self.fanout.add_source(source)

    def jobs(self) -> list[Job | PeriodicJob]:
        return [self.fanout.job, self.digests.job]

    # -- for every page ------------------------------------------------------------------

    def unread(self, viewer: Viewer = ANONYMOUS) -> int:
        """The header's count (one indexed count; 0 for visitors)."""
        if not viewer.signed_in:
            return 0
        try:
            with self.rt.db.read() as session:
                return unread_counts(session, [viewer.user_id or 0]).get(viewer.user_id or 0, 0)
        except SQLAlchemyError:
            # The header of every page, error pages included: never the reason one fails.
            log.warning("unread count unavailable", exc_info=True)
            return 0

    def header(self, session: Session, viewer: Viewer, kind: str, target_id: int) -> Header | None:
        """The unread count and one follow button, in one statement on the page's own
        session (header.py): what a hot page passes to its template as `header`."""
        target = self.following.targets.get(kind)
        if target is None:
            raise Invalid(f"Nothing of kind {kind!r} can be followed.")
        return header_state(session, viewer, kind, target_id, target.label)

    def button(self, viewer: Viewer, kind: str, target_id: int) -> FollowButton:
        with self.rt.db.read() as session:
            return self.following.button(session, viewer, kind, target_id)


def announce_once(unit: WriteUnit, key: str) -> bool:
    """Claim `key` for an announcement made once only; False if it was already made."""
    return bool(insert_ignoring(unit.session, Announcement, [{"key": key[:200]}], ["key"]))


# -- the centre ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Inbox:
    items: list[Notification]
    unread: int
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def inbox(session: Session, viewer: Viewer, page: int = 1) -> Inbox:
    require(viewer, Action.SIGNED_IN)
    mine = col(Notification.user_id) == viewer.user_id
    total = session.exec(select(func.count()).select_from(Notification).where(mine)).one()
    unread = unread_counts(session, [viewer.user_id or 0]).get(viewer.user_id or 0, 0)
    items = session.exec(
        select(Notification)
        .where(mine)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return Inbox(list(items), int(unread), int(total), page)


def do_open(rt: Runtime, viewer: Viewer, notification_id: int) -> str:
    """Mark one of the viewer's notifications read; the place it points to."""
    require(viewer, Action.SIGNED_IN)
    with rt.db.write() as unit:
        found = unit.session.get(Notification, notification_id)
        if found is None or found.user_id != viewer.user_id:
            raise NotFound(_("There is no such notification."))
        if found.read_at is None:
            found.read_at = rt.clock()
            unit.session.add(found)
        url = found.url
    rt.notifications.fanout.publish_unread([viewer.user_id or 0])
    return url if url.startswith("/") and not url.startswith("//") else "/notifications"


def do_read_all(rt: Runtime, viewer: Viewer) -> int:
    require(viewer, Action.SIGNED_IN)
    with rt.db.write() as unit:
        marked = unit.session.execute(
            update(Notification)
            .where(col(Notification.user_id) == viewer.user_id, col(Notification.read_at).is_(None))
            .values(read_at=rt.clock())
        ).rowcount  # type: ignore[attr-defined]
    rt.notifications.fanout.publish_unread([viewer.user_id or 0])
    return int(marked)


# -- preferences ---------------------------------------------------------------------------

DEFAULT = "default"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Choice:
    kind: NotificationKind
    chosen: str  # a Channel value, or DEFAULT
    default_label: str


@dataclass(frozen=True)
class Preferences:
    choices: list[Choice]
    timezone: str
    digest_hour: int
    digest_weekday: int
    emails_off: bool


def preferences(rt: Runtime, session: Session, viewer: Viewer) -> Preferences:
    require(viewer, Action.SIGNED_IN)
    chosen = dict(
        session.execute(
            select(NotificationPreference.kind, NotificationPreference.channel).where(
                NotificationPreference.user_id == viewer.user_id
            )
        ).all()
    )
    role = _usual_role(viewer)
    settings = session.get(NotificationSettings, viewer.user_id)
    return Preferences(
        choices=[
            Choice(kind, chosen.get(key, DEFAULT), default_channel(kind, role).label)
            for key, kind in rt.notifications.kinds.items()
        ],
        timezone=settings.timezone if settings else rt.settings.timezone,
        digest_hour=settings.digest_hour if settings else rt.settings.digest_hour,
        digest_weekday=settings.digest_weekday if settings else rt.settings.digest_weekday,
        emails_off=settings.emails_off if settings else False,
    )


def _usual_role(viewer: Viewer) -> str:
    """The role whose defaults the preferences page shows: observers' weekly digest when
    they observe and sit nowhere, members' when they sit somewhere."""
    if viewer.member_roles:
        return "member"
    if viewer.observed_groups:
        return "observer"
    return ""


def valid_timezone(name: str) -> bool:
    if name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def do_save_preferences(
    rt: Runtime, viewer: Viewer, choices: Mapping[str, str], when: Preferences
) -> None:
    """Store each kind's choice (DEFAULT removes it) and the digest time and zone."""
    require(viewer, Action.SIGNED_IN)
    user_id = viewer.user_id or 0
    for kind, channel in choices.items():
        if kind not in rt.notifications.kinds or channel not in {*Channel, DEFAULT}:
            raise Invalid(_("Unknown choice %(choice)s", choice=f"{kind}={channel}"))
    with rt.db.write() as unit:
        session = unit.session
        for row in session.exec(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        ).all():
            session.delete(row)
        session.flush()
        for kind, channel in choices.items():
            if channel != DEFAULT:
                session.add(NotificationPreference(user_id=user_id, kind=kind, channel=channel))
        settings = session.get(NotificationSettings, user_id) or NotificationSettings(
            user_id=user_id
        )
        settings.timezone, settings.digest_hour = when.timezone, when.digest_hour
        settings.digest_weekday, settings.emails_off = when.digest_weekday, when.emails_off
        session.add(settings)
        if when.emails_off:
            _cancel_pending_email(session, user_id)


def do_unsubscribe(rt: Runtime, user_id: int, scope: str) -> str:
    """One-click unsubscribe (RFC 8058), no sign-in: the signed link is the authority.
    A kind's email stops that kind's email; a digest's (`all`) stops every email. The
    label of what stopped."""
    with rt.db.write() as unit:
        session = unit.session
        if scope == ALL_EMAIL:
            settings = session.get(NotificationSettings, user_id) or NotificationSettings(
                user_id=user_id, timezone=rt.settings.timezone
            )
            settings.emails_off = True
            session.add(settings)
            _cancel_pending_email(session, user_id)
            return "all email from Shared Space"
        kind = rt.notifications.kinds.get(scope)
        if kind is None:
            raise NotFound(_("This unsubscribe link is not valid."))
        row = session.exec(
            select(NotificationPreference).where(
                NotificationPreference.user_id == user_id, NotificationPreference.kind == scope
            )
        ).first() or NotificationPreference(user_id=user_id, kind=scope, channel=Channel.NEVER)
        row.channel = Channel.NEVER
        session.add(row)
        session.execute(
            update(Notification)
            .where(
                col(Notification.user_id) == user_id,
                col(Notification.kind) == scope,
                col(Notification.email_state).in_(
                    [EmailState.AT_ONCE, EmailState.DAILY, EmailState.WEEKLY]
                ),
            )
            .values(email_state=EmailState.NONE)
        )
        return f"emails about {kind.label.lower()}"


def _cancel_pending_email(session: Session, user_id: int) -> None:
    session.execute(
        update(Notification)
        .where(
            col(Notification.user_id) == user_id,
            col(Notification.email_state).in_(
                [EmailState.AT_ONCE, EmailState.DAILY, EmailState.WEEKLY]
            ),
        )
        .values(email_state=EmailState.NONE)
    )
