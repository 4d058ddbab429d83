"""The demo's first steps: its people, their organisations, and the zero carbon homes task
group with its members and the DCLG observer."""

from __future__ import annotations

from datetime import date

from sharedspace.demo.context import ORGANISATIONS, PEOPLE, REMIT, DemoContext, demo_email
from taskgroups.groups import service as groups
from taskgroups.groups.forms import GroupDraft, MemberSeatDraft, ObserverSeatDraft
from workspace.accounts.service import Registration, do_register
from workspace.db import utcnow
from workspace.models import Organisation


def people(ctx: DemoContext) -> None:
    for key, name, _org, role in PEOPLE:
        reg = Registration(email=demo_email(key), display_name=name, password=ctx.password)
        user = do_register(ctx.rt, reg, secretariat=role == "secretariat", confirmed=True)
        assert user is not None
        ctx.users[key] = user


def organisations(ctx: DemoContext) -> None:
    with ctx.rt.db.write() as unit:
        for name, sector in ORGANISATIONS:
            org = Organisation(
                name=name, slug=name.lower().replace(" ", "-").replace(".", ""), sector=sector
            )
            unit.session.add(org)
            ctx.organisations[name] = org


def task_group(ctx: DemoContext) -> None:
    admin = ctx.viewer("secretariat")
    group = groups.do_create_group(
        ctx.rt,
        admin,
        GroupDraft(name="Zero carbon homes definition", remit=REMIT.format(**ctx.years())),
    )
    ctx.groups["definition"] = group
    for key, _name, org_name, role in PEOPLE:
        if role in ("chair", "member"):
            assert org_name is not None
            groups.do_seat_member(
                ctx.rt,
                admin,
                group,
                MemberSeatDraft(
                    email=demo_email(key),
                    organisation_id=ctx.organisations[org_name].id,
                    role=role,
                ),
            )
    groups.do_seat_observer(
        ctx.rt,
        admin,
        group,
        ObserverSeatDraft(
            email=demo_email("observer"),
            department="Department for Communities and Local Government",
            starts_on=date(utcnow().year - 1, 1, 1),
            ends_on=None,
        ),
    )
