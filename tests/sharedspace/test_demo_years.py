"""The demo tells one story (issue 14): its dates are the Zero Carbon Hub's calendar moved
to today, so every year its texts name must be moved with them.

The rule, checked over every text column of every table after `demo.load` (titles,
remits, tiers, comments, answers, milestones, meetings, evidence, reports, mail):

1. every year a text names lies within the demo's programme as stored, from two years
   before its start (the Part L its first targets were set against) to its target year;
2. a milestone names no year after the one it is due in, except the target year the
   whole programme works towards.

Before, the texts said "from 2016" and "reviewed in 2014" while the programme ran to
2029, and a milestone "Part L 2010" was due in 2023: both rules catch that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlalchemy import String, Text, select
from sqlalchemy.types import TypeEngine
from sqlmodel import SQLModel

from sharedspace import demo
from taskgroups.milestones.models import Milestone, Programme
from workspace.runtime import Runtime

# A year standing as a word: not part of a longer number, an ISO date or time, a path.
YEAR = re.compile(r"(?<![\w./:-])((?:19|20)[0-9]{2})(?![\w/:-]|-[0-9])")
# Columns that hold no words a person wrote: hashes, tokens, addresses, machine data.
NOT_TEXT = re.compile(r"hash|token|secret|password|email|url|slug|fingerprint|sha|key|mime")


def _texts(rt: Runtime) -> Iterator[tuple[str, str]]:
    """(table.column, value) for every non-empty text value in the database."""
    with rt.db.read() as session:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                if not _is_text(column.type) or NOT_TEXT.search(column.name):
                    continue
                for (value,) in session.execute(select(column)):
                    if value:
                        yield f"{table.name}.{column.name}", str(value)


def _is_text(kind: TypeEngine[object]) -> bool:
    """String columns, SQLModel's AutoString (a decorated String) among them."""
    return isinstance(kind, String | Text) or isinstance(getattr(kind, "impl", None), String)


def _years(text: str) -> set[int]:
    return {int(y) for y in YEAR.findall(text)}


def test_no_demo_text_names_a_year_its_dates_contradict(rt: Runtime) -> None:
    demo.load(rt, "demo password 1")
    with rt.db.read() as session:
        programme = session.execute(select(Programme)).scalars().one()
        milestones = list(session.execute(select(Milestone)).scalars())
    first, target = programme.starts_on.year - 2, programme.target_on.year
    named = [(where, text, _years(text)) for where, text in _texts(rt)]
    outside = [
        (where, text[:120], sorted(y for y in years if not first <= y <= target))
        for where, text, years in named
        if any(not first <= y <= target for y in years)
    ]
    assert outside == [], f"years outside {first} to {target}"
    # The rule is not idle: the story does name years, in the programme's own calendar.
    assert any(target in years for _w, _t, years in named)
    assert any(years - {target} for _w, _t, years in named)

    ahead_of_due = [
        (m.title, m.due_on, sorted(ahead))
        for m in milestones
        if (
            ahead := _years(f"{m.title} {m.description}") - set(range(m.due_on.year + 1)) - {target}
        )
    ]
    assert ahead_of_due == []
