"""Accounts: registration, sign-in, sign-out and password reset.

check_* functions validate and say what is wrong; do_* functions write in one
transaction. Routes never touch the database themselves.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select, update

from workspace import activity, auth
from workspace.accounts import confirmation
from workspace.db import WriteUnit, utcnow
from workspace.events import AccessChanged
from workspace.forms import FormInput
from workspace.i18n import current_locale
from workspace.i18n import gettext as _
from workspace.models import PasswordResetToken, User, UserSession
from workspace.runtime import Runtime

MIN_PASSWORD = 10
MAX_PASSWORD = 200
RESET_HOURS = 2


@dataclass
class Registration:
    email: str
    display_name: str
    password: str


def check_registration(form: FormInput) -> Registration:
    email = form.email("email")
    name = form.required("display_name", _("your name"), max_length=100)
    password = check_new_password(form, "password")
    return Registration(email=email, display_name=name, password=password)


def check_new_password(form: FormInput, name: str) -> str:
    password = form.get(name)
    if not password:
        form.error(name, _("Enter a password"))
    elif len(password) < MIN_PASSWORD:
        form.error(name, _("Password must be %(min)d characters or more", min=MIN_PASSWORD))
    elif len(password) > MAX_PASSWORD:
        form.error(name, _("Password must be %(max)d characters or fewer", max=MAX_PASSWORD))
    elif password.strip().lower() == form.get("email").strip().lower():
        form.error(name, _("Password must not be your email address"))
    return password


def do_register(
    rt: Runtime, reg: Registration, *, secretariat: bool = False, confirmed: bool = False
) -> User | None:
    """Create the account; None when the email is already registered. `confirmed` only
    for paths that have proven the address (an invitation link, the CLI, the demo):
    otherwise the owner must follow the emailed link first (accounts/confirmation.py)."""
    password_hash = rt.hasher.hash(reg.password)
    try:
        with rt.db.write() as unit:
            user = User(
                email=reg.email,
                display_name=reg.display_name,
                password_hash=password_hash,
                is_secretariat=secretariat,
                email_confirmed_at=utcnow() if confirmed else None,
            )
            unit.session.add(user)
            unit.session.flush()
            if confirmed:
                confirmation.record_registered(unit, user)
    except IntegrityError:
        return None
    return user


def do_register_or_remind(rt: Runtime, reg: Registration) -> None:
    """Register the address and mail the link that confirms it, or, when it already has
    an account, tell its owner by mail: a new link if they never confirmed it, else that
    someone tried, with a sign-in and a reset link. Either way a password is hashed and
    the page is the same, so neither it nor its timing says which happened."""
    user = do_register(rt, reg)
    if user is None:
        _remind_existing(rt, reg.email)
        return
    with rt.db.write() as unit:
        confirmation.queue_link(rt, unit, user)


def _remind_existing(rt: Runtime, email: str) -> None:
    with rt.db.read() as session:
        unconfirmed = session.exec(
            select(User).where(User.email == email, col(User.email_confirmed_at).is_(None))
        ).first()
    if unconfirmed is not None:
        confirmation.resend_for_address(rt, email)
        return
    with rt.db.write() as unit:
        user = unit.session.exec(select(User).where(User.email == email)).first()
        if user is None:
            return
        token = _new_reset(unit, user)
        with _in_language_of(rt, user):
            rt.mailer.queue(
                unit,
                user.email,
                _("Someone tried to create a Shared Space account with your address"),
                _(
                    "Hello %(name)s,\n\nSomeone tried to create a new account with this email "
                    "address, but you already have one. If it was you, sign in:\n\n"
                    "%(sign_in)s\n\nor, if you have forgotten your password, choose a new one "
                    "within %(hours)d hours:\n\n%(reset)s\n\n"
                    "If it was not you, ignore this message: nothing has changed.\n",
                    name=user.display_name,
                    sign_in=_link(rt, "/account/sign-in"),
                    hours=RESET_HOURS,
                    reset=_link(rt, f"/account/password-reset/{token}"),
                ),
            )


def _in_language_of(rt: Runtime, user: User) -> AbstractContextManager[object]:
    """Mail to someone is in the language they chose, else the one they are using now."""
    return rt.catalogues.use(user.language or current_locale())


def _access_changed(rt: Runtime, unit: WriteUnit, user_id: int) -> None:
    """After commit: this person's live sockets re-check what they may still hear."""
    unit.after_commit(lambda: rt.events.publish(AccessChanged(user_id=user_id)))


def _link(rt: Runtime, path: str) -> str:
    return f"{rt.settings.base_url.rstrip('/')}{path}"


