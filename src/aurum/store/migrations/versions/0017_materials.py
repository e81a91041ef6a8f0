"""materials: shelf products, specifications, batches, application evaluations, needs and matches (issue 22)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Tables are added by the issue's work; until then this revision holds the chain's place."""


def downgrade() -> None:
    """Nothing to remove yet."""
