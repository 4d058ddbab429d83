"""invited consultations and road shows: audience, invitations, channels, road shows

Revision ID: c4a16e2b7f01
Revises: 729eec1e9cd8
Create Date: 2026-12-01 07:45:00.000000

Issue 16: a consultation is open or by invitation (`audience`), and the chair chooses what
of an invited one becomes public after closing (`publication`); invitations to people and
organisations with single-use, hashed, expiring links; responses marked commercially
confidential; road-show events (sign-up with a waiting list, appointed facilitators,
attendance) and each response's channel, event and who entered it (a response gathered on
paper has no account, so `response.user_id` becomes nullable). Existing consultations stay
open and publish as before; existing responses are online ones.
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
    op.create_table('road_show',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('starts_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('where', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('host_organisation_id', sa.Integer(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('attendance', sa.Integer(), nullable=True),
    sa.Column('organisations_present', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['host_organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('road_show', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_road_show_consultation_id'), ['consultation_id'], unique=False)
    op.create_table('road_show_facilitator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('road_show_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['road_show_id'], ['road_show.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('road_show_id', 'user_id')
    )
    with op.batch_alter_table('road_show_facilitator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_road_show_facilitator_road_show_id'), ['road_show_id'], unique=False)
    op.create_table('road_show_signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('road_show_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('waiting', sa.Boolean(), nullable=False),
    sa.Column('created_at', workspace.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['road_show_id'], ['road_show.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('road_show_id', 'user_id')
    )
    with op.batch_alter_table('road_show_signup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_road_show_signup_road_show_id'), ['road_show_id'], unique=False)
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidential', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default='online'))
        batch_op.add_column(sa.Column('road_show_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('entered_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('respondent_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=''))
        batch_op.alter_column('user_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f('ix_response_road_show_id'), ['road_show_id'], unique=False)
        batch_op.create_foreign_key('fk_response_road_show_id_road_show', 'road_show', ['road_show_id'], ['id'])
        batch_op.create_foreign_key('fk_response_entered_by_user', 'user', ['entered_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint('fk_response_entered_by_user', type_='foreignkey')
        batch_op.drop_constraint('fk_response_road_show_id_road_show', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_response_road_show_id'))
        batch_op.alter_column('user_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('respondent_name')
        batch_op.drop_column('entered_by')
        batch_op.drop_column('road_show_id')
        batch_op.drop_column('channel')
        batch_op.drop_column('confidential')
    op.drop_table('road_show_signup')
    op.drop_table('road_show_facilitator')
    op.drop_table('road_show')
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.drop_column('publication')
        batch_op.drop_column('audience')
    with op.batch_alter_table('consultation_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_invitation_user_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_invitation_token_hash'))
        batch_op.drop_index(batch_op.f('ix_consultation_invitation_email'))
        batch_op.drop_index(batch_op.f('ix_consultation_invitation_consultation_id'))
    op.drop_table('consultation_invitation')
