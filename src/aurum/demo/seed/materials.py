"""The demo's shelf products (issue 22): products of several material kinds for the district's
new-materials enterprises, 20 to 30 batches each (recorded one by one through the service, so
the capability is computed and stored as a maker's batches would have it), the downstream
users that trial them, their application evaluations, and the ``maker`` and ``buyer`` logins.

The batches are drawn from normal processes whose means and spreads are chosen so that the
catalogue shows every capability class: capable products, a marginal one, one that is not
capable, and a process that shifts late in its run (its last batches beyond the control
limits).

The texts people read are Chinese, as the demo's makers and users would type them: each test
method of a specification (the catalogue's usual one, in Chinese), and the trial conditions
and results of the evaluations. The products' names are kept in both languages.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import select

from aurum.demo.seed.registry import Logins
from aurum.industry.registry import OrgType
from aurum.materials.catalogue import PROPERTIES
from aurum.services import materials, registry
from aurum.services.auth import Actor, Role, create_user
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import Organisation

MAKER_USER = "maker"
BUYER_USER = "buyer"

USERS = (
    ("DS-EL-SZ", "Shenzhen Bay Semiconductor Packaging Co.", "深圳湾半导体封装有限公司",
     "Guangdong", "electronics"),
    ("DS-EL-WX", "Taihu Microelectronics Assembly Co.", "太湖微电子组装有限公司", "Jiangsu",
     "electronics"),
    ("DS-AE-XA", "Qinling Aerospace Electronics Co.", "秦岭航天电子有限公司", "Shaanxi",
     "aerospace"),
    ("DS-MD-SH", "Pujiang Medical Devices Co.", "浦江医疗器械有限公司", "Shanghai", "medical"),
    ("DS-PV-CZ", "Changzhou Sunrise Photovoltaic Co.", "常州晨曦光伏有限公司", "Jiangsu", "pv"),
)
"""The downstream users: code, English and Chinese names, province, sector."""
DOWNSTREAM_USERS: tuple[str, ...] = tuple(u[0] for u in USERS)
"""Their codes (the matching demo posts their needs)."""


@dataclass(frozen=True)
class _Product:
    """A demo product: its maker (0 or 1: the district's new-materials enterprises by
    code), code, kind, grade, names, specification and, per property, the process's mean and
    standard deviation (and the mean's shift over the last batches)."""

    maker: int
    code: str
    kind: str
    grade: str
    name_en: str
    name_zh: str
    spec: dict[str, dict[str, float | str]]
    process: dict[str, tuple[float, float]]
    batches: int
    digits: int = 3
    shift: tuple[str, float] | None = None


PRODUCTS = (
    _Product(0, "JPA-BW-4N", "bonding_wire", "AuBW-4N-25", "4N gold bonding wire, 25 µm",
             "4N 键合金丝 25 µm",
             {"purity": {"min": 99.99}, "wire_diameter": {"min": 24.5, "max": 25.5,
                                                          "target": 25.0},
              "breaking_load": {"min": 8.0, "max": 14.0, "target": 11.0},
              "elongation": {"min": 2.0, "max": 6.0, "target": 4.0}},
             {"purity": (99.9955, 0.0008), "wire_diameter": (25.02, 0.1),
              "breaking_load": (11.1, 0.55), "elongation": (4.1, 0.35)}, 28, 4),
    _Product(0, "JPA-SD-AUSN20", "solder", "AuSn20-PF", "Au80Sn20 eutectic solder preform",
             "金锡（Au80Sn20）共晶焊料预成型片",
             {"au_content": {"min": 79.5, "max": 80.5, "target": 80.0},
              "sn_content": {"min": 19.5, "max": 20.5, "target": 20.0},
              "melting_point": {"min": 278.0, "max": 283.0, "target": 280.0},
              "impurities": {"max": 100.0}},
             {"au_content": (80.04, 0.08), "sn_content": (19.96, 0.08),
              "melting_point": (280.3, 0.4), "impurities": (45.0, 9.0)}, 24),
    _Product(0, "JPA-TG-5N", "target", "Au-5N-PT", "5N gold sputtering target",
             "5N 高纯金溅射靶材",
             {"purity": {"min": 99.999}, "impurities": {"max": 10.0},
              "density": {"min": 19.2, "max": 19.32}, "grain_size": {"max": 100.0}},
             {"purity": (99.9996, 0.00008), "impurities": (4.0, 1.0),
              "density": (19.285, 0.008), "grain_size": (62.0, 9.0)}, 22, 5),
    _Product(0, "JPA-NP-AU50", "nano_powder", "AuNP-50", "Gold nano-powder, 50 nm",
             "纳米金粉 50 nm",
             {"particle_d50": {"min": 0.04, "max": 0.06, "target": 0.05},
              "purity": {"min": 99.95}, "specific_surface": {"min": 5.0, "max": 9.0}},
             {"particle_d50": (0.051, 0.0042), "purity": (99.965, 0.004),
              "specific_surface": (6.9, 0.45)}, 20, 4),
    _Product(1, "XNM-PV-AG95", "pv_paste", "PV-Ag-F95", "Front-side silver paste for PERC cells",
             "PERC 电池正面银浆",
             {"solids": {"min": 88.0, "max": 92.0, "target": 90.0},
              "viscosity": {"min": 250.0, "max": 350.0, "target": 300.0},
              "sheet_resistance": {"max": 2.5}, "particle_d50": {"min": 1.0, "max": 2.0}},
             {"solids": (90.1, 0.45), "viscosity": (305.0, 14.0),
              "sheet_resistance": (1.9, 0.12), "particle_d50": (1.45, 0.12)}, 30, 3,
             ("viscosity", 45.0)),
    _Product(1, "XNM-SP-AG250", "sinter_paste", "LTS-Ag-250",
             "Low-temperature nano-silver sinter paste", "低温烧结纳米银焊膏",
             {"sintering_temp": {"min": 230.0, "max": 270.0, "target": 250.0},
              "shear_strength": {"min": 30.0}, "solids": {"min": 84.0, "max": 88.0},
              "particle_d50": {"min": 0.05, "max": 0.15}},
             {"sintering_temp": (251.0, 3.0), "shear_strength": (38.0, 2.2),
              "solids": (86.0, 0.4), "particle_d50": (0.1, 0.009)}, 26),
    _Product(1, "XNM-TF-AU", "thick_film_paste", "LTCC-Au-850", "LTCC co-fired gold paste",
             "LTCC 共烧金浆",
             {"resistivity": {"max": 4.0}, "solids": {"min": 80.0, "max": 84.0},
              "viscosity": {"min": 150.0, "max": 250.0}, "sintering_temp": {"min": 840.0,
                                                                            "max": 860.0}},
             {"resistivity": (3.3, 0.22), "solids": (82.2, 0.75), "viscosity": (204.0, 19.0),
              "sintering_temp": (850.5, 2.8)}, 24),
    _Product(1, "XNM-PL-NC", "plating_solution", "NCG-10", "Cyanide-free gold plating solution",
             "无氰镀金液",
             {"au_concentration": {"min": 9.0, "max": 11.0, "target": 10.0},
              "free_cyanide": {"max": 0.01}, "ph": {"min": 6.5, "max": 7.5},
              "density": {"min": 1.08, "max": 1.14}},
             {"au_concentration": (10.05, 0.28), "free_cyanide": (0.002, 0.0015),
              "ph": (7.02, 0.09), "density": (1.11, 0.006)}, 22, 4),
    _Product(1, "XNM-BW-AG", "bonding_wire", "AgBW-20", "Silver alloy bonding wire, 20 µm",
             "银合金键合丝 20 µm",
             {"purity": {"min": 99.9}, "wire_diameter": {"min": 19.5, "max": 20.5},
              "breaking_load": {"min": 5.0, "max": 9.0}, "elongation": {"min": 6.0,
                                                                        "max": 14.0}},
             {"purity": (99.93, 0.012), "wire_diameter": (20.05, 0.2),
              "breaking_load": (7.4, 0.7), "elongation": (10.5, 1.3)}, 25),
    _Product(1, "XNM-CT-AUTI", "catalyst", "Au/TiO2-1", "Gold on titania CO-oxidation catalyst",
             "金/二氧化钛 CO 氧化催化剂",
             {"au_loading": {"min": 0.9, "max": 1.1, "target": 1.0},
              "conversion_t50": {"max": 40.0}, "specific_surface": {"min": 45.0}},
             {"au_loading": (1.0, 0.02), "conversion_t50": (27.0, 2.5),
              "specific_surface": (52.0, 1.2)}, 20),
)
"""The demo's products."""

EVALUATIONS = (
    # (product, evaluator, verdict, properties checked, conditions, result)
    ("JPA-BW-4N", "DS-EL-SZ", "pass", ["breaking_load", "elongation"],
     "QFN-48 球焊，150 °C／1000 h 高温存储",
     "老化后焊球剪切力和拉力均在限值内，无焊球脱落。"),
    ("JPA-BW-4N", "DS-EL-WX", "pass", ["breaking_load"],
     "Ni/Pd/Au 预镀引线框架上 SOP-8 楔焊", "拉力均值 9.6 gf，断裂均发生在线体上。"),
    ("JPA-BW-4N", "DS-AE-XA", "conditional", ["breaking_load", "elongation"],
     "混合集成模块，−55 °C 至 125 °C 热循环 500 次",
     "热循环通过；其中一批伸长率接近下限，须逐批筛选。"),
    ("JPA-SD-AUSN20", "DS-AE-XA", "pass", ["au_content", "melting_point"],
     "气密封盖，氮气保护 310 °C 回流", "漏率低于 5×10⁻⁹ Pa·m³/s。"),
    ("JPA-SD-AUSN20", "DS-EL-SZ", "pass", ["melting_point"], "激光二极管芯片贴装",
     "X 射线检测空洞率低于 5 %。"),
    ("JPA-TG-5N", "DS-EL-WX", "conditional", ["purity", "grain_size"],
     "200 mm 晶圆键合焊盘磁控溅射",
     "膜层电阻率在范围内；首块靶材颗粒数偏高，须预溅射。"),
    ("JPA-NP-AU50", "DS-MD-SH", "pass", ["particle_d50", "purity"],
     "侧向层析免疫检测试纸条", "显色和灵敏度均达到要求。"),
    ("XNM-PV-AG95", "DS-PV-CZ", "conditional", ["solids", "viscosity"],
     "PERC 电池正面细栅丝网印刷，网版开口 30 µm",
     "转换效率达标；后期批次黏度偏高，已调整印刷参数。"),
    ("XNM-SP-AG250", "DS-EL-SZ", "pass", ["shear_strength", "sintering_temp"],
     "SiC 功率模块芯片贴装，250 °C 无压烧结",
     "功率循环 1000 次后芯片剪切强度均值 37 MPa。"),
    ("XNM-SP-AG250", "DS-AE-XA", "fail", ["shear_strength"],
     "230 °C 无压烧结", "剪切强度 22 MPa，低于要求的 30 MPa。"),
    ("XNM-TF-AU", "DS-AE-XA", "pass", ["resistivity"], "LTCC 雷达 T/R 组件，850 °C 共烧",
     "线路电阻和引线键合性均满足要求。"),
    ("XNM-PL-NC", "DS-EL-WX", "pass", ["au_concentration", "ph"],
     "连接器触点电镀 0.8 µm 硬金", "镀层厚度和孔隙率均在限值内。"),
    ("XNM-BW-AG", "DS-EL-WX", "fail", ["breaking_load", "elongation"],
     "LED 封装键合，85 °C／85 % RH 湿热 1000 h", "77 只样品中 3 只颈部线体腐蚀。"),
    ("XNM-BW-AG", "DS-PV-CZ", "conditional", ["breaking_load"], "接线盒二极管",
     "拉力可接受；湿热试验须重做。"),
    ("XNM-CT-AUTI", "DS-MD-SH", "pass", ["conversion_t50"],
     "呼吸机过滤器室温除 CO", "T50 为 26 °C。"),
)
"""The demo's application evaluations."""

FIRST_BATCH = date(2025, 6, 2)
BATCH_DAYS = 7
"""Batches are made a week apart from :data:`FIRST_BATCH`."""
SHIFT_BATCHES = 5
"""A shifting process's last batches, made after the shift."""


def _batches(rng: np.random.Generator, p: _Product) -> list[dict[str, list[float]]]:
    """Each batch's values drawn from the product's process, within the properties' ranges
    (clipped to the specification's side of a physical bound, e.g. purity below 100 %)."""
    out = []
    for k in range(p.batches):
        values: dict[str, list[float]] = {}
        for key, (mean, sd) in p.process.items():
            if p.shift is not None and p.shift[0] == key and k >= p.batches - SHIFT_BATCHES:
                mean += p.shift[1]
            bounds = PROPERTIES[key].bounds
            value = float(np.clip(rng.normal(mean, sd), bounds.low, bounds.high))
            values[key] = [round(min(value, 99.99999) if key == "purity" else value,
                                 p.digits if key not in ("purity",) else 5)]
        out.append(values)
    return out


def seed_demo(platform: Platform, admin: Actor, seed_value: int = 2025) -> Logins:
    """Register the downstream users and the ``maker`` and ``buyer`` logins, put the demo's
    products on the shelf with their batches, and record the evaluations.

    Parameters
    ----------
    platform : Platform
        Database holding the demo registry.
    admin : Actor
        The administrator, who registers the users and records for the makers and buyers
        (as their own users would).
    seed_value : int
        Seed of the batches' values.

    Returns
    -------
    dict
        The logins created: ``{"maker": {...}, "buyer": {...}}`` (none when the registry has
        fewer than two new-materials enterprises).
    """
    rng = np.random.default_rng(seed_value)
    with transaction(platform.sessions, admin.user_id) as s:
        makers = list(s.scalars(select(Organisation).where(
            Organisation.org_type == OrgType.NEW_MATERIALS.value).order_by(Organisation.code)))
        if len(makers) < 2:
            return {}
        for code, name, name_zh, province, _sector in USERS:
            registry.create_organisation(s, admin, code, name, OrgType.DOWNSTREAM.value,
                                         province, name_zh=name_zh)
        passwords = {MAKER_USER: secrets.token_urlsafe(12), BUYER_USER: secrets.token_urlsafe(12)}
        create_user(s, MAKER_USER, passwords[MAKER_USER], Role.ENTERPRISE,
                    makers[0].name_zh or makers[0].name_en, makers[0].code)
        create_user(s, BUYER_USER, passwords[BUYER_USER], Role.ENTERPRISE, USERS[0][2],
                    USERS[0][0])
        for p in PRODUCTS:
            specification = {key: {**limits, "method": PROPERTIES[key].test_method_zh}
                             for key, limits in p.spec.items()}
            materials.create_product(s, admin, p.code, p.kind, p.grade, p.name_en, p.name_zh,
                                     specification, makers[p.maker].code)
            # The maker's batch records imported at once: one data version, one capability.
            materials.add_batches(s, admin, p.code, [materials.BatchInput(
                f"{p.code[-4:]}-{k + 1:03d}", FIRST_BATCH + timedelta(days=BATCH_DAYS * k),
                values, round(float(rng.uniform(2.0, 40.0)), 1))
                for k, values in enumerate(_batches(rng, p))])
        sectors = {u[0]: u[4] for u in USERS}
        for k, (product, evaluator, verdict, checked, conditions, result) in enumerate(
                EVALUATIONS):
            spec = next(p for p in PRODUCTS if p.code == product)
            raw = {key: [round(float(rng.normal(*spec.process[key])), spec.digits)
                         for _ in range(5)] for key in checked}
            materials.add_evaluation(s, admin, product, sectors[evaluator],
                                     date(2026, 1, 5) + timedelta(days=9 * k), conditions,
                                     checked, result, verdict, raw, evaluator)
    return {name: {"password": pw, "role": Role.ENTERPRISE.value}
            for name, pw in passwords.items()}
