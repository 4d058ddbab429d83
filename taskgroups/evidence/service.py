"""The evidence library: adding, editing, withdrawing and linking documents, and the
queries the pages need, always filtered by who may see what.

A group-only document is never listed, served or found by search for anyone outside the
group: `readable_clause` is the one filter every query here uses, and the search
documents carry the same visibility.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, func, select

from taskgroups.evidence.forms import EvidenceDraft
from taskgroups.evidence.models import Evidence, EvidenceLink, Visibility
from taskgroups.groups.models import TaskGroup
from workspace import activity, hooks, search
from workspace.db import WriteUnit, utcnow
from workspace.failures import Invalid, NotFound
from workspace.files import service as files
from workspace.files.models import StoredFile
from workspace.files.store import Accepted
from workspace.hooks import EvidenceTarget, Job, PeriodicJob
from workspace.i18n import gettext as _
from workspace.markdown import render_markdown
from workspace.models import User
from workspace.permissions import Action, Viewer, can, require
from workspace.runtime import Runtime

log = logging.getLogger(__name__)
KIND = "evidence"  # the search document kind, and the activity log's object type


def evidence_url(group: TaskGroup, evidence: Evidence) -> str:
    return f"/groups/{group.slug}/evidence/{evidence.id}"


# -- reading ----------------------------------------------------------------------------


def readable_clause(viewer: Viewer, group_id: int) -> Any:
    """Public items for everyone, every item for those who read the group's private work."""
    if can(viewer, Action.READ_GROUP_PRIVATE, group_id):
        return True
    return Evidence.visibility == Visibility.PUBLIC


def readable(viewer: Viewer, evidence: Evidence) -> bool:
    return evidence.is_public or can(viewer, Action.READ_GROUP_PRIVATE, evidence.group_id)


def library(
    session: Session, viewer: Viewer, group_id: int, kind: str = ""
) -> list[tuple[Evidence, StoredFile | None]]:
    query = (
        select(Evidence, StoredFile)
        .join(StoredFile, col(StoredFile.id) == col(Evidence.file_id), isouter=True)
        .where(Evidence.group_id == group_id, readable_clause(viewer, group_id))
    )
    if kind:
        query = query.where(Evidence.kind == kind)
    query = query.order_by(
        col(Evidence.withdrawn_at).is_not(None),
        col(Evidence.published_on).desc(),
        col(Evidence.id).desc(),
    )
    return [(e, f) for e, f in session.exec(query).all()]


def get(session: Session, viewer: Viewer, group: TaskGroup, evidence_id: int) -> Evidence:
    """The item, if it is this group's and the viewer may see it; NotFound otherwise, so
    that a group-only document's existence is not given away."""
    found = session.get(Evidence, evidence_id)
    if found is None or found.group_id != group.id or not readable(viewer, found):
        raise NotFound(_("There is no such document in this library."))
    return found


def names(session: Session, *user_ids: int | None) -> dict[int, str]:
    ids = [i for i in user_ids if i is not None]
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.display_name).where(col(User.id).in_(ids))).all()
    return {i: name for i, name in rows if i is not None}


def targets(
    rt: Runtime, session: Session, viewer: Viewer, group: TaskGroup
) -> list[EvidenceTarget]:
    """Everything in the group that evidence can be linked to, as the features say."""
    return hooks.flat(rt.hook.evidence_targets(rt=rt, session=session, viewer=viewer, group=group))


def links_of(session: Session, evidence_id: int) -> list[EvidenceLink]:
    query = select(EvidenceLink).where(EvidenceLink.evidence_id == evidence_id)
    return list(session.exec(query.order_by(col(EvidenceLink.id))).all())


def _linked_statement(private: bool, one: bool) -> Any:
    target = col(EvidenceLink.target_id)
    query = (
        select(EvidenceLink, Evidence)
        .join(Evidence, col(Evidence.id) == col(EvidenceLink.evidence_id))
        .where(
            EvidenceLink.target_kind == bindparam("kind"),
            # An expanding IN list is written out again on every call; one target (a
            # consultation's page) needs none.
            target == bindparam("id") if one else target.in_(bindparam("ids", expanding=True)),
            Evidence.group_id == bindparam("group_id"),
        )
    )
    if not private:  # as readable_clause: public items only
        query = query.where(Evidence.visibility == Visibility.PUBLIC)
    return query.order_by(col(Evidence.title))


# Read on every consultation page and definition view: built once, one statement for
# those who may read the group's private items and one for everyone else, each for one
# target and for several (issue 19).
LINKED = {
    (private, one): _linked_statement(private, one)
    for private in (True, False)
    for one in (True, False)
}


