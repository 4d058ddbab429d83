"""The demo's consultations: one open on the zero carbon definition, one closed with its
outcome published. A demo step (see sharedspace/demo/__init__.py), written through the same
service functions as the pages, so the demo has real threads, answers and a summary.

- Closed: "Allowable solutions: what should count?", answered by members and the public
  from several sectors, including a campaign of near-identical answers, with a
  "You said, we did" outcome.
- Open: "Zero carbon homes: the proposed definition", on the definition's latest revision,
  with threaded comments (one from the government observer, badged) and responses.
"""

from __future__ import annotations

import json
from datetime import timedelta

from consultations.comments import service as comments
from consultations.comments.forms import Draft
from consultations.lifecycle import service
from consultations.lifecycle.forms import ConsultationInput
from consultations.moderation import service as moderation
from consultations.outcome import service as outcome
from consultations.outcome.models import OutcomeItem
from consultations.questions import service as questions
from consultations.questions.models import QuestionKind
from consultations.questions.service import QuestionDraft
from consultations.responses import service as responses
from consultations.responses.models import Consent
from consultations.responses.service import ResponseDraft
from definitions.models import Definition
from sharedspace.demo.context import PEOPLE, DemoContext, demo_email
from workspace.accounts.service import Registration, do_register
from workspace.models import Sector

# Extra members of the public, so the summary has more than the seated organisations.
PUBLIC = [
    ("resident1", "Jo Hartley"),
    ("resident2", "Sanjay Mehta"),
    ("resident3", "Ellen Price"),
    ("resident4", "Kwame Boateng"),
    ("builder", "Gareth Rhys"),
]
CAMPAIGN_TEXT = (
    "Every new home should meet the highest fabric standard with no exceptions. "
    "Offsetting is not a substitute for building well."
)


def consultations(ctx: DemoContext) -> None:
    with ctx.rt.db.read() as session:  # the definition as its last demo step left it
        latest = session.get(Definition, ctx.definitions["zero-carbon"].id)
    assert latest is not None
    ctx.definitions["zero-carbon"] = latest
    _register_public(ctx)
    _closed_consultation(ctx)
    _open_consultation(ctx)


def _register_public(ctx: DemoContext) -> None:

    for key, name in PUBLIC:
        user = do_register(
            ctx.rt,
            Registration(email=demo_email(key), display_name=name, password=ctx.password),
            confirmed=True,
        )
        assert user is not None
        ctx.users[key] = user


def _create(
    ctx: DemoContext, title: str, summary: str, body: str, source: str, days_open: tuple[int, int]
) -> int:
    now = ctx.rt.clock()
    data = ConsultationInput(
        title=title,
        summary=summary,
        body=body,
        source=source,
        opens_at=now + timedelta(days=days_open[0]),
        closes_at=now + timedelta(days=days_open[1]),
        moderation="post",
    )
    consultation = service.do_create(ctx.rt, ctx.viewer("chair"), ctx.groups["definition"], data)
    assert consultation.id is not None
    return consultation.id


def _ask(
    ctx: DemoContext, consultation_id: int, asked: list[tuple[str, QuestionKind, bool, list[str]]]
) -> list[int]:
    ids = []
    for prompt, kind, required, choices in asked:
        question = questions.do_add(
            ctx.rt,
            ctx.viewer("chair"),
            consultation_id,
            QuestionDraft(prompt, "", kind, required, choices),
        )
        ids.append(question.id or 0)
    return ids


def _answer(
    ctx: DemoContext,
    key: str,
    consultation_id: int,
    for_org: bool,
    sector: str,
    consent: str,
    answers: dict[int, str],
) -> None:
    responses.do_save(
        ctx.rt,
        ctx.viewer(key),
        consultation_id,
        ResponseDraft(
            on_behalf_of=_org_of(ctx, key) if for_org else "",
            sector=sector,
            consent=consent,
            answers=answers,
        ),
    )


