"""search document

Revision ID: b253b04da4d8
Revises: 373232d3c2d0
Create Date: 2026-11-23 16:04:38.128682

The PostgreSQL search backend's table (SEARCH_BACKEND=postgres, workspace/search_pg.py).
On PostgreSQL it also gets a generated, stored tsvector (English; title weight A, body
weight B) and a GIN index on it; the models leave both out (migrate.include_object). On
SQLite the table exists but stays empty: search there is Whoosh's.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workspace.db

revision: str = "b253b04da4d8"
down_revision: str | None = "373232d3c2d0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("visibility", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("public_from", workspace.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("date", workspace.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("indexed_at", workspace.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("doc_id"),
    )
    op.create_index(op.f("ix_search_document_key"), "search_document", ["key"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE search_document ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english'::regconfig, title), 'A') || "
            "setweight(to_tsvector('english'::regconfig, body), 'B')) STORED"
        )
        op.execute("CREATE INDEX ix_search_document_tsv ON search_document USING gin (tsv)")


def downgrade() -> None:
    # The tsvector column and its index go with the table.
    op.drop_index(op.f("ix_search_document_key"), table_name="search_document")
    op.drop_table("search_document")
