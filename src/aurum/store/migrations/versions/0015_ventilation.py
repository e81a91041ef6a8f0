"""ventilation: a mine's airway networks as versions and their solutions, append-only

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

``vent_networks`` holds each version of a mine's ventilation network (issue 21): the network
document as ``aurum vent solve`` reads it (junctions, branches, fans, regulators, and the
climate, main routes and working places the service reads), why it was stored, who and when.
``vent_solutions`` holds the solution computed when the version was stored (never on a read):
flows, pressures, fan duties, regulator drops, the Kirchhoff residuals, the climate along the
main routes and the required-against-solved airflow per working place, with the code version.
Both append-only, with 0008's triggers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from aurum.store.triggers import guard_append_only, unguard_append_only

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NETWORKS = 'vent_networks'
SOLUTIONS = 'vent_solutions'


def upgrade() -> None:
    op.create_table(
        NETWORKS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('document', sa.JSON(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'],
                                name=op.f('fk_vent_networks_created_by_users')),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_vent_networks_site_id_sites')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vent_networks')),
        sa.UniqueConstraint('site_id', 'version', name='uq_vent_networks_site_version'))
    op.create_index(op.f('ix_vent_networks_site_id'), NETWORKS, ['site_id'])
    op.create_table(
        SOLUTIONS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('flows', sa.JSON(), nullable=False),
        sa.Column('pressures', sa.JSON(), nullable=False),
        sa.Column('fans', sa.JSON(), nullable=False),
        sa.Column('regulators', sa.JSON(), nullable=False),
        sa.Column('max_residual_pa', sa.Double(), nullable=False),
        sa.Column('max_node_imbalance_m3s', sa.Double(), nullable=False),
        sa.Column('iterations', sa.Integer(), nullable=False),
        sa.Column('climate', sa.JSON(), nullable=False),
        sa.Column('airflow', sa.JSON(), nullable=False),
        sa.Column('code_version', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['network_id'], ['vent_networks.id'],
                                name=op.f('fk_vent_solutions_network_id_vent_networks')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vent_solutions')),
        sa.UniqueConstraint('network_id', name=op.f('uq_vent_solutions_network_id')))
    # The triggers of 0008: a network version and its solution are records, never changed.
    guard_append_only([NETWORKS, SOLUTIONS])


def downgrade() -> None:
    unguard_append_only([NETWORKS, SOLUTIONS])
    op.drop_table(SOLUTIONS)
    op.drop_index(op.f('ix_vent_networks_site_id'), table_name=NETWORKS)
    op.drop_table(NETWORKS)
