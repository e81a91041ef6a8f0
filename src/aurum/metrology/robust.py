"""Robust mean and standard deviation of proficiency-test results by ISO 13528 Algorithm A.

Algorithm A (ISO 13528:2015, C.3.1; first given in ISO 5725-5:1998, 6.2) starts from the
median x* and the scaled median absolute deviation s* = 1.483 · MAD, then repeats: with
δ = 1.5 s*, each result is clipped to [x* − δ, x* + δ] (winsorised), x* becomes the mean of
the clipped results and s* = 1.134 × their standard deviation (p − 1 in the denominator),
until neither changes. 1.483 makes the MAD an estimate of a normal standard deviation;
1.134 corrects the winsorised deviation for the clipping at 1.5 s* (Huber's proposal 2).
The standard leaves the stopping rule to the user ("no change in the third significant
figure"); here the loop stops when a step moves x* and s* by less than :data:`TOLERANCE` of
s* (or not at all) and never runs more than :data:`MAX_ITERATIONS` steps.

The standard uncertainty of a consensus assigned value is u(x*) = 1.25 s* / √p (ISO 13528,
7.7.3): 1.25 is the ratio of the standard error of the median to that of the mean for
normal data, a conservative figure for a robust mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

MAD_FACTOR = 1.483
"""Scales the median absolute deviation to a normal standard deviation (ISO 13528, C.3.1)."""
CLIP_FACTOR = 1.5
"""δ = 1.5 s*: results further than this from x* are clipped (winsorised)."""
SD_FACTOR = 1.134
"""Corrects the standard deviation of the clipped results for the clipping at 1.5 s*."""
U_FACTOR = 1.25
"""u(x*) = 1.25 s* / √p (ISO 13528, 7.7.3)."""
MIN_RESULTS = 5
"""Fewest results Algorithm A is run on. Its breakdown point is about 25 % (metRology's
``algA`` documentation gives "about 30 %"), so one wild result is resisted only when it is
at most a fifth of the set: with four results or fewer a single blunder is a quarter or
more of them and can carry the median's neighbourhood, x* and s* with it."""
MAX_RESULTS = 10_000
"""Most results one round evaluates (a national scheme has hundreds of participants)."""
MAX_ITERATIONS = 1000
"""Most update steps: Algorithm A converges geometrically, in tens of steps; a set that
has not settled by then is reported as not converged rather than looped over for ever."""
TOLERANCE = 1e-12
"""A step moving x* and s* by less than this fraction of s* counts as no change (the
floating-point floor; the standard's third significant figure is far coarser)."""


@dataclass(frozen=True)
class RobustEstimate:
    """The robust mean and standard deviation of one set of results.

    Attributes
    ----------
    x_star : float
        Robust mean x*, in the results' unit.
    s_star : float
        Robust standard deviation s*, in the results' unit.
    p : int
        Number of results.
    iterations : int
        Update steps taken.
    converged : bool
        Whether a step changed neither x* nor s* before :data:`MAX_ITERATIONS`.
    """

    x_star: float
    s_star: float
    p: int
    iterations: int
    converged: bool

    @property
    def u_x_star(self) -> float:
        """Standard uncertainty of x* as an assigned value, 1.25 s* / √p (results' unit)."""
        return U_FACTOR * self.s_star / float(np.sqrt(self.p))


def check_count(p: int, source: str | None = None) -> None:
    """Refuse a set of results too small (or too large) for Algorithm A.

    Parameters
    ----------
    p : int
        Number of results.
    source : str, optional
        File or round the results came from, for the message.

    Raises
    ------
    ValidationError
        Fewer than :data:`MIN_RESULTS` or more than :data:`MAX_RESULTS` results.
    """
    if p < MIN_RESULTS:
        raise ValidationError(Problem(_(
            "Algorithm A needs at least %(n)s results (one blunder must be at most a fifth "
            "of them), got %(p)s; give the assigned value and sigma_pt instead",
            n=MIN_RESULTS, p=p), source=source))
    if p > MAX_RESULTS:
        raise ValidationError(Problem(_("expected at most %(n)s results, got %(p)s",
                                        n=MAX_RESULTS, p=p), source=source))


def algorithm_a(values: np.ndarray, max_iterations: int = MAX_ITERATIONS,
                tolerance: float = TOLERANCE) -> RobustEstimate:
    """Robust mean x* and standard deviation s* by ISO 13528 Algorithm A (module docstring).

    Parameters
    ----------
    values : array of float
        The participants' results, one per laboratory, any unit (finite; at least
        :data:`MIN_RESULTS`).
    max_iterations : int
        Most update steps.
    tolerance : float
        A step moving x* and s* by at most ``tolerance · s*`` counts as no change.

    Returns
    -------
    RobustEstimate
        x* and s* in the results' unit. When more than half the results are equal the MAD,
        and so s*, is zero: x* is then the median and s* 0 (no step can move them).

    Raises
    ------
    ValidationError
        Too few or too many results (:func:`check_count`).
    """
    x = np.asarray(values, dtype=float)
    check_count(int(x.size))
    x_star = float(np.median(x))
    s_star = MAD_FACTOR * float(np.median(np.abs(x - x_star)))
    if s_star == 0.0:
        return RobustEstimate(x_star, 0.0, int(x.size), 0, True)
    for step in range(1, max_iterations + 1):
        delta = CLIP_FACTOR * s_star
        clipped = np.clip(x, x_star - delta, x_star + delta)
        new_x = float(clipped.mean())
        new_s = SD_FACTOR * float(clipped.std(ddof=1))
        settled = (abs(new_x - x_star) <= tolerance * s_star
                   and abs(new_s - s_star) <= tolerance * s_star)
        x_star, s_star = new_x, new_s
        if settled:
            return RobustEstimate(x_star, s_star, int(x.size), step, True)
    return RobustEstimate(x_star, s_star, int(x.size), max_iterations, False)
