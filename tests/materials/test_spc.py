"""Control-chart constants against the published table, control limits and Cp/Cpk against
textbook examples, and the capability of simulated processes of known spread."""

import numpy as np
import pytest

from aurum.core.errors import ValidationError
from aurum.materials import spc

# The published table of control-chart constants (AIAG SPC manual, as reproduced at
# insightfabapp.com/tools/control-chart-constants; Montgomery's appendix table VI gives the
# same values): n, d2, d3, c4, A2, A3, D3, D4, B3, B4.
TABLE = [
    (2, 1.128, 0.853, 0.7979, 1.880, 2.659, 0.000, 3.267, 0.000, 3.267),
    (3, 1.693, 0.888, 0.8862, 1.023, 1.954, 0.000, 2.575, 0.000, 2.568),
    (4, 2.059, 0.880, 0.9213, 0.729, 1.628, 0.000, 2.282, 0.000, 2.266),
    (5, 2.326, 0.864, 0.9400, 0.577, 1.427, 0.000, 2.115, 0.000, 2.089),
    (6, 2.534, 0.848, 0.9515, 0.483, 1.287, 0.000, 2.004, 0.030, 1.970),
    (7, 2.704, 0.833, 0.9594, 0.419, 1.182, 0.076, 1.924, 0.118, 1.882),
    (8, 2.847, 0.820, 0.9650, 0.373, 1.099, 0.136, 1.864, 0.185, 1.815),
    (9, 2.970, 0.808, 0.9693, 0.337, 1.032, 0.184, 1.816, 0.239, 1.761),
    (10, 3.078, 0.797, 0.9727, 0.308, 0.975, 0.223, 1.777, 0.284, 1.716),
    (15, 3.472, 0.756, 0.9823, 0.223, 0.789, 0.348, 1.652, 0.428, 1.572),
    (20, 3.735, 0.729, 0.9869, 0.180, 0.680, 0.415, 1.585, 0.510, 1.490),
    (25, 3.931, 0.708, 0.9896, 0.153, 0.606, 0.459, 1.541, 0.565, 1.435),
]


@pytest.mark.parametrize("row", TABLE, ids=lambda r: f"n={r[0]}")
def test_constants_match_the_published_table(row):
    n, *published = row
    c = spc.constants(n)
    computed = [c.d2, c.d3, c.c4, c.A2, c.A3, c.D3, c.D4, c.B3, c.B4]
    for name, got, want in zip(("d2", "d3", "c4", "A2", "A3", "D3", "D4", "B3", "B4"),
                               computed, published, strict=True):
        # The table rounds to 3 decimals (c4 to 4). Its D3 and D4 were computed from d3
        # already rounded, so they may differ by a unit or two of the last place (printings
        # differ too: 2.574/2.575 at n = 3, 0.347/0.348 at n = 15).
        tol = {"c4": 6e-5, "D3": 1.6e-3, "D4": 1.6e-3}.get(name, 6e-4)
        assert got == pytest.approx(want, abs=tol), (name, n)


def test_closed_forms_for_pairs():
    # The difference of two standard normal values is N(0, 2): E|D| = 2/√π, E[D²] = 2.
    assert spc.d2(2) == pytest.approx(2 / np.sqrt(np.pi), rel=1e-9)
    assert spc.d3(2) == pytest.approx(np.sqrt(2 - 4 / np.pi), rel=1e-6)
    assert spc.c4(2) == pytest.approx(np.sqrt(2 / np.pi), rel=1e-12)


