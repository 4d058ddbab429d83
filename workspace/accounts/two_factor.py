"""The account's two-factor page: set it up (QR code, secret as text, confirm with a
code), see the recovery codes once, make new ones, turn it off."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from workspace import auth
from workspace.failures import NotFound
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.models import User
from workspace.permissions import Action, require
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render
from workspace.twofactor import service

PAGE = "/account/two-factor"
NO_STORE = {"Cache-Control": "no-store"}


def _me(request: Request) -> User:
    who = viewer(request)
    require(who, Action.SIGNED_IN)
    assert who.user_id is not None
    user = service.user_by_id(runtime(request), who.user_id)
    if user is None:
        raise NotFound(_("No such account."))
    return user


def _page(request: Request, user: User, form: FormInput, status: int = 200) -> Response:
    rt = runtime(request)
    assert user.id is not None
    if service.enabled(rt, user.id):
        context = {"form": form, "left": service.recovery_left(rt, user.id)}
        return render(request, "twofactor/manage.html", context, status_code=status)
    secret = service.setup_secret(rt, user.id)
    context = {
        "form": form,
        "secret": service.grouped(secret),
        "required": rt.settings.two_factor_enforced and user.is_secretariat,
    }
    # The secret is on the page: never kept by a browser or proxy.
    return render(request, "twofactor/setup.html", context, status_code=status, headers=NO_STORE)


def _codes(request: Request, codes: list[str], first: bool) -> Response:
    context = {"codes": codes, "first": first}
    return render(request, "twofactor/recovery.html", context, headers=NO_STORE)


async def two_factor(request: Request) -> Response:
    user = _me(request)
    if request.method == "GET":
        return _page(request, user, FormInput())
    form = await read_form(request)
    code = form.get("code").strip()
    if not code:
        form.error("code", _("Enter the 6-digit code from your authenticator app"))
        return _page(request, user, form, 400)
    codes = await run_in_threadpool(service.do_confirm, runtime(request), user, code)
    if codes is None:
        form.error(
            "code",
            _(
                "The code is not correct. Check the app shows Shared Space and enter the "
                "newest code"
            ),
        )
        return _page(request, user, form, 400)
    return _codes(request, codes, first=True)


async def qr_code(request: Request) -> Response:
    user = _me(request)
    assert user.id is not None
    secret = service.pending_setup_secret(runtime(request), user.id)
    if secret is None:
        raise NotFound(_("There is no second factor being set up."))
    return Response(
        service.qr_svg(secret, user.email), media_type="image/svg+xml", headers=NO_STORE
    )


async def _password_problem(request: Request, user: User, form: FormInput) -> int:
    """0 when the password is right, else the status of the page saying why (429 when
    there were too many tries)."""
    rt = runtime(request)
    key = f"twofactor:password:{user.id}"
    if rt.limiter.exceeded(key, rt.settings.signin_limit_per_account):
        form.error(
            "password", _("Too many wrong passwords. Try again %(when)s.", when=rt.limiter.wait())
        )
        return 429
    password = form.get("password")
    if not password:
        form.error("password", _("Enter your password"))
        return 400
    good = await run_in_threadpool(auth.verify_password, rt.hasher, user.password_hash, password)
    if not good:
        rt.limiter.hit(key)
        form.error("password", _("The password is not correct"))
        return 400
    return 0


async def turn_off(request: Request) -> Response:
    user = _me(request)
    assert user.id is not None
    rt = runtime(request)
    if not service.enabled(rt, user.id):
        raise NotFound(_("Two-factor sign-in is not on."))
    form = await read_form(request)
    if status := await _password_problem(request, user, form):
        return _page(request, user, form, status)
    service.do_turn_off(rt, user.id, actor_id=user.id, summary="Turned off two-factor sign-in")
    return redirect("/account/", _("Two-factor sign-in is off."))


async def regenerate(request: Request) -> Response:
    user = _me(request)
    assert user.id is not None
    rt = runtime(request)
    if not service.enabled(rt, user.id):
        raise NotFound(_("Two-factor sign-in is not on."))
    form = await read_form(request)
    if status := await _password_problem(request, user, form):
        return _page(request, user, form, status)
    codes = await run_in_threadpool(service.do_regenerate, rt, user.id)
    return _codes(request, codes, first=False)


routes = [
    Route(PAGE, two_factor, methods=["GET", "POST"]),
    Route(f"{PAGE}/qr.svg", qr_code),
    Route(f"{PAGE}/off", turn_off, methods=["POST"]),
    Route(f"{PAGE}/recovery-codes", regenerate, methods=["POST"]),
]
