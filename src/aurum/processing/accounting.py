"""Period metal accounts of a plant, after the principles of the AMIRA P754 Code of Practice.

P754 asks for an account built on *measurements*: gold checked in (the plant feed, measured by
mass and sampled grade), gold checked out (the products and the tailings, measured the same
way) and the inventories at both ends of the period (stockpiles, and the gold in the circuit:
in solution and on carbon in the CIL tanks, in the elution and gold-room stages), every figure
with its precision. From them:

* ``unaccounted = check-in − check-out − (closing − opening inventory)``, g (positive: gold
  missing), with a confidence interval from the precisions; an unaccounted amount outside its
  interval points to a measurement or a loss to be investigated;
* the *actual recovery*: ``(gold in products + change of in-circuit inventory) / check-in``.

The errors of the terms are taken as independent, so their variances add (first-order
propagation; ``var(m × g) = g² var(m) + m² var(g) + var(m) var(g)`` exactly for a mass × grade
product of independent factors). P754 quotes precisions at 95 % confidence;
:func:`sd_from_precision` turns one into a standard deviation.

Units: masses in t, grades in g/t (solutions in mg/L ≡ g/t at 1 t/m³), gold in g, volumes in
m³, carbon concentrations in g/L of pulp.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from aurum.core.errors import Problem, ValidationError, shown_cell
from aurum.core.i18n import _

CONFIDENCE = 0.95
"""Default confidence level of intervals (P754 quotes precisions at 95 %)."""


@dataclass(frozen=True)
class GoldQuantity:
    """An amount of gold with its standard deviation.

    Parameters
    ----------
    name : str
        What it is (``"mill feed"``, ``"CIL tank 3 carbon"``, ...).
    gold_g : float
        Gold, g.
    sd_g : float
        Standard deviation, g (>= 0).
    """

    name: str
    gold_g: float
    sd_g: float = 0.0


def sd_from_precision(value: float | np.ndarray, precision_pct: float | np.ndarray,
                      confidence: float = CONFIDENCE) -> float | np.ndarray:
    """Standard deviation of a value quoted with a relative precision at a confidence level.

    Parameters
    ----------
    value : float or numpy.ndarray
        The value, any unit (t, g/t, g).
    precision_pct : float or numpy.ndarray
        Half-width of the two-sided interval, % of the value (P754: at 95 % confidence).
    confidence : float
        Confidence level of the precision, dimensionless (default 0.95).

    Returns
    -------
    float or numpy.ndarray
        Standard deviation, unit of ``value``.
    """
    z = stats.norm.ppf(0.5 + confidence / 2)
    return np.abs(value) * np.asarray(precision_pct) / 100.0 / z


def contained_gold(name: str, mass_t: float, grade_gpt: float, mass_sd_t: float = 0.0,
                   grade_sd_gpt: float = 0.0) -> GoldQuantity:
    """Gold in a measured mass of material of a measured grade.

    Parameters
    ----------
    name : str
        Label.
    mass_t : float
        Mass, t (dry solids, or t of solution at 1 t/m³).
    grade_gpt : float
        Grade, g/t (or mg/L of solution).
    mass_sd_t : float
        Standard deviation of the mass, t.
    grade_sd_gpt : float
        Standard deviation of the grade, g/t.

    Returns
    -------
    GoldQuantity
        ``mass × grade`` g, with the exact variance of a product of independent factors.
    """
    _non_negative(name, mass_t=mass_t, grade_gpt=grade_gpt, mass_sd_t=mass_sd_t,
                  grade_sd_gpt=grade_sd_gpt)
    var = (grade_gpt * mass_sd_t) ** 2 + (mass_t * grade_sd_gpt) ** 2 \
        + (mass_sd_t * grade_sd_gpt) ** 2
    return GoldQuantity(name, mass_t * grade_gpt, float(np.sqrt(var)))


def _non_negative(name: str, **values: float) -> None:
    problems = [Problem(_("%(name)s: %(key)s = %(value)s: expected a finite number >= 0",
                          name=name, key=key, value=v), column=key)
                for key, v in values.items() if not (np.isfinite(v) and v >= 0)]
    if problems:
        raise ValidationError(problems)


def cil_inventory(volume_m3: np.ndarray, pulp_density_t_m3: np.ndarray,
                  solids_fraction: np.ndarray, solution_au_mg_l: np.ndarray,
                  solids_au_gpt: np.ndarray, carbon_g_l: np.ndarray,
                  carbon_au_gpt: np.ndarray) -> pd.DataFrame:
    """Gold held in a series of CIL/CIP tanks: in solution, on carbon, in the solids.

    Parameters
    ----------
    volume_m3 : numpy.ndarray
        Live pulp volume of each tank, m³.
    pulp_density_t_m3 : numpy.ndarray
        Pulp density, t/m³.
    solids_fraction : numpy.ndarray
        Solids, mass fraction of the pulp (0–1).
    solution_au_mg_l : numpy.ndarray
        Gold in solution, mg/L (= g/m³; the solution taken at 1 t/m³).
    solids_au_gpt : numpy.ndarray
        Gold in the solids (undissolved), g/t.
    carbon_g_l : numpy.ndarray
        Carbon concentration, g of carbon per L of pulp.
    carbon_au_gpt : numpy.ndarray
        Gold loading of the carbon, g/t.

    Returns
    -------
    pandas.DataFrame
        One row per tank: ``solids_t``, ``solution_m3``, ``carbon_t``, ``solution_g``,
        ``carbon_g``, ``solids_g``, ``total_g``.
    """
    arrays = [np.asarray(a, dtype=float) for a in (volume_m3, pulp_density_t_m3,
                                                    solids_fraction, solution_au_mg_l,
                                                    solids_au_gpt, carbon_g_l, carbon_au_gpt)]
    v, rho, x, c, g, cc, q = np.broadcast_arrays(*arrays)
    names = ("volume_m3", "pulp_density_t_m3", "solids_fraction", "solution_au_mg_l",
             "solids_au_gpt", "carbon_g_l", "carbon_au_gpt")
    problems = [Problem(_("tank %(tank)s: %(key)s = %(value)s: expected a finite number >= 0",
                          tank=int(i) + 1, key=n, value=format(a[i], "g")),
                        row=int(i) + 1, column=n)
                for n, a in zip(names, (v, rho, x, c, g, cc, q), strict=True)
                for i in np.flatnonzero(~(np.isfinite(a) & (a >= 0)))]
    problems += [Problem(_("tank %(tank)s: solids_fraction = %(value)s: expected at most 1",
                           tank=int(i) + 1, value=format(x[i], "g")),
                         row=int(i) + 1, column="solids_fraction")
                 for i in np.flatnonzero(x > 1)]
    if problems:
        raise ValidationError(problems)
    pulp_t = v * rho
    solids_t = pulp_t * x
    solution_m3 = pulp_t * (1.0 - x)
    carbon_t = cc * v / 1000.0  # g/L × m³ = kg
    out = pd.DataFrame({"solids_t": solids_t, "solution_m3": solution_m3, "carbon_t": carbon_t,
                        "solution_g": solution_m3 * c, "carbon_g": carbon_t * q,
                        "solids_g": solids_t * g})
    out["total_g"] = out["solution_g"] + out["carbon_g"] + out["solids_g"]
    return out


@dataclass(frozen=True)
class MetalAccount:
    """The metal account of one period.

    Parameters
    ----------
    check_in_g, check_in_sd_g : float
        Gold received (plant feed), g, and its standard deviation.
    products_g, products_sd_g : float
        Gold in products (bullion, concentrate), g.
    tailings_g, tailings_sd_g : float
        Gold in tailings and other losses measured, g.
    opening_g, opening_sd_g, closing_g, closing_sd_g : float
        Inventories at the start and end of the period, g.
    unaccounted_g, unaccounted_sd_g : float
        ``check-in − check-out − (closing − opening)``, g, and its standard deviation.
    ci_low_g, ci_high_g : float
        Confidence interval of the unaccounted gold, g.
    confidence : float
        Its level.
    recovery, recovery_sd : float
        Actual recovery ``(products + closing − opening) / check-in`` (fraction) and its sd.
    significant : bool
        True when the interval excludes zero: the account does not close within the
        precision of its measurements.
    """

    check_in_g: float
    check_in_sd_g: float
    products_g: float
    products_sd_g: float
    tailings_g: float
    tailings_sd_g: float
    opening_g: float
    opening_sd_g: float
    closing_g: float
    closing_sd_g: float
    unaccounted_g: float
    unaccounted_sd_g: float
    ci_low_g: float
    ci_high_g: float
    confidence: float
    recovery: float
    recovery_sd: float
    significant: bool


_TERMS = ("check_in", "products", "tailings", "opening", "closing")


def metal_accounts(frame: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Metal accounts of many periods (or plants) at once.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per account with the gold columns ``check_in_g``, ``products_g``,
        ``tailings_g``, ``opening_g``, ``closing_g`` (g) and their standard deviations
        ``<term>_sd_g`` (g; missing columns are taken as 0); other columns are kept.
    confidence : float
        Level of the interval of the unaccounted gold (default 0.95).

    Returns
    -------
    pandas.DataFrame
        The input with ``unaccounted_g``, ``unaccounted_sd_g``, ``ci_low_g``, ``ci_high_g``,
        ``unaccounted_pct`` (of check-in), ``recovery``, ``recovery_sd``, ``significant``.

    Raises
    ------
    ValidationError
        When a gold column is missing, or a value is negative or not a number (row and
        column named; rows counted as in a spreadsheet, header = row 1).
    """
    if not 0 < confidence < 1:
        raise ValidationError(_("confidence = %(value)r: expected a number between 0 and 1",
                                value=confidence))
    problems = []
    values: dict[str, np.ndarray] = {}
    for term in _TERMS:
        for col in (f"{term}_g", f"{term}_sd_g"):
            if col not in frame.columns:
                if col.endswith("_sd_g"):
                    values[col] = np.zeros(len(frame))
                    continue
                problems.append(Problem(_("missing column %(column)r (gold, g)", column=col),
                                        column=col))
                continue
            arr = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
            for i in np.flatnonzero(~(np.isfinite(arr) & (arr >= 0))):
                problems.append(Problem(_("%(cell)s: expected a number of grams >= 0",
                                          cell=shown_cell(frame[col].iloc[i])),
                                        row=int(i) + 2, column=col))
            values[col] = arr
    if problems:
        raise ValidationError(problems)
    v = values
    unaccounted = (v["check_in_g"] - v["products_g"] - v["tailings_g"]
                   - (v["closing_g"] - v["opening_g"]))
    unaccounted_sd = np.sqrt(sum(v[f"{t}_sd_g"] ** 2 for t in _TERMS))
    half = stats.norm.ppf(0.5 + confidence / 2) * unaccounted_sd
    feed = v["check_in_g"]
    produced = v["products_g"] + v["closing_g"] - v["opening_g"]
    with np.errstate(divide="ignore", invalid="ignore"):
        recovery = np.where(feed > 0, produced / feed, np.nan)
        # Delta method: ∂R/∂feed = −R/feed, ∂R/∂(products, closing, opening) = ±1/feed.
        recovery_sd = np.sqrt(v["products_sd_g"] ** 2 + v["closing_sd_g"] ** 2
                              + v["opening_sd_g"] ** 2
                              + (recovery * v["check_in_sd_g"]) ** 2) / feed
        unaccounted_pct = np.where(feed > 0, 100.0 * unaccounted / feed, np.nan)
    out = frame.copy()
    out["unaccounted_g"] = unaccounted
    out["unaccounted_sd_g"] = unaccounted_sd
    out["ci_low_g"] = unaccounted - half
    out["ci_high_g"] = unaccounted + half
    out["unaccounted_pct"] = unaccounted_pct
    out["recovery"] = recovery
    out["recovery_sd"] = np.where(feed > 0, recovery_sd, np.nan)
    out["significant"] = (unaccounted - half > 0) | (unaccounted + half < 0)
    return out


