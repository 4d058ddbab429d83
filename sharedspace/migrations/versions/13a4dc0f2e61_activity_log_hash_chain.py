"""activity log hash chain, append-only triggers

Revision ID: 13a4dc0f2e61
Revises: 3c1f7a2b9e40
Create Date: 2026-12-01 07:30:00.000000

Issue 13: each activity event carries the hash of the one before it (workspace/
auditchain.py); events already in the log are chained in id order as they stand. The
database refuses DELETE and any UPDATE of a sealed column (the summary stays writable
for erasure of names). PostgreSQL lets a maintenance session lift the refusal with
`SET LOCAL sharedspace.allow_purge = 'on'` (the tests' per-test emptying uses it).
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '13a4dc0f2e61'
down_revision: str | None = '3c1f7a2b9e40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCKED = (
    "id", "created_at", "actor_id", "verb", "object_type", "object_id", "group_id",
    "visibility", "url", "prev_hash", "hash",
)
MESSAGE = "the activity log is append-only: events cannot be deleted or their sealed fields changed"

PG_FUNCTION = f"""
CREATE FUNCTION activity_event_append_only() RETURNS trigger AS $$
BEGIN
  IF current_setting('sharedspace.allow_purge', true) = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION '{MESSAGE}';
  END IF;
  IF ({", ".join("NEW." + c for c in LOCKED)}) IS DISTINCT FROM
     ({", ".join("OLD." + c for c in LOCKED)}) THEN
    RAISE EXCEPTION '{MESSAGE}';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql
"""
PG_TRIGGER = (
    "CREATE TRIGGER activity_event_append_only BEFORE UPDATE OR DELETE ON activity_event "
    "FOR EACH ROW EXECUTE FUNCTION activity_event_append_only()"
)
SQLITE_TRIGGERS = [
    "CREATE TRIGGER activity_event_no_delete BEFORE DELETE ON activity_event "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER activity_event_no_update BEFORE UPDATE OF {', '.join(LOCKED)} "
    f"ON activity_event BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]


def upgrade() -> None:
    with op.batch_alter_table('activity_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=''))
    with op.batch_alter_table('activity_event', schema=None) as batch_op:
        batch_op.alter_column('prev_hash', server_default=None)
        batch_op.alter_column('hash', server_default=None)
    _chain_existing()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def _chain_existing() -> None:
    from sqlmodel import Session, col, select

    from workspace import auditchain
    from workspace.models import ActivityEvent

    session = Session(bind=op.get_bind())
    previous = auditchain.GENESIS
    for event in session.exec(select(ActivityEvent).order_by(col(ActivityEvent.id))):
        event.prev_hash = previous
        event.hash = previous = auditchain.digest(event, previous)
        session.add(event)
    session.flush()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS activity_event_append_only ON activity_event")
        op.execute("DROP FUNCTION IF EXISTS activity_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS activity_event_no_delete")
        op.execute("DROP TRIGGER IF EXISTS activity_event_no_update")
    with op.batch_alter_table('activity_event', schema=None) as batch_op:
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
