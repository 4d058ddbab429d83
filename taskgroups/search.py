"""What task groups put in the search index: groups, meetings and milestones.

Each `fetch` turns ids into documents with one query per table (no N+1); an id it does
not return leaves the index. Visibility follows the pages: a group's page and milestones
are public; a meeting's agenda is the group's, its minutes public once published.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time

from sqlmodel import Session, col, select

from taskgroups.groups.models import TaskGroup
from taskgroups.meetings.models import Meeting
from taskgroups.meetings.service import meeting_url
from taskgroups.milestones.models import Milestone
from workspace.markdown import plain_text
from workspace.search import (
    PUBLIC,
    AllIdsFn,
    DocumentProvider,
    SearchDocument,
    group_visibility,
)

GROUP = "group"
MEETING = "meeting"
MILESTONE = "milestone"


def _groups(session: Session, ids: Sequence[int]) -> dict[int, list[SearchDocument]]:
    rows = session.exec(select(TaskGroup).where(col(TaskGroup.id).in_(ids))).all()
    return {
        g.id or 0: [
            SearchDocument(
                kind=GROUP,
                object_id=g.id or 0,
                title=g.name,
                body=plain_text(g.remit_source),
                url=f"/groups/{g.slug}",
                date=g.created_at,
                visibility=PUBLIC,
                group_id=g.id,
            )
        ]
        for g in rows
    }


def _meetings(session: Session, ids: Sequence[int]) -> dict[int, list[SearchDocument]]:
    rows = session.exec(
        select(Meeting, TaskGroup)
        .join(TaskGroup, col(TaskGroup.id) == Meeting.group_id)
        .where(col(Meeting.id).in_(ids))
    ).all()
    found: dict[int, list[SearchDocument]] = {}
    for meeting, group in rows:
        private = group_visibility(group.id or 0)
        common = {
            "kind": MEETING,
            "object_id": meeting.id or 0,
            "title": f"{meeting.title}: {group.name}",
            "url": meeting_url(group, meeting),
            "date": meeting.starts_at,
            "group_id": group.id,
        }
        docs = [
            SearchDocument(
                **common,  # type: ignore[arg-type]
                body=f"{meeting.place}\n{plain_text(meeting.agenda)}",
                visibility=private,
                part="agenda",
                label="Agenda",
            )
        ]
        if meeting.recorded_at is not None:
            docs.append(
                SearchDocument(
                    **common,  # type: ignore[arg-type]
                    body=f"{plain_text(meeting.minutes)}\n{plain_text(meeting.decisions)}",
                    visibility=PUBLIC if meeting.minutes_published else private,
                    part="minutes",
                    label="Minutes" if meeting.minutes_published else "Minutes, not published",
                )
            )
        found[meeting.id or 0] = docs
    return found


def _milestones(session: Session, ids: Sequence[int]) -> dict[int, list[SearchDocument]]:
    rows = session.exec(select(Milestone).where(col(Milestone.id).in_(ids))).all()
    return {
        m.id or 0: [
            SearchDocument(
                kind=MILESTONE,
                object_id=m.id or 0,
                title=m.title,
                body=f"{plain_text(m.description)}\n{m.deliverable_label}\n{m.completion_note}",
                url=f"/milestones/{m.id}",
                date=datetime.combine(m.due_on, time(), UTC),
                visibility=PUBLIC,
                group_id=m.group_id,
                label="Done" if m.completed_on else "",
            )
        ]
        for m in rows
    }


def _ids(model: type[TaskGroup] | type[Meeting] | type[Milestone]) -> AllIdsFn:
    def all_ids(session: Session) -> Iterable[int]:
        query = select(model.id).order_by(col(model.id))
        return [i for i in session.exec(query) if i is not None]

    return all_ids


PROVIDERS = [
    DocumentProvider(GROUP, "Task groups", _groups, _ids(TaskGroup)),
    DocumentProvider(MEETING, "Meetings", _meetings, _ids(Meeting)),
    DocumentProvider(MILESTONE, "Milestones", _milestones, _ids(Milestone)),
]
