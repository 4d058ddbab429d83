"""Organisations and people: the secretariat's registers."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, or_, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from workspace import activity
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.models import SECTOR_LABELS, Organisation, Sector, User
from workspace.numbers import parse_int
from workspace.permissions import Action, require
from workspace.runtime import Runtime, runtime, viewer
from workspace.templating import redirect, render
from workspace.text import slugify


def sectors() -> list[tuple[str, str]]:
    """Each sector and its label, in the language of this request."""
    return [(s.value, SECTOR_LABELS[s]) for s in Sector]


PAGE = 50


async def organisations(request: Request) -> Response:
    with runtime(request).db.read() as session:
        orgs = session.exec(
            select(Organisation).order_by(col(Organisation.sector), col(Organisation.name))
        ).all()
    return render(request, "admin/organisations.html", {"organisations": orgs})


async def new_organisation(request: Request) -> Response:
    rt, who = runtime(request), viewer(request)
    require(who, Action.ADMINISTER)
    form = FormInput()
    if request.method == "POST":
        form = await read_form(request)
        name = form.required("name", _("the organisation's name"), max_length=150)
        sector = form.choice("sector", _("a sector"), dict(sectors()))
        if form.ok and _create_organisation(rt, who.user_id, name, sector):
            return redirect("/organisations", f"{name} has been added.")
        if form.ok:
            form.error("name", _("An organisation with this name already exists"))
        return render(
            request,
            "admin/organisation_form.html",
            {"form": form, "sectors": sectors()},
            status_code=400,
        )
    return render(request, "admin/organisation_form.html", {"form": form, "sectors": sectors()})


def _create_organisation(rt: Runtime, actor_id: int | None, name: str, sector: str) -> bool:
    try:
        with rt.db.write() as unit:
            taken = unit.session.exec(
                select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
            ).first()
            if taken:
                return False
            org = Organisation(name=name, slug=slugify(name), sector=sector)
            unit.session.add(org)
            unit.session.flush()
            activity.record(
                unit,
                actor_id=actor_id,
                verb="organisation.created",
                object_type="organisation",
                object_id=org.id,
                summary=f"{name} joined the hub",
                url="/organisations",
            )
    except IntegrityError:  # same slug from a differently written name
        return False
    return True


async def people(request: Request) -> Response:
    require(viewer(request), Action.ADMINISTER)
    query = request.query_params.get("q", "").strip()[:100]
    page = _page_number(request)
    with runtime(request).db.read() as session:
        statement = select(User)
        if query:
            like = f"%{query.lower()}%"
            statement = statement.where(
                or_(col(User.email).like(like), func.lower(User.display_name).like(like))
            )
        total = session.exec(select(func.count()).select_from(statement.subquery())).one()
        users = session.exec(
            statement.order_by(col(User.display_name)).offset((page - 1) * PAGE).limit(PAGE)
        ).all()
    pages = max(1, -(-total // PAGE))
    return render(
        request,
        "admin/people.html",
        {
            "users": users,
            "q": query,
            "page": page,
            "pages": pages,
            "total": total,
        },
    )


def _page_number(request: Request) -> int:
    return parse_int(request.query_params.get("page", "1"), low=1, high=999_999) or 1


routes = [
    Route("/organisations", organisations),
    Route("/organisations/new", new_organisation, methods=["GET", "POST"]),
    Route("/people", people),
]
