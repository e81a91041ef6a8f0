"""Mine ventilation (:mod:`aurum.services.ventilation`): a mine's airway networks, each
version with the solution computed when it was stored, never changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Double, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurum.store.models.base import AppendOnly, Authored, Base, OfSite, utcnow


class VentNetwork(AppendOnly, OfSite, Authored, Base):
    """A version of a mine's ventilation network: ``document`` is the network as
    ``aurum vent solve`` reads NETWORK.yaml (with the optional ``climate``, ``routes`` and
    ``working_places`` sections the service reads), ``reason`` why it was stored."""

    __tablename__ = "vent_networks"
    __table_args__ = (UniqueConstraint("site_id", "version",
                                       name="uq_vent_networks_site_version"),)

    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500))
    solution: Mapped[VentSolution] = relationship(back_populates="network", uselist=False)


class VentSolution(AppendOnly, Base):
    """The solution of a network version, computed when the version was stored.

    ``flows`` (m³/s per branch), ``pressures`` (``{"drops": Pa per branch, "nodes": Pa per
    junction relative to the first, "reversals": [branch]}``), ``fans`` (per fan: flow m³/s,
    pressure Pa, air and shaft power kW, curve, warnings), ``regulators`` (extra drop, Pa);
    ``max_residual_pa`` the largest mesh closure (Pa), ``max_node_imbalance_m3s`` the largest
    junction imbalance (m³/s); ``climate`` the air along the main routes
    (:func:`aurum.services.ventilation.climate_profile`), ``airflow`` required against solved
    per working place.
    """

    __tablename__ = "vent_solutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("vent_networks.id"), unique=True)
    method: Mapped[str] = mapped_column(String(16))
    flows: Mapped[dict[str, Any]] = mapped_column(JSON)
    pressures: Mapped[dict[str, Any]] = mapped_column(JSON)
    fans: Mapped[dict[str, Any]] = mapped_column(JSON)
    regulators: Mapped[dict[str, Any]] = mapped_column(JSON)
    max_residual_pa: Mapped[float] = mapped_column(Double)
    max_node_imbalance_m3s: Mapped[float] = mapped_column(Double)
    iterations: Mapped[int] = mapped_column(Integer)
    climate: Mapped[dict[str, Any]] = mapped_column(JSON)
    airflow: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    code_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    network: Mapped[VentNetwork] = relationship(back_populates="solution")
