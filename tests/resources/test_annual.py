"""The annual reserve report: every row closes, the totals are the ledger's, a case by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aurum.resources.annual import (
    COLUMNS,
    RESERVES_TOTAL,
    RESOURCE_CODES,
    RESOURCES_TOTAL,
    Amount,
    annual_reserve_report,
    apportion_exploration,
    exploration_from_blocks,
    lost_ore,
)
from aurum.resources.ledger import ModelAtCutoff, reserve_waterfall

OPENING = {"measured": Amount(1_000_000.0, 2000.0), "indicated": Amount(2_000_000.0, 3000.0),
           "inferred": Amount(1_000_000.0, 1000.0)}
CLOSING = {"measured": Amount(900_000.0, 1900.0), "indicated": Amount(2_100_000.0, 3300.0),
           "inferred": Amount(1_500_000.0, 1400.0)}
MINED = Amount(200_000.0, 350.0)
FOUND = {"measured": Amount(0.0, 0.0), "indicated": Amount(50_000.0, 60.0),
         "inferred": Amount(400_000.0, 360.0)}


def _closes(table: pd.DataFrame, rows: list[str], quantity: str) -> None:
    for row in rows:
        r = table.loc[row]
        rebuilt = (r[f"opening_{quantity}"] - r[f"mined_{quantity}"] - r[f"lost_{quantity}"]
                   + r[f"exploration_{quantity}"] + r[f"re_estimation_{quantity}"])
        assert rebuilt == pytest.approx(r[f"closing_{quantity}"], rel=1e-12, abs=1e-9), row


def test_hand_computed_case() -> None:
    table = annual_reserve_report(OPENING, CLOSING, MINED, FOUND, loss_rate=0.05)
    assert list(table.columns) == list(COLUMNS)
    assert list(table.index) == [*RESOURCE_CODES, RESOURCES_TOTAL]
    # Mined by the opening measured + indicated gold: 2000 / 5000 = 0.4 and 0.6, inferred 0.
    assert table.loc["measured", "mined_ore_t"] == pytest.approx(80_000.0)
    assert table.loc["indicated", "mined_metal_kg"] == pytest.approx(210.0)
    assert table.loc["inferred", "mined_ore_t"] == 0.0
    # Lost at 5 per cent of the ore depleted in situ: 200,000 x 0.05 / 0.95 t.
    assert table.loc[RESOURCES_TOTAL, "lost_ore_t"] == pytest.approx(200_000.0 / 19.0)
    assert table.loc["measured", "lost_metal_kg"] == pytest.approx(0.4 * 350.0 / 19.0)
    # Re-estimation balances, e.g. inferred: 1,500,000 - 1,000,000 - 400,000 = 100,000 t and
    # 1400 - 1000 - 360 = 40 kg, i.e. 0.4 g/t.
    assert table.loc["inferred", "re_estimation_ore_t"] == pytest.approx(100_000.0)
    assert table.loc["inferred", "re_estimation_metal_kg"] == pytest.approx(40.0)
    assert table.loc["inferred", "re_estimation_grade_gpt"] == pytest.approx(0.4)
    # Indicated: 2,100,000 - 2,000,000 + 120,000 + 120,000/19 - 50,000 t.
    assert table.loc["indicated", "re_estimation_ore_t"] == pytest.approx(
        170_000.0 + 120_000.0 / 19.0)
    # Measured loses ore (-15,789 t) and gains gold (+47 kg): no grade.
    assert table.loc["measured", "re_estimation_ore_t"] < 0 < table.loc[
        "measured", "re_estimation_metal_kg"]
    assert np.isnan(table.loc["measured", "re_estimation_grade_gpt"])
    assert table.loc["measured", "opening_grade_gpt"] == pytest.approx(2.0)
    assert table.loc[RESOURCES_TOTAL, "closing_metal_kg"] == pytest.approx(6600.0)
    assert table.loc[RESOURCES_TOTAL, "mined_grade_gpt"] == pytest.approx(1.75)


@pytest.mark.parametrize("loss_rate", [None, 0.0, 0.12])
def test_every_row_closes(loss_rate: float | None) -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        opening = {c: Amount(*rng.uniform(0, 1e7, 2)) for c in RESOURCE_CODES}
        closing = {c: Amount(*rng.uniform(0, 1e7, 2)) for c in RESOURCE_CODES}
        found = {c: Amount(*rng.uniform(0, 1e6, 2)) for c in RESOURCE_CODES}
        table = annual_reserve_report(opening, closing, Amount(*rng.uniform(0, 1e6, 2)), found,
                                      loss_rate, {"proved": 900.0, "probable": 1200.0},
                                      {"proved": 800.0, "probable": 1500.0})
        rows = [*RESOURCE_CODES, RESOURCES_TOTAL]
        _closes(table, rows, "ore_t")
        _closes(table, [*rows, "proved", "probable", RESERVES_TOTAL], "metal_kg")
        # The total is the sum of its rows, column by column; reserves are never in it.
        sums = table.loc[list(RESOURCE_CODES), [c for c in COLUMNS if "grade" not in c]].sum()
        assert np.allclose(table.loc[RESOURCES_TOTAL, sums.index].astype(float), sums)


def test_reserves_apart_from_resources() -> None:
    table = annual_reserve_report(OPENING, CLOSING, MINED, FOUND, None,
                                  {"proved": 1000.0, "probable": 3000.0},
                                  {"proved": 900.0, "probable": 3200.0})
    assert list(table.index)[-3:] == ["proved", "probable", RESERVES_TOTAL]
    assert table.loc[RESOURCES_TOTAL, "closing_metal_kg"] == pytest.approx(6600.0)
    # Mining takes reserves in proportion to the opening proved and probable gold: 1/4, 3/4.
    assert table.loc["probable", "mined_metal_kg"] == pytest.approx(262.5)
    assert table.loc[RESERVES_TOTAL, "re_estimation_metal_kg"] == pytest.approx(
        4100.0 - 4000.0 + 350.0)
    assert table.loc["proved", ["opening_ore_t", "closing_grade_gpt"]].isna().all()
    assert annual_reserve_report(OPENING, CLOSING, MINED).index[-1] == RESOURCES_TOTAL


def test_totals_match_the_ledgers_waterfall() -> None:
    """Exploration by class from the blocks adds up to the ledger's exploration, the mined
    gold is its depletion, and the opening and closing are the models' gold at their
    cut-offs (every estimated block classified)."""
    rng = np.random.default_rng(3)
    n = 400
    tonnes = np.full(n, 250_000.0)
    previous = rng.lognormal(0.0, 0.8, n)
    previous[300:] = np.nan
    current = previous * rng.uniform(0.8, 1.2, n)
    current[300:380] = rng.lognormal(0.2, 0.8, 80)  # new drilling
    classes = rng.integers(1, 4, n)
    prev_classes = classes.copy()
    cut0, cut1, depletion_t = 0.5, 0.6, 0.4
    waterfall = reserve_waterfall(ModelAtCutoff(tonnes, previous, cut0),
                                  ModelAtCutoff(tonnes, current, cut1), depletion_t)

    def statement(grade: np.ndarray, cls: np.ndarray, cut: float) -> dict[str, Amount]:
        out = {}
        for code, name in enumerate(RESOURCE_CODES, start=1):
            keep = (cls == code) & (np.nan_to_num(grade, nan=-1) >= cut)
            out[name] = Amount(float(tonnes[keep].sum()),
                               float((tonnes[keep] * grade[keep]).sum()) / 1000.0)
        return out

    found = exploration_from_blocks(previous, tonnes, current, classes, cut0)
    table = annual_reserve_report(statement(previous, prev_classes, cut0),
                                  statement(current, classes, cut1),
                                  Amount(160_000.0, depletion_t * 1000.0), found)
    total = table.loc[RESOURCES_TOTAL]
    assert total["exploration_metal_kg"] == pytest.approx(waterfall.exploration * 1000.0)
    assert total["mined_metal_kg"] == pytest.approx(waterfall.depletion * 1000.0)
    assert total["opening_metal_kg"] == pytest.approx(waterfall.opening * 1000.0)
    assert total["closing_metal_kg"] == pytest.approx(waterfall.closing * 1000.0)
    # The ministry's re-estimation holds the ledger's re-estimation and its cut-off change.
    assert total["re_estimation_metal_kg"] == pytest.approx(
        (waterfall.re_estimation + waterfall.economic) * 1000.0)


def test_exploration_from_blocks_by_hand() -> None:
    tonnes = np.full(5, 1000.0)
    previous = np.array([1.0, np.nan, np.nan, np.nan, np.nan])
    current = np.array([1.5, 2.0, 0.3, 4.0, 3.0])
    classes = np.array([1, 2, 3, 3, 0])  # the last one unclassified: not a resource
    found = exploration_from_blocks(previous, tonnes, current, classes, 0.5)
    assert found["measured"] == Amount(0.0, 0.0)
    assert found["indicated"] == Amount(1000.0, 2.0)
    assert found["inferred"] == Amount(1000.0, 4.0)  # 0.3 g/t is below last year's cut-off


def test_apportioned_exploration() -> None:
    found = apportion_exploration(660.0, CLOSING)
    assert sum(a.metal_kg for a in found.values()) == pytest.approx(660.0)
    # 1900 / 6600 of the gold, at the closing measured grade (1900 kg / 900,000 t).
    assert found["measured"].metal_kg == pytest.approx(190.0)
    assert found["measured"].grade_gpt == pytest.approx(1900.0 / 900.0)
    assert apportion_exploration(5.0, dict.fromkeys(RESOURCE_CODES, Amount(0.0, 0.0))) == (
        dict.fromkeys(RESOURCE_CODES, Amount(0.0, 0.0)))


def test_mining_without_defined_ore() -> None:
    empty = dict.fromkeys(RESOURCE_CODES, Amount(0.0, 0.0))
    # No measured or indicated gold at the opening: the closing's shares.
    table = annual_reserve_report(empty, CLOSING, MINED)
    assert table.loc["indicated", "mined_metal_kg"] == pytest.approx(350.0 * 3300.0 / 5200.0)
    table = annual_reserve_report(empty, empty, MINED)
    assert table.loc["measured", "mined_ore_t"] == MINED.ore_t
    assert lost_ore(MINED, None) == Amount(0.0, 0.0)
    with pytest.raises(ValueError, match="loss rate"):
        lost_ore(MINED, 1.0)
