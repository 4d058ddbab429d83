"""Moderation pages: flag a comment (any signed-in reader), the queue and the decisions
(the group's chairs and the secretariat only; others get 403, visitors are sent to sign
in)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from consultations.comments import service as comments
from consultations.comments import thread
from consultations.comments.models import Comment
from consultations.comments.service import CommentRefused
from consultations.comments.views import comment_context, comment_for, load, load_comment
from consultations.lifecycle.models import Consultation
from consultations.moderation import service as moderation
from workspace.forms import FormInput, read_form
from workspace.i18n import LazyString, lazy_gettext
from workspace.i18n import gettext as _
from workspace.permissions import Action, Viewer, require
from workspace.runtime import Runtime
from workspace.templating import redirect, render


async def flag_page(request: Request) -> Response:
    rt, who, consultation, comment = load_comment(request)
    require(who, Action.SIGNED_IN)
    form, status = FormInput(), 200
    if request.method == "POST":
        form = await read_form(request)
        reason = moderation.check_reason(form, _("why this comment needs a moderator"))
        status = 400
        if reason is not None:
            try:
                moderation.do_flag(rt, who, consultation.id or 0, comment.id or 0, reason)
                return redirect(
                    comments.permalink(consultation, comment),
                    _("Thank you. A moderator will look at this comment."),
                )
            except CommentRefused as exc:
                form.error("reason", exc.message)
                status = 409
    return render(
        request,
        "consultations/moderation/comment_flag.html",
        {
            "consultation": consultation,
            "comment": comment,
            "comment_html": thread.for_reader(rt.templates, consultation, comment),
            "form": form,
            "base": comments.permalink(consultation, comment),
        },
        status_code=status,
    )


async def queue_page(request: Request) -> Response:
    rt, who, consultation, _now = load(request)
    require(who, Action.MODERATE, consultation.group_id)
    with rt.db.read() as session:
        queue = moderation.queue(session, consultation.id or 0)
    return render(
        request,
        "consultations/moderation/moderation.html",
        {"consultation": consultation, "queue": queue, "form": FormInput()},
    )


Decision = Callable[[Runtime, Viewer, int, int], Comment]


def _decision(do: Decision, done: LazyString) -> Callable[[Request], object]:
    async def endpoint(request: Request) -> Response:
        rt, who, consultation, comment = _moderated(request)
        form = await read_form(request)
        try:
            do(rt, who, consultation.id or 0, comment.id or 0)
        except CommentRefused as exc:
            raise HTTPException(409, exc.message) from None
        return redirect(_back(form, consultation, comment), str(done))

    return endpoint


async def hide(request: Request) -> Response:
    rt, who, consultation, comment = _moderated(request)
    form = await read_form(request)
    reason = moderation.check_reason(form, _("the reason for removing this comment"))
    if reason is None:
        now = rt.clock()
        with rt.db.read() as session:
            ctx = comment_context(session, who, consultation, comment, now)
        return render(
            request,
            "consultations/comments/comment.html",
            ctx
            | {
                "form": form,
                "comment_html": thread.for_reader(rt.templates, consultation, comment),
            },
            status_code=400,
        )
    try:
        moderation.do_hide(rt, who, consultation.id or 0, comment.id or 0, reason)
    except CommentRefused as exc:
        raise HTTPException(409, exc.message) from None
    return redirect(
        _back(form, consultation, comment),
        _("The comment has been removed. The reason is shown in its place."),
    )


def _moderated(request: Request) -> tuple[Runtime, Viewer, Consultation, Comment]:
    rt, who, consultation, _now = load(request)
    require(who, Action.MODERATE, consultation.group_id)
    with rt.db.read() as session:
        comment = comment_for(session, who, consultation, request.path_params["comment_id"])
    return rt, who, consultation, comment


def _back(form: FormInput, consultation: Consultation, comment: Comment) -> str:
    """Back to the queue when the decision was taken there, else to the comment."""
    if form.get("next") == "queue":
        return f"/consultations/{consultation.slug}/moderation"
    return comments.permalink(consultation, comment)


C = "/{slug}/comments/{comment_id:id}"

routes = [
    Route(C + "/flag", flag_page, methods=["GET", "POST"]),
    Route(C + "/hide", hide, methods=["POST"]),
    Route(
        C + "/restore",
        _decision(moderation.do_restore, lazy_gettext("The comment has been restored.")),
        methods=["POST"],
    ),
    Route(
        C + "/approve",
        _decision(
            moderation.do_approve, lazy_gettext("The comment has been approved and is now public.")
        ),
        methods=["POST"],
    ),
    Route(
        C + "/dismiss-flags",
        _decision(
            moderation.do_dismiss_flags,
            lazy_gettext("The flags have been dismissed. The comment stays."),
        ),
        methods=["POST"],
    ),
    Route("/{slug}/moderation", queue_page),
]
