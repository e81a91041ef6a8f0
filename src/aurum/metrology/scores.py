"""Performance scores of a proficiency-test round (ISO 13528:2015, clause 9) and its flags.

For a participant's result x with standard uncertainty u(x), against the assigned value x_pt
with standard uncertainty u(x_pt) and the standard deviation for proficiency assessment σ_pt:

- z = (x − x_pt) / σ_pt;
- z′ = (x − x_pt) / √(σ_pt² + u(x_pt)²), for when u(x_pt) is not negligible against σ_pt
  (ISO 13528 advises it when u(x_pt) > 0.3 σ_pt);
- ζ = (x − x_pt) / √(u(x)² + u(x_pt)²);
- E_n = (x − x_pt) / √(U(x)² + U(x_pt)²), with expanded uncertainties U = k·u, k = 2.

Flags (ISO 13528, 9.3–9.7): a z, z′ or ζ score is *satisfactory* when |score| ≤ 2,
*questionable* when 2 < |score| < 3 and *unsatisfactory* when |score| ≥ 3; an E_n number is
satisfactory when |E_n| ≤ 1 and unsatisfactory otherwise.

The assigned value comes from a reference material (its certified value and standard
uncertainty) or, for a consensus, from Algorithm A (:func:`aurum.metrology.robust.algorithm_a`)
with u(x*) = 1.25 s*/√p. σ_pt follows the round's rule (:data:`SIGMA_PT_RULES`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.metrology.robust import MIN_RESULTS, RobustEstimate, algorithm_a

Flag = Literal["satisfactory", "questionable", "unsatisfactory"]
FLAGS: tuple[str, ...] = get_args(Flag)
SATISFACTORY, QUESTIONABLE, UNSATISFACTORY = FLAGS
"""The performance flags, best first."""
WARNING_LIMIT = 2.0
ACTION_LIMIT = 3.0
"""|z| above 2 is questionable (the warning signal), at or above 3 unsatisfactory (action)."""
EN_LIMIT = 1.0
"""|E_n| above 1 is unsatisfactory."""
Z_PRIME_ADVISED = 0.3
"""ISO 13528 advises z′ over z when u(x_pt) exceeds this fraction of σ_pt."""
COVERAGE_FACTOR = 2.0
"""k of the expanded uncertainties of E_n (about 95 % coverage)."""
SigmaPtRule = Literal["robust_sd", "fixed", "percent"]
SIGMA_PT_RULES: tuple[str, ...] = get_args(SigmaPtRule)
ROBUST_SD, FIXED, PERCENT = SIGMA_PT_RULES
"""How a round sets σ_pt: the robust standard deviation s* of its results, a fixed value
(results' unit), or a percentage of the assigned value (a fitness-for-purpose relative
standard deviation, e.g. 5 % for fire assay of an ore)."""
Source = Literal["reference", "consensus"]
SOURCE_REFERENCE, SOURCE_CONSENSUS = get_args(Source)
"""Where the assigned value came from: a reference material (or a value given), or the
participants' consensus by Algorithm A."""


def z_score(x: np.ndarray, assigned: float, sigma_pt: float) -> np.ndarray:
    """z = (x − x_pt) / σ_pt (dimensionless; x, x_pt and σ_pt in one unit)."""
    return (np.asarray(x, dtype=float) - assigned) / sigma_pt


def z_prime(x: np.ndarray, assigned: float, sigma_pt: float, u_assigned: float) -> np.ndarray:
    """z′ = (x − x_pt) / √(σ_pt² + u(x_pt)²) (dimensionless)."""
    return (np.asarray(x, dtype=float) - assigned) / float(np.hypot(sigma_pt, u_assigned))


def zeta_score(x: np.ndarray, u_x: np.ndarray, assigned: float, u_assigned: float
               ) -> np.ndarray:
    """ζ = (x − x_pt) / √(u(x)² + u(x_pt)²) (dimensionless): NaN where a result has no
    uncertainty, or where both uncertainties are zero."""
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = np.hypot(np.asarray(u_x, dtype=float), u_assigned)
        out = (np.asarray(x, dtype=float) - assigned) / denominator
    return np.where(denominator > 0, out, np.nan)


def en_number(x: np.ndarray, u_x: np.ndarray, assigned: float, u_assigned: float,
              k: float = COVERAGE_FACTOR) -> np.ndarray:
    """E_n = (x − x_pt) / √(U(x)² + U(x_pt)²), U = k·u (dimensionless; NaN as in
    :func:`zeta_score`). With one k on both sides E_n = ζ / k."""
    return zeta_score(x, u_x, assigned, u_assigned) / k


def flag_of(score: float) -> str | None:
    """The flag of a z, z′ or ζ score (module docstring); None for a missing score."""
    if score != score:
        return None
    size = abs(score)
    return SATISFACTORY if size <= WARNING_LIMIT else (
        QUESTIONABLE if size < ACTION_LIMIT else UNSATISFACTORY)


def en_flag_of(en: float) -> str | None:
    """The flag of an E_n number: satisfactory when |E_n| ≤ 1; None when missing."""
    if en != en:
        return None
    return SATISFACTORY if abs(en) <= EN_LIMIT else UNSATISFACTORY


def z_prime_advised(u_assigned: float, sigma_pt: float) -> bool:
    """Whether u(x_pt) > 0.3 σ_pt (same unit), when ISO 13528 advises reading z′ rather
    than z: the assigned value's own uncertainty would otherwise inflate the z-scores."""
    return u_assigned > Z_PRIME_ADVISED * sigma_pt