def linked_to(
    session: Session, viewer: Viewer, group_id: int, kind: str, target_ids: Iterable[int]
) -> dict[tuple[int, str], list[Evidence]]:
    """The evidence this viewer may see linked to these targets, by (target id, key):
    what a tier, a consultation or a recommendation shows as resting on."""
    ids = list(target_ids)
    if not ids:
        return {}
    one = len(ids) == 1
    query = LINKED[can(viewer, Action.READ_GROUP_PRIVATE, group_id), one]
    targets = {"id": ids[0]} if one else {"ids": ids}
    rows = session.exec(query, params={"kind": kind, "group_id": group_id, **targets}).all()
    found: dict[tuple[int, str], list[Evidence]] = {}
    for link, evidence in rows:
        found.setdefault((link.target_id, link.target_key), []).append(evidence)
    return found


def group_counts(session: Session, viewer: Viewer, group_id: int) -> int:
    query = select(func.count(col(Evidence.id))).where(
        Evidence.group_id == group_id,
        readable_clause(viewer, group_id),
        col(Evidence.withdrawn_at).is_(None),
    )
    return int(session.exec(query).one())


# -- writing ----------------------------------------------------------------------------


def do_add(
    rt: Runtime,
    actor: Viewer,
    group: TaskGroup,
    draft: EvidenceDraft,
    accepted: Accepted | None,
) -> Evidence:
    require(actor, Action.CONTRIBUTE_EVIDENCE, group.id)
    with rt.db.write() as unit:
        stored = files.record(unit, accepted) if accepted else None
        evidence = Evidence(
            group_id=group.id or 0,
            title=draft.title,
            file_id=stored.id if stored else None,
            file_name=accepted.name if accepted else "",
            created_by=actor.user_id,
        )
        _apply(evidence, draft)
        unit.session.add(evidence)
        unit.session.flush()
        _log(unit, actor, "evidence.added", evidence, group, f"Evidence added: {evidence.title}")
        search.enqueue(rt, unit, KIND, evidence.id)
        if stored is not None and stored.text_status == "pending":
            file_id = stored.id or 0
            unit.after_commit(lambda: extract_in_background(rt, file_id))
    return evidence


def do_update(
    rt: Runtime, actor: Viewer, group: TaskGroup, evidence_id: int, draft: EvidenceDraft
) -> Evidence:
    with rt.db.write() as unit:
        evidence = _own(unit, group, evidence_id)
        check_may_change(actor, evidence)
        _apply(evidence, draft)
        evidence.updated_at = utcnow()
        unit.session.add(evidence)
        _log(unit, actor, "evidence.updated", evidence, group, f"Evidence updated: {draft.title}")
        search.enqueue(rt, unit, KIND, evidence.id)
    return evidence


def check_may_change(actor: Viewer, evidence: Evidence) -> None:
    """Who added an item may change or withdraw it; so may the chairs and the secretariat."""
    require(actor, Action.CONTRIBUTE_EVIDENCE, evidence.group_id)
    if evidence.created_by != actor.user_id:
        require(actor, Action.MANAGE_PROCESS, evidence.group_id)
    if evidence.withdrawn:
        raise Invalid(_("This document has been withdrawn and can no longer be changed."))


def do_withdraw(
    rt: Runtime, actor: Viewer, group: TaskGroup, evidence_id: int, reason: str
) -> Evidence:
    """Stop serving the file and remove it from search; the record stays, saying who
    withdrew it, when and why, so no link to it ever breaks."""
    with rt.db.write() as unit:
        evidence = _own(unit, group, evidence_id)
        check_may_change(actor, evidence)
        evidence.withdrawn_at, evidence.withdrawn_by = utcnow(), actor.user_id
        evidence.withdrawn_reason = reason.strip()[:500]
        unit.session.add(evidence)
        _log(unit, actor, "evidence.withdrawn", evidence, group, f"Withdrawn: {evidence.title}")
        search.enqueue(rt, unit, KIND, evidence.id, search.DELETE)
        file_id = evidence.file_id
        if file_id is not None:
            unit.after_commit(lambda: release_unused(rt, file_id))
    return evidence


def release_unused(rt: Runtime, file_id: int) -> None:
    """Delete a file's bytes once no current document uses them (a withdrawn document's
    file is not kept: withdrawal is how a document that should not be here leaves)."""
    files.release_if_unused(rt.db, rt.settings, file_id, file_in_use)


def file_in_use(session: Session, file_id: int) -> bool:
    query = select(Evidence.id).where(
        Evidence.file_id == file_id, col(Evidence.withdrawn_at).is_(None)
    )
    return session.exec(query).first() is not None