def _org_of(ctx: DemoContext, key: str) -> str:

    return next(org for k, _name, org, _role in PEOPLE if k == key and org)


def _closed_consultation(ctx: DemoContext) -> None:
    cid = _create(
        ctx,
        "Allowable solutions: what should count?",
        "Which off-site measures should count toward a zero carbon home?",
        "The task group asks which **allowable solutions** should count for the "
        "emissions a home cannot cut on site.",
        # Put out on revision 3, before the allowable solutions were listed.
        f"{ctx.definitions['zero-carbon'].id}:3",
        (1, 30),
    )
    q_scale, q_multi, q_text = _ask(
        ctx,
        cid,
        [
            ("Should allowable solutions be allowed at all?", QuestionKind.SCALE, True, []),
            (
                "Which measures should count?",
                QuestionKind.MULTIPLE,
                True,
                [
                    "Community energy schemes",
                    "Retrofit of existing homes",
                    "Low-carbon appliances",
                    "Payment into a carbon fund",
                ],
            ),
            ("Anything else you want the task group to know?", QuestionKind.FREE_TEXT, False, []),
        ],
    )
    service.do_open_now(ctx.rt, ctx.viewer("chair"), cid)
    multi = json.dumps
    _answer(
        ctx,
        "nhbc",
        cid,
        True,
        Sector.PROFESSIONAL_BODY,
        Consent.NAMED,
        {
            q_scale: "Agree",
            q_multi: multi(["Community energy schemes", "Retrofit of existing homes"]),
        },
    )
    _answer(
        ctx,
        "lga",
        cid,
        True,
        Sector.LOCAL_GOVERNMENT,
        Consent.NAMED,
        {
            q_scale: "Strongly agree",
            q_multi: multi(["Community energy schemes"]),
            q_text: "Councils should be able to direct the money to local projects.",
        },
    )
    _answer(
        ctx,
        "eon",
        cid,
        True,
        Sector.ENERGY_SUPPLY,
        Consent.ANONYMOUS,
        {
            q_scale: "Agree",
            q_multi: multi(["Community energy schemes", "Payment into a carbon fund"]),
        },
    )
    for key in ("resident1", "resident2", "resident3"):
        _answer(
            ctx,
            key,
            cid,
            False,
            "individual",
            Consent.NAMED,
            {
                q_scale: "Strongly disagree",
                q_multi: multi(["Retrofit of existing homes"]),
                q_text: CAMPAIGN_TEXT,
            },
        )
    _answer(
        ctx,
        "builder",
        cid,
        False,
        "individual",
        Consent.WITHHELD,
        {q_scale: "Neither agree nor disagree", q_multi: multi(["Payment into a carbon fund"])},
    )
    first = comments.do_post(
        ctx.rt,
        ctx.viewer("lga"),
        cid,
        Draft("A carbon fund only works if the money is spent near the homes that paid in.", ""),
    )
    comments.do_post(
        ctx.rt,
        ctx.viewer("eon"),
        cid,
        Draft(
            "Agreed, but the fund needs a national backstop where councils have no projects.", ""
        ),
        parent_id=first.id,
    )
    service.do_close_now(ctx.rt, ctx.viewer("chair"), cid)
    outcome.do_publish_outcome(
        ctx.rt,
        ctx.viewer("chair"),
        cid,
        (
            "Thank you to the 7 people and organisations who responded. Most supported "
            "allowable solutions with local control; a group of residents opposed them."
        ),
        [
            OutcomeItem(
                consultation_id=cid,
                theme="Let councils direct the money to local projects",
                disposition="accepted",
                comment_id=first.id,
                revision_number=ctx.definitions["zero-carbon"].head_number,
                reason="Local projects now get first call on allowable solutions.",
            ),
            OutcomeItem(
                consultation_id=cid,
                theme="No offsetting: build every home to the top fabric standard",
                question_id=q_text,
                disposition="not_accepted",
                reason="The fabric standard is set at the level the industry can reach by "
                f"{ctx.years()['target']}; allowable solutions cover what remains.",
            ),
            OutcomeItem(consultation_id=cid, theme="A national backstop fund", disposition="noted"),
        ],
    )


