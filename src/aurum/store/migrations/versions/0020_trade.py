"""trade: customs import statistics, long-term supply agreements, overseas projects (issue 23)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

``trade_customs_batches`` holds each customs statistics file imported (name, hash, rows,
currency), ``trade_customs_imports`` its rows (one per commodity code, partner, customs
district and month, unique across files). ``trade_agreements`` holds long-term supply
agreements (a correction supersedes one), ``trade_overseas_projects`` and
``trade_csr_records`` enterprises' overseas projects and their social-responsibility records
by year (a correction is the next version). ``trade_analyses`` holds the import-source
analysis computed after each change, with the newest batch, agreement and project entry it
covers. All append-only, with 0008's triggers.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from aurum.store.triggers import guard_append_only, unguard_append_only

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCHES = 'trade_customs_batches'
IMPORTS = 'trade_customs_imports'
AGREEMENTS = 'trade_agreements'
PROJECTS = 'trade_overseas_projects'
CSR = 'trade_csr_records'
ANALYSES = 'trade_analyses'
TABLES = [BATCHES, IMPORTS, AGREEMENTS, PROJECTS, CSR, ANALYSES]


def _authored(table: str) -> list[Any]:
    """``created_by`` and ``created_at`` (the ``Authored`` mixin), the last two columns."""
    return [sa.Column('created_by', sa.Integer(), nullable=True),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                    name=op.f(f'fk_{table}_created_by_users'))]


def _org(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['org_id'], ['organisations.id'],
                                   name=op.f(f'fk_{table}_org_id_organisations'))


def upgrade() -> None:
    op.create_table(
        BATCHES,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        *_authored(BATCHES),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_customs_batches')))
    op.create_table(
        IMPORTS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('hs_code', sa.String(length=10), nullable=False),
        sa.Column('commodity', sa.String(length=8), nullable=False),
        sa.Column('partner', sa.String(length=2), nullable=False),
        sa.Column('customs_district', sa.String(length=64), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('quantity_kg', sa.Double(), nullable=False),
        sa.Column('gold_kg', sa.Double(), nullable=True),
        sa.Column('value', sa.Double(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], [f'{BATCHES}.id'],
                                name=op.f('fk_trade_customs_imports_batch_id_trade_customs_batches')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_customs_imports')),
        sa.UniqueConstraint('hs_code', 'partner', 'customs_district', 'month',
                            name='uq_trade_customs_imports_key'))
    op.create_index(op.f('ix_trade_customs_imports_batch_id'), IMPORTS, ['batch_id'])
    op.create_index(op.f('ix_trade_customs_imports_year'), IMPORTS, ['year'])
    op.create_table(
        AGREEMENTS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=True),
        sa.Column('partner', sa.String(length=2), nullable=False),
        sa.Column('counterparty', sa.String(length=200), nullable=False),
        sa.Column('commodity', sa.String(length=8), nullable=False),
        sa.Column('tonnes_per_year', sa.Double(), nullable=False),
        sa.Column('start_year', sa.Integer(), nullable=False),
        sa.Column('end_year', sa.Integer(), nullable=False),
        sa.Column('price_basis', sa.String(length=16), nullable=False),
        sa.Column('premium_usd_per_oz', sa.Double(), nullable=False),
        sa.Column('supersedes_id', sa.Integer(), nullable=True),
        *_authored(AGREEMENTS),
        _org(AGREEMENTS),
        sa.ForeignKeyConstraint(['supersedes_id'], [f'{AGREEMENTS}.id'],
                                name=op.f('fk_trade_agreements_supersedes_id_trade_agreements')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_agreements')),
        sa.UniqueConstraint('supersedes_id', name=op.f('uq_trade_agreements_supersedes_id')))
    op.create_table(
        PROJECTS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('ownership_pct', sa.Double(), nullable=False),
        sa.Column('annual_output_kg', sa.Double(), nullable=False),
        sa.Column('belt_and_road', sa.Boolean(), nullable=False),
        sa.Column('lon', sa.Double(), nullable=True),
        sa.Column('lat', sa.Double(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=False),
        *_authored(PROJECTS),
        _org(PROJECTS),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_overseas_projects')),
        sa.UniqueConstraint('org_id', 'code', 'year', 'version',
                            name='uq_trade_overseas_projects_entry'))
    op.create_index(op.f('ix_trade_overseas_projects_org_id'), PROJECTS, ['org_id'])
    op.create_table(
        CSR,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('community_investment_cny', sa.Double(), nullable=False),
        sa.Column('local_employees', sa.Integer(), nullable=False),
        sa.Column('total_employees', sa.Integer(), nullable=False),
        sa.Column('environmental_incidents', sa.Integer(), nullable=False),
        sa.Column('grievances_raised', sa.Integer(), nullable=False),
        sa.Column('grievances_resolved', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        *_authored(CSR),
        _org(CSR),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_csr_records')),
        sa.UniqueConstraint('org_id', 'code', 'year', 'version',
                            name='uq_trade_csr_records_entry'))
    op.create_index(op.f('ix_trade_csr_records_org_id'), CSR, ['org_id'])
    op.create_table(
        ANALYSES,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=True),
        sa.Column('agreement_id', sa.Integer(), nullable=True),
        sa.Column('project_id', sa.Integer(), nullable=True),
        sa.Column('concentration', sa.JSON(), nullable=False),
        sa.Column('dependence', sa.JSON(), nullable=False),
        sa.Column('trends', sa.JSON(), nullable=False),
        sa.Column('coverage', sa.JSON(), nullable=False),
        sa.Column('flow_back', sa.JSON(), nullable=False),
        sa.Column('risk', sa.JSON(), nullable=True),
        sa.Column('code_version', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], [f'{BATCHES}.id'],
                                name=op.f('fk_trade_analyses_batch_id_trade_customs_batches')),
        sa.ForeignKeyConstraint(['agreement_id'], [f'{AGREEMENTS}.id'],
                                name=op.f('fk_trade_analyses_agreement_id_trade_agreements')),
        sa.ForeignKeyConstraint(['project_id'], [f'{PROJECTS}.id'],
                                name=op.f('fk_trade_analyses_project_id_trade_overseas_projects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trade_analyses')))
    # The triggers of 0008: imported statistics, agreements, project entries, records and
    # analyses are never changed; a correction is a new row.
    guard_append_only(TABLES)


def downgrade() -> None:
    unguard_append_only(TABLES)
    op.drop_table(ANALYSES)
    op.drop_index(op.f('ix_trade_csr_records_org_id'), table_name=CSR)
    op.drop_table(CSR)
    op.drop_index(op.f('ix_trade_overseas_projects_org_id'), table_name=PROJECTS)
    op.drop_table(PROJECTS)
    op.drop_table(AGREEMENTS)
    op.drop_index(op.f('ix_trade_customs_imports_year'), table_name=IMPORTS)
    op.drop_index(op.f('ix_trade_customs_imports_batch_id'), table_name=IMPORTS)
    op.drop_table(IMPORTS)
    op.drop_table(BATCHES)
