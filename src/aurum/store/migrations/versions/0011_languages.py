"""languages: Chinese names of organisations and sites, a user's language

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

Organisations and sites keep their English name in ``name`` and gain ``name_zh``, the
official Chinese one; a user gains ``locale``, the language they chose (issue 17).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('organisations') as batch:
        batch.add_column(sa.Column('name_zh', sa.String(length=200), nullable=True))
    with op.batch_alter_table('sites') as batch:
        batch.add_column(sa.Column('name_zh', sa.String(length=200), nullable=True))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('locale', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('locale')
    with op.batch_alter_table('sites') as batch:
        batch.drop_column('name_zh')
    with op.batch_alter_table('organisations') as batch:
        batch.drop_column('name_zh')
