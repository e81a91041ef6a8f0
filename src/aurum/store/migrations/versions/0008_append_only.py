"""append-only triggers on every append-only table that lacked them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Since 0003 (0007 for witnessed checkpoints) the recycling log's tables refuse UPDATE and DELETE
in the database; the other append-only tables (models marked ``AppendOnly``) were protected only
by the flush hook, so a statement outside the ORM could still change them. This revision gives
them the same triggers: on PostgreSQL one per table calling 0003's ``aurum_append_only()``, on
SQLite one per event raising ABORT.

A later revision that rebuilds one of these tables on SQLite (``batch_alter_table`` copying it)
must create its triggers again.
"""

from collections.abc import Sequence

from aurum.store.triggers import guard_append_only, unguard_append_only

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here (not read from the models) so that this revision always does the same thing.
TABLES = ('audit_records', 'uploads', 'report_versions', 'report_waste', 'resource_models',
          'resource_statements', 'custody_lots', 'custody_lot_purchases', 'custody_assays',
          'custody_bars', 'custody_bar_inputs', 'recycling_reports',
          'recycling_report_submissions', 'recycling_report_receipts', 'recycling_watch_list',
          'safety_hazard_events', 'sensor_readings', 'plant_circuits', 'metal_accounts',
          'metal_account_closings', 'waste_entries')


def upgrade() -> None:
    guard_append_only(TABLES)


def downgrade() -> None:
    unguard_append_only(TABLES)
