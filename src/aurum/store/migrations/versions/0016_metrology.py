"""metrology: proficiency testing rounds, laboratories' results and reference materials (issue 22)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

``metrology_reference_materials`` holds the reference materials of the gold metrology and
testing centre (certified value, expanded uncertainty and its coverage factor), append-only.
``metrology_rounds`` holds proficiency-test rounds (analyte, unit, method, matrix, the
reference material or none for a consensus value, the σ_pt rule, dates, status: a round is
closed once). ``metrology_results`` is the ledger of the laboratories' results, append-only:
a correction is a new entry naming the one it supersedes. ``metrology_round_statistics``
holds a round's statistics computed when it was closed (ISO 13528 Algorithm A, z, z′, ζ,
E_n), with the newest result entry they include, append-only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aurum.store.triggers import guard_append_only, unguard_append_only

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MATERIALS = 'metrology_reference_materials'
ROUNDS = 'metrology_rounds'
RESULTS = 'metrology_results'
STATISTICS = 'metrology_round_statistics'


def _authored() -> list[sa.Column]:
    return [sa.Column('created_by', sa.Integer(), nullable=True),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False)]


def upgrade() -> None:
    op.create_table(
        MATERIALS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('matrix', sa.String(length=64), nullable=False),
        sa.Column('analyte', sa.String(length=32), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('certified_value', sa.Double(), nullable=False),
        sa.Column('expanded_uncertainty', sa.Double(), nullable=False),
        sa.Column('coverage_factor', sa.Double(), nullable=False),
        sa.Column('producer', sa.String(length=200), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('name_zh', sa.String(length=200), nullable=True),
        *_authored(),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                name=op.f('fk_metrology_reference_materials_created_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_metrology_reference_materials')),
        sa.UniqueConstraint('code', name=op.f('uq_metrology_reference_materials_code')))
    op.create_table(
        ROUNDS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('analyte', sa.String(length=32), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('method', sa.String(length=32), nullable=False),
        sa.Column('matrix', sa.String(length=64), nullable=False),
        sa.Column('reference_material_id', sa.Integer(), nullable=True),
        sa.Column('sigma_pt_rule', sa.String(length=16), nullable=False),
        sa.Column('sigma_pt_value', sa.Double(), nullable=True),
        sa.Column('opens_on', sa.Date(), nullable=False),
        sa.Column('closes_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('name_zh', sa.String(length=200), nullable=True),
        *_authored(),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                name=op.f('fk_metrology_rounds_created_by_users')),
        sa.ForeignKeyConstraint(
            ['reference_material_id'], [f'{MATERIALS}.id'],
            name=op.f('fk_metrology_rounds_reference_material_id_metrology_reference_materials')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_metrology_rounds')),
        sa.UniqueConstraint('code', name=op.f('uq_metrology_rounds_code')))
    op.create_table(
        RESULTS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Double(), nullable=False),
        sa.Column('uncertainty', sa.Double(), nullable=True),
        sa.Column('supersedes_id', sa.Integer(), nullable=True),
        *_authored(),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                name=op.f('fk_metrology_results_created_by_users')),
        sa.ForeignKeyConstraint(['org_id'], ['organisations.id'],
                                name=op.f('fk_metrology_results_org_id_organisations')),
        sa.ForeignKeyConstraint(['round_id'], [f'{ROUNDS}.id'],
                                name=op.f('fk_metrology_results_round_id_metrology_rounds')),
        sa.ForeignKeyConstraint(['supersedes_id'], [f'{RESULTS}.id'],
                                name=op.f('fk_metrology_results_supersedes_id_metrology_results')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_metrology_results')))
    op.create_index(op.f('ix_metrology_results_round_id'), RESULTS, ['round_id'])
    op.create_index(op.f('ix_metrology_results_org_id'), RESULTS, ['org_id'])
    op.create_table(
        STATISTICS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('data_version', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('assigned_value', sa.Double(), nullable=False),
        sa.Column('u_assigned', sa.Double(), nullable=False),
        sa.Column('robust_mean', sa.Double(), nullable=True),
        sa.Column('robust_sd', sa.Double(), nullable=True),
        sa.Column('sigma_pt', sa.Double(), nullable=False),
        sa.Column('n_results', sa.Integer(), nullable=False),
        sa.Column('iterations', sa.Integer(), nullable=True),
        sa.Column('converged', sa.Boolean(), nullable=True),
        sa.Column('scores', sa.JSON(), nullable=False),
        sa.Column('code_version', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['round_id'], [f'{ROUNDS}.id'],
            name=op.f('fk_metrology_round_statistics_round_id_metrology_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_metrology_round_statistics')),
        sa.UniqueConstraint('round_id', name=op.f('uq_metrology_round_statistics_round_id')))
    # The triggers of 0008: reference materials, results and statistics are records.
    guard_append_only([MATERIALS, RESULTS, STATISTICS])


def downgrade() -> None:
    unguard_append_only([MATERIALS, RESULTS, STATISTICS])
    op.drop_table(STATISTICS)
    op.drop_index(op.f('ix_metrology_results_org_id'), table_name=RESULTS)
    op.drop_index(op.f('ix_metrology_results_round_id'), table_name=RESULTS)
    op.drop_table(RESULTS)
    op.drop_table(ROUNDS)
    op.drop_table(MATERIALS)
