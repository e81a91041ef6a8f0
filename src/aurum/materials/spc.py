"""Batch consistency: Shewhart control charts and process capability (Cp, Cpk, Pp, Ppk).

**Control charts** of one property over a product's batches, each batch a *subgroup* of
``n`` measured values (the same ``n`` for every batch):

- ``n = 1``: individuals and moving range (I-MR). σ̂ = MR̄ / d2(2); the individuals' limits
  are x̄ ± 3σ̂, the moving range's ``[D3(2)·MR̄, D4(2)·MR̄]`` = ``[0, 3.267·MR̄]``.
- ``2 ≤ n ≤ 10``: X̄-R. σ̂ = R̄ / d2(n); X̄ limits x̿ ± A2·R̄, R limits ``[D3·R̄, D4·R̄]``.
- ``n > 10``: X̄-S. σ̂ = S̄ / c4(n); X̄ limits x̿ ± A3·S̄, S limits ``[B3·S̄, B4·S̄]``.

A point beyond its 3-sigma limits is flagged (the first Western Electric rule).

**The constants** are computed, not copied: d2(n) = E[R]/σ and d3(n) = sd(R)/σ of the range
of ``n`` normal values (the range's distribution integrated numerically), c4(n) =
√(2/(n−1)) Γ(n/2)/Γ((n−1)/2); then A2 = 3/(d2√n), A3 = 3/(c4√n), D3 = max(0, 1 − 3d3/d2),
D4 = 1 + 3d3/d2, B3 = max(0, 1 − 3√(1−c4²)/c4), B4 = 1 + 3√(1−c4²)/c4 (Montgomery,
*Introduction to Statistical Quality Control*, appendix table VI; the tests compare them with
the published table).

**Capability** against a specification's limits L and U: Cp = (U − L)/6σ̂ and
Cpk = min(U − μ, μ − L)/3σ̂ with the within-subgroup σ̂ of the chart; Pp and Ppk the same
with the overall sample standard deviation s (all values, n − 1). A one-sided specification
has no Cp (Pp) and its Cpk (Ppk) is the one side's. With fewer than :data:`MIN_SUBGROUPS`
batches, or no spread at all, the indices are None (undefined), never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import integrate, special

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

MAX_SUBGROUP = 25
"""Largest subgroup (values per batch) the constants are given for."""
MAX_R_SUBGROUP = 10
"""Largest subgroup charted by its range; larger ones by their standard deviation."""
MIN_SUBGROUPS = 2
"""Fewest batches for a chart and capability indices (one moving range)."""
K_SIGMA = 3.0
"""Width of the control limits, in standard errors."""
_STEP = 0.05
"""Grid step of the range's density, standard deviations."""


def _check_n(n: int) -> None:
    if not isinstance(n, int) or not 2 <= n <= MAX_SUBGROUP:
        raise ValidationError(Problem(_("expected a subgroup size from 2 to %(max)s, got "
                                        "%(n)s", max=MAX_SUBGROUP, n=repr(n))))


@lru_cache(maxsize=MAX_SUBGROUP)
def d2(n: int) -> float:
    """Mean of the range of ``n`` independent standard normal values, E[R]/σ.

    ``d2(n) = ∫ [1 − Φ(x)^n − (1 − Φ(x))^n] dx`` over the real line.
    """
    _check_n(n)

    def integrand(x: float) -> float:
        p = float(special.ndtr(x))
        return 1.0 - p**n - (1.0 - p) ** n

    value, _err = integrate.quad(integrand, -12.0, 12.0, limit=200, epsabs=1e-12)
    return float(value)


@lru_cache(maxsize=MAX_SUBGROUP)
def d3(n: int) -> float:
    """Standard deviation of the range of ``n`` independent standard normal values, sd(R)/σ.

    The range's density is ``f(r) = n(n−1) ∫ φ(x) φ(x+r) [Φ(x+r) − Φ(x)]^(n−2) dx``;
    E[R²] = ∫ r² f(r) dr is integrated on a grid (trapezoidal, whose error vanishes fast for
    an integrand that is smooth and zero with its slope at r = 0), then
    ``d3 = √(E[R²] − d2²)``.
    """
    _check_n(n)
    # A step of 0.05 σ already gives d3 to 5 decimals (the tests compare with the table).
    x = np.arange(-8.0, 8.0 + _STEP / 2, _STEP)
    r = np.arange(0.0, 12.0 + _STEP / 2, _STEP)
    xx, rr = np.meshgrid(x, r, indexing="ij")
    inner = (np.exp(-0.5 * (xx**2 + (xx + rr) ** 2)) / (2.0 * np.pi)
             * (special.ndtr(xx + rr) - special.ndtr(xx)) ** (n - 2))
    density = n * (n - 1) * np.trapezoid(inner, x, axis=0)
    second = float(np.trapezoid(r**2 * density, r))
    return float(np.sqrt(second - d2(n) ** 2))


