"""Request and response models of a mine's ventilation networks
(``/api/v1/sites/{code}/vent-networks``, issue 21).

Flows in m³/s (positive in the branch's direction), pressures in Pa, resistances in
N s²/m⁸, elevations in m, temperatures in °C, powers in kW.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aurum.api.schemas import Schema


class VentNetworkIn(BaseModel):
    """A network version: the document ``aurum vent solve`` reads (``nodes``, ``branches``,
    and the optional ``climate``, ``routes`` and ``working_places``) and why it is stored."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    document: dict[str, Any] = Field(description="the NETWORK.yaml document as JSON")
    reason: str = Field(min_length=1, max_length=500, description="why this version")


class VentNetworkOut(Schema):
    """A stored version with its solution's summary."""

    id: int
    site: str
    version: int
    reason: str
    branches: int
    nodes: int
    method: str
    iterations: int
    max_residual_pa: float = Field(description="largest mesh closure, Pa")
    code_version: str
    created_at: datetime


class VentSolutionOut(Schema):
    """A version's solution, computed when it was stored."""

    flows: dict[str, float] = Field(description="per branch, m³/s")
    pressures: dict[str, Any] = Field(description="drops per branch and junction pressures, "
                                      "Pa; the reversed branches")
    fans: dict[str, Any] = Field(description="per fan: flow m³/s, pressure Pa, powers kW")
    regulators: dict[str, float] = Field(description="extra drop per regulator, Pa")
    max_node_imbalance_m3s: float
    climate: dict[str, Any] = Field(description="the air along the main routes")
    airflow: list[dict[str, Any]] = Field(description="required against solved, m³/s")


class VentNetworkDetailOut(VentNetworkOut):
    """A version with its document and solution."""

    document: dict[str, Any]
    solution: VentSolutionOut
