"""The Zero Carbon Hub as demo data (docs/architecture.md, "The demo").

Loaded by `make run` into an empty database. Each feature adds its part through a
step in DEMO_STEPS, given what the earlier steps made.
"""

from __future__ import annotations

import secrets

from sqlmodel import select

from sharedspace.demo import consultations as demo_consultations
from sharedspace.demo import definitions as demo_definitions
from sharedspace.demo import history as demo_history
from sharedspace.demo import notifications as demo_notifications
from sharedspace.demo import people as demo_people
from sharedspace.demo import progress as demo_progress
from sharedspace.demo import reports as demo_reports
from sharedspace.demo import small_groups as demo_small_groups
from sharedspace.demo.context import DEMO_DOMAIN, PEOPLE, DemoContext, demo_email
from workspace import activity
from workspace.models import User
from workspace.runtime import Runtime

__all__ = ["DemoContext", "accounts_table", "choose_password", "is_empty", "load"]


def is_empty(rt: Runtime) -> bool:
    with rt.db.read() as session:
        return session.exec(select(User.id)).first() is None


def load(rt: Runtime, password: str) -> DemoContext:
    ctx = DemoContext(rt=rt, password=password)
    history = demo_history.DemoHistory(rt.clock(), len(DEMO_STEPS))
    with activity.recording_as_of(history):
        for index, step in enumerate(DEMO_STEPS):
            history.begin_step(index)
            step(ctx)
    demo_history.spread(ctx, history)  # the other records, to the dates of the log
    return ctx


DEMO_STEPS = [
    demo_people.people,
    demo_people.organisations,
    demo_people.task_group,
    demo_definitions.zero_carbon_definition,
    demo_consultations.consultations,
    demo_small_groups.small_groups,  # an invited consultation; the open one's road shows
    demo_progress.progress,  # programme, milestones, meetings
    demo_reports.evidence_and_report,  # the library, the report and DCLG's response
    demo_notifications.notifications,  # last: what the steps above told people
]


def reset_passwords(rt: Runtime, password: str) -> None:
    """Give every demo account this password (used when the demo already exists)."""
    password_hash = rt.hasher.hash(password)
    with rt.db.write() as unit:
        for user in unit.session.exec(select(User).where(User.email.endswith("@" + DEMO_DOMAIN))):
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
