"""Evidence factories: real documents (made by sharedspace.demo.documents) stored through
the real file store and services, and uploads through the real upload route."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from sharedspace.demo import documents
from taskgroups.evidence import service as evidence
from taskgroups.evidence.forms import EvidenceDraft
from taskgroups.evidence.models import Evidence
from taskgroups.groups.models import TaskGroup
from tests.client import HubClient
from workspace.files import service as files
from workspace.files.models import StoredFile
from workspace.files.store import file_hash
from workspace.permissions import Viewer
from workspace.runtime import Runtime


def sample_pdf(*words: str) -> bytes:
    return documents.pdf("Fabric energy efficiency study", ["Findings:", *words])


def add_evidence(
    rt: Runtime,
    who: Viewer,
    group: TaskGroup,
    title: str = "Cost review",
    data: bytes | None = None,
    filename: str = "cost-review.pdf",
    visibility: str = "group",
    url: str = "",
) -> Evidence:
    """An item added through the service, its text extracted before it returns."""
    accepted = None
    if data is not None:
        store = files.store_for(rt.settings)
        temp = store.new_temp()
        temp.write_bytes(data)
        accepted = store.accept(temp, filename, files.allowed(rt.settings), file_hash(temp))
    draft = EvidenceDraft(title=title, kind="research", visibility=visibility, url=url)
    item = evidence.do_add(rt, who, group, draft, accepted)
    if item.file_id is not None:
        evidence.extract_and_index(rt, item.file_id)
    return item


def upload(
    client: HubClient,
    group: TaskGroup,
    data: bytes,
    filename: str,
    fields: dict[str, Any] | None = None,
) -> Any:
    """POST the evidence form as a browser does: multipart, the token first, the file last."""
    body = {
        "csrf_token": client.csrf_token(),
        "title": "Uploaded study",
        "kind": "research",
        "visibility": "group",
        **(fields or {}),
    }
    return client.post(
        f"/groups/{group.slug}/evidence/new",
        data=body,
        files={"file": (filename, data, "application/octet-stream")},
    )


def stored(rt: Runtime, item: Evidence) -> StoredFile:
    with rt.db.read() as session:
        row = session.exec(select(StoredFile).where(StoredFile.id == item.file_id)).one()
    return row
