"""Reconciliation: the direct (dense) path for small circuits and the sparse path give the same
reconciled values, statistics and gross errors, on the published cases and generated circuits
below and above the break-even."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import aurum.processing.reconcile as reconcile_module
from aurum.core.errors import AurumError
from aurum.processing.circuit import Circuit, circuit_from_mapping
from aurum.processing.reconcile import (
    DIRECT_MAX_SIZE,
    BalanceProblem,
    Reconciliation,
    _bilinear,
    reconcile,
)
from tests.processing.plants import gold_plant
from tests.processing.test_reconcile import NJ_CIRCUIT, NJ_MEASURED

RTOL = 1e-10
DIRECT, SPARSE = 10**9, 0
"""Values of DIRECT_MAX_SIZE that force one path."""


def separator_line(units: int, seed: int) -> dict[str, Any]:
    """A line of separators, each sending a concentrate to a product and its tails to the
    next, with Au and Cu; every assay measured (5 % sd), every third concentrate mass not
    (2 % sd on the others). Stream count: 2 × units + 1."""
    rng = np.random.default_rng(seed)
    nodes = ["feed", *(f"u{i}" for i in range(units)), *(f"p{i}" for i in range(units)), "tails"]
    streams = [{"name": "feed", "from": "feed", "to": "u0"}]
    mass, au, cu = [1000.0], [2.0], [5000.0]
    flow, grade = 1000.0, np.array([2.0, 5000.0])
    for i in range(units):
        split = rng.uniform(0.05, 0.2)
        upgrade = rng.uniform(3.0, 8.0, 2)
        conc = np.minimum(grade * upgrade, grade / split * 0.9)
        tail = (flow * grade - split * flow * conc) / ((1 - split) * flow)
        streams.append({"name": f"c{i}", "from": f"u{i}", "to": f"p{i}"})
        streams.append({"name": f"t{i}", "from": f"u{i}",
                        "to": f"u{i + 1}" if i + 1 < units else "tails"})
        mass += [split * flow, (1 - split) * flow]
        au += [conc[0], tail[0]]
        cu += [conc[1], tail[1]]
        flow, grade = (1 - split) * flow, tail
    noise = rng.standard_normal((len(streams), 3))
    measurements = {}
    for j, s in enumerate(streams):
        entry: dict[str, Any] = {"assays": {
            "Au": [au[j] * (1 + 0.05 * noise[j, 1]), 0.05 * au[j]],
            "Cu": [cu[j] * (1 + 0.05 * noise[j, 2]), 0.05 * cu[j]]}}
        if not (s["name"].startswith("c") and int(s["name"][1:]) % 3 == 0):
            entry["mass"] = [mass[j] * (1 + 0.02 * noise[j, 0]), 0.02 * mass[j]]
        measurements[s["name"]] = entry
    return {"nodes": nodes, "streams": streams, "measurements": measurements}


def kkt_rows(circuit: Circuit) -> int:
    """Rows of the SQP's KKT system: variables + balances."""
    problem = BalanceProblem.from_circuit(circuit)
    return len(problem.values) + problem.incidence.shape[0] * (1 + problem.n_components)


def both_paths(monkeypatch: pytest.MonkeyPatch, circuit: Circuit,
               **options: Any) -> tuple[Reconciliation, Reconciliation]:
    results = []
    for limit in (DIRECT, SPARSE):
        monkeypatch.setattr(reconcile_module, "DIRECT_MAX_SIZE", limit)
        results.append(reconcile(circuit, **options))
    return results[0], results[1]


def assert_same(direct: Reconciliation, sparse: Reconciliation) -> None:
    a, b = direct.adjustment, sparse.adjustment
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=RTOL)
    np.testing.assert_allclose(a.sd, b.sd, rtol=RTOL)
    assert a.chi2 == pytest.approx(b.chi2, rel=RTOL)
    assert a.dof == b.dof
    np.testing.assert_array_equal(a.redundant, b.redundant)
    np.testing.assert_allclose(a.measurement_test, b.measurement_test, rtol=1e-8)
    assert [(g.stream, g.field) for g in direct.gross_errors] == \
        [(g.stream, g.field) for g in sparse.gross_errors]
    for g, h in zip(direct.gross_errors, sparse.gross_errors, strict=True):
        assert g.statistic == pytest.approx(h.statistic, rel=1e-8)
        assert g.estimate == pytest.approx(h.estimate, rel=RTOL)
        assert g.chi2_after == pytest.approx(h.chi2_after, rel=RTOL)
    assert a.method == b.method
    assert direct.max_relative_imbalance < 1e-9 and sparse.max_relative_imbalance < 1e-9


