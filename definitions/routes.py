"""Definition pages: read, create, edit (with merge), history, compare and exports."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from definitions import exports, service
from definitions.diff import compare_tiers
from definitions.evidence import by_tier
from definitions.forms import MAX_TIERS, check_tiers, form_values
from definitions.models import Revision
from definitions.places import Place, load_group, load_place, revision_number
from definitions.pyramid import render_pyramid, render_pyramid_list
from definitions.tiers import COMPARATORS, Tier
from taskgroups.groups.models import TaskGroup
from workspace.forms import FormInput, read_form
from workspace.hooks import GroupSection
from workspace.i18n import gettext as _
from workspace.markdown import plain_text
from workspace.models import Organisation, User
from workspace.numbers import parse_int
from workspace.permissions import Action, Viewer, can, require
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render


def _revision_context(request: Request, place: Place, number: int) -> dict[str, Any]:
    with runtime(request).db.read() as session:
        revision = service.get_revision(session, place.definition.id or 0, number)
        assert revision is not None
        tiers = service.tiers_of(session, place.definition.id or 0, number)
        rows = service.tier_rows(session, revision.id or 0)
        author = _author(session, revision)
        tier_evidence = by_tier(
            session, viewer(request), place.group.id or 0, place.definition.id or 0
        )
    return {
        "tier_evidence": tier_evidence,
        "group": place.group,
        "definition": place.definition,
        "place": place,
        "revision": revision,
        "author": author,
        "tiers": tiers,
        "tier_rows": rows,
        "pyramid": render_pyramid(
            tiers, title=f"{place.definition.title}, revision {number}", id_prefix=f"pyr-{number}"
        ),
        "pyramid_list": render_pyramid_list(tiers),
    }


def _author(session: Any, revision: Revision) -> str:
    user = session.get(User, revision.author_id) if revision.author_id else None
    org = session.get(Organisation, revision.organisation_id) if revision.organisation_id else None
    name = user.display_name if user else "Someone"
    return f"{name} ({org.name})" if org else name


async def definition_page(request: Request) -> Response:
    place = load_place(request)
    number = service.public_number(viewer(request), place.definition)
    return render(request, "definitions/definition.html", _revision_context(request, place, number))


async def revision_page(request: Request) -> Response:
    place = load_place(request)
    number = revision_number(request, request.path_params["number"], place)
    return render(request, "definitions/definition.html", _revision_context(request, place, number))


async def print_page(request: Request) -> Response:
    place = load_place(request)
    number = revision_number(request, request.path_params["number"], place)
    return render(request, "definitions/print.html", _revision_context(request, place, number))


async def export(request: Request) -> Response:
    place = load_place(request)
    number = revision_number(request, request.path_params["number"], place)
    ctx = _revision_context(request, place, number)
    fmt = request.path_params["fmt"]
    if fmt == "json":
        return exports.json_response(
            ctx["group"], ctx["definition"], ctx["revision"], ctx["tier_rows"], ctx["author"]
        )
    if fmt == "md":
        return exports.markdown_response(
            ctx["group"], ctx["definition"], ctx["revision"], ctx["tier_rows"], ctx["author"]
        )
    raise HTTPException(404)


async def history_page(request: Request) -> Response:
    place = load_place(request)
    require(viewer(request), Action.READ_GROUP_PRIVATE, place.group.id)
    with runtime(request).db.read() as session:
        revisions = service.history(session, place.definition.id or 0)
    return render(
        request,
        "definitions/history.html",
        {
            "place": place,
            "group": place.group,
            "definition": place.definition,
            "revisions": revisions,
        },
    )


async def compare_page(request: Request) -> Response:
    place = load_place(request)
    head = place.definition.head_number
    old = revision_number(request, request.query_params.get("from", str(max(1, head - 1))), place)
    new = revision_number(request, request.query_params.get("to", str(head)), place)
    with runtime(request).db.read() as session:
        old_tiers = service.tiers_of(session, place.definition.id or 0, old)
        new_tiers = service.tiers_of(session, place.definition.id or 0, new)
        revisions = service.history(session, place.definition.id or 0)
    # The text as readers see it, unless the markdown source is asked for (`?source=1`).
    source = request.query_params.get("source") == "1"
    if not source:
        old_tiers, new_tiers = as_read(old_tiers), as_read(new_tiers)
    title = place.definition.title
    return render(
        request,
        "definitions/compare.html",
        {
            "place": place,
            "group": place.group,
            "definition": place.definition,
            "old": old,
            "new": new,
            "comparisons": compare_tiers(old_tiers, new_tiers),
            "old_pyramid": render_pyramid(
                old_tiers, title=f"{title}, revision {old}", id_prefix=f"old-{old}"
            ),
            "new_pyramid": render_pyramid(
                new_tiers, title=f"{title}, revision {new}", id_prefix=f"new-{new}"
            ),
            "numbers": list(range(1, head + 1)),
            "revisions": [(r, who) for r, who in revisions if r.number <= head],
            "source": source,
        },
    )


def as_read(tiers: list[Tier]) -> list[Tier]:
    """Tiers with their requirement as a reader sees it: markdown's marks taken away, so
    that `**Fabric**` compares as the word Fabric."""
    return [replace(t, requirement=plain_text(t.requirement)) for t in tiers]


# -- writing ----------------------------------------------------------------------------


def _form_context(
    place: Place | None, group: TaskGroup, form: FormInput, **extra: Any
) -> dict[str, Any]:
    # Read as check_tiers reads it: a tampered count must not raise or render thousands.
    count = min(parse_int(form.get("tier_count"), high=999_999) or 0, MAX_TIERS + 1)
    # A new tier typed in beyond the limit stays on the page with its error, not lost.
    typed_new = any(form.get(f"tier-new-{name}") for name in ("name", "summary", "requirement"))
    return {
        "place": place,
        "group": group,
        "form": form,
        "tier_indexes": range(count),
        "comparators": COMPARATORS,
        "max_tiers": MAX_TIERS,
        "can_add": count < MAX_TIERS or typed_new,
    } | extra


async def new_definition(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    group = load_group(request)
    require(who, Action.EDIT_DRAFT, group.id)
    if request.method == "GET":
        form = form_values([], None)
        return render(request, "definitions/new.html", _form_context(None, group, form))
    form = await read_form(request)
    if form.get("add_tier") == "yes":
        return _with_another_tier(request, group, form)
    title = form.required("title", _("a title"), max_length=200)
    purpose = form.optional("purpose", _("the purpose"), max_length=2000, multiline=True)
    edit = check_tiers(form)
    with rt.db.read() as session:
        if form.ok and service.title_taken(session, group.id or 0, title):
            form.error("title", _("This group already has a definition with this title"))
    if not form.ok:
        return render(
            request, "definitions/new.html", _form_context(None, group, form), status_code=400
        )
    definition = service.do_create(rt, who, group, title, purpose, edit.tiers)
    return redirect(
        service.definition_url(group, definition),
        _("%(title)s has been created as revision 1.", title=title),
    )


def _with_another_tier(request: Request, group: TaskGroup, form: FormInput) -> Response:
    """A new definition starts with all its tiers: "Add another tier" keeps what was
    typed (the new tier joins the list) and shows a blank one, saving nothing yet."""
    edit = check_tiers(form)
    filled = form_values(edit.tiers, None)
    filled.values |= {"title": form.get("title"), "purpose": form.get("purpose")}
    filled.errors = dict(form.errors)
    status = 400 if form.errors else 200
    return render(
        request, "definitions/new.html", _form_context(None, group, filled), status_code=status
    )


async def edit_definition(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    place = load_place(request)
    require(who, Action.EDIT_DRAFT, place.group.id)
    definition = place.definition
    if request.method == "GET":
        with rt.db.read() as session:
            tiers = service.tiers_of(session, definition.id or 0, definition.head_number)
        form = form_values(tiers, definition.head_number)
        return render(request, "definitions/edit.html", _form_context(place, place.group, form))
    form = await read_form(request)
    edit = check_tiers(form)
    if edit.base_number is None or not 1 <= edit.base_number <= definition.head_number:
        form.error("change_note", _("This form is out of date. Reload the page and try again."))
    if not form.ok:
        return render(
            request,
            "definitions/edit.html",
            _form_context(place, place.group, form),
            status_code=400,
        )
    assert edit.base_number is not None
    result = service.do_save(
        rt, who, place.group, definition.id or 0, edit.base_number, edit.tiers, edit.change_note
    )
    if result.conflict is not None:
        return _merge_page(request, place, edit.tiers, edit.change_note, result)
    return redirect(place.url, _saved_notice(result))


def _saved_notice(result: service.SaveResult) -> str:
    if result.number is None and result.merged:
        return _("Someone else had already made the same change. Nothing new to save.")
    if result.number is None:
        return _("Nothing had changed, so no new revision was made.")
    if result.merged:
        return _(
            "Someone else saved while you were editing. Their changes were to other "
            "tiers, so both were merged into revision %(number)s.",
            number=result.number,
        )
    return _("Saved as revision %(number)s.", number=result.number)


def _merge_page(
    request: Request, place: Place, mine: list[Tier], note: str, result: service.SaveResult
) -> Response:
    assert result.conflict is not None
    draft, removed = service.conflict_draft(result.conflict, mine)
    form = form_values(draft, result.head_number, note, removed)
    theirs = {t.key: t for t in result.head_tiers}
    notes = {c.key: c for c in result.conflict.conflicts if c.kind != "order"}
    order_clash = any(c.kind == "order" for c in result.conflict.conflicts)
    ctx = _form_context(
        place,
        place.group,
        form,
        theirs=theirs,
        conflicts=notes,
        order_clash=order_clash,
        head_number=result.head_number,
    )
    return render(request, "definitions/merge.html", ctx, status_code=409)


routes = [
    Route("/new", new_definition, methods=["GET", "POST"]),
    Route("/{dslug}", definition_page),
    Route("/{dslug}/edit", edit_definition, methods=["GET", "POST"]),
    Route("/{dslug}/history", history_page),
    Route("/{dslug}/compare", compare_page),
    Route("/{dslug}/revisions/{number}", revision_page),
    Route("/{dslug}/revisions/{number}/print", print_page),
    Route("/{dslug}/revisions/{number}/export.{fmt}", export),
]


def group_section(session: Session, who: Viewer, group: TaskGroup) -> GroupSection:
    """The group page's list of definitions: agreed ones for everyone, drafts for the
    group's members, observers and the secretariat."""
    definitions = [d for d in service.for_group(session, group.id or 0) if service.readable(who, d)]
    return GroupSection(
        "definitions/_group_section.html",
        {
            "definitions": definitions,
            "group": group,
            "can_create": can(who, Action.EDIT_DRAFT, group.id),
        },
        order=10,
    )
