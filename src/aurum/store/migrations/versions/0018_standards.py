"""standards: the gold field's standards, their implementation records and international counterparts (issue 22)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

``standards`` holds the registry: number (canonical and as a web address), its parts, level,
titles, current status, committee, dates, priority-area tags, the edition it supersedes, and
where its number and title were confirmed. ``standard_status_events`` the history of each
standard's status, ``standard_implementations`` organisations' implementation records with
their indicators before and after, ``standard_counterparts`` international counterparts and
their mutual-recognition status: these three append-only, with 0008's triggers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aurum.store.triggers import guard_append_only, unguard_append_only

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STANDARDS = 'standards'
EVENTS = 'standard_status_events'
IMPLEMENTATIONS = 'standard_implementations'
COUNTERPARTS = 'standard_counterparts'
APPEND_ONLY = [EVENTS, IMPLEMENTATIONS, COUNTERPARTS]


def _authored(table: str) -> list[sa.Column | sa.ForeignKeyConstraint]:
    return [sa.Column('created_by', sa.Integer(), nullable=True),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                    name=op.f(f'fk_{table}_created_by_users'))]


def _of_standard(table: str) -> list[sa.Column | sa.ForeignKeyConstraint]:
    return [sa.Column('standard_id', sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(['standard_id'], ['standards.id'],
                                    name=op.f(f'fk_{table}_standard_id_standards'))]


def upgrade() -> None:
    op.create_table(
        STANDARDS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=40), nullable=False),
        sa.Column('slug', sa.String(length=40), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('serial', sa.String(length=8), nullable=False),
        sa.Column('part', sa.Integer(), nullable=True),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('title_zh', sa.String(length=300), nullable=False),
        sa.Column('title_en', sa.String(length=300), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('committee', sa.String(length=200), nullable=False),
        sa.Column('published_on', sa.Date(), nullable=True),
        sa.Column('effective_on', sa.Date(), nullable=True),
        sa.Column('withdrawn_on', sa.Date(), nullable=True),
        sa.Column('tags', sa.JSON(), nullable=False),
        sa.Column('supersedes_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=500), nullable=False),
        sa.Column('confirmed', sa.Boolean(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        *_authored(STANDARDS),
        sa.ForeignKeyConstraint(['supersedes_id'], ['standards.id'],
                                name=op.f('fk_standards_supersedes_id_standards')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_standards')),
        sa.UniqueConstraint('number', name=op.f('uq_standards_number')),
        sa.UniqueConstraint('slug', name=op.f('uq_standards_slug')))
    for column in ('prefix', 'level', 'status'):
        op.create_index(op.f(f'ix_standards_{column}'), STANDARDS, [column])
    op.create_table(
        EVENTS,
        sa.Column('id', sa.Integer(), nullable=False),
        *_of_standard(EVENTS),
        sa.Column('from_status', sa.String(length=16), nullable=True),
        sa.Column('to_status', sa.String(length=16), nullable=False),
        sa.Column('changed_on', sa.Date(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=False),
        *_authored(EVENTS),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_status_events')))
    op.create_table(
        IMPLEMENTATIONS,
        sa.Column('id', sa.Integer(), nullable=False),
        *_of_standard(IMPLEMENTATIONS),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('started_on', sa.Date(), nullable=False),
        sa.Column('summary', sa.String(length=500), nullable=False),
        sa.Column('indicators', sa.JSON(), nullable=False),
        sa.Column('corrects_id', sa.Integer(), nullable=True),
        *_authored(IMPLEMENTATIONS),
        sa.ForeignKeyConstraint(['org_id'], ['organisations.id'],
                                name=op.f('fk_standard_implementations_org_id_organisations')),
        sa.ForeignKeyConstraint(
            ['corrects_id'], ['standard_implementations.id'],
            name=op.f('fk_standard_implementations_corrects_id_standard_implementations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_implementations')))
    op.create_index(op.f('ix_standard_implementations_org_id'), IMPLEMENTATIONS, ['org_id'])
    op.create_table(
        COUNTERPARTS,
        sa.Column('id', sa.Integer(), nullable=False),
        *_of_standard(COUNTERPARTS),
        sa.Column('body', sa.String(length=8), nullable=False),
        sa.Column('reference', sa.String(length=80), nullable=False),
        sa.Column('relation', sa.String(length=16), nullable=False),
        sa.Column('recognition', sa.String(length=16), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        *_authored(COUNTERPARTS),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_standard_counterparts')))
    for table in APPEND_ONLY:
        op.create_index(op.f(f'ix_{table}_standard_id'), table, ['standard_id'])
    # The triggers of 0008: a status change, an implementation record and a counterpart's
    # recognition are records, never changed (a correction is a new row).
    guard_append_only(APPEND_ONLY)


def downgrade() -> None:
    unguard_append_only(APPEND_ONLY)
    for table in reversed(APPEND_ONLY):
        op.drop_index(op.f(f'ix_{table}_standard_id'), table_name=table)
    op.drop_index(op.f('ix_standard_implementations_org_id'), table_name=IMPLEMENTATIONS)
    for table in reversed(APPEND_ONLY):
        op.drop_table(table)
    for column in ('prefix', 'level', 'status'):
        op.drop_index(op.f(f'ix_standards_{column}'), table_name=STANDARDS)
    op.drop_table(STANDARDS)
