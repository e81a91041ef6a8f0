"""Demo data of the gold recycling ledger: two licensed recyclers of the demo district with a
quarter of counter purchases, the patterns the reporting rules exist for, a lot melted and
assayed into a bar at a refiner, and a signed tree head, so that the ledger's pages have
something to show. Everything goes through the ledger service, as a real intake would.

The purchases are drawn from a seeded generator: the same seed gives the same ledger.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from aurum.demo.seed.registry import Logins
from aurum.industry.registry import OrgType
from aurum.recycling.identity import resident_id_check
from aurum.recycling.purchases import CSV_COLUMNS, fine_gold_g, validate_purchases
from aurum.recycling.rules import LARGE_CASH
from aurum.services import recycling, registry
from aurum.services.auth import Actor, Role, create_user
from aurum.services.platform import Platform
from aurum.store.db import transaction

RECYCLER_USER = "recycler"
FIRST_DAY = date(2025, 7, 1)
DAYS = 92
"""The purchases fall in 2025-Q3 (Beijing time), a quarter the demo's statistical reports
cover, so that the ledger sits beside the refiners' reported recycled gold."""
PURCHASES_PER_RECYCLER = 150
GOLD_PRICE_CNY_PER_G = 780.0
"""Counter price of fine gold, CNY/g (Shanghai Gold Exchange Au9999 in 2025, less a margin)."""
FINENESS_PERMILLE = np.array([999.0, 999.0, 990.0, 916.0, 750.0, 585.0])
ITEMS = np.array(["jewellery", "jewellery", "jewellery", "jewellery", "bar", "coin", "scrap",
                  "dental"])
SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"))
GIVEN = np.array(["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
                  "娟", "涛", "明", "超", "秀英", "桂英", "建华"])
ORIGIN_OF_ITEM = {"jewellery": "personal_jewellery", "coin": "personal_jewellery",
                  "dental": "personal_jewellery", "bar": "investment", "scrap": "business_scrap"}
"""The origin a seller states for each item (one the reporting rules accept for it)."""
ADDRESS_CODES = {"Shandong": "370602", "Henan": "410302", "Jiangxi": "360102"}
"""GB/T 2260 district codes that open the sellers' resident IDs, by the recycler's province."""
LOT_SIZE = 40
BAR_FINENESS_PERMILLE = 999.9


def _resident_ids(rng: np.random.Generator, address: str, n: int) -> list[str]:
    """``n`` distinct resident IDs with valid GB 11643 check characters (born 1955-2000)."""
    born = pd.Timestamp("1955-01-01") + pd.to_timedelta(rng.integers(0, 16_000, n), unit="D")
    first17 = [f"{address}{b:%Y%m%d}{i:03d}" for b, i in zip(born, range(n), strict=True)]
    return [f + resident_id_check(f) for f in first17]


def _counter(rng: np.random.Generator, recycler: str, address: str, n: int,
             cash_share: float) -> pd.DataFrame:
    """Ordinary counter purchases of one recycler at three shops (text cells, file columns)."""
    sellers = _resident_ids(rng, address, 60)
    names = (rng.choice(SURNAMES, 60).astype(object) + rng.choice(GIVEN, 60).astype(object))
    who = rng.integers(0, 60, n)
    items = rng.choice(ITEMS, n)
    gross = np.round(rng.lognormal(np.log(12.0), 0.8, n).clip(1.0, 200.0), 3)
    fineness = rng.choice(FINENESS_PERMILLE, n)
    price = np.round(GOLD_PRICE_CNY_PER_G * fineness / 1000 * rng.uniform(0.95, 0.98, n), 2)
    moment = (pd.Timestamp(FIRST_DAY, tz="Asia/Shanghai")
              + pd.to_timedelta(rng.integers(0, DAYS, n), unit="D")
              + pd.to_timedelta(rng.integers(9 * 60, 19 * 60, n), unit="min"))
    return pd.DataFrame({
        "recycler": recycler, "shop": np.char.add("S-", rng.integers(1, 4, n).astype(str)),
        "seller_id_type": "resident_id", "seller_id_number": np.array(sellers)[who],
        "seller_name": names[who], "item_type": items,
        "gross_weight_g": [f"{g:.3f}" for g in gross],
        "fineness_permille": [f"{f:.0f}" for f in fineness],
        "price_per_g_cny": [f"{p:.2f}" for p in price],
        "amount_cny": [f"{a:.2f}" for a in np.round(gross * price, 2)],
        "payment_method": np.where(rng.random(n) < cash_share, "cash", "bank_transfer"),
        "occurred_at": moment.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
        "assay_method": "xrf",
        "origin": pd.Series(items).map(ORIGIN_OF_ITEM).fillna("undeclared").to_numpy()})


def _patterns(recycler: str, address: str) -> pd.DataFrame:
    """What the reporting rules are for: one seller paid 60,000 + 55,000 CNY in cash at two
    shops on one day (large cash, over 100,000 CNY a day), and another paid 95,000 CNY in
    cash on nine days running (structuring just under the threshold)."""
    pair, series = _resident_ids(np.random.default_rng(0), address[:4] + "99", 2)
    # (seller, name, amount CNY, day after FIRST_DAY, shop, hour in Beijing)
    deals = [(pair, "钱多多", 60_000.0, 20, "S-1", 10), (pair, "钱多多", 55_000.0, 20, "S-2", 16)]
    deals += [(series, "孙九", 95_000.0, 40 + d, "S-1", 11) for d in range(9)]
    return pd.DataFrame([{
        "recycler": recycler, "shop": shop, "seller_id_type": "resident_id",
        "seller_id_number": seller, "seller_name": name, "item_type": "bar",
        "gross_weight_g": f"{amount / GOLD_PRICE_CNY_PER_G:.3f}", "fineness_permille": "999.9",
        "price_per_g_cny": f"{GOLD_PRICE_CNY_PER_G:.2f}", "amount_cny": f"{amount:.2f}",
        "payment_method": "cash",
        "occurred_at": f"{pd.Timestamp(FIRST_DAY) + pd.Timedelta(days=day):%Y-%m-%d}"
                       f"T{hour:02d}:00:00+08:00",
        "assay_method": "fire_assay", "origin": "investment"}
        for seller, name, amount, day, shop, hour in deals])


