"""The floor plan holds: one seam for features, typed events, routes in an order that
comes from the routes themselves, and template names that say where a template lives."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import pytest
from jinja2 import TemplateNotFound
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.testclient import TestClient

from sharedspace.app import PLUGINS, create_app
from sharedspace.routing import leaves
from tests.client import HubClient
from tests.factories import World, build_world
from workspace.events import CATALOGUE, DefinitionAgreed, DomainEvent, EventBus
from workspace.hooks import PROJECT, GroupSection, Subscription, hookimpl
from workspace.permissions import Viewer
from workspace.runtime import Runtime
from workspace.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ["workspace", "taskgroups", "definitions", "consultations", "sharedspace"]


def test_event_names_are_unique_and_written_only_in_the_catalogue() -> None:
    names = [kind.name for kind in CATALOGUE]
    assert len(set(names)) == len(names)
    quoted = re.compile("|".join(rf"[\"']{re.escape(name)}[\"']" for name in names))
    offenders = [
        str(path.relative_to(ROOT))
        for package in PRODUCT
        for path in (ROOT / package).rglob("*.py")
        if path != ROOT / "workspace" / "events.py" and quoted.search(path.read_text())
    ]
    assert offenders == []


def test_the_bus_refuses_a_class_outside_the_catalogue() -> None:
    class Unknown(DomainEvent):
        name = "unknown.thing"

    with pytest.raises(ValueError, match="catalogue"):
        EventBus().subscribe(Unknown, lambda _event: None)


def _sample(path: str) -> str:
    """A concrete path for a route's template: every parameter a plausible value."""
    path = re.sub(r"\{[a-z_]+:(int|id)\}", "7", path)
    path = re.sub(r"\{fmt\}", "csv", path)
    return re.sub(r"\{[a-z_]+(:[a-z]+)?\}", "a-slug", path)


def test_every_route_is_reached_by_its_own_path(settings: Settings) -> None:
    """Route order comes from the routes (plain routes, then mounts deepest first): no
    page is ever shadowed by another route or by a mount claiming its path."""
    app = create_app(settings)
    served = [r for r in app.router.routes if not (isinstance(r, Mount) and r.path == "/static")]
    for prefix, route in leaves(served):
        path = prefix + route.path
        method = sorted(route.methods or {"GET"})[0]
        scope = {"type": "http", "path": _sample(path), "method": method, "root_path": ""}
        winner = _dispatch(app.router.routes, scope)
        assert winner is route, f"{path} is shadowed by {getattr(winner, 'path', winner)}"


def _dispatch(routes: list[BaseRoute], scope: dict[str, Any]) -> BaseRoute | None:
    """The route Starlette would pick: the first that matches, looking inside mounts."""
    for candidate in routes:
        match, child = candidate.matches(scope)
        if match == Match.NONE:
            continue
        # A group of routes sharing a first segment names the one that matched.
        winner = child.get("route", candidate)
        if isinstance(winner, Mount):
            return _dispatch(winner.routes, {**scope, **child})
        return winner
    return None


def test_template_names_say_where_templates_live(rt: Runtime) -> None:
    folders: dict[str, Path] = {}
    for answer in rt.hook.template_folders():
        folders.update(answer)
    count = 0
    for prefix, folder in folders.items():
        for file in folder.rglob("*.html"):
            name = "/".join(p for p in (prefix, str(file.relative_to(folder))) if p)
            assert rt.templates.get_template(name).filename == str(file)
            count += 1
    assert count > 75
    # A name only resolves under the longest registered prefix: no guessing elsewhere.
    with pytest.raises(TemplateNotFound):
        rt.templates.get_template("consultations/_comment.html")


class ToyFeature:
    """What a new feature brings: a route, a template folder, a panel on the group page and
    a reaction to a domain event, all through the hooks, with nothing else to register."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.agreed: list[int] = []

    @hookimpl
    def template_folders(self) -> Mapping[str, Path]:
        return {"toy": self.folder}

    @hookimpl
    def routes(self) -> Iterable[BaseRoute]:
        async def hello(_request: Request) -> Response:
            return PlainTextResponse("hello from the toy")

        return [Route("/toy", hello)]

    @hookimpl
    def group_sections(self, session: Session, viewer: Viewer, group: Any) -> GroupSection:
        return GroupSection("toy/_section.html", {"name": group.name}, order=15)

    @hookimpl
    def subscriptions(self, rt: Runtime) -> Iterable[Subscription]:
        return [Subscription(DefinitionAgreed, lambda event: self.agreed.append(event.number))]


def test_a_feature_joins_through_one_plugin(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "_section.html").write_text(
        '<section class="ss-toy"><h2 class="govuk-heading-m">Toy of {{ ctx.name }}</h2></section>'
    )
    toy = ToyFeature(tmp_path)
    app = create_app(settings, plugins=(*PLUGINS, toy))
    rt: Runtime = app.state.runtime
    world: World = build_world(rt)
    with TestClient(app) as plain:
        assert plain.get("/toy").text == "hello from the toy"
    with HubClient(app) as client:
        page = client.page(f"/groups/{world.group.slug}")
    headings = [h.get_text() for h in page.select("main h2")]
    toy_heading = f"Toy of {world.group.name}"
    assert toy_heading in headings
    # order=15: after the definitions (10), before the consultations (20).
    assert headings.index("Shared definitions") < headings.index(toy_heading)
    assert headings.index(toy_heading) < headings.index("Consultations")
    rt.events.publish(DefinitionAgreed(definition_id=1, group_id=world.group.id or 0, number=4))
    assert toy.agreed == [4]
    app.state.runtime.db.dispose()


def test_every_function_of_a_plugin_module_is_a_hook_implementation() -> None:
    """A public function in a plugin module without `@hookimpl` is silently never called
    (a job never registered, a notification kind never offered)."""
    unmarked = [
        f"{plugin.__name__}.{name}"
        for plugin in cast(list[ModuleType], PLUGINS)
        for name, value in vars(plugin).items()
        if inspect.isfunction(value)
        and value.__module__ == plugin.__name__
        and not name.startswith("_")
        and not hasattr(value, f"{PROJECT}_impl")
    ]
    assert unmarked == []
