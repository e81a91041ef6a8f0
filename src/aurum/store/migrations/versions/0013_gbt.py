"""gbt: industrial indicators per mine, versioned, and geological-block estimates

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

``industrial_indicators`` holds each version of a mine's industrial indicators (工业指标,
DZ/T 0205-2020: cut-off, minimum industrial grade, minimum mining thickness, maximum
internal-waste thickness, metre-grade), a change being a new version with its reason;
``block_estimates`` holds each geological-block estimate (地质块段法, issue 19) with its
files' paths and hashes, its provenance, its totals by GB/T 17766-2020 category and its
kriging check. Both are append-only, with 0008's triggers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aurum.store.triggers import guard_append_only, unguard_append_only

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('industrial_indicators', 'block_estimates')


def _authored() -> list[sa.Column]:
    return [sa.Column('created_by', sa.Integer(), nullable=True),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False)]


def upgrade() -> None:
    op.create_table(
        'industrial_indicators',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('cutoff_gpt', sa.Double(), nullable=False),
        sa.Column('min_industrial_gpt', sa.Double(), nullable=False),
        sa.Column('min_thickness_m', sa.Double(), nullable=False),
        sa.Column('max_waste_m', sa.Double(), nullable=False),
        sa.Column('min_metre_grade', sa.Double(), nullable=True),
        sa.Column('source', sa.String(length=100), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        *_authored(),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                name=op.f('fk_industrial_indicators_created_by_users')),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_industrial_indicators_site_id_sites')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_industrial_indicators')),
        sa.UniqueConstraint('site_id', 'version', name='uq_industrial_indicators_site_version'))
    op.create_index(op.f('ix_industrial_indicators_site_id'), 'industrial_indicators',
                    ['site_id'])
    op.create_table(
        'block_estimates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('indicators_version', sa.Integer(), nullable=True),
        sa.Column('indicators', sa.JSON(), nullable=False),
        sa.Column('grade_column', sa.String(length=64), nullable=False),
        sa.Column('strike_deg', sa.Double(), nullable=False),
        sa.Column('dip_deg', sa.Double(), nullable=False),
        sa.Column('density_t_m3', sa.Double(), nullable=False),
        sa.Column('extrapolation', sa.String(length=32), nullable=False),
        sa.Column('outline', sa.JSON(), nullable=True),
        sa.Column('inputs_sha256', sa.String(length=64), nullable=False),
        sa.Column('code_version', sa.String(length=32), nullable=False),
        sa.Column('totals', sa.JSON(), nullable=False),
        sa.Column('kriging', sa.JSON(), nullable=True),
        sa.Column('intercepts_path', sa.String(length=500), nullable=False),
        sa.Column('intercepts_sha256', sa.String(length=64), nullable=False),
        sa.Column('blocks_path', sa.String(length=500), nullable=False),
        sa.Column('blocks_sha256', sa.String(length=64), nullable=False),
        *_authored(),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                name=op.f('fk_block_estimates_created_by_users')),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_block_estimates_site_id_sites')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_block_estimates')),
        sa.UniqueConstraint('site_id', 'year', 'version', name='uq_block_estimates_syv'))
    op.create_index(op.f('ix_block_estimates_site_id'), 'block_estimates', ['site_id'])
    # The triggers of 0008: a version or an estimate is a record, never changed once written.
    guard_append_only(TABLES)


def downgrade() -> None:
    unguard_append_only(TABLES)
    op.drop_index(op.f('ix_block_estimates_site_id'), table_name='block_estimates')
    op.drop_table('block_estimates')
    op.drop_index(op.f('ix_industrial_indicators_site_id'), table_name='industrial_indicators')
    op.drop_table('industrial_indicators')
