"""Personal API tokens: make, list, revoke, and find the person behind a bearer token.

A token is `ss_` and 32 random bytes; only its SHA-256 is kept (`auth.hash_token`), so a
copy of the database cannot be replayed. Last use is written at most once a minute, so
reading the API does not turn every request into a write.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlmodel import col, select, update

from workspace import activity, auth
from workspace.db import utcnow
from workspace.failures import NotFound
from workspace.forms import FormInput
from workspace.i18n import gettext as _
from workspace.models import User
from workspace.permissions import Action, Viewer, require
from workspace.tokens.models import ApiToken, TokenScope

if TYPE_CHECKING:
    from workspace.runtime import Runtime

PREFIX = "ss_"
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_TOKENS = 20


@dataclass(frozen=True)
class TokenDraft:
    name: str
    scope: TokenScope


@dataclass(frozen=True)
class Bearer:
    """Who a valid token speaks for, and what it may do."""

    viewer: Viewer
    token_id: int
    scope: TokenScope


def check_token(form: FormInput, existing: int) -> TokenDraft:
    name = form.required("name", _("a name for the token"), max_length=100)
    scope = form.get("scope")
    if scope not in {s.value for s in TokenScope}:
        form.error("scope", _("Select what the token may do"))
    if existing >= MAX_TOKENS:
        form.error(
            "name",
            _("You can have up to %(max)d tokens. Revoke one you no longer use", max=MAX_TOKENS),
        )
    return TokenDraft(name=name, scope=TokenScope(scope) if form.ok else TokenScope.READ)


def tokens_of(rt: Runtime, user_id: int) -> list[ApiToken]:
    with rt.db.read() as session:
        return list(
            session.exec(
                select(ApiToken)
                .where(ApiToken.user_id == user_id)
                .order_by(col(ApiToken.revoked_at).is_not(None), col(ApiToken.id).desc())
            ).all()
        )


def active_count(rt: Runtime, user_id: int) -> int:
    return sum(1 for t in tokens_of(rt, user_id) if t.revoked_at is None)


def do_create(rt: Runtime, actor: Viewer, draft: TokenDraft) -> str:
    """Make a token and return it: the only time it is ever seen in full."""
    require(actor, Action.SIGNED_IN)
    assert actor.user_id is not None
    token = PREFIX + secrets.token_urlsafe(32)
    with rt.db.write() as unit:
        row = ApiToken(
            user_id=actor.user_id,
            name=draft.name,
            prefix=token[:10],
            token_hash=auth.hash_token(token),
            scope=draft.scope,
        )
        unit.session.add(row)
        unit.session.flush()
        activity.record(
            unit,
            actor_id=actor.user_id,
            verb="token.created",
            object_type="api_token",
            object_id=row.id,
            summary=f"An API token ({draft.scope.label.lower()}) was made",
            visibility=activity.SECRETARIAT,
        )
    return token


def do_revoke(rt: Runtime, actor: Viewer, token_id: int) -> ApiToken:
    require(actor, Action.SIGNED_IN)
    with rt.db.write() as unit:
        row = unit.session.get(ApiToken, token_id)
        # Another person's token is not there at all, as far as this person can tell.
        if row is None or row.user_id != actor.user_id:
            raise NotFound(_("There is no such token."))
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            unit.session.add(row)
            activity.record(
                unit,
                actor_id=actor.user_id,
                verb="token.revoked",
                object_type="api_token",
                object_id=row.id,
                summary="An API token was revoked",
                visibility=activity.SECRETARIAT,
            )
        return row


def authenticate(rt: Runtime, token: str) -> Bearer | None:
    """The person and scope behind a bearer token; None if it is unknown or revoked."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    now = utcnow()
    with rt.db.read() as session:
        row = session.exec(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)  # type: ignore[arg-type]
            .where(ApiToken.token_hash == auth.hash_token(token))
        ).first()
        if row is None:
            return None
        found, user = row
        if found.revoked_at is not None or not user.is_active:
            return None
        who = auth.viewer_of(session, user, rt.group_roles)
    if found.last_used_at is None or now - found.last_used_at > TOUCH_INTERVAL:
        with rt.db.write() as unit:
            unit.session.exec(
                update(ApiToken).where(col(ApiToken.id) == found.id).values(last_used_at=now)
            )
    assert found.id is not None
    return Bearer(viewer=who, token_id=found.id, scope=TokenScope(found.scope))
