"""structure: regional consolidation studies and their plans (issue 23)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

``structure_studies`` holds a province's consolidation study (issue 23): its inputs (mines,
existing and candidate plants, haulage cost, road factor, regional-mine radius, gold price,
central mill) and their data version; ``structure_results`` the scenarios solved when the
study was stored (never on a read) with that data version. Both append-only, with 0008's
triggers: a changed study is a new study.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aurum.store.triggers import guard_append_only, unguard_append_only

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


STUDIES = 'structure_studies'
RESULTS = 'structure_results'


def upgrade() -> None:
    op.create_table(
        STUDIES,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('province', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('inputs', sa.JSON(), nullable=False),
        sa.Column('data_version', sa.String(length=64), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                name=op.f('fk_structure_studies_created_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_structure_studies')))
    op.create_index(op.f('ix_structure_studies_province'), STUDIES, ['province'])
    op.create_table(
        RESULTS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('study_id', sa.Integer(), nullable=False),
        sa.Column('scenarios', sa.JSON(), nullable=False),
        sa.Column('proposals', sa.JSON(), nullable=False),
        sa.Column('data_version', sa.String(length=64), nullable=False),
        sa.Column('code_version', sa.String(length=32), nullable=False),
        sa.Column('seconds', sa.Double(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['study_id'], ['structure_studies.id'],
                                name=op.f('fk_structure_results_study_id_structure_studies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_structure_results')),
        sa.UniqueConstraint('study_id', name=op.f('uq_structure_results_study_id')))
    # The triggers of 0008: a study and its solved scenarios are records, never changed.
    guard_append_only([STUDIES, RESULTS])


def downgrade() -> None:
    unguard_append_only([STUDIES, RESULTS])
    op.drop_table(RESULTS)
    op.drop_index(op.f('ix_structure_studies_province'), table_name=STUDIES)
    op.drop_table(STUDIES)
