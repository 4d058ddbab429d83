"""Notifications by email: one message at once, or a daily or weekly digest at the
person's hour in their time zone; multipart text and HTML from templates, with RFC 8058
one-click unsubscribe and a footer that says why the email came.

Each notification is emailed at most once: its outbox message is written, and its
`email_state` moved to `emailed`, in one transaction, and the outbox sends each message
at most once (workspace/mail.py). A digest is claimed per person and slot by a unique
`DigestRun` row in the same transaction, so two workers never send the same digest.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from workspace.db import WriteUnit
from workspace.hooks import NotificationKind, PeriodicJob
from workspace.i18n import gettext, lazy_gettext, ngettext
from workspace.mail import OutgoingMail
from workspace.models import User
from workspace.notifications.following import insert_claiming
from workspace.notifications.models import (
    DigestRun,
    EmailState,
    Notification,
    NotificationSettings,
)
from workspace.search import chunks

if TYPE_CHECKING:
    from workspace.runtime import Runtime

log = logging.getLogger(__name__)

ALL_EMAIL = "all"  # the unsubscribe scope of digests: stop every email
PERIODS = {EmailState.DAILY: "daily", EmailState.WEEKLY: "weekly"}
# A digest's period as its mail names it ("your daily digest").
PERIOD_NAMES = {"daily": lazy_gettext("daily"), "weekly": lazy_gettext("weekly")}
DIGEST_USERS_PER_TRANSACTION = 100


# -- unsubscribing -------------------------------------------------------------------------


def _signature(secret: str, user_id: int, scope: str) -> str:
    message = f"unsubscribe:{user_id}:{scope}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def unsubscribe_path(secret: str, user_id: int, scope: str) -> str:
    return f"/notifications/unsubscribe/{user_id}/{scope}/{_signature(secret, user_id, scope)}"


def valid_unsubscribe(secret: str, user_id: int, scope: str, signature: str) -> bool:
    # As bytes: compare_digest refuses str holding non-ASCII, which a forged link may.
    return hmac.compare_digest(_signature(secret, user_id, scope).encode(), signature.encode())


def _headers(rt: Runtime, user_id: int, scope: str) -> dict[str, str]:
    link = rt.settings.base_url.rstrip("/") + unsubscribe_path(
        rt.settings.secret_key, user_id, scope
    )
    return {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }


# -- at once -------------------------------------------------------------------------------


def send_at_once(rt: Runtime, unit: WriteUnit, key: str) -> int:
    """Email every notification of `key` that is due at once, in the caller's
    transaction (the one that wrote them); the number queued."""
    session = unit.session
    due = session.exec(
        select(Notification, User)
        .join(User, col(User.id) == Notification.user_id)
        .where(Notification.key == key, Notification.email_state == EmailState.AT_ONCE)
    ).all()
    for notification, user in due:
        kind = rt.notifications.kinds.get(notification.kind)
        context = _context(rt, user, kind.key if kind else ALL_EMAIL)
        context.update(notification=notification, kind=kind)
        text, html = _render(rt, "notification", context, user.language)
        email_id = rt.mailer.queue(
            unit,
            user.email,
            notification.title,
            text,
            html=html,
            headers=_headers(rt, user.id or 0, context["scope"]),
            at_once=False,
        )
        notification.email_state, notification.email_id = EmailState.EMAILED, email_id
        session.add(notification)
    return len(due)


# -- digests -------------------------------------------------------------------------------


def last_slot(now: datetime, zone: ZoneInfo, hour: int, weekday: int | None) -> datetime:
    """The latest digest time at or before `now`: `hour` o'clock local time, every day
    (weekday None) or on `weekday` (0 = Monday). Local, so it follows summer time."""
    local = now.astimezone(zone)
    day = local.date()
    while True:
        slot = datetime.combine(day, time(hour), tzinfo=zone)
        if slot <= local and (weekday is None or day.weekday() == weekday):
            return slot
        day -= timedelta(days=1)


@dataclass(frozen=True)
class DigestPlan:
    user: User
    period: str  # daily | weekly
    state: EmailState
    slot: datetime


class Digests:
    """The periodic job that sends each person's digests when their slot has passed."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.job = PeriodicJob("notifications.digests", self.send_due, minutes=5)

    def send_due(self) -> int:
        """Send every digest whose slot has passed; the number sent. A hundred people per
        transaction: their items, claims and messages each in one statement."""
        plans = self.plans(self.rt.clock())
        sent = 0
        for start in range(0, len(plans), DIGEST_USERS_PER_TRANSACTION):
            with self.rt.db.write() as unit:
                sent += self.send_batch(unit, plans[start : start + DIGEST_USERS_PER_TRANSACTION])
        return sent

    def plans(self, now: datetime) -> list[DigestPlan]:
        with self.rt.db.read() as session:
            waiting = session.execute(
                select(Notification.user_id, Notification.email_state)
                .where(col(Notification.email_state).in_(list(PERIODS)))
                .distinct()
            ).all()
            users = _users(session, {int(uid) for uid, _state in waiting})
            choices = _settings(session, list(users))
        plans: list[DigestPlan] = []
        for uid, state in waiting:
            user = users.get(int(uid))
            chosen = choices.get(int(uid))
            if user is None or (chosen is not None and chosen.emails_off):
                continue
            zone, hour, weekday = self._when(chosen)
            slot = last_slot(now, zone, hour, weekday if state == EmailState.WEEKLY else None)
            plans.append(DigestPlan(user, PERIODS[EmailState(state)], EmailState(state), slot))
        return plans

    def _when(self, chosen: NotificationSettings | None) -> tuple[ZoneInfo, int, int]:
        defaults = self.rt.settings
        name = chosen.timezone if chosen else defaults.timezone
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo(defaults.timezone)
        if chosen is None:
            return zone, defaults.digest_hour, defaults.digest_weekday
        return zone, chosen.digest_hour, chosen.digest_weekday

    def send_batch(self, unit: WriteUnit, plans: Sequence[DigestPlan]) -> int:
        """Claim and queue these people's digests in the caller's transaction; the number
        queued. A digest another worker already claimed (same person, period and slot)
        is skipped, so none is sent twice."""
        if not plans:
            return 0
        session = unit.session
        items = _items(session, plans)
        claims = [
            {"user_id": p.user.id, "period": p.period, "slot": p.slot, "items": len(found)}
            for p in plans
            if (found := items.get((p.user.id or 0, p.period)))
        ]
        mine = insert_claiming(session, DigestRun, claims, ["user_id", "period", "slot"])
        chosen = [p for p in plans if (p.user.id or 0, p.period) in mine]
        messages = [self._message(p, items[(p.user.id or 0, p.period)]) for p in chosen]
        email_ids = self.rt.mailer.queue_many(unit, messages)
        marks = [
            {"nid": n.id, "eid": email_id}
            for p, email_id in zip(chosen, email_ids, strict=True)
            for n in items[(p.user.id or 0, p.period)]
        ]
        if marks:
            connection = session.connection()
            connection.execute(
                update(Notification)
                .where(col(Notification.id) == bindparam("nid"))
                .values(email_state=EmailState.EMAILED, email_id=bindparam("eid")),
                marks,
            )
            connection.execute(
                update(DigestRun)
                .where(
                    col(DigestRun.user_id) == bindparam("uid"),
                    col(DigestRun.period) == bindparam("per"),
                    col(DigestRun.slot) == bindparam("at"),
                )
                .values(email_id=bindparam("eid")),
                [
                    {"uid": p.user.id, "per": p.period, "at": p.slot, "eid": email_id}
                    for p, email_id in zip(chosen, email_ids, strict=True)
                ],
            )
        return len(chosen)

    def _message(self, plan: DigestPlan, items: list[Notification]) -> OutgoingMail:
        context = _context(self.rt, plan.user, ALL_EMAIL)
        with self.rt.catalogues.use(plan.user.language):
            period = str(PERIOD_NAMES.get(plan.period, plan.period))
            subject = ngettext(
                "Your %(period)s Shared Space digest: %(num)d update",
                "Your %(period)s Shared Space digest: %(num)d updates",
                len(items),
                period=period,
            )
            context.update(period=period, sections=self.sections(items), count=len(items))
        text, html = _render(self.rt, "digest", context, plan.user.language)
        return OutgoingMail(
            to=plan.user.email,
            subject=subject,
            body=text,
            html=html,
            headers=_headers(self.rt, plan.user.id or 0, ALL_EMAIL),
        )

    def sections(self, items: Sequence[Notification]) -> list[tuple[str, list[Notification]]]:
        """The digest's items by section (Definitions, Consultations...), in the order the
        kinds are registered, then by time."""
        kinds: Mapping[str, NotificationKind] = self.rt.notifications.kinds
        order = {key: n for n, key in enumerate(kinds)}

        def section(item: Notification) -> str:
            kind = kinds.get(item.kind)
            return str(kind.section) if kind else gettext("Other")

        merged: dict[str, list[Notification]] = {}
        for item in sorted(items, key=lambda n: (order.get(n.kind, 999), n.created_at)):
            merged.setdefault(section(item), []).append(item)
        return list(merged.items())


