"""Demo district: a fictional but realistic national gold industry, generated from a seed.

:func:`generate_district` returns the registry (enterprise groups, enterprises, mines, plants,
tailings facilities) and eleven quarters of statistical reports, ``2024-Q1`` to ``2026-Q3``,
for every operating mine and plant. Everything is pure data (dataclasses, floats, dates): a
service stores it, a notebook can use it directly.

The registry skeleton (names, codes, kinds, owners) is fixed, so site codes are stable across
seeds; the seed drives every figure (capacities, depths, coordinates, dates, report values).
Mines are named after the key development mines of Column 1 of the plan where one fits; every
enterprise and every other site is fictional.

The reports are calibrated to the plan's national picture (see :func:`generate_district`):
377 t of mine gold in 2024 growing about 2 % a year, about 13 % of it from processing plants,
heap leaches and smelters; large mines (>= 500 t/d) yielding about 63 % of the gold of mines
in 2024, rising slowly, as :mod:`aurum.industry.kpi` computes the plan's 70 % indicator (mine
sites only: plants and smelters are in neither numerator nor denominator); silver growing
2-3 % a year; solid-waste utilisation of about 28 % in 2024 rising toward 33 %; and gold
resources growing 4.5-6.5 % from the end of 2024 to 2026-Q3. About 130 small mines
(< 500 t/d), most of them high-grade vein mines, carry the other 37 % of the gold of mines.
The reports also carry the imperfections a regulator meets: late reports, missing reports,
rejected uploads and amendments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from aurum.core.periods import Period
from aurum.industry.registry import MineMethod, OrgType, PlantType, SiteKind, SiteStatus
from aurum.industry.reporting import (
    FIELDS,
    WASTE_ROUTES,
    WASTE_TYPES,
    Values,
    gold_resources_t,
    mine_gold_kg,
    waste_column,
    waste_generated_t,
    waste_utilised_t,
)

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
DATA_AS_OF = dt.date(2026, 11, 15)
"""The day the demo data set was extracted: no submission or amendment is later."""
"""Plants commissioned on or after this date are new builds under the plan."""

_SEASON = np.array([0.90, 1.02, 1.03, 1.04])  # Q1..Q4 throughput factor (Chinese New Year in Q1)
_EXPLORATION_PROVINCES = frozenset(
    {"Qinghai", "Gansu", "Yunnan", "Xinjiang", "Hunan", "Tibet", "Anhui"})
_N_LATE, _N_MISSING = 18, 8
_GOLD_FIELDS = ("gold_own_mine_kg", "gold_associated_kg", "gold_imported_kg")
_RESOURCE_FIELDS = ("resources_measured_t", "resources_indicated_t", "resources_inferred_t",
                    "reserves_proved_t", "reserves_probable_t")
_WASTE_TYPES = tuple(WASTE_TYPES)
_ROUTES = tuple(WASTE_ROUTES)
_TAILINGS, _CYANIDE_RESIDUE, _WASTE_ROCK, _OTHER = (
    _WASTE_TYPES.index(w) for w in ("tailings", "cyanide_residue", "waste_rock", "other"))


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


@dataclass(frozen=True)
class District:
    """The whole demo district.

    Parameters
    ----------
    organisations : list of DemoOrganisation
        Groups first, then enterprises.
    sites : list of DemoSite
        Mines, plants and tailings facilities.
    reports : list of DemoReport
        Stored quarterly reports in first-submitted form, by period then site.
    amendments : list of DemoAmendment
        Corrections of some of the stored reports.
    rejected : list of DemoRejected
        Uploads that failed validation.
    missing : list of (str, str)
        ``(site_code, period)`` of operating sites that never reported that quarter.
    seed : int
        Seed the district was generated from.
    """

    organisations: list[DemoOrganisation]
    sites: list[DemoSite]
    reports: list[DemoReport]
    amendments: list[DemoAmendment]
    rejected: list[DemoRejected]
    missing: list[tuple[str, str]]
    seed: int

    def current_values(self) -> dict[tuple[str, str], Values]:
        """Figures in force per ``(site_code, period)``: the amendment where there is one."""
        out = {(r.site_code, r.period): r.values for r in self.reports}
        out.update({(a.site_code, a.period): a.values for a in self.amendments})
        return out


# ---------------------------------------------------------------------------------------------
# National figures of a district (the indicators the tests and the demo check)


def annual_mine_gold_kg(district: District, year: int) -> float:
    """National mine gold (own mine + associated) of the reports of one year, kg."""
    return sum(mine_gold_kg(v) for (_, p), v in district.current_values().items()
               if p.startswith(f"{year}-"))


def large_mine_share(district: District, year: int) -> float:
    """Share of the gold of mines from mines of at least :data:`LARGE_MINE_TPD`, fraction.

    The KPI engine's definition (:mod:`aurum.industry.kpi`, ``large_mine_output_share_pct``):
    mine gold (own mine + associated) of mine sites with a design capacity of at least
    :data:`LARGE_MINE_TPD` over the mine gold of all mine sites. Plants, heap leaches,
    smelters and refineries are in neither the numerator nor the denominator.
    """
    mines = {s.code: (s.design_capacity_tpd or 0.0) >= LARGE_MINE_TPD
             for s in district.sites if s.kind is SiteKind.MINE}
    gold = [(mines[site], mine_gold_kg(v)) for (site, p), v in district.current_values().items()
            if site in mines and p.startswith(f"{year}-")]
    return sum(g for large, g in gold if large) / sum(g for _, g in gold)


def waste_utilisation_rate(district: District, year: int) -> float:
    """Solid waste utilised / solid waste generated, all types and sites of one year."""
    rows = [v for (_, p), v in district.current_values().items() if p.startswith(f"{year}-")]
    return sum(waste_utilised_t(v) for v in rows) / sum(waste_generated_t(v) for v in rows)


def national_resources_t(district: District, period: str) -> float:
    """Gold resources (measured + indicated + inferred) of the reports of one quarter, t."""
    return sum(gold_resources_t(v) or 0.0 for (_, p), v in district.current_values().items()
               if p == period)


# ---------------------------------------------------------------------------------------------
# Registry skeleton


_PROVINCE_CODE: dict[str, str] = {
    "Shandong": "SD", "Henan": "HA", "Gansu": "GS", "Hunan": "HN", "Jiangxi": "JX",
    "Inner Mongolia": "NM", "Xinjiang": "XJ", "Tibet": "XZ", "Qinghai": "QH", "Yunnan": "YN",
    "Shanxi": "SX", "Guizhou": "GZ", "Liaoning": "LN", "Hebei": "HE", "Jilin": "JL",
    "Fujian": "FJ", "Shaanxi": "SN", "Anhui": "AH",
}

# Rough lon/lat boxes (lon0, lon1, lat0, lat1) kept inside each province.
_BOX: dict[str, tuple[float, float, float, float]] = {
    "Shandong": (117.0, 120.3, 36.2, 37.3), "Henan": (111.5, 115.0, 33.3, 34.6),
    "Gansu": (103.0, 105.5, 34.0, 35.8), "Hunan": (110.0, 113.5, 26.0, 29.0),
    "Jiangxi": (114.5, 117.5, 25.5, 29.0), "Inner Mongolia": (112.0, 118.0, 42.7, 43.3),
    "Xinjiang": (82.0, 88.0, 42.0, 44.5), "Tibet": (85.0, 92.0, 29.6, 31.8),
    "Qinghai": (94.0, 100.0, 35.0, 37.5), "Yunnan": (100.0, 103.5, 23.5, 26.5),
    "Shanxi": (111.5, 113.2, 35.7, 39.0), "Guizhou": (105.0, 108.5, 25.5, 27.5),
    "Liaoning": (121.0, 124.0, 41.2, 42.3), "Hebei": (115.2, 117.8, 41.15, 41.7),
    "Jilin": (125.8, 128.3, 42.3, 44.0), "Fujian": (116.6, 118.5, 25.2, 27.0),
    "Shaanxi": (107.0, 110.0, 33.5, 35.0), "Anhui": (116.5, 117.8, 30.6, 33.0),
}
_JIAODONG = (120.0, 120.6, 37.0, 37.45)  # Laizhou-Zhaoyuan key development area

_UG, _OP, _COMB = MineMethod.UNDERGROUND, MineMethod.OPEN_PIT, MineMethod.COMBINED
_PP, _HL = PlantType.PROCESSING_PLANT, PlantType.HEAP_LEACH
_CS, _RF = PlantType.CONCENTRATE_SMELTER, PlantType.REFINERY


@dataclass(frozen=True)
class _Mine:
    """A mine of the skeleton; ranges are drawn uniformly with the seed."""

    name: str
    abbr: str
    method: MineMethod
    capacity: tuple[float, float]            # t/d
    depth: tuple[float, float] | None        # m
    grade: tuple[float, float]               # g/t
    by_product: tuple[float, float] = (0.0, 0.0)  # share of gold that is associated
    silver_rich: bool = False
    tailings: bool = False
    jiaodong: bool = False
    status: SiteStatus = SiteStatus.OPERATING


@dataclass(frozen=True)
class _Plant:
    """A plant of the skeleton: type, capacity range (t/d) and vintage."""

    plant_type: PlantType
    capacity: tuple[float, float]
    vintage: str = "existing"                # existing | new | construction


@dataclass(frozen=True)
class _Org:
    """An enterprise of the skeleton and the sites it owns (fictional ones by count)."""

    name: str
    org_type: OrgType
    province: str
    group: int | None = None                 # index into _GROUPS
    mines: tuple[_Mine, ...] = ()
    large: int = 0
    small: int = 0
    suspended: int = 0
    new_mines: int = 0
    plants: tuple[_Plant, ...] = ()
    silver_rich: bool = False
    copper_gold: bool = False


_GROUPS: tuple[tuple[str, str], ...] = (
    ("Jiaodong Gold Group", "Shandong"),
    ("Songshan Gold Group", "Henan"),
    ("Longnan Gold Group", "Gansu"),
    ("Xuefeng Gold Group", "Hunan"),
    ("Northern Steppe Gold Group", "Inner Mongolia"),
    ("Tianshan-Kunlun Gold Group", "Xinjiang"),
    ("Wumeng Gold Group", "Guizhou"),
    ("Gangdese Copper-Gold Group", "Tibet"),
)

_CU = (0.6, 0.9)
# Small underground mines (< 500 t/d): capacity (t/d), depth (m) and head grade (g/t) ranges.
# Where the gold sits in quartz veins (Jiaodong, Xiaoqinling, the North China craton margin,
# Xuefeng Mountain) and in the Carlin-type ores of Guizhou they work narrow high-grade bodies.
_MILL, _SMELTER = (1000.0, 2500.0), (400.0, 800.0)  # t/d of existing custom mills and smelters
_VEIN_PROVINCES = frozenset({"Shandong", "Henan", "Shaanxi", "Guizhou", "Hunan", "Hebei",
                             "Liaoning", "Jilin", "Inner Mongolia", "Shanxi"})
_VEIN_MINE = ((320.0, 490.0), (150.0, 900.0), (6.5, 9.5))
_SMALL_UG_MINE = ((250.0, 490.0), (100.0, 700.0), (4.5, 8.5))
_M, _PR, _SR = OrgType.MINING, OrgType.PROCESSING, OrgType.SMELTING_REFINING
_REC, _NM = OrgType.RECYCLING, OrgType.NEW_MATERIALS
_ORGS: tuple[_Org, ...] = (
    # Shandong: Laizhou-Zhaoyuan key development area
    _Org("Jiaodong Gold Mining Co.", _M, "Shandong", 0, (
        _Mine("Sanshandao", "SSD", _UG, (7000, 10000), (1000, 1600), (3.0, 4.5),
              tailings=True, jiaodong=True),
        _Mine("Xincheng", "XC", _UG, (5000, 8000), (800, 1300), (3.0, 5.0),
              tailings=True, jiaodong=True),
        _Mine("Jiaojia", "JJ", _UG, (6000, 10000), (700, 1200), (3.0, 4.5),
              tailings=True, jiaodong=True),
    ), small=3, plants=(_Plant(_PP, _MILL),)),
    _Org("Laizhou Bay Mining Co.", _M, "Shandong", 0, (
        _Mine("Haiyu", "HY", _UG, (10000, 12000), (1200, 1800), (2.5, 4.0), jiaodong=True,
              status=SiteStatus.CONSTRUCTION),
        _Mine("Xiling", "XL", _UG, (2500, 4000), (1500, 2000), (3.0, 5.0),
              tailings=True, jiaodong=True),
        _Mine("Lingnan-Fushan", "LNF", _UG, (2000, 4000), (600, 1100), (3.0, 5.0),
              jiaodong=True),
    ), small=3),
    _Org("Peninsula Deep Gold Co.", _M, "Shandong", 0, (
        _Mine("Linglong", "LL", _UG, (4000, 6000), (1000, 1500), (4.0, 7.0),
              tailings=True, jiaodong=True),
        _Mine("Dayingezhuang", "DYG", _UG, (3500, 5500), (600, 1000), (3.0, 5.0),
              jiaodong=True),
    ), small=3),
    _Org("Penglai Coast Mining Co.", _M, "Shandong", None, (
        _Mine("Penglai", "PL", _UG, (800, 1500), (400, 800), (4.0, 7.0), jiaodong=True),
    ), small=4),
    _Org("Xiadian Deep Mining Co.", _M, "Shandong", 0, (
        _Mine("Xiadian", "XD", _UG, (3500, 5500), (700, 1100), (3.0, 5.5),
              tailings=True, jiaodong=True),
        _Mine("Shaling", "SL", _UG, (8000, 10000), (1200, 1600), (2.5, 4.0), jiaodong=True,
              status=SiteStatus.CONSTRUCTION),
    ), small=2),
    _Org("Jiaodong Smelting & Refining Co.", _SR, "Shandong", 0,
         plants=(_Plant(_CS, _SMELTER), _Plant(_RF, (0.1, 0.3)))),
    _Org("Laiyang Hills Gold Co.", _M, "Shandong", large=1, small=3,
         plants=(_Plant(_PP, _MILL),)),
    _Org("Peninsula Ore Processing Co.", _PR, "Shandong",
         plants=(_Plant(_PP, (250, 480), "new"), _Plant(_PP, _MILL))),
    _Org("Bohai Shore Gold Co.", _M, "Shandong", large=1, small=3),
    _Org("Zhaoyuan Vein Gold Co.", _M, "Shandong", small=5),
    _Org("Muping-Rushan Gold Co.", _M, "Shandong", 0, small=4),
    _Org("Jiaodong Precious Metals Recycling Co.", _REC, "Shandong", 0),
    _Org("Jiaodong Precious Alloys Co.", _NM, "Shandong", 0),
    # Henan and Shaanxi: Xiaoqinling-Xiong'er Mountain gold-silver area
    _Org("Tongbai Hills Gold Co.", _M, "Henan", 1, (
        _Mine("Laowan", "LW", _COMB, (1500, 3000), (300, 600), (1.5, 3.0), silver_rich=True),
    ), small=3),
    _Org("Lesser Qinling Gold-Silver Co.", _M, "Henan", 1, large=1, small=4, suspended=1,
         silver_rich=True),
    _Org("Songshan Smelting Co.", _SR, "Henan", 1,
         plants=(_Plant(_CS, _SMELTER), _Plant(_CS, (200, 200), "new"))),
    _Org("Funiu Range Mining Co.", _M, "Henan", large=1, small=3,
         plants=(_Plant(_PP, _MILL),)),
    _Org("Xiong'er Ridge Gold Co.", _M, "Henan", 1, small=3, new_mines=1,
         plants=(_Plant(_PP, _MILL),)),
    _Org("Central Plains Recycling Co.", _REC, "Henan"),
    _Org("Yellow River Gold Co.", _M, "Henan", large=1, small=3),
    _Org("Xiaoqinling Vein Mining Co.", _M, "Henan", 1, small=5),
    _Org("Luoning Gold Co.", _M, "Henan", small=4),
    # Gansu: Gannan key exploration area
    _Org("Gannan Gold Mining Co.", _M, "Gansu", 2, (
        _Mine("Zaozigou", "ZZG", _UG, (2500, 4000), (400, 900), (3.0, 5.0), tailings=True),
        _Mine("Yidinan", "YDN", _UG, (1500, 3000), (300, 700), (2.5, 4.5)),
    ), small=1),
    _Org("Longnan Gold Mining Co.", _M, "Gansu", 2, (
        _Mine("Liba-Jinshan", "LBJ", _OP, (5000, 10000), None, (0.8, 1.5)),
        _Mine("Daqiao", "DQ", _COMB, (2000, 4000), (200, 500), (1.5, 3.0)),
    ), small=1, plants=(_Plant(_HL, (3000, 12000)),)),
    _Org("Longnan Heap Leach Co.", _PR, "Gansu", 2,
         plants=(_Plant(_HL, (2000, 2000), "new"), _Plant(_PP, (2000, 3000), "construction"))),
    _Org("Taohe Valley Mining Co.", _M, "Gansu", large=1, small=1,
         plants=(_Plant(_PP, (500, 800), "new"),)),
    _Org("Gannan Plateau Mining Co.", _M, "Gansu", small=2, suspended=1),
    # Hunan: Xuefeng Mountain and Pingjiang-Liling
    _Org("Xuefeng Mountain Gold Co.", _M, "Hunan", 3, (
        _Mine("Woxi", "WX", _UG, (500, 1200), (800, 1300), (4.5, 7.5), tailings=True),
    ), small=3),
    _Org("Mufu Range Gold Co.", _M, "Hunan", 3, (
        _Mine("Wangu", "WG", _UG, (600, 1200), (500, 1000), (3.0, 6.0)),
    ), small=3, plants=(_Plant(_PP, (200, 450), "new"),)),
    _Org("Xiangzhong Gold Co.", _M, "Hunan", large=1, small=1, plants=(_Plant(_PP, _MILL),)),
    _Org("Xiangjiang New Materials Co.", _NM, "Hunan"),
    # Jiangxi
    _Org("Poyang Basin Gold Co.", _M, "Jiangxi", None, (
        _Mine("Jinshan (Jiangxi)", "JIS", _COMB, (1000, 2500), (200, 600), (3.0, 5.0),
              tailings=True),
    ), small=1),
    _Org("Ganjiang Mining Co.", _M, "Jiangxi", large=1, small=1),
    _Org("Ganjiang Urban Mining Co.", _REC, "Jiangxi"),
    # Inner Mongolia
    _Org("Yinshan Gold Co.", _M, "Inner Mongolia", 4, (
        _Mine("Wulashan-Hademen", "WLH", _UG, (2000, 4000), (400, 900), (3.0, 6.0)),
        _Mine("Haoyaoerhudong", "HYH", _OP, (15000, 30000), None, (0.5, 0.9), tailings=True),
    ), small=1),
    _Org("Xilamulun Gold Co.", _M, "Inner Mongolia", 4, (
        _Mine("Jinchanggouliang", "JCG", _UG, (600, 1200), (300, 700), (4.0, 7.0)),
    ), small=2),
    _Org("Gobi Edge Mining Co.", _M, "Inner Mongolia", None, (
        _Mine("Bilige", "BLG", _OP, (5000, 10000), None, (0.8, 1.5)),
    ), small=1),
    _Org("Steppe Processing Co.", _PR, "Inner Mongolia", 4,
         plants=(_Plant(_PP, (1000, 2000), "new"), _Plant(_HL, (3000, 12000)))),
    # Xinjiang and Qinghai: West Tianshan and East Kunlun
    _Org("Yili Valley Gold Co.", _M, "Xinjiang", 5, (
        _Mine("Jinshan (Xinjiang)", "JIS", _OP, (5000, 10000), None, (0.6, 1.2), tailings=True),
        _Mine("Saiwayaerdun", "SWY", _UG, (1500, 3000), (300, 700), (3.0, 6.0)),
    ), small=1, plants=(_Plant(_HL, (1000, 1800), "new"),)),
    _Org("Junggar Mining Co.", _M, "Xinjiang", large=1, small=2),
    _Org("Qaidam Gold Co.", _M, "Qinghai", 5, (
        _Mine("Dachaidan", "DCD", _COMB, (2000, 4000), (200, 500), (2.5, 4.5), tailings=True),
    ), large=1, small=1),
    _Org("East Kunlun Mining Co.", _M, "Qinghai", small=2, new_mines=1),
    # Tibet: Qulong-Jiama polymetallic area
    _Org("Lhasa Copper-Gold Co.", _M, "Tibet", 7, (
        _Mine("Jiama", "JM", _COMB, (15000, 30000), (300, 800), (0.2, 0.5), (0.7, 0.95),
              tailings=True),
        _Mine("Xiong Village", "XCN", _OP, (8000, 15000), None, (0.3, 0.6), (0.7, 0.95)),
    )),
    _Org("Yarlung Mining Co.", _M, "Tibet", 7, (
        _Mine("Bangpu", "BP", _OP, (8000, 15000), None, (0.1, 0.3), (0.8, 0.95)),
        _Mine("Duolong", "DL", _OP, (20000, 30000), None, (0.2, 0.5), (0.7, 0.95),
              status=SiteStatus.CONSTRUCTION),
    )),
    # Yunnan: Ailao Mountain
    _Org("Ailao Mountain Gold Co.", _M, "Yunnan", None, (
        _Mine("Beiya", "BY", _OP, (8000, 15000), None, (1.0, 2.0), (0.1, 0.3), tailings=True),
    ), small=2),
    _Org("Erhai Smelting Co.", _SR, "Yunnan",
         plants=(_Plant(_CS, _SMELTER), _Plant(_CS, (100, 180), "new"))),
    _Org("Dianxi Mining Co.", _M, "Yunnan", large=1, small=2),
    # Shanxi
    _Org("Wutai Gold Co.", _M, "Shanxi", None, (
        _Mine("Yixingzhai", "YXZ", _UG, (1500, 3000), (400, 800), (3.0, 5.0)),
    ), small=3),
    _Org("Taihang Mining Co.", _M, "Shanxi", small=2),
    # Guizhou: Zhenfeng-Puan
    _Org("Qianxinan Gold Co.", _M, "Guizhou", 6, (
        _Mine("Shuiyindong", "SYD", _UG, (2000, 4000), (300, 700), (4.0, 7.0), tailings=True),
        _Mine("Nibao", "NB", _OP, (3000, 6000), None, (1.0, 2.0)),
    ), small=2, plants=(_Plant(_PP, (1500, 3000), "new"),)),
    _Org("Zhenfeng Hills Mining Co.", _M, "Guizhou", 6, small=3,
         plants=(_Plant(_HL, (3000, 12000)),)),
    _Org("Beipan River Mining Co.", _M, "Guizhou", large=1, small=3),
    _Org("Puan Gold Co.", _M, "Guizhou", 6, small=3),
    # Liaoning, Hebei, Jilin: northern Hebei-western Liaoning, southern Jilin-eastern Liaoning
    _Org("Liaodong Gold Co.", _M, "Liaoning", None, (
        _Mine("Dadonggou", "DDG", _UG, (1500, 3000), (400, 900), (3.0, 6.0)),
    ), small=3),
    _Org("West Liaoning Mining Co.", _M, "Liaoning", large=1, small=2, suspended=1),
    _Org("Yanshan Gold Co.", _M, "Hebei", large=1, small=2, plants=(_Plant(_PP, _MILL),)),
    _Org("Bashang Mining Co.", _M, "Hebei", small=2),
    _Org("Changbai Gold Co.", _M, "Jilin", large=1, small=3),
    _Org("Tonghua Hills Mining Co.", _M, "Jilin", small=2),
    # Fujian: Longyan gold-copper area
    _Org("Minxi Copper-Gold Co.", _M, "Fujian", large=1, small=1, copper_gold=True),
    _Org("Southeast Coast Refining Co.", _SR, "Fujian",
         plants=(_Plant(_CS, _SMELTER), _Plant(_RF, (0.1, 0.3)))),
    # Shaanxi
    _Org("Qinling North Gold Co.", _M, "Shaanxi", 1, large=1, small=3, silver_rich=True),
    _Org("Hanzhong Mining Co.", _M, "Shaanxi", small=3),
    _Org("Tongguan Gold Co.", _M, "Shaanxi", small=4),
    # Anhui: northeastern Anhui and the Yangtze copper-gold belt
    _Org("Wanbei Polymetallic Co.", _M, "Anhui", large=1, small=1, copper_gold=True),
    _Org("Jiangnan Copper-Gold Smelting Co.", _SR, "Anhui", plants=(_Plant(_CS, _SMELTER),)),
)

_SYLLABLES_1 = ("Bai", "Hong", "Qing", "Shi", "Long", "Feng", "Yun", "Dong", "Xi", "Nan",
                "Bei", "Ma", "Niu", "Yang", "Lu", "Tai", "Ping", "Huang", "Lao", "Gao",
                "Chang", "Song", "Liu", "Tao", "Mei", "Zhu", "Wu", "Jiu", "Qian", "Hei", "Lan")
_SYLLABLES_2 = ("shan", "gou", "ling", "ping", "he", "wan", "po", "zhuang", "ya", "yu",
                "chuan", "feng", "gang", "tan", "ao", "hu", "men", "jing", "yao", "keng", "ba",
                "chong")
_NAMES_SEED = 1949  # fixed: the fictional place names (hence site codes) do not depend on seed


def _place_names() -> list[tuple[str, str]]:
    """Fictional place names with their 3-letter abbreviations, in a fixed shuffled order.

    Names of the named mines are left out, and so is any pair that spells a province.
    """
    taken = {m.name.partition(" (")[0].lower() for o in _ORGS for m in o.mines} | {"taiwan"}
    pairs = [(a, b) for a in _SYLLABLES_1 for b in _SYLLABLES_2
             if a.lower() != b and (a + b).lower() not in taken]
    order = np.random.default_rng(_NAMES_SEED).permutation(len(pairs))
    return [(a + b, (a[:2] + b[0]).upper()) for a, b in (pairs[i] for i in order)]


# ---------------------------------------------------------------------------------------------
# Hidden per-site model


@dataclass
class _Model:
    """Parameters of one reporting site that are not stored but drive its reports."""

    site: DemoSite
    large: bool                   # a large mine (>= LARGE_MINE_TPD)
    grade_gpt: float              # head grade (concentrate grade for smelters)
    recovery: float               # fraction of contained gold recovered
    by_product: float             # share of gold reported as associated (smelter: domestic)
    silver_ratio: float           # kg silver per kg gold
    cyanide_kgpt: float           # NaCN per t treated, kg/t (0: no cyanidation)
    energy_kgcept: float          # kg standard coal per t treated (refinery: tce per kg gold)
    waste_factor: np.ndarray      # (4,) t waste per t basis, NaN when the type does not apply
    routes: np.ndarray            # (4, 4) share of generation utilised per route, at 2024.0
    stock_quarters: np.ndarray    # (4,) opening stock in quarters of generation
    lom_years: float              # resources / annual depletion at the start
    res_split: tuple[float, float, float, float]   # measured, indicated shares; proved, probable
    explore_rate: float           # exploration additions per year / starting resources
    util_base: float              # capacity utilisation at 2024.0
    util_trend: float             # change of utilisation per year
    route_trend: float            # relative growth of waste utilisation per year
    recycled_share: float = 0.0   # refinery: share of throughput that is recycled gold


class _Registry:
    """Builds organisations, sites and the hidden models of reporting sites."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.orgs: list[DemoOrganisation] = []
        self.sites: list[DemoSite] = []
        self.models: list[_Model] = []
        self._places = iter(_place_names())
        self._serial: dict[str, int] = {}
        self._fictional = 0

    # -- helpers -------------------------------------------------------------------------------

    def _u(self, lo_hi: tuple[float, float]) -> float:
        return float(self.rng.uniform(*lo_hi))

    def _code(self, province: str, abbr: str) -> str:
        key = f"{_PROVINCE_CODE[province]}-{abbr}"
        self._serial[key] = self._serial.get(key, 0) + 1
        return f"{key}-{self._serial[key]:02d}"

    def _point(self, box: tuple[float, float, float, float]) -> tuple[float, float]:
        lon0, lon1, lat0, lat1 = box
        return (round(self._u((lon0, lon1)), 4), round(self._u((lat0, lat1)), 4))

    def _date(self, first: dt.date, last: dt.date) -> dt.date:
        span = (last - first).days
        return first + dt.timedelta(days=int(self.rng.integers(0, span + 1)))

    def _place(self) -> tuple[str, str]:
        return next(self._places)

    # -- skeleton ------------------------------------------------------------------------------

    def build(self) -> None:
        for i, (name, province) in enumerate(_GROUPS):
            self.orgs.append(DemoOrganisation(f"G{i + 1:02d}", name, OrgType.GROUP, province,
                                              None))
        for i, spec in enumerate(_ORGS):
            parent = None if spec.group is None else f"G{spec.group + 1:02d}"
            org = DemoOrganisation(f"E{i + 1:02d}", spec.name, spec.org_type, spec.province,
                                   parent)
            self.orgs.append(org)
            self._org_sites(org, spec)

    def _org_sites(self, org: DemoOrganisation, spec: _Org) -> None:
        for mine in spec.mines:
            self._mine(org, mine)
        for _ in range(spec.large):
            self._mine(org, self._fictional_mine(spec, large=True))
        for _ in range(spec.small):
            self._mine(org, self._fictional_mine(spec, large=False))
        for _ in range(spec.suspended):
            self._mine(org, self._fictional_mine(spec, large=False,
                                                 status=SiteStatus.SUSPENDED))
        for _ in range(spec.new_mines):
            place, abbr = self._place()
            self._mine(org, _Mine(place, abbr, _UG, (600, 1500), (300, 800), (3.0, 5.0)),
                       new=True)
        for plant in spec.plants:
            self._plant(org, plant)

    def _fictional_mine(self, spec: _Org, large: bool,
                        status: SiteStatus = SiteStatus.OPERATING) -> _Mine:
        """A fictional mine; its method cycles with the count (part of the fixed skeleton)."""
        place, abbr = self._place()
        self._fictional += 1
        if large and spec.copper_gold:
            return _Mine(place, abbr, _OP, (8000, 20000), None, (0.3, 0.7), _CU)
        if large and not spec.silver_rich:
            method = (_UG, _OP, _UG, _COMB)[self._fictional % 4]
            return {
                _UG: _Mine(place, abbr, _UG, (2500, 8000), (400, 1200), (2.5, 5.0)),
                _OP: _Mine(place, abbr, _OP, (6000, 10000), None, (0.6, 1.5)),
                _COMB: _Mine(place, abbr, _COMB, (2500, 7000), (200, 600), (1.8, 3.5)),
            }[method]
        if large:
            return _Mine(place, abbr, _UG, (1000, 3000), (400, 1000), (2.0, 4.0),
                         silver_rich=True)
        if self._fictional % 12 == 0:
            return _Mine(place, abbr, _COMB, (200, 490), (100, 300), (1.0, 2.5), status=status)
        if spec.province in _VEIN_PROVINCES:
            return _Mine(place, abbr, _UG, *_VEIN_MINE, silver_rich=spec.silver_rich,
                         status=status)
        return _Mine(place, abbr, _UG, *_SMALL_UG_MINE, silver_rich=spec.silver_rich,
                     status=status)

    def _mine(self, org: DemoOrganisation, mine: _Mine, new: bool = False) -> None:
        rng, province = self.rng, org.province
        capacity = round(self._u(mine.capacity), -1)
        depth = None if mine.depth is None else round(self._u(mine.depth), -1)
        box = _JIAODONG if mine.jiaodong else _BOX[province]
        lon, lat = self._point(box)
        if mine.status is SiteStatus.CONSTRUCTION:
            commissioned = None
        elif new:
            commissioned = self._date(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        else:
            commissioned = self._date(dt.date(1975, 1, 1), dt.date(2021, 12, 31))
        place, _, qualifier = mine.name.partition(" (")
        name = f"{place} Mine" + (f" ({qualifier}" if qualifier else "")
        site = DemoSite(self._code(province, mine.abbr), org.code, name, SiteKind.MINE,
                        province, mine.method, None, capacity, depth, mine.status, lon, lat,
                        commissioned)
        self.sites.append(site)
        if mine.tailings:
            dlon, dlat = rng.uniform(-0.03, 0.03, 2)
            lon0, lon1, lat0, lat1 = box
            self.sites.append(DemoSite(
                site.code[:-3] + "-T1", org.code,
                name.replace(" Mine", " Tailings Facility"), SiteKind.TAILINGS, province,
                None, None, None, None, SiteStatus.OPERATING,
                round(float(np.clip(lon + dlon, lon0, lon1)), 4),
                round(float(np.clip(lat + dlat, lat0, lat1)), 4),
                self._date(dt.date(1985, 1, 1), dt.date(2020, 12, 31))))
        if mine.status is SiteStatus.OPERATING:
            self.models.append(self._mine_model(site, mine))

    def _plant(self, org: DemoOrganisation, plant: _Plant) -> None:
        place, abbr = self._place()
        suffix = {_PP: "Mill", _HL: "Heap Leach", _CS: "Smelter", _RF: "Refinery"}
        name = f"{place} {suffix[plant.plant_type]}"
        capacity = self._u(plant.capacity)
        capacity = round(capacity, -1) if capacity >= 100 else round(capacity, 2)
        if plant.vintage == "construction":
            status, commissioned = SiteStatus.CONSTRUCTION, None
        elif plant.vintage == "new":
            status = SiteStatus.OPERATING
            commissioned = self._date(NEW_PLANT_FROM, dt.date(2026, 6, 30))
        else:
            status = SiteStatus.OPERATING
            commissioned = self._date(dt.date(1995, 1, 1), dt.date(2023, 12, 31))
        lon, lat = self._point(_BOX[org.province])
        site = DemoSite(self._code(org.province, abbr), org.code, name,
                        SiteKind.PLANT, org.province, None, plant.plant_type, capacity, None,
                        status, lon, lat, commissioned)
        self.sites.append(site)
        if status is SiteStatus.OPERATING:
            self.models.append(self._plant_model(site))

    # -- hidden models -------------------------------------------------------------------------

    def _common(self, site: DemoSite) -> _Model:
        """Model with the draws shared by every reporting site; the caller fills the rest."""
        u = self._u
        return _Model(
            site=site, large=False, grade_gpt=0.0, recovery=0.0, by_product=0.0,
            silver_ratio=0.0, cyanide_kgpt=0.0, energy_kgcept=0.0,
            waste_factor=np.full(4, np.nan), routes=np.zeros((4, 4)),
            stock_quarters=np.array([u((8, 60)), u((2, 12)), u((8, 40)), u((1, 8))]),
            lom_years=0.0, res_split=(0.0, 0.0, 0.0, 0.0), explore_rate=0.0,
            util_base=u((0.80, 0.92)), util_trend=u((-0.01, 0.015)),
            route_trend=u((0.04, 0.12)))

    def _mine_model(self, site: DemoSite, mine: _Mine) -> _Model:
        u, rng = self._u, self.rng
        assert site.design_capacity_tpd is not None
        large = site.design_capacity_tpd >= LARGE_MINE_TPD
        model = self._common(site)
        model.large, model.grade_gpt = large, u(mine.grade)
        model.by_product = u(mine.by_product)
        copper = model.by_product > 0.5
        small_ug = not large and mine.method is _UG  # free-milling ore, run near capacity
        if copper:
            model.recovery = u((0.55, 0.75))
        else:
            model.recovery = u((0.90, 0.95)) if small_ug else u((0.87, 0.94))
        if mine.silver_rich:
            model.silver_ratio = u((20, 80))
        else:
            model.silver_ratio = u((3, 12)) if copper else u((0.3, 2.0))
        model.lom_years = u((20, 40)) if copper else u((12, 35)) if large else u((6, 15))
        model.res_split = (u((0.15, 0.30)), u((0.30, 0.40)), u((0.55, 0.85)), u((0.45, 0.75)))
        model.explore_rate = ((u((0.03, 0.10)) if large else u((0.0, 0.06)))
                              * (1.5 if site.province in _EXPLORATION_PROVINCES else 1.0))
        if large:
            model.util_base, model.util_trend = u((0.86, 0.95)), u((0.01, 0.03))
        elif small_ug:
            model.util_base = u((0.85, 0.95))
        cil = not copper and rng.random() < (0.6 if mine.method is _UG else 0.75)
        model.cyanide_kgpt = u((0.3, 1.0)) if cil else 0.0
        wf, rt = model.waste_factor, model.routes
        wf[_TAILINGS] = u((0.95, 0.99))
        if mine.method is _UG:
            model.energy_kgcept = u((15, 28))
            wf[_WASTE_ROCK] = u((0.1, 0.35))
            rt[_TAILINGS] = [u((0.25, 0.5)), u((0.0, 0.06)), 0.0, u((0.0, 0.02))]
            rt[_WASTE_ROCK] = [u((0.25, 0.55)), u((0.0, 0.1)), 0.0, 0.0]
        elif mine.method is _OP:
            model.energy_kgcept = u((4, 8))
            wf[_WASTE_ROCK] = u((1.5, 3.5))
            rt[_TAILINGS] = [0.0, u((0.0, 0.08)), u((0.0, 0.04)), 0.0]
            rt[_WASTE_ROCK] = [u((0.02, 0.1)), u((0.1, 0.3)), 0.0, u((0.0, 0.05))]
        else:
            model.energy_kgcept = u((8, 15))
            wf[_WASTE_ROCK] = u((0.5, 1.5))
            rt[_TAILINGS] = [u((0.1, 0.3)), u((0.0, 0.06)), 0.0, 0.0]
            rt[_WASTE_ROCK] = [u((0.1, 0.3)), u((0.05, 0.2)), 0.0, 0.0]
        return model

    def _plant_model(self, site: DemoSite) -> _Model:
        u = self._u
        model = self._common(site)
        wf, rt = model.waste_factor, model.routes
        if site.plant_type is _PP:
            model.grade_gpt, model.recovery = u((3.5, 6.0)), u((0.88, 0.94))
            model.silver_ratio, model.cyanide_kgpt = u((0.5, 2.0)), u((0.3, 1.0))
            model.energy_kgcept = u((6, 12))
            wf[_TAILINGS] = u((0.97, 0.99))
            rt[_TAILINGS] = [u((0.0, 0.2)), u((0.02, 0.15)), u((0.0, 0.05)), 0.0]
        elif site.plant_type is _HL:
            model.grade_gpt, model.recovery = u((0.5, 1.1)), u((0.55, 0.75))
            model.silver_ratio, model.cyanide_kgpt = u((0.2, 1.0)), u((0.15, 0.4))
            model.energy_kgcept = u((1.5, 3.5))
            wf[_TAILINGS] = 1.0  # spent heap ore
            rt[_TAILINGS] = [0.0, u((0.0, 0.06)), 0.0, u((0.0, 0.04))]
        elif site.plant_type is _CS:
            model.grade_gpt, model.recovery = u((38, 52)), u((0.95, 0.98))
            model.by_product, model.silver_ratio = u((0.55, 0.75)), u((1.0, 4.0))
            model.cyanide_kgpt, model.energy_kgcept = u((2.0, 5.0)), u((120, 220))
            wf[_CYANIDE_RESIDUE], wf[_OTHER] = u((0.85, 0.95)), u((0.02, 0.06))
            rt[_CYANIDE_RESIDUE] = [u((0.0, 0.1)), u((0.05, 0.2)), u((0.3, 0.55)), 0.0]
            rt[_OTHER] = [0.0, u((0.2, 0.5)), 0.0, 0.0]
        else:  # refinery: t/d of bullion and scrap; waste and energy per kg of recycled gold
            model.recycled_share = u((0.05, 0.15))
            model.silver_ratio, model.energy_kgcept = u((2.0, 6.0)), u((0.2, 0.6))
            wf[_CYANIDE_RESIDUE], wf[_OTHER] = u((0.02, 0.05)), u((0.05, 0.15))
            rt[_CYANIDE_RESIDUE] = [0.0, 0.0, u((0.5, 0.8)), 0.0]
            rt[_OTHER] = [0.0, u((0.1, 0.4)), 0.0, u((0.0, 0.2))]
        return model


# ---------------------------------------------------------------------------------------------
# Reports


_QUARTERS = tuple(Period.parse(p) for p in PERIODS)
_YEAR = np.array([q.year for q in _QUARTERS])
_EPOCH = dt.date(2024, 1, 1)
_T = np.array([((q.start - _EPOCH).days + (q.end - q.start).days / 2) / 365.25
               for q in _QUARTERS])  # years from 2024-01-01 to mid-quarter


def _active_days(site: DemoSite) -> np.ndarray:
    """Days of each quarter the site operated (0 before commissioning)."""
    first = site.commissioned_on or _EPOCH
    return np.array([max(0, (q.end - max(q.start, first)).days + 1) for q in _QUARTERS],
                    dtype=float)


@dataclass
class _Arrays:
    """Site x quarter figures before rounding (S reporting sites, Q quarters)."""

    days: np.ndarray         # (S, Q) days operated
    ore: np.ndarray          # (S, Q) ore / concentrate treated, t
    mined: np.ndarray        # (S, Q) ore mined, t (0 for plants)
    grade: np.ndarray        # (S, Q) head grade, g/t
    gold: np.ndarray         # (S, Q) gold recovered from feed, kg (refinery: recycled)
    stored: np.ndarray       # (S, Q) bool: a report exists
    silver: np.ndarray       # (S, Q) silver recovered, kg (set by _calibrate_silver)


def _production(models: list[_Model], rng: np.random.Generator) -> _Arrays:
    """Throughput, grade and gold of every reporting site and quarter."""
    n, nq = len(models), len(_QUARTERS)
    days = np.array([_active_days(m.site) for m in models])
    season = _SEASON[[q.index - 1 for q in _QUARTERS]]
    util_base = np.array([[m.util_base] for m in models])
    util_trend = np.array([[m.util_trend] for m in models])
    util = np.clip(util_base * season * (1 + util_trend * _T) * rng.normal(1, 0.03, (n, nq)),
                   0.70, 1.0)
    # New sites ramp up over their first two quarters.
    started = np.cumsum(days > 0, axis=1)
    util *= np.where(days[:, :1] > 0, 1.0, np.minimum(1.0, 0.4 + 0.2 * started))
    capacity = np.array([[m.site.design_capacity_tpd or 0.0] for m in models])
    ore = capacity * days * util
    is_mine = np.array([[m.site.kind is SiteKind.MINE] for m in models])
    mined = np.where(is_mine, ore * np.clip(rng.normal(1.0, 0.02, (n, nq)), 0.95, 1.06), 0.0)
    grade = (np.array([[m.grade_gpt] for m in models]) * (1 - 0.01 * _T)
             * np.clip(rng.normal(1, 0.04, (n, nq)), 0.85, 1.15))
    rec0 = np.array([[m.recovery] for m in models])
    recovery = np.clip(rec0 + rng.normal(0, 0.006, (n, nq)), rec0 - 0.02,
                       np.minimum(rec0 + 0.02, np.maximum(rec0, 0.95)))
    gold = ore * grade * recovery / 1000.0
    is_refinery = np.array([[m.site.plant_type is _RF] for m in models])
    recycled = ore * 1000.0 * np.array([[m.recycled_share] for m in models])
    gold = np.where(is_refinery, recycled, gold)
    ore = np.where(is_refinery, 0.0, ore)
    missing = np.zeros((n, nq), dtype=bool)
    candidates = [(s, q) for s, m in enumerate(models) for q in range(nq)
                  if m.site.kind is SiteKind.MINE and not m.large and days[s, q] >= 90]
    for i in rng.choice(len(candidates), _N_MISSING, replace=False):
        missing[candidates[i]] = True
    return _Arrays(days, ore, mined, grade, gold, (days > 0) & ~missing, np.zeros((n, nq)))


def _calibrate_gold(models: list[_Model], a: _Arrays, rng: np.random.Generator) -> None:
    """Scale head grades and gold per year and producer class to the national targets.

    Three classes: large mines (>= :data:`LARGE_MINE_TPD`), the other mines, and the plants
    and smelters (their mine gold only: a smelter's domestic concentrate, no recycled gold).
    Targets: 2024 mine gold :data:`MINE_GOLD_2024_KG`; 2025 +1.8-2.3 %; 2026-Q1..Q3 +1.5-2.5 %
    on 2025-Q1..Q3; plants and smelters 12.5-14.5 % of it in 2024, drifting by at most
    0.3 points a year; large mines 62.8-64.2 % of the gold of mines in 2024, +0.6-1.2 points
    a year (the KPI engine's share, over mine sites only).
    """
    kind = np.array([0 if m.large else 1 if m.site.kind is SiteKind.MINE else 2
                     for m in models])
    refinery = np.array([[m.site.plant_type is _RF] for m in models])
    # Share of each site's gold that is mine gold: smelters' domestic part, none of recycling.
    to_mine = np.array([[m.by_product if m.site.plant_type is _CS else 0.0 if r else 1.0]
                        for m, r in zip(models, refinery[:, 0], strict=True)])
    share = rng.uniform(0.628, 0.642)
    plants = rng.uniform(0.125, 0.145)
    total = MINE_GOLD_2024_KG
    for year in (2024, 2025, 2026):
        cols = year == _YEAR
        if year == 2025:
            total *= 1 + rng.uniform(0.018, 0.023)
        elif year == 2026:
            total = float((a.gold * to_mine * a.stored)[:, _YEAR == 2025][:, :3].sum())
            total *= 1 + rng.uniform(0.015, 0.025)
        if year > 2024:
            share += rng.uniform(0.006, 0.012)
            plants += rng.uniform(-0.003, 0.003)
        mg = (a.gold * to_mine * a.stored)[:, cols].sum(axis=1)
        wanted = np.array([share * (1 - plants), (1 - share) * (1 - plants), plants]) * total
        factor = np.where(refinery[:, 0], 1.0, (wanted / np.bincount(kind, mg, 3))[kind])
        a.grade[:, cols] *= factor[:, None]
        a.gold[:, cols] *= factor[:, None]


def _calibrate_silver(models: list[_Model], a: _Arrays, rng: np.random.Generator) -> None:
    """Silver of every site-quarter: gold x the site's silver ratio, scaled per year.

    The ratio drifts with the year (the silver-rich Xiaoqinling ores and the copper smelters'
    silver circuits) so that national silver grows 2-3 % in 2025 and 2-3 % from 2025-Q1..Q3
    to 2026-Q1..Q3, like gold.
    """
    a.silver = a.gold * np.array([[m.silver_ratio] for m in models])
    stored = a.silver * a.stored
    first3 = np.array([q.index <= 3 for q in _QUARTERS])
    y2024, y2025, y2026 = (np.equal(_YEAR, y) for y in (2024, 2025, 2026))
    k2025 = (1 + rng.uniform(0.02, 0.03)) * stored[:, y2024].sum() / stored[:, y2025].sum()
    k2026 = ((1 + rng.uniform(0.02, 0.03)) * k2025 * stored[:, y2025 & first3].sum()
             / stored[:, y2026 & first3].sum())
    a.silver[:, y2025] *= k2025
    a.silver[:, y2026] *= k2026


def _resources(models: list[_Model], a: _Arrays, rng: np.random.Generator) -> np.ndarray:
    """Gold resources (t) at each quarter end, calibrated to grow 4.5-6.5 % 2024-Q4..2026-Q3.

    Mining depletes the contained gold of the ore mined; exploration adds a steady flow
    (faster at large mines and in the western key exploration provinces) and occasional
    discoveries. One factor on all additions sets the national growth.
    """
    mine = np.array([m.site.kind is SiteKind.MINE for m in models])
    depletion = a.mined * a.grade / 1e6
    active = a.days > 0
    quarters_active = np.maximum(active.sum(axis=1), 1)
    annual = depletion.sum(axis=1) / quarters_active * 4
    start = annual * np.array([m.lom_years for m in models])
    rate = np.array([m.explore_rate for m in models])
    adds = (start * rate / 4)[:, None] * rng.gamma(4.0, 0.25, depletion.shape)
    discovery = rng.random(depletion.shape) < 0.03
    adds += np.where(discovery, start[:, None] * rng.uniform(0.05, 0.15, depletion.shape), 0.0)
    adds *= active
    base = start[:, None] - np.cumsum(depletion, axis=1)
    grown = np.cumsum(adds, axis=1)
    keep = a.stored & mine[:, None]
    q1, q2 = PERIODS.index("2024-Q4"), PERIODS.index("2026-Q3")
    a1, a2 = (base * keep)[:, q1].sum(), (base * keep)[:, q2].sum()
    b1, b2 = (grown * keep)[:, q1].sum(), (grown * keep)[:, q2].sum()
    growth = 1 + rng.uniform(0.045, 0.065)
    k = (growth * a1 - a2) / (b2 - growth * b1)
    return np.where(mine[:, None], base + k * grown, 0.0)


def _waste(models: list[_Model], a: _Arrays,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Waste generated, opening stock and utilisation by route, whole tonnes.

    Returns arrays (S, Q, 4) generated, (S, Q, 4) opening stock and (S, Q, 4, 4) used by
    route; NaN where a waste type does not apply. Utilisation is calibrated per year:
    27.5-29 % of generation in 2024, +2.5-3.1 points in 2025 and +1.8-2.6 in 2026.
    """
    factor = np.array([m.waste_factor for m in models])                   # (S, 4)
    basis = np.stack([a.ore, a.ore, a.mined, a.ore], axis=-1)              # (S, Q, 4)
    refinery = np.array([m.site.plant_type is _RF for m in models])
    basis[refinery] = a.gold[refinery][:, :, None]                         # t per kg of gold
    generated = basis * factor[:, None, :]
    trend = 1 + np.array([m.route_trend for m in models])[:, None] * _T    # (S, Q)
    routes = np.array([m.routes for m in models])                          # (S, 4, 4)
    used = np.nan_to_num(generated)[..., None] * routes[:, None] * trend[..., None, None]
    target = rng.uniform(0.275, 0.29)
    for year in (2024, 2025, 2026):
        cols = year == _YEAR
        if year > 2024:
            target += rng.uniform(0.025, 0.031) if year == 2025 else rng.uniform(0.018, 0.026)
        keep = a.stored[:, cols]
        gen_sum = np.nansum(generated[:, cols] * keep[..., None])
        used_sum = (used[:, cols] * keep[..., None, None]).sum()
        used[:, cols] *= target * gen_sum / used_sum
    applies = ~np.isnan(factor)                                            # (S, 4)
    active = a.days > 0
    per_quarter = (np.nan_to_num(generated) * active[..., None]).sum(axis=1) / active.sum(
        axis=1, keepdims=True)
    old = np.array([m.site.commissioned_on is None or m.site.commissioned_on < _EPOCH
                    for m in models])
    stock = np.round(np.where(applies & old[:, None],
                              per_quarter * np.array([m.stock_quarters for m in models]), 0.0))
    gen_out = np.full(generated.shape, np.nan)
    stock_out = np.full(generated.shape, np.nan)
    used_out = np.full(used.shape, np.nan)
    for q in range(len(_QUARTERS)):
        g = np.round(np.nan_to_num(generated[:, q]))
        wanted = used[:, q]
        available = g + stock
        scale = np.minimum(1.0, available / np.maximum(wanted.sum(-1), 1e-9))
        u = np.floor(wanted * scale[..., None])
        on = applies & active[:, q, None]
        gen_out[:, q] = np.where(on, g, np.nan)
        stock_out[:, q] = np.where(on, stock, np.nan)
        used_out[:, q] = np.where(on[..., None], u, np.nan)
        stock = np.where(on, stock + g - u.sum(-1), stock)
    return gen_out, stock_out, used_out


def _values(models: list[_Model], a: _Arrays, resources: np.ndarray,
            waste: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict[tuple[int, int], Values]:
    """Report values of every stored site-quarter, rounded as a person would report them."""
    generated, stock, used = waste
    out: dict[tuple[int, int], Values] = {}
    for s, m in enumerate(models):
        kind, ptype = m.site.kind, m.site.plant_type
        for q in np.flatnonzero(a.stored[s]):
            v: Values = dict.fromkeys((f.name for f in FIELDS), None)
            gold = float(a.gold[s, q])
            if ptype is _RF:
                v["gold_recycled_kg"] = round(gold, 1)
                v["energy_tce"] = round(gold * m.energy_kgcept, 1)
            else:
                ore = float(a.ore[s, q])
                v["ore_treated_t"] = float(round(ore))
                v["head_grade_gpt"] = round(float(a.grade[s, q]), 2)
                if ptype is _CS:
                    v["gold_associated_kg"] = round(gold * m.by_product, 1)
                    v["gold_imported_kg"] = round(gold * (1 - m.by_product), 1)
                else:
                    v["gold_own_mine_kg"] = round(gold * (1 - m.by_product), 1)
                    if m.by_product > 0:
                        v["gold_associated_kg"] = round(gold * m.by_product, 1)
                if m.cyanide_kgpt > 0:
                    v["cyanide_consumed_t"] = round(ore * m.cyanide_kgpt / 1000, 2)
                rock = float(np.nan_to_num(generated[s, q, _WASTE_ROCK]))
                v["energy_tce"] = round((ore * m.energy_kgcept + 0.4 * rock) / 1000, 1)
            v["silver_kg"] = round(float(a.silver[s, q]), 1)
            if kind is SiteKind.MINE:
                v["ore_mined_t"] = float(round(a.mined[s, q]))
                total = float(resources[s, q])
                measured, indicated = total * m.res_split[0], total * m.res_split[1]
                v["resources_measured_t"] = round(measured, 3)
                v["resources_indicated_t"] = round(indicated, 3)
                v["resources_inferred_t"] = round(total - measured - indicated, 3)
                v["reserves_proved_t"] = round(measured * m.res_split[2], 3)
                v["reserves_probable_t"] = round(indicated * m.res_split[3], 3)
            for w, wtype in enumerate(_WASTE_TYPES):
                if np.isnan(generated[s, q, w]):
                    continue
                v[waste_column(wtype, "generated_t")] = float(generated[s, q, w])
                v[waste_column(wtype, "stock_t")] = float(stock[s, q, w])
                for r, route in enumerate(_ROUTES):
                    v[waste_column(wtype, f"used_{route}_t")] = float(used[s, q, w, r])
            out[(s, int(q))] = v
    return out


# ---------------------------------------------------------------------------------------------
# Imperfections: late, amended and rejected submissions


def _submission_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Days after the quarter end: 5-25, and more than 30 for :data:`_N_LATE` of them."""
    days = rng.integers(5, 26, n)
    days[rng.choice(n, _N_LATE, replace=False)] = rng.integers(31, 121, _N_LATE)
    return days


def _amend(values: Values, kind: str, previous: Values | None) -> tuple[Values, str] | None:
    """The erroneous first submission behind an amendment, and the amendment's reason."""
    first = dict(values)
    if kind == "assay" and (values["head_grade_gpt"] or 0) > 0:
        for name in ("head_grade_gpt", *_GOLD_FIELDS):
            value = first[name]
            if value is not None:
                first[name] = round(value * 0.96, 2 if name == "head_grade_gpt" else 1)
        return first, ("head grade and gold restated after the final assays of the quarter's "
                       "bullion and tailings samples")
    backfill = waste_column("tailings", "used_backfill_t")
    if kind == "backfill" and (values[backfill] or 0) > 0:
        first[backfill] = 0.0
        return first, "tailings sent to underground backfill were left out of the first return"
    if kind == "resources" and previous is not None and values["resources_measured_t"]:
        for name in _RESOURCE_FIELDS:
            first[name] = previous[name]
        return first, ("resources and reserves updated to the quarter-end statement; the first "
                       "return repeated the previous quarter")
    if kind == "ore" and values["ore_mined_t"] and values["ore_mined_t"] < 4e6:
        first["ore_mined_t"] = values["ore_mined_t"] * 10
        return first, "ore mined keyed with an extra digit"
    return None


def _reject(values: Values, kind: str) -> tuple[Values, str] | None:
    """A refused upload of a site-quarter (fails ``check_values``), with what went wrong."""
    bad = dict(values)
    if kind == "grade" and values["head_grade_gpt"] and values["gold_own_mine_kg"]:
        bad["head_grade_gpt"] = round(values["head_grade_gpt"] / 10, 3)
        return bad, (f"head grade keyed as {bad['head_grade_gpt']} g/t instead of "
                     f"{values['head_grade_gpt']} g/t: gold exceeds the gold in the ore")
    backfill = waste_column("tailings", "used_backfill_t")
    generated = values.get(waste_column("tailings", "generated_t"))
    if kind == "waste" and generated:
        bad[waste_column("tailings", "stock_t")] = None
        bad[backfill] = float(round(generated * 1.25))
        return bad, ("backfill drew on tailings from storage but the opening stock was left "
                     "blank: utilised exceeds generated")
    if kind == "reserves" and values["reserves_probable_t"]:
        bad["resources_indicated_t"] = None
        bad["reserves_proved_t"] = values["resources_measured_t"]
        return bad, "indicated resources left blank while probable reserves were reported"
    return None


_AMENDMENT_KINDS = ("assay", "backfill", "resources", "ore", "assay", "backfill")
_REJECTION_KINDS = ("grade", "waste", "reserves", "grade", "waste", "reserves")


# ---------------------------------------------------------------------------------------------
# Entry point


def generate_district(seed: int = 2025) -> District:
    """Generate the demo district.

    Parameters
    ----------
    seed : int, default 2025
        Seed of :func:`numpy.random.default_rng`; the same seed gives an identical district.

    Returns
    -------
    District
        74 organisations (8 groups, 66 enterprises), 210 mines and plants (183 mines, 128 of
        them small, and 27 plants; a few under construction or suspended), 15 tailings
        facilities, and about 2,150 quarterly reports ``2024-Q1`` .. ``2026-Q3``.

    Notes
    -----
    Figures are first drawn per site from its design capacity (t/d), utilisation (70-100 %,
    lower in Q1), head grade (g/t, slowly declining) and recovery, then calibrated:

    * mine gold: per year, head grades and gold of large mines (>= 500 t/d), of small mines
      and of plants and smelters are scaled by three factors so that 2024 national mine gold
      is :data:`MINE_GOLD_2024_KG` kg, 2025 grows 1.8-2.3 %, 2026-Q1..Q3 grows 1.5-2.5 % on
      the same quarters of 2025, plants and smelters yield 12.5-14.5 % of it, and large mines
      yield 62.8-64.2 % of the gold of mine sites in 2024 (:func:`large_mine_share`, the KPI
      engine's definition), rising 0.6-1.2 points a year (gold stays below ore x grade: both
      scale together). The skeleton is drawn so that the factors stay near 1 (about 1.05 for
      large mines, 1.1 for small ones): head grades end at about 0.6-2.5 g/t in the large
      gold open pits (less in the copper-gold ones), 2.5-9 g/t in large underground mines and
      4.5-12 g/t in the small underground mines;
    * silver: per year, one factor on every site's silver-to-gold ratio makes national silver
      grow 2-3 % in 2025 and in 2026-Q1..Q3 on the same quarters of 2025;
    * resources: one factor on the exploration additions makes the national resources of the
      reports grow 4.5-6.5 % from 2024-Q4 to 2026-Q3, net of the depletion by mining;
    * solid waste: per year, one factor on utilisation sets the national rate to 27.5-29 % in
      2024, then +2.5-3.1 and +1.8-2.6 points.

    Targets are taken over the figures in force (amendments applied, missing reports absent).
    """
    rng = np.random.default_rng(seed)
    registry = _Registry(rng)
    registry.build()
    models = registry.models
    arrays = _production(models, rng)
    _calibrate_gold(models, arrays, rng)
    _calibrate_silver(models, arrays, rng)
    resources = _resources(models, arrays, rng)
    values = _values(models, arrays, resources, _waste(models, arrays, rng))

    keys = sorted(values, key=lambda k: (k[1], models[k[0]].site.code))
    delays = _submission_days(rng, len(keys))
    submitted = {k: min(_QUARTERS[k[1]].end + dt.timedelta(days=int(d)), DATA_AS_OF)
                 for k, d in zip(keys, delays, strict=True)}
    first = dict(values)
    amendments: list[DemoAmendment] = []
    rejected: list[DemoRejected] = []
    order = [keys[i] for i in rng.permutation(len(keys))]
    for kind in _AMENDMENT_KINDS:
        for key in order:
            previous = values.get((key[0], key[1] - 1))
            made = _amend(values[key], kind, previous)
            if made is not None:
                first[key], reason = made
                amendments.append(DemoAmendment(
                    models[key[0]].site.code, PERIODS[key[1]], values[key], reason,
                    min(submitted[key] + dt.timedelta(days=int(rng.integers(10, 61))),
                        DATA_AS_OF)))
                order.remove(key)
                break
    for kind in _REJECTION_KINDS:
        for key in order:
            refused = _reject(values[key], kind)
            if refused is not None:
                rejected.append(DemoRejected(models[key[0]].site.code, PERIODS[key[1]],
                                             *refused))
                order.remove(key)
                break

    reports = [DemoReport(models[k[0]].site.code, PERIODS[k[1]], first[k], submitted[k])
               for k in keys]
    missing = sorted(((m.site.code, PERIODS[q]) for s, m in enumerate(models)
                      for q in np.flatnonzero((arrays.days[s] > 0) & ~arrays.stored[s])),
                     key=lambda k: (PERIODS.index(k[1]), k[0]))
    return District(registry.orgs, registry.sites, reports, amendments, rejected, missing, seed)
