"""People's rights over their data, through the same hooks as every feature: the
download and close-account pages, the privacy notice, and the retention job."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from starlette.routing import BaseRoute

from sharedspace.rights import retention
from sharedspace.rights import routes as routes_module
from workspace.hooks import Job, PeriodicJob, hookimpl
from workspace.runtime import Runtime

HERE = Path(__file__).resolve().parent


@hookimpl
def template_folders() -> Mapping[str, Path]:
    return {"rights": HERE / "templates"}


@hookimpl
def routes() -> Iterable[BaseRoute]:
    return routes_module.routes


@hookimpl
def jobs(rt: Runtime) -> Iterable[Job | PeriodicJob]:
    return [retention.job(rt)]
