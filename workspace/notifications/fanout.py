"""From domain event to notifications, off the request path.

Each feature's `NotificationSource` is subscribed on the event bus with a handler that
only enqueues `notifications.fanout(source name, event)` on the worker: the request that
caused the event pays for one small queue insert, however many people follow the thing.
In the worker the source turns the event into `Notice`s; each notice is resolved to its
people (followers, named people; never the actor; for private things only those who may
still read them), written as one notification per person in one transaction (a unique
key per person makes a retried job harmless), and the notifications due "at once" are
emailed in that same transaction (`emails.py`), so each is emailed at most once. After
commit each person's new unread count goes to their own live room.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from workspace.db import utcnow
from workspace.events import UnreadChanged
from workspace.hooks import (
    Audience,
    Followers,
    Job,
    Notice,
    NotificationKind,
    NotificationSource,
    People,
)
from workspace.models import User
from workspace.notifications import bulk
from workspace.notifications.following import followers, insert_ignoring
from workspace.notifications.models import (
    Channel,
    EmailState,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from workspace.search import chunks

if TYPE_CHECKING:
    from workspace.runtime import Runtime

log = logging.getLogger(__name__)

OBSERVER = "observer"
SEATED = ("member", "chair")


def default_channel(kind: NotificationKind, role: str) -> Channel:
    """Observers follow progress in a weekly digest; members and chairs hear at once of
    what needs them and daily of the rest; everyone else weekly, and at once when
    something needs them (a reply to their comment)."""
    if role == OBSERVER:
        return Channel.WEEKLY
    if kind.needs_you:
        return Channel.AT_ONCE
    return Channel.DAILY if role in SEATED else Channel.WEEKLY


class Fanout:
    def __init__(self, rt: Runtime, kinds: Iterable[NotificationKind]) -> None:
        self.rt = rt
        self.kinds: dict[str, NotificationKind] = {}
        for kind in kinds:
            if kind.key in self.kinds:
                raise ValueError(f"two notification kinds {kind.key!r}")
            self.kinds[kind.key] = kind
        self.sources: dict[str, NotificationSource] = {}
        self.job = Job("notifications.fanout", self.run, retries=3, retry_delay=10)
        # Who of these people has a live page open here; None: unknown (other processes
        # hold sockets too), so tell everyone. Set by the app when it serves every socket.
        self.listening: Callable[[list[int]], list[int] | None] | None = None

    def add_source(self, source: NotificationSource) -> None:
        if source.name in self.sources:
            raise ValueError(f"two notification sources {source.name!r}")
        self.sources[source.name] = source
        name = source.name
        self.rt.events.subscribe(source.event, lambda event: self._enqueue(name, event))

    def _enqueue(self, name: str, event: Any) -> None:
        # When it happened: people who follow the thing only later are not told of it.
        self.rt.worker.enqueue(self.job, name, event, utcnow())

    # -- in the worker -------------------------------------------------------------------

    def run(self, source_name: str, event: Any, happened: datetime | None = None) -> int:
        """The job: every notice of one event, delivered; the notifications written."""
        source = self.sources.get(source_name)
        if source is None:
            log.warning("no notification source %r (a newer release's job?)", source_name)
            return 0
        with self.rt.db.read() as session:
            notices = list(source.notices(session, event))
        return sum(self.deliver(notice, happened) for notice in notices)

    def deliver(self, notice: Notice, happened: datetime | None = None) -> int:
        kind = self.kinds.get(notice.kind)
        if kind is None:
            raise ValueError(f"notice of unknown kind {notice.kind!r}")
        from workspace.notifications import emails  # emails renders with the runtime

        now = self.rt.clock()
        if notice.private:
            # Few people (a group), each checked for access now: in Python, at once.
            with self.rt.db.write() as unit:
                self._insert(unit.session, kind, notice, notice.audiences, happened, now)
                emails.send_at_once(self.rt, unit, notice.key[:120])
        else:
            for audience in notice.audiences:  # in order: the first reason wins
                if isinstance(audience, Followers):
                    self._insert_followers(kind, notice, audience, happened, now)
                    continue
                with self.rt.db.write() as unit:
                    self._insert(unit.session, kind, notice, (audience,), happened, now)
                    emails.send_at_once(self.rt, unit, notice.key[:120])
        with self.rt.db.read() as session:
            user_ids = bulk.recipients(session, notice.key)
        self.publish_unread(user_ids)
        return len(user_ids)

    def _insert_followers(
        self,
        kind: NotificationKind,
        notice: Notice,
        audience: Followers,
        happened: datetime | None,
        now: datetime,
    ) -> None:
        """Followers a thousand at a time, each slice its own short transaction: on SQLite
        the write lock is then never held long enough to keep a comment waiting."""
        from workspace.notifications import emails

        with self.rt.db.read() as session:
            slices = bulk.slices(session, audience)
        for low, high in slices:
            with self.rt.db.write() as unit:
                bulk.insert_followers(
                    unit.session,
                    kind,
                    notice,
                    audience,
                    happened,
                    now,
                    default_channel,
                    (low, high),
                )
                emails.send_at_once(self.rt, unit, notice.key[:120])

    def _insert(
        self,
        session: Session,
        kind: NotificationKind,
        notice: Notice,
        audiences: tuple[Audience, ...],
        happened: datetime | None,
        now: datetime,
    ) -> None:
        people = self._resolve(session, replace(notice, audiences=audiences), happened)
        channels = _channels(session, kind, people)
        rows = [
            {
                "user_id": user_id,
                "kind": notice.kind,
                "key": notice.key[:120],
                "title": notice.title[:300],
                "summary": notice.summary[:500],
                "reason": reason[:300],
                "url": notice.url[:300],
                "group_id": notice.group_id,
                "created_at": now,
                "email_state": _email_state(channels[user_id]),
            }
            for user_id, (reason, _role) in people.items()
        ]
        for batch in _batches(rows, 1000):
            insert_ignoring(session, Notification, batch, ["user_id", "key"])

    def _resolve(
        self, session: Session, notice: Notice, happened: datetime | None
    ) -> dict[int, tuple[str, str]]:
        """Person -> (reason, role), first audience first; without the actor, and for
        private things only those who may read them now."""
        people: dict[int, tuple[str, str]] = {}
        for audience in notice.audiences:
            if isinstance(audience, Followers):
                found = followers(session, audience.kind, audience.target_id, happened)
                for user_id, role in found:
                    people.setdefault(user_id, (audience.reason, role))
            elif isinstance(audience, People):
                for user_id in audience.user_ids:
                    people.setdefault(user_id, (audience.reason, audience.role))
        for user_id in (notice.actor_id or 0, *notice.exclude):
            people.pop(user_id, None)
        active = _active_users(session, list(people))
        people = {uid: why for uid, why in people.items() if uid in active}
        if notice.private and notice.group_id is not None:
            secretariat = active_secretariat(session, list(people))
            people = {
                uid: why
                for uid, why in people.items()
                if uid in secretariat or self._reads_group(session, uid, notice.group_id)
            }
        return people

    def _reads_group(self, session: Session, user_id: int, group_id: int) -> bool:
        roles, observed = self.rt.group_roles(session, user_id)
        return group_id in roles or group_id in observed

    # -- live counts ---------------------------------------------------------------------

    def publish_unread(self, user_ids: list[int]) -> None:
        live = self.listening(user_ids) if self.listening is not None else None
        if live is not None:
            user_ids = live
        if not user_ids:
            return
        with self.rt.db.read() as session:
            counts = unread_counts(session, user_ids)
        for user_id in user_ids:
            self.rt.events.publish(UnreadChanged(user_id=user_id, unread=counts.get(user_id, 0)))


def unread_counts(session: Session, user_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for batch in chunks(user_ids, 500):
        rows = session.execute(
            select(Notification.user_id, func.count())
            .where(col(Notification.user_id).in_(batch), col(Notification.read_at).is_(None))
            .group_by(col(Notification.user_id))
        ).all()
        counts.update({int(uid): int(n) for uid, n in rows})
    return counts


def _channels(
    session: Session, kind: NotificationKind, people: dict[int, tuple[str, str]]
) -> dict[int, Channel]:
    chosen: dict[int, str] = {}
    off: set[int] = set()
    for batch in chunks(list(people), 500):
        chosen.update(
            session.execute(
                select(NotificationPreference.user_id, NotificationPreference.channel).where(
                    NotificationPreference.kind == kind.key,
                    col(NotificationPreference.user_id).in_(batch),
                )
            ).all()
        )
        off.update(
            session.exec(
                select(NotificationSettings.user_id).where(
                    col(NotificationSettings.user_id).in_(batch),
                    col(NotificationSettings.emails_off),
                )
            ).all()
        )
    return {
        user_id: Channel.NEVER
        if user_id in off
        else Channel(chosen[user_id])
        if user_id in chosen
        else default_channel(kind, role)
        for user_id, (_reason, role) in people.items()
    }


def _email_state(channel: Channel) -> str:
    return {
        Channel.AT_ONCE: EmailState.AT_ONCE,
        Channel.DAILY: EmailState.DAILY,
        Channel.WEEKLY: EmailState.WEEKLY,
        Channel.NEVER: EmailState.NONE,
    }[channel]


def _active_users(session: Session, user_ids: list[int]) -> set[int]:
    return _users_where(session, user_ids, col(User.is_active))


def active_secretariat(session: Session, user_ids: list[int]) -> set[int]:
    return _users_where(session, user_ids, col(User.is_secretariat))


def _users_where(session: Session, user_ids: list[int], condition: Any) -> set[int]:
    found: set[int] = set()
    for batch in chunks(user_ids, 500):
        found.update(
            uid
            for uid in session.exec(select(User.id).where(col(User.id).in_(batch), condition)).all()
            if uid is not None
        )
    return found


def _batches(rows: list[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
