"""The demo's evidence library and its report to government (a step of
sharedspace/demo/__init__.py): a cost review and a fabric standard study as PDFs, a cost
model as a spreadsheet, the papers of a meeting; then a published report with four
recommendations to DCLG, two answered (accepted, and accepted in part), two awaiting."""

from __future__ import annotations

from datetime import date

from definitions.signoff import service as signoff
from reports.drafting import service as reports
from reports.drafting.forms import RecommendationDraft, ReportDraft
from reports.responses import service as responses
from reports.responses.service import ResponseDraft
from sharedspace.demo import documents
from sharedspace.demo.context import PEOPLE, DemoContext
from taskgroups.evidence import service as evidence
from taskgroups.evidence.forms import EvidenceDraft
from taskgroups.evidence.models import Evidence
from taskgroups.meetings import service as meetings
from workspace.files import service as files
from workspace.files.store import file_hash

DCLG = "Department for Communities and Local Government"

COST_REVIEW = [
    "Cost analysis: meeting the zero carbon standard",
    "Extra-over costs of building to the {target} standard, against Part L {part_l_2013}, fell",
    "by about half between {costs_then} and {costs_now} as suppliers scaled up.",
    "",
    "Semi-detached house: GBP 4,800 ({costs_then}: GBP 9,500).",
    "Mid-terrace house: GBP 3,900. Apartment: GBP 3,000.",
    "",
    "The largest single cost is the fabric: triple glazing and thicker walls.",
    "Allowable solutions priced at GBP 60 per tonne keep the total within reach.",
]
FABRIC_STUDY = [
    "Defining a fabric energy efficiency standard for zero carbon homes",
    "Recommended maximum space heating and cooling demand:",
    "39 kWh/m2/yr for apartment blocks and mid-terrace houses;",
    "46 kWh/m2/yr for semi-detached, end-of-terrace and detached houses.",
    "",
    "Thermal bridging and airtightness matter as much as insulation thickness.",
    "The standard should be checked on site, not only at design stage.",
]
MEETING_PAPERS = [
    "Papers for the fourth meeting",
    "Paper A: options for the carbon compliance limit (10 or 11 kgCO2/m2/yr).",
    "Paper B: how allowable solutions would be priced and verified.",
    "Paper C: timetable to the {target} Part L consultation.",
]
COST_MODEL: list[list[documents.Cell]] = [
    ["Home type", "Extra-over cost {costs_then} (GBP)", "Extra-over cost {costs_now} (GBP)"],
    ["Detached house", 12300, 6100],
    ["Semi-detached house", 9500, 4800],
    ["Mid-terrace house", 7800, 3900],
    ["Apartment", 6000, 3000],
]

RECOMMENDATIONS = [
    "Set the fabric energy efficiency standard in Part L {target} at 39 kWh/m²/yr for "
    "apartments and mid-terrace houses and 46 kWh/m²/yr for other homes.",
    "Set carbon compliance at 10 kgCO₂/m²/yr for detached houses and 11 for other homes, "
    "measured as an absolute limit, not a cut against an older Part L.",
    "Legislate for allowable solutions in the Infrastructure Bill, with a capped price "
    "per tonne of carbon so builders know the cost in advance.",
    "Fund a programme to check that homes as built perform as designed, and report on "
    "the performance gap every year.",
]
RESPONSES = [
    (
        "accepted",
        "The government accepts the standard and will set it in Part L {target}.",
        date(2013, 9, 27),  # days before the demo's today: answered, not yet to come
    ),
    (
        "accepted_in_part",
        "The government accepts an absolute limit, but will consult on the level for "
        "detached houses before deciding.",
        date(2013, 9, 27),
    ),
]
STATEMENT = "https://www.gov.uk/government/news/next-steps-to-zero-carbon-homes"


