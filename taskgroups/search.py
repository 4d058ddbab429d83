"""What task groups put in the search index: groups, meetings, milestones and evidence.

Each `fetch` turns ids into documents with one query per table (no N+1); an id it does
not return leaves the index. Visibility follows the pages: a group's page and milestones
are public; a meeting's agenda is the group's, its minutes public once published.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select

from taskgroups.evidence.models import KIND_NAMES, Evidence
from taskgroups.groups.models import TaskGroup
from taskgroups.meetings.models import Meeting
from taskgroups.meetings.service import meeting_url
from taskgroups.milestones.models import Milestone
from workspace.files.models import StoredFile
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
EVIDENCE = "evidence"


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


def _evidence(session: Session, ids: Sequence[int]) -> dict[int, list[SearchDocument]]:
    """A document in a library, with the text inside its file; withdrawn ones leave the
    index, and group-only ones are the group's, exactly as the library lists them."""
    rows = session.exec(
        select(Evidence, TaskGroup, StoredFile)
        .join(TaskGroup, col(TaskGroup.id) == Evidence.group_id)
        .join(StoredFile, col(StoredFile.id) == col(Evidence.file_id), isouter=True)
        .where(col(Evidence.id).in_(ids), col(Evidence.withdrawn_at).is_(None))
    ).all()
    return {
        e.id or 0: [
            SearchDocument(
                kind=EVIDENCE,
                object_id=e.id or 0,
                title=e.title,
                body="\n".join([e.authors, plain_text(e.summary), stored.text if stored else ""]),
                url=f"/groups/{group.slug}/evidence/{e.id}",
                date=_day(e.published_on) if e.published_on else e.created_at,
                visibility=PUBLIC if e.is_public else group_visibility(group.id or 0),
                group_id=group.id,
                label=KIND_NAMES.get(e.kind, "Evidence"),
            )
        ]
        for e, group, stored in rows
    }


def _day(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _ids(
    model: type[TaskGroup] | type[Meeting] | type[Milestone] | type[Evidence],
) -> AllIdsFn:
    def all_ids(session: Session) -> Iterable[int]:
        query = select(model.id).order_by(col(model.id))
        return [i for i in session.exec(query) if i is not None]

    return all_ids


PROVIDERS = [
    DocumentProvider(GROUP, "Task groups", _groups, _ids(TaskGroup)),
    DocumentProvider(MEETING, "Meetings", _meetings, _ids(Meeting)),
    DocumentProvider(MILESTONE, "Milestones", _milestones, _ids(Milestone)),
    DocumentProvider(EVIDENCE, "Evidence", _evidence, _ids(Evidence)),
]
