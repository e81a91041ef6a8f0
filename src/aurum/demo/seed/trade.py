"""Import sources and overseas projects of the demo (issue 23), stored through the service.

Customs statistics of gold ore and concentrate (HS 2616.9000) and unwrought gold (HS
7108.1200) from January 2024 to October 2026, written as China's customs publish them — one
file a year (:data:`FILES`: 2024 and 2026 as CSV, 2025 as an Excel workbook), one row per
code, partner, customs district and month — and imported through the same reader as any
upload. The partners are those plausible for China's gold imports (concentrate from Peru,
Chile, Mexico, Australia, Russia, Kazakhstan, Sudan, Eritrea; gold from Switzerland, Hong
Kong, Australia, South Africa, Canada, the UAE, Russia, Kazakhstan, Peru); every quantity and
value is a **demo value** drawn around made-up shares, not a published figure. Switzerland's
and Hong Kong's share of gold falls year by year, so the HHI drifts down across the bands.

Three long-term agreements, and overseas projects of three demo enterprises (a producing mine
in Kazakhstan, one in Eritrea and one in Peru that starts producing in 2026, an exploration
project in Australia) with their social-responsibility records; one 2025 record is
corrected by a second version. The names and reasons are typed in Chinese, as the
enterprises would type them (the counterparties' names as Chinese trade writes them).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from aurum.demo.district import District
from aurum.services import trade
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.trade.agreements import Agreement
from aurum.trade.overseas import CsrRecord, Project

FIRST_MONTH, LAST_MONTH = "2024-01", "2026-10"
FILES = {2024: "海关进口统计-2024.csv", 2025: "海关进口统计-2025.xlsx",
         2026: "海关进口统计-2026.csv"}
ORE_CODE, GOLD_CODE = "26169000", "71081200"
ORE_PARTNERS = {"PE": 0.26, "CL": 0.12, "MX": 0.14, "AU": 0.10, "RU": 0.10, "KZ": 0.10,
                "SD": 0.08, "ER": 0.10}
"""Made-up shares of the concentrate's tonnage by partner."""
GOLD_PARTNERS_2024 = {"CH": 0.38, "HK": 0.20, "AU": 0.12, "ZA": 0.08, "CA": 0.06, "AE": 0.06,
                      "RU": 0.05, "KZ": 0.03, "PE": 0.02}
"""Made-up shares of the gold by partner in 2024; Switzerland's and Hong Kong's fall by
:data:`GOLD_SHIFT` a year to the others."""
GOLD_SHIFT = 0.06
ORE_DISTRICTS = ("青岛海关", "连云港海关", "天津海关")
GOLD_DISTRICTS = ("上海海关", "深圳海关", "北京海关")
ORE_T_PER_MONTH = 60_000.0
"""Demo concentrate imports, t a month."""
GOLD_KG_PER_MONTH = 40_000.0
"""Demo gold imports, kg a month."""
USD_PER_KG = {2024: 76_000.0, 2025: 100_000.0, 2026: 125_000.0}
"""Demo gold prices, USD per kg, by year."""


def _gold_shares(year: int) -> dict[str, float]:
    shift = GOLD_SHIFT * (year - 2024)
    shares = dict(GOLD_PARTNERS_2024)
    moved = min(shift, shares["CH"] - 0.15) + min(shift / 2, shares["HK"] - 0.1)
    shares["CH"] -= min(shift, shares["CH"] - 0.15)
    shares["HK"] -= min(shift / 2, shares["HK"] - 0.1)
    others = [p for p in shares if p not in ("CH", "HK")]
    for p in others:
        shares[p] += moved / len(others)
    return shares


def customs_rows(seed: int = 2025) -> pd.DataFrame:
    """The demo's customs statistics, January 2024 to October 2026 (module docstring):
    ``hs_code, partner, customs_district, month, quantity_kg, value_usd, gold_kg``."""
    rng = np.random.default_rng(seed)
    rows = []
    for month in pd.period_range(FIRST_MONTH, LAST_MONTH, freq="M").astype(str):
        year = int(month[:4])
        price = USD_PER_KG[year] * rng.uniform(0.97, 1.03)
        for code, shares, total, districts in (
                (ORE_CODE, ORE_PARTNERS, ORE_T_PER_MONTH * 1000, ORE_DISTRICTS),
                (GOLD_CODE, _gold_shares(year), GOLD_KG_PER_MONTH, GOLD_DISTRICTS)):
            for partner, share in shares.items():
                amount = total * share * rng.lognormal(0, 0.15)
                split = rng.dirichlet(np.ones(2)) if rng.random() < 0.5 else [1.0]
                for district, part in zip(districts, split, strict=False):
                    quantity = round(amount * part)
                    if code == ORE_CODE:
                        gold = round(quantity * rng.uniform(20, 45) / 1e6, 1)  # 20-45 g/t
                        value = round(gold * price * 0.92)  # payable gold, less charges
                    else:
                        gold = None
                        value = round(quantity * price)
                    rows.append({"hs_code": code, "partner": partner,
                                 "customs_district": district, "month": month,
                                 "quantity_kg": quantity, "value_usd": value,
                                 "gold_kg": gold})
    return pd.DataFrame(rows)


