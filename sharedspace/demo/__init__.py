"""The Zero Carbon Hub as demo data (ARCHITECTURE.md section 8).

Loaded by `make run` into an empty database. Each feature adds its part through a
step in DEMO_STEPS, given what the earlier steps made.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import select

from definitions.models import Definition
from sharedspace.demo import (
    consultations as demo_consultations,
)
from sharedspace.demo import (
    definitions as demo_definitions,
)
from sharedspace.demo import (
    progress as demo_progress,
)
from taskgroups.groups import service as groups
from taskgroups.groups.models import TaskGroup
from workspace.accounts.service import Registration, do_register
from workspace.auth import viewer_of
from workspace.db import utcnow
from workspace.models import Organisation, Sector, User
from workspace.permissions import Viewer
from workspace.runtime import Runtime

DEMO_DOMAIN = "demo.sharedspace.test"

ORGANISATIONS = [
    ("Department for Communities and Local Government", Sector.GOVERNMENT),
    ("Home Builders Federation", Sector.INDUSTRY),
    ("NHBC", Sector.PROFESSIONAL_BODY),
    ("UK Green Building Council", Sector.ENVIRONMENTAL),
    ("Local Government Association", Sector.LOCAL_GOVERNMENT),
    ("E.ON Energy", Sector.ENERGY_SUPPLY),
    ("The Climate Group", Sector.ENVIRONMENTAL),
]

# (key, display name, organisation, role) — role "chair"/"member"; None = not seated.
PEOPLE = [
    ("secretariat", "Sam Okafor (hub secretariat)", None, "secretariat"),
    ("chair", "Helen Barnes", "Home Builders Federation", "chair"),
    ("nhbc", "Raj Patel", "NHBC", "member"),
    ("ukgbc", "Fiona Walsh", "UK Green Building Council", "member"),
    ("lga", "Tom Ellis", "Local Government Association", "member"),
    ("eon", "Priya Shah", "E.ON Energy", "member"),
    ("climate", "Megan Lloyd", "The Climate Group", "member"),
    ("observer", "David Crane", None, "observer"),
    ("public", "Alex Morgan", None, "public"),
]

REMIT = """The task group agrees one definition of a **zero carbon home** that industry,
government and environmental groups can all sign up to, in time for the 2016 step in
Part L of the Building Regulations.

It works in three tiers, each building on the one beneath it:

1. **Energy efficiency** — a minimum standard of fabric performance.
2. **Carbon compliance** — carbon reduced on site, including on-site generation.
3. **Allowable solutions** — measures for the reductions difficult to achieve on site.
"""


@dataclass
class DemoContext:
    rt: Runtime
    password: str
    users: dict[str, User] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    groups: dict[str, TaskGroup] = field(default_factory=dict)
    # Feature steps keep what later steps need here (the definition a consultation is on).
    definitions: dict[str, Definition] = field(default_factory=dict)

    def viewer(self, key: str) -> Viewer:
        return self.as_member(key)

    def as_member(self, key: str) -> Viewer:
        """A viewer with the user's real seats, for steps that write as them."""
        with self.rt.db.read() as session:
            return viewer_of(session, self.users[key], self.rt.group_roles)


def demo_email(key: str) -> str:
    return f"{key}@{DEMO_DOMAIN}"


def is_empty(rt: Runtime) -> bool:
    with rt.db.read() as session:
        return session.exec(select(User.id)).first() is None


def load(rt: Runtime, password: str) -> DemoContext:
    ctx = DemoContext(rt=rt, password=password)
    for step in DEMO_STEPS:
        step(ctx)
    return ctx


def _people(ctx: DemoContext) -> None:
    for key, name, _org, role in PEOPLE:
        reg = Registration(email=demo_email(key), display_name=name, password=ctx.password)
        user = do_register(ctx.rt, reg, secretariat=role == "secretariat")
        assert user is not None
        ctx.users[key] = user


def _organisations(ctx: DemoContext) -> None:
    with ctx.rt.db.write() as unit:
        for name, sector in ORGANISATIONS:
            org = Organisation(
                name=name, slug=name.lower().replace(" ", "-").replace(".", ""), sector=sector
            )
            unit.session.add(org)
            ctx.organisations[name] = org


def _task_group(ctx: DemoContext) -> None:
    admin = ctx.viewer("secretariat")
    group = groups.do_create_group(
        ctx.rt, admin, groups.GroupDraft(name="Zero carbon homes definition", remit=REMIT)
    )
    ctx.groups["definition"] = group
    for key, _name, org_name, role in PEOPLE:
        if role in ("chair", "member"):
            assert org_name is not None
            groups.do_seat_member(
                ctx.rt,
                admin,
                group,
                groups.MemberSeatDraft(
                    email=demo_email(key),
                    organisation_id=ctx.organisations[org_name].id,
                    role=role,
                ),
            )
    groups.do_seat_observer(
        ctx.rt,
        admin,
        group,
        groups.ObserverSeatDraft(
            email=demo_email("observer"),
            department="Department for Communities and Local Government",
            starts_on=date(utcnow().year - 1, 1, 1),
            ends_on=None,
        ),
    )


DEMO_STEPS = [
    _people,
    _organisations,
    _task_group,
    demo_definitions.zero_carbon_definition,
    demo_consultations.consultations,
]
DEMO_STEPS.append(demo_progress.progress)  # programme, milestones, meetings


def reset_passwords(rt: Runtime, password: str) -> None:
    """Give every demo account this password (used when the demo already exists)."""
    password_hash = rt.hasher.hash(password)
    with rt.db.write() as unit:
        for user in unit.session.exec(
            select(User).where(User.email.endswith("@" + DEMO_DOMAIN))  # type: ignore[attr-defined]
        ):
            user.password_hash = password_hash
            unit.session.add(user)


def accounts_table(password: str) -> str:
    lines = [f"Demo accounts (password for all: {password})"]
    for key, name, org, role in PEOPLE:
        where = f", {org}" if org else ""
        lines.append(f"  {demo_email(key):<40} {role:<12} {name}{where}")
    return "\n".join(lines)


def choose_password(configured: str) -> str:
    return configured or secrets.token_urlsafe(9)
