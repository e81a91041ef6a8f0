"""review: the review steps of each report version and the drafts not yet submitted

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

``report_reviews`` holds, append-only, each step of a report version's review (submitted,
accepted, returned with a reason, amended; issue 18), with 0008's triggers; ``report_drafts``
holds report forms saved and not yet submitted, one per site and period.

Every version stored before this revision counted in the indicators as soon as it was
submitted, so each is recorded as accepted (by no user, when it was submitted): upgrading
leaves the national figures as they were.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aurum.store.triggers import guard_append_only, unguard_append_only

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'report_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id']),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_report_reviews_report_id', 'report_reviews', ['report_id'])
    op.create_index('ix_report_reviews_state', 'report_reviews', ['state'])
    op.create_table(
        'report_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('saved_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['saved_by'], ['users.id']),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('site_id', 'period', name='uq_report_drafts_site_period'))
    op.create_index('ix_report_drafts_site_id', 'report_drafts', ['site_id'])
    op.execute("INSERT INTO report_reviews (report_id, version, state, reason, actor_id, at) "
               "SELECT report_id, version, 'accepted', NULL, NULL, submitted_at "
               "FROM report_versions ORDER BY id")
    # The triggers of 0008: the review steps are a record, never changed once written.
    guard_append_only(['report_reviews'])


def downgrade() -> None:
    unguard_append_only(['report_reviews'])
    op.drop_index('ix_report_drafts_site_id', table_name='report_drafts')
    op.drop_table('report_drafts')
    op.drop_index('ix_report_reviews_state', table_name='report_reviews')
    op.drop_index('ix_report_reviews_report_id', table_name='report_reviews')
    op.drop_table('report_reviews')