CIRCUITS = {
    "heat exchanger (Narasimhan & Jordache)": lambda: NJ_CIRCUIT,
    "CIL gold plant": lambda: gold_plant(7),
    "gold plant, planted error on the cyclone overflow": lambda: gold_plant(
        7, {("cyclone_overflow", "Au"): 1.4}),
    "gold plant, planted error on the loaded carbon": lambda: gold_plant(
        7, {("loaded_carbon", "Au"): 1.3}),
    "separator line, 9 streams": lambda: separator_line(4, 1),
    "separator line, 41 streams": lambda: separator_line(20, 2),
    "separator line, 121 streams": lambda: separator_line(60, 3),
}


@pytest.mark.parametrize("name", CIRCUITS)
def test_both_paths_give_the_same_reconciliation(monkeypatch: pytest.MonkeyPatch,
                                                 name: str) -> None:
    circuit = circuit_from_mapping(CIRCUITS[name]())
    direct, sparse = both_paths(monkeypatch, circuit)
    assert_same(direct, sparse)


def test_a_planted_error_in_a_large_circuit_is_found_on_both_paths(
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = separator_line(20, 2)
    value, sd = data["measurements"]["t7"]["assays"]["Au"]
    data["measurements"]["t7"]["assays"]["Au"] = [value + 12 * sd, sd]
    direct, sparse = both_paths(monkeypatch, circuit_from_mapping(data))
    assert ("t7", "Au") in [(g.stream, g.field) for g in direct.gross_errors]
    assert_same(direct, sparse)


def test_fixed_masses_give_the_same_result_on_both_paths(
        monkeypatch: pytest.MonkeyPatch) -> None:
    circuit = circuit_from_mapping(gold_plant(7))
    mass = reconcile(circuit, detect_gross_errors=False).mass
    assert_same(*both_paths(monkeypatch, circuit, fixed_mass=mass))


def test_the_sqp_on_masses_only_matches_on_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = BalanceProblem(circuit_from_mapping(NJ_CIRCUIT).incidence(),
                             np.array(NJ_MEASURED), np.ones(6), 0)
    monkeypatch.setattr(reconcile_module, "DIRECT_MAX_SIZE", DIRECT)
    direct = _bilinear(problem)
    monkeypatch.setattr(reconcile_module, "DIRECT_MAX_SIZE", SPARSE)
    sparse = _bilinear(problem)
    np.testing.assert_allclose(direct.estimate, sparse.estimate, rtol=RTOL)
    np.testing.assert_allclose(direct.sd, sparse.sd, rtol=RTOL)
    assert direct.chi2 == pytest.approx(sparse.chi2, rel=RTOL)


def test_the_path_is_chosen_by_size(monkeypatch: pytest.MonkeyPatch) -> None:
    factored: list[str] = []
    lu = reconcile_module.lu_factors

    def spy(matrix: Any) -> Any:
        factored.append("dense" if isinstance(matrix, np.ndarray) else "sparse")
        return lu(matrix)

    monkeypatch.setattr(reconcile_module, "lu_factors", spy)
    small = circuit_from_mapping(separator_line(4, 1))
    large = circuit_from_mapping(separator_line(60, 3))
    assert kkt_rows(small) <= DIRECT_MAX_SIZE < kkt_rows(large)
    reconcile(small, detect_gross_errors=False)
    # The SQP's KKT systems dense; the covariance's sparse (its numba diagonal).
    assert factored.count("dense") >= 3 and factored[-1] == "sparse"
    factored.clear()
    reconcile(large, detect_gross_errors=False)
    assert factored.count("sparse") >= 3 and factored[-1] == "sparse"


def test_a_singular_system_is_refused_on_the_direct_path() -> None:
    with pytest.raises(AurumError, match="linearly dependent"):
        reconcile_module._factor(np.array([[1.0, 2.0], [2.0, 4.0]]))
