"""The demo's other ways of consulting (a demo step, after the consultations):

- An invited small-group consultation on the definition's latest (draft) revision: NHBC,
  the Local Government Association and E.ON are invited; NHBC and E.ON responded, E.ON
  in commercial confidence; the summary only is to be published when it closes.
- The open consultation's two road shows: Manchester, held this morning, with its
  attendance and three responses entered from its paper forms (and one letter), and
  Bristol, to come, with a place taken.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from consultations.invitations import service as invitations
from consultations.invitations.models import Publication
from consultations.lifecycle import service as lifecycle
from consultations.lifecycle.models import Consultation
from consultations.questions.models import QuestionKind
from consultations.questions.service import for_consultation
from consultations.responses import service as responses
from consultations.responses.models import Consent
from consultations.responses.service import ResponseDraft
from consultations.roadshows import service as roadshows
from consultations.roadshows.models import Channel
from sharedspace.demo.consultations import _answer, _ask, _create
from sharedspace.demo.context import PEOPLE, DemoContext
from workspace.models import Sector

OPEN_TITLE = "Zero carbon homes: the proposed definition"
INVITED = ("nhbc", "lga", "eon")


def small_groups(ctx: DemoContext) -> None:
    _invited_consultation(ctx)
    _road_shows(ctx)


def _invited_consultation(ctx: DemoContext) -> None:
    definition = ctx.definitions["zero-carbon"]
    cid = _create(
        ctx,
        "Allowable solutions: small-group consultation on the draft",
        "Invited organisations: tell us how allowable solutions would work for you.",
        "Before the definition goes to public consultation, the task group asks the "
        "organisations that would deliver allowable solutions about the draft. This "
        "consultation is by invitation: only those invited and the task group read it.",
        f"{definition.id}:{definition.head_number}",
        (1, 21),
    )
    chair = ctx.viewer("chair")
    invitations.do_set_audience(ctx.rt, chair, cid, "invited", Publication.SUMMARY)
    q_cost, q_how = _ask(
        ctx,
        cid,
        [
            ("Could you deliver allowable solutions at £46 a tonne?", QuestionKind.SCALE, True, []),
            ("What would help you deliver them?", QuestionKind.FREE_TEXT, False, []),
        ],
    )
    for key in INVITED:
        org = ctx.organisations[_org(key)]
        draft = invitations.InviteDraft(ctx.users[key].email, org.id, whole_organisation=False)
        invitations.do_invite(ctx.rt, chair, cid, draft)
    lifecycle.do_open_now(ctx.rt, chair, cid)
    _answer(
        ctx,
        "nhbc",
        cid,
        True,
        Sector.PROFESSIONAL_BODY,
        Consent.NAMED,
        {q_cost: "Agree", q_how: "A national register of approved allowable solutions."},
    )
    _answer_in_confidence(ctx, cid, q_cost, q_how)


def _answer_in_confidence(ctx: DemoContext, cid: int, q_cost: int, q_how: int) -> None:
    responses.do_save(
        ctx.rt,
        ctx.viewer("eon"),
        cid,
        ResponseDraft(
            on_behalf_of=_org("eon"),
            sector=Sector.ENERGY_SUPPLY,
            consent=Consent.NAMED,
            answers={
                q_cost: "Disagree",
                q_how: "Our own cost modelling puts district heating at £61 a tonne.",
            },
            confidential=True,
        ),
    )


def _org(key: str) -> str:
    return next(org for k, _n, org, _r in PEOPLE if k == key and org)


def _road_shows(ctx: DemoContext) -> None:
    with ctx.rt.db.read() as session:
        consultation = session.exec(
            select(Consultation).where(Consultation.title == OPEN_TITLE)
        ).one()
        questions = for_consultation(session, consultation.id or 0)
    cid = consultation.id or 0
    chair = ctx.viewer("chair")
    now = ctx.rt.clock()
    held = roadshows.do_create(
        ctx.rt,
        chair,
        cid,
        roadshows.EventDraft(
            title="Road show: Manchester",
            starts_at=now - timedelta(hours=5),
            ends_at=now - timedelta(hours=3),
            address="Manchester Central, Windmill Street, Manchester M2 3GX",
            where="Exchange Hall, stand 14",
            host_organisation_id=ctx.organisations["NHBC"].id,
            capacity=40,
        ),
    )
    bristol = roadshows.do_create(
        ctx.rt,
        chair,
        cid,
        roadshows.EventDraft(
            title="Road show: Bristol",
            starts_at=now + timedelta(days=10),
            ends_at=now + timedelta(days=10, hours=2),
            address="The Watershed, 1 Canon's Road, Bristol BS1 5TX",
            where="Cinema 2",
            host_organisation_id=ctx.organisations["UK Green Building Council"].id,
            capacity=30,
        ),
    )
    show_id = held.id or 0
    roadshows.do_appoint(ctx.rt, chair, cid, show_id, ctx.users["nhbc"].id or 0)
    nhbc = ctx.viewer("nhbc")
    roadshows.do_record_attendance(
        ctx.rt,
        nhbc,
        cid,
        show_id,
        28,
        "NHBC\nLocal Government Association\nManchester City Council\nPeel Homes",
    )
    q_agree, q_level = (q.id or 0 for q in questions[:2])
    paper = [
        ("Sue Ashworth", "", "individual", "Agree", "10 kgCO2/m²/yr"),
        ("Dev Kaur", "Peel Homes", Sector.INDUSTRY, "Disagree", "14 kgCO2/m²/yr"),
        ("", "", "individual", "Strongly agree", "10 kgCO2/m²/yr"),
    ]
    for name, org, sector, agree, level in paper:
        draft = ResponseDraft(
            on_behalf_of=org,
            sector=sector,
            consent=Consent.NAMED if name else Consent.ANONYMOUS,
            answers={q_agree: agree, q_level: level},
        )
        away = roadshows.AwayDraft(Channel.EVENT, show_id, name, draft)
        roadshows.do_enter(ctx.rt, nhbc, cid, away)
    letter = ResponseDraft(
        on_behalf_of="Cornwall Council",
        sector=Sector.LOCAL_GOVERNMENT,
        consent=Consent.NAMED,
        answers={q_agree: "Agree", q_level: "11 kgCO2/m²/yr"},
    )
    roadshows.do_enter(
        ctx.rt, chair, cid, roadshows.AwayDraft(Channel.LETTER, None, "Planning officer", letter)
    )
    roadshows.do_sign_up(ctx.rt, ctx.viewer("public"), cid, bristol.id or 0)
