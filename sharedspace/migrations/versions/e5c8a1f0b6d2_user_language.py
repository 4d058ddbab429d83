"""user language

Revision ID: e5c8a1f0b6d2
Revises: 5d8e2a6b9c47
Create Date: 2026-12-01 10:00:00.000000

Issue 18 item 4: the language a signed-in person chose with the header's switcher ("en",
"cy"; "" until they choose), so their pages and the mail sent to them follow it.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'e5c8a1f0b6d2'
down_revision: str | None = '5d8e2a6b9c47'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN, keeping its default: dropping the default afterwards would make
    # SQLite rebuild the user table, which every other table's foreign keys refuse.
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default=''))


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch rebuild of the user table is
    # refused by the foreign keys of every table that points at it.
    op.execute('ALTER TABLE "user" DROP COLUMN language')
