"""underground: a mine's stope plans (stopes, schedule, fill balance), append-only

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

``stope_plans`` holds each version of a mine's stope plan (issue 20): the parameters it was
made with (economics, stope shape, schedule, fill recipe), the block model it was made on or
the uploaded values' hash, its figures (stope value and bound, NPV and gap) and its three
files' paths and hashes (stopes, schedule, fill balance), and a vein-shape plan's fourth (each
shape's walls per slice; none for box stopes). Append-only, with 0008's triggers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aurum.store.triggers import guard_append_only, unguard_append_only

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = 'stope_plans'


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('parameters', sa.JSON(), nullable=False),
        sa.Column('model_id', sa.Integer(), nullable=True),
        sa.Column('inputs_sha256', sa.String(length=64), nullable=False),
        sa.Column('start_period', sa.String(length=7), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('stopes', sa.Integer(), nullable=False),
        sa.Column('value_cny', sa.Double(), nullable=False),
        sa.Column('upper_bound_cny', sa.Double(), nullable=False),
        sa.Column('schedule_method', sa.String(length=16), nullable=False),
        sa.Column('npv_cny', sa.Double(), nullable=False),
        sa.Column('gap', sa.Double(), nullable=True),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.Column('code_version', sa.String(length=32), nullable=False),
        sa.Column('stopes_path', sa.String(length=500), nullable=False),
        sa.Column('stopes_sha256', sa.String(length=64), nullable=False),
        sa.Column('schedule_path', sa.String(length=500), nullable=False),
        sa.Column('schedule_sha256', sa.String(length=64), nullable=False),
        sa.Column('balance_path', sa.String(length=500), nullable=False),
        sa.Column('balance_sha256', sa.String(length=64), nullable=False),
        sa.Column('walls_path', sa.String(length=500), nullable=True),
        sa.Column('walls_sha256', sa.String(length=64), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                name=op.f('fk_stope_plans_created_by_users')),
        sa.ForeignKeyConstraint(['model_id'], ['resource_models.id'],
                                name=op.f('fk_stope_plans_model_id_resource_models')),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_stope_plans_site_id_sites')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stope_plans')),
        sa.UniqueConstraint('site_id', 'version', name='uq_stope_plans_site_version'))
    op.create_index(op.f('ix_stope_plans_site_id'), TABLE, ['site_id'])
    # The triggers of 0008: a plan is a record, never changed once written.
    guard_append_only([TABLE])


def downgrade() -> None:
    unguard_append_only([TABLE])
    op.drop_index(op.f('ix_stope_plans_site_id'), table_name=TABLE)
    op.drop_table(TABLE)
