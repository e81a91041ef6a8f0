"""microseismic monitoring: catalogues, stations, events, picks

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('seismic_catalogues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('grid_latitude', sa.Double(), nullable=True),
    sa.Column('grid_longitude', sa.Double(), nullable=True),
    sa.Column('grid_elevation_m', sa.Double(), nullable=True),
    sa.Column('vp_m_s', sa.Double(), nullable=True),
    sa.Column('vs_m_s', sa.Double(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_seismic_catalogues_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seismic_catalogues')),
    sa.UniqueConstraint('site_id', name=op.f('uq_seismic_catalogues_site_id'))
    )
    op.create_table('seismic_stations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('network', sa.String(length=8), nullable=False),
    sa.Column('x', sa.Double(), nullable=False),
    sa.Column('y', sa.Double(), nullable=False),
    sa.Column('z', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_seismic_stations_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seismic_stations')),
    sa.UniqueConstraint('site_id', 'code', name='uq_seismic_stations_site_code')
    )
    with op.batch_alter_table('seismic_stations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seismic_stations_site_id'), ['site_id'], unique=False)

    op.create_table('seismic_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.String(length=200), nullable=False),
    sa.Column('time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('x', sa.Double(), nullable=True),
    sa.Column('y', sa.Double(), nullable=True),
    sa.Column('z', sa.Double(), nullable=True),
    sa.Column('ml', sa.Double(), nullable=True),
    sa.Column('mw', sa.Double(), nullable=True),
    sa.Column('moment', sa.Double(), nullable=True),
    sa.Column('energy', sa.Double(), nullable=True),
    sa.Column('apparent_stress', sa.Double(), nullable=True),
    sa.Column('apparent_volume', sa.Double(), nullable=True),
    sa.Column('corner_frequency', sa.Double(), nullable=True),
    sa.Column('energy_index', sa.Double(), nullable=True),
    sa.Column('n_stations', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('event_type', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_seismic_events_reviewed_by_users')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_seismic_events_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seismic_events')),
    sa.UniqueConstraint('site_id', 'resource_id', name='uq_seismic_events_site_resource')
    )
    with op.batch_alter_table('seismic_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seismic_events_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seismic_events_time'), ['time'], unique=False)

    op.create_table('seismic_picks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('station', sa.String(length=32), nullable=False),
    sa.Column('phase', sa.String(length=4), nullable=False),
    sa.Column('time', sa.Double(), nullable=False),
    sa.Column('weight', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['seismic_events.id'], name=op.f('fk_seismic_picks_event_id_seismic_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seismic_picks'))
    )
    with op.batch_alter_table('seismic_picks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seismic_picks_event_id'), ['event_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('seismic_picks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seismic_picks_event_id'))
    op.drop_table('seismic_picks')
    with op.batch_alter_table('seismic_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seismic_events_time'))
        batch_op.drop_index(batch_op.f('ix_seismic_events_site_id'))
    op.drop_table('seismic_events')
    with op.batch_alter_table('seismic_stations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seismic_stations_site_id'))
    op.drop_table('seismic_stations')
    op.drop_table('seismic_catalogues')
