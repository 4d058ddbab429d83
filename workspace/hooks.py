"""The one seam between the ground and the features: pluggy hook specifications.

Each feature package has one `plugin.py` whose functions carry `@hookimpl` and are named
after the specifications below; `sharedspace.app.create_app` lists the plugins, and
`workspace.runtime.build_runtime` registers them and asks them for what they bring. The
ground's own pages (accounts) and the roof's (hub pages) come in through the same hooks,
as Datasette's built-in features do (`datasette/hookspecs.py`, `default_*` modules).

A hook with several implementations returns a list of their answers. Where the order of
the answers shows on a page (group sections, dashboard panels) each answer carries an
`order`; route order comes from the routes themselves (see `sharedspace.app`). Nothing
here is looked up by a string key.

The small dataclasses below are part of the contract: what a hook returns.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from workspace.events import DomainEvent

if TYPE_CHECKING:
    from sqlmodel import Session, SQLModel
    from starlette.routing import BaseRoute

    from workspace.permissions import Role, Viewer
    from workspace.runtime import Runtime
    from workspace.search import DocumentProvider

PROJECT = "sharedspace"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- what hooks return ---------------------------------------------------------------


@dataclass(frozen=True)
class GroupSection:
    """A panel on a group's page (or the observer dashboard) that a feature draws."""

    template: str
    context: dict[str, Any]
    order: int = 100  # lower first


@dataclass(frozen=True)
class DeliverableOption:
    """Something in a group that a milestone can wait for: when it happens, the feature
    publishes an event and the milestone completes itself."""

    kind: str
    target_id: int
    label: str
    url: str
    started: bool = False  # proposed, opened, scheduled
    done: bool = False

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.target_id}"


@dataclass(frozen=True)
class Subscription:
    """Call `handler` with every event of class `event` published after a commit."""

    event: type[DomainEvent]
    handler: Callable[[Any], None]


@dataclass(frozen=True)
class LiveRoom:
    """A kind of Socket.IO room. `authorise(viewer, ref)` returns the room's key (`"12"`
    for `consultation:12`) when the viewer may read it now, else None. It is asked on
    every join and again whenever access may have changed (workspace.realtime)."""

    kind: str
    authorise: Callable[[Viewer, str | int], str | None]


@dataclass(frozen=True)
class LiveRelay:
    """Emit each `event` as the Socket.IO event `emit` to the room `room(event)`,
    carrying only `fields` of it (and only when `when(event)` holds)."""

    event: type[DomainEvent]
    emit: str
    room: Callable[[Any], str]
    fields: tuple[str, ...]
    when: Callable[[Any], bool] | None = None

    def message(self, event: DomainEvent) -> dict[str, Any]:
        return {name: getattr(event, name) for name in self.fields}


@dataclass(frozen=True)
class EvidenceTarget:
    """Something in a group that evidence can be linked to (a definition's tier, a
    consultation, a meeting, a recommendation), described by the feature that owns it."""

    kind: str
    target_id: int
    label: str  # "Energy efficiency, in Zero carbon homes"
    url: str
    heading: str  # the picker's group: "Definition tiers", "Consultations"
    key: str = ""  # a part of the target: a tier's key within its definition
    may_link: bool = False  # whether this viewer may link evidence to it now

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.target_id}:{self.key}"


@dataclass(frozen=True)
class Job:
    """Work a feature hands to the background worker (`workspace/worker.py`): enqueued
    with `rt.worker.enqueue(job, *args)` and run by a consumer, in this process or
    another. `run` must be idempotent (a crash may run it twice); huey retries it
    `retries` times, `retry_delay` seconds apart, when it raises."""

    name: str
    run: Callable[..., object]
    retries: int = 0
    retry_delay: int = 0


@dataclass(frozen=True)
class PeriodicJob:
    """Work the worker runs every `minutes` minutes (a divisor of 60). Every consumer's
    scheduler enqueues it, so with several consumers it runs several times a period:
    it must claim what it does (a conditional UPDATE, a unique row)."""

    name: str
    run: Callable[[], object]
    minutes: int = 1


@dataclass(frozen=True)
class NotificationKind:
    """A kind of notification a feature produces, shown on the preferences page. Its
    `key` is stored on each notification and preference. `needs_you`: someone must act
    (a position to record, a reply): members and chairs get these by email at once unless
    they choose otherwise. `section` groups it in digests."""

    key: str
    label: str
    hint: str
    section: str
    needs_you: bool = False
    order: int = 100


@dataclass(frozen=True)
class Followers:
    """Everyone following a thing (`kind`, `target_id`), for `reason` ("You follow ...")."""

    kind: str
    target_id: int
    reason: str


