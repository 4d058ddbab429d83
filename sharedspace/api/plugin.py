"""The JSON API (version 1) through the same hooks as every feature: its routes and the
template of its reference page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from starlette.routing import BaseRoute

from sharedspace.api import routes as api
from workspace.hooks import hookimpl

HERE = Path(__file__).resolve().parent


@hookimpl
def template_folders() -> Mapping[str, Path]:
    return {"api": HERE / "templates"}


@hookimpl
def routes() -> Iterable[BaseRoute]:
    return api.routes
