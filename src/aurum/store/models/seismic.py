"""Microseismic monitoring (:mod:`aurum.seismic`, :mod:`aurum.services.seismic`): a site's
catalogue, stations, events and picks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    Double,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurum.store.models.base import Base, OfSite, utcnow
from aurum.store.models.registry import Site


class SeismicCatalogue(Base):
    """The microseismic catalogue of a site: the local grid its positions are in (origin in
    WGS 84 degrees and ellipsoidal height, m) and the homogeneous velocities used to relocate
    events from edited picks (m/s; None until set)."""

    __tablename__ = "seismic_catalogues"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), unique=True)
    grid_latitude: Mapped[float | None] = mapped_column(Double)
    grid_longitude: Mapped[float | None] = mapped_column(Double)
    grid_elevation_m: Mapped[float | None] = mapped_column(Double)
    vp_m_s: Mapped[float | None] = mapped_column(Double)
    vs_m_s: Mapped[float | None] = mapped_column(Double)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    site: Mapped[Site] = relationship()


class SeismicStation(OfSite, Base):
    """A seismic station of a site, at a point of the mine grid (x, y, z in m, z up)."""

    __tablename__ = "seismic_stations"
    __table_args__ = (UniqueConstraint("site_id", "code", name="uq_seismic_stations_site_code"),)

    code: Mapped[str] = mapped_column(String(32))
    network: Mapped[str] = mapped_column(String(8), default="")
    x: Mapped[float] = mapped_column(Double)
    y: Mapped[float] = mapped_column(Double)
    z: Mapped[float] = mapped_column(Double)


class SeismicEvent(OfSite, Base):
    """A located seismic event (or blast) of a site's catalogue: origin time (UTC), position
    in the mine grid (m), magnitudes, moment (N·m), radiated energy (J), apparent stress (Pa),
    apparent volume (m³), corner frequency (Hz), energy index; its review status and the file
    it came from. ``resource_id`` (the QuakeML id) is unique within the site, so importing a
    file twice stores its events once."""

    __tablename__ = "seismic_events"
    __table_args__ = (UniqueConstraint("site_id", "resource_id",
                                       name="uq_seismic_events_site_resource"),)

    resource_id: Mapped[str] = mapped_column(String(200))
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    x: Mapped[float | None] = mapped_column(Double)
    y: Mapped[float | None] = mapped_column(Double)
    z: Mapped[float | None] = mapped_column(Double)
    ml: Mapped[float | None] = mapped_column(Double)
    mw: Mapped[float | None] = mapped_column(Double)
    moment: Mapped[float | None] = mapped_column(Double)
    energy: Mapped[float | None] = mapped_column(Double)
    apparent_stress: Mapped[float | None] = mapped_column(Double)
    apparent_volume: Mapped[float | None] = mapped_column(Double)
    corner_frequency: Mapped[float | None] = mapped_column(Double)
    energy_index: Mapped[float | None] = mapped_column(Double)
    n_stations: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    event_type: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(200))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    picks: Mapped[list[SeismicPick]] = relationship(back_populates="event",
                                                    order_by="SeismicPick.id",
                                                    cascade="all, delete-orphan")


class SeismicPick(Base):
    """A phase pick of an event: station code, phase (P/S), time (POSIX s) and weight (0-1)."""

    __tablename__ = "seismic_picks"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("seismic_events.id"), index=True)
    station: Mapped[str] = mapped_column(String(32))
    phase: Mapped[str] = mapped_column(String(4))
    time: Mapped[float] = mapped_column(Double)
    weight: Mapped[float] = mapped_column(Double)

    event: Mapped[SeismicEvent] = relationship(back_populates="picks")
