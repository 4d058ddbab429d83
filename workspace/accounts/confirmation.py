"""Confirming the email address of a new account (issue 18 item 5).

Registration creates the account unconfirmed and mails a single-use link that expires
after `CONFIRM_LINK_DAYS`; only its hash is stored. Until the link is followed the account
cannot sign in, and the retention job deletes accounts never confirmed after
`RETENTION_UNCONFIRMED_DAYS` (sharedspace/rights/retention.py). Accounts made by a path
that proves the address already (an invitation link, the CLI, the demo) are confirmed at
creation. The activity log records `account.registered` at confirmation, so an account
that is never confirmed leaves nothing in the sealed log.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select, update

from workspace import activity, auth
from workspace.db import WriteUnit, utcnow
from workspace.i18n import current_locale
from workspace.i18n import gettext as _
from workspace.models import EmailConfirmation, User
from workspace.runtime import Runtime

# A person may ask for (or trigger, by signing in) this many new links per rate-limit
# window; each is a mail to an address nobody has proven, so it must not be a spam cannon.
LINKS_PER_WINDOW = 3


def record_registered(unit: WriteUnit, user: User) -> None:
    activity.record(
        unit,
        actor_id=user.id,
        verb="account.registered",
        object_type="user",
        object_id=user.id,
        summary=f"{user.display_name} joined the hub",
        visibility=activity.SECRETARIAT,
    )


def queue_link(rt: Runtime, unit: WriteUnit, user: User) -> None:
    """Store a new link's hash and queue the mail that holds the link, in `unit`."""
    token = auth.new_token()
    days = rt.settings.confirm_link_days
    unit.session.add(
        EmailConfirmation(
            token_hash=auth.hash_token(token),
            user_id=user.id or 0,
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    link = f"{rt.settings.base_url.rstrip('/')}/account/confirm/{token}"
    with rt.catalogues.use(user.language or current_locale()):
        rt.mailer.queue(
            unit,
            user.email,
            _("Confirm your email address for Shared Space"),
            _(
                "Hello %(name)s,\n\nTo finish creating your Shared Space account, confirm "
                "that this is your email address by following this link within %(days)d "
                "days:\n\n%(link)s\n\nYou cannot sign in until you do. If you did not "
                "create an account, ignore this message: the account will be deleted.\n",
                name=user.display_name,
                days=days,
                link=link,
            ),
        )


def send_link(rt: Runtime, user: User) -> bool:
    """Mail a new link unless this account has had too many lately; True if sent."""
    key = f"confirm:account:{user.id}"
    if rt.limiter.exceeded(key, LINKS_PER_WINDOW):
        return False
    rt.limiter.hit(key)
    with rt.db.write() as unit:
        queue_link(rt, unit, user)
    return True


def resend_for_address(rt: Runtime, email: str) -> None:
    """A new link to the address if it has an unconfirmed account; nothing otherwise. The
    caller says the same either way, so no one learns who has an account."""
    with rt.db.read() as session:
        user = session.exec(select(User).where(User.email == email)).first()
    if user is not None and user.is_active and user.email_confirmed_at is None:
        send_link(rt, user)


def _live(session: Session, token: str) -> EmailConfirmation | None:
    row = session.exec(
        select(EmailConfirmation).where(EmailConfirmation.token_hash == auth.hash_token(token))
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def find_link(rt: Runtime, token: str) -> EmailConfirmation | None:
    with rt.db.read() as session:
        return _live(session, token)


def do_confirm(rt: Runtime, token: str) -> User | None:
    """Use the link: the address is confirmed and every link of the account is spent.
    None when the link is unknown, used or expired."""
    with rt.db.write() as unit:
        row = _live(unit.session, token)
        if row is None:
            return None
        user = unit.session.get(User, row.user_id)
        if user is None or not user.is_active:
            return None
        now = utcnow()
        unit.session.exec(
            update(EmailConfirmation)
            .where(col(EmailConfirmation.user_id) == user.id)
            .where(col(EmailConfirmation.used_at).is_(None))
            .values(used_at=now)
        )
        if user.email_confirmed_at is None:
            user.email_confirmed_at = now
            unit.session.add(user)
            record_registered(unit, user)
        unit.session.flush()
        unit.session.refresh(user)
    return user