@lru_cache(maxsize=MAX_SUBGROUP)
def c4(n: int) -> float:
    """Mean of the sample standard deviation (n − 1) of ``n`` normal values, E[s]/σ."""
    _check_n(n)
    return float(np.sqrt(2.0 / (n - 1))
                 * np.exp(special.gammaln(n / 2.0) - special.gammaln((n - 1) / 2.0)))


@dataclass(frozen=True)
class Constants:
    """The control-chart constants of subgroups of size ``n`` (3-sigma limits)."""

    n: int
    d2: float
    d3: float
    c4: float
    A2: float
    A3: float
    D3: float
    D4: float
    B3: float
    B4: float


def constants(n: int) -> Constants:
    """The control-chart constants of subgroup size ``n`` (2 to :data:`MAX_SUBGROUP`)."""
    dd2, dd3, cc4 = d2(n), d3(n), c4(n)
    s_ratio = K_SIGMA * np.sqrt(1.0 - cc4**2) / cc4
    return Constants(n, dd2, dd3, cc4, A2=K_SIGMA / (dd2 * np.sqrt(n)),
                     A3=K_SIGMA / (cc4 * np.sqrt(n)), D3=max(0.0, 1.0 - K_SIGMA * dd3 / dd2),
                     D4=1.0 + K_SIGMA * dd3 / dd2, B3=float(max(0.0, 1.0 - s_ratio)),
                     B4=float(1.0 + s_ratio))


@dataclass(frozen=True)
class Limits:
    """A chart's centre line and control limits, in the property's unit."""

    center: float
    lower: float
    upper: float


def xbar_r_limits(grand_mean: float, mean_range: float, n: int) -> tuple[Limits, Limits]:
    """Limits of the X̄ and R charts from the grand mean x̿ and the mean range R̄ of
    subgroups of size ``n`` (units of the property)."""
    c = constants(n)
    return (Limits(grand_mean, grand_mean - c.A2 * mean_range, grand_mean + c.A2 * mean_range),
            Limits(mean_range, c.D3 * mean_range, c.D4 * mean_range))


def xbar_s_limits(grand_mean: float, mean_sd: float, n: int) -> tuple[Limits, Limits]:
    """Limits of the X̄ and S charts from the grand mean and the mean standard deviation S̄
    of subgroups of size ``n``."""
    c = constants(n)
    return (Limits(grand_mean, grand_mean - c.A3 * mean_sd, grand_mean + c.A3 * mean_sd),
            Limits(mean_sd, c.B3 * mean_sd, c.B4 * mean_sd))


def individuals_limits(mean: float, mean_moving_range: float) -> tuple[Limits, Limits]:
    """Limits of the individuals and moving-range charts from the mean and MR̄ (moving
    ranges of two consecutive values)."""
    c = constants(2)
    sigma = mean_moving_range / c.d2
    return (Limits(mean, mean - K_SIGMA * sigma, mean + K_SIGMA * sigma),
            Limits(mean_moving_range, c.D3 * mean_moving_range, c.D4 * mean_moving_range))


@dataclass(frozen=True)
class ControlChart:
    """A property's control chart over the batches.

    ``kind`` is ``i_mr``, ``xbar_r`` or ``xbar_s``; ``location`` the plotted individuals or
    subgroup means (one per batch), ``spread`` the moving ranges (one fewer, the first batch
    has none), ranges or standard deviations; ``sigma_within`` the within-subgroup σ̂;
    ``beyond`` the indices of the batches whose location or spread lies beyond its limits.
    """

    kind: str
    subgroup_size: int
    location: np.ndarray
    spread: np.ndarray
    location_limits: Limits
    spread_limits: Limits
    sigma_within: float
    beyond: tuple[int, ...]


def _as_subgroups(subgroups: Sequence[Sequence[float]], name: str) -> np.ndarray:
    sizes = {len(g) for g in subgroups}
    if len(sizes) != 1:
        raise ValidationError(Problem(
            _("every batch must give the same number of values of %(name)s, got %(sizes)s",
              name=name, sizes=", ".join(map(str, sorted(sizes))))))
    n = sizes.pop()
    if not 1 <= n <= MAX_SUBGROUP:
        raise ValidationError(Problem(_("expected 1 to %(max)s values of %(name)s per batch",
                                        max=MAX_SUBGROUP, name=name)))
    data = np.asarray(subgroups, dtype=float)
    if not np.isfinite(data).all():
        raise ValidationError(Problem(_("%(name)s: every value must be a finite number",
                                        name=name)))
    return data


