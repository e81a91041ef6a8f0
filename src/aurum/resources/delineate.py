"""Single-hole orebody delineation (单工程矿体圈定) by industrial indicators, and the intercept
table (见矿工程一览表).

The rules, hole by hole, exactly:

1. the hole's assay intervals in depth order; a gap between intervals is waste of grade 0 (and
   so is an interval not assayed);
2. an ore run is a maximal run of consecutive (touching) intervals with grade ≥ cut-off;
3. from the top down, the next run joins the current orebody when the waste between them is
   shorter than the internal-waste thickness (夹石剔除厚度) *and* the joined interval's
   length-weighted grade stays ≥ cut-off; otherwise the current orebody is closed and the
   next run starts the next one;
4. an orebody's length is to − from, its grade the length-weighted mean of all it contains
   (waste and gaps included), its metre-grade length × grade, its true thickness length ×
   ``|hole direction · orebody normal|``;
5. *industrial* (工业矿体) when grade ≥ the minimum industrial grade and (length ≥ the minimum
   mining thickness, or metre-grade ≥ the metre-grade floor); *low-grade* (低品位矿) when
   grade < the minimum industrial grade and length ≥ the minimum mining thickness; anything
   else is not reported.

Rule 5 compares the along-hole length with the minimum mining thickness, as the rule states;
holes drilled across the orebody make the two the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aurum.core.errors import MAX_PROBLEMS, Problem, ValidationError
from aurum.core.i18n import _
from aurum.resources.desurvey import desurvey
from aurum.resources.drillholes import DEPTH_TOLERANCE, DrillholeDatabase
from aurum.resources.indicators import IndustrialIndicators
from aurum.resources.orebody import check_attitude, true_thickness

OREBODY_COLUMNS = ("hole", "from_m", "to_m", "length_m", "grade", "metre_grade", "category")
"""Columns of :func:`delineate_orebodies`' table."""

INTERCEPT_COLUMNS = ("hole", "from_m", "to_m", "length_m", "grade", "metre_grade",
                     "true_thickness_m", "category", "x", "y", "z", "azimuth", "dip")
"""Columns of the intercept table (:func:`intercept_table`, the CLI's CSV)."""

OREBODY_CATEGORIES = ("industrial", "low_grade")
"""Orebody categories: 工业矿体 and 低品位矿."""

GRADE_TOLERANCE = 1e-12
"""Relative tolerance of "the joined grade stays ≥ cut-off": a joined grade equal to the
cut-off but for the rounding of its sums counts as at the cut-off."""

DIRECTION_STEP_M = 0.1
"""Half the chord, m, whose direction is taken as the hole's direction at a mid-point: on a
minimum-curvature arc the chord symmetric about a point is parallel to the tangent there."""

VERTICAL = 1e-9
"""Horizontal component of a unit direction below which the hole is vertical there and its
azimuth is reported as 0."""


def delineate_orebodies(intervals: pd.DataFrame, grade: str,
                        indicators: IndustrialIndicators) -> pd.DataFrame:
    """Orebodies of every hole by the module's rules 1–5.

    Parameters
    ----------
    intervals : pandas.DataFrame
        ``hole``, ``from``, ``to`` (m along the hole) and the grade column (grade unit, e.g.
        g/t; NaN = not assayed, taken as waste of grade 0); intervals of one hole must not
        overlap, in any order.
    grade : str
        Name of the grade column.
    indicators : IndustrialIndicators
        Cut-off and minimum industrial grades in the grade column's unit, thicknesses in m,
        metre-grade floor in m × grade unit.

    Returns
    -------
    pandas.DataFrame
        :data:`OREBODY_COLUMNS`: ``from_m``, ``to_m``, ``length_m`` (m), ``grade`` (grade
        unit, length-weighted), ``metre_grade`` (m × grade unit), ``category``
        (``industrial`` or ``low_grade``); one row per reported orebody, holes in their order
        of first appearance, orebodies top down.

    Raises
    ------
    ValidationError
        A column is missing, a depth is not finite, ``from`` ≥ ``to``, a grade is negative, or
        two intervals of a hole overlap (one problem per row, row numbers as a CSV of the
        frame would show them).
    """
    _check_intervals(intervals, grade)
    codes, holes = pd.factorize(intervals["hole"], sort=False)
    top_all = intervals["from"].to_numpy(dtype=float)
    order = np.lexsort((top_all, codes))
    hole = codes[order]
    top, bottom = top_all[order], intervals["to"].to_numpy(dtype=float)[order]
    g = np.nan_to_num(intervals[grade].to_numpy(dtype=float)[order], nan=0.0)
    # Metal (grade × length) summed from the top of the table: the metal of any stretch of a
    # hole between interval boundaries is a difference of two sums, gaps adding nothing.
    metal = np.concatenate([[0.0], np.cumsum(g * (bottom - top))])

    ore = g >= indicators.cutoff_gpt
    touching = np.zeros(hole.size, dtype=bool)
    touching[1:] = (hole[1:] == hole[:-1]) & (np.abs(top[1:] - bottom[:-1]) <= DEPTH_TOLERANCE)
    continued = np.zeros(hole.size, dtype=bool)
    continued[1:] = touching[1:] & ore[1:] & ore[:-1]
    starts = np.flatnonzero(ore & ~continued)
    ends = np.flatnonzero(ore & ~np.append(continued[1:], False))

    first, last = _merge_runs(starts, ends, hole, top, bottom, metal, indicators)
    length = bottom[last] - top[first]
    metre_grade = metal[last + 1] - metal[first]
    mean = metre_grade / length
    category = _categories(mean, length, metre_grade, indicators)
    kept = category != ""
    return pd.DataFrame({
        "hole": holes.to_numpy()[hole[first]][kept], "from_m": top[first][kept],
        "to_m": bottom[last][kept], "length_m": length[kept], "grade": mean[kept],
        "metre_grade": metre_grade[kept], "category": category[kept]},
        columns=list(OREBODY_COLUMNS))


