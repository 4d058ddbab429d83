"""Evidence library pages: the list, one document, adding (with its file streamed in),
editing, withdrawing, linking, and serving the file itself."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from taskgroups.evidence import service as evidence_service
from taskgroups.evidence.forms import KINDS, VISIBILITIES, check_evidence, form_values
from taskgroups.evidence.models import Evidence
from taskgroups.groups import service as groups
from taskgroups.groups.models import TaskGroup
from workspace.failures import Invalid, NotFound
from workspace.files import service as files
from workspace.files.models import StoredFile
from workspace.files.store import Accepted
from workspace.files.types import TYPES, FileRefused
from workspace.files.upload import read_upload
from workspace.formats import number
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.numbers import parse_id
from workspace.permissions import Action, Viewer, can, require
from workspace.runtime import Runtime, runtime, viewer
from workspace.templating import redirect, render

BASE = "/groups/{slug}/evidence"
UPLOAD_PATH = r"/groups/[^/]+/evidence/new"


def _group(session: Session, request: Request) -> TaskGroup:
    group = groups.group_by_slug(session, request.path_params["slug"])
    if group is None:
        raise NotFound(_("There is no such task group."))
    return group


def _item(session: Session, request: Request, who: Viewer) -> tuple[TaskGroup, Evidence]:
    group = _group(session, request)
    evidence_id = parse_id(request.path_params["evidence_id"])
    if evidence_id is None:
        raise NotFound(_("There is no such document in this library."))
    return group, evidence_service.get(session, who, group, evidence_id)


async def library_page(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    kind = request.query_params.get("kind", "")
    kind = kind if kind in KINDS else ""
    with rt.db.read() as session:
        group = _group(session, request)
        items = evidence_service.library(session, who, group.id or 0, kind)
    return render(
        request,
        "taskgroups/evidence/library.html",
        {
            "group": group,
            "items": items,
            "kinds": KINDS,
            "kind": kind,
            "types": TYPES,
            "private": can(who, Action.READ_GROUP_PRIVATE, group.id),
            "may_add": can(who, Action.CONTRIBUTE_EVIDENCE, group.id),
        },
    )


async def item_page(request: Request, status: int = 200, problem: str = "") -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group, evidence = _item(session, request, who)
        stored = session.get(StoredFile, evidence.file_id) if evidence.file_id else None
        people = evidence_service.names(session, evidence.created_by, evidence.withdrawn_by)
        links = evidence_service.links_of(session, evidence.id or 0)
        targets = evidence_service.targets(rt, session, who, group)
    by_value = {t.value: t for t in targets}
    shown = [
        (link, by_value[f"{link.target_kind}:{link.target_id}:{link.target_key}"])
        for link in links
        if f"{link.target_kind}:{link.target_id}:{link.target_key}" in by_value
    ]
    linkable = [t for t in targets if t.may_link and t.value not in {s.value for _l, s in shown}]
    return render(
        request,
        "taskgroups/evidence/evidence.html",
        {
            "group": group,
            "evidence": evidence,
            "stored": stored,
            "file_type": TYPES.get(stored.type_name) if stored else None,
            "people": people,
            "links": shown,
            "linkable": linkable,
            "kinds": KINDS,
            "problem": problem,
            "private": can(who, Action.READ_GROUP_PRIVATE, group.id),
            "may_change": _may_change(who, evidence),
        },
        status_code=status,
    )


def _may_change(who: Viewer, evidence: Evidence) -> bool:
    try:
        evidence_service.check_may_change(who, evidence)
    except Exception:
        return False
    return True


async def add(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group = _group(session, request)
    require(who, Action.CONTRIBUTE_EVIDENCE, group.id)
    if request.method == "GET":
        return _form_page(request, rt, group, None, FormInput(values={"kind": "research"}))
    upload = await read_upload(request, files.store_for(rt.settings), limit=_limit(rt))
    form = upload.form
    accepted = files.kept(rt.settings, form.get("kept_file")) if form.get("kept_file") else None
    if upload.too_large:
        form.error(
            "file",
            _("The file must be %(size)s MB or smaller", size=number(round(_limit(rt) / 1048576))),
        )
    elif upload.file is not None:
        try:
            accepted = await run_in_threadpool(
                files.store_for(rt.settings).accept,
                upload.file.path,
                upload.file.filename,
                files.allowed(rt.settings),
                upload.file.sha256,
            )
        except FileRefused as refusal:
            form.error("file", refusal.message)
    draft = check_evidence(form, has_file=accepted is not None)
    if not form.ok:
        status = 413 if upload.too_large else 400
        return _form_page(request, rt, group, None, form, accepted, status)
    evidence = evidence_service.do_add(rt, who, group, draft, accepted)
    return redirect(
        evidence_service.evidence_url(group, evidence), f"{evidence.title} is in the library."
    )


def _limit(rt: Runtime) -> int:
    return rt.settings.max_upload_bytes


def _form_page(
    request: Request,
    rt: Runtime,
    group: TaskGroup,
    evidence: Evidence | None,
    form: FormInput,
    accepted: Accepted | None = None,
    status: int = 200,
) -> Response:
    allowed = files.allowed(rt.settings)
    accept = ",".join(ext for t in allowed.values() for ext in t.extensions)
    return render(
        request,
        "taskgroups/evidence/evidence_form.html",
        {
            "group": group,
            "evidence": evidence,
            "form": form,
            "kinds": KINDS,
            "visibilities": VISIBILITIES,
            "accepted": accepted,
            "kept_token": files.keep_token(rt.settings, accepted) if accepted else "",
            "accept": accept,
            "allowed": allowed,
            "limit_mb": f"{_limit(rt) / 1048576:,.0f}",
            "limit_bytes": _limit(rt),
        },
        status_code=status,
    )


async def edit(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group, evidence = _item(session, request, who)
    evidence_service.check_may_change(who, evidence)
    if request.method == "GET":
        return _form_page(request, rt, group, evidence, FormInput(values=form_values(evidence)))
    form = await read_form(request)
    draft = check_evidence(form, has_file=False, had_file=evidence.file_id is not None)
    if not form.ok:
        return _form_page(request, rt, group, evidence, form, status=400)
    evidence_service.do_update(rt, who, group, evidence.id or 0, draft)
    return redirect(evidence_service.evidence_url(group, evidence), "The document is updated.")


async def download(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        _group_found, evidence = _item(session, request, who)
        stored = session.get(StoredFile, evidence.file_id) if evidence.file_id else None
    if evidence.withdrawn:
        return await item_page(request, status=410)
    if stored is None:
        raise NotFound(_("This document has no file: it is a link to a document held elsewhere."))
    kind = TYPES.get(stored.type_name)
    response = files.file_response(
        rt.settings, stored, evidence.file_name, inline=bool(kind and kind.image)
    )
    # A group-only file must not sit in a shared cache; a public one may be kept briefly.
    response.headers["Cache-Control"] = (
        "public, max-age=300" if evidence.is_public else "private, no-store"
    )
    return response


async def withdraw(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group, evidence = _item(session, request, who)
    evidence_service.check_may_change(who, evidence)
    form = FormInput()
    if request.method == "POST":
        form = await read_form(request)
        reason = form.required("reason", _("why it is withdrawn"), max_length=500, multiline=True)
        if form.ok:
            evidence_service.do_withdraw(rt, who, group, evidence.id or 0, reason)
            return redirect(
                evidence_service.evidence_url(group, evidence),
                f"{evidence.title} is withdrawn. Its record stays in the library.",
            )
    return render(
        request,
        "taskgroups/evidence/withdraw.html",
        {"group": group, "evidence": evidence, "form": form},
        status_code=400 if form.errors else 200,
    )


async def link(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group, evidence = _item(session, request, who)
    require(who, Action.CONTRIBUTE_EVIDENCE, group.id)
    form = await read_form(request)
    try:
        target = evidence_service.do_link(rt, who, group, evidence.id or 0, form.get("target"))
    except Invalid as problem:
        return await item_page(request, status=400, problem=problem.message)
    return redirect(
        evidence_service.evidence_url(group, evidence),
        _("%(title)s is linked to %(target)s.", title=evidence.title, target=target.label),
    )


async def unlink(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    with rt.db.read() as session:
        group, evidence = _item(session, request, who)
    require(who, Action.CONTRIBUTE_EVIDENCE, group.id)
    link_id = parse_id(request.path_params["link_id"])
    if link_id is None:
        raise NotFound(_("That link does not exist."))
    try:
        evidence_service.do_unlink(rt, who, group, evidence.id or 0, link_id)
    except Invalid as problem:
        return await item_page(request, status=400, problem=problem.message)
    return redirect(evidence_service.evidence_url(group, evidence), "The link is removed.")


def context_for_section(session: Session, who: Viewer, group: TaskGroup) -> dict[str, Any]:
    return {"group": group, "count": evidence_service.group_counts(session, who, group.id or 0)}


routes = [
    Route(BASE, library_page),
    Route(BASE + "/new", add, methods=["GET", "POST"]),
    Route(BASE + "/{evidence_id}", item_page),
    Route(BASE + "/{evidence_id}/edit", edit, methods=["GET", "POST"]),
    Route(BASE + "/{evidence_id}/file", download),
    Route(BASE + "/{evidence_id}/withdraw", withdraw, methods=["GET", "POST"]),
    Route(BASE + "/{evidence_id}/links", link, methods=["POST"]),
    Route(BASE + "/{evidence_id}/links/{link_id}/remove", unlink, methods=["POST"]),
]