def control_chart(subgroups: Sequence[Sequence[float]], name: str = "value") -> ControlChart:
    """The control chart of a property from its batches' values.

    Parameters
    ----------
    subgroups : sequence of sequences of float
        Per batch, in production order, its measured values (the same number for each, 1 to
        :data:`MAX_SUBGROUP`), in the property's unit; at least :data:`MIN_SUBGROUPS`.
    name : str
        The property, for the messages.

    Returns
    -------
    ControlChart
        I-MR for one value per batch, X̄-R up to :data:`MAX_R_SUBGROUP`, X̄-S above.
    """
    data = _as_subgroups(subgroups, name)
    m, n = data.shape
    if m < MIN_SUBGROUPS:
        raise ValidationError(Problem(_("%(name)s: a control chart needs at least %(min)s "
                                        "batches, got %(m)s", name=name, min=MIN_SUBGROUPS,
                                        m=m)))
    if n == 1:
        location = data[:, 0]
        spread = np.abs(np.diff(location))
        loc, spr = individuals_limits(float(location.mean()), float(spread.mean()))
        kind, sigma = "i_mr", float(spread.mean()) / d2(2)
        spread_at = np.arange(1, m)
    elif n <= MAX_R_SUBGROUP:
        location, spread = data.mean(axis=1), np.ptp(data, axis=1)
        loc, spr = xbar_r_limits(float(location.mean()), float(spread.mean()), n)
        kind, sigma = "xbar_r", float(spread.mean()) / d2(n)
        spread_at = np.arange(m)
    else:
        location, spread = data.mean(axis=1), data.std(axis=1, ddof=1)
        loc, spr = xbar_s_limits(float(location.mean()), float(spread.mean()), n)
        kind, sigma = "xbar_s", float(spread.mean()) / c4(n)
        spread_at = np.arange(m)
    out = set(np.flatnonzero((location < loc.lower) | (location > loc.upper)).tolist())
    out |= set(spread_at[(spread < spr.lower) | (spread > spr.upper)].tolist())
    return ControlChart(kind, n, location, spread, loc, spr, sigma, tuple(sorted(out)))


def capability_indices(mean: float, sigma: float, lower: float | None, upper: float | None
                       ) -> tuple[float | None, float | None]:
    """Cp and Cpk (or Pp and Ppk, given the overall σ) of a process.

    Parameters
    ----------
    mean : float
        The process mean μ, in the property's unit.
    sigma : float
        The process standard deviation σ̂, same unit; 0 leaves the indices undefined.
    lower, upper : float or None
        The specification's limits; None for an open side.

    Returns
    -------
    tuple
        ``(Cp, Cpk)``: Cp = (U − L)/6σ (None unless both limits), Cpk = min(U − μ, μ − L)/3σ
        over the limits given (None without a limit or without spread).
    """
    if not sigma > 0 or (lower is None and upper is None):
        return None, None
    cp = (upper - lower) / (6.0 * sigma) if lower is not None and upper is not None else None
    sides = [(upper - mean) / (3.0 * sigma)] if upper is not None else []
    if lower is not None:
        sides.append((mean - lower) / (3.0 * sigma))
    return cp, min(sides)


@dataclass(frozen=True)
class Capability:
    """A property's capability over the batches: the chart, the number of batches and of
    values, the mean and the within and overall σ (property's unit), and the indices (None
    where undefined)."""

    chart: ControlChart
    n_batches: int
    n_values: int
    mean: float
    sigma_within: float
    sigma_overall: float
    cp: float | None
    cpk: float | None
    pp: float | None
    ppk: float | None


def process_capability(subgroups: Sequence[Sequence[float]], lower: float | None,
                       upper: float | None, name: str = "value") -> Capability:
    """Control chart and Cp, Cpk, Pp, Ppk of a property from its batches' values.

    Parameters
    ----------
    subgroups : sequence of sequences of float
        As :func:`control_chart` takes them, in the property's unit.
    lower, upper : float or None
        The specification's limits (same unit); None for an open side.
    name : str
        The property, for the messages.
    """
    chart = control_chart(subgroups, name)
    values = np.asarray(subgroups, dtype=float).ravel()
    mean = float(values.mean())
    overall = float(values.std(ddof=1))
    cp, cpk = capability_indices(mean, chart.sigma_within, lower, upper)
    pp, ppk = capability_indices(mean, overall, lower, upper)
    return Capability(chart, len(subgroups), int(values.size), mean, chart.sigma_within,
                      overall, cp, cpk, pp, ppk)