def do_link(
    rt: Runtime, actor: Viewer, group: TaskGroup, evidence_id: int, target_value: str
) -> EvidenceTarget:
    require(actor, Action.CONTRIBUTE_EVIDENCE, group.id)
    with rt.db.read() as session:
        choices = {t.value: t for t in targets(rt, session, actor, group) if t.may_link}
    target = choices.get(target_value)
    if target is None:
        raise Invalid(_("Choose what to link this document to"))
    with rt.db.write() as unit:
        evidence = _own(unit, group, evidence_id)
        if evidence.withdrawn:
            raise Invalid(_("A withdrawn document cannot be linked."))
        exists = unit.session.exec(
            select(EvidenceLink.id).where(
                EvidenceLink.evidence_id == evidence_id,
                EvidenceLink.target_kind == target.kind,
                EvidenceLink.target_id == target.target_id,
                EvidenceLink.target_key == target.key,
            )
        ).first()
        if exists is None:
            unit.session.add(
                EvidenceLink(
                    evidence_id=evidence_id,
                    target_kind=target.kind,
                    target_id=target.target_id,
                    target_key=target.key,
                    created_by=actor.user_id,
                )
            )
            _log(
                unit,
                actor,
                "evidence.linked",
                evidence,
                group,
                f"{evidence.title} linked to {target.label}",
            )
    return target


def do_unlink(rt: Runtime, actor: Viewer, group: TaskGroup, evidence_id: int, link_id: int) -> None:
    require(actor, Action.CONTRIBUTE_EVIDENCE, group.id)
    with rt.db.read() as session:
        allowed = {t.value for t in targets(rt, session, actor, group) if t.may_link}
    with rt.db.write() as unit:
        evidence = _own(unit, group, evidence_id)
        link = unit.session.get(EvidenceLink, link_id)
        if link is None or link.evidence_id != evidence_id:
            raise NotFound(_("That link does not exist."))
        value = f"{link.target_kind}:{link.target_id}:{link.target_key}"
        if value not in allowed:
            raise Invalid(_("You cannot change what that is linked to."))
        unit.session.delete(link)
        _log(unit, actor, "evidence.unlinked", evidence, group, f"{evidence.title} unlinked")


def _own(unit: WriteUnit, group: TaskGroup, evidence_id: int) -> Evidence:
    evidence = unit.session.get(Evidence, evidence_id)
    if evidence is None or evidence.group_id != group.id:
        raise NotFound(_("There is no such document in this library."))
    return evidence


def _apply(evidence: Evidence, draft: EvidenceDraft) -> None:
    evidence.title, evidence.authors = draft.title, draft.authors
    evidence.published_on, evidence.kind = draft.published_on, draft.kind
    evidence.summary, evidence.summary_html = draft.summary, render_markdown(draft.summary)
    evidence.url, evidence.visibility = draft.url, draft.visibility


def _log(
    unit: WriteUnit, actor: Viewer, verb: str, evidence: Evidence, group: TaskGroup, summary: str
) -> None:
    activity.record(
        unit,
        actor_id=actor.user_id,
        verb=verb,
        object_type=KIND,
        object_id=evidence.id,
        group_id=group.id,
        summary=summary,
        url=evidence_url(group, evidence),
        visibility=activity.PUBLIC if evidence.is_public else activity.GROUP,
    )


# -- text for search, off the request ---------------------------------------------------


def extract_and_index(rt: Runtime, file_id: int) -> None:
    """Read the text inside a stored file and queue every document that uses it for
    indexing. The worker runs it for each upload (`extraction_job`)."""
    if not files.extract(rt.settings, rt.db, file_id):
        return
    with rt.db.write() as unit:
        users = unit.session.exec(select(Evidence.id).where(Evidence.file_id == file_id)).all()
        for evidence_id in users:
            search.enqueue(rt, unit, KIND, evidence_id)


def extraction_job(rt: Runtime) -> Job:
    """Read one uploaded file's text in the background worker (retried if it fails)."""
    return Job(
        "evidence.extract",
        lambda file_id: extract_and_index(rt, file_id),
        retries=2,
        retry_delay=60,
    )


def sweep_job(rt: Runtime) -> PeriodicJob:
    """Once an hour, read any file still waiting (uploaded before the queue knew it, or
    whose job gave up): extraction skips a file that is no longer pending."""
    return PeriodicJob("evidence.extract_pending", lambda: extract_pending(rt), minutes=60)


def extract_in_background(rt: Runtime, file_id: int) -> None:
    """After an upload commits: queue the file for the worker."""
    rt.worker.enqueue(extraction_job(rt), file_id)


def extract_pending(rt: Runtime) -> None:
    with rt.db.read() as session:
        waiting = files.pending(session)
    for file_id in waiting:
        try:
            extract_and_index(rt, file_id)
        except Exception:
            log.exception("text extraction of file %s failed", file_id)
