"""Everything one running app holds: settings, database, templates, mail, events, plugins.

Built by `build_runtime(settings, plugins)` (the roof passes its list of feature plugins)
and kept on `app.state.runtime`; services receive it as an argument. Nothing lives in
module globals, so tests can run many apps side by side.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pluggy
from argon2 import PasswordHasher
from jinja2 import Environment
from sqlmodel import Session
from starlette.requests import Request

from workspace import auth, hooks
from workspace.db import Database, utcnow
from workspace.events import EventBus
from workspace.fragments import FragmentCache
from workspace.hooks import GroupSection, RoleMap
from workspace.i18n import Catalogues, locale_folder
from workspace.mail import Mailer
from workspace.notifications.service import Notifications
from workspace.pagecache import PageCache
from workspace.permissions import Viewer
from workspace.ratelimit import RateLimiter
from workspace.search import SearchService
from workspace.search.outbox import Indexer
from workspace.search.setup import make_search
from workspace.settings import Settings
from workspace.templating import make_environment
from workspace.worker import Worker


@dataclass
class Runtime:
    settings: Settings
    db: Database
    templates: Environment
    events: EventBus
    mailer: Mailer
    limiter: RateLimiter
    hasher: PasswordHasher
    plugins: pluggy.PluginManager
    search: SearchService
    indexer: Indexer
    page_cache: PageCache
    worker: Worker
    # Every package's Welsh messages, merged (workspace/i18n.py, docs/i18n.md).
    catalogues: Catalogues
    dummy_hash: str = ""
    # Paths whose POSTs stream a file (the `upload_paths` hook; workspace/files/upload.py).
    upload_paths: tuple[re.Pattern[str], ...] = ()
    # What time it is, for everything derived from the clock (a consultation opening and
    # closing). Tests replace it to move time on; nothing else should call utcnow() for that.
    clock: Callable[[], datetime] = utcnow
    # Following and notifications (workspace/notifications): built from the plugins' kinds,
    # targets and sources once the runtime exists.
    notifications: Notifications = field(init=False)
    # Rendered pieces of pages that are the same for every viewer (workspace/fragments.py).
    fragments: FragmentCache = field(default_factory=lambda: FragmentCache(0))

    @property
    def hook(self) -> Any:
        return self.plugins.hook

    def group_roles(self, session: Session, user_id: int) -> RoleMap:
        found: RoleMap | None = self.hook.group_roles(session=session, user_id=user_id)
        return found or ({}, frozenset())

    def load_viewer(self, token: str | None) -> Viewer:
        return auth.load_viewer(
            self.db,
            token,
            self.settings.session_days,
            self.group_roles,
            self.invited_to,
            self.settings.session_max_days,
        )

    def invited_to(self, session: Session, user_id: int) -> frozenset[int]:
        """The invited consultations (ids) this person is among the audience of."""
        return frozenset(hooks.flat(self.hook.invited_to(session=session, user_id=user_id)))

    def group_sections(self, session: Session, who: Viewer, group: Any) -> list[GroupSection]:
        return hooks.ordered(
            self.hook.group_sections(rt=self, session=session, viewer=who, group=group)
        )

    def dashboard_panels(self, session: Session, who: Viewer, group: Any) -> list[GroupSection]:
        return hooks.ordered(
            self.hook.dashboard_panels(rt=self, session=session, viewer=who, group=group)
        )


def build_runtime(settings: Settings, plugins: Iterable[object]) -> Runtime:
    """A runtime with every plugin registered: its tables known, its templates found,
    its search documents and its event handlers in place. The CLI's runtime is built
    the same way as the served app's, so the demo and `reindex` see every feature."""
    settings = settings.check().with_secret()
    plugins = tuple(plugins)
    manager = hooks.plugin_manager(plugins)
    found = hooks.collect(manager)
    db = Database(
        settings.database_url, settings.database_pool_size, settings.database_max_overflow
    )
    hasher = auth.make_hasher(settings.argon2_fast)
    search = make_search(settings, db, found.search_providers)
    rt = Runtime(
        settings=settings,
        db=db,
        templates=make_environment(found.template_folders, settings.timezone),
        events=EventBus(),
        mailer=Mailer(settings, db),
        limiter=RateLimiter(db, settings.rate_window_seconds),
        hasher=hasher,
        plugins=manager,
        search=search,
        indexer=Indexer(db, search),
        page_cache=PageCache(settings.page_cache_seconds),
        worker=Worker(settings),
        catalogues=Catalogues(_locale_folders(plugins)),
        dummy_hash=hasher.hash("not anyone's password"),
        upload_paths=tuple(re.compile(p) for p in found.upload_paths),
    )
    targets = hooks.flat(manager.hook.follow_targets(rt=rt))
    rt.fragments = FragmentCache(settings.fragment_cache_mb)
    rt.notifications = Notifications(rt, found.notification_kinds, targets)
    rt.notifications.add_sources(hooks.flat(manager.hook.notification_sources(rt=rt)))
    rt.templates.globals.update(
        unread_count=rt.notifications.unread,
        follow_button=rt.notifications.button,
        demo_mode=settings.demo_mode,
    )
    for subscription in hooks.flat(manager.hook.subscriptions(rt=rt)):
        rt.events.subscribe(subscription.event, subscription.handler)
    rt.worker.add_all(hooks.flat(manager.hook.jobs(rt=rt)))
    search.wake = lambda: rt.worker.enqueue(rt.indexer.job)
    rt.mailer.wake = lambda: rt.worker.enqueue(rt.mailer.job)
    return rt


def _locale_folders(plugins: Iterable[object]) -> list[Path]:
    """`<package>/locale` of each plugin's top-level package, the ground's first."""
    packages = dict.fromkeys(
        ["workspace", *(str(getattr(p, "__name__", "")).split(".")[0] for p in plugins)]
    )
    return [folder for name in packages if name and (folder := locale_folder(name)) is not None]


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def viewer(request: Request) -> Viewer:
    found: Viewer = request.state.viewer
    return found
