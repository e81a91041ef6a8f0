"""Work safety (:mod:`aurum.safety`, :mod:`aurum.services.safety`): the hazard register,
tailings facilities, sensors, their readings and alerts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurum.store.models.base import AppendOnly, Base, OfSite, utcnow


class SafetyHazard(OfSite, Base):
    """A hazard of the register (事故隐患) and where it stands in the workflow of
    :mod:`aurum.safety.register`; its history is the append-only :class:`SafetyHazardEvent`.

    ``x``/``y`` are mine-grid coordinates (m), ``lon``/``lat`` WGS 84 degrees; ``photos`` and
    ``evidence`` hold the SHA-256 of files kept under ``AURUM_HOME/safety/files``.
    """

    __tablename__ = "safety_hazards"

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    area: Mapped[str | None] = mapped_column(String(200))
    x: Mapped[float | None] = mapped_column(Double)
    y: Mapped[float | None] = mapped_column(Double)
    lon: Mapped[float | None] = mapped_column(Double)
    lat: Mapped[float | None] = mapped_column(Double)
    facility: Mapped[str | None] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(8), index=True)
    criterion: Mapped[str | None] = mapped_column(String(16))
    clause: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16), index=True)
    owner: Mapped[str | None] = mapped_column(String(100))
    deadline: Mapped[date | None] = mapped_column(Date)
    reported_by: Mapped[str] = mapped_column(String(64))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reported_on: Mapped[date] = mapped_column(Date)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    rectified_by: Mapped[str | None] = mapped_column(String(64))
    rectified_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    verified_by: Mapped[str | None] = mapped_column(String(64))
    verified_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    escalation: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    tailings_facility_id: Mapped[int | None] = mapped_column(
        ForeignKey("tailings_facilities.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    events: Mapped[list[SafetyHazardEvent]] = relationship(
        back_populates="hazard", order_by="SafetyHazardEvent.id")


class SafetyHazardEvent(AppendOnly, Base):
    """One step of a hazard's timeline: who did what, when, from which state to which.
    Append-only."""

    __tablename__ = "safety_hazard_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("safety_hazards.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)

    hazard: Mapped[SafetyHazard] = relationship(back_populates="events")


class TailingsFacility(OfSite, Base):
    """A tailings facility (尾矿库) and the design data its monitoring rules refer to
    (:class:`aurum.safety.tailings.TailingsDesign`; elevations and lengths in m, storage in
    m³, displacement limits in mm). ``alarm_level`` is its latest roll-up level (0-4)."""

    __tablename__ = "tailings_facilities"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    grade: Mapped[int] = mapped_column(Integer)
    dam_type: Mapped[str] = mapped_column(String(16))
    crest_elevation_m: Mapped[float] = mapped_column(Double)
    beach_slope: Mapped[float] = mapped_column(Double)
    control_phreatic_depth_m: Mapped[float] = mapped_column(Double)
    design_flood_level_m: Mapped[float | None] = mapped_column(Double)
    flood_control_level_m: Mapped[float | None] = mapped_column(Double)
    operating_control_level_m: Mapped[float | None] = mapped_column(Double)
    design_freeboard_m: Mapped[float | None] = mapped_column(Double)
    design_beach_length_m: Mapped[float | None] = mapped_column(Double)
    displacement_limits_mm: Mapped[dict[str, float] | None] = mapped_column(JSON)
    total_storage_m3: Mapped[float | None] = mapped_column(Double)
    dam_height_m: Mapped[float | None] = mapped_column(Double)
    alarm_level: Mapped[int] = mapped_column(Integer, default=0)
    alarm_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    sensors: Mapped[list[Sensor]] = relationship(back_populates="facility",
                                                 order_by="Sensor.code")


class Sensor(OfSite, Base):
    """A monitoring sensor of a site: its kind and unit, the tailings facility it belongs to
    (its rules then come from the facility's design), its position (mine grid x/y/z and
    depth, m) and its own alarm rules as data (see :mod:`aurum.services.safety.rules`)."""

    __tablename__ = "sensors"
    __table_args__ = (UniqueConstraint("site_id", "code", name="uq_sensors_site_code"),)

    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("tailings_facilities.id"),
                                                    index=True)
    x: Mapped[float | None] = mapped_column(Double)
    y: Mapped[float | None] = mapped_column(Double)
    z: Mapped[float | None] = mapped_column(Double)
    depth_m: Mapped[float | None] = mapped_column(Double)
    surface_elevation_m: Mapped[float | None] = mapped_column(Double)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    alarm_level: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    facility: Mapped[TailingsFacility | None] = relationship(back_populates="sensors")


class SensorReading(AppendOnly, Base):
    """One reading of a sensor, in the sensor's unit; (sensor, time) is unique, so a reading
    delivered twice is stored once. Append-only."""

    __tablename__ = "sensor_readings"

    sensor_id: Mapped[int] = mapped_column(ForeignKey("sensors.id"), primary_key=True,
                                           autoincrement=False)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    value: Mapped[float] = mapped_column(Double)


class Alert(OfSite, Base):
    """An alarm raised by a sensor's rules, a tailings facility's roll-up or the seismic
    monitoring: its level (1 blue .. 4 red), the value that raised it, the acknowledgement
    and the hazard it opened, if any."""

    __tablename__ = "alerts"

    source: Mapped[str] = mapped_column(String(16))
    sensor_id: Mapped[int | None] = mapped_column(ForeignKey("sensors.id"), index=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("tailings_facilities.id"),
                                                    index=True)
    rule: Mapped[str] = mapped_column(String(32))
    level: Mapped[int] = mapped_column(Integer)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    value: Mapped[float | None] = mapped_column(Double)
    message: Mapped[str] = mapped_column(Text)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ack_note: Mapped[str | None] = mapped_column(Text)
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("safety_hazards.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    sensor: Mapped[Sensor | None] = relationship()
    facility: Mapped[TailingsFacility | None] = relationship()
