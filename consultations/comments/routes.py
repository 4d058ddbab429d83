"""Comment pages, mounted under /consultations: the thread (HTML) and its change feed
(JSON), posting, replying, one comment's page, editing, deleting, history and exports.
Moderation pages are in `moderation_routes` and served from here too.

Every page checks permission on the server; the links in a comment's stored fragment
are the same for everyone and lead here.
"""

from __future__ import annotations

from datetime import datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from consultations.comments import (
    audience,
    thread,
)
from consultations.comments import (
    export as comment_export,
)
from consultations.comments import (
    forms as comment_forms,
)
from consultations.comments import (
    service as comments,
)
from consultations.comments.models import CommentState
from consultations.comments.service import CommentRefused
from consultations.comments.views import (
    closed_message,
    comment_context,
    comment_for,
    load,
    load_comment,
)
from consultations.lifecycle import status as lifecycle
from consultations.lifecycle.models import Consultation
from consultations.lifecycle.status import WrongStatus
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.numbers import MAX_ID, parse_id, parse_int
from workspace.permissions import Action, Viewer, require, require_in
from workspace.runtime import Runtime
from workspace.templating import redirect, render

# A page number past the last shows the last page; past this one it is not a number.
MAX_PAGE = 100_000

# -- the thread and its feed ---------------------------------------------------------------


async def thread_page(request: Request) -> Response:
    """GET: the thread as a page (no JavaScript needed), or with `?after=<seq>` the change
    feed as JSON. POST: a new top-level comment."""
    rt, who, consultation, now = load(request)
    if request.method == "GET" and "after" in request.query_params:
        return _feed(request, rt, who, consultation)
    if request.method == "GET" and "comment" in request.query_params:
        return _to_page_of(request, rt, who, consultation)
    form = FormInput()
    status = 200
    if request.method == "POST":
        require_in(who, Action.COMMENT, lifecycle.place_of(consultation))
        form = await read_form(request)
        outcome = _post(rt, who, consultation, now, form, parent_id=None)
        if isinstance(outcome, Response):
            return outcome
        status = outcome
    page = parse_int(request.query_params.get("page"), low=1, high=MAX_PAGE) or 1
    with rt.db.read() as session:
        ctx = comments.thread_context(
            session,
            who,
            consultation,
            now,
            form,
            cache=rt.fragments,
            page=page,
            templates=rt.templates,
        )
    return render(
        request,
        "consultations/comments/comments.html",
        {"consultation": consultation, "form": form, **ctx},
        status_code=status,
    )


def _to_page_of(request: Request, rt: Runtime, who: Viewer, consultation: Consultation) -> Response:
    """`?comment=<id>`: to the page of the thread that holds that comment, at its anchor
    (a fragment never reaches the server, so links that need a page name the comment)."""
    comment_id = parse_id(request.query_params.get("comment"))
    if comment_id is None:
        raise HTTPException(404)
    with rt.db.read() as session:
        comment = comment_for(session, who, consultation, comment_id)
        moderator = comments.is_moderator(who, consultation)
        who_sees = audience.audience_of(session, rt.fragments, consultation, who.user_id, moderator)
        page = audience.page_of(session, consultation.id or 0, who_sees, comment.path)
    url = f"{lifecycle.url(consultation)}/comments?page={page}#comment-{comment.id}"
    return RedirectResponse(url, status_code=303)


def _feed(request: Request, rt: Runtime, who: Viewer, consultation: Consultation) -> Response:
    # A seq past the largest a column holds just means "nothing newer": bounded, not refused.
    after = parse_int(request.query_params.get("after", ""), high=10**12)
    if after is not None:
        after = min(after, MAX_ID)
    if after is None:
        return JSONResponse(
            {"title": "after must be a whole number, the last seq you have", "status": 400},
            status_code=400,
            media_type="application/problem+json",
        )
    with rt.db.read() as session:
        body = comments.changes_after(session, who, consultation, after, rt.templates)
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Vary": "Cookie"})


def _post(
    rt: Runtime,
    who: Viewer,
    consultation: Consultation,
    now: datetime,
    form: FormInput,
    parent_id: int | None,
) -> Response | int:
    """Validate and post; a redirect on success, else the status to re-render with
    (the problems are on `form`, the text kept)."""
    closed = closed_message(consultation, now)
    if closed:
        form.error("comment", closed)
        return 403
    draft = comment_forms.check_draft(form, consultation)
    if draft is None:
        return 400
    limited = comment_forms.check_rate(rt, who)
    if limited:
        form.error("comment", limited)
        return 429
    try:
        comment = comments.do_post(rt, who, consultation.id or 0, draft, parent_id)
    except WrongStatus as exc:
        form.error("comment", exc.message)
        return 403
    except CommentRefused as exc:
        form.error("comment", exc.message)
        return 409
    if comment.state == CommentState.PENDING:
        notice = _("Thank you. Your comment will appear once a moderator has approved it.")
    else:
        notice = _("Your comment has been posted.")
    return redirect(f"{lifecycle.url(consultation)}#comment-{comment.id}", notice)


# -- one comment ---------------------------------------------------------------------------


