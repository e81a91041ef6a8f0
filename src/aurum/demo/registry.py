"""The registry of the demo district: its fixed skeleton, and the sites drawn from it.

The skeleton (enterprise groups, enterprises, named and fictional mines, plants, place names,
provinces' codes and coordinate boxes) does not depend on the seed, so site codes are stable;
:class:`Registry` draws every site's figures (capacity, depth, coordinates, dates) from the
seed, and for each reporting site the hidden :class:`SiteModel` (grade, recovery, waste,
utilisation, exploration) that :mod:`aurum.demo.reports` turns into quarterly reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from aurum.demo.records import LARGE_MINE_TPD, NEW_PLANT_FROM, DemoOrganisation, DemoSite
from aurum.industry.registry import MineMethod, OrgType, PlantType, SiteKind, SiteStatus
from aurum.industry.reporting import WASTE_TYPES

_EXPLORATION_PROVINCES = frozenset(
    {"Qinghai", "Gansu", "Yunnan", "Xinjiang", "Hunan", "Tibet", "Anhui"})
_TAILINGS, _CYANIDE_RESIDUE, _WASTE_ROCK, _OTHER = (
    tuple(WASTE_TYPES).index(w) for w in ("tailings", "cyanide_residue", "waste_rock", "other"))


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
class SiteModel:
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


class Registry:
    """Builds organisations, sites and the hidden models of reporting sites."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.orgs: list[DemoOrganisation] = []
        self.sites: list[DemoSite] = []
        self.models: list[SiteModel] = []
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

    def _common(self, site: DemoSite) -> SiteModel:
        """Model with the draws shared by every reporting site; the caller fills the rest."""
        u = self._u
        return SiteModel(
            site=site, large=False, grade_gpt=0.0, recovery=0.0, by_product=0.0,
            silver_ratio=0.0, cyanide_kgpt=0.0, energy_kgcept=0.0,
            waste_factor=np.full(4, np.nan), routes=np.zeros((4, 4)),
            stock_quarters=np.array([u((8, 60)), u((2, 12)), u((8, 40)), u((1, 8))]),
            lom_years=0.0, res_split=(0.0, 0.0, 0.0, 0.0), explore_rate=0.0,
            util_base=u((0.80, 0.92)), util_trend=u((-0.01, 0.015)),
            route_trend=u((0.04, 0.12)))

    def _mine_model(self, site: DemoSite, mine: _Mine) -> SiteModel:
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

    def _plant_model(self, site: DemoSite) -> SiteModel:
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

