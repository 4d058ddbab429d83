"""Invited consultations made through the real services: drafted, turned to "by
invitation" while still a draft, then opened by the chair."""

from __future__ import annotations

from datetime import timedelta

from consultations.invitations import service as invitations
from consultations.invitations.models import Invitation, Publication
from consultations.lifecycle import service as lifecycle
from consultations.lifecycle.models import Consultation
from tests.consultations.factories import make_consultation
from tests.definitions.factories import viewer_for
from tests.factories import World
from workspace.runtime import Runtime


def make_invited(
    rt: Runtime,
    world: World,
    title: str = "Fabric standard: small group",
    publication: Publication = Publication.SUMMARY,
) -> Consultation:
    now = rt.clock()
    consultation = make_consultation(
        rt,
        world,
        title=title,
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(days=30),
    )
    chair = viewer_for(rt, world.users["chair"])
    invitations.do_set_audience(rt, chair, consultation.id or 0, "invited", publication)
    return lifecycle.do_open_now(rt, chair, consultation.id or 0)


def invite(
    rt: Runtime,
    world: World,
    consultation: Consultation,
    email: str = "",
    organisation_id: int | None = None,
    *,
    whole: bool = False,
) -> Invitation:
    chair = viewer_for(rt, world.users["chair"])
    draft = invitations.InviteDraft(email, organisation_id, whole)
    return invitations.do_invite(rt, chair, consultation.id or 0, draft)