def _items(
    session: Session, plans: Sequence[DigestPlan]
) -> dict[tuple[int, str], list[Notification]]:
    """Each planned person's waiting items from before their slot, in one query."""
    slots = {(p.user.id or 0, p.state.value): p for p in plans}
    rows = session.exec(
        select(Notification)
        .where(
            col(Notification.user_id).in_({uid for uid, _state in slots}),
            col(Notification.email_state).in_({state for _uid, state in slots}),
            col(Notification.created_at) < max(p.slot for p in plans),
        )
        .order_by(col(Notification.user_id), col(Notification.created_at))
    ).all()
    found: dict[tuple[int, str], list[Notification]] = {}
    for row in rows:
        plan = slots.get((row.user_id, row.email_state))
        if plan is not None and row.created_at < plan.slot:
            found.setdefault((row.user_id, plan.period), []).append(row)
    return found


# -- shared --------------------------------------------------------------------------------


def _context(rt: Runtime, user: User, scope: str) -> dict[str, Any]:
    base = rt.settings.base_url.rstrip("/")
    return {
        "user": user,
        "base": base,
        "scope": scope,
        "preferences_url": f"{base}/notifications/preferences",
        "unsubscribe_url": base + unsubscribe_path(rt.settings.secret_key, user.id or 0, scope),
    }


def _render(rt: Runtime, name: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    """The mail's text and HTML parts in the recipient's language (English when they never
    chose one), whoever's request caused it."""
    with rt.catalogues.use(language):
        text = rt.templates.get_template(f"notifications/email/{name}.txt").render(context)
        html = rt.templates.get_template(f"notifications/email/{name}.html").render(context)
    return text, html


def _users(session: Session, user_ids: Iterable[int]) -> dict[int, User]:
    found: dict[int, User] = {}
    for batch in chunks(list(user_ids), 500):
        for user in session.exec(
            select(User).where(col(User.id).in_(batch), col(User.is_active))
        ).all():
            found[user.id or 0] = user
    return found


def _settings(session: Session, user_ids: list[int]) -> dict[int, NotificationSettings]:
    found: dict[int, NotificationSettings] = {}
    for batch in chunks(user_ids, 500):
        for row in session.exec(
            select(NotificationSettings).where(col(NotificationSettings.user_id).in_(batch))
        ).all():
            found[row.user_id] = row
    return found
