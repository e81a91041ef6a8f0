"""derived results

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

The ``derived_results`` table of :mod:`aurum.services.derived`: expensive results pages show
(a model's variograms and cross-validation, ...) stored with the version of the data they were
computed from, so that no page computes them on a GET.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'derived_results',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('version', sa.String(length=200), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('code_version', sa.String(length=32), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_derived_results')),
        sa.UniqueConstraint('kind', 'subject', 'version',
                            name='uq_derived_results_kind_subject_version'),
    )


def downgrade() -> None:
    op.drop_table('derived_results')