@dataclass(frozen=True)
class People:
    """Named people, for `reason`; `role` (member, chair, author...) picks their default
    email channel."""

    user_ids: tuple[int, ...]
    reason: str
    role: str = ""


Audience = Followers | People


@dataclass(frozen=True)
class Notice:
    """One notification to fan out: what happened (`title`), where (`url`, the exact
    place), of which kind, to whom and why (`audiences`, most specific first: a person in
    several gets the first reason). `key` makes it idempotent (one per person per key).
    With `group_id` and `private`, only those who may read the group's private pages get
    it. `actor_id` (who did it) is never told of their own act, nor are those in
    `exclude` (told by another notice of the same event). `summary` adds a line."""

    kind: str
    key: str
    title: str
    url: str
    audiences: tuple[Audience, ...]
    group_id: int | None = None
    private: bool = False
    actor_id: int | None = None
    summary: str = ""
    exclude: tuple[int, ...] = ()


@dataclass(frozen=True)
class NotificationSource:
    """Turn each `event` (after commit) into notices. `notices(session, event)` runs in
    the background worker, never on the request path; `name` finds it there."""

    name: str
    event: type[DomainEvent]
    notices: Callable[[Session, Any], Iterable[Notice]]


@dataclass(frozen=True)
class Followed:
    """What the following page and the follow button show of a followed thing."""

    title: str
    url: str
    group_id: int | None = None
    private: bool = False


@dataclass(frozen=True)
class FollowTarget:
    """A kind of thing people follow (`group`, `consultation`...): `describe(session,
    ids)` returns what exists of them, by id."""

    kind: str
    label: str
    describe: Callable[[Session, list[int]], Mapping[int, Followed]]


@dataclass(frozen=True)
class NeedsYou:
    """Something waiting for this person to act on (a position to record, a dispute to
    answer, a meeting to record): one line under "Needs you" on their home page."""

    text: str
    url: str
    group: str = ""
    order: int = 100  # lower first


RoleMap = tuple[dict[int, "Role"], frozenset[int]]


@dataclass
class Contributions:
    """Everything the plugins registered once at start-up, gathered by `collect`."""

    models: list[type[SQLModel]] = field(default_factory=list)
    template_folders: dict[str, Path] = field(default_factory=dict)
    search_providers: list[DocumentProvider] = field(default_factory=list)
    upload_paths: list[str] = field(default_factory=list)
    notification_kinds: list[NotificationKind] = field(default_factory=list)


# --- the specifications --------------------------------------------------------------