def metal_account(check_in: Sequence[GoldQuantity], products: Sequence[GoldQuantity],
                  tailings: Sequence[GoldQuantity], opening: Sequence[GoldQuantity] = (),
                  closing: Sequence[GoldQuantity] = (),
                  confidence: float = CONFIDENCE) -> MetalAccount:
    """The metal account of one period from its measured quantities.

    Parameters
    ----------
    check_in : sequence of GoldQuantity
        Gold received: plant feed (and any other input), g.
    products : sequence of GoldQuantity
        Gold in products: bullion, concentrates, g.
    tailings : sequence of GoldQuantity
        Gold leaving in tailings and other measured losses, g.
    opening, closing : sequence of GoldQuantity
        Inventories at the start and end of the period (stockpiles, in-circuit gold), g.
    confidence : float
        Level of the interval of the unaccounted gold (default 0.95).

    Returns
    -------
    MetalAccount
    """
    row = {}
    for term, items in zip(_TERMS, (check_in, products, tailings, opening, closing),
                           strict=True):
        row[f"{term}_g"] = float(sum(q.gold_g for q in items))
        row[f"{term}_sd_g"] = float(np.sqrt(sum(q.sd_g ** 2 for q in items)))
    r = metal_accounts(pd.DataFrame([row]), confidence).iloc[0]
    gold = {name: float(r[name]) for name in (
        *row, "unaccounted_g", "unaccounted_sd_g", "ci_low_g", "ci_high_g")}
    return MetalAccount(**gold, confidence=confidence, recovery=float(r["recovery"]),
                        recovery_sd=float(r["recovery_sd"]),
                        significant=bool(r["significant"]))


def recovery_from_assays(feed_gpt: float | np.ndarray, concentrate_gpt: float | np.ndarray,
                         tailings_gpt: float | np.ndarray) -> float | np.ndarray:
    """Recovery of a two-product separation from its three assays (two-product formula).

    Parameters
    ----------
    feed_gpt, concentrate_gpt, tailings_gpt : float or numpy.ndarray
        Assays of feed f, concentrate c and tailings t, g/t.

    Returns
    -------
    float or numpy.ndarray
        ``c (f − t) / (f (c − t))``, fraction.
    """
    f, c, t = (np.asarray(a, dtype=float) for a in (feed_gpt, concentrate_gpt, tailings_gpt))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = c * (f - t) / (f * (c - t))
    return out if out.ndim else float(out)