def _merge_runs(starts: np.ndarray, ends: np.ndarray, hole: np.ndarray, top: np.ndarray,
                bottom: np.ndarray, metal: np.ndarray,
                indicators: IndustrialIndicators) -> tuple[np.ndarray, np.ndarray]:
    """Rule 3: first and last interval of each orebody, joining runs top down."""
    cutoff, max_waste = indicators.cutoff_gpt, indicators.max_waste_m
    # Plain lists: the loop visits each run once, and list indexing is several times faster
    # than numpy scalar indexing; a hole has a handful of runs, a deposit tens of thousands.
    s_, e_, h_ = starts.tolist(), ends.tolist(), hole.tolist()
    t_, b_, m_ = top.tolist(), bottom.tolist(), metal.tolist()
    first: list[int] = []
    last: list[int] = []
    k, n = 0, len(s_)
    while k < n:
        s, e = s_[k], e_[k]
        k += 1
        while k < n and h_[s_[k]] == h_[s]:
            nxt_s, nxt_e = s_[k], e_[k]
            joined = b_[nxt_e] - t_[s]
            # "Shorter than" the internal-waste thickness: a waste equal to it (to the depth
            # tolerance) splits.
            short = t_[nxt_s] - b_[e] < max_waste - DEPTH_TOLERANCE
            rich = m_[nxt_e + 1] - m_[s] >= cutoff * joined * (1.0 - GRADE_TOLERANCE)
            if not (short and rich):
                break
            e = nxt_e
            k += 1
        first.append(s)
        last.append(e)
    return np.asarray(first, dtype=np.int64), np.asarray(last, dtype=np.int64)


def _categories(grade: np.ndarray, length: np.ndarray, metre_grade: np.ndarray,
                indicators: IndustrialIndicators) -> np.ndarray:
    """Rule 5: ``industrial``, ``low_grade`` or ``""`` (not reported) per orebody."""
    rich = grade >= indicators.min_industrial_gpt
    thick = length >= indicators.min_thickness_m
    industrial = rich & (thick | (metre_grade >= indicators.metre_grade_floor))
    low = ~rich & thick
    return np.where(industrial, OREBODY_CATEGORIES[0],
                    np.where(low, OREBODY_CATEGORIES[1], "")).astype(object)


