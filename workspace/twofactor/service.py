"""Two-factor sign-in: TOTP secrets (pyotp), QR codes (segno), recovery codes and the
pending sign-in between a correct password and a correct code.

check_* read and say whether; do_* write in one transaction. Routes never touch the
database themselves.
"""

from __future__ import annotations

import hmac
import io
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import pyotp
import segno
from sqlmodel import col, delete, select, update

from workspace import activity, auth, csrf
from workspace.db import WriteUnit, utcnow
from workspace.models import User
from workspace.permissions import ANONYMOUS, Viewer
from workspace.twofactor.models import PendingSignIn, RecoveryCode, TwoFactor

if TYPE_CHECKING:
    # Annotations only: the runtime is built over the live server, which asks this
    # module who a connection stands for.
    from workspace.runtime import Runtime

ISSUER = "Shared Space"
STEP_SECONDS = 30
# Codes from the step before and after now are accepted too: phones' clocks drift.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
PENDING_MINUTES = 5
PENDING_COOKIE = "ss_pending"


# -- state -----------------------------------------------------------------------------------


def enabled(rt: Runtime, user_id: int) -> bool:
    """Whether this person signs in with a second factor (set up and confirmed)."""
    with rt.db.read() as session:
        row = session.exec(
            select(TwoFactor.id).where(
                TwoFactor.user_id == user_id, col(TwoFactor.confirmed_at).is_not(None)
            )
        ).first()
    return row is not None


def recovery_left(rt: Runtime, user_id: int) -> int:
    with rt.db.read() as session:
        return len(
            session.exec(
                select(RecoveryCode.id).where(
                    RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None)
                )
            ).all()
        )


def must_set_up(rt: Runtime, user_id: int | None, is_secretariat: bool) -> bool:
    """A secretariat member without a second factor, while the hub requires one: they
    may only set it up or sign out (docs/security.md)."""
    if user_id is None or not is_secretariat or not rt.settings.two_factor_enforced:
        return False
    return not enabled(rt, user_id)


def live_viewer(rt: Runtime, token: str | None) -> Viewer:
    """The viewer of a Socket.IO connection's session: anonymous while the person must
    still set up their second factor, as every page but set-up is closed to them."""
    who = rt.load_viewer(token)
    return ANONYMOUS if must_set_up(rt, who.user_id, who.is_secretariat) else who


# -- set-up ----------------------------------------------------------------------------------


def setup_secret(rt: Runtime, user_id: int) -> str:
    """The secret being set up: made by the server on first view, kept until confirmed
    (so reloading the page does not invalidate a QR code already scanned)."""
    with rt.db.write() as unit:
        row = unit.session.exec(select(TwoFactor).where(TwoFactor.user_id == user_id)).first()
        if row is None:
            row = TwoFactor(user_id=user_id, secret=pyotp.random_base32())
            unit.session.add(row)
        return row.secret


def pending_setup_secret(rt: Runtime, user_id: int) -> str | None:
    """The unconfirmed secret, or None (nothing being set up, or already on)."""
    with rt.db.read() as session:
        row = session.exec(select(TwoFactor).where(TwoFactor.user_id == user_id)).first()
    if row is None or row.confirmed_at is not None:
        return None
    return row.secret


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=email, issuer_name=ISSUER
    )


