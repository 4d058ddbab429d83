"""CSRF protection for every unsafe request (signed double-submit cookie).

The browser holds a random value in an HttpOnly cookie; pages embed an HMAC of it made
with the secret key, in forms (`csrf_token` field) and for htmx in a meta tag sent back
as the `X-CSRF-Token` header. Another site can make the browser send the cookie but
cannot read it or forge the HMAC. Nothing is kept in memory, so it works across workers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request

COOKIE = "ss_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"


def new_cookie_value() -> str:
    return secrets.token_urlsafe(32)


def sign(secret: str, cookie_value: str) -> str:
    return hmac.new(secret.encode(), cookie_value.encode(), hashlib.sha256).hexdigest()


def valid(secret: str, cookie_value: str | None, token: str | None) -> bool:
    if not cookie_value or not token:
        return False
    # As bytes: compare_digest refuses str holding non-ASCII, which a forged token may.
    return hmac.compare_digest(sign(secret, cookie_value).encode(), token.encode())


def token_for(request: Request) -> str:
    cookie_value = request.scope.get("state", {}).get("csrf_cookie")
    if not cookie_value:
        return ""
    return sign(request.app.state.runtime.settings.secret_key, cookie_value)
