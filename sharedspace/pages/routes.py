"""/help, /accessibility, /privacy and /cookies for everyone; `/<page>/edit` for the
secretariat, who write them in markdown."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sharedspace.pages import service
from workspace.forms import FormInput, read_form
from workspace.i18n import gettext as _
from workspace.permissions import Action, require
from workspace.runtime import runtime, viewer
from workspace.templating import redirect, render


def _view(slug: str):  # type: ignore[no-untyped-def]
    async def show(request: Request) -> Response:
        rt = runtime(request)
        with rt.db.read() as session:
            shown = service.page(session, slug)
        # The privacy notice ends with the retention periods the settings enforce.
        return render(request, "pages/page.html", {"page": shown, "settings": rt.settings})

    return show


def _edit(slug: str):  # type: ignore[no-untyped-def]
    async def edit(request: Request) -> Response:
        rt, who = runtime(request), viewer(request)
        require(who, Action.ADMINISTER)
        with rt.db.read() as session:
            shown = service.page(session, slug)
        form = FormInput(values={"body": shown.body})
        if request.method == "POST":
            form = await read_form(request)
            if form.get("reset") == "default":
                service.do_save(rt, who, slug, "")
                return redirect(
                    f"/{slug}",
                    _(
                        "The %(page)s page is back to its default text.",
                        page=shown.kind.label.lower(),
                    ),
                )
            body = form.required(
                "body", _("the text of the page"), max_length=service.MAX_BODY, multiline=True
            )
            if form.ok:
                service.do_save(rt, who, slug, body)
                return redirect(
                    f"/{slug}",
                    _("The %(page)s page has been saved.", page=shown.kind.label.lower()),
                )
            return render(
                request, "pages/edit.html", {"page": shown, "form": form}, status_code=400
            )
        return render(request, "pages/edit.html", {"page": shown, "form": form})

    return edit


routes = [
    route
    for slug in service.PAGES
    for route in (
        Route(f"/{slug}", _view(slug)),
        Route(f"/{slug}/edit", _edit(slug), methods=["GET", "POST"]),
    )
]