def qr_svg(secret: str, email: str) -> bytes:
    """The set-up QR code as an SVG document, drawn here: no outside service sees it."""
    out = io.BytesIO()
    segno.make(provisioning_uri(secret, email), error="m").save(
        out, kind="svg", scale=5, border=4, title="QR code for your authenticator app"
    )
    return out.getvalue()


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code this is (within the allowed drift), or None."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    moment = time.time() if now is None else now
    found = None
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        at = moment + offset * STEP_SECONDS
        if hmac.compare_digest(totp.at(int(at)).encode(), code.encode()):
            found = int(at // STEP_SECONDS)
    return found


def do_confirm(rt: Runtime, user: User, code: str) -> list[str] | None:
    """Turn the second factor on when `code` matches the secret being set up; the new
    recovery codes (shown once), or None when the code is wrong."""
    assert user.id is not None
    secret = pending_setup_secret(rt, user.id)
    step = _matching_step(secret, code) if secret else None
    if step is None:
        return None
    codes = _new_recovery_codes()
    hashes = [rt.hasher.hash(_normal(c)) for c in codes]
    with rt.db.write() as unit:
        updated = unit.session.exec(
            update(TwoFactor)
            .where(col(TwoFactor.user_id) == user.id, col(TwoFactor.confirmed_at).is_(None))
            .values(confirmed_at=utcnow(), last_step=step)
        )
        if updated.rowcount != 1:
            return None
        _store_recovery(unit, user.id, hashes)
        _record(unit, user.id, user.id, "account.two_factor_on", "Turned on two-factor sign-in")
    return codes


def do_regenerate(rt: Runtime, user_id: int) -> list[str]:
    codes = _new_recovery_codes()
    hashes = [rt.hasher.hash(_normal(c)) for c in codes]
    with rt.db.write() as unit:
        _store_recovery(unit, user_id, hashes)
        _record(unit, user_id, user_id, "account.recovery_codes", "Made new recovery codes")
    return codes


def do_turn_off(rt: Runtime, user_id: int, *, actor_id: int | None, summary: str) -> bool:
    """Remove the second factor and its recovery codes; False when there was none.
    `actor_id` None: done from the command line (`sharedspace two-factor-reset`)."""
    with rt.db.write() as unit:
        row = unit.session.exec(select(TwoFactor).where(TwoFactor.user_id == user_id)).first()
        if row is None:
            return False
        unit.session.delete(row)
        unit.session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
        unit.session.exec(delete(PendingSignIn).where(col(PendingSignIn.user_id) == user_id))
        _record(unit, actor_id, user_id, "account.two_factor_off", summary)
    return True


def _new_recovery_codes() -> list[str]:
    def one() -> str:
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        return f"{raw[:5]}-{raw[5:]}"

    return [one() for _ in range(RECOVERY_CODES)]


def _normal(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum() and ch.isascii())


def _store_recovery(unit: WriteUnit, user_id: int, hashes: list[str]) -> None:
    unit.session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    unit.session.add_all(RecoveryCode(user_id=user_id, code_hash=h) for h in hashes)


def _record(unit: WriteUnit, actor_id: int | None, user_id: int, verb: str, summary: str) -> None:
    activity.record(
        unit,
        actor_id=actor_id,
        verb=verb,
        object_type="user",
        object_id=user_id,
        summary=summary,
        visibility=activity.SECRETARIAT,
    )


# -- sign-in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    user_id: int
    next_url: str


def do_start_pending(rt: Runtime, user_id: int, next_url: str) -> str:
    """Record a correct password awaiting its second factor; the signed cookie value."""
    token = auth.new_token()
    now = utcnow()
    with rt.db.write() as unit:
        unit.session.exec(delete(PendingSignIn).where(col(PendingSignIn.expires_at) <= now))
        unit.session.add(
            PendingSignIn(
                token_hash=auth.hash_token(token),
                user_id=user_id,
                next_url=next_url[:2000],
                expires_at=now + timedelta(minutes=PENDING_MINUTES),
            )
        )
    return f"{token}.{csrf.sign(rt.settings.secret_key, token)}"


def _token_of(rt: Runtime, cookie: str | None) -> str | None:
    token, _, signature = (cookie or "").partition(".")
    if not token or not csrf.valid(rt.settings.secret_key, token, signature):
        return None
    return token


def find_pending(rt: Runtime, cookie: str | None) -> Pending | None:
    token = _token_of(rt, cookie)
    if token is None:
        return None
    with rt.db.read() as session:
        row = session.exec(
            select(PendingSignIn).where(PendingSignIn.token_hash == auth.hash_token(token))
        ).first()
    if row is None or row.expires_at <= utcnow():
        return None
    return Pending(user_id=row.user_id, next_url=row.next_url)


def do_end_pending(rt: Runtime, cookie: str | None) -> None:
    token = _token_of(rt, cookie)
    if token is None:
        return
    with rt.db.write() as unit:
        unit.session.exec(
            delete(PendingSignIn).where(col(PendingSignIn.token_hash) == auth.hash_token(token))
        )


def do_verify(rt: Runtime, user_id: int, code: str) -> str | None:
    """Check a second factor: "code" for a fresh TOTP code, "recovery" for an unused
    recovery code (now used up), None otherwise. A TOTP code already accepted (or an
    older one) is refused: each 30-second step signs in once."""
    with rt.db.read() as session:
        row = session.exec(
            select(TwoFactor).where(
                TwoFactor.user_id == user_id, col(TwoFactor.confirmed_at).is_not(None)
            )
        ).first()
    if row is None:
        return None
    step = _matching_step(row.secret, code)
    if step is not None:
        with rt.db.write() as unit:
            # Compare-and-set, so two requests racing with one code cannot both pass.
            taken = unit.session.exec(
                update(TwoFactor)
                .where(col(TwoFactor.id) == row.id, col(TwoFactor.last_step) < step)
                .values(last_step=step)
            )
        return "code" if taken.rowcount == 1 else None
    return "recovery" if _use_recovery(rt, user_id, code) else None


def _use_recovery(rt: Runtime, user_id: int, code: str) -> bool:
    typed = _normal(code)
    if len(typed) != 10:
        return False
    with rt.db.read() as session:
        unused = session.exec(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None)
            )
        ).all()
    for candidate in unused:
        if auth.verify_password(rt.hasher, candidate.code_hash, typed):
            with rt.db.write() as unit:
                used = unit.session.exec(
                    update(RecoveryCode)
                    .where(
                        col(RecoveryCode.id) == candidate.id, col(RecoveryCode.used_at).is_(None)
                    )
                    .values(used_at=utcnow())
                )
            return used.rowcount == 1
    return False


def user_by_email(rt: Runtime, email: str) -> User | None:
    with rt.db.read() as session:
        return session.exec(select(User).where(User.email == email)).first()


def user_by_id(rt: Runtime, user_id: int) -> User | None:
    with rt.db.read() as session:
        return session.get(User, user_id)
