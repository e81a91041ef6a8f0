"""standards: the gold field's standards, their implementation records and international counterparts (issue 22)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Tables are added by the issue's work; until then this revision holds the chain's place."""


def downgrade() -> None:
    """Nothing to remove yet."""
