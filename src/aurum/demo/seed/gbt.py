"""The showcase mines under the Chinese standards (issue 19): their industrial indicators
(DZ/T 0205-2020's reference values stored as each mine's first version; one mine's own
indicators from its feasibility argument as a second) and a geological-block estimate of
2025 on the drilling of a Jiaodong-style vein (:mod:`aurum.demo.veins`).

The estimates stay estimates: the year's statements are the kriged models' (:mod:`.resources`),
which the demo's reports and the national indicators are calibrated on, so none is
published.
"""

from __future__ import annotations

import pandas as pd

from aurum.demo import veins
from aurum.demo.district import District
from aurum.demo.seed.resources import mine_seed, showcase_mines
from aurum.resources.indicators import reference_indicators
from aurum.services import gbt
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction

ESTIMATE_YEAR = 2025
REFERENCE_REASON = "采用 DZ/T 0205-2020 岩金地下开采参考工业指标，待矿山自行论证后更新"
"""Why the reference indicators are each mine's first version (the geologist's words)."""
OVERRIDE = {"cutoff_gpt": 1.0, "min_industrial_gpt": 2.2, "min_thickness_m": 1.0,
            "max_waste_m": 2.0, "min_metre_grade": None}
"""The first showcase mine's own indicators: a lower minimum industrial grade, a thicker
minimum mining width for its mechanised stopes."""
OVERRIDE_REASON = ("2025 年工业指标论证获批：按现行金价，最低工业品位 2.2 g/t；"
                   "机械化采场最小可采厚度 1.0 m")


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def seed_demo(platform: Platform, admin: Actor, district: District) -> None:
    """Indicators and a 2025 geological-block estimate for each showcase mine.

    Parameters
    ----------
    platform : Platform
        Database holding the district's registry.
    admin : Actor
        The administrator who records the indicators and estimates.
    district : District
        The generated district.
    """
    reference = reference_indicators("underground").as_dict()
    for i, code in enumerate(showcase_mines(district)):
        seed = mine_seed(i)
        collar, survey, assay = veins.vein_drillholes(seed)
        strike, dip = veins.vein_attitude(seed)
        with transaction(platform.sessions, admin.user_id) as s:
            gbt.set_indicators(s, admin, code, reference, REFERENCE_REASON)
            if i == 0:
                gbt.set_indicators(s, admin, code, OVERRIDE, OVERRIDE_REASON)
            gbt.estimate_blocks(s, admin, platform.settings.home, code, ESTIMATE_YEAR,
                                _csv(collar), _csv(survey), _csv(assay), "AU", strike, dip,
                                veins.DENSITY_T_M3)