def sigma_pt_of(rule: str, value: float | None, robust: RobustEstimate | None,
                assigned: float) -> float:
    """σ_pt by a round's rule (:data:`SIGMA_PT_RULES`), in the results' unit.

    Parameters
    ----------
    rule : str
        ``robust_sd``, ``fixed`` or ``percent``.
    value : float or None
        The fixed σ_pt (results' unit) or the percentage of the assigned value (%).
    robust : RobustEstimate or None
        Algorithm A's estimate, for ``robust_sd``.
    assigned : float
        The assigned value (results' unit), for ``percent``.
    """
    if rule == ROBUST_SD:
        if robust is None:
            raise ValidationError(Problem(_("sigma_pt from the robust standard deviation "
                                            "needs Algorithm A's estimate"), column="sigma_pt"))
        return robust.s_star
    if value is None or not value > 0:
        raise ValidationError(Problem(_("expected a positive sigma_pt value, got %(v)s",
                                        v=value), column="sigma_pt"))
    return value if rule == FIXED else abs(assigned) * value / 100.0


@dataclass(frozen=True)
class LabScore:
    """One laboratory's result and scores (dimensionless; None where not computable)."""

    lab: str
    value: float
    uncertainty: float | None
    z: float
    z_prime: float
    zeta: float | None
    en: float | None
    flag: str
    z_prime_flag: str
    zeta_flag: str | None
    en_flag: str | None


@dataclass(frozen=True)
class RoundEvaluation:
    """A round's statistics and its laboratories' scores.

    Attributes
    ----------
    assigned_value, u_assigned : float
        x_pt and its standard uncertainty (results' unit).
    robust : RobustEstimate or None
        Algorithm A's estimate of the results (None with fewer than
        :data:`~aurum.metrology.robust.MIN_RESULTS` results and everything given).
    sigma_pt : float
        Standard deviation for proficiency assessment (results' unit).
    source : str
        :data:`SOURCE_REFERENCE` or :data:`SOURCE_CONSENSUS`.
    labs : list of LabScore
        In the order given.
    """

    assigned_value: float
    u_assigned: float
    robust: RobustEstimate | None
    sigma_pt: float
    source: str
    labs: list[LabScore]

    @property
    def z_prime_advised(self) -> bool:
        """:func:`z_prime_advised` of this round."""
        return z_prime_advised(self.u_assigned, self.sigma_pt)

    def flag_counts(self) -> dict[str, int]:
        """How many laboratories hold each z flag."""
        return {f: sum(1 for s in self.labs if s.flag == f) for f in FLAGS}


def _optional(v: float) -> float | None:
    return None if v != v else float(v)


def evaluate(labs: Sequence[str], values: np.ndarray, uncertainties: np.ndarray | None = None,
             assigned: float | None = None, u_assigned: float | None = None,
             sigma_pt: float | None = None, sigma_pt_rule: str | None = None,
             sigma_pt_value: float | None = None) -> RoundEvaluation:
    """Evaluate a round: the assigned value, σ_pt and every laboratory's scores.

    Parameters
    ----------
    labs : sequence of str
        Laboratory codes, one per result (distinct).
    values : array of float
        Results, in the round's unit (e.g. g/t Au).
    uncertainties : array of float, optional
        Standard uncertainties u(x) of the results (same unit; NaN where not given).
    assigned, u_assigned : float, optional
        A reference value and its standard uncertainty (same unit); without them the
        consensus of Algorithm A and u(x*) = 1.25 s*/√p.
    sigma_pt : float, optional
        σ_pt given (same unit); else by ``sigma_pt_rule``, else s*.
    sigma_pt_rule, sigma_pt_value : str and float, optional
        A round's rule (:func:`sigma_pt_of`).

    Returns
    -------
    RoundEvaluation

    Raises
    ------
    ValidationError
        Too few results for Algorithm A where it is needed, or a σ_pt that is not positive
        (e.g. s* = 0 when more than half the results are equal).
    """
    x = np.asarray(values, dtype=float)
    rule = sigma_pt_rule or (FIXED if sigma_pt is not None else ROBUST_SD)
    # Algorithm A runs whenever it can (s* is reported); it refuses too few results only
    # where the consensus or s* is needed.
    needs_robust = assigned is None or (sigma_pt is None and rule == ROBUST_SD)
    robust = algorithm_a(x) if needs_robust or x.size >= MIN_RESULTS else None
    if assigned is None:
        consensus = robust if robust is not None else algorithm_a(x)
        source, x_pt, u_pt = SOURCE_CONSENSUS, consensus.x_star, consensus.u_x_star
    else:
        source, x_pt, u_pt = SOURCE_REFERENCE, float(assigned), float(u_assigned or 0.0)
    sigma = float(sigma_pt) if sigma_pt is not None else sigma_pt_of(
        rule, sigma_pt_value, robust, x_pt)
    if not sigma > 0:
        raise ValidationError(Problem(_(
            "sigma_pt is %(s)s: the scores need a positive standard deviation for "
            "proficiency assessment (more than half the results equal give s* = 0); give "
            "sigma_pt", s=sigma), column="sigma_pt"))
    z = z_score(x, x_pt, sigma)
    zp = z_prime(x, x_pt, sigma, u_pt)
    u = np.full(x.shape, np.nan) if uncertainties is None else np.asarray(uncertainties,
                                                                            dtype=float)
    zeta = zeta_score(x, u, x_pt, u_pt)
    en = en_number(x, u, x_pt, u_pt)
    scores = [LabScore(str(lab), float(x[i]), _optional(u[i]), float(z[i]), float(zp[i]),
                       _optional(zeta[i]), _optional(en[i]), str(flag_of(z[i])),
                       str(flag_of(zp[i])), flag_of(zeta[i]), en_flag_of(en[i]))
              for i, lab in enumerate(labs)]
    return RoundEvaluation(x_pt, u_pt, robust, sigma, source, scores)
