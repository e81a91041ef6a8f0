"""Reconciliation: the published case, closed forms, a gold plant against SLSQP, gross errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from scipy import linalg, sparse
from scipy.optimize import minimize

from aurum.cli import cli
from aurum.core.errors import ValidationError
from aurum.processing.circuit import circuit_from_mapping
from aurum.processing.reconcile import (
    Adjustment,
    BalanceProblem,
    _bilinear,
    observability,
    reconcile,
    reconcile_linear,
    serial_elimination,
)
from tests.processing.plants import STREAMS, gold_plant, true_values

# Narasimhan & Jordache (2000), Data Reconciliation and Gross Error Detection: heat exchanger
# with bypass. Six measured flows, unit variances, four node balances.
NJ_MEASURED = [101.91, 64.45, 34.65, 64.20, 36.44, 98.88]
NJ_BALANCES = [[1, -1, -1, 0, 0, 0], [0, 1, 0, -1, 0, 0], [0, 0, 1, 0, -1, 0],
               [0, 0, 0, 1, 1, -1]]
NJ_RECONCILED = [100.22, 64.50, 35.72, 64.50, 35.72, 100.22]
NJ_GLOBAL_TEST = 6.41
NJ_CIRCUIT = {
    "nodes": ["in", "n1", "n2", "n3", "n4", "out"],
    "streams": [{"name": f"s{i + 1}", "from": a, "to": b} for i, (a, b) in enumerate(
        [("in", "n1"), ("n1", "n2"), ("n1", "n3"), ("n2", "n4"), ("n3", "n4"), ("n4", "out")])],
    "measurements": {f"s{i + 1}": {"mass": [v, 1.0]} for i, v in enumerate(NJ_MEASURED)},
}


def kkt_reference(A: np.ndarray, y: np.ndarray, sd: np.ndarray,
                  ) -> tuple[np.ndarray, float, np.ndarray]:
    """Dense textbook solution: min Σ((x−y)/σ)² over measured x s.t. A x = 0, by the full
    KKT system (unmeasured variables have no weight); the covariance of the estimates is the
    top-left block of the inverse KKT matrix (Narasimhan & Jordache 2000, §3)."""
    measured = ~np.isnan(y)
    n, m = A.shape[1], A.shape[0]
    W = np.diag(np.where(measured, 1.0 / np.where(measured, sd, 1.0) ** 2, 0.0))
    K = np.block([[W, A.T], [A, np.zeros((m, m))]])
    x = np.linalg.solve(K, np.concatenate([W @ np.nan_to_num(y), np.zeros(m)]))[:n]
    sd_estimate = np.sqrt(np.diag(np.linalg.inv(K))[:n])
    return x, float(np.sum(((x - y)[measured] / sd[measured]) ** 2)), sd_estimate


def test_published_heat_exchanger() -> None:
    result = reconcile_linear(NJ_BALANCES, np.array(NJ_MEASURED), np.ones(6))
    np.testing.assert_allclose(result.estimate, NJ_RECONCILED, atol=0.005)
    assert result.chi2 == pytest.approx(NJ_GLOBAL_TEST, abs=0.005)
    assert result.dof == 4
    # Closed form: with unit variances every adjusted value has variance 1 − 2/3 here.
    np.testing.assert_allclose(result.sd, np.sqrt(1 / 3), rtol=1e-12)
    np.testing.assert_allclose(np.array(NJ_BALANCES) @ result.estimate, 0, atol=1e-12)


def test_published_case_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "heat_exchanger.yaml"
    path.write_text(yaml.safe_dump(NJ_CIRCUIT), encoding="utf-8")
    run = CliRunner().invoke(cli, ["processing", "reconcile", str(path), "--format", "json"])
    assert run.exit_code == 0, run.output
    payload = json.loads(run.output)
    masses = [payload["streams"][f"s{i + 1}"]["mass"] for i in range(6)]
    np.testing.assert_allclose(masses, NJ_RECONCILED, atol=0.005)
    assert payload["chi2"] == pytest.approx(NJ_GLOBAL_TEST, abs=0.005)
    assert payload["dof"] == 4
    assert payload["p_value"] == pytest.approx(0.1707, abs=5e-4)  # χ²(4) survival at 6.4075
    assert payload["gross_errors"] == []
    assert payload["streams"]["s1"]["mass_sd"] == pytest.approx(np.sqrt(1 / 3), rel=1e-9)
    text = CliRunner().invoke(cli, ["processing", "reconcile", str(path)])
    assert text.exit_code == 0 and "chi2 = 6.4075" in text.output


def test_unmeasured_flows_by_projection_equal_the_kkt_solution() -> None:
    y = np.array(NJ_MEASURED)
    y[[1, 3]] = np.nan  # x2 and x4 unmeasured: observable through nodes 1 and 2
    sd = np.array([1.0, 1.0, 2.0, 1.0, 0.5, 1.5])
    result = reconcile_linear(NJ_BALANCES, y, sd)
    reference, chi2, sd_ref = kkt_reference(np.array(NJ_BALANCES, float), y, sd)
    np.testing.assert_allclose(result.estimate, reference, rtol=1e-12)
    np.testing.assert_allclose(result.sd, sd_ref, rtol=1e-10)
    assert result.chi2 == pytest.approx(chi2, rel=1e-12)
    assert result.dof == 2
    assert not result.redundant[[1, 3]].any()


def test_general_linear_constraints_use_an_orthonormal_projection() -> None:
    # Not a balance matrix (a coefficient 2): the projection is a null-space basis.
    A = np.array(NJ_BALANCES, float)
    A[0, 2] = -2.0
    y = np.array(NJ_MEASURED)
    y[[1, 3]] = np.nan
    result = reconcile_linear(A, y, np.ones(6))
    reference, chi2, sd_ref = kkt_reference(A, y, np.ones(6))
    np.testing.assert_allclose(result.estimate, reference, rtol=1e-10)
    np.testing.assert_allclose(result.sd, sd_ref, rtol=1e-9)
    assert result.chi2 == pytest.approx(chi2, rel=1e-10)


def test_masses_only_bilinear_solver_matches_the_closed_form() -> None:
    circuit = circuit_from_mapping(NJ_CIRCUIT)
    problem = BalanceProblem(circuit.incidence(), np.array(NJ_MEASURED), np.ones(6), 0)
    sqp = _bilinear(problem)  # the SQP path on a linear problem
    closed = reconcile_linear(NJ_BALANCES, np.array(NJ_MEASURED), np.ones(6))
    np.testing.assert_allclose(sqp.estimate, closed.estimate, rtol=1e-12)
    np.testing.assert_allclose(sqp.sd, closed.sd, rtol=1e-9)
    assert sqp.chi2 == pytest.approx(closed.chi2, rel=1e-12)


def plant_problem(seed: int = 7) -> tuple[object, BalanceProblem]:
    circuit = circuit_from_mapping(gold_plant(seed))
    return circuit, BalanceProblem.from_circuit(circuit)


def test_gold_plant_closes_every_balance_and_beats_slsqp() -> None:
    circuit, problem = plant_problem()
    result = reconcile(circuit, detect_gross_errors=False)
    z = np.concatenate([result.mass, result.assays.T.ravel()])
    assert problem.relative_imbalance(z).max() < 1e-9
    assert result.max_relative_imbalance < 1e-9
    # The same problem for SLSQP from the same start, in the same unit-free variables
    # (measured ones in standard deviations: unscaled, SLSQP needs 100+ iterations).
    z0 = problem.start()
    scale = np.where(problem.measured, problem.sd, np.abs(z0))
    S = sparse.diags_array(scale)
    peer = minimize(lambda x: problem.objective(x * scale), z0 / scale,
                    jac=lambda x: problem.gradient(x * scale) * scale, method="SLSQP",
                    constraints=[{"type": "eq", "fun": lambda x: problem.constraints(x * scale),
                                  "jac": lambda x: (problem.jacobian(x * scale) @ S).toarray()}],
                    options={"maxiter": 200, "ftol": 1e-10})
    assert peer.success, peer.message
    assert problem.relative_imbalance(peer.x * scale).max() < 1e-6
    ours = problem.objective(z)
    assert ours <= peer.fun * (1 + 1e-9)
    assert result.chi2 == pytest.approx(2 * ours, rel=1e-12)
    # Estimates near the truth: within 4 sd for every stream.
    truth = true_values()
    for j, (name, _, _) in enumerate(STREAMS):
        assert abs(result.mass[j] - truth[name][0]) < 4 * result.mass_sd[j] + 1e-9, name
        assert abs(result.assays[j, 0] - truth[name][1]) < 4 * result.assays_sd[j, 0] + 1e-9


def test_gold_plant_covariance_is_the_projected_linearised_one() -> None:
    circuit, problem = plant_problem()
    result = reconcile(circuit, detect_gross_errors=False)
    z = result.adjustment.estimate
    # Independent dense formula: Q = V − V Gᵀ (G V Gᵀ)⁻¹ G V with G = P J_x, P a basis of the
    # left null space of J_u (Crowe's projection of the linearised balances).
    J = problem.jacobian(z).toarray()
    measured = problem.measured
    P = linalg.null_space(J[:, ~measured].T).T
    G = P @ J[:, measured]
    V = np.diag(problem.sd[measured] ** 2)
    Q = V - V @ G.T @ np.linalg.solve(G @ V @ G.T, G @ V)
    np.testing.assert_allclose(result.adjustment.sd[measured], np.sqrt(np.diag(Q)), rtol=1e-6)
    assert result.dof == G.shape[0]


def test_planted_gross_error_is_found_by_name() -> None:
    circuit = circuit_from_mapping(gold_plant(7, {("cyclone_overflow", "Au"): 1.4}))
    result = reconcile(circuit)
    assert [(g.stream, g.field) for g in result.gross_errors] == [("cyclone_overflow", "Au")]
    g = result.gross_errors[0]
    assert g.chi2_after < g.chi2_before
    truth = true_values()["cyclone_overflow"][1]
    assert abs(g.estimate - truth) < abs(g.value - truth) / 4  # the others recover it
    assert result.as_dict()["gross_errors"] == ["cyclone_overflow"]
    frame = result.measurements_frame()
    row = frame[(frame.stream == "cyclone_overflow") & (frame.field == "Au")].iloc[0]
    assert row.gross_error and row.measured == pytest.approx(g.value)
    clean = reconcile(circuit_from_mapping(gold_plant(7)))
    assert clean.gross_errors == ()


def test_equivalent_set_declares_the_smallest_implied_error() -> None:
    # One balance x1 = x2 + x3: every measurement has the same measurement-test statistic,
    # |r| / sqrt(Σσ²) = 20 / sqrt(30) (closed form), so the statistics cannot tell them apart.
    # Removing any one closes the balance exactly, implying an error of 20/σᵢ standard
    # deviations: 20, 10 and 4. The widest measurement (x3) is the declared one, whatever
    # order round-off puts the tied statistics in.
    y, sd = np.array([100.0, 60.0, 20.0]), np.array([1.0, 2.0, 5.0])
    A = sparse.csr_array([[1.0, -1.0, -1.0]])

    def solve(mask: np.ndarray) -> Adjustment:
        return reconcile_linear(A, np.where(mask, y, np.nan), sd)

    first = solve(np.ones(3, dtype=bool))
    assert first.chi2 == pytest.approx(400 / 30, rel=1e-12)
    np.testing.assert_allclose(first.measurement_test, 20 / np.sqrt(30), rtol=1e-9)
    final, removed = serial_elimination(solve, np.ones(3, dtype=bool))
    assert [r[0] for r in removed] == [2]
    assert final.estimate[2] == pytest.approx(40.0, rel=1e-12)
    assert final.chi2 == pytest.approx(0.0, abs=1e-12)


def test_planted_gross_error_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "plant.yaml"
    path.write_text(yaml.safe_dump(gold_plant(7, {("loaded_carbon", "Au"): 1.3})),
                    encoding="utf-8")
    run = CliRunner().invoke(cli, ["processing", "reconcile", str(path), "--format", "json"])
    assert run.exit_code == 0, run.output
    payload = json.loads(run.output)
    assert payload["gross_errors"] == ["loaded_carbon"]
    assert payload["suspects"][0]["field"] == "Au"
    assert set(payload["streams"]) == {name for name, _, _ in STREAMS}
    assert payload["streams"]["sludge"]["assays"]["Au"] > 100_000  # estimated, unmeasured


def test_components_with_fixed_masses_are_linear() -> None:
    circuit = circuit_from_mapping(gold_plant(7))
    truth = true_values()
    mass = np.array([truth[name][0] for name, _, _ in STREAMS])
    result = reconcile(circuit, fixed_mass=mass, detect_gross_errors=False)
    assert result.adjustment.method == "projection"
    A = circuit.incidence().toarray() * mass
    y = circuit.measured_arrays()[2][:, 0]
    sd = circuit.measured_arrays()[3][:, 0]
    reference, chi2, sd_ref = kkt_reference(A, y, sd)
    np.testing.assert_allclose(result.assays[:, 0], reference, rtol=1e-9)
    np.testing.assert_allclose(result.assays_sd[:, 0], sd_ref, rtol=1e-6)
    assert result.chi2 == pytest.approx(chi2, rel=1e-9)
    np.testing.assert_array_equal(result.mass, mass)


def test_unobservable_system_is_refused_naming_the_variables() -> None:
    # Gold room: nothing measured on the barren eluate and the slag, no assay of the sludge.
    # The electrowinning and smelting gold balances are two equations in three unknown
    # assays; the masses still follow from the mass balances.
    data = gold_plant(7)
    data["measurements"]["barren_eluate"] = {}
    data["measurements"]["slag"] = {}
    with pytest.raises(ValidationError) as err:
        reconcile(circuit_from_mapping(data, source="plant.yaml"))
    message = str(err.value)
    assert "plant.yaml" in message and "not observable" in message
    assert "cannot determine barren_eluate.Au, sludge.Au, slag.Au;" in message


def test_unobservable_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "split.yaml"
    path.write_text(yaml.safe_dump({
        "nodes": ["feed", "cyclone", "fines", "coarse"],
        "streams": [{"name": "f", "from": "feed", "to": "cyclone"},
                    {"name": "o", "from": "cyclone", "to": "fines"},
                    {"name": "u", "from": "cyclone", "to": "coarse"}],
        "measurements": {"f": {"mass": [100.0, 2.0]}}}), encoding="utf-8")
    run = CliRunner().invoke(cli, ["processing", "reconcile", str(path), "--format", "json"])
    assert run.exit_code == 2
    assert "split.yaml" in run.output and "o.mass, u.mass" in run.output


def test_bad_alpha_is_refused() -> None:
    with pytest.raises(ValidationError, match="alpha"):
        reconcile(circuit_from_mapping(NJ_CIRCUIT), alpha=1.5)


def test_observability_table() -> None:
    data = gold_plant(7)
    data["measurements"]["barren_eluate"] = {}
    data["measurements"]["slag"] = {}
    table = observability(circuit_from_mapping(data)).set_index(["stream", "field"])["status"]
    assert table[("ore", "mass")] == "measured"
    assert table[("cil_tails", "mass")] == "observable"
    assert table[("slag", "mass")] == "observable"
    assert sorted(table.index[table == "unobservable"]) == [
        ("barren_eluate", "Au"), ("slag", "Au"), ("sludge", "Au")]
