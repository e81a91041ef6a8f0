"""The Chinese standards' resource records (:mod:`aurum.services.gbt`): a mine's industrial
indicators (工业指标, DZ/T 0205-2020) as versions, and its geological-block estimates
(地质块段法, GB/T 17766-2020 categories) with their kriging check."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Double, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aurum.store.models.base import AppendOnly, Authored, Base, OfSite


class IndustrialIndicatorVersion(AppendOnly, OfSite, Authored, Base):
    """One version of a mine's industrial indicators: a change is a new version with its
    reason; grades in the unit of the grade column they apply to (g/t for gold)."""

    __tablename__ = "industrial_indicators"
    __table_args__ = (UniqueConstraint("site_id", "version",
                                       name="uq_industrial_indicators_site_version"),)

    version: Mapped[int] = mapped_column(Integer)
    cutoff_gpt: Mapped[float] = mapped_column(Double)
    min_industrial_gpt: Mapped[float] = mapped_column(Double)
    min_thickness_m: Mapped[float] = mapped_column(Double)
    max_waste_m: Mapped[float] = mapped_column(Double)
    min_metre_grade: Mapped[float | None] = mapped_column(Double)
    source: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)


class BlockEstimate(AppendOnly, OfSite, Authored, Base):
    """A geological-block estimate of a mine's orebody for a year: the intercepts and blocks
    live in Parquet files under AURUM_HOME (paths and SHA-256 here), with how they were made
    (inputs' hash, parameters, indicators version, code version), the totals by GB/T category
    and the kriging check, so that its page computes nothing."""

    __tablename__ = "block_estimates"
    __table_args__ = (UniqueConstraint("site_id", "year", "version",
                                       name="uq_block_estimates_syv"),)

    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    indicators_version: Mapped[int | None] = mapped_column(Integer)
    indicators: Mapped[dict[str, Any]] = mapped_column(JSON)
    grade_column: Mapped[str] = mapped_column(String(64))
    strike_deg: Mapped[float] = mapped_column(Double)
    dip_deg: Mapped[float] = mapped_column(Double)
    density_t_m3: Mapped[float] = mapped_column(Double)
    extrapolation: Mapped[str] = mapped_column(String(32))
    outline: Mapped[list[Any] | None] = mapped_column(JSON)
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    code_version: Mapped[str] = mapped_column(String(32))
    totals: Mapped[dict[str, Any]] = mapped_column(JSON)
    kriging: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    intercepts_path: Mapped[str] = mapped_column(String(500))
    intercepts_sha256: Mapped[str] = mapped_column(String(64))
    blocks_path: Mapped[str] = mapped_column(String(500))
    blocks_sha256: Mapped[str] = mapped_column(String(64))
