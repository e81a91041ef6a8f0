"""Metal accounting (AMIRA P754): hand-computed accounts, inventories, bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.processing.accounting import (
    GoldQuantity,
    cil_inventory,
    contained_gold,
    metal_account,
    metal_accounts,
    recovery_from_assays,
    sd_from_precision,
)

Z95 = 1.959963984540054  # standard normal 97.5 % quantile


def test_contained_gold_variance_of_a_product() -> None:
    q = contained_gold("feed", 60_000.0, 3.0, 600.0, 0.06)
    assert q.gold_g == 180_000.0
    # var(m g) = g² var(m) + m² var(g) + var(m) var(g) for independent m, g.
    assert q.sd_g == pytest.approx(math.sqrt(1800.0 ** 2 + 3600.0 ** 2 + 36.0 ** 2), rel=1e-12)


def test_period_account_by_hand() -> None:
    feed = contained_gold("mill feed", 60_000.0, 3.0, 600.0, 0.06)
    tails = contained_gold("tailings", 60_000.0, 0.25, 600.0, 0.02)
    bullion = GoldQuantity("bullion", 162_000.0, 162.0)
    account = metal_account([feed], [bullion], [tails],
                            opening=[GoldQuantity("CIL", 5_000.0, 500.0)],
                            closing=[GoldQuantity("CIL", 6_000.0, 600.0)])
    assert account.unaccounted_g == pytest.approx(180_000 - 162_000 - 15_000 - 1_000)
    var = feed.sd_g ** 2 + 162.0 ** 2 + tails.sd_g ** 2 + 500.0 ** 2 + 600.0 ** 2
    assert account.unaccounted_sd_g == pytest.approx(math.sqrt(var), rel=1e-12)
    assert account.ci_high_g - account.unaccounted_g == pytest.approx(Z95 * math.sqrt(var))
    assert not account.significant  # 2,000 g within ± 8,384 g
    assert account.recovery == pytest.approx(163_000 / 180_000, rel=1e-12)
    expected_sd = math.sqrt(162.0 ** 2 + 600.0 ** 2 + 500.0 ** 2
                            + (163_000 / 180_000 * feed.sd_g) ** 2) / 180_000
    assert account.recovery_sd == pytest.approx(expected_sd, rel=1e-12)


def test_many_periods_and_a_significant_loss() -> None:
    frame = pd.DataFrame({"period": ["2026-01", "2026-02"],
                          "check_in_g": [100_000.0, 100_000.0], "check_in_sd_g": [1000.0] * 2,
                          "products_g": [92_000.0, 80_000.0], "tailings_g": [9_000.0] * 2,
                          "opening_g": [2_000.0, 3_000.0], "closing_g": [3_000.0, 2_000.0]})
    out = metal_accounts(frame, confidence=0.9)
    np.testing.assert_allclose(out["unaccounted_g"], [-2_000.0, 12_000.0])
    np.testing.assert_allclose(out["ci_high_g"] - out["unaccounted_g"], 1.6448536269514722
                               * 1000.0)
    assert out["significant"].tolist() == [True, True]
    np.testing.assert_allclose(out["unaccounted_pct"], [-2.0, 12.0])
    assert out["period"].tolist() == ["2026-01", "2026-02"]


def test_bad_account_rows_are_named() -> None:
    frame = pd.DataFrame({"check_in_g": [1.0, -5.0], "products_g": [1.0, "x"],
                          "tailings_g": [0.0, 0.0], "opening_g": [0.0, 0.0]})
    with pytest.raises(ValidationError) as err:
        metal_accounts(frame)
    text = str(err.value)
    assert "missing column 'closing_g'" in text
    assert "row 3, column check_in_g" in text and "row 3, column products_g" in text
    with pytest.raises(ValidationError, match="mass_t"):
        contained_gold("feed", -1.0, 3.0)


def test_cil_inventory_by_hand() -> None:
    out = cil_inventory([1000.0, 1000.0], 1.4, 0.45, [0.5, 0.2], [0.3, 0.2], [15.0, 0.0],
                        [800.0, 0.0])
    first = out.iloc[0]
    assert (first.solids_t, first.solution_m3, first.carbon_t) == pytest.approx((630, 770, 15))
    assert (first.solution_g, first.carbon_g, first.solids_g) == pytest.approx((385, 12_000,
                                                                               189))
    assert first.total_g == pytest.approx(12_574.0)
    assert out.iloc[1].carbon_g == 0.0
    with pytest.raises(ValidationError, match="tank 2: solids_fraction"):
        cil_inventory([1000.0, 1000.0], 1.4, [0.45, 1.2], 0.5, 0.3, 15.0, 800.0)


def test_precision_and_two_product_formula() -> None:
    assert sd_from_precision(100.0, 5.0) == pytest.approx(5.0 / Z95)
    assert recovery_from_assays(3.0, 60.0, 0.2) == pytest.approx(60 * 2.8 / (3 * 59.8))
