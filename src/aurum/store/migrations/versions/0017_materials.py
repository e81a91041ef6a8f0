"""materials: shelf products, specifications, batches, application evaluations, needs and matches (issue 22)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

``mat_products`` holds the shelf products (货架产品) of new-materials enterprises: material
kind, grade, English and Chinese names, status. ``mat_specs`` their specifications, one row per
property (unit, least/greatest/target value, test method). ``mat_batches`` the batches with
their measured values, ``mat_capabilities`` the control charts and Cp/Cpk computed when a
batch was added (with the data version), ``mat_documents`` the products' documents (files kept
under their SHA-256), ``mat_evaluations`` the downstream users' application evaluations.
All but the products are append-only (0008's triggers): corrections are new rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aurum.store.triggers import guard_append_only, unguard_append_only

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRODUCTS = 'mat_products'
SPECS = 'mat_specs'
BATCHES = 'mat_batches'
CAPABILITIES = 'mat_capabilities'
DOCUMENTS = 'mat_documents'
EVALUATIONS = 'mat_evaluations'
APPEND_ONLY = [SPECS, BATCHES, CAPABILITIES, DOCUMENTS, EVALUATIONS]


def _authored() -> list[sa.Column]:
    return [sa.Column('created_by', sa.Integer(), nullable=True),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False)]


def _created_by_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                   name=op.f(f'fk_{table}_created_by_users'))


def _product_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['product_id'], ['mat_products.id'],
                                   name=op.f(f'fk_{table}_product_id_mat_products'))


def upgrade() -> None:
    op.create_table(
        PRODUCTS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('grade', sa.String(length=64), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=False),
        sa.Column('name_zh', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        *_authored(),
        _created_by_fk(PRODUCTS),
        sa.ForeignKeyConstraint(['org_id'], ['organisations.id'],
                                name=op.f('fk_mat_products_org_id_organisations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mat_products')),
        sa.UniqueConstraint('code', name=op.f('uq_mat_products_code')))
    op.create_index(op.f('ix_mat_products_org_id'), PRODUCTS, ['org_id'])
    op.create_index(op.f('ix_mat_products_kind'), PRODUCTS, ['kind'])
    op.create_table(
        SPECS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('property', sa.String(length=32), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('lower', sa.Double(), nullable=True),
        sa.Column('upper', sa.Double(), nullable=True),
        sa.Column('target', sa.Double(), nullable=True),
        sa.Column('test_method', sa.String(length=120), nullable=False),
        _product_fk(SPECS),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mat_specs')),
        sa.UniqueConstraint('product_id', 'property', name='uq_mat_specs_product_property'))
    op.create_index(op.f('ix_mat_specs_product_id'), SPECS, ['product_id'])
    op.create_table(
        BATCHES,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('batch_no', sa.String(length=64), nullable=False),
        sa.Column('produced_on', sa.Date(), nullable=False),
        sa.Column('quantity_kg', sa.Double(), nullable=True),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('corrects_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=True),
        *_authored(),
        _created_by_fk(BATCHES),
        sa.ForeignKeyConstraint(['corrects_id'], ['mat_batches.id'],
                                name=op.f('fk_mat_batches_corrects_id_mat_batches')),
        _product_fk(BATCHES),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mat_batches')))
    op.create_index(op.f('ix_mat_batches_product_id'), BATCHES, ['product_id'])
    op.create_table(
        CAPABILITIES,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('data_version', sa.Integer(), nullable=False),
        sa.Column('n_batches', sa.Integer(), nullable=False),
        sa.Column('properties', sa.JSON(), nullable=False),
        sa.Column('code_version', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _product_fk(CAPABILITIES),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mat_capabilities')),
        sa.UniqueConstraint('product_id', 'data_version',
                            name='uq_mat_capabilities_product_data_version'))
    op.create_index(op.f('ix_mat_capabilities_product_id'), CAPABILITIES, ['product_id'])
    op.create_table(
        DOCUMENTS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('media_type', sa.String(length=100), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        *_authored(),
        _created_by_fk(DOCUMENTS),
        _product_fk(DOCUMENTS),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mat_documents')))
    op.create_index(op.f('ix_mat_documents_product_id'), DOCUMENTS, ['product_id'])
    op.create_table(
        EVALUATIONS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('evaluator_org_id', sa.Integer(), nullable=False),
        sa.Column('sector', sa.String(length=16), nullable=False),
        sa.Column('evaluated_on', sa.Date(), nullable=False),
        sa.Column('conditions', sa.String(length=2000), nullable=False),
        sa.Column('properties_checked', sa.JSON(), nullable=False),
        sa.Column('result', sa.String(length=2000), nullable=False),
        sa.Column('raw_data', sa.JSON(), nullable=False),
        sa.Column('verdict', sa.String(length=16), nullable=False),
        sa.Column('corrects_id', sa.Integer(), nullable=True),
        *_authored(),
        _created_by_fk(EVALUATIONS),
        sa.ForeignKeyConstraint(['corrects_id'], ['mat_evaluations.id'],
                                name=op.f('fk_mat_evaluations_corrects_id_mat_evaluations')),
        sa.ForeignKeyConstraint(['evaluator_org_id'], ['organisations.id'],
                                name=op.f('fk_mat_evaluations_evaluator_org_id_organisations')),
        _product_fk(EVALUATIONS),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mat_evaluations')))
    op.create_index(op.f('ix_mat_evaluations_product_id'), EVALUATIONS, ['product_id'])
    op.create_index(op.f('ix_mat_evaluations_evaluator_org_id'), EVALUATIONS,
                    ['evaluator_org_id'])
    # The triggers of 0008: specifications, batches, documents, evaluations and computed
    # capabilities are records, never changed; a correction is a new row.
    guard_append_only(APPEND_ONLY)


def downgrade() -> None:
    unguard_append_only(APPEND_ONLY)
    for table in reversed([PRODUCTS, *APPEND_ONLY]):
        op.drop_table(table)
