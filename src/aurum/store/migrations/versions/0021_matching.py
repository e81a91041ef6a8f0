"""matching: downstream users' needs, their ranges and status entries, and their matchings (issue 22)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

``mat_needs`` holds the buyers' needs (material kind, title, quantity and unit, the day
needed by, where), ``mat_need_ranges`` the range accepted per property, ``mat_need_statuses``
the need's status entries (open when posted, then closed or withdrawn: a new entry, never an
edit). ``mat_matchings`` holds each matching of a need against the shelf products of its kind
with the data version it was computed from, the Cpk threshold and the weights; ``mat_matches``
one row per product considered (status, rank, score, the facts explaining it). All
append-only, with 0008's triggers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aurum.store.triggers import guard_append_only, unguard_append_only

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEEDS = 'mat_needs'
RANGES = 'mat_need_ranges'
STATUSES = 'mat_need_statuses'
MATCHINGS = 'mat_matchings'
MATCHES = 'mat_matches'
TABLES = [NEEDS, RANGES, STATUSES, MATCHINGS, MATCHES]


def _authored(table: str) -> list[sa.schema.SchemaItem]:
    return [sa.Column('created_by', sa.Integer(), nullable=True),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                    name=op.f(f'fk_{table}_created_by_users'))]


def _need_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['need_id'], ['mat_needs.id'],
                                   name=op.f(f'fk_{table}_need_id_mat_needs'))


def upgrade() -> None:
    op.create_table(
        NEEDS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('quantity', sa.Double(), nullable=False),
        sa.Column('quantity_unit', sa.String(length=16), nullable=False),
        sa.Column('needed_by', sa.Date(), nullable=False),
        sa.Column('lat', sa.Double(), nullable=True),
        sa.Column('lon', sa.Double(), nullable=True),
        *_authored(NEEDS),
        sa.ForeignKeyConstraint(['org_id'], ['organisations.id'],
                                name=op.f('fk_mat_needs_org_id_organisations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mat_needs')))
    op.create_index(op.f('ix_mat_needs_org_id'), NEEDS, ['org_id'])
    op.create_index(op.f('ix_mat_needs_kind'), NEEDS, ['kind'])
    op.create_table(
        RANGES,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('need_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('property', sa.String(length=32), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('minimum', sa.Double(), nullable=True),
        sa.Column('maximum', sa.Double(), nullable=True),
        _need_fk(RANGES),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mat_need_ranges')),
        sa.UniqueConstraint('need_id', 'property', name='uq_mat_need_ranges_need_property'))
    op.create_index(op.f('ix_mat_need_ranges_need_id'), RANGES, ['need_id'])
    op.create_table(
        STATUSES,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('need_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        *_authored(STATUSES),
        _need_fk(STATUSES),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mat_need_statuses')))
    op.create_index(op.f('ix_mat_need_statuses_need_id'), STATUSES, ['need_id'])
    op.create_table(
        MATCHINGS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('need_id', sa.Integer(), nullable=False),
        sa.Column('data_version', sa.String(length=200), nullable=False),
        sa.Column('cpk_threshold', sa.Double(), nullable=False),
        sa.Column('weights', sa.JSON(), nullable=False),
        sa.Column('n_qualified', sa.Integer(), nullable=False),
        sa.Column('n_unproven', sa.Integer(), nullable=False),
        sa.Column('n_rejected', sa.Integer(), nullable=False),
        sa.Column('code_version', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _need_fk(MATCHINGS),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mat_matchings')))
    op.create_index(op.f('ix_mat_matchings_need_id'), MATCHINGS, ['need_id'])
    op.create_table(
        MATCHES,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('matching_id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=True),
        sa.Column('score', sa.Double(), nullable=True),
        sa.Column('facts', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['matching_id'], ['mat_matchings.id'],
                                name=op.f('fk_mat_matches_matching_id_mat_matchings')),
        sa.ForeignKeyConstraint(['product_id'], ['mat_products.id'],
                                name=op.f('fk_mat_matches_product_id_mat_products')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mat_matches')))
    op.create_index(op.f('ix_mat_matches_matching_id'), MATCHES, ['matching_id'])
    op.create_index(op.f('ix_mat_matches_product_id'), MATCHES, ['product_id'])
    # The triggers of 0008: a need, its ranges, its status entries and its matchings are
    # records, never changed.
    guard_append_only(TABLES)


def downgrade() -> None:
    unguard_append_only(TABLES)
    op.drop_index(op.f('ix_mat_matches_product_id'), table_name=MATCHES)
    op.drop_index(op.f('ix_mat_matches_matching_id'), table_name=MATCHES)
    op.drop_table(MATCHES)
    op.drop_index(op.f('ix_mat_matchings_need_id'), table_name=MATCHINGS)
    op.drop_table(MATCHINGS)
    op.drop_index(op.f('ix_mat_need_statuses_need_id'), table_name=STATUSES)
    op.drop_table(STATUSES)
    op.drop_index(op.f('ix_mat_need_ranges_need_id'), table_name=RANGES)
    op.drop_table(RANGES)
    op.drop_index(op.f('ix_mat_needs_kind'), table_name=NEEDS)
    op.drop_index(op.f('ix_mat_needs_org_id'), table_name=NEEDS)
    op.drop_table(NEEDS)
