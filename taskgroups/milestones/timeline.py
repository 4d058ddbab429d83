"""The programme timeline as data for a server-rendered SVG.

Milestones are placed by due date between the programme's start and its target date.
Status is shown by colour and by shape (circle done, square on track, triangle at risk,
cross overdue), so it never depends on colour alone; the page also has a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from taskgroups.milestones.forms import ProgrammeView
from taskgroups.milestones.models import MilestoneStatus
from taskgroups.milestones.service import MilestoneRow
from workspace import formats
from workspace.i18n import gettext as _
from workspace.i18n import ngettext

WIDTH, LEFT, RIGHT = 960, 40, 40
AXIS_Y = 110
HEIGHT = 210

# Colours with at least 3:1 contrast on white (WCAG 1.4.11), and a shape each.
STYLE = {
    MilestoneStatus.DONE: ("#00703c", "circle"),
    MilestoneStatus.ON_TRACK: ("#1d70b8", "square"),
    MilestoneStatus.AT_RISK: ("#a14a00", "triangle"),
    MilestoneStatus.OVERDUE: ("#d4351c", "cross"),
}


@dataclass
class Mark:
    number: int
    x: float
    label_y: float
    colour: str
    shape: str
    path: str
    title: str


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Legend:
    x: float
    colour: str
    path: str
    label: str


@dataclass
class Timeline:
    width: int
    height: int
    axis_y: int
    left: int
    right: float
    ticks: list[Tick]
    marks: list[Mark]
    legend: list[Legend]
    today_x: float | None
    target_x: float
    today_label: str
    target_label: str
    start_label: str
    desc: str


def shape_path(shape: str, x: float, y: float, r: float = 8) -> str:
    if shape == "circle":
        return f"M {x - r:.1f} {y:.1f} a {r} {r} 0 1 0 {2 * r} 0 a {r} {r} 0 1 0 {-2 * r} 0 Z"
    if shape == "square":
        return f"M {x - r:.1f} {y - r:.1f} h {2 * r} v {2 * r} h {-2 * r} Z"
    if shape == "triangle":
        return (
            f"M {x:.1f} {y - r - 1:.1f} L {x + r + 1:.1f} {y + r:.1f} "
            f"L {x - r - 1:.1f} {y + r:.1f} Z"
        )
    w = r / 2.5  # cross: an X made of one closed outline
    return (
        f"M {x - r:.1f} {y - r + w:.1f} L {x - r + w:.1f} {y - r:.1f} L {x:.1f} {y - w:.1f} "
        f"L {x + r - w:.1f} {y - r:.1f} L {x + r:.1f} {y - r + w:.1f} L {x + w:.1f} {y:.1f} "
        f"L {x + r:.1f} {y + r - w:.1f} L {x + r - w:.1f} {y + r:.1f} L {x:.1f} {y + w:.1f} "
        f"L {x - r + w:.1f} {y + r:.1f} L {x - r:.1f} {y + r - w:.1f} L {x - w:.1f} {y:.1f} Z"
    )


def long_date(on: date) -> str:
    return formats.day(on)


def build(programme: ProgrammeView, rows: list[MilestoneRow], on: date) -> Timeline:
    start = min([programme.starts_on, *(r.milestone.due_on for r in rows)])
    end = max([programme.target_on, *(r.milestone.due_on for r in rows)])
    span = max((end - start).days, 1)
    right = WIDTH - RIGHT

    def x_of(day: date) -> float:
        return LEFT + (right - LEFT) * (day - start).days / span

    ticks = [
        Tick(x_of(date(year, 1, 1)), str(year)) for year in range(start.year + 1, end.year + 1)
    ]
    marks = []
    for number, row in enumerate(rows, start=1):
        colour, shape = STYLE[row.status]
        x = x_of(row.milestone.due_on)
        marks.append(
            Mark(
                number=number,
                x=x,
                label_y=AXIS_Y - 22 - 16 * ((number - 1) % 3),
                colour=colour,
                shape=shape,
                path=shape_path(shape, x, AXIS_Y),
                title=_(
                    "%(number)s. %(title)s: due %(date)s, %(status)s",
                    number=number,
                    title=row.milestone.title,
                    date=long_date(row.milestone.due_on),
                    status=row.status.label.lower(),
                ),
            )
        )
    legend = [
        Legend(
            LEFT + 150 * i, colour, shape_path(shape, LEFT + 150 * i + 8, HEIGHT - 22), status.label
        )
        for i, (status, (colour, shape)) in enumerate(STYLE.items())
    ]
    counts = {s: sum(1 for r in rows if r.status is s) for s in MilestoneStatus}
    span_words = _(
        "%(goal)s: from %(start)s to the target date %(target)s. Today is %(today)s.",
        goal=programme.goal,
        start=long_date(programme.starts_on),
        target=long_date(programme.target_on),
        today=long_date(on),
    )
    tally = ", ".join(
        _("%(count)s %(status)s", count=n, status=s.label.lower()) for s, n in counts.items()
    )
    desc = " ".join(
        (
            span_words,
            ngettext(
                "%(num)d milestone: %(tally)s.",
                "%(num)d milestones: %(tally)s.",
                len(rows),
                tally=tally,
            ),
        )
    )
    today_x = x_of(on) if start <= on <= end else None
    return Timeline(
        width=WIDTH,
        height=HEIGHT,
        axis_y=AXIS_Y,
        left=LEFT,
        right=right,
        ticks=ticks,
        marks=marks,
        legend=legend,
        today_x=today_x,
        target_x=x_of(programme.target_on),
        today_label=_("Today, %(date)s", date=long_date(on)),
        target_label=_("Target %(date)s", date=long_date(programme.target_on)),
        start_label=long_date(programme.starts_on),
        desc=desc,
    )
