"""The indexer: drains the search outbox into the backend, and rebuilds the index.

Order matters for durability. The outbox rows commit with the change they describe; the
indexer takes the backend's writer, reads the rows, indexes the objects' *current*
documents, commits the index, and only then deletes the rows it read. A crash anywhere in
between leaves the rows, and indexing them again is harmless (documents are replaced by
key). Rows written while a drain runs have higher ids and wait for the next drain.

The background worker (`workspace/worker.py`) runs `Indexer.drain`: as a task enqueued
when a write commits (`SearchService.wake`) and every minute as a sweep, so rows left by a
crashed process are picked up too. Batching is what keeps it cheap: one index commit
takes in every row that arrived meanwhile, and a drain finding nothing costs one query.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager

from sqlmodel import Session, col, delete, func, select

from workspace.db import Database
from workspace.hooks import Job, PeriodicJob
from workspace.models import SearchOutbox
from workspace.search import (
    DELETE,
    IndexSession,
    SearchService,
    UpgradableBackend,
    chunks,
    doc_key,
)

log = logging.getLogger(__name__)
BATCH = 2000


class Indexer:
    def __init__(self, db: Database, search: SearchService) -> None:
        self.db = db
        self.search = search
        # The task a commit enqueues, and the sweep that catches what a crash left.
        self.job = Job("search.index", self.drain)
        self.sweep = PeriodicJob("search.sweep", self.drain, minutes=1)

    # -- draining -----------------------------------------------------------------------

    def drain(self) -> int:
        """Index everything in the outbox; the number of rows taken in. Returns 0 at once
        when another process holds the index writer: the rows are its to drain. An index
        of an older format is rebuilt first (see `upgrade`)."""
        self.upgrade()
        done = 0
        while True:
            with self.db.read() as session:
                if session.exec(select(SearchOutbox.id).limit(1)).first() is None:
                    return done
            taken = self._drain_batch()
            if taken == 0:
                return done
            done += taken

    def _drain_batch(self) -> int:
        with self.search.backend.writing() as writer:
            if writer is None:
                return 0
            with self.db.read() as session:
                rows = session.exec(
                    select(SearchOutbox).order_by(col(SearchOutbox.id)).limit(BATCH)
                ).all()
                self._apply(session, writer, rows)
        # The index has committed (leaving the block): now the rows may go.
        ids = [row.id for row in rows]
        with self.db.write() as unit:
            unit.session.exec(delete(SearchOutbox).where(col(SearchOutbox.id).in_(ids)))
        return len(rows)

    def _apply(self, session: Session, writer: IndexSession, rows: Sequence[SearchOutbox]) -> None:
        latest: dict[tuple[str, int], str] = {}
        for row in rows:  # in id order: the last op for an object wins
            latest[(row.kind, row.object_id)] = row.op
        wanted: dict[str, list[int]] = {}
        for (kind, object_id), op in latest.items():
            if op == DELETE or kind not in self.search.providers:
                writer.delete(doc_key(kind, object_id))
            else:
                wanted.setdefault(kind, []).append(object_id)
        for kind, ids in wanted.items():
            provider = self.search.providers[kind]
            for batch in chunks(ids):
                found = provider.fetch(session, batch)
                for object_id in batch:
                    # Not returned: gone, hidden or pending. It leaves the index.
                    writer.index_documents(doc_key(kind, object_id), found.get(object_id, []))

    # -- rebuilding ---------------------------------------------------------------------

    def reindex(self) -> int:
        """Rebuild the whole index from the database; the number of documents written.
        Outbox rows present at the start are covered by the rebuild and removed; rows
        that arrive during it stay for the next drain."""
        written = self._rebuild(self.search.backend.rebuilding())
        assert written is not None
        return written

    def upgrade(self) -> int | None:
        """Rebuild the index if the backend holds one of an older format (a schema
        change in a new release): documents written, None when nothing was to do or
        another process is doing it. The older index answers queries until then."""
        backend = self.search.backend
        if not isinstance(backend, UpgradableBackend):
            return None
        written = self._rebuild(backend.upgrading())
        if written is not None:
            log.warning("search index rebuilt in the current format: %d documents", written)
        return written

    def _rebuild(self, rebuilding: AbstractContextManager[IndexSession | None]) -> int | None:
        count = 0
        with rebuilding as writer:
            if writer is None:
                return None
            # Rows up to here were committed before the documents are read below.
            with self.db.read() as session:
                high = session.exec(select(func.max(SearchOutbox.id))).one() or 0
            with self.db.read() as session:
                for kind, provider in self.search.providers.items():
                    for batch in chunks(provider.all_ids(session), 1000):
                        found = provider.fetch(session, batch)
                        for object_id in batch:
                            docs = found.get(object_id, [])
                            writer.index_documents(doc_key(kind, object_id), docs)
                            count += len(docs)
        with self.db.write() as unit:
            unit.session.exec(delete(SearchOutbox).where(col(SearchOutbox.id) <= high))
        return count


def backlog(db: Database) -> int:
    with db.read() as session:
        return int(session.exec(select(func.count()).select_from(SearchOutbox)).one())
