"""Factories: build real rows through the real services, never fixture files."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

from taskgroups.groups import service as groups
from taskgroups.groups.forms import GroupDraft, MemberSeatDraft, ObserverSeatDraft
from taskgroups.groups.models import TaskGroup
from workspace.accounts.service import Registration, do_register
from workspace.models import Organisation, Sector, User
from workspace.permissions import Viewer
from workspace.runtime import Runtime

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_user(
    rt: Runtime, name: str | None = None, *, secretariat: bool = False, email: str | None = None
) -> User:
    n = next(_counter)
    user = do_register(
        rt,
        Registration(
            email=email or f"person{n}@example.org",
            display_name=name or f"Person {n}",
            password=PASSWORD,
        ),
        secretariat=secretariat,
        confirmed=True,
    )
    assert user is not None
    return user


def make_org(
    rt: Runtime, name: str | None = None, sector: Sector = Sector.INDUSTRY
) -> Organisation:
    name = name or f"Organisation {next(_counter)}"
    with rt.db.write() as unit:
        org = Organisation(name=name, slug=name.lower().replace(" ", "-"), sector=sector)
        unit.session.add(org)
    return org


def admin_viewer(user: User) -> Viewer:
    return Viewer(user_id=user.id, display_name=user.display_name, is_secretariat=True)


def make_group(rt: Runtime, admin: User, name: str | None = None) -> TaskGroup:
    draft = GroupDraft(name=name or f"Task group {next(_counter)}", remit="Agree a **definition**.")
    return groups.do_create_group(rt, admin_viewer(admin), draft)


def seat_member(
    rt: Runtime, admin: User, group: TaskGroup, user: User, org: Organisation, role: str = "member"
) -> None:
    groups.do_seat_member(
        rt,
        admin_viewer(admin),
        group,
        MemberSeatDraft(email=user.email, organisation_id=org.id, role=role),
    )


def seat_observer(
    rt: Runtime,
    admin: User,
    group: TaskGroup,
    user: User,
    department: str = "DCLG",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> None:
    groups.do_seat_observer(
        rt,
        admin_viewer(admin),
        group,
        ObserverSeatDraft(
            email=user.email,
            department=department,
            starts_on=starts_on or date.today() - timedelta(days=30),
            ends_on=ends_on,
        ),
    )


@dataclass
class World:
    group: TaskGroup
    other_group: TaskGroup
    users: dict[str, User] = field(default_factory=dict)
    orgs: dict[str, Organisation] = field(default_factory=dict)


ROLES = ["visitor", "public", "member", "chair", "observer", "secretariat"]


def build_world(rt: Runtime) -> World:
    admin = make_user(rt, "Sam Secretariat", secretariat=True)
    users = {
        "secretariat": admin,
        "chair": make_user(rt, "Helen Chair"),
        "member": make_user(rt, "Raj Member"),
        "observer": make_user(rt, "David Observer"),
        "public": make_user(rt, "Alex Public"),
        "outsider": make_user(rt, "Olive OtherGroup"),
    }
    orgs = {
        "builders": make_org(rt, "Home Builders Federation", Sector.INDUSTRY),
        "green": make_org(rt, "UK Green Building Council", Sector.ENVIRONMENTAL),
    }
    group = make_group(rt, admin, "Zero carbon homes definition")
    other = make_group(rt, admin, "Allowable solutions")
    seat_member(rt, admin, group, users["chair"], orgs["builders"], "chair")
    seat_member(rt, admin, group, users["member"], orgs["green"])
    seat_observer(rt, admin, group, users["observer"])
    seat_member(rt, admin, other, users["outsider"], orgs["green"], "chair")
    return World(group=group, other_group=other, users=users, orgs=orgs)
