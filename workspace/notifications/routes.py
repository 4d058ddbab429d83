"""The notification centre, the following page, follow buttons' posts, preferences and
one-click unsubscribe."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from workspace.forms import FormInput, read_form, safe_next
from workspace.i18n import gettext as _
from workspace.notifications import service
from workspace.notifications.emails import ALL_EMAIL, valid_unsubscribe
from workspace.notifications.forms import field_name, read_preferences
from workspace.notifications.service import WEEKDAYS
from workspace.numbers import parse_id, parse_int
from workspace.permissions import Action, Viewer, require
from workspace.templating import redirect, render

if TYPE_CHECKING:
    from workspace.runtime import Runtime


def runtime(request: Request) -> Runtime:
    """The app's runtime (not `workspace.runtime.runtime`: the runtime module builds
    this package's service, so importing it back would be a cycle)."""
    rt: Runtime = request.app.state.runtime
    return rt


def viewer(request: Request) -> Viewer:
    found: Viewer = request.state.viewer
    return found


def _id(request: Request, name: str) -> int:
    found = parse_id(request.path_params[name])
    if found is None:
        raise HTTPException(404)
    return found


async def centre(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.SIGNED_IN)
    page = parse_int(request.query_params.get("page", "1"), low=1, high=10_000) or 1
    with rt.db.read() as session:
        box = service.inbox(session, who, page)
    return render(request, "notifications/centre.html", {"inbox": box})


async def unread(request: Request) -> Response:
    """The count alone, for the header script after it reconnects."""
    rt, who = runtime(request), viewer(request)
    require(who, Action.SIGNED_IN)
    count = await run_in_threadpool(rt.notifications.unread, who)
    return JSONResponse({"unread": count}, headers={"Cache-Control": "no-store"})


async def open_one(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    target = await run_in_threadpool(service.do_open, rt, who, _id(request, "notification_id"))
    return redirect(target)


async def read_all(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    marked = await run_in_threadpool(service.do_read_all, rt, who)
    notice = f"{marked} notification(s) marked as read." if marked else ""
    return redirect("/notifications", notice)


async def following(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.SIGNED_IN)
    with rt.db.read() as session:
        rows = rt.notifications.following.rows(session, who)
    return render(request, "notifications/following.html", {"rows": rows})


async def set_following(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.SIGNED_IN)
    form = await read_form(request)
    kind = form.get("kind")
    target_id = parse_int(form.get("target_id"), low=0)
    follow = form.get("action") == "follow"
    if kind not in rt.notifications.following.targets or target_id is None:
        raise HTTPException(400, _("Say what to follow."))
    with rt.db.write() as unit:
        thing = rt.notifications.following.set(unit, who, kind, target_id, follow)
    notice = (
        _("You are following %(title)s. You will be told when it changes.", title=thing.title)
        if follow
        else _("You are no longer following %(title)s.", title=thing.title)
    )
    return redirect(safe_next(form.get("next", "/following")), notice)


async def preferences(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.SIGNED_IN)
    if request.method == "GET":
        with rt.db.read() as session:
            prefs = service.preferences(rt, session, who)
        return _preferences_page(request, prefs, _values(prefs))
    form = await read_form(request)
    choices, when = read_preferences(form, rt.notifications.kinds.values())
    if not form.ok:
        with rt.db.read() as session:
            prefs = service.preferences(rt, session, who)
        return _preferences_page(request, prefs, form, status=400)
    await run_in_threadpool(service.do_save_preferences, rt, who, choices, when)
    return redirect("/notifications/preferences", _("Your notification choices are saved."))


def _values(prefs: service.Preferences) -> FormInput:
    values = {field_name(c.kind): c.chosen for c in prefs.choices}
    values |= {
        "timezone": prefs.timezone,
        "digest_hour": str(prefs.digest_hour),
        "digest_weekday": str(prefs.digest_weekday),
        "emails_off": "yes" if prefs.emails_off else "",
    }
    return FormInput(values=values)


def _preferences_page(
    request: Request, prefs: service.Preferences, form: FormInput, status: int = 200
) -> Response:
    context = {"prefs": prefs, "form": form, "weekdays": WEEKDAYS, "field_name": field_name}
    return render(request, "notifications/preferences.html", context, status_code=status)


async def unsubscribe(request: Request) -> Response:
    """GET asks (link scanners fetch links; they must not unsubscribe anyone); POST does
    it, from the page's button or from the mail program's one-click request (RFC 8058),
    which carries no cookie and no CSRF token: the signed link is the authority."""
    rt = runtime(request)
    user_id = _id(request, "user_id")
    scope = request.path_params["scope"]
    signature = request.path_params["signature"]
    if not valid_unsubscribe(rt.settings.secret_key, user_id, scope, signature):
        raise HTTPException(404, _("This unsubscribe link is not valid."))
    kind = rt.notifications.kinds.get(scope)
    what = "every email from Shared Space" if scope == ALL_EMAIL or kind is None else kind.label
    if request.method == "GET":
        return render(request, "notifications/unsubscribe.html", {"what": what, "done": ""})
    stopped = await run_in_threadpool(service.do_unsubscribe, rt, user_id, scope)
    return render(request, "notifications/unsubscribe.html", {"what": what, "done": stopped})


routes = [
    Route("/notifications", centre),
    Route("/notifications/unread", unread),
    Route("/notifications/read-all", read_all, methods=["POST"]),
    Route("/notifications/preferences", preferences, methods=["GET", "POST"]),
    Route("/notifications/{notification_id}/open", open_one, methods=["POST"]),
    Route(
        "/notifications/unsubscribe/{user_id}/{scope}/{signature}",
        unsubscribe,
        methods=["GET", "POST"],
    ),
    Route("/following", following),
    Route("/following/set", set_following, methods=["POST"]),
]
