"""The demo's programme, milestones and meetings (a step of sharedspace/demo/__init__.py).

The dates are the Zero Carbon Hub's own calendar, moved to the demo's (`DemoContext.on`):
"today" is five months before the definition is due to be agreed. Some milestones are
done (by hand, and by their deliverables: two meetings held), one has slipped and is
overdue, one is at risk, the rest on track. Titles name years through
`DemoContext.years()`, so none contradicts the date it is due.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import select

from sharedspace.demo.context import DemoContext
from taskgroups.meetings import service as meetings
from taskgroups.meetings.forms import MeetingDraft, NewAction, RecordDraft
from taskgroups.milestones import service as milestones
from taskgroups.milestones.forms import MilestoneDraft, ProgrammeView
from taskgroups.milestones.models import DeliverableKind, Milestone
from workspace.hooks import DeliverableOption

START, TARGET = date(2007, 7, 23), date(2016, 4, 1)

HUB_DONE = [
    (
        "Building a Greener Future: policy statement",
        date(2007, 7, 23),
        "Government sets the timetable: zero carbon new homes by {target}, in three steps.",
        "Published by DCLG.",
    ),
    (
        "Zero Carbon Hub established",
        date(2008, 6, 1),
        "An independent hub to take day-to-day operational responsibility.",
        "Hub launched.",
    ),
    (
        "Part L {part_l_2010}: 25% improvement on {part_l_2006}",
        date(2010, 10, 1),
        "The first step in the Building Regulations.",
        "Part L {part_l_2010} in force.",
    ),
]
HUB_AHEAD = [
    (
        "Part L {part_l_2013}: a further 6% improvement",
        date(2014, 4, 6),
        "The second step, on the way to {target}.",
    ),
    ("Zero carbon new homes", date(2016, 4, 1), "Every new home in England is zero carbon."),
]

MINUTES_1 = """The chair welcomed members and the observer from DCLG.

1. NHBC presented the fabric energy efficiency modelling for each dwelling type.
2. Members discussed whether carbon compliance should be a percentage cut or an
   absolute limit. No agreement yet."""
MINUTES_2 = """1. The group reviewed the objection from the Local Government Association on
   carbon compliance and the revision that answers it.
2. The Climate Group asked for more time to consult its members."""


def _shift(ctx: DemoContext) -> int:
    return (ctx.on(START) - START).days


def _on(day: date, shift: int) -> date:
    return date.fromordinal(day.toordinal() + shift)


def _at(day: date, hour: int, shift: int, zone: str) -> datetime:
    return datetime.combine(_on(day, shift), time(hour, 0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def progress(ctx: DemoContext) -> None:
    rt, shift = ctx.rt, _shift(ctx)
    admin, chair = ctx.viewer("secretariat"), ctx.as_member("chair")
    group = ctx.groups["definition"]
    milestones.do_set_programme(
        rt,
        admin,
        ProgrammeView("Zero carbon new homes", _on(START, shift), _on(TARGET, shift)),
    )

    def add(
        title: str,
        due: date,
        description: str,
        group_: object = None,
        deliverable: DeliverableOption | None = None,
    ) -> Milestone:
        who = chair if group_ is not None else admin
        return milestones.do_create(
            rt,
            who,
            group_,  # type: ignore[arg-type]
            MilestoneDraft(title, description, _on(due, shift), deliverable),
        )

    years = ctx.years()
    for title, due, description, note in HUB_DONE:
        m = add(title.format(**years), due, description.format(**years))
        milestones.do_complete(rt, admin, m.id or 0, note.format(**years))
        _backdate(ctx, m.id or 0, _on(due, shift))
    for title, due, description in HUB_AHEAD:
        add(title.format(**years), due, description.format(**years))

    # Two meetings held, with mixed attendance; a third to come.
    zone = rt.settings.timezone
    held = []
    for title, day in (
        ("Third meeting of the task group", date(2013, 6, 12)),
        ("Fourth meeting of the task group", date(2013, 9, 11)),
        ("Fifth meeting of the task group", date(2013, 11, 6)),
    ):
        held.append(
            meetings.do_schedule(
                rt,
                chair,
                group,
                MeetingDraft(
                    title,
                    _at(day, 14, shift, zone),
                    "NHBC, Milton Keynes, and by video link",
                    "1. Minutes of the last meeting\n2. Carbon compliance\n3. Allowable solutions",
                ),
            )
        )
    for meeting, day in zip(held[:2], (date(2013, 6, 12), date(2013, 9, 11)), strict=True):
        add(
            f"{meeting.title} held",
            day,
            "",
            group,
            DeliverableOption(
                DeliverableKind.MEETING_HELD,
                meeting.id or 0,
                f"Meeting held: {meeting.title}",
                meetings.meeting_url(group, meeting),
                True,
            ),
        )
    with rt.db.read() as session:
        people = meetings.invitees(session, group.id or 0, milestones.today(rt))
    statuses = [({"Tom Ellis"}, "present"), ({"Megan Lloyd", "Priya Shah"}, "apologies")]
    for meeting, minutes, observer, publish in (
        (held[0], MINUTES_1, "present", True),
        (held[1], MINUTES_2, "apologies", False),
    ):
        draft = RecordDraft(
            minutes=minutes,
            decisions="- Model both options for the next meeting",
            publish=publish,
            members={
                p.user_id: next((s for names, s in statuses if p.name in names), "present")
                for p in people.members
            },
            observers={p.user_id: observer for p in people.observers},
            actions=[
                NewAction(
                    "Circulate the cost model for carbon compliance",
                    ctx.users["nhbc"].id,
                    _on(date(2013, 10, 15), shift),
                )
            ],
        )
        meetings.do_record(rt, chair, group, meeting.id or 0, draft, people)
        statuses.reverse()

    # The definition's milestone: proposed (started), agreement to come.
    definition = ctx.definitions.get("zero-carbon")
    if definition is not None:
        add(
            "Zero carbon homes definition agreed",
            date(2014, 3, 1),
            "All member organisations sign off the three tiers.",
            group,
            DeliverableOption(
                DeliverableKind.DEFINITION_AGREED,
                definition.id or 0,
                f"Definition agreed: {definition.title}",
                f"/groups/{group.slug}/definitions/{definition.slug}",
                True,
            ),
        )
    # Slipped and now overdue.
    late = add(
        "Carbon compliance levels recommended",
        date(2013, 3, 1),
        "Recommend the on-site carbon limits to government.",
        group,
    )
    milestones.do_update(
        rt,
        chair,
        late.id or 0,
        MilestoneDraft(
            late.title,
            late.description,
            _on(date(2013, 7, 31), shift),
            None,
            "Waiting for the cost review of the absolute limits",
        ),
    )
    # Due within the at-risk window, with nothing yet under way.
    add(
        "Allowable solutions: consultation outcome published",
        date(2013, 11, 15),
        "Consult on the list of allowable solutions and publish what we heard.",
        group,
    )


def _backdate(ctx: DemoContext, milestone_id: int, day: date) -> None:
    with ctx.rt.db.write() as unit:
        m = unit.session.exec(select(Milestone).where(Milestone.id == milestone_id)).one()
        m.completed_on = day
        unit.session.add(m)
