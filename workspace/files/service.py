"""Stored files: recording them, extracting their text, serving them, and removing the
bytes nothing uses any more."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, col, func, select
from starlette.responses import FileResponse, Response

from workspace import csrf
from workspace.db import Database, WriteUnit, utcnow
from workspace.failures import NotFound
from workspace.files.extract import ExtractionFailed, extract_isolated
from workspace.files.models import StoredFile, TextStatus
from workspace.files.store import Accepted, FileStore
from workspace.files.types import TYPES, FileType, allowed_types
from workspace.i18n import gettext as _

if TYPE_CHECKING:
    from workspace.settings import Settings

log = logging.getLogger(__name__)

# What a downloaded file may do in the browser: nothing. Even if a browser were talked
# into rendering it as a page, it would run no script and reach nothing.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def store_for(settings: Settings) -> FileStore:
    return FileStore(settings.data_dir)


def allowed(settings: Settings) -> dict[str, FileType]:
    return allowed_types(settings.upload_types)


def record(unit: WriteUnit, accepted: Accepted) -> StoredFile:
    """The row for these bytes, made the first time they are stored."""
    found = unit.session.exec(
        select(StoredFile).where(StoredFile.sha256 == accepted.sha256)
    ).first()
    if found is None:
        found = StoredFile(
            sha256=accepted.sha256,
            size=accepted.size,
            type_name=accepted.type.name,
            media_type=accepted.type.media_type,
            text_status=TextStatus.PENDING if accepted.type.has_text else TextStatus.NONE,
        )
    found.removed_at = None  # the same bytes again, after they had been removed
    unit.session.add(found)
    unit.session.flush()
    return found


def extract(settings: Settings, db: Database, file_id: int) -> bool:
    """Extract a pending file's text into its row; True when there is new text to index.
    Slow (seconds for a long PDF), so callers run it off the request (see
    taskgroups.evidence.service.extract_and_index)."""
    with db.read() as session:
        row = session.get(StoredFile, file_id)
        if row is None or row.text_status != TextStatus.PENDING:
            return False
        sha256, type_name = row.sha256, row.type_name
    path = store_for(settings).path_for(sha256)
    try:
        text, status = extract_isolated(path, type_name), TextStatus.DONE
    except (ExtractionFailed, OSError) as error:
        log.warning("could not extract text of file %s: %s", file_id, error)
        text, status = "", TextStatus.FAILED
    with db.write() as unit:
        row = unit.session.get(StoredFile, file_id)
        if row is None:
            return False
        row.text, row.text_status = text.replace("\x00", ""), status
        unit.session.add(row)
    return status == TextStatus.DONE


def pending(session: Session) -> list[int]:
    """Files whose text was never extracted (the process stopped first)."""
    query = select(StoredFile.id).where(
        StoredFile.text_status == TextStatus.PENDING, col(StoredFile.removed_at).is_(None)
    )
    return [i for i in session.exec(query) if i is not None]


def release_if_unused(
    db: Database, settings: Settings, file_id: int, in_use: Callable[[Session, int], bool]
) -> bool:
    """Delete the bytes of a file nothing current uses (a withdrawn document's), keeping
    its row as the record; True when removed."""
    with db.write() as unit:
        row = unit.session.get(StoredFile, file_id)
        if row is None or row.removed_at is not None or in_use(unit.session, file_id):
            return False
        row.removed_at = utcnow()
        unit.session.add(row)
        sha256 = row.sha256
    store_for(settings).remove(sha256)
    return True


class StoredFileResponse(FileResponse):
    # Starlette reads 64 KB at a time; every piece then passes each middleware's `send`.
    # A quarter of a megabyte per piece halves the cost per byte and keeps memory small.
    chunk_size = 256 * 1024


def file_response(settings: Settings, row: StoredFile, name: str, *, inline: bool) -> Response:
    """The file, streamed from disk in chunks by Starlette, named for the download and
    fenced in: its own sandboxing CSP, nosniff, and readable by our own pages only."""
    path = store_for(settings).path_for(row.sha256)
    if row.removed_at is not None or not path.is_file():
        log.error("stored file %s (%s) is missing from %s", row.id, row.sha256, path.parent)
        raise NotFound(_("This file is no longer stored. The document's record remains."))
    return StoredFileResponse(
        path,
        media_type=row.media_type,
        filename=name,
        content_disposition_type="inline" if inline else "attachment",
        headers={
            "Content-Security-Policy": FILE_CSP,
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "same-origin",
        },
    )


def keep_token(settings: Settings, accepted: Accepted) -> str:
    """A signed note of a file already accepted, so a form shown again with errors keeps
    it and nobody has to choose the file twice. Signed, so that no one can name a stored
    file they never uploaded."""
    body = f"{accepted.sha256}|{accepted.size}|{accepted.type.name}|{accepted.name}"
    return body + "|" + csrf.sign(settings.secret_key, "kept-file|" + body)


def kept(settings: Settings, token: str) -> Accepted | None:
    """The file a keep_token names, if the token is ours and the file is still on disk."""
    body, _bar, signature = token.rpartition("|")
    parts = body.split("|", 3)
    if len(parts) != 4 or not csrf.valid(settings.secret_key, "kept-file|" + body, signature):
        return None
    sha256, size, type_name, name = parts
    if (
        type_name not in TYPES
        or not size.isdigit()
        or not store_for(settings).path_for(sha256).is_file()
    ):
        return None
    return Accepted(sha256, int(size), TYPES[type_name], name)


@dataclass(frozen=True)
class Usage:
    files: int
    bytes: int
    free_bytes: int
    total_bytes: int
    pending_text: int
    newest: datetime | None


def usage(session: Session, settings: Settings) -> Usage:
    """What stored files take: for the secretariat's health view and /healthz."""
    count, size, newest = session.exec(
        select(
            func.count(col(StoredFile.id)),
            func.coalesce(func.sum(StoredFile.size), 0),
            func.max(StoredFile.created_at),
        ).where(col(StoredFile.removed_at).is_(None))
    ).one()
    disk = store_for(settings).usage()
    return Usage(
        files=int(count),
        bytes=int(size),
        free_bytes=disk.free_bytes,
        total_bytes=disk.total_bytes,
        pending_text=len(pending(session)),
        newest=newest,
    )
