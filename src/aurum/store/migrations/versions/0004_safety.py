"""work safety: hazard register and timeline, tailings facilities, sensors, readings, alerts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('tailings_facilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('dam_type', sa.String(length=16), nullable=False),
    sa.Column('crest_elevation_m', sa.Double(), nullable=False),
    sa.Column('beach_slope', sa.Double(), nullable=False),
    sa.Column('control_phreatic_depth_m', sa.Double(), nullable=False),
    sa.Column('design_flood_level_m', sa.Double(), nullable=True),
    sa.Column('flood_control_level_m', sa.Double(), nullable=True),
    sa.Column('operating_control_level_m', sa.Double(), nullable=True),
    sa.Column('design_freeboard_m', sa.Double(), nullable=True),
    sa.Column('design_beach_length_m', sa.Double(), nullable=True),
    sa.Column('displacement_limits_mm', sa.JSON(), nullable=True),
    sa.Column('total_storage_m3', sa.Double(), nullable=True),
    sa.Column('dam_height_m', sa.Double(), nullable=True),
    sa.Column('alarm_level', sa.Integer(), nullable=False),
    sa.Column('alarm_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_tailings_facilities_created_by_users')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_tailings_facilities_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tailings_facilities')),
    sa.UniqueConstraint('code', name=op.f('uq_tailings_facilities_code'))
    )
    with op.batch_alter_table('tailings_facilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tailings_facilities_site_id'), ['site_id'], unique=False)

    op.create_table('safety_hazards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('area', sa.String(length=200), nullable=True),
    sa.Column('x', sa.Double(), nullable=True),
    sa.Column('y', sa.Double(), nullable=True),
    sa.Column('lon', sa.Double(), nullable=True),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('facility', sa.String(length=16), nullable=True),
    sa.Column('level', sa.String(length=8), nullable=True),
    sa.Column('criterion', sa.String(length=16), nullable=True),
    sa.Column('clause', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('owner', sa.String(length=100), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('reported_by', sa.String(length=64), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('photos', sa.JSON(), nullable=False),
    sa.Column('rectified_by', sa.String(length=64), nullable=True),
    sa.Column('rectified_on', sa.Date(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('verified_by', sa.String(length=64), nullable=True),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('escalation', sa.Integer(), nullable=False),
    sa.Column('reopened', sa.Integer(), nullable=False),
    sa.Column('tailings_facility_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_safety_hazards_reporter_id_users')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_safety_hazards_site_id_sites')),
    sa.ForeignKeyConstraint(['tailings_facility_id'], ['tailings_facilities.id'], name=op.f('fk_safety_hazards_tailings_facility_id_tailings_facilities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_hazards'))
    )
    with op.batch_alter_table('safety_hazards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_hazards_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_hazards_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_hazards_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_hazards_tailings_facility_id'), ['tailings_facility_id'], unique=False)

    op.create_table('sensors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=True),
    sa.Column('x', sa.Double(), nullable=True),
    sa.Column('y', sa.Double(), nullable=True),
    sa.Column('z', sa.Double(), nullable=True),
    sa.Column('depth_m', sa.Double(), nullable=True),
    sa.Column('surface_elevation_m', sa.Double(), nullable=True),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('alarm_level', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_sensors_created_by_users')),
    sa.ForeignKeyConstraint(['facility_id'], ['tailings_facilities.id'], name=op.f('fk_sensors_facility_id_tailings_facilities')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_sensors_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sensors')),
    sa.UniqueConstraint('site_id', 'code', name='uq_sensors_site_code')
    )
    with op.batch_alter_table('sensors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sensors_facility_id'), ['facility_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sensors_site_id'), ['site_id'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('sensor_id', sa.Integer(), nullable=True),
    sa.Column('facility_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ack_note', sa.Text(), nullable=True),
    sa.Column('hazard_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['users.id'], name=op.f('fk_alerts_acknowledged_by_users')),
    sa.ForeignKeyConstraint(['facility_id'], ['tailings_facilities.id'], name=op.f('fk_alerts_facility_id_tailings_facilities')),
    sa.ForeignKeyConstraint(['hazard_id'], ['safety_hazards.id'], name=op.f('fk_alerts_hazard_id_safety_hazards')),
    sa.ForeignKeyConstraint(['sensor_id'], ['sensors.id'], name=op.f('fk_alerts_sensor_id_sensors')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_alerts_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_facility_id'), ['facility_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_sensor_id'), ['sensor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_time'), ['time'], unique=False)

    op.create_table('safety_hazard_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['hazard_id'], ['safety_hazards.id'], name=op.f('fk_safety_hazard_events_hazard_id_safety_hazards')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_safety_hazard_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_hazard_events'))
    )
    with op.batch_alter_table('safety_hazard_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_hazard_events_hazard_id'), ['hazard_id'], unique=False)

    op.create_table('sensor_readings',
    sa.Column('sensor_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['sensor_id'], ['sensors.id'], name=op.f('fk_sensor_readings_sensor_id_sensors')),
    sa.PrimaryKeyConstraint('sensor_id', 'time', name=op.f('pk_sensor_readings'))
    )


def downgrade() -> None:
    op.drop_table('sensor_readings')
    with op.batch_alter_table('safety_hazard_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safety_hazard_events_hazard_id'))

    op.drop_table('safety_hazard_events')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_time'))
        batch_op.drop_index(batch_op.f('ix_alerts_site_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_sensor_id'))
        batch_op.drop_index(batch_op.f('ix_alerts_facility_id'))

    op.drop_table('alerts')
    with op.batch_alter_table('sensors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sensors_site_id'))
        batch_op.drop_index(batch_op.f('ix_sensors_facility_id'))

    op.drop_table('sensors')
    with op.batch_alter_table('safety_hazards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safety_hazards_tailings_facility_id'))
        batch_op.drop_index(batch_op.f('ix_safety_hazards_state'))
        batch_op.drop_index(batch_op.f('ix_safety_hazards_site_id'))
        batch_op.drop_index(batch_op.f('ix_safety_hazards_level'))

    op.drop_table('safety_hazards')
    with op.batch_alter_table('tailings_facilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tailings_facilities_site_id'))

    op.drop_table('tailings_facilities')
