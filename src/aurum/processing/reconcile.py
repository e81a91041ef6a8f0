"""Data reconciliation of plant circuits: masses and assays adjusted to close every balance.

The adjusted values minimise the weighted sum of squared adjustments
``Σ ((x̂ − y) / σ)²`` over the measured variables, subject to the balances of every node that
is not a boundary: total mass ``A m = 0`` and each component ``A (m ∘ a_c) = 0`` (``A`` the
node–stream incidence matrix, ``m`` the stream masses in t, ``a_c`` the assays of component
``c`` in g/t; a stream carries ``m × a`` grams). Unmeasured variables are estimated from the
balances.

Methods
-------
* **Linear case** (masses only; or the assays of each component with the masses held fixed):
  exact closed form by Crowe's projection (Crowe, Garcia Campos & Hrymak 1983). A matrix
  ``P`` with ``P B = 0`` (``B`` the columns of the unmeasured variables) removes them: the
  measured ones are adjusted against the reduced constraints ``G = P A_x`` as
  ``x̂ = y − V Gᵀ (G V Gᵀ)⁻¹ G y``, then the unmeasured ones solve ``B u = −A_x x̂``. For a
  balance matrix (each column an in/out pair or a single entry), ``P`` is built from the graph
  by merging the nodes joined by unmeasured streams (Mah, Stanley & Downing 1976), which keeps
  everything sparse; any other matrix gets an orthonormal basis of the left null space of B.
* **Bilinear case** (masses and assays adjusted together): sequential quadratic programming on
  the Lagrangian (successive linearisation with Lagrange multipliers): each step solves the
  sparse KKT system of the quadratic objective and the constraints linearised at the current
  point, first with the Gauss–Newton Hessian (the weights), then with the exact Hessian of the
  Lagrangian (the bilinear terms give the ``m``–``a`` cross entries ``Aᵀ λ_c``), for quadratic
  convergence, with an ℓ1-merit line search far from the solution. Iterations stop when the
  step is below 1e-10 standard deviations and every balance closes to 1e-12 relative.
  Starting point: least squares of the masses subject to the mass balances, the component
  balances of fully assayed nodes as extra observations, then of the assays subject to the
  component balances at those masses (:meth:`BalanceProblem.start`).
* **Direct path** (small circuits, KKT systems up to :data:`DIRECT_MAX_SIZE` rows): the same
  steps with a dense balance matrix and dense KKT systems factored by LAPACK. Below the
  break-even, building and factoring sparse matrices costs more than the arithmetic (at 10
  streams scipy.sparse bookkeeping was most of the time); above it, sparse wins. The
  covariance uses the sparse factors on both paths, so that no multi-column dense solve waits
  for BLAS threads on a busy machine. Both paths give the same results to round-off.

Statistics (Narasimhan & Jordache 2000, ch. 3 and 7): the covariance of the estimates is that
of the linearised estimator at the solution — the top-left block of the inverse KKT matrix,
equal to ``V − V Gᵀ (G V Gᵀ)⁻¹ G V`` for the measured variables; its diagonal comes from the
sparse LU factors by two triangular solves per variable from a sparse right-hand side (numba;
SuperLU's multi-column solve is 10–20× slower on these systems). Observability: an unmeasured
variable is determinable when no direction of the null space of ``B`` moves it (a dense
singular value decomposition per connected block of ``B``). A measured variable is redundant
when its adjustment has a variance > 0. Global test: ``χ² = Σ ((x̂ − y)/σ)²`` with
``dof = (constraints) − (unmeasured variables)``; measurement test: ``|x̂ − y| / sd(x̂ − y)``;
serial elimination (Ripps 1965, Rosenberg et al. 1987): while the global test rejects at level
``alpha``, the measurement with the largest measurement-test statistic whose removal leaves the
system observable (and solvable) is declared a gross error and removed (treated as
unmeasured); among measurements whose statistics tie (an equivalent set) the one implying the
smallest error in its own standard deviations.

Written here rather than taken from a library: scipy has no data-reconciliation routine, and
its general solvers (SLSQP, trust-constr) work with dense matrices and give neither the
covariance of the estimates nor observability and redundancy; the structure of the balances
(sparse, bilinear) gives all of them at a fraction of the cost (``benchmarks/bench_reconcile.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats

from aurum.core.errors import AurumError, Problem, ValidationError
from aurum.core.i18n import gettext
from aurum.processing.circuit import Circuit
from aurum.processing.kkt import (
    assemble,
    entries,
    lu_factors,
    projection,
    quadratic_diagonal,
    undetermined,
    unobservable_columns,
)

ALPHA = 0.05
"""Default significance level of the global test."""
STEP_TOLERANCE = 1e-10
"""Convergence: largest step of the bilinear solver, in standard deviations (measured
variables) or relative to the value (unmeasured ones)."""
BALANCE_TOLERANCE = 1e-12
"""Convergence: largest relative imbalance of a node (|in − out| / (in + out))."""
MAX_ITERATIONS = 200
DIRECT_MAX_SIZE = 128
"""The direct path: KKT systems up to this many rows (variables + balances) are assembled
and factored dense by LAPACK, larger ones sparse by SuperLU. With one BLAS thread the dense
path stays faster up to a few hundred rows (``benchmarks/bench_reconcile.py``); from about
100 rows OpenBLAS threads the dense factorisation, which on a busy machine waits for cores
(a 150-row factorisation took up to 90 ms, a 256-row one 13 ms in the median): hence a bound
just above that."""
_REDUNDANCY_RTOL = 1e-9


class _Unobservable(Exception):
    """Internal: the unmeasured variables with these indices cannot be determined."""

    def __init__(self, columns: np.ndarray):
        super().__init__(columns)
        self.columns = columns


class NotConverged(AurumError):
    """The bilinear solver found no solution (the data put a flow at or below zero, or the
    iterations ran out)."""


@dataclass(frozen=True)
class Adjustment:
    """The adjusted estimate of every variable of a reconciliation problem.

    Parameters
    ----------
    estimate : numpy.ndarray
        Adjusted (measured) or estimated (unmeasured) value of each variable, in the unit of
        the variable (t for masses, g/t for assays).
    sd : numpy.ndarray
        Standard deviation of each estimate, from the covariance of the adjusted estimates.
    values : numpy.ndarray
        Measured values, NaN for unmeasured variables.
    value_sd : numpy.ndarray
        Standard deviations of the measurements, NaN for unmeasured variables.
    adjustment_sd : numpy.ndarray
        Standard deviation of each adjustment ``estimate − value``; 0 for a measured variable
        that is not redundant, NaN for unmeasured variables.
    chi2 : float
        Global test statistic, the weighted sum of squared adjustments (dimensionless).
    dof : int
        Degrees of freedom: independent balances left once the unmeasured variables are
        eliminated.
    iterations : int
        Linearisations performed (1 for the linear closed form).
    method : str
        ``"projection"`` or ``"sqp"``.
    """

    estimate: np.ndarray
    sd: np.ndarray
    values: np.ndarray
    value_sd: np.ndarray
    adjustment_sd: np.ndarray
    chi2: float
    dof: int
    iterations: int
    method: str

    @property
    def measured(self) -> np.ndarray:
        """Mask of the measured variables."""
        return ~np.isnan(self.values)

    @property
    def p_value(self) -> float:
        """Probability of a χ² at least this large with no gross error (1 when dof = 0)."""
        return float(stats.chi2.sf(self.chi2, self.dof)) if self.dof > 0 else 1.0

    @property
    def redundant(self) -> np.ndarray:
        """Mask of the measured variables that the balances would still determine without
        their measurement (their adjustment has a variance > 0)."""
        with np.errstate(invalid="ignore"):
            return self.measured & (self.adjustment_sd > _REDUNDANCY_RTOL ** 0.5
                                    * np.where(self.measured, self.value_sd, 1.0))

    @property
    def measurement_test(self) -> np.ndarray:
        """Measurement-test statistic ``|x̂ − y| / sd(x̂ − y)`` of each redundant measured
        variable (standard normal without gross error), NaN elsewhere."""
        out = np.full(len(self.estimate), np.nan)
        r = self.redundant
        out[r] = np.abs(self.estimate[r] - self.values[r]) / self.adjustment_sd[r]
        return out


def reconcile_linear(constraints: Any, values: np.ndarray, sd: np.ndarray,
                     names: Sequence[str] | None = None) -> Adjustment:
    """Weighted least-squares adjustment of variables subject to ``constraints @ x = 0``.

    Exact closed form by Crowe's projection of the unmeasured variables (module docstring).

    Parameters
    ----------
    constraints : array_like or scipy.sparse matrix
        Linear balances, shape (n_constraints, n_variables), independent rows.
    values : numpy.ndarray
        Measured values, NaN for unmeasured variables, shape (n_variables,), any unit (the
        constraints' unit: t, t/h, g, ...).
    sd : numpy.ndarray
        Standard deviations of the measurements (> 0, same unit), ignored where unmeasured.
    names : sequence of str, optional
        Variable names for messages (default ``x1``, ``x2``, ...).

    Returns
    -------
    Adjustment

    Raises
    ------
    ValidationError
        When shapes disagree, an sd is not > 0, or unmeasured variables are not determinable
        (the message names them).
    """
    A = sparse.csr_array(constraints, dtype=float)
    y = np.asarray(values, dtype=float)
    s = np.asarray(sd, dtype=float)
    labels = list(names) if names is not None else [f"x{i + 1}" for i in range(len(y))]
    measured = ~np.isnan(y)
    if not (A.shape[1] == len(y) == len(s) == len(labels)):
        raise ValidationError(gettext(
            "constraints have %(columns)s columns, values %(values)s, sd %(sd)s, names "
            "%(names)s: expected the same number", columns=A.shape[1], values=len(y),
            sd=len(s), names=len(labels)))
    if not (np.isfinite(s[measured]) & (s[measured] > 0)).all():
        raise ValidationError(gettext("every measured variable needs a standard deviation > 0"))
    try:
        return _linear(A, y, s)
    except _Unobservable as exc:
        raise ValidationError(_unobservable_problem([labels[i] for i in exc.columns],
                                                    None)) from None


def _linear(A: sparse.csr_array, y: np.ndarray, sd: np.ndarray) -> Adjustment:
    measured = ~np.isnan(y)
    xi, ui = np.flatnonzero(measured), np.flatnonzero(~measured)
    Ax = sparse.csc_array(A[:, xi])
    B = sparse.csc_array(A[:, ui])
    bad = unobservable_columns(B)
    if bad.size:
        raise _Unobservable(ui[bad])
    G = sparse.csr_array(projection(B) @ Ax)
    v = sd[xi] ** 2
    estimate = np.where(measured, y, np.nan)
    variance = np.where(measured, sd ** 2, np.nan)
    adj_var = np.zeros(len(xi))
    chi2 = 0.0
    lu = None
    if G.shape[0]:
        lu = _factor(G @ sparse.diags_array(v) @ G.T)
        lam = lu.solve(G @ y[xi])
        estimate[xi] = y[xi] - v * (G.T @ lam)
        chi2 = float((G @ y[xi]) @ lam)
        adj_var = v ** 2 * quadratic_diagonal(lu, G)
        variance[xi] = v - adj_var
    if ui.size:
        # B has full column rank (observable): u is the exact solution of B u = −A_x x̂,
        # u = −M x̂ with M = (BᵀB)⁻¹ Bᵀ A_x, and Cov(u) = M Cov(x̂) Mᵀ.
        lub = _factor(B.T @ B)
        M = lub.solve((B.T @ Ax).toarray())
        estimate[ui] = -M @ estimate[xi]
        var_u = (M ** 2 * v).sum(axis=1)
        if lu is not None:
            var_u -= quadratic_diagonal(lu, (G @ sparse.diags_array(v)) @ M.T)
        variance[ui] = var_u
    adjustment_sd = np.full(len(y), np.nan)
    adjustment_sd[xi] = np.sqrt(np.clip(adj_var, 0.0, None))
    return Adjustment(estimate, np.sqrt(np.clip(variance, 0.0, None)),
                      np.where(measured, y, np.nan), np.where(measured, sd, np.nan),
                      adjustment_sd, chi2, int(G.shape[0]), 1, "projection")


def _factor(matrix: Any) -> Any:
    try:
        return lu_factors(matrix)
    except RuntimeError as exc:  # "Factor is exactly singular"
        raise AurumError(gettext("the balances are linearly dependent (a closed loop, or a "
                                 "balance repeated): remove the redundant ones")) from exc


def _unobservable_problem(names: Sequence[str], source: str | None) -> Problem:
    shown = ", ".join(names[:20]) + (gettext(" (and %(n)s more)", n=len(names) - 20)
                                     if len(names) > 20 else "")
    return Problem(gettext("the system is not observable: the balances cannot determine "
                           "%(variables)s; measure them, or measure other variables of the "
                           "nodes around them", variables=shown),
                   column="measurements", source=source)


# ---------------------------------------------------------------------------------------------
# Bilinear problem


@dataclass(frozen=True)
class BalanceProblem:
    """The bilinear reconciliation problem of a circuit, in plain arrays.

    Variables ``z = [m, a_1, ..., a_C]``: the stream masses (t), then for each component the
    assays of every stream (g/t). Objective ``½ Σ ((z − y)/σ)²`` over the measured variables;
    constraints: the mass balance rows ``A m`` then, per component, ``A (m ∘ a_c)`` (g).

    Parameters
    ----------
    incidence : scipy.sparse.csr_array or numpy.ndarray
        Balance matrix, shape (n_nodes, n_streams); dense for the direct path of small
        problems (:data:`DIRECT_MAX_SIZE`).
    values : numpy.ndarray
        Measured values, NaN where unmeasured, shape (n_streams × (1 + n_components),).
    sd : numpy.ndarray
        Standard deviations, same shape, NaN where unmeasured.
    n_components : int
        Number of assayed components.
    """

    incidence: Any
    values: np.ndarray
    sd: np.ndarray
    n_components: int

    @classmethod
    def from_circuit(cls, circuit: Circuit) -> BalanceProblem:
        """The problem of a circuit's measured masses (t) and assays (g/t)."""
        mass, mass_sd, assays, assays_sd = circuit.measured_arrays()
        return cls(circuit.incidence(), np.concatenate([mass, assays.T.ravel()]),
                   np.concatenate([mass_sd, assays_sd.T.ravel()]), assays.shape[1])

    @property
    def n_streams(self) -> int:
        """Number of streams."""
        return int(self.incidence.shape[1])

    @property
    def measured(self) -> np.ndarray:
        """Mask of the measured variables."""
        return ~np.isnan(self.values)

    def split(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Masses (n_streams,), t, and assays (n_streams, n_components), g/t, of ``z``."""
        n = self.n_streams
        return z[:n], z[n:].reshape(self.n_components, n).T

    def objective(self, z: np.ndarray) -> float:
        """``½ Σ ((z − y)/σ)²`` over the measured variables (dimensionless)."""
        m = self.measured
        return 0.5 * float(np.sum(((z[m] - self.values[m]) / self.sd[m]) ** 2))

    def gradient(self, z: np.ndarray) -> np.ndarray:
        """Gradient of :meth:`objective`, per unit of each variable."""
        g = np.zeros_like(z)
        m = self.measured
        g[m] = (z[m] - self.values[m]) / self.sd[m] ** 2
        return g

    def constraints(self, z: np.ndarray) -> np.ndarray:
        """Imbalances: mass rows (t) then component rows (g), shape (n_nodes × (1 + C),)."""
        return (self.incidence @ self._flows(z)).T.ravel()

    def _flows(self, z: np.ndarray) -> np.ndarray:
        """Mass (t) and component (g) flows of every stream, shape (n_streams, 1 + C)."""
        mass, assays = self.split(z)
        return np.column_stack([mass, mass[:, None] * assays])

    @cached_property
    def _jacobian_pattern(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Rows, columns, incidence coefficients and the variable each entry is multiplied by
        (index n_variables = the constant 1) of the Jacobian's entries: the mass rows are the
        incidence; a component row has ``A_kj a_jc`` under m_j and ``A_kj m_j`` under a_jc."""
        A = sparse.coo_array(self.incidence)
        n, C, n_nodes = self.n_streams, self.n_components, self.incidence.shape[0]
        k, j, a = A.row.astype(np.int64), A.col.astype(np.int64), A.data.astype(float)
        rows = [k] + [n_nodes * (1 + c) + k for c in range(C)] * 2
        cols = [j, *(j for _ in range(C)), *(n * (1 + c) + j for c in range(C))]
        factor = [np.full(len(j), n * (1 + C)), *(n * (1 + c) + j for c in range(C)),
                  *(j for _ in range(C))]
        return (np.concatenate(rows), np.concatenate(cols), np.tile(a, 1 + 2 * C),
                np.concatenate(factor))

    def jacobian(self, z: np.ndarray) -> sparse.csr_array:
        """Jacobian of :meth:`constraints`, sparse, shape (n_constraints, n_variables)."""
        rows, cols, coef, factor = self._jacobian_pattern
        n_vars = self.n_streams * (1 + self.n_components)
        return sparse.csr_array((coef * np.append(z, 1.0)[factor], (rows, cols)),
                                shape=(self.incidence.shape[0] * (1 + self.n_components),
                                       n_vars))

    def lagrangian_hessian(self, z: np.ndarray, multipliers: np.ndarray) -> sparse.csr_array:
        """``Σ λ_i ∇² c_i``: the cross terms m_j–a_jc of the component rows, ``(Aᵀ λ_c)_j``.

        Parameters
        ----------
        z : numpy.ndarray
            Point (t, g/t); the Hessian of bilinear constraints does not depend on it.
        multipliers : numpy.ndarray
            One multiplier per constraint, in the order of :meth:`constraints`.

        Returns
        -------
        scipy.sparse.csr_array
            Symmetric, shape (n_variables, n_variables).
        """
        rows, cols, cross = self._lagrangian_entries(multipliers)
        n_vars = self.n_streams * (1 + self.n_components)
        return sparse.csr_array((cross, (rows, cols)), shape=(n_vars, n_vars))

    def _lagrangian_entries(self, multipliers: np.ndarray,
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows, columns and values of :meth:`lagrangian_hessian` (both triangles)."""
        n, C = self.n_streams, self.n_components
        n_nodes = self.incidence.shape[0]
        lam = multipliers[n_nodes:].reshape(C, n_nodes)
        cross = (self.incidence.T @ lam.T).T.ravel()  # component-major, like z[n:]
        i = np.tile(np.arange(n), C)
        j = n + np.arange(n * C)
        return (np.concatenate([i, j]), np.concatenate([j, i]),
                np.concatenate([cross, cross]))

    def start(self) -> np.ndarray:
        """Starting point of the solver (also given to peers in comparisons).

        Masses: least squares of the measured masses subject to the mass balances, with the
        component balances of the nodes whose streams are all assayed as extra observations
        (measured assays as coefficients: circulating loads follow from the assays, as in the
        two-product formula). Assays: least squares of the measured assays subject to the
        component balances at those masses. Unmeasured values are pulled weakly toward the
        median measurement so that every fit has a unique solution; all kept > 0.

        Returns
        -------
        numpy.ndarray
            ``z`` (t, g/t).
        """
        A = self.incidence
        n, C = self.n_streams, self.n_components
        mass_y, assays_y = self.split(self.values)
        mass_sd, assays_sd = self.split(self.sd)
        mass = _constrained_fit(A, mass_y, mass_sd)
        rows, row_sd = [], []
        for c in range(C):
            coef = np.nan_to_num(assays_y[:, c])
            # Spread of such a balance: errors of the measured masses and of the assays.
            spread = np.nan_to_num(coef * mass_sd) ** 2 + np.nan_to_num(mass * assays_sd[:, c]) ** 2
            node_sd = np.sqrt(abs(A) @ spread)
            use = ((abs(A) @ np.isnan(assays_y[:, c]).astype(float)) == 0) & (node_sd > 0)
            rows.append(A[use] * coef)  # A diag(coef), dense or sparse alike
            row_sd.append(node_sd[use])
        if C:
            soft = np.vstack(rows) if isinstance(A, np.ndarray) else sparse.vstack(rows)
            mass = _constrained_fit(A, mass_y, mass_sd, soft, np.concatenate(row_sd))
        assays = np.empty((n, C))
        for c in range(C):
            assays[:, c] = _constrained_fit(A * mass, assays_y[:, c], assays_sd[:, c])
        return np.concatenate([mass, assays.T.ravel()])

    def relative_imbalance(self, z: np.ndarray) -> np.ndarray:
        """|in − out| / (in + out) of every balance (0 where nothing flows).

        Parameters
        ----------
        z : numpy.ndarray
            Point (t, g/t).

        Returns
        -------
        numpy.ndarray
            Dimensionless, in the order of :meth:`constraints`.
        """
        flows = self._flows(z)
        gross = (abs(self.incidence) @ np.abs(flows)).T.ravel()
        resid = np.abs((self.incidence @ flows).T.ravel())
        return np.divide(resid, gross, out=np.zeros_like(resid), where=gross > 0)


def _median_abs(values: np.ndarray) -> float:
    """Median |value| of the measured entries (NaN = unmeasured); 1 when there is none."""
    measured = np.abs(values[~np.isnan(values)])
    ref = float(np.median(measured)) if measured.size else 1.0
    return ref if ref > 0 else 1.0


def _constrained_fit(hard: Any, y: np.ndarray, sd: np.ndarray, soft: Any = None,
                     soft_sd: np.ndarray | None = None) -> np.ndarray:
    """Least squares of ``x`` to its measurements (weight 1/σ²) and to ``soft x ≈ 0`` (weight
    1/soft_sd²) subject to ``hard x = 0``; unmeasured x pulled toward the median measurement
    with a weight 10^-6 of a measurement's. Kept >= 10^-6 × that median."""
    measured = ~np.isnan(y)
    ref = _median_abs(y)
    weight = np.where(measured, 1.0 / np.where(measured, sd, 1.0) ** 2, 1e-6 / ref ** 2)
    n = len(y)
    diagonal = np.arange(n)
    h_rows, h_cols, h_vals = entries(hard)
    rows = [diagonal, n + h_rows, h_cols]
    cols = [diagonal, h_cols, n + h_rows]
    data = [weight, h_vals, h_vals]
    if soft is not None and soft_sd is not None and soft.shape[0]:
        normal = entries((soft.T * soft_sd ** -2.0) @ soft)  # softᵀ diag(1/soft_sd²) soft
        rows.append(normal[0])
        cols.append(normal[1])
        data.append(normal[2])
    size = n + hard.shape[0]
    K = assemble(np.concatenate(data), np.concatenate(rows), np.concatenate(cols), size,
                  dense=size <= DIRECT_MAX_SIZE)
    rhs = np.concatenate([weight * np.where(measured, y, ref), np.zeros(hard.shape[0])])
    x = _factor(K).solve(rhs)[:n]
    return np.maximum(x, 1e-6 * ref)


def _bilinear(problem: BalanceProblem) -> Adjustment:
    """Solve the bilinear problem by SQP (module docstring); raise _Unobservable."""
    measured = problem.measured
    n, p = len(measured), problem.incidence.shape[0] * (1 + problem.n_components)
    direct = n + p <= DIRECT_MAX_SIZE
    if direct and sparse.issparse(problem.incidence):
        # The direct path: a small problem's arithmetic costs less than sparse bookkeeping.
        problem = replace(problem, incidence=problem.incidence.toarray())
    z0 = problem.start()
    # Unit-free variables: measured ones in standard deviations, unmeasured ones relative to
    # their starting value, or to the median measurement of their kind when it is larger (a
    # start near zero would magnify round-off); constraint rows normalised at the start.
    typical = np.concatenate([np.full(problem.n_streams, _median_abs(part))
                              for part in np.split(problem.values, 1 + problem.n_components)])
    scale = np.where(measured, problem.sd, np.maximum(np.abs(z0), typical))
    rows_j, cols_j, coef, factor = problem._jacobian_pattern
    jac0 = coef * np.append(z0, 1.0)[factor] * scale[cols_j]  # entries of J(z0) diag(scale)
    unmeasured = np.flatnonzero(~measured)
    on_unmeasured = ~measured[cols_j]
    bad = undetermined(rows_j[on_unmeasured], (np.cumsum(~measured) - 1)[cols_j[on_unmeasured]],
                        jac0[on_unmeasured], p, len(unmeasured))
    if bad.size:
        raise _Unobservable(unmeasured[bad])
    row_norm = np.bincount(rows_j, np.abs(jac0), minlength=p)
    row_scale = 1.0 / np.where(row_norm > 0, row_norm, 1.0)
    target = np.where(measured, problem.values / scale, 0.0)
    weight = measured.astype(float)
    pattern_scale = row_scale[rows_j] * scale[cols_j]
    diagonal = np.arange(n)

    def merit_parts(zeta: np.ndarray) -> tuple[float, np.ndarray]:
        c = row_scale * problem.constraints(zeta * scale)
        return 0.5 * float(np.sum(weight * (zeta - target) ** 2)), c

    def kkt(zeta: np.ndarray, lam: np.ndarray | None, dense: bool,
            ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], Any]:
        """The Hessian block's entries (rows, columns, values) and the factors of the KKT
        matrix, assembled in one go, dense or sparse."""
        jac = coef * np.append(zeta * scale, 1.0)[factor] * pattern_scale
        hessian = (diagonal, diagonal, weight)
        if lam is not None:
            h_rows, h_cols, cross = problem._lagrangian_entries(row_scale * lam)
            hessian = (np.concatenate([diagonal, h_rows]), np.concatenate([diagonal, h_cols]),
                       np.concatenate([weight, cross * scale[h_rows] * scale[h_cols]]))
        K = assemble(np.concatenate([hessian[2], jac, jac]),
                      np.concatenate([hessian[0], n + rows_j, cols_j]),
                      np.concatenate([hessian[1], cols_j, n + rows_j]), n + p, dense)
        try:
            return hessian, lu_factors(K)
        except RuntimeError as exc:
            raise NotConverged(gettext("reconciliation failed: singular KKT system (has a "
                                       "stream's mass gone to zero?)")) from exc

    zeta = z0 / scale
    lam: np.ndarray | None = None
    penalty, step_size, imbalance = 0.0, np.inf, np.inf
    iteration = 0
    while True:
        iteration += 1
        if iteration > MAX_ITERATIONS:
            raise NotConverged(gettext(
                "reconciliation did not converge in %(n)s iterations (last step %(step)s sd, "
                "imbalance %(imbalance)s)", n=MAX_ITERATIONS, step=format(step_size, ".2e"),
                imbalance=format(imbalance, ".2e")))
        f, c = merit_parts(zeta)
        grad = weight * (zeta - target)
        # The exact Hessian once within about a standard deviation of the solution (quadratic
        # convergence); Gauss–Newton before, or when the exact one is not a descent direction.
        newton = lam is not None and step_size < 1.0
        step = None
        for use_newton in ((True, False) if newton else (False,)):
            (h_rows, h_cols, h_vals), lu = kkt(zeta, lam if use_newton else None, direct)
            sol = lu.solve(np.concatenate([-grad, -c]))
            d, new_lam = sol[:n], sol[n:]
            if use_newton and float(np.sum(h_vals * d[h_rows] * d[h_cols])) <= 1e-12 * float(d @ d):
                continue
            penalty = max(penalty, 1.1 * float(np.abs(new_lam).max(initial=0.0)) + 1e-12)
            slope = float(grad @ d) - penalty * float(np.abs(c).sum())
            if use_newton and slope >= 0:
                continue
            step = (d, new_lam, slope)
            break
        if step is None:
            raise NotConverged(gettext("reconciliation failed: no descent direction (is a "
                                       "stream's mass or assay going to zero?)"))
        d, lam, slope = step
        alpha = 1.0
        if np.abs(d).max() > 0.1:  # far from the solution: ℓ1-merit line search
            phi = f + penalty * float(np.abs(c).sum())
            while alpha > 1e-10:
                f1, c1 = merit_parts(zeta + alpha * d)
                if f1 + penalty * float(np.abs(c1).sum()) <= phi + 1e-4 * alpha * slope:
                    break
                alpha *= 0.5
        zeta = zeta + alpha * d
        # Steps in standard deviations (measured), relative beyond unity (unmeasured).
        step_size = alpha * float(np.max(np.abs(d) / np.where(measured, 1.0,
                                                              np.maximum(1.0, np.abs(zeta)))))
        imbalance = float(problem.relative_imbalance(zeta * scale).max(initial=0.0))
        if step_size <= STEP_TOLERANCE and imbalance <= BALANCE_TOLERANCE:
            break
        if step_size <= 1e3 * np.finfo(float).eps and imbalance <= 1e-9:
            break  # round-off floor: no further progress possible
    z = zeta * scale
    # Covariance of the linearised estimator at the solution: top-left block of K⁻¹ with the
    # Gauss–Newton Hessian (its diagonal: e_iᵀ K⁻¹ e_i for the first n unit vectors).
    # Sparse factors on either path (:func:`quadratic_diagonal`).
    _, lu = kkt(zeta, None, dense=False)
    unit = sparse.csc_array((np.ones(n), (diagonal, diagonal)), shape=(n + p, n))
    var = np.clip(quadratic_diagonal(lu, unit), 0.0, None) * scale ** 2
    values = problem.values
    adjustment_sd = np.where(measured, np.sqrt(np.clip(problem.sd ** 2 - var, 0.0, None)),
                             np.nan)
    return Adjustment(z, np.sqrt(var), values.copy(), problem.sd.copy(), adjustment_sd,
                      2.0 * problem.objective(z), int(p - np.count_nonzero(~measured)),
                      iteration, "sqp")


def observability(circuit: Circuit) -> pd.DataFrame:
    """Which values of a circuit are measured, determinable from the balances, or not.

    Parameters
    ----------
    circuit : Circuit
        Nodes, streams and which masses (t) and assays (g/t) are measured.

    Returns
    -------
    pandas.DataFrame
        One row per variable (masses, then each component's assays): ``stream``, ``field``
        (``"mass"`` or the component) and ``status``: ``"measured"``, ``"observable"``
        (unmeasured, determined by the balances) or ``"unobservable"``. For assays the
        balances are linearised at the solver's starting point. Which measured values are
        redundant is in :meth:`Reconciliation.measurements_frame`.
    """
    problem = BalanceProblem.from_circuit(circuit)
    measured = problem.measured
    unmeasured = np.flatnonzero(~measured)
    jac = problem.jacobian(problem.start())
    status = np.where(measured, "measured", "observable").astype(object)
    status[unmeasured[unobservable_columns(sparse.csc_array(jac[:, unmeasured]))]] = \
        "unobservable"
    fields = ["mass", *circuit.components]
    return pd.DataFrame({"stream": [s for _ in fields for s in circuit.stream_names],
                         "field": [f for f in fields for _ in circuit.stream_names],
                         "status": status})


# ---------------------------------------------------------------------------------------------
# Gross errors


@dataclass(frozen=True)
class GrossError:
    """A measurement declared a gross error by serial elimination.

    Parameters
    ----------
    stream : str
        Stream name.
    field : str
        ``"mass"`` or the component name.
    value : float
        The measured value, t or g/t.
    sd : float
        Its standard deviation, t or g/t.
    statistic : float
        Its measurement-test statistic when it was removed (standard normal without error).
    estimate : float
        Its estimate once removed (from the other measurements), t or g/t.
    chi2_before, chi2_after : float
        Global test statistic before and after the removal.
    """

    stream: str
    field: str
    value: float
    sd: float
    statistic: float
    estimate: float
    chi2_before: float
    chi2_after: float


def serial_elimination(solve: Callable[[np.ndarray], Adjustment], measured: np.ndarray,
                       alpha: float = ALPHA, max_eliminations: int | None = None,
                       ) -> tuple[Adjustment, list[tuple[int, float, float]]]:
    """Remove suspect measurements one at a time while the global test rejects.

    Parameters
    ----------
    solve : callable
        Reconciles with the measurements of a mask (True = measured) and returns the
        :class:`Adjustment`; raises ``_Unobservable`` or :class:`NotConverged` when the mask
        leaves the system undetermined (such a measurement is not removed).
    measured : numpy.ndarray
        Initial mask of the measured variables.
    alpha : float
        Significance level of the global test (dimensionless, 0 < alpha < 1).
    max_eliminations : int or None
        At most this many removals (default: until the test passes or nothing can be removed).

    Returns
    -------
    adjustment : Adjustment
        The reconciliation without the removed measurements.
    removed : list of (int, float, float)
        Per removal: variable index, its measurement-test statistic, χ² before removal.
    """
    mask = measured.copy()
    current = solve(mask)
    removed: list[tuple[int, float, float]] = []
    limit = int(mask.sum()) if max_eliminations is None else max_eliminations
    while (len(removed) < limit and current.dof > 0
           and current.chi2 > stats.chi2.isf(alpha, current.dof)):
        mt = current.measurement_test
        candidates = np.flatnonzero(~np.isnan(mt))
        order = candidates[np.argsort(-mt[candidates], kind="stable")]
        trials: list[tuple[int, np.ndarray, Adjustment]] = []
        for idx in order:
            if trials and not _tied(mt[idx], mt[trials[0][0]]):
                break
            trial = mask.copy()
            trial[idx] = False
            try:
                trials.append((int(idx), trial, solve(trial)))
            except (_Unobservable, NotConverged):
                continue  # not removable: the others would not determine it
        if not trials:
            break
        idx, mask_after, result = min(trials,
                                      key=lambda t: _implied_error(current, t[2], t[0]))
        removed.append((idx, float(mt[idx]), current.chi2))
        mask, current = mask_after, result
    return current, removed


def _tied(a: float, b: float) -> bool:
    """Equal measurement-test statistics up to round-off: an equivalent set (Narasimhan &
    Jordache 2000, § 7.4), which the statistics alone cannot tell apart."""
    return bool(abs(a - b) <= 1e-7 * max(abs(a), abs(b)))


def _implied_error(before: Adjustment, after: Adjustment, idx: int) -> float:
    """The gross error a removal implies, in standard deviations of that measurement.

    Within an equivalent set every removal leaves the same χ²; the one that asks for the
    smallest correction of its measurement is declared (the others would each need a larger
    error to explain the same imbalance). Without this rule round-off decided, and a change
    of BLAS or SuperLU ordering flipped the suspect.
    """
    return float(abs(before.values[idx] - after.estimate[idx]) / before.value_sd[idx])


# ---------------------------------------------------------------------------------------------
# Circuits


@dataclass(frozen=True)
class Reconciliation:
    """A reconciled circuit.

    Parameters
    ----------
    streams : tuple of str
        Stream names.
    components : tuple of str
        Component names.
    mass, mass_sd : numpy.ndarray
        Reconciled mass of each stream and its standard deviation, t.
    assays, assays_sd : numpy.ndarray
        Reconciled assays and standard deviations, g/t, shape (n_streams, n_components).
    gross_errors : tuple of GrossError
        Measurements removed by serial elimination, in the order of removal.
    adjustment : Adjustment
        The final adjustment (gross errors removed, so unmeasured there) of every variable.
    variables : tuple of (str, str)
        (stream, field) of each variable of ``adjustment``: ``"mass"`` then the components,
        stream by stream within a field (no masses when they were held fixed).
    measured_values, measured_sd : numpy.ndarray
        Every measurement as given (gross errors included), NaN where unmeasured, t or g/t.
    max_relative_imbalance : float
        Largest |in − out| / (in + out) over every balance at the reconciled values.
    """

    streams: tuple[str, ...]
    components: tuple[str, ...]
    mass: np.ndarray
    mass_sd: np.ndarray
    assays: np.ndarray
    assays_sd: np.ndarray
    gross_errors: tuple[GrossError, ...]
    adjustment: Adjustment
    variables: tuple[tuple[str, str], ...]
    measured_values: np.ndarray
    measured_sd: np.ndarray
    max_relative_imbalance: float

    @property
    def chi2(self) -> float:
        """Global test statistic of the final reconciliation."""
        return self.adjustment.chi2

    @property
    def dof(self) -> int:
        """Degrees of freedom of the global test."""
        return self.adjustment.dof

    @property
    def p_value(self) -> float:
        """p-value of the global test."""
        return self.adjustment.p_value

    @property
    def metal(self) -> np.ndarray:
        """Metal carried by each stream, g (t × g/t), shape (n_streams, n_components)."""
        return self.mass[:, None] * self.assays

    def measurements_frame(self) -> pd.DataFrame:
        """Every variable with its measurement, estimate and tests.

        Returns
        -------
        pandas.DataFrame
            Columns ``stream``, ``field``, ``measured``, ``measured_sd``, ``estimate``,
            ``estimate_sd``, ``adjustment``, ``adjustment_sd``, ``redundant``,
            ``measurement_test`` (of the final reconciliation: NaN for removed gross errors),
            ``gross_error`` (units: t for ``mass``, g/t for assays).
        """
        adj = self.adjustment
        suspects = {(g.stream, g.field) for g in self.gross_errors}
        return pd.DataFrame({
            "stream": [s for s, _ in self.variables], "field": [f for _, f in self.variables],
            "measured": self.measured_values, "measured_sd": self.measured_sd,
            "estimate": adj.estimate, "estimate_sd": adj.sd,
            "adjustment": adj.estimate - self.measured_values,
            "adjustment_sd": adj.adjustment_sd, "redundant": adj.redundant,
            "measurement_test": adj.measurement_test,
            "gross_error": [v in suspects for v in self.variables]})

    def as_dict(self) -> dict[str, Any]:
        """The result as the JSON document of ``aurum processing reconcile``.

        Returns
        -------
        dict
            ``streams`` (per stream ``mass``, ``mass_sd`` in t, ``assays`` and ``assays_sd``
            in g/t), ``chi2``, ``dof``, ``p_value``, ``gross_errors`` (stream names),
            ``suspects`` (stream, field, statistic and values of each gross error),
            ``max_relative_imbalance``, ``iterations``, ``method``.
        """
        streams = {}
        for j, name in enumerate(self.streams):
            streams[name] = {
                "mass": float(self.mass[j]), "mass_sd": float(self.mass_sd[j]),
                "assays": {c: float(self.assays[j, k]) for k, c in enumerate(self.components)},
                "assays_sd": {c: float(self.assays_sd[j, k])
                              for k, c in enumerate(self.components)}}
        return {"streams": streams, "chi2": self.chi2, "dof": self.dof,
                "p_value": self.p_value,
                "gross_errors": list(dict.fromkeys(g.stream for g in self.gross_errors)),
                "suspects": [{"stream": g.stream, "field": g.field, "measured": g.value,
                              "sd": g.sd, "estimate": g.estimate,
                              "statistic": g.statistic, "chi2_before": g.chi2_before,
                              "chi2_after": g.chi2_after} for g in self.gross_errors],
                "max_relative_imbalance": self.max_relative_imbalance,
                "iterations": self.adjustment.iterations, "method": self.adjustment.method}


def reconcile(circuit: Circuit, *, fixed_mass: np.ndarray | None = None,
              alpha: float = ALPHA, detect_gross_errors: bool = True,
              max_eliminations: int | None = None) -> Reconciliation:
    """Reconcile a circuit's masses and assays so that every balance closes.

    With no assay in the circuit, or with ``fixed_mass`` given, the problem is linear and
    solved in closed form by Crowe's projection; otherwise masses and assays are adjusted
    together by SQP (module docstring).

    Parameters
    ----------
    circuit : Circuit
        Nodes, streams and measurements (masses in t, assays in g/t).
    fixed_mass : numpy.ndarray, optional
        Mass of every stream, t, held fixed: only the assays are reconciled (one linear
        problem per component; the reported mass sd is 0).
    alpha : float
        Significance level of the global test, dimensionless (default 0.05).
    detect_gross_errors : bool
        Run serial elimination (default True); otherwise one reconciliation of every
        measurement.
    max_eliminations : int or None
        At most this many gross errors removed (default: no limit).

    Returns
    -------
    Reconciliation

    Raises
    ------
    ValidationError
        When unmeasured values are not determinable (naming them, e.g. ``s4.mass``,
        ``s4.Au``), or ``fixed_mass`` has the wrong shape or negative values.
    """
    if not 0 < alpha < 1:
        raise ValidationError(gettext("alpha = %(alpha)r: expected a number between 0 and 1",
                                      alpha=alpha))
    names = circuit.stream_names
    comps = circuit.components
    n, n_comp = len(names), len(comps)
    problem = BalanceProblem.from_circuit(circuit)
    A = problem.incidence
    solve: Callable[[np.ndarray], Adjustment]
    if fixed_mass is not None:
        fixed = np.asarray(fixed_mass, dtype=float)
        if fixed.shape != (n,) or not (np.isfinite(fixed) & (fixed >= 0)).all():
            raise ValidationError(gettext("fixed_mass: expected %(n)s finite masses >= 0 (t), "
                                          "one per stream", n=n))
        # One block A diag(m) per component: a balance matrix in the assays.
        constraints = sparse.csr_array(sparse.block_diag(
            [A @ sparse.diags_array(fixed)] * n_comp, format="csr"))
        values, sd = problem.values[n:], problem.sd[n:]
        fields = list(comps)

        def solve(mask: np.ndarray) -> Adjustment:
            return _linear(constraints, np.where(mask, values, np.nan), sd)
    elif not comps:
        values, sd = problem.values, problem.sd
        fields = ["mass"]

        def solve(mask: np.ndarray) -> Adjustment:
            return _linear(A, np.where(mask, values, np.nan), sd)
    else:
        values, sd = problem.values, problem.sd
        fields = ["mass", *comps]

        def solve(mask: np.ndarray) -> Adjustment:
            return _bilinear(BalanceProblem(A, np.where(mask, values, np.nan),
                                            np.where(mask, sd, np.nan), n_comp))
    variables = tuple((s, f) for f in fields for s in names)
    measured = ~np.isnan(values)
    try:
        if detect_gross_errors:
            adjustment, removed = serial_elimination(solve, measured, alpha, max_eliminations)
        else:
            adjustment, removed = solve(measured), []
    except _Unobservable as exc:
        raise ValidationError(_unobservable_problem(
            [".".join(variables[i]) for i in exc.columns], circuit.source)) from None
    if fixed_mass is not None:
        mass, mass_sd = np.asarray(fixed_mass, dtype=float), np.zeros(n)
        assays_flat, assays_sd_flat = adjustment.estimate, adjustment.sd
    else:
        mass, mass_sd = adjustment.estimate[:n], adjustment.sd[:n]
        assays_flat, assays_sd_flat = adjustment.estimate[n:], adjustment.sd[n:]
    z = np.concatenate([mass, assays_flat])
    imbalance = problem.relative_imbalance(z).max(initial=0.0)
    chi2_after = [chi2 for _, _, chi2 in removed[1:]] + [adjustment.chi2] if removed else []
    gross = tuple(
        GrossError(*variables[idx], float(values[idx]), float(sd[idx]), statistic,
                   float(adjustment.estimate[idx]), before, after)
        for (idx, statistic, before), after in zip(removed, chi2_after, strict=True))
    return Reconciliation(names, comps, mass, mass_sd, assays_flat.reshape(n_comp, n).T,
                          assays_sd_flat.reshape(n_comp, n).T, gross, adjustment, variables,
                          values.copy(), sd.copy(), float(imbalance))
