"""The reserve waterfall closes and attributes each movement to its cause."""

from __future__ import annotations

import numpy as np
import pytest

from aurum.resources.ledger import ModelAtCutoff, reserve_waterfall


def test_waterfall_by_hand() -> None:
    tonnes = np.full(5, 1_000_000.0)
    # Last year: three blocks at 2, 1 and 0.4 g/t, two not estimated; cut-off 0.5 g/t.
    prev = ModelAtCutoff(tonnes, np.array([2.0, 1.0, 0.4, np.nan, np.nan]), 0.5)
    # This year: new drilling estimates block 4 (3 g/t), block 1 re-estimated to 1.2 g/t,
    # cut-off raised to 1.1 g/t.
    cur = ModelAtCutoff(tonnes, np.array([2.0, 1.2, 0.4, 3.0, np.nan]), 1.1)
    w = reserve_waterfall(prev, cur, depletion_t=0.25)
    # Opening: (2 + 1) g/t x 1 Mt = 3 t. Closing at 1.1: 2 + 1.2 + 3 = 6.2 t.
    assert (w.opening, w.closing) == (pytest.approx(3.0), pytest.approx(6.2))
    # Exploration: block 4 at the old cut-off, 3 t. Economic: the 1.1 cut-off drops nothing
    # of this year's model above 0.5 except 0.4 (below either), so 0.
    assert w.exploration == pytest.approx(3.0) and w.economic == pytest.approx(0.0)
    # Re-estimation balances: 6.2 - 3 + 0.25 - 3 - 0 = 0.45 t.
    assert w.re_estimation == pytest.approx(0.45)
    steps = dict(w.as_rows())
    assert sum(v for k, v in steps.items() if k != "closing") == pytest.approx(w.closing)


def test_economic_revision_from_a_cutoff_rise() -> None:
    tonnes = np.full(3, 500_000.0)
    grades = np.array([0.8, 1.5, 3.0])
    w = reserve_waterfall(ModelAtCutoff(tonnes, grades, 0.5),
                          ModelAtCutoff(tonnes, grades, 1.0), depletion_t=0.0)
    # The 0.8 g/t block (0.4 t) falls below the new cut-off: economic revision -0.4 t.
    assert w.economic == pytest.approx(-0.4)
    assert w.re_estimation == pytest.approx(0.0, abs=1e-12)