def seed_demo(platform: Platform, admin: Actor, seed_value: int = 2025) -> Logins:
    """Seed the ledger of the demo district.

    Registers the first two recycling organisations as recyclers (a ``recycler`` login for
    the first) and the first smelting and refining organisation as refiner; appends
    :data:`PURCHASES_PER_RECYCLER` purchases per recycler with a large-cash pair and a
    structuring series; sends two lots of the first recycler's purchases to the refiner
    (one assayed 0.4 % short, within tolerance, and cast into a bar; one 5 % short, an
    exception); signs the tree head; screens the reports and submits the large-cash one.

    Parameters
    ----------
    platform : Platform
        Migrated database with the demo registry.
    admin : Actor
        The administrator who registers and appends.
    seed_value : int
        Seed of the purchase generator.

    Returns
    -------
    dict
        The login created: ``{"recycler": {"password", "role"}}`` (none when the registry
        holds fewer than two recycling organisations or no refiner).
    """
    rng = np.random.default_rng(seed_value)
    keys = recycling.LedgerKeys.load(platform.settings)
    with transaction(platform.sessions, admin.user_id) as s:
        orgs = sorted(registry.list_organisations(s, admin), key=lambda o: o.code)
        recyclers = [o for o in orgs if o.org_type == OrgType.RECYCLING.value][:2]
        refiners = [o for o in orgs if o.org_type == OrgType.SMELTING_REFINING.value]
        if len(recyclers) < 2 or not refiners:
            return {}
        refiner = next((o for o in refiners if o.province == recyclers[0].province),
                       refiners[0])
        for org in recyclers:
            recycling.register_participant(s, admin, org.code, org.name, org_code=org.code)
        recycling.register_participant(s, admin, refiner.code, refiner.name, role="refiner",
                                       org_code=refiner.code)
        password = secrets.token_urlsafe(12)
        create_user(s, RECYCLER_USER, password, Role.RECYCLER,
                    recyclers[0].name_zh or recyclers[0].name_en, recyclers[0].code)
    frames = []
    for i, org in enumerate(recyclers):
        address = ADDRESS_CODES.get(org.province, "110105")
        frames.append(_counter(rng, org.code, address, PURCHASES_PER_RECYCLER, 0.3 + 0.2 * i))
        if i == 0:
            frames.append(_patterns(org.code, address))
    cells = pd.concat(frames, ignore_index=True)
    cells = cells.sort_values("occurred_at", kind="stable")[
        [*CSV_COLUMNS, "assay_method", "origin"]]
    purchases = validate_purchases(cells.reset_index(drop=True), "demo-purchases.csv")
    with transaction(platform.sessions, admin.user_id) as s:
        result = recycling.append_purchases(s, admin, keys, purchases)
    first = purchases["recycler"].to_numpy() == recyclers[0].code
    seqs = np.asarray(result.seqs)[first]
    fine = purchases["fine_gold_g"].to_numpy()[first]
    _custody(platform, admin, keys, recyclers[0].code, refiner.code, seqs, fine)
    with transaction(platform.sessions, admin.user_id) as s:
        recycling.screen_reports(s, admin)
        for report in recycling.list_reports(s, admin, "due"):
            if report["kind"] == LARGE_CASH:
                recycling.submit_report(s, admin, report["id"])
    return {RECYCLER_USER: {"password": password, "role": Role.RECYCLER.value}}


def _custody(platform: Platform, admin: Actor, keys: recycling.LedgerKeys, recycler: str,
             refiner: str, seqs: np.ndarray, fine_g: np.ndarray) -> None:
    """Two lots of the recycler's first purchases: one assayed 0.4 % short and cast into a
    1-kg-class bar, one assayed 5 % short (an exception to investigate)."""
    sent = datetime(2025, 10, 9, 1, 0, tzinfo=UTC)
    assayed_at = datetime(2025, 10, 13, 2, 0, tzinfo=UTC)
    with transaction(platform.sessions, admin.user_id) as s:
        for n, (shortfall, lot) in enumerate(((0.004, "LOT-2025-0001"),
                                              (0.05, "LOT-2025-0002"))):
            part = slice(n * LOT_SIZE, (n + 1) * LOT_SIZE)
            recycling.dispatch_lot(s, admin, keys, lot, recycler, refiner, seqs[part].tolist(),
                                   sent)
            declared = float(np.round(fine_g[part].sum(), 3))
            melted = round(declared * 1.02, 3)
            fineness = round(declared * (1 - shortfall) / melted * 1000, 3)
            balance = recycling.record_assay(s, admin, keys, lot, melted, fineness,
                                             "fire_assay", assayed_at)
            if n == 0:
                gross = float(np.floor(balance["assayed_g"] * 0.9))
                bar_fine = float(fine_gold_g(np.array([gross]),
                                             np.array([BAR_FINENESS_PERMILLE]))[0])
                recycling.record_bar(s, admin, keys, f"{refiner}-2025-0001", refiner, gross,
                                     BAR_FINENESS_PERMILLE, {lot: bar_fine}, assayed_at)
