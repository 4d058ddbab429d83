"""Seat invitations by email (taskgroups/groups/seat_invites.py): the secretariat invites
and withdraws from the seating page; the link's page lets the person register, or sign
in, and take the seat.

Paths are relative to the /groups mount:
  /{slug}/seat-invitations                     invite (POST)
  /{slug}/seat-invitations/{id}/withdraw       withdraw (POST)
  /{slug}/join/{token}                         the link (GET, POST)
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from taskgroups.groups import seat_invites
from taskgroups.groups.models import TaskGroup
from taskgroups.groups.routes import _group_or_404, _people_context
from workspace.accounts import service as accounts
from workspace.accounts.routes import signed_in_response
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.models import User
from workspace.permissions import Action, require
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render

JOIN = "taskgroups/groups/join.html"


async def invite(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.INVITE_TO_SEAT)
    group = _group_or_404(request)
    form = await read_form(request)
    with rt.db.read() as session:
        draft = seat_invites.check_seat_invite(session, group.id or 0, form)
    if not form.ok:
        ctx = _people_context(request, group, FormInput(values={"role": "member"}), FormInput())
        ctx["invite_form"] = form
        return render(request, "taskgroups/groups/people.html", ctx, status_code=400)
    seat_invites.do_invite(rt, who, group, draft)
    return redirect(
        f"/groups/{group.slug}/people#pending-heading",
        _("An invitation has been sent to %(email)s.", email=draft.email),
    )


async def withdraw(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.INVITE_TO_SEAT)
    group = _group_or_404(request)
    seat_invites.do_withdraw(rt, who, group, request.path_params["invitation_id"])
    return redirect(f"/groups/{group.slug}/people", _("The invitation has been withdrawn."))


async def join(request: Request) -> Response:
    """The link: GET explains the seat; POST takes it, signed in or registering now."""
    rt, who = runtime(request), viewer(request)
    group, token = _group_or_404(request), request.path_params["token"]
    with rt.db.read() as session:
        invitation = seat_invites.find_live(session, token, rt.clock())
        if invitation is None or invitation.group_id != group.id:
            return render(request, JOIN, {"group": group, "expired": True}, status_code=404)
        seat = seat_invites.seat_label(session, invitation)
    has_account = accounts.email_taken(rt, invitation.email)
    form = FormInput({"display_name": invitation.name})
    if request.method == "POST":
        form = await read_form(request)
    context = {
        "group": group,
        "seat": seat,
        "invitation": invitation,
        "token": token,
        "form": form,
        "has_account": has_account,
        "expired": False,
    }
    if request.method == "GET":
        return render(request, JOIN, context)
    if who.signed_in:
        with rt.db.read() as session:
            user = session.get(User, who.user_id)
        assert user is not None
        return await _take_seat(request, group, token, user, None, context)
    if has_account:  # the form is not offered; sign in first (the page says so)
        return render(request, JOIN, context, status_code=400)
    form.values["email"] = invitation.email  # the address the link was sent to, only
    reg = accounts.check_registration(form)
    if not form.ok:
        return render(request, JOIN, context, status_code=400)
    # The form takes only the address the link was sent to, so the link proved it.
    user = await run_in_threadpool(accounts.do_register, rt, reg, confirmed=True)
    if user is None:  # registered between reading and writing
        form.error("display_name", _("An account with this email address already exists."))
        return render(request, JOIN, context, status_code=400)
    session_token = accounts.do_sign_in(rt, user, request.headers.get("user-agent", ""))
    return await _take_seat(request, group, token, user, session_token, context)


async def _take_seat(
    request: Request,
    group: TaskGroup,
    token: str,
    user: User,
    session_token: str | None,
    context: dict[str, object],
) -> Response:
    rt = runtime(request)
    try:
        seated = await run_in_threadpool(seat_invites.do_accept, rt, token, user)
    except seat_invites.CannotSeat as refusal:
        return render(request, JOIN, context | {"refusal": str(refusal)}, status_code=409)
    if seated is None:
        return render(request, JOIN, {"group": group, "expired": True}, status_code=404)
    target = f"/groups/{group.slug}"
    notice = _("You now have a seat in %(group)s.", group=group.name)
    if session_token is not None:
        return signed_in_response(request, session_token, target, notice)
    return redirect(target, notice)


routes = [
    Route("/{slug}/seat-invitations", invite, methods=["POST"]),
    Route("/{slug}/seat-invitations/{invitation_id:id}/withdraw", withdraw, methods=["POST"]),
    Route("/{slug}/join/{token}", join, methods=["GET", "POST"]),
]