def _check_intervals(intervals: pd.DataFrame, grade: str) -> None:
    missing = [c for c in ("hole", "from", "to", grade) if c not in intervals.columns]
    if missing:
        raise ValidationError(Problem(_("missing column(s) %(columns)s; expected hole, from, "
                                        "to and the grade column", columns=", ".join(missing))))
    top = pd.to_numeric(intervals["from"], errors="coerce").to_numpy(dtype=float)
    bottom = pd.to_numeric(intervals["to"], errors="coerce").to_numpy(dtype=float)
    values = pd.to_numeric(intervals[grade], errors="coerce").to_numpy(dtype=float)
    problems: list[Problem] = []

    def report(mask: np.ndarray, column: str, message: str) -> None:
        problems.extend(Problem(message, row=int(i) + 2, column=column)
                        for i in np.flatnonzero(mask)[:MAX_PROBLEMS])

    report(~np.isfinite(top), "from", _("expected a finite depth, m"))
    report(~np.isfinite(bottom), "to", _("expected a finite depth, m"))
    report(np.isfinite(top) & np.isfinite(bottom) & (top >= bottom), "to",
           _("expected a depth below from"))
    report(values < 0, grade, _("expected a grade of at least 0"))
    if not problems:
        codes = pd.factorize(intervals["hole"], sort=False)[0]
        order = np.lexsort((top, codes))
        same = codes[order][1:] == codes[order][:-1]
        overlap = np.zeros(len(order), dtype=bool)
        overlap[order[1:]] = same & (top[order][1:] < bottom[order][:-1] - DEPTH_TOLERANCE)
        report(overlap, "from", _("overlaps the interval above it in the same hole"))
    if problems:
        raise ValidationError(problems)


def intercept_table(db: DrillholeDatabase, grade: str, indicators: IndustrialIndicators,
                    strike_deg: float | None = None,
                    dip_deg: float | None = None) -> pd.DataFrame:
    """The intercept table: every reported orebody with its desurveyed mid-point.

    Parameters
    ----------
    db : DrillholeDatabase
        Validated drillholes (depths and coordinates in m).
    grade : str
        Grade column of ``db`` delineated (e.g. ``AU`` in g/t, ``CU`` in per cent).
    indicators : IndustrialIndicators
        In the grade column's unit and m.
    strike_deg : float, optional
        Orebody strike, degrees clockwise from north, right-hand rule (dips towards strike +
        90°); give it with ``dip_deg``.
    dip_deg : float, optional
        Orebody dip, degrees below the horizontal, in (0, 90].

    Returns
    -------
    pandas.DataFrame
        :data:`INTERCEPT_COLUMNS`: the orebody table of :func:`delineate_orebodies`, with
        ``true_thickness_m`` (m: length × ``|hole direction · orebody normal|`` when the
        attitude is given, else the length), ``x, y, z`` (m) of the mid-depth by minimum
        curvature, and ``azimuth`` (degrees clockwise from north, 0 for a vertical hole) and
        ``dip`` (degrees below the horizontal, positive downward) of the hole there.

    Raises
    ------
    ValidationError
        The grade column is not in ``db``, only one of strike and dip is given, or the
        attitude is out of range.
    """
    if grade not in db.grades:
        raise ValidationError(Problem(
            _("no grade %(grade)r; expected one of %(grades)s", grade=grade,
              grades=", ".join(db.grades)), column="grade"))
    if (strike_deg is None) != (dip_deg is None):
        raise ValidationError(Problem(
            _("give both the orebody's strike and dip, or neither"),
            column="dip" if dip_deg is None else "strike"))
    if strike_deg is not None and dip_deg is not None:
        check_attitude(strike_deg, dip_deg)
    bodies = delineate_orebodies(db.intervals, grade, indicators)
    mid = 0.5 * (bodies["from_m"].to_numpy() + bodies["to_m"].to_numpy())
    upper = np.maximum(mid - DIRECTION_STEP_M, 0.0)
    lower = mid + DIRECTION_STEP_M
    n = len(bodies)
    holes = np.tile(bodies["hole"].to_numpy(dtype=object), 3)
    p = desurvey(db.collars, db.surveys).positions(holes, np.concatenate([mid, upper, lower]))
    chord = p[2 * n:] - p[n:2 * n]
    unit = chord / np.linalg.norm(chord, axis=1, keepdims=True)
    horizontal = np.hypot(unit[:, 0], unit[:, 1])
    # Twice modulo: a bearing a hair west of north is 360 − 1e-14, which rounds to 360.0.
    azimuth = np.where(horizontal < VERTICAL, 0.0,
                       np.degrees(np.arctan2(unit[:, 0], unit[:, 1])) % 360.0 % 360.0)
    dip = np.degrees(np.arcsin(np.clip(-unit[:, 2], -1.0, 1.0)))
    length = bodies["length_m"].to_numpy()
    thickness = (length if strike_deg is None or dip_deg is None
                 else true_thickness(length, azimuth, dip, strike_deg, dip_deg))
    out = bodies.assign(true_thickness_m=thickness, x=p[:n, 0], y=p[:n, 1], z=p[:n, 2],
                        azimuth=azimuth, dip=dip)
    return out[list(INTERCEPT_COLUMNS)]
