"""The demo's zero carbon homes definition: drafted, merged, proposed and disputed.

A demo step (see sharedspace/demo/__init__.py): the task group writes the three-tier hierarchy
through the same service functions the pages use, so the demo carries a real history.

- Revision 1: the chair (Home Builders Federation) starts from the hub's first outline.
- Revision 2: NHBC splits the fabric standard by dwelling type (39 and 46 kWh/m²/yr).
- Revision 3: UK Green Building Council turns carbon compliance into an absolute limit.
- Revision 4: E.ON names the allowable solutions. It started from revision 2 before
  revision 3 was saved, so it is merged onto it automatically (different tiers).
- The chair proposes revision 4; the organisations take mixed positions and the Local
  Government Association objects.
- Revision 5: the chair answers the objection in the text, marks the dispute resolved
  in revision 5, and positions are recorded again on it. The Climate Group has yet to
  record one, so the definition stays proposed.
"""

from __future__ import annotations

from dataclasses import replace

from definitions import service
from definitions.signoff import service as signoff
from definitions.signoff.models import DisputeStatus, Stance
from definitions.tiers import Metric, Tier, new_tier_key
from sharedspace.demo.context import DemoContext


def _prose(text: str) -> str:
    """Markdown as a person types it in the form: one line per paragraph or list item
    (the source here is wrapped for reading), so compare pages diff it cleanly."""
    blocks = text.strip().split("\n\n")
    return "\n\n".join(
        block if block.startswith("- ") else " ".join(block.split("\n")) for block in blocks
    )


TITLE = "Zero carbon homes"
PURPOSE = (
    "What a new home in England must achieve to be called zero carbon from {target}: "
    "three tiers, each including the ones beneath it."
)

FABRIC_V1 = _prose("""
A home keeps the energy it needs for heating and cooling low through its
fabric alone: insulation, airtightness, glazing and thermal bridging. This is the
**Fabric Energy Efficiency** standard, modelled at design stage and checked when the
home is complete.

Services and generation cannot make up for a poor fabric, because the fabric lasts for
the life of the home.""")

FABRIC_V2 = (
    FABRIC_V1
    + "\n\n"
    + _prose("""
The limit depends on the form of the home:

- apartments and mid-terrace houses: at most **39 kWh/m²/yr**
- end-terrace, semi-detached and detached houses: at most **46 kWh/m²/yr**""")
)

CARBON_V1 = _prose("""
On top of the fabric standard, a home cuts its **regulated emissions** (space
heating, hot water, fixed lighting, pumps and fans) by **70%** against Part L {part_l_2006}.

Efficient services and low and zero carbon energy on the site, or directly connected to
it, count towards the cut.""")

CARBON_V2 = _prose("""
On top of the fabric standard, a home's **regulated emissions** (space heating,
hot water, fixed lighting, pumps and fans) stay within an absolute limit per square
metre of floor area, whatever Part L says at the time:

- detached houses: at most **10 kgCO₂/m²/yr**
- other houses: at most **11 kgCO₂/m²/yr**
- low-rise apartments: at most **14 kgCO₂/m²/yr**

Efficient services and low and zero carbon energy on the site, or directly connected to
it, count towards the limit.""")

ALLOWABLE_V1 = _prose("""
The regulated emissions left after carbon compliance, counted over 30 years,
are abated by measures away from the site. The list of allowable measures is still to
be agreed.""")

ALLOWABLE_V2 = _prose("""
The regulated emissions left after carbon compliance, counted over 30 years,
are abated by one or more allowable solutions:

- further carbon reductions on the site beyond carbon compliance
- connection to a near-site low carbon heat network
- investment in off-site renewable generation
- retrofit of existing homes to cut their emissions

The developer chooses the mix, and a fund may deliver it for them at a capped price
per tonne of carbon.""")

ALLOWABLE_V3 = (
    ALLOWABLE_V2
    + "\n\n"
    + _prose("""
Where the local planning authority keeps a list of carbon-saving projects in its area,
allowable solutions are offered to those projects first, so that the community that
takes the new homes sees the benefit.""")
)

# (member key, stance, comment) — the organisations' positions on revision 4.
FIRST_ROUND = [
    ("chair", Stance.SUPPORT, ""),
    ("nhbc", Stance.SUPPORT, "The fabric figures match what our inspectors see on site."),
    (
        "ukgbc",
        Stance.RESERVATIONS,
        "We support the limits, but they should be checked in {review} against how homes "
        "perform once built, not only against design-stage models.",
    ),
    (
        "eon",
        Stance.RESERVATIONS,
        "Heat networks need a connection standard, or schemes that are never built will "
        "be counted as allowable solutions.",
    ),
    (
        "lga",
        Stance.OBJECT,
        "As written, allowable solutions money can be spent anywhere in the country. "
        "Councils need first call on it, so that communities taking new homes see the "
        "benefit locally.",
    ),
    ("climate", Stance.SUPPORT, ""),
]