def evidence_and_report(ctx: DemoContext) -> None:
    rt, group = ctx.rt, ctx.groups["definition"]
    chair = ctx.as_member("chair")
    years = ctx.years()
    cost = _add(
        ctx,
        "chair",
        "Cost analysis: meeting the zero carbon standard",
        "Sweett Group for the Zero Carbon Hub",
        ctx.on(date(2013, 6, 4)),
        "cost_model",
        documents.pdf(COST_REVIEW[0], [line.format(**years) for line in COST_REVIEW[1:]]),
        "cost-analysis.pdf",
    )
    _add(
        ctx,
        "eon",
        "Cost model by home type",
        "Zero Carbon Hub",
        ctx.on(date(2013, 6, 4)),
        "cost_model",
        documents.xlsx("Extra-over costs", _formatted(COST_MODEL, years)),
        "cost-model.xlsx",
    )
    fabric = _add(
        ctx,
        "nhbc",
        "Fabric energy efficiency standard study",
        "Zero Carbon Hub task group on fabric",
        ctx.on(date(2009, 11, 19)),
        "research",
        documents.pdf(FABRIC_STUDY[0], FABRIC_STUDY[1:]),
        "fabric-study.pdf",
    )
    papers = _add(
        ctx,
        "chair",
        "Papers for the fourth meeting",
        "Task group secretariat",
        ctx.on(date(2013, 9, 4)),
        "minutes",
        documents.pdf(MEETING_PAPERS[0], [line.format(**years) for line in MEETING_PAPERS[1:]]),
        "meeting-4-papers.pdf",
        visibility="group",
    )
    with rt.db.read() as session:
        targets = evidence.targets(rt, session, chair, group)
        meeting = next(m for m in meetings.for_group(session, group.id or 0) if "Fourth" in m.title)
    tier = next(t for t in targets if t.kind == "tier" and t.label.startswith("Energy efficiency"))
    evidence.do_link(rt, ctx.as_member("nhbc"), group, fabric.id or 0, tier.value)
    evidence.do_link(rt, chair, group, papers.id or 0, f"meeting:{meeting.id}:")

    report = reports.do_create(
        rt,
        chair,
        group,
        ReportDraft(
            title="Zero carbon homes: the task group's recommendations",
            body="The task group has agreed what a zero carbon home is. These are the "
            f"steps it recommends to government to bring the standard in by **{years['target']}**, "
            "resting on the cost analysis and the fabric study in its library.",
            recommendations=[
                RecommendationDraft(None, text.format(**years), DCLG) for text in RECOMMENDATIONS
            ],
        ),
    )
    with rt.db.read() as session:
        recs = reports.recommendations(session, report.id or 0)
    evidence.do_link(rt, chair, group, cost.id or 0, f"recommendation:{recs[1].id}:")
    evidence.do_link(rt, chair, group, fabric.id or 0, f"recommendation:{recs[0].id}:")
    signoff.do_propose(rt, chair, group, report.id or 0, reports.REPORT)
    for key, _name, org, _role in PEOPLE:
        if org is not None and key != "chair":
            signoff.do_record_position(
                rt, ctx.as_member(key), group, report.id or 0, "support", "", reports.REPORT
            )
    signoff.do_record_position(rt, chair, group, report.id or 0, "support", "", reports.REPORT)
    signoff.do_agree(rt, chair, group, report.id or 0, reports.REPORT)
    reports.do_publish(rt, chair, group, report.id or 0)
    observer = ctx.as_member("observer")
    for rec, (status, statement, on) in zip(recs, RESPONSES, strict=False):
        draft = ResponseDraft(status, statement.format(**years), ctx.on(on), STATEMENT)
        responses.do_respond(rt, observer, rec.id or 0, draft, date.today())


def _formatted(
    rows: list[list[documents.Cell]], years: dict[str, str]
) -> list[list[documents.Cell]]:
    return [[c.format(**years) if isinstance(c, str) else c for c in row] for row in rows]


def _add(
    ctx: DemoContext,
    key: str,
    title: str,
    authors: str,
    on: date,
    kind: str,
    data: bytes,
    filename: str,
    visibility: str = "public",
) -> Evidence:
    rt = ctx.rt
    store = files.store_for(rt.settings)
    temp = store.new_temp()
    temp.write_bytes(data)
    accepted = store.accept(temp, filename, files.allowed(rt.settings), file_hash(temp))
    draft = EvidenceDraft(
        title=title,
        authors=authors,
        published_on=on,
        kind=kind,
        summary=f"{title}, as the task group used it.",
        visibility=visibility,
    )
    item = evidence.do_add(rt, ctx.as_member(key), ctx.groups["definition"], draft, accepted)
    # Read now, not in the background: `sharedspace demo` ends before a thread would.
    evidence.extract_and_index(rt, item.file_id or 0)
    return item
