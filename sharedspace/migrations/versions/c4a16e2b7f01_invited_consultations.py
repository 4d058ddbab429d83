"""invited consultations: audience, publication choice, invitations, confidential responses

Revision ID: c4a16e2b7f01
Revises: 729eec1e9cd8
Create Date: 2026-12-01 07:45:00.000000

Issue 16: a consultation is open or by invitation (`audience`), and the chair chooses what
of an invited one becomes public after closing (`publication`); invitations to people and
organisations with single-use, hashed, expiring links; responses marked commercially
confidential. Existing consultations stay open and publish as before.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workspace.db


revision: str = 'c4a16e2b7f01'
down_revision: str | None = '729eec1e9cd8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('consultation_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('whole_organisation', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('expires_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', workspace.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', workspace.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.Column('reminded_at', workspace.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delegated_from', sa.Integer(), nullable=True),
    sa.Column('invited_by', sa.Integer(), nullable=True),
    sa.Column('created_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], ),
    sa.ForeignKeyConstraint(['delegated_from'], ['consultation_invitation.id'], ),
    sa.ForeignKeyConstraint(['invited_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consultation_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_invitation_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_invitation_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_invitation_token_hash'), ['token_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_invitation_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default='open'))
        batch_op.add_column(sa.Column('publication', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default='responses'))
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidential', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('confidential')
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.drop_column('publication')
        batch_op.drop_column('audience')
    with op.batch_alter_table('consultation_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_invitation_user_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_invitation_token_hash'))
        batch_op.drop_index(batch_op.f('ix_consultation_invitation_email'))
        batch_op.drop_index(batch_op.f('ix_consultation_invitation_consultation_id'))
    op.drop_table('consultation_invitation')