def write_customs_files(folder: Path, seed: int = 2025) -> list[Path]:
    """Write the demo's customs files into ``folder`` (one a year, :data:`FILES`)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = customs_rows(seed)
    paths = []
    for year, name in FILES.items():
        part = rows[rows["month"].str.startswith(str(year))]
        path = folder / name
        if name.endswith(".xlsx"):
            part.to_excel(path, index=False)
        else:
            part.to_csv(path, index=False)
        paths.append(path)
    return paths


AGREEMENTS = (
    Agreement("PE", "安第斯示例矿业股份公司", "ore", 120_000.0, 2024, 2028, "lbma_pm", -4.0),
    Agreement("KZ", "草原示例黄金股份公司", "ore", 50_000.0, 2025, 2029, "lbma_pm", -2.5),
    Agreement("AU", "南十字示例精炼公司", "gold", 40_000.0 / 1000 * 12 * 0.05,
              2024, 2026, "lbma_am", 1.0),
)
"""Demo agreements: tonnes of concentrate, or of gold (the last, about 5 % of a year's gold)."""


def _projects(orgs: list[str]) -> list[tuple[str, Project]]:
    a, b, c = orgs
    out = []
    for year in (2024, 2025, 2026):
        out += [
            (a, Project(f"{a}-KZ1", "草原金矿（示例）", "KZ", "mine", "production", 60.0,
                        1800.0 + 100 * (year - 2024), True, year, 69.1, 49.8)),
            (b, Project(f"{b}-ER1", "红海金矿（示例）", "ER", "mine", "production", 50.0,
                        2600.0, True, year, 38.5, 15.6)),
            (c, Project(f"{c}-PE1", "安第斯金矿项目（示例）", "PE", "mine",
                        "production" if year == 2026 else "construction", 70.0,
                        900.0 if year == 2026 else 0.0, True, year, -77.0, -9.5)),
            (a, Project(f"{a}-AU1", "澳洲内陆勘查项目（示例）", "AU", "mine", "exploration", 80.0,
                        0.0, False, year, 121.5, -30.7)),
        ]
    return out


def _csr(project: Project, year: int) -> CsrRecord:
    producing = project.stage == "production"
    staff = 900 if producing else 150
    return CsrRecord(project.code, year, 2.5e6 if producing else 4e5, int(staff * 0.82), staff,
                     1 if producing and year == 2024 else 0, 12 if producing else 3,
                     11 if producing else 3)


def seed_demo(platform: Platform, admin: Actor, district: District, seed: int = 2025) -> None:
    """Import the demo's customs files, record its agreements, three enterprises' overseas
    projects and their records, through the service, and build the world maps' outlines
    (module docstring)."""
    folder = platform.settings.home / "demo" / "trade"
    for path in write_customs_files(folder, seed):
        with transaction(platform.sessions, admin.user_id) as s:
            trade.import_customs(s, admin, path.read_bytes(), path.name, refresh=False)
    # Three enterprises of the district's groups (it has dozens).
    enterprises = [o.code for o in district.organisations if o.parent_code is not None][:3]
    with transaction(platform.sessions, admin.user_id) as s:
        for agreement in AGREEMENTS:
            trade.add_agreement(s, admin, agreement, refresh=False)
        for org, project in _projects(enterprises):
            trade.record_project(s, admin, org, project, refresh=False)
            if project.stage != "exploration":
                trade.record_csr(s, admin, org, _csr(project, project.year))
        org, project = _projects(enterprises)[5]  # the Eritrean mine in 2025: a correction
        fixed = _csr(project, 2025)
        trade.record_csr(s, admin, org, CsrRecord(
            fixed.code, 2025, fixed.community_investment_cny, fixed.local_employees,
            fixed.total_employees, 1, fixed.grievances_raised, fixed.grievances_resolved),
            "矿山迟报一起环境事件")
        trade.refresh_analysis(s)