def _new_reset(unit: WriteUnit, user: User) -> str:
    token = auth.new_token()
    unit.session.add(
        PasswordResetToken(
            token_hash=auth.hash_token(token),
            user_id=user.id or 0,
            expires_at=utcnow() + timedelta(hours=RESET_HOURS),
        )
    )
    return token


def email_taken(rt: Runtime, email: str) -> bool:
    with rt.db.read() as session:
        return session.exec(select(User.id).where(User.email == email)).first() is not None


def authenticate(rt: Runtime, email: str, password: str) -> User | None:
    with rt.db.read() as session:
        user = session.exec(select(User).where(User.email == email)).first()
    if user is None or not user.is_active:
        auth.dummy_verify(rt.hasher, rt.dummy_hash, password)
        return None
    if not auth.verify_password(rt.hasher, user.password_hash, password):
        return None
    if rt.hasher.check_needs_rehash(user.password_hash):
        with rt.db.write() as unit:
            unit.session.exec(
                update(User)
                .where(col(User.id) == user.id)
                .values(password_hash=rt.hasher.hash(password))
            )
    return user


def do_sign_in(rt: Runtime, user: User, user_agent: str) -> str:
    assert user.id is not None
    with rt.db.write() as unit:
        token = auth.start_session(unit, user.id, rt.settings.session_days, user_agent)
        activity.record(
            unit,
            actor_id=user.id,
            verb="account.signed_in",
            object_type="user",
            object_id=user.id,
            summary=f"{user.display_name} signed in",
            visibility=activity.SECRETARIAT,
        )
    return token


def do_sign_out(rt: Runtime, token: str) -> None:
    with rt.db.write() as unit:
        user_id = unit.session.exec(
            select(UserSession.user_id).where(UserSession.token_hash == auth.hash_token(token))
        ).first()
        auth.end_session(unit, token)
        if user_id is not None:
            _access_changed(rt, unit, user_id)


def do_sign_out_everywhere(rt: Runtime, user_id: int) -> None:
    with rt.db.write() as unit:
        auth.end_all_sessions(unit, user_id)
        _access_changed(rt, unit, user_id)
        activity.record(
            unit,
            actor_id=user_id,
            verb="account.signed_out_everywhere",
            object_type="user",
            object_id=user_id,
            summary="Signed out on every device",
            visibility=activity.SECRETARIAT,
        )


def do_request_reset(rt: Runtime, email: str) -> None:
    """Queue a reset link if the account exists. The caller says the same thing either
    way, so the form cannot be used to find out who has an account."""
    with rt.db.write() as unit:
        user = unit.session.exec(select(User).where(User.email == email)).first()
        if user is None or not user.is_active:
            return
        token = _new_reset(unit, user)
        link = _link(rt, f"/account/password-reset/{token}")
        with _in_language_of(rt, user):
            rt.mailer.queue(
                unit,
                user.email,
                _("Reset your Shared Space password"),
                _(
                    "Hello %(name)s,\n\nUse this link within %(hours)d hours to choose a new "
                    "password:\n\n%(link)s\n\nIf you did not ask for this, ignore this "
                    "message: your password has not changed.\n",
                    name=user.display_name,
                    hours=RESET_HOURS,
                    link=link,
                ),
            )


def find_reset(rt: Runtime, token: str) -> PasswordResetToken | None:
    with rt.db.read() as session:
        row = session.exec(
            select(PasswordResetToken).where(
                PasswordResetToken.token_hash == auth.hash_token(token)
            )
        ).first()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def do_reset_password(rt: Runtime, token: str, password: str) -> bool:
    password_hash = rt.hasher.hash(password)
    with rt.db.write() as unit:
        row = unit.session.exec(
            select(PasswordResetToken).where(
                PasswordResetToken.token_hash == auth.hash_token(token)
            )
        ).first()
        if row is None or row.used_at is not None or row.expires_at <= utcnow():
            return False
        user = unit.session.get(User, row.user_id)
        assert user is not None
        user.password_hash = password_hash
        row.used_at = utcnow()
        if user.email_confirmed_at is None:  # the link proved the address as well
            user.email_confirmed_at = row.used_at
            confirmation.record_registered(unit, user)
        unit.session.add_all([user, row])
        # A reset is often done because someone else got in: end every session.
        auth.end_all_sessions(unit, user.id)  # type: ignore[arg-type]
        _access_changed(rt, unit, user.id or 0)
        activity.record(
            unit,
            actor_id=user.id,
            verb="account.password_reset",
            object_type="user",
            object_id=user.id,
            summary="Password reset by emailed link",
            visibility=activity.SECRETARIAT,
        )
    return True


def session_count(rt: Runtime, user_id: int) -> int:
    with rt.db.read() as session:
        return session.exec(
            select(func.count()).select_from(UserSession).where(UserSession.user_id == user_id)
        ).one()
