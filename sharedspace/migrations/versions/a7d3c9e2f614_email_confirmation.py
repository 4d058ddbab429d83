"""email confirmation

Revision ID: a7d3c9e2f614
Revises: e5c8a1f0b6d2
Create Date: 2026-12-01 11:20:00.000000

Issue 18 item 5: a new account is unconfirmed until its owner follows the emailed link
(`user.email_confirmed_at`, and the single-use `email_confirmation` links, kept as hashes).
Every account that exists already is grandfathered: confirmed as of its creation, so the
retention job never deletes it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workspace.db

revision: str = "a7d3c9e2f614"
down_revision: str | None = "e5c8a1f0b6d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_confirmed_at", workspace.db.UTCDateTime(timezone=True), nullable=True
            )
        )
    op.execute('UPDATE "user" SET email_confirmed_at = created_at')
    op.create_table(
        "email_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", workspace.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", workspace.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", workspace.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("email_confirmation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_email_confirmation_token_hash"), ["token_hash"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_email_confirmation_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("email_confirmation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_confirmation_user_id"))
        batch_op.drop_index(batch_op.f("ix_email_confirmation_token_hash"))
    op.drop_table("email_confirmation")
    # Native DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch rebuild of the user table is
    # refused by the foreign keys of every table that points at it.
    op.execute('ALTER TABLE "user" DROP COLUMN email_confirmed_at')
