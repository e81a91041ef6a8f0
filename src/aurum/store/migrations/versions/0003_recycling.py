"""recycling ledger: participants, sellers, Merkle log, signed tree heads, purchases,
corrections, custody, reports

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21

Besides the tables: the log's head row (empty tree), and triggers that refuse UPDATE and
DELETE on the log's own tables, so that a change needs a deliberate DROP TRIGGER first (the
verifier catches it either way).
"""

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ('ledger_entries', 'ledger_nodes', 'ledger_tree_heads', 'recycling_purchases',
               'recycling_corrections')


def _refuse_changes() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute("CREATE FUNCTION aurum_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'rows of % are append-only', TG_TABLE_NAME; END $$")
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION aurum_append_only()")
    elif dialect == 'sqlite':
        for table in APPEND_ONLY:
            for event in ('UPDATE', 'DELETE'):
                op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, 'rows of {table} are append-only'); END")


def upgrade() -> None:
    op.create_table('ledger_heads',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('root', sa.LargeBinary(length=32), nullable=False),
    sa.Column('frontier', sa.LargeBinary(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_heads'))
    )
    op.create_table('ledger_nodes',
    sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('node_index', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('hash', sa.LargeBinary(length=32), nullable=False),
    sa.PrimaryKeyConstraint('level', 'node_index', name=op.f('pk_ledger_nodes'))
    )
    op.create_table('ledger_tree_heads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tree_size', sa.BigInteger(), nullable=False),
    sa.Column('root', sa.LargeBinary(length=32), nullable=False),
    sa.Column('timestamp_ms', sa.BigInteger(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('signature', sa.LargeBinary(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_tree_heads'))
    )
    with op.batch_alter_table('ledger_tree_heads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_tree_heads_tree_size'), ['tree_size'], unique=False)

    op.create_table('recycling_sellers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('id_type', sa.String(length=16), nullable=False),
    sa.Column('id_masked', sa.String(length=32), nullable=False),
    sa.Column('name_masked', sa.String(length=100), nullable=False),
    sa.Column('id_number_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('name_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recycling_sellers')),
    sa.UniqueConstraint('id_hash', name=op.f('uq_recycling_sellers_id_hash'))
    )
    op.create_table('ledger_entries',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('leaf_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_ledger_entries_recorded_by_users')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_ledger_entries_idempotency_key'))
    )
    op.create_table('recycling_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('province', sa.String(length=32), nullable=True),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('licence_no', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_recycling_participants_created_by_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_recycling_participants_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recycling_participants')),
    sa.UniqueConstraint('code', name=op.f('uq_recycling_participants_code'))
    )
    with op.batch_alter_table('recycling_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recycling_participants_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recycling_participants_province'), ['province'], unique=False)

    op.create_table('recycling_watch_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by'], ['users.id'], name=op.f('fk_recycling_watch_list_changed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recycling_watch_list'))
    )
    with op.batch_alter_table('recycling_watch_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recycling_watch_list_id_hash'), ['id_hash'], unique=False)

    op.create_table('custody_bars',
    sa.Column('entry_seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('refiner_id', sa.Integer(), nullable=False),
    sa.Column('gross_weight_g', sa.Double(), nullable=False),
    sa.Column('fineness_permille', sa.Double(), nullable=False),
    sa.Column('fine_gold_g', sa.Double(), nullable=False),
    sa.Column('produced_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_seq'], ['ledger_entries.seq'], name=op.f('fk_custody_bars_entry_seq_ledger_entries')),
    sa.ForeignKeyConstraint(['refiner_id'], ['recycling_participants.id'], name=op.f('fk_custody_bars_refiner_id_recycling_participants')),
    sa.PrimaryKeyConstraint('entry_seq', name=op.f('pk_custody_bars')),
    sa.UniqueConstraint('serial', name=op.f('uq_custody_bars_serial'))
    )
    with op.batch_alter_table('custody_bars', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_bars_refiner_id'), ['refiner_id'], unique=False)

    op.create_table('custody_lots',
    sa.Column('entry_seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('refiner_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fine_gold_declared_g', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['entry_seq'], ['ledger_entries.seq'], name=op.f('fk_custody_lots_entry_seq_ledger_entries')),
    sa.ForeignKeyConstraint(['participant_id'], ['recycling_participants.id'], name=op.f('fk_custody_lots_participant_id_recycling_participants')),
    sa.ForeignKeyConstraint(['refiner_id'], ['recycling_participants.id'], name=op.f('fk_custody_lots_refiner_id_recycling_participants')),
    sa.PrimaryKeyConstraint('entry_seq', name=op.f('pk_custody_lots')),
    sa.UniqueConstraint('code', name=op.f('uq_custody_lots_code'))
    )
    with op.batch_alter_table('custody_lots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_lots_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_custody_lots_refiner_id'), ['refiner_id'], unique=False)

    op.create_table('recycling_corrections',
    sa.Column('entry_seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('target_seq', sa.BigInteger(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['entry_seq'], ['ledger_entries.seq'], name=op.f('fk_recycling_corrections_entry_seq_ledger_entries')),
    sa.ForeignKeyConstraint(['target_seq'], ['ledger_entries.seq'], name=op.f('fk_recycling_corrections_target_seq_ledger_entries')),
    sa.PrimaryKeyConstraint('entry_seq', name=op.f('pk_recycling_corrections')),
    sa.UniqueConstraint('target_seq', name=op.f('uq_recycling_corrections_target_seq'))
    )
    op.create_table('recycling_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_key', sa.String(length=200), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('rule_id', sa.String(length=32), nullable=False),
    sa.Column('rules_version', sa.String(length=16), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('amount_cny', sa.Double(), nullable=False),
    sa.Column('entries', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('due_estimated', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['recycling_participants.id'], name=op.f('fk_recycling_reports_participant_id_recycling_participants')),
    sa.ForeignKeyConstraint(['seller_id'], ['recycling_sellers.id'], name=op.f('fk_recycling_reports_seller_id_recycling_sellers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recycling_reports')),
    sa.UniqueConstraint('subject_key', 'revision', name='uq_recycling_reports_sr')
    )
    with op.batch_alter_table('recycling_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recycling_reports_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_recycling_reports_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_recycling_reports_participant_id'), ['participant_id'], unique=False)

    op.create_table('recycling_shops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('province', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['recycling_participants.id'], name=op.f('fk_recycling_shops_participant_id_recycling_participants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recycling_shops')),
    sa.UniqueConstraint('participant_id', 'code', name='uq_recycling_shops_pc')
    )
    with op.batch_alter_table('recycling_shops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recycling_shops_participant_id'), ['participant_id'], unique=False)

    op.create_table('custody_assays',
    sa.Column('entry_seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('lot_seq', sa.BigInteger(), nullable=False),
    sa.Column('melted_weight_g', sa.Double(), nullable=False),
    sa.Column('fineness_permille', sa.Double(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('fine_gold_g', sa.Double(), nullable=False),
    sa.Column('assayed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tolerance_g', sa.Double(), nullable=False),
    sa.Column('within_tolerance', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['entry_seq'], ['ledger_entries.seq'], name=op.f('fk_custody_assays_entry_seq_ledger_entries')),
    sa.ForeignKeyConstraint(['lot_seq'], ['custody_lots.entry_seq'], name=op.f('fk_custody_assays_lot_seq_custody_lots')),
    sa.PrimaryKeyConstraint('entry_seq', name=op.f('pk_custody_assays')),
    sa.UniqueConstraint('lot_seq', name=op.f('uq_custody_assays_lot_seq'))
    )
    op.create_table('custody_bar_inputs',
    sa.Column('bar_seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('lot_seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('fine_gold_g', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['bar_seq'], ['custody_bars.entry_seq'], name=op.f('fk_custody_bar_inputs_bar_seq_custody_bars')),
    sa.ForeignKeyConstraint(['lot_seq'], ['custody_lots.entry_seq'], name=op.f('fk_custody_bar_inputs_lot_seq_custody_lots')),
    sa.PrimaryKeyConstraint('bar_seq', 'lot_seq', name=op.f('pk_custody_bar_inputs'))
    )
    with op.batch_alter_table('custody_bar_inputs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_bar_inputs_lot_seq'), ['lot_seq'], unique=False)

    op.create_table('recycling_purchases',
    sa.Column('entry_seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('item_type', sa.String(length=24), nullable=False),
    sa.Column('gross_weight_g', sa.Double(), nullable=False),
    sa.Column('fineness_permille', sa.Double(), nullable=False),
    sa.Column('assay_method', sa.String(length=16), nullable=False),
    sa.Column('fine_gold_g', sa.Double(), nullable=False),
    sa.Column('price_per_g_cny', sa.Double(), nullable=False),
    sa.Column('amount_cny', sa.Double(), nullable=False),
    sa.Column('payment_method', sa.String(length=16), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('origin', sa.String(length=24), nullable=False),
    sa.Column('origin_statement_hmac', sa.String(length=64), nullable=True),
    sa.Column('origin_statement_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('photos', sa.Text(), nullable=False),
    sa.Column('amends_seq', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['amends_seq'], ['ledger_entries.seq'], name=op.f('fk_recycling_purchases_amends_seq_ledger_entries')),
    sa.ForeignKeyConstraint(['entry_seq'], ['ledger_entries.seq'], name=op.f('fk_recycling_purchases_entry_seq_ledger_entries')),
    sa.ForeignKeyConstraint(['participant_id'], ['recycling_participants.id'], name=op.f('fk_recycling_purchases_participant_id_recycling_participants')),
    sa.ForeignKeyConstraint(['seller_id'], ['recycling_sellers.id'], name=op.f('fk_recycling_purchases_seller_id_recycling_sellers')),
    sa.ForeignKeyConstraint(['shop_id'], ['recycling_shops.id'], name=op.f('fk_recycling_purchases_shop_id_recycling_shops')),
    sa.PrimaryKeyConstraint('entry_seq', name=op.f('pk_recycling_purchases'))
    )
    with op.batch_alter_table('recycling_purchases', schema=None) as batch_op:
        batch_op.create_index('ix_recycling_purchases_pd', ['participant_id', 'business_date'], unique=False)
        batch_op.create_index('ix_recycling_purchases_sd', ['seller_id', 'business_date'], unique=False)

    op.create_table('recycling_report_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('document_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['recycling_reports.id'], name=op.f('fk_recycling_report_submissions_report_id_recycling_reports')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_recycling_report_submissions_submitted_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recycling_report_submissions')),
    sa.UniqueConstraint('report_id', name=op.f('uq_recycling_report_submissions_report_id'))
    )
    op.create_table('custody_lot_purchases',
    sa.Column('lot_seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('purchase_seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['lot_seq'], ['custody_lots.entry_seq'], name=op.f('fk_custody_lot_purchases_lot_seq_custody_lots')),
    sa.ForeignKeyConstraint(['purchase_seq'], ['recycling_purchases.entry_seq'], name=op.f('fk_custody_lot_purchases_purchase_seq_recycling_purchases')),
    sa.PrimaryKeyConstraint('lot_seq', 'purchase_seq', name=op.f('pk_custody_lot_purchases')),
    sa.UniqueConstraint('purchase_seq', name=op.f('uq_custody_lot_purchases_purchase_seq'))
    )
    op.create_table('recycling_report_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['received_by'], ['users.id'], name=op.f('fk_recycling_report_receipts_received_by_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['recycling_report_submissions.id'], name=op.f('fk_recycling_report_receipts_submission_id_recycling_report_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recycling_report_receipts')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_recycling_report_receipts_submission_id'))
    )
    heads = sa.table('ledger_heads', sa.column('id', sa.Integer()), sa.column('size', sa.BigInteger()),
                     sa.column('root', sa.LargeBinary()), sa.column('frontier', sa.LargeBinary()),
                     sa.column('updated_at', sa.DateTime(timezone=True)))
    op.bulk_insert(heads, [{'id': 1, 'size': 0, 'root': hashlib.sha256(b'').digest(),
                            'frontier': b'', 'updated_at': datetime.now(UTC)}])
    _refuse_changes()


def downgrade() -> None:
    op.drop_table('recycling_report_receipts')
    op.drop_table('custody_lot_purchases')
    op.drop_table('recycling_report_submissions')
    with op.batch_alter_table('recycling_purchases', schema=None) as batch_op:
        batch_op.drop_index('ix_recycling_purchases_sd')
        batch_op.drop_index('ix_recycling_purchases_pd')

    op.drop_table('recycling_purchases')
    with op.batch_alter_table('custody_bar_inputs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_bar_inputs_lot_seq'))

    op.drop_table('custody_bar_inputs')
    op.drop_table('custody_assays')
    with op.batch_alter_table('recycling_shops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recycling_shops_participant_id'))

    op.drop_table('recycling_shops')
    with op.batch_alter_table('recycling_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recycling_reports_participant_id'))
        batch_op.drop_index(batch_op.f('ix_recycling_reports_kind'))
        batch_op.drop_index(batch_op.f('ix_recycling_reports_due_on'))

    op.drop_table('recycling_reports')
    op.drop_table('recycling_corrections')
    with op.batch_alter_table('custody_lots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_lots_refiner_id'))
        batch_op.drop_index(batch_op.f('ix_custody_lots_participant_id'))

    op.drop_table('custody_lots')
    with op.batch_alter_table('custody_bars', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_bars_refiner_id'))

    op.drop_table('custody_bars')
    with op.batch_alter_table('recycling_watch_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recycling_watch_list_id_hash'))

    op.drop_table('recycling_watch_list')
    with op.batch_alter_table('recycling_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recycling_participants_province'))
        batch_op.drop_index(batch_op.f('ix_recycling_participants_org_id'))

    op.drop_table('recycling_participants')
    op.drop_table('ledger_entries')
    op.drop_table('recycling_sellers')
    with op.batch_alter_table('ledger_tree_heads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_tree_heads_tree_size'))

    op.drop_table('ledger_tree_heads')
    op.drop_table('ledger_nodes')
    op.drop_table('ledger_heads')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS aurum_append_only() CASCADE')
