"""structure: regional consolidation studies and their plans (issue 23)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Tables are added by the issue's work; until then this revision holds the chain's place."""


def downgrade() -> None:
    """Nothing to remove yet."""
