"""Account pages: register, sign in and out, password reset."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from workspace import auth
from workspace.accounts import confirmation, service
from workspace.forms import FormInput, normalise_email, read_form, safe_next
from workspace.i18n import gettext as _
from workspace.models import User
from workspace.permissions import Action, require
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render
from workspace.twofactor import service as twofactor


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _signed_in_response(request: Request, token: str, target: str, notice: str) -> Response:
    rt = runtime(request)
    response = redirect(target, notice)
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=rt.settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=rt.settings.secure_cookies,
        path="/",
    )
    return response


async def register(request: Request) -> Response:
    form = FormInput()
    if request.method == "GET":
        return render(request, "accounts/register.html", {"form": form})
    rt = runtime(request)
    form = await read_form(request)
    ip_key = f"register:ip:{_client_ip(request)}"
    if rt.limiter.exceeded(ip_key, rt.settings.register_limit_per_ip):
        form.error(
            "email",
            _(
                "Too many accounts have been made from this network recently. Try again %(when)s.",
                when=rt.limiter.wait(),
            ),
        )
        return render(request, "accounts/register.html", {"form": form}, status_code=429)
    reg = service.check_registration(form)
    if not form.ok:
        return render(request, "accounts/register.html", {"form": form}, status_code=400)
    rt.limiter.hit(ip_key)
    # The same answer whether or not the address has an account, so the form cannot be
    # used to find out who has one; the mail says which it was (docs/security.md).
    await run_in_threadpool(service.do_register_or_remind, rt, reg)
    return render(request, "accounts/register_sent.html", {"email": reg.email})


async def sign_in(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next", "/"))
    form = FormInput(values={"next": next_url})
    if request.method == "GET":
        return render(request, "accounts/sign_in.html", {"form": form})
    rt = runtime(request)
    form = await read_form(request)
    email = normalise_email(form.get("email"))
    ip_key, account_key = f"signin:ip:{_client_ip(request)}", f"signin:account:{email}"
    if rt.limiter.exceeded(ip_key, rt.settings.signin_limit_per_ip) or rt.limiter.exceeded(
        account_key, rt.settings.signin_limit_per_account
    ):
        form.error(
            "email",
            _(
                "Too many sign-in attempts. Try again %(when)s, or reset your password.",
                when=rt.limiter.wait(),
            ),
        )
        return render(request, "accounts/sign_in.html", {"form": form}, status_code=429)
    rt.limiter.hit(ip_key)
    user = await run_in_threadpool(service.authenticate, rt, email, form.get("password"))
    if user is None:
        rt.limiter.hit(account_key)
        form.error("email", _("Enter a correct email address and password"))
        return render(request, "accounts/sign_in.html", {"form": form}, status_code=400)
    if user.email_confirmed_at is None:
        return await _unconfirmed(request, form, user)
    rt.limiter.reset(account_key)
    target = safe_next(form.get("next", "/"))
    notice = _("Signed in as %(name)s.", name=user.display_name)
    return _begin_session(request, user, target, notice)


async def _unconfirmed(request: Request, form: FormInput, user: User) -> Response:
    """The right password, but the address was never confirmed: no session; a new link."""
    sent = await run_in_threadpool(confirmation.send_link, runtime(request), user)
    if sent:
        message = _(
            "You need to confirm your email address before you can sign in. We have sent "
            "a new link to %(email)s: follow it to confirm the address and sign in.",
            email=user.email,
        )
    else:
        message = _(
            "You need to confirm your email address before you can sign in. We sent links "
            "to %(email)s recently: follow the newest, or try again %(when)s.",
            email=user.email,
            when=runtime(request).limiter.wait(),
        )
    form.error("email", message)
    return render(request, "accounts/sign_in.html", {"form": form}, status_code=400)


def _begin_session(request: Request, user: User, target: str, notice: str) -> Response:
    """Sign in after a correct password or a confirmation link: a session, or first the
    second factor when the account has one."""
    rt = runtime(request)
    assert user.id is not None
    if twofactor.enabled(rt, user.id):
        # A correct password is not yet a sign-in: a short-lived pending record waits
        # for the second factor, and no session exists until it comes.
        pending = twofactor.do_start_pending(rt, user.id, target)
        response = redirect(CHALLENGE)
        response.set_cookie(
            twofactor.PENDING_COOKIE,
            pending,
            max_age=twofactor.PENDING_MINUTES * 60,
            httponly=True,
            samesite="lax",
            secure=rt.settings.secure_cookies,
            path="/account",
        )
        return response
    token = service.do_sign_in(rt, user, request.headers.get("user-agent", ""))
    return _signed_in_response(request, token, target, notice)


CHALLENGE = "/account/sign-in/two-factor"


def _challenge_expired() -> Response:
    response = redirect("/account/sign-in", _("Your sign-in timed out. Sign in again."))
    response.delete_cookie(twofactor.PENDING_COOKIE, path="/account")
    return response


async def sign_in_challenge(request: Request) -> Response:
    """The second step of signing in: a code from the app, or a recovery code."""
    rt = runtime(request)
    cookie = request.cookies.get(twofactor.PENDING_COOKIE)
    pending = twofactor.find_pending(rt, cookie)
    if pending is None:
        return _challenge_expired()
    form = FormInput()
    if request.method == "GET":
        return render(request, "twofactor/challenge.html", {"form": form})
    form = await read_form(request)
    ip_key = f"signin:ip:{_client_ip(request)}"
    account_key = f"twofactor:account:{pending.user_id}"
    if rt.limiter.exceeded(ip_key, rt.settings.signin_limit_per_ip) or rt.limiter.exceeded(
        account_key, rt.settings.signin_limit_per_account
    ):
        form.error(
            "code", _("Too many sign-in attempts. Try again %(when)s.", when=rt.limiter.wait())
        )
        return render(request, "twofactor/challenge.html", {"form": form}, status_code=429)
    rt.limiter.hit(ip_key)
    code = form.get("code").strip()
    if not code:
        form.error("code", _("Enter the code from your authenticator app, or a recovery code"))
        return render(request, "twofactor/challenge.html", {"form": form}, status_code=400)
    used = await run_in_threadpool(twofactor.do_verify, rt, pending.user_id, code)
    if used is None:
        rt.limiter.hit(account_key)
        form.error(
            "code",
            _(
                "The code is not correct, or has been used already. Enter the newest code "
                "from your app, or an unused recovery code"
            ),
        )
        return render(request, "twofactor/challenge.html", {"form": form}, status_code=400)
    rt.limiter.reset(account_key)
    user = twofactor.user_by_id(rt, pending.user_id)
    twofactor.do_end_pending(rt, cookie)
    if user is None or not user.is_active:
        return _challenge_expired()
    token = service.do_sign_in(rt, user, request.headers.get("user-agent", ""))
    notice = _("Signed in as %(name)s.", name=user.display_name)
    if used == "recovery":
        left = twofactor.recovery_left(rt, pending.user_id)
        notice += f" You used a recovery code: {left} left."
    response = _signed_in_response(request, token, safe_next(pending.next_url), notice)
    response.delete_cookie(twofactor.PENDING_COOKIE, path="/account")
    return response


async def sign_out(request: Request) -> Response:
    token = request.cookies.get(auth.SESSION_COOKIE)
    if token:
        service.do_sign_out(runtime(request), token)
    response = redirect("/", _("You have signed out."))
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


async def account(request: Request) -> Response:
    who = viewer(request)
    require(who, Action.SIGNED_IN)
    assert who.user_id is not None
    count = service.session_count(runtime(request), who.user_id)
    return render(request, "accounts/account.html", {"session_count": count})


async def sign_out_everywhere(request: Request) -> Response:
    who = viewer(request)
    require(who, Action.SIGNED_IN)
    assert who.user_id is not None
    service.do_sign_out_everywhere(runtime(request), who.user_id)
    response = redirect("/", _("You have been signed out on every device."))
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


async def reset_request(request: Request) -> Response:
    form = FormInput()
    if request.method == "GET":
        return render(request, "accounts/reset_request.html", {"form": form})
    rt = runtime(request)
    form = await read_form(request)
    email = form.email("email")
    if not form.ok:
        return render(request, "accounts/reset_request.html", {"form": form}, status_code=400)
    ip_key = f"reset:ip:{_client_ip(request)}"
    if rt.limiter.exceeded(ip_key, rt.settings.register_limit_per_ip):
        form.error(
            "email", _("Too many reset requests. Try again %(when)s.", when=rt.limiter.wait())
        )
        return render(request, "accounts/reset_request.html", {"form": form}, status_code=429)
    rt.limiter.hit(ip_key)
    await run_in_threadpool(service.do_request_reset, rt, email)
    return render(request, "accounts/reset_sent.html", {"email": email})


async def reset_password(request: Request) -> Response:
    rt = runtime(request)
    token = request.path_params["token"]
    if service.find_reset(rt, token) is None:
        return render(request, "accounts/reset_invalid.html", status_code=404)
    form = FormInput()
    if request.method == "POST":
        form = await read_form(request)
        password = service.check_new_password(form, "password")
        if form.ok and form.get("password_confirm") != password:
            form.error("password_confirm", _("Passwords do not match"))
        if form.ok:
            if await run_in_threadpool(service.do_reset_password, rt, token, password):
                return redirect("/account/sign-in", _("Your password has been changed. Sign in."))
            return render(request, "accounts/reset_invalid.html", status_code=404)
        return render(request, "accounts/reset_password.html", {"form": form}, status_code=400)
    return render(request, "accounts/reset_password.html", {"form": form})


async def confirm_email(request: Request) -> Response:
    """The link in the confirmation mail. GET shows a button and changes nothing (mail
    scanners fetch links, and must not spend a single-use one); POST confirms the
    address and signs the person in."""
    rt = runtime(request)
    token = request.path_params["token"]
    if request.method == "GET":
        if confirmation.find_link(rt, token) is None:
            return _confirm_invalid(request)
        return render(request, "accounts/confirm.html", {"form": FormInput()})
    await read_form(request)
    user = await run_in_threadpool(confirmation.do_confirm, rt, token)
    if user is None:
        return _confirm_invalid(request)
    notice = _(
        "Your email address is confirmed. You are signed in as %(name)s.",
        name=user.display_name,
    )
    return _begin_session(request, user, "/", notice)


def _invalid_context(request: Request, form: FormInput) -> dict[str, object]:
    return {"form": form, "confirm_days": runtime(request).settings.confirm_link_days}


def _confirm_invalid(request: Request) -> Response:
    form = FormInput()
    return render(
        request, "accounts/confirm_invalid.html", _invalid_context(request, form), status_code=404
    )


async def confirm_resend(request: Request) -> Response:
    """Ask for a new confirmation link. The same answer whether or not the address has
    an unconfirmed account (docs/security.md)."""
    rt = runtime(request)
    form = await read_form(request)
    email = form.email("email")
    if not form.ok:
        return render(
            request,
            "accounts/confirm_invalid.html",
            _invalid_context(request, form),
            status_code=400,
        )
    ip_key = f"confirm:ip:{_client_ip(request)}"
    if rt.limiter.exceeded(ip_key, rt.settings.register_limit_per_ip):
        form.error("email", _("Too many requests. Try again %(when)s.", when=rt.limiter.wait()))
        return render(
            request,
            "accounts/confirm_invalid.html",
            _invalid_context(request, form),
            status_code=429,
        )
    rt.limiter.hit(ip_key)
    await run_in_threadpool(confirmation.resend_for_address, rt, email)
    return render(request, "accounts/register_sent.html", {"email": email})


routes = [
    Route("/confirm", confirm_resend, methods=["POST"]),
    Route("/confirm/{token}", confirm_email, methods=["GET", "POST"]),
    Route("/register", register, methods=["GET", "POST"]),
    Route("/sign-in", sign_in, methods=["GET", "POST"]),
    Route("/sign-in/two-factor", sign_in_challenge, methods=["GET", "POST"]),
    Route("/sign-out", sign_out, methods=["POST"]),
    Route("/sign-out-everywhere", sign_out_everywhere, methods=["POST"]),
    Route("/password-reset", reset_request, methods=["GET", "POST"]),
    Route("/password-reset/{token}", reset_password, methods=["GET", "POST"]),
    Route("/", account),
]

signed_in_response = _signed_in_response  # for pages that create an account elsewhere (invitations)