def _open_consultation(ctx: DemoContext) -> None:
    definition = ctx.definitions["zero-carbon"]
    cid = _create(
        ctx,
        "Zero carbon homes: the proposed definition",
        "Tell the task group what you think of the three-tier definition.",
        "The task group has proposed a definition of a zero carbon home in three "
        "tiers. Read it below, answer the questions and discuss it in the comments.",
        f"{definition.id}:{definition.head_number}",
        (1, 42),
    )
    q_agree, q_level, _q_why = _ask(
        ctx,
        cid,
        [
            ("Do you agree with the three-tier approach?", QuestionKind.SCALE, True, []),
            (
                "Which carbon compliance limit should apply to detached houses?",
                QuestionKind.SINGLE,
                True,
                ["10 kgCO2/m²/yr", "11 kgCO2/m²/yr", "14 kgCO2/m²/yr"],
            ),
            (
                "What should the task group weigh before it proposes the definition?",
                QuestionKind.FREE_TEXT,
                False,
                [],
            ),
        ],
    )
    service.do_open_now(ctx.rt, ctx.viewer("chair"), cid)
    _answer(
        ctx,
        "ukgbc",
        cid,
        True,
        Sector.ENVIRONMENTAL,
        Consent.NAMED,
        {q_agree: "Agree", q_level: "10 kgCO2/m²/yr"},
    )
    _answer(
        ctx,
        "resident4",
        cid,
        False,
        "individual",
        Consent.ANONYMOUS,
        {q_agree: "Strongly agree", q_level: "11 kgCO2/m²/yr"},
    )
    _answer(
        ctx,
        "public",
        cid,
        False,
        "individual",
        Consent.NAMED,
        {q_agree: "Disagree", q_level: "14 kgCO2/m²/yr"},
    )
    _thread(ctx, cid)


def _thread(ctx: DemoContext, cid: int) -> None:
    post = comments.do_post
    top = post(
        ctx.rt,
        ctx.viewer("ukgbc"),
        cid,
        Draft(
            "The fabric standard is the part that lasts the life of the building. "
            "It should not be traded against on-site generation.",
            "",
        ),
    )
    reply = post(
        ctx.rt,
        ctx.viewer("chair"),
        cid,
        Draft(
            "Builders can meet 39 kWh/m²/yr for flats and mid-terraces; detached homes need "
            "the 46 limit to stay viable.",
            "",
        ),
        parent_id=top.id,
    )
    post(
        ctx.rt,
        ctx.viewer("resident4"),
        cid,
        Draft("As a buyer I would rather pay a little more for a warmer home.", ""),
        parent_id=reply.id,
    )
    post(
        ctx.rt,
        ctx.viewer("observer"),
        cid,
        Draft(
            "For the record: the department is following this discussion and will publish its "
            "response to the task group's recommendation.",
            "",
        ),
    )
    question = post(
        ctx.rt,
        ctx.viewer("resident1"),
        cid,
        Draft("How will allowable solutions be checked once the home is sold?", ""),
    )
    post(
        ctx.rt,
        ctx.viewer("lga"),
        cid,
        Draft("Through building control: councils would sign off the payment or the project.", ""),
        parent_id=question.id,
    )
    rude = post(
        ctx.rt,
        ctx.viewer("builder"),
        cid,
        Draft("This whole exercise is a waste of everyone's money, typical quango nonsense.", ""),
    )
    moderation.do_flag(
        ctx.rt,
        ctx.viewer("resident2"),
        cid,
        rude.id or 0,
        "Insulting rather than about the definition",
    )
    moderation.do_hide(
        ctx.rt,
        ctx.viewer("chair"),
        cid,
        rude.id or 0,
        "Breaks the house rules: please keep to the substance",
    )
