"""Everything one running app holds: settings, database, templates, mail, events.

Built by `create_app` and kept on `app.state.runtime`; services receive it as an
argument. Nothing lives in module globals, so tests can run many apps side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from jinja2 import Environment
from sqlmodel import Session
from starlette.requests import Request

from workspace import auth
from workspace.db import Database, utcnow
from workspace.events import EventBus
from workspace.mail import Mailer
from workspace.permissions import Viewer
from workspace.ratelimit import RateLimiter
from workspace.settings import Settings


@dataclass
class GroupSection:
    template: str
    context: dict[str, Any]


GroupSectionFn = Callable[[Session, Viewer, Any], GroupSection]


@dataclass
class Runtime:
    settings: Settings
    db: Database
    templates: Environment
    events: EventBus
    mailer: Mailer
    limiter: RateLimiter
    hasher: PasswordHasher
    role_loader: auth.RoleLoader = auth.no_roles
    dummy_hash: str = ""
    # Panels that higher packages add to a group's page (its definitions, say),
    # so the group page can show them without importing those packages.
    group_sections: list[GroupSectionFn] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    # What time it is, for everything derived from the clock (a consultation opening and
    # closing). Tests replace it to move time on; nothing else should call utcnow() for that.
    clock: Callable[[], datetime] = utcnow

    def load_viewer(self, token: str | None) -> Viewer:
        return auth.load_viewer(self.db, token, self.settings.session_days, self.role_loader)


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def viewer(request: Request) -> Viewer:
    found: Viewer = request.state.viewer
    return found