# Positions on revision 5, after the chair's change. The Climate Group is still to come.
SECOND_ROUND = [
    ("lga", Stance.SUPPORT, "Revision 5 meets our objection; we withdraw it."),
    ("chair", Stance.SUPPORT, ""),
    ("nhbc", Stance.SUPPORT, ""),
    (
        "ukgbc",
        Stance.RESERVATIONS,
        "As before: the limits should be reviewed in {review} against as-built performance.",
    ),
    (
        "eon",
        Stance.RESERVATIONS,
        "We still want a connection standard for heat networks before {target}.",
    ),
]


def first_draft(years: dict[str, str]) -> list[Tier]:
    """Revision 1, base of the pyramid first; `years` as `DemoContext.years()`."""
    return [
        Tier(
            key=new_tier_key(),
            name="Energy efficiency",
            summary="Good building fabric performance",
            requirement=FABRIC_V1,
            metric=Metric("<=", "46", "kWh/m²/yr"),
        ),
        Tier(
            key=new_tier_key(),
            name="Carbon compliance",
            summary="70% cut in regulated emissions on site, with on-site generation",
            requirement=CARBON_V1.format(**years),
            metric=Metric(">=", "70", "% below Part L " + years["part_l_2006"]),
        ),
        Tier(
            key=new_tier_key(),
            name="Allowable solutions",
            summary="Measures for the reductions that are hard to achieve on site",
            requirement=ALLOWABLE_V1,
        ),
    ]


def _change(tiers: list[Tier], name: str, **changes: object) -> list[Tier]:
    assert any(t.name == name for t in tiers), name
    return [replace(t, **changes) if t.name == name else t for t in tiers]  # type: ignore[arg-type]


def zero_carbon_definition(ctx: DemoContext) -> None:
    """The demo step: write the definition and take it through sign-off."""
    rt, group = ctx.rt, ctx.groups["definition"]
    chair = ctx.as_member("chair")
    years = ctx.years()
    rev1 = first_draft(years)
    definition = service.do_create(rt, chair, group, TITLE, PURPOSE.format(**years), rev1)
    assert definition.id is not None
    ctx.definitions["zero-carbon"] = definition

    def save(key: str, base: int, tiers: list[Tier], note: str, *, merged: bool = False) -> int:
        result = service.do_save(
            rt, ctx.as_member(key), group, definition.id or 0, base, tiers, note
        )
        assert result.number is not None, result
        assert result.merged == merged, result
        return result.number

    rev2 = _change(
        rev1, "Energy efficiency", requirement=FABRIC_V2, metric=Metric("<=", "39", "kWh/m²/yr")
    )
    save(
        "nhbc",
        1,
        rev2,
        "Fabric standard split by form of home: 39 kWh/m²/yr for apartments and "
        "mid-terrace houses, 46 for the rest. One figure cannot suit both.",
    )
    rev3 = _change(
        rev2,
        "Carbon compliance",
        requirement=CARBON_V2,
        summary="Carbon cut on site, including on-site generation",
        metric=Metric("<=", "10", "kgCO₂/m²/yr"),
    )
    save(
        "ukgbc",
        2,
        rev3,
        "Carbon compliance as an absolute limit per square metre instead of 70% "
        "against Part L {part_l_2006}, so it holds steady through the {part_l_2010} and "
        "{part_l_2013} changes.".format(**years),
    )
    # E.ON's edit started from revision 2, before the UK-GBC saved revision 3.
    e_on = _change(
        rev2,
        "Allowable solutions",
        requirement=ALLOWABLE_V2,
        summary="Off-site and near-site measures for the emissions that remain",
    )
    proposed = save(
        "eon",
        2,
        e_on,
        "Named the allowable solutions, including heat networks and off-site "
        "renewables, with a capped-price fund.",
        merged=True,
    )

    signoff.do_propose(rt, chair, group, definition.id)
    for key, stance, comment in FIRST_ROUND:
        said = comment.format(**years)
        signoff.do_record_position(rt, ctx.as_member(key), group, definition.id, stance, said)

    with rt.db.read() as session:
        head = service.tiers_of(session, definition.id, proposed)
    answer = save(
        "chair",
        proposed,
        _change(head, "Allowable solutions", requirement=ALLOWABLE_V3),
        "Allowable solutions: local planning authorities' own projects get "
        "first call, answering the Local Government Association's objection.",
    )
    with rt.db.read() as session:
        (open_dispute,) = signoff.disputes(session, definition.id, open_only=True)
    signoff.do_answer_dispute(
        rt,
        chair,
        group,
        definition.id or 0,
        open_dispute.id or 0,
        DisputeStatus.RESOLVED,
        f"Revision {answer} gives councils first call on allowable solutions in their area.",
        answer,
    )
    for key, stance, comment in SECOND_ROUND:
        said = comment.format(**years)
        signoff.do_record_position(rt, ctx.as_member(key), group, definition.id, stance, said)
