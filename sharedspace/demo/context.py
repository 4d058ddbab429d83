"""What every demo step shares: the hub's people and organisations, and the context a
step receives (what the earlier steps made)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from definitions.models import Definition
from taskgroups.groups.models import TaskGroup
from workspace.auth import viewer_of
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
government and environmental groups can all sign up to, in time for the {target} step in
Part L of the Building Regulations.

It works in three tiers, each building on the one beneath it:

1. **Energy efficiency** — a minimum standard of fabric performance.
2. **Carbon compliance** — carbon reduced on site, including on-site generation.
3. **Allowable solutions** — measures for the reductions difficult to achieve on site.
"""


# The Zero Carbon Hub's own calendar ran from the 2007 policy statement to April 2016;
# the demo's "today" is 1 October 2013 in it. Every date the demo writes, and every year
# its texts name, is that calendar moved by one whole number of days to the real today,
# so the story reads the same whenever it is loaded (tests/sharedspace/test_demo_years.py).
PROGRAMME_TODAY = date(2013, 10, 1)
# The years the texts name, each as the programme date it stands for.
NAMED_YEARS = {
    "part_l_2006": date(2006, 4, 6),  # the Part L the first targets were set against
    "outline": date(2008, 6, 1),  # the hub's first outline of the definition
    "part_l_2010": date(2010, 10, 1),
    "costs_then": date(2011, 6, 1),  # the first cost study
    "costs_now": date(2013, 6, 1),  # the cost review the task group rests on
    "part_l_2013": date(2014, 4, 6),
    "review": date(2014, 10, 1),  # when members want the limits checked
    "target": date(2016, 4, 1),  # the programme's target date
}


@dataclass
class DemoContext:
    rt: Runtime
    password: str
    users: dict[str, User] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    groups: dict[str, TaskGroup] = field(default_factory=dict)
    # Feature steps keep what later steps need here (the definition a consultation is on).
    definitions: dict[str, Definition] = field(default_factory=dict)

    def on(self, day: date) -> date:
        """A date of the programme's calendar, moved to the demo's."""
        today = self.rt.clock().astimezone(ZoneInfo(self.rt.settings.timezone)).date()
        return day + (today - PROGRAMME_TODAY)

    def years(self) -> dict[str, str]:
        """The years the texts name (NAMED_YEARS), in the demo's calendar, for str.format."""
        return {name: str(self.on(day).year) for name, day in NAMED_YEARS.items()}

    def viewer(self, key: str) -> Viewer:
        return self.as_member(key)

    def as_member(self, key: str) -> Viewer:
        """A viewer with the user's real seats, for steps that write as them."""
        with self.rt.db.read() as session:
            return viewer_of(session, self.users[key], self.rt.group_roles, self.rt.invited_to)


def demo_email(key: str) -> str:
    return f"{key}@{DEMO_DOMAIN}"
