"""Demo data of proficiency testing (issue 22): eight testing laboratories in gold provinces,
a ``lab`` login for the first, three reference materials and three rounds, all through the
services as the metrology centre and the laboratories would enter them.

- ``PT-2026-01``, fire assay of a gold ore against a reference material (σ_pt 5 % of the
  certified value), closed: one laboratory questionable, one unsatisfactory;
- ``PT-2026-02``, ICP-OES of a 916 gold alloy with a consensus value (Algorithm A, σ_pt = s*),
  closed: one questionable (the ``lab`` login's laboratory), one unsatisfactory;
- ``PT-2026-03``, XRF of a gold alloy reference material, open, five results in: the
  ``lab`` login can still submit.

The reference materials' codes and values are the demo's own, not a real certificate's; the
laboratories are fictitious. The texts the centre types (matrices, producer, notes) are Chinese;
the names are kept in both languages.
"""

from __future__ import annotations

import secrets
from datetime import date

from aurum.demo.seed.registry import Logins
from aurum.industry.registry import OrgType
from aurum.services import metrology, registry
from aurum.services.auth import Actor, Role, create_user
from aurum.services.platform import Platform
from aurum.store.db import transaction

LAB_USER = "lab"
LABS = (
    ("LAB-SD", "Jiaodong Gold Testing Laboratory", "胶东黄金检测实验室", "Shandong"),
    ("LAB-HA", "West Henan Precious Metals Analysis Centre", "豫西贵金属分析测试中心", "Henan"),
    ("LAB-JX", "North Jiangxi Mineral Products Testing Laboratory", "赣北矿产品检测实验室",
     "Jiangxi"),
    ("LAB-YN", "Central Yunnan Geological and Mineral Testing Centre", "滇中地质矿产测试中心",
     "Yunnan"),
    ("LAB-GS", "Longnan Gold Assay Laboratory", "陇南黄金化验室", "Gansu"),
    ("LAB-NM", "Inner Mongolia Non-ferrous Metals Testing Laboratory",
     "内蒙古有色金属检测实验室", "Inner Mongolia"),
    ("LAB-FJ", "West Fujian Precious Metals Testing Centre", "闽西贵金属检测中心", "Fujian"),
    ("LAB-HN", "West Hunan Mining and Metallurgy Analysis Laboratory", "湘西矿冶分析实验室",
     "Hunan"),
)
"""(code, English name, Chinese name, province) of the demo's testing laboratories."""
NOTE = "演示数值，并非真实标准物质证书"
PRODUCER = "Aurum 演示"
ORE, ALLOY = "金矿石", "金合金"
"""The matrices of the demo's reference materials and rounds."""
MATERIALS = (
    metrology.MaterialSpec("DEMO-AU-ORE-1", "Gold ore, 5 g/t (demo)",
                           "金矿石金成分分析标准物质（演示）", ORE, "Au", "g/t", 5.12, 0.14,
                           2.0, PRODUCER, NOTE),
    metrology.MaterialSpec("DEMO-AU-ORE-2", "Low-grade gold ore, 1 g/t (demo)",
                           "低品位金矿石标准物质（演示）", ORE, "Au", "g/t", 1.05, 0.05, 2.0,
                           PRODUCER, NOTE),
    metrology.MaterialSpec("DEMO-AU-916", "Gold alloy Au 916 (demo)", "916金合金标准物质（演示）",
                           ALLOY, "Au", "‰", 916.3, 0.6, 2.0, PRODUCER, NOTE),
)
"""The demo's reference materials: certified value and expanded uncertainty U (k = 2)."""
Results = list[float | None]
ROUNDS: tuple[tuple[metrology.RoundSpec, Results, Results, list[int]], ...] = (
    (metrology.RoundSpec("PT-2026-01", "Fire assay of a gold ore", "金矿石中金的火试金法测定",
                         "Au", "g/t", "fire_assay", ORE, "DEMO-AU-ORE-1", "percent",
                         5.0, date(2026, 3, 2), date(2026, 4, 17)),
     [5.08, 5.21, 4.98, 5.16, 5.73, 4.22, 5.05, 5.19],
     [0.08, 0.10, 0.09, 0.12, 0.10, 0.15, 0.07, 0.11], [3, 0, 6, 1, 7, 2, 5, 4]),
    (metrology.RoundSpec("PT-2026-02", "ICP-OES of a 916 gold alloy", "916金合金中金的ICP-OES测定",
                         "Au", "‰", "icp_oes", ALLOY, None, "robust_sd", None,
                         date(2026, 8, 3), date(2026, 9, 18)),
     [917.4, 915.8, 916.5, 915.9, 916.1, 916.2, 913.9, 916.0],
     [0.3, 0.4, 0.3, 0.5, 0.3, 0.4, 0.6, 0.3], [5, 2, 0, 7, 3, 6, 1, 4]),
    (metrology.RoundSpec("PT-2026-03", "XRF of a gold alloy", "金合金的X射线荧光光谱测定", "Au",
                         "‰", "xrf", ALLOY, "DEMO-AU-916", "fixed", 1.5,
                         date(2026, 11, 16), date(2026, 12, 31)),
     [None, 915.9, 917.1, None, 916.8, 915.2, None, 916.0],
     [None, 0.8, 0.9, None, 0.7, 1.0, None, 0.8], [1, 2, 4, 5, 7]),
)
"""Each round, its laboratories' results and standard uncertainties (in :data:`LABS`'
order, None for no result) and the order they submitted in; the last round stays open."""


def seed_demo(platform: Platform, admin: Actor) -> Logins:
    """Register the laboratories, the ``lab`` login, the reference materials and the rounds.

    Parameters
    ----------
    platform : Platform
        Database holding the demo registry.
    admin : Actor
        The administrator, who does the centre's work and enters the results (as a
        laboratory's own user would).

    Returns
    -------
    dict
        The login created: ``{"lab": {"password", "role"}}``.
    """
    password = secrets.token_urlsafe(12)
    with transaction(platform.sessions, admin.user_id) as s:
        for code, name, name_zh, province in LABS:
            registry.create_organisation(s, admin, code, name, OrgType.LABORATORY.value,
                                         province, name_zh=name_zh)
        create_user(s, LAB_USER, password, Role.ENTERPRISE, LABS[0][2], LABS[0][0])
        for material in MATERIALS:
            metrology.create_reference_material(s, admin, material)
        for k, (spec, values, uncertainties, order) in enumerate(ROUNDS):
            metrology.create_round(s, admin, spec)
            for i in order:
                value = values[i]
                if value is not None:
                    metrology.submit_result(s, admin, spec.code, value, uncertainties[i],
                                            lab_code=LABS[i][0])
            if k < len(ROUNDS) - 1:
                metrology.close_round(s, admin, spec.code)
    return {LAB_USER: {"password": password, "role": Role.ENTERPRISE.value}}