async def comment_page(request: Request) -> Response:
    rt, who, consultation, now = load(request)
    with rt.db.read() as session:
        comment = comment_for(session, who, consultation, request.path_params["comment_id"])
        ctx = comment_context(session, who, consultation, comment, now)
    shown = thread.for_reader(rt.templates, consultation, comment)
    return render(
        request,
        "consultations/comments/comment.html",
        ctx | {"form": FormInput(), "comment_html": shown},
    )


async def reply_page(request: Request) -> Response:
    rt, who, consultation, now = load(request)
    require_in(who, Action.COMMENT, lifecycle.place_of(consultation))
    with rt.db.read() as session:
        comment = comment_for(session, who, consultation, request.path_params["comment_id"])
    closed = closed_message(consultation, now)
    if closed and request.method == "GET":
        raise HTTPException(403, closed)
    form, status = FormInput(), 200
    if comment.state != CommentState.PUBLISHED:
        form.error("comment", comments.cannot_reply(comment))
        status = 409
    elif request.method == "POST":
        form = await read_form(request)
        outcome = _post(rt, who, consultation, now, form, parent_id=comment.id)
        if isinstance(outcome, Response):
            return outcome
        status = outcome
    return render(
        request,
        "consultations/comments/comment_reply.html",
        {
            "consultation": consultation,
            "comment": comment,
            "comment_html": thread.for_reader(rt.templates, consultation, comment),
            "form": form,
            "anchors": thread.anchors_of(consultation),
            "base": comments.permalink(consultation, comment),
            "can_post": comment.state == CommentState.PUBLISHED and not closed,
        },
        status_code=status,
    )


async def edit_page(request: Request) -> Response:
    rt, who, consultation, now = load(request)
    require(who, Action.SIGNED_IN)
    with rt.db.read() as session:
        comment = comment_for(session, who, consultation, request.path_params["comment_id"])
    if comment.author_id != who.user_id:
        raise HTTPException(403, _("Only the person who wrote a comment can change it."))
    closed = closed_message(consultation, now)
    if closed and request.method == "GET":
        raise HTTPException(403, closed)
    form = FormInput(values={"comment": comment.body, "comment_anchor": comment.anchor})
    status = 200
    if comment.state not in (CommentState.PUBLISHED, CommentState.PENDING):
        raise HTTPException(409, comments.cannot_change(comment))
    if request.method == "POST":
        form = await read_form(request)
        draft = comment_forms.check_draft(form, consultation)
        status = 400
        if draft is not None:
            try:
                comments.do_edit(rt, who, consultation.id or 0, comment.id or 0, draft)
                return redirect(
                    comments.permalink(consultation, comment),
                    _("Your comment has been changed. Its earlier text is kept in its history."),
                )
            except WrongStatus as exc:
                form.error("comment", exc.message)
                status = 403
            except CommentRefused as exc:
                form.error("comment", exc.message)
                status = 409
    return render(
        request,
        "consultations/comments/comment_edit.html",
        {
            "consultation": consultation,
            "comment": comment,
            "form": form,
            "anchors": thread.anchors_of(consultation),
            "base": comments.permalink(consultation, comment),
        },
        status_code=status,
    )


async def delete_comment(request: Request) -> Response:
    rt, who, consultation, comment = load_comment(request)
    try:
        comments.do_delete(rt, who, consultation.id or 0, comment.id or 0)
    except WrongStatus as exc:
        raise HTTPException(403, exc.message) from None
    except CommentRefused as exc:
        raise HTTPException(409, exc.message) from None
    return redirect(
        comments.permalink(consultation, comment),
        _("Your comment has been deleted. Replies to it stay in the thread."),
    )


async def history_page(request: Request) -> Response:
    rt, who, consultation, comment = load_comment(request)
    removed = comment.state in (CommentState.HIDDEN, CommentState.DELETED)
    if removed and not comments.is_moderator(who, consultation):
        raise HTTPException(
            403, _("This comment has been removed, so its earlier versions are not shown.")
        )
    with rt.db.read() as session:
        edits = comments.history_of(session, comment.id or 0)
    return render(
        request,
        "consultations/comments/comment_history.html",
        {
            "consultation": consultation,
            "comment": comment,
            "comment_html": thread.for_reader(rt.templates, consultation, comment),
            "edits": edits,
            "base": comments.permalink(consultation, comment),
        },
    )


async def export(request: Request) -> Response:
    rt, who, consultation, _now = load(request)
    fmt = request.path_params["fmt"]
    if fmt not in ("csv", "json"):
        raise HTTPException(404)
    full = request.query_params.get("view") == "full"
    if full:
        require(who, Action.MODERATE, consultation.group_id)
    return comment_export.response(rt.db, consultation, fmt, full)


C = "/{slug}/comments/{comment_id:id}"

routes = [
    Route("/{slug}/comments", thread_page, methods=["GET", "POST"]),
    Route(C, comment_page),
    Route(C + "/reply", reply_page, methods=["GET", "POST"]),
    Route(C + "/edit", edit_page, methods=["GET", "POST"]),
    Route(C + "/delete", delete_comment, methods=["POST"]),
    Route(C + "/history", history_page),
    Route("/{slug}/export/comments.{fmt}", export),
]