def test_montgomery_hard_bake_example():
    # Montgomery, Introduction to Statistical Quality Control, the hard-bake flow-width
    # example (25 samples of 5 wafers; x̿ = 1.5056 µm, R̄ = 0.32521 µm, specification
    # 1.50 ± 0.50 µm): X̄ limits 1.3180 and 1.6932, R limits 0 and 0.6876, σ̂ = R̄/d2 =
    # 0.1398 and PCR (Cp) = 1.192.
    xbar, r = spc.xbar_r_limits(1.5056, 0.32521, 5)
    assert xbar.lower == pytest.approx(1.3180, abs=2e-4)
    assert xbar.upper == pytest.approx(1.6932, abs=2e-4)
    assert r.lower == 0.0
    assert r.upper == pytest.approx(0.6876, abs=3e-4)
    sigma = 0.32521 / spc.d2(5)
    assert sigma == pytest.approx(0.1398, abs=1e-4)
    cp, _cpk = spc.capability_indices(1.5056, sigma, 1.00, 2.00)
    assert cp == pytest.approx(1.192, abs=1e-3)


def test_nist_handbook_capability_example():
    # NIST/SEMATECH e-Handbook of Statistical Methods, section 6.1.6 (process capability):
    # USL = 20, LSL = 8, μ = 16, σ = 2 give Cp = 1 and Cpk = min(4/6, 8/6) = 0.6667.
    cp, cpk = spc.capability_indices(16.0, 2.0, 8.0, 20.0)
    assert cp == pytest.approx(1.0)
    assert cpk == pytest.approx(0.6667, abs=1e-4)


def test_one_sided_and_undefined_indices():
    assert spc.capability_indices(10.0, 1.0, 4.0, None) == (None, pytest.approx(2.0))
    assert spc.capability_indices(10.0, 1.0, None, 13.0) == (None, pytest.approx(1.0))
    assert spc.capability_indices(10.0, 0.0, 4.0, 13.0) == (None, None)
    assert spc.capability_indices(10.0, 1.0, None, None) == (None, None)


def test_individuals_chart_by_hand():
    values = [[10.0], [12.0], [11.0], [13.0], [12.0]]
    chart = spc.control_chart(values)
    assert chart.kind == "i_mr"
    # Moving ranges 2, 1, 2, 1: MR̄ = 1.5; σ̂ = 1.5/1.128; limits 11.6 ± 3σ̂.
    assert chart.spread.tolist() == [2.0, 1.0, 2.0, 1.0]
    sigma = 1.5 / (2 / np.sqrt(np.pi))
    assert chart.sigma_within == pytest.approx(sigma)
    assert chart.location_limits.upper == pytest.approx(11.6 + 3 * sigma)
    assert chart.spread_limits.upper == pytest.approx(1.5 * 3.267, abs=1e-3)
    assert chart.beyond == ()


def test_a_shifted_batch_is_flagged():
    rng = np.random.default_rng(7)
    values = rng.normal(50.0, 1.0, size=(30, 1))
    values[20, 0] = 60.0
    chart = spc.control_chart(values.tolist())
    assert 20 in chart.beyond


@pytest.mark.parametrize(("n", "kind"), [(1, "i_mr"), (5, "xbar_r"), (12, "xbar_s")])
def test_capability_of_a_simulated_process(n, kind):
    # 400 batches of a process with μ = 100, σ = 2 against 94…108: Cp = 14/12 = 1.1667,
    # Cpk = 6/6 = 1 (Cpk from the upper side... lower side (100 − 94)/6 = 1, upper 8/6).
    rng = np.random.default_rng(2026)
    cap = spc.process_capability(rng.normal(100.0, 2.0, size=(400, n)).tolist(), 94.0, 108.0)
    assert cap.chart.kind == kind
    assert cap.cp == pytest.approx(14 / 12, rel=0.06)
    assert cap.cpk == pytest.approx(1.0, rel=0.06)
    assert cap.pp == pytest.approx(14 / 12, rel=0.06)
    assert cap.n_values == 400 * n


def test_bad_subgroups_are_refused():
    with pytest.raises(ValidationError, match="same number of values"):
        spc.control_chart([[1.0], [1.0, 2.0]])
    with pytest.raises(ValidationError, match="at least 2 batches"):
        spc.control_chart([[1.0]])
    with pytest.raises(ValidationError, match="subgroup size"):
        spc.constants(1)
