"""public-service pages written by the secretariat

Revision ID: c4e1a7d9b214
Revises: c4a16e2b7f01
Create Date: 2026-12-01 07:00:00.000000

Issue 14: the help, accessibility, privacy and cookies pages as the secretariat has
edited them (markdown and its rendered HTML). A page without a row shows its default
text, shipped with the code (sharedspace/pages/defaults/).
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workspace.db


revision: str = 'c4e1a7d9b214'
down_revision: str | None = 'c4a16e2b7f01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('service_page',
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('body_html', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('slug')
    )


def downgrade() -> None:
    op.drop_table('service_page')
