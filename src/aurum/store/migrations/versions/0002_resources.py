"""resource models, statements, report provenance

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('resource_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('samples_sha256', sa.String(length=64), nullable=False),
    sa.Column('file_path', sa.String(length=500), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('n_blocks', sa.Integer(), nullable=False),
    sa.Column('n_estimated', sa.Integer(), nullable=False),
    sa.Column('code_version', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_resource_models_created_by_users')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_resource_models_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_models'))
    )
    with op.batch_alter_table('resource_models', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_models_site_id'), ['site_id'], unique=False)

    op.create_table('resource_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('cutoff_gpt', sa.Double(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('measured_tonnes', sa.Double(), nullable=False),
    sa.Column('measured_grade_gpt', sa.Double(), nullable=True),
    sa.Column('measured_gold_t', sa.Double(), nullable=False),
    sa.Column('indicated_tonnes', sa.Double(), nullable=False),
    sa.Column('indicated_grade_gpt', sa.Double(), nullable=True),
    sa.Column('indicated_gold_t', sa.Double(), nullable=False),
    sa.Column('inferred_tonnes', sa.Double(), nullable=False),
    sa.Column('inferred_grade_gpt', sa.Double(), nullable=True),
    sa.Column('inferred_gold_t', sa.Double(), nullable=False),
    sa.Column('waterfall', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_resource_statements_created_by_users')),
    sa.ForeignKeyConstraint(['model_id'], ['resource_models.id'], name=op.f('fk_resource_statements_model_id_resource_models')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_resource_statements_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_statements')),
    sa.UniqueConstraint('site_id', 'year', 'version', name='uq_resource_statements_syv')
    )
    with op.batch_alter_table('resource_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_statements_site_id'), ['site_id'], unique=False)

    with op.batch_alter_table('report_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resource_statement_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_report_versions_resource_statement_id_resource_statements'), 'resource_statements', ['resource_statement_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('report_versions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_report_versions_resource_statement_id_resource_statements'), type_='foreignkey')
        batch_op.drop_column('resource_statement_id')

    with op.batch_alter_table('resource_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_statements_site_id'))

    op.drop_table('resource_statements')
    with op.batch_alter_table('resource_models', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_models_site_id'))

    op.drop_table('resource_models')
