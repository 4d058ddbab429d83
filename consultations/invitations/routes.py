"""The chair's invitations page (audience, publication, invite, revoke, re-send, remind),
the invitation link (accept, or register straight into it) and delegation."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.invitations import service
from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.models import Consultation
from taskgroups.groups.models import TaskGroup
from workspace.accounts import confirmation
from workspace.accounts import service as accounts
from workspace.accounts.routes import signed_in_response
from workspace.forms import FormInput, normalise_email, read_form
from workspace.i18n import gettext as _
from workspace.permissions import Action, Viewer, require
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render

MANAGE = "consultations/invitations/manage.html"
ACCEPT = "consultations/invitations/accept.html"


def _managed(session: Session, who: Viewer, slug: str, now: Any) -> Consultation:
    consultation = lifecycle.get_readable(session, who, slug, now)
    require(who, Action.MANAGE_PROCESS, consultation.group_id)
    return consultation


def _manage_context(
    session: Session, consultation: Consultation, form: FormInput
) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "group": session.get(TaskGroup, consultation.group_id),
        "invitees": service.roster(session, consultation),
        "organisations": service.organisations(session),
        "kinds": service.KINDS,
        "reach": service.REACH,
        "audiences": service.AUDIENCES,
        "publications": service.PUBLICATIONS,
        "invited": lifecycle.is_invited(consultation),
        "form": form,
        "max_reminders": service.MAX_REMINDERS,
    }


async def manage(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        consultation = _managed(session, who, request.path_params["slug"], rt.clock())
        context = _manage_context(session, consultation, FormInput())
    return render(request, MANAGE, context)


async def invite(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    form = await read_form(request)
    with rt.db.read() as session:
        consultation = _managed(session, who, request.path_params["slug"], rt.clock())
        draft = service.check_invite(form, session)
        if not form.ok:
            context = _manage_context(session, consultation, form)
            return render(request, MANAGE, context, status_code=400)
    await run_in_threadpool(service.do_invite, rt, who, consultation.id or 0, draft)
    return redirect(_url(consultation), _("The invitation has been sent."))


async def set_audience(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    form = await read_form(request)
    with rt.db.read() as session:
        consultation = _managed(session, who, request.path_params["slug"], rt.clock())
        audience = form.choice("audience", _("who the consultation is for"), set(service.AUDIENCES))
        publication = form.choice(
            "publication", _("what becomes public after closing"), set(service.PUBLICATIONS)
        )
        if not form.ok:
            context = _manage_context(session, consultation, form)
            return render(request, MANAGE, context, status_code=400)
    service.do_set_audience(rt, who, consultation.id or 0, audience, publication)
    return redirect(_url(consultation), _("The audience has been saved."))


async def revoke(request: Request) -> Response:
    return await _act(request, service.do_revoke, _("The invitation has been revoked."))


async def resend(request: Request) -> Response:
    return await _act(request, service.do_resend, _("A new invitation link has been sent."))


async def _act(request: Request, action: Any, notice: str) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        consultation = _managed(session, who, request.path_params["slug"], rt.clock())
    await run_in_threadpool(
        action, rt, who, consultation.id or 0, request.path_params["invitation_id"]
    )
    return redirect(_url(consultation), notice)


async def remind(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        consultation = _managed(session, who, request.path_params["slug"], rt.clock())
    sent = await run_in_threadpool(service.do_remind, rt, who, consultation.id or 0)
    notice = (
        _("Reminders sent: %(sent)d.", sent=sent)
        if sent
        else _(
            "Nobody was due a reminder (each person gets at most %(most)d, a day apart, and"
            " only until they respond).",
            most=service.MAX_REMINDERS,
        )
    )
    return redirect(_url(consultation), notice)


async def delegate(request: Request) -> Response:
    """An invitee for an organisation passes the invitation to a colleague there."""
    rt, who = runtime(request), viewer(request)
    require(who, Action.SIGNED_IN)
    with rt.db.read() as session:
        consultation = lifecycle.get_readable(session, who, request.path_params["slug"], rt.clock())
        own = service.mine(session, who, consultation)
    template = "consultations/invitations/delegate.html"
    if request.method == "GET":
        context = {"consultation": consultation, "form": FormInput(), "own": own}
        return render(request, template, context)
    form = await read_form(request)
    email = service.check_delegate(form)
    if own is None:
        form.error(
            "email", _("Only someone invited for an organisation can pass the invitation on")
        )
    if not form.ok:
        context = {"consultation": consultation, "form": form, "own": own}
        return render(request, template, context, status_code=400)
    await run_in_threadpool(service.do_delegate, rt, who, consultation.id or 0, email)
    return redirect(
        lifecycle.url(consultation), _("The invitation has been passed to %(email)s.", email=email)
    )


# -- the link in the email --------------------------------------------------------------------


async def accept(request: Request) -> Response:
    """GET shows the invitation (and, to someone signed out, a form to create an account
    straight into it); POST uses the link: for the signed-in viewer, or for the account
    the form creates."""
    rt, who = runtime(request), viewer(request)
    token = request.path_params["token"]
    with rt.db.read() as session:
        invitation = service.find_live(session, token, rt.clock())
        consultation = session.get(Consultation, invitation.consultation_id) if invitation else None
    if invitation is None or consultation is None:
        return render(request, "consultations/invitations/expired.html", {}, status_code=404)
    if request.method == "GET":
        form = FormInput({"email": invitation.email})
    else:
        form = await read_form(request)
    context = {"consultation": consultation, "form": form, "token": token}
    if request.method == "GET":
        return render(request, ACCEPT, context)
    if who.signed_in:
        return await _accepted(request, token, who.user_id or 0, None)
    ip_key = f"register:ip:{request.client.host if request.client else 'unknown'}"
    if rt.limiter.exceeded(ip_key, rt.settings.register_limit_per_ip):
        form.error("email", _("Too many accounts have been made from this network recently."))
        return render(request, ACCEPT, context, status_code=429)
    reg = accounts.check_registration(form)
    if form.ok and accounts.email_taken(rt, reg.email):
        form.error(
            "email",
            _(
                "An account with this email address already exists. Sign in, then use the link"
                " again."
            ),
        )
    if not form.ok:
        return render(request, ACCEPT, context, status_code=400)
    rt.limiter.hit(ip_key)
    # The link was mailed to the invitation's address: registering with that address
    # proves it. Another address is proven only by its own confirmation link, and until
    # then the account may not sign in, so the invitation waits for it.
    proven = reg.email == normalise_email(invitation.email)
    user = await run_in_threadpool(accounts.do_register, rt, reg, confirmed=proven)
    if user is None:
        form.error("email", _("An account with this email address already exists."))
        return render(request, ACCEPT, context, status_code=400)
    if not proven:
        await run_in_threadpool(confirmation.send_link, rt, user)
        return render(request, "accounts/register_sent.html", {"email": user.email})
    session_token = accounts.do_sign_in(rt, user, request.headers.get("user-agent", ""))
    return await _accepted(request, token, user.id or 0, session_token)


async def _accepted(
    request: Request, token: str, user_id: int, session_token: str | None
) -> Response:
    rt = runtime(request)
    consultation = await run_in_threadpool(service.do_accept, rt, token, user_id)
    if consultation is None:
        return render(request, "consultations/invitations/expired.html", {}, status_code=404)
    target, notice = lifecycle.url(consultation), _("You have joined this consultation.")
    if session_token is not None:
        return signed_in_response(request, session_token, target, notice)
    return redirect(target, notice)


def _url(consultation: Consultation) -> str:
    return f"{lifecycle.url(consultation)}/invitations"


routes = [
    Route("/{slug}/invitations", manage),
    Route("/{slug}/invitations/new", invite, methods=["POST"]),
    Route("/{slug}/invitations/audience", set_audience, methods=["POST"]),
    Route("/{slug}/invitations/remind", remind, methods=["POST"]),
    Route("/{slug}/invitations/{invitation_id:id}/revoke", revoke, methods=["POST"]),
    Route("/{slug}/invitations/{invitation_id:id}/resend", resend, methods=["POST"]),
    Route("/{slug}/delegate", delegate, methods=["GET", "POST"]),
]
link_routes = [Route("/invitations/{token}", accept, methods=["GET", "POST"])]
