"""The records of the demo district: its quarters, the plan's figures it is calibrated to,
and the organisations, sites, reports, amendments and rejected uploads it is made of.

Pure data (frozen dataclasses, floats, dates) shared by the generator
(:mod:`aurum.demo.registry`, :mod:`aurum.demo.reports`, :mod:`aurum.demo.district`) and by
the monthly plant records (:mod:`aurum.demo.plants`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aurum.industry.registry import MineMethod, OrgType, PlantType, SiteKind, SiteStatus
from aurum.industry.reporting import Values

PERIODS: tuple[str, ...] = (
    "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4",
    "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4",
    "2026-Q1", "2026-Q2", "2026-Q3",
)
"""Quarters covered by the demo reports."""

MINE_GOLD_2024_KG = 377_000.0
"""National mine gold of 2024 (own mine + associated), kg: the plan's 377 t."""

LARGE_MINE_TPD = 500.0
"""Daily ore capacity from which a mine counts as large in the plan's 70 % indicator, t/d."""

PLANT_FLOORS_TPD: dict[PlantType, float] = {
    PlantType.PROCESSING_PLANT: 500.0,
    PlantType.HEAP_LEACH: 2000.0,
    PlantType.CONCENTRATE_SMELTER: 200.0,
}
"""The plan's minimum daily capacity of new plants, t/d (Task 5)."""

NEW_PLANT_FROM = dt.date(2025, 1, 1)
"""Plants commissioned on or after this date are new builds under the plan."""

DATA_AS_OF = dt.date(2026, 11, 15)
"""The day the demo data set was extracted: no submission or amendment is later."""


# ---------------------------------------------------------------------------------------------
# Public data model


@dataclass(frozen=True)
class DemoOrganisation:
    """An enterprise or an enterprise group.

    Parameters
    ----------
    code : str
        Stable code: ``G01``-``G08`` for groups, ``E01``-``E66`` for enterprises.
    name : str
        Fictional name.
    org_type : OrgType
        Kind of organisation; groups are :attr:`OrgType.GROUP`.
    province : str
        Province of the head office, a name of :data:`aurum.industry.registry.PROVINCES`.
    parent_code : str or None
        Code of the group the enterprise belongs to; None for groups and independents.
    """

    code: str
    name: str
    org_type: OrgType
    province: str
    parent_code: str | None


@dataclass(frozen=True)
class DemoSite:
    """A mine, a plant or a tailings facility.

    Parameters
    ----------
    code : str
        Stable code ``<province>-<place>-<nn>``, e.g. ``SD-SSD-01``; tailings ``...-T1``.
    org_code : str
        Code of the owning enterprise.
    name : str
        Site name.
    kind : SiteKind
        Mine, plant or tailings facility.
    province : str
        Province, a name of :data:`aurum.industry.registry.PROVINCES`.
    mine_method : MineMethod or None
        Mining method (mines only).
    plant_type : PlantType or None
        Kind of plant (plants only).
    design_capacity_tpd : float or None
        Design capacity, t/d of ore (concentrate for smelters, recycled material for
        refineries); None for tailings facilities.
    depth_m : float or None
        Deepest working level below surface, m (underground and combined mines only).
    status : SiteStatus
        Operating status.
    lon, lat : float
        WGS84 longitude and latitude, degrees.
    commissioned_on : datetime.date or None
        Start of operation; None for sites not yet commissioned.
    """

    code: str
    org_code: str
    name: str
    kind: SiteKind
    province: str
    mine_method: MineMethod | None
    plant_type: PlantType | None
    design_capacity_tpd: float | None
    depth_m: float | None
    status: SiteStatus
    lon: float
    lat: float
    commissioned_on: dt.date | None


@dataclass(frozen=True)
class DemoReport:
    """One stored quarterly report as first submitted.

    Parameters
    ----------
    site_code : str
        Reporting site.
    period : str
        Quarter, ``YYYY-Qn``.
    values : dict
        One key per name of :data:`aurum.industry.reporting.FIELDS`, in the field's unit;
        None where the field does not apply. Passes
        :func:`~aurum.industry.reporting.check_values`.
    submitted_on : datetime.date
        Day of submission: 5-25 days after the quarter end, late ones more than 30.
    """

    site_code: str
    period: str
    values: Values
    submitted_on: dt.date


@dataclass(frozen=True)
class DemoAmendment:
    """A correction that replaces a stored report (which stays in history).

    Parameters
    ----------
    site_code, period : str
        The report amended.
    values : dict
        The corrected figures, all fields; they pass ``check_values``.
    reason : str
        Why the figures change.
    submitted_on : datetime.date
        Day of the amendment, after the original submission.
    """

    site_code: str
    period: str
    values: Values
    reason: str
    submitted_on: dt.date


@dataclass(frozen=True)
class DemoRejected:
    """An upload refused by validation (its site-quarter was later stored correctly).

    Parameters
    ----------
    site_code, period : str
        Site-quarter of the refused row.
    values : dict
        The refused figures; ``check_values`` reports at least one problem.
    reason : str
        What went wrong in the submission.
    """

    site_code: str
    period: str
    values: Values
    reason: str