class Specs:
    @hookspec
    def models(self) -> Iterable[type[SQLModel]]:
        """The tables a feature owns, so SQLModel's metadata (and Alembic) knows them."""
        raise NotImplementedError

    @hookspec
    def template_folders(self) -> Mapping[str, Path]:
        """Template folders by name prefix: `{"consultations/comments": <its templates/>}`
        makes `consultations/comments/_comment.html` that folder's `_comment.html`."""
        raise NotImplementedError

    @hookspec
    def routes(self) -> Iterable[BaseRoute]:
        """The feature's routes: a `Mount` per URL prefix, or plain `Route`s."""
        raise NotImplementedError

    @hookspec(firstresult=True)
    def group_roles(self, session: Session, user_id: int) -> RoleMap | None:
        """The groups a person sits in: member or chair roles by group id, and the ids of
        the groups they observe today. The permission module builds the Viewer from it."""
        raise NotImplementedError

    @hookspec
    def search_providers(self) -> Iterable[DocumentProvider]:
        """What the feature puts in the search index, one provider per document kind."""
        raise NotImplementedError

    @hookspec
    def live_rooms(self, rt: Runtime) -> Iterable[LiveRoom]:
        """Socket.IO room kinds the feature's pages join."""
        raise NotImplementedError

    @hookspec
    def live_relays(self, rt: Runtime) -> Iterable[LiveRelay]:
        """Domain events relayed to Socket.IO rooms after they commit."""
        raise NotImplementedError

    @hookspec
    def subscriptions(self, rt: Runtime) -> Iterable[Subscription]:
        """Handlers of domain events (how a lower layer reacts to a higher one)."""
        raise NotImplementedError

    @hookspec
    def group_sections(
        self, rt: Runtime, session: Session, viewer: Viewer, group: Any
    ) -> GroupSection | None:
        """A panel on the group's page, or None to show nothing to this viewer."""
        raise NotImplementedError

    @hookspec
    def dashboard_panels(
        self, rt: Runtime, session: Session, viewer: Viewer, group: Any
    ) -> GroupSection | None:
        """A panel for the group on the observer dashboard."""
        raise NotImplementedError

    @hookspec
    def deliverable_options(
        self, rt: Runtime, session: Session, group_id: int
    ) -> Iterable[DeliverableOption]:
        """What a milestone of this group can wait for (the chair's picker)."""
        raise NotImplementedError

    @hookspec
    def evidence_targets(
        self, rt: Runtime, session: Session, viewer: Viewer, group: Any
    ) -> Iterable[EvidenceTarget]:
        """What in this group evidence can be linked to, among what this viewer may read."""
        raise NotImplementedError

    @hookspec
    def upload_paths(self) -> Iterable[str]:
        """Regular expressions of the paths whose POSTs carry a file: they stream past
        MAX_BODY_BYTES up to MAX_UPLOAD_BYTES, and their route must read the body with
        `workspace.files.upload.read_upload`, which checks the CSRF token itself."""
        raise NotImplementedError

    @hookspec
    def notification_kinds(self) -> Iterable[NotificationKind]:
        """The kinds of notification the feature produces (the preferences page)."""
        raise NotImplementedError

    @hookspec
    def notification_sources(self, rt: Runtime) -> Iterable[NotificationSource]:
        """Domain events the feature turns into notifications (in the worker)."""
        raise NotImplementedError

    @hookspec
    def follow_targets(self, rt: Runtime) -> Iterable[FollowTarget]:
        """The kinds of thing people can follow in the feature."""
        raise NotImplementedError

    @hookspec
    def jobs(self, rt: Runtime) -> Iterable[Job | PeriodicJob]:
        """Work off the request path: tasks to enqueue and periodic jobs, all run by the
        one background worker (`workspace/worker.py`, docs/deployment.md)."""
        raise NotImplementedError

    @hookspec
    def invited_to(self, session: Session, user_id: int) -> Iterable[int]:
        """Ids of the places with an invited audience (consultations by invitation) that
        this person is invited to: loaded into the Viewer, decided on in permissions."""
        raise NotImplementedError

    @hookspec
    def needs_you(self, rt: Runtime, session: Session, viewer: Viewer) -> Iterable[NeedsYou]:
        """What waits for this signed-in person to act on, among the groups they sit in
        (the "Needs you" list of their home page)."""
        raise NotImplementedError

    @hookspec
    def home_panels(self, rt: Runtime, session: Session, viewer: Viewer) -> GroupSection | None:
        """A panel on the home page for this viewer (open consultations, their own
        responses), or None to show nothing to them."""
        raise NotImplementedError


def plugin_manager(plugins: Iterable[object]) -> pluggy.PluginManager:
    return _manager_of(tuple(plugins))


@functools.cache
def _manager_of(plugins: tuple[object, ...]) -> pluggy.PluginManager:
    """One manager per set of plugins and process: registering inspects every hook
    implementation (about 30 ms), and the tests build a runtime per test. Nothing
    registers on a manager after this, so runtimes can share it."""
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(Specs)
    for plugin in plugins:
        manager.register(plugin)
    manager.check_pending()  # a misspelt hook name fails at start, not silently
    return manager


def collect(manager: pluggy.PluginManager) -> Contributions:
    found = Contributions()
    # pluggy calls the last registered first; reversed gives the order of registration.
    for models in reversed(manager.hook.models()):
        found.models.extend(models)
    for folders in reversed(manager.hook.template_folders()):
        for prefix, path in folders.items():
            if prefix in found.template_folders:
                raise ValueError(f"two plugins register templates under {prefix!r}")
            found.template_folders[prefix] = path
    for providers in reversed(manager.hook.search_providers()):
        found.search_providers.extend(providers)
    for paths in reversed(manager.hook.upload_paths()):
        found.upload_paths.extend(paths)
    found.notification_kinds = sorted(
        flat(manager.hook.notification_kinds()), key=lambda kind: kind.order
    )
    return found


def tables_in(*modules: ModuleType) -> list[type[SQLModel]]:
    """Every table class defined in these modules (not those imported into them)."""
    from sqlmodel import SQLModel

    return [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, SQLModel)
        and getattr(value, "__table__", None) is not None
        and value.__module__ == module.__name__
    ]


def flat(answers: Iterable[Iterable[Any]]) -> list[Any]:
    """One list of every plugin's answers, in the order the plugins were registered."""
    return [item for answer in reversed(list(answers)) for item in answer]


def ordered(sections: Iterable[GroupSection | None]) -> list[GroupSection]:
    present = [s for s in reversed(list(sections)) if s is not None]
    return sorted(present, key=lambda s: s.order)
