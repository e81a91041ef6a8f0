"""Backfill of mined stopes: fill recipes, the strength a vertically exposed fill needs, and
the fill balance of a stope schedule.

* :class:`FillRecipe`: cemented paste, (uncemented) hydraulic or cemented hydraulic fill by its
  solids mass fraction, binder fraction of the solids and bulk density as placed; per m³ of
  fill it gives the solids, binder, tailings (solids − binder) and water (t).
* :func:`mitchell_strength`: the uniaxial compressive strength cemented fill needs to stand
  with one vertical face exposed when the neighbouring stope is mined, by the sliding-block
  model of Mitchell, Olsen & Smith (1982) in the full form Brady & Brown (2006) print, with
  the fill's friction angle and the width behind the face; :func:`required_strengths` for a
  table of exposures.
* :func:`fill_balance`: per period of a schedule, the void opened, the fill placed, its
  solids, binder and water, and the tailings sent underground against those sent to the
  tailings facility. Tailings underground count as solid-waste utilisation (route
  ``backfill`` of :mod:`aurum.processing.waste`).

Units: m, m³, t, t/m³, kN/m³, kPa, degrees; fractions as fractions (0.04 is 4 per cent).

References
----------
Mitchell, R.J., Olsen, R.S. & Smith, J.D. (1982). Model studies on cemented tailings used in
mine backfill. *Canadian Geotechnical Journal* 19(1): 14-28.
Brady, B.H.G. & Brown, E.T. (2004, reprinted 2006). *Rock Mechanics for Underground Mining*,
3rd ed. Springer, Dordrecht. §14 (artificially supported mining methods), p. 418,
eq. 14.5 (the factor of safety with φ, α = 45° + φ/2 and H_f = H − w tan α / 2, after
Mitchell 1983) and eq. 14.6 (the apparent cohesion sand fill needs at φ = 30°, F = 1.33).
Labuz, J.F. & Zang, A. (2012). Mohr-Coulomb failure criterion. *Rock Mechanics and Rock
Engineering* 45(6): 975-979 (ISRM suggested method; the uniaxial compressive strength
C0 = 2 c cos φ / (1 − sin φ) of a Mohr-Coulomb material).
Li, L. & Aubertin, M. (2012). A modified solution to assess the required strength of exposed
backfill in mine stopes. *Canadian Geotechnical Journal* 49(8): 994-1002 (restates the
Mitchell solution, its factor of safety and its assumptions).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aurum.core.checks import Interval
from aurum.core.errors import Problem, ValidationError, shown_cell
from aurum.core.i18n import _

KINDS = ("cemented_paste", "hydraulic", "cemented_hydraulic")
"""Fill kinds: paste and cemented hydraulic fill carry binder, hydraulic fill none."""
_CEMENTED = ("cemented_paste", "cemented_hydraulic")
GRAVITY_M_S2 = 9.80665
"""Standard gravity: a density in t/m³ times this is a unit weight in kN/m³."""

SOLIDS_FRACTIONS = Interval(0.3, 0.95)
"""Solids by mass of a fill as placed: slurries of hydraulic fill carry about 0.65-0.75,
pastes 0.70-0.88; the bounds refuse a percentage typed for a fraction."""
BINDER_FRACTIONS = Interval(0.0, 0.3)
"""Binder by mass of the solids: 0.02-0.10 in practice."""
BULK_DENSITIES = Interval(1.2, 3.0, "t/m³")
"""Bulk density of a fill as placed."""
HEIGHTS = Interval(0.1, 1000.0, "m")
"""Height of an exposed fill face."""
LENGTHS = Interval(0.1, None, "m")
"""Length of an exposed fill face along it (``inf``: no side walls)."""
UNIT_WEIGHTS = Interval(5.0, 40.0, "kN/m³")
"""Unit weight of cemented fill (about 18-22 kN/m³)."""
SAFETY_FACTORS = Interval(1.0, 10.0)
"""Factor of safety of an exposed fill face (1.5-2 in design)."""
FRICTION_ANGLES = Interval(0.0, 45.0, "°")
"""Internal friction angle of a fill: 0 for the cohesive fill of Mitchell et al. (1982),
about 30° for sand fill (Brady & Brown 2006), 30-40° for cemented tailings."""
WIDTHS = Interval(0.1, 1000.0, "m")
"""Width of the fill behind an exposed face (the stope's width across it); it must also leave
a block above the sliding plane, below 2H / tan α."""
_KIND_FIELDS = ("kind", "solids_mass_fraction", "binder_fraction", "bulk_density_t_m3")


@dataclass(frozen=True)
class FillRecipe:
    """A backfill mix as placed.

    Parameters
    ----------
    kind : {"cemented_paste", "hydraulic", "cemented_hydraulic"}
        Fill kind; hydraulic fill has no binder, the cemented kinds some.
    solids_mass_fraction : float
        Solids (tailings and binder) over the mass of the fill, fraction
        (:data:`SOLIDS_FRACTIONS`).
    binder_fraction : float
        Binder over the mass of the solids, fraction (:data:`BINDER_FRACTIONS`).
    bulk_density_t_m3 : float
        Mass of one m³ of fill as placed, t/m³ (:data:`BULK_DENSITIES`).

    Raises
    ------
    ValidationError
        One problem per field out of its range, or a binder that does not suit the kind.
    """

    kind: str
    solids_mass_fraction: float
    binder_fraction: float
    bulk_density_t_m3: float

    def __post_init__(self) -> None:
        problems = _recipe_problems(self.kind, self.solids_mass_fraction, self.binder_fraction,
                                    self.bulk_density_t_m3, None)
        if problems:
            raise ValidationError(problems)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str | None = None) -> FillRecipe:
        """A recipe from a mapping (a parsed YAML or JSON document), every problem listed.

        Parameters
        ----------
        data : mapping
            ``kind``, ``solids_mass_fraction`` (fraction), ``binder_fraction`` (fraction of
            the solids), ``bulk_density_t_m3`` (t/m³).
        source : str, optional
            File name for the messages.

        Raises
        ------
        ValidationError
            One problem per missing or bad field.
        """
        missing = [Problem(_("missing field %(field)r", field=f), column=f, source=source)
                   for f in _KIND_FIELDS if f not in data]
        if missing:
            raise ValidationError(missing)
        problems = _recipe_problems(data["kind"], data["solids_mass_fraction"],
                                    data["binder_fraction"], data["bulk_density_t_m3"], source)
        if problems:
            raise ValidationError(problems)
        return cls(str(data["kind"]), float(data["solids_mass_fraction"]),
                   float(data["binder_fraction"]), float(data["bulk_density_t_m3"]))

    @property
    def solids_t_m3(self) -> float:
        """Solids (tailings and binder) in one m³ of fill, t/m³."""
        return self.bulk_density_t_m3 * self.solids_mass_fraction

    @property
    def binder_t_m3(self) -> float:
        """Binder in one m³ of fill, t/m³."""
        return self.solids_t_m3 * self.binder_fraction

    @property
    def tailings_t_m3(self) -> float:
        """Tailings in one m³ of fill (solids − binder), t/m³."""
        return self.solids_t_m3 - self.binder_t_m3

    @property
    def water_t_m3(self) -> float:
        """Water in one m³ of fill as placed, t/m³."""
        return self.bulk_density_t_m3 * (1.0 - self.solids_mass_fraction)

    @property
    def unit_weight_kn_m3(self) -> float:
        """Unit weight of the fill as placed, kN/m³ (bulk density × standard gravity)."""
        return self.bulk_density_t_m3 * GRAVITY_M_S2


def _recipe_problems(kind: object, solids: object, binder: object, density: object,
                     source: str | None) -> list[Problem]:
    problems = []
    if kind not in KINDS:
        problems.append(Problem(_("'%(value)s': expected one of %(known)s", value=kind,
                                  known=", ".join(KINDS)), column="kind", source=source))
    numbers: dict[str, float] = {}
    for field, value, interval in (("solids_mass_fraction", solids, SOLIDS_FRACTIONS),
                                   ("binder_fraction", binder, BINDER_FRACTIONS),
                                   ("bulk_density_t_m3", density, BULK_DENSITIES)):
        number = _number(value)
        if number is None or not interval.contains(number):
            problems.append(Problem(_("%(cell)s: expected %(expected)s", cell=shown_cell(value),
                                      expected=interval.describe()),
                                    column=field, source=source))
        else:
            numbers[field] = number
    share = numbers.get("binder_fraction")
    if share is not None and kind in KINDS:
        if kind in _CEMENTED and share <= 0:
            problems.append(Problem(_("%(kind)s fill needs binder: expected a binder fraction "
                                      "above 0", kind=kind), column="binder_fraction",
                                    source=source))
        elif kind == "hydraulic" and share > 0:
            problems.append(Problem(_("hydraulic fill is uncemented: expected binder fraction 0 "
                                      "(or kind cemented_hydraulic)"),
                                    column="binder_fraction", source=source))
    return problems


def _number(value: object) -> float | None:
    """A finite float from a number (not a bool, not text), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return None
    number = float(value)
    return number if np.isfinite(number) else None


def mitchell_strength(height_m: float | np.ndarray, length_m: float | np.ndarray,
                      unit_weight_kn_m3: float, safety_factor: float = 1.0, *,
                      friction_angle_deg: float = 0.0,
                      width_m: float | np.ndarray | None = None) -> float | np.ndarray:
    """Uniaxial compressive strength cemented fill needs to stand with one vertical face
    exposed (Mitchell, Olsen & Smith 1982; Brady & Brown 2006, eq. 14.5).

    The sliding-block model: when the neighbouring stope is mined, a block of fill behind an
    exposed face of length L (between two rock side walls) may slide on a plane at
    α = 45° + φ/2 to the horizontal, resisted by friction and cohesion c on that plane and by
    the cohesion along the two side walls (bonded as strongly as the fill, c_b = c). The
    factor of safety, resisting over driving forces, as Brady & Brown print it (eq. 14.5,
    after Mitchell 1983)::

        F = tan φ / tan α + 2 c L / (H_f (γ L − 2 c) sin 2α),    H_f = H − w tan α / 2

    with γ the unit weight of the fill, H the height of the face, w the width of the fill
    behind it and H_f the height of the block above the sliding plane.

    Solved for c (it is linear in c once multiplied out). Write T = tan φ / tan α for the
    friction term, D = F − T for what the cohesion must supply and s = sin 2α::

        D H_f s (γ L − 2 c) = 2 c L
        D H_f s γ L = 2 c (L + D H_f s)
        c = D γ L H_f s / (2 (L + D H_f s)) = γ H_f / (2 (1/(D s) + H_f/L))

    (the last form keeps L = ``inf``, no side walls: c = D s γ H_f / 2). The denominator
    γ L − 2 c stays positive: 2c = γ L · D H_f s / (L + D H_f s) < γ L. The fill's strength
    follows from c and φ by the Mohr–Coulomb criterion,
    UCS = 2 c cos φ / (1 − sin φ) (= 2 c tan α; 2c at φ = 0).

    Friction alone never holds a vertical face at F >= 1: with t = tan(φ/2),
    T = tan φ tan(45° − φ/2) = 2t / (1 + t)², which rises with φ to √2 − 1 ≈ 0.414 at 45°
    (and to 1/2 only as φ → 90°). So D > 0 and c > 0 over :data:`FRICTION_ANGLES` and
    :data:`SAFETY_FACTORS`: an exposed fill needs binder, whatever its friction.

    At the defaults (φ = 0, so α = 45°, s = 1, T = 0; no width, H_f = H) this is the solution
    of Mitchell et al. (1982): c = γ H / (2 (1/F + H/L)), UCS = γ H / (1/F + H/L); at F = 1
    their c = γH / (2 (1 + H/L)); with no side walls the fill carries its own weight
    unconfined, UCS = F γ H. With φ = 30° (T = 1/3) and F = 4/3 (printed 1.33), D = 1 and c
    is Brady & Brown's eq. 14.6 for sand fill, c = γ L H_f s / (2 (L + H_f s)). (Some mine
    practice instead multiplies the F = 1 strength by F, F γH / (1 + H/L): larger for F > 1
    and short faces, equal at both limits; here F is the ratio of the equation itself, as
    Li & Aubertin 2012 restate it.)

    Parameters
    ----------
    height_m : float or numpy.ndarray
        H, height of the exposed face, m (:data:`HEIGHTS`).
    length_m : float or numpy.ndarray
        L, length of the exposed face between the side walls, m (:data:`LENGTHS`;
        ``inf`` allowed).
    unit_weight_kn_m3 : float
        γ, unit weight of the fill, kN/m³ (:data:`UNIT_WEIGHTS`;
        :attr:`FillRecipe.unit_weight_kn_m3`).
    safety_factor : float
        F, factor of safety (:data:`SAFETY_FACTORS`).
    friction_angle_deg : float
        φ, internal friction angle of the fill, degrees (:data:`FRICTION_ANGLES`); 0, the
        default, is Mitchell et al.'s cohesive fill.
    width_m : float or numpy.ndarray, optional
        w, width of the fill behind the exposed face, m (:data:`WIDTHS`); it must leave a
        block above the sliding plane, w < 2 H / tan α. None, the default, takes H_f = H (a
        stope high against its width).

    Returns
    -------
    float or numpy.ndarray
        Required uniaxial compressive strength, kPa (an array when a length, height or width
        is).

    Raises
    ------
    ValidationError
        A value out of its range, or a width that leaves no block above the sliding plane,
        naming the parameter.
    """
    return _mitchell(height_m, length_m, unit_weight_kn_m3, safety_factor, friction_angle_deg,
                     width_m)[1]


def _mitchell(height_m: float | np.ndarray, length_m: float | np.ndarray,
              unit_weight_kn_m3: float, safety_factor: float, friction_angle_deg: float,
              width_m: float | np.ndarray | None, source: str | None = None,
              rows: bool = False) -> tuple[Any, Any]:
    """Cohesion and UCS (kPa) of :func:`mitchell_strength`, floats for scalar inputs.

    ``rows``: the inputs are a table's columns, so a width that leaves no block is reported
    for every row it occurs in (spreadsheet row: header = 1), else for the first only.
    """
    height = _checked("height_m", height_m, HEIGHTS)
    length = _checked("length_m", length_m, LENGTHS)
    _checked("unit_weight_kn_m3", unit_weight_kn_m3, UNIT_WEIGHTS)
    _checked("safety_factor", safety_factor, SAFETY_FACTORS)
    phi = math.radians(float(_checked("friction_angle_deg", friction_angle_deg,
                                      FRICTION_ANGLES)))
    alpha = math.pi / 4.0 + phi / 2.0
    block = height
    if width_m is not None:
        block = _block_height(height, _checked("width_m", width_m, WIDTHS), alpha, source, rows)
    # What the cohesion must supply, D = F − tan φ / tan α, and sin 2α: both exactly F and 1
    # at φ = 0, so the defaults give Mitchell et al.'s closed form to the last bit.
    driving = safety_factor - math.tan(phi) / math.tan(alpha)
    cohesion = unit_weight_kn_m3 * block / (2.0 * (1.0 / (driving * math.sin(2.0 * alpha))
                                                   + block / length))
    ucs = 2.0 * cohesion * math.cos(phi) / (1.0 - math.sin(phi))
    if np.ndim(ucs) == 0:
        return float(cohesion), float(ucs)
    return cohesion, ucs


def _block_height(height: np.ndarray, width: np.ndarray, alpha: float, source: str | None,
                  rows: bool) -> np.ndarray:
    """H_f = H − w tan α / 2 (m), refusing a width that leaves no block above the plane."""
    height, width = np.broadcast_arrays(height, width)
    block = height - width * math.tan(alpha) / 2.0
    bad = np.flatnonzero(~(block > 0))
    if bad.size:
        raise ValidationError([Problem(
            _("width %(width)s m behind a face %(height)s m high leaves no fill above its "
              "sliding plane at %(alpha)s°: expected a width below 2H / tan α = %(limit)s m",
              width=f"{width.flat[i]:.4g}", height=f"{height.flat[i]:.4g}",
              alpha=f"{math.degrees(alpha):.4g}",
              limit=f"{2.0 * height.flat[i] / math.tan(alpha):.4g}"),
            row=int(i) + 2 if rows else None, column="width_m", source=source)
            for i in (bad if rows else bad[:1])])
    return block


def _checked(name: str, value: float | np.ndarray, interval: Interval) -> np.ndarray:
    """``value`` as a float array after checking every element against ``interval``."""
    array = np.asarray(value, dtype=float)
    low = -np.inf if interval.low is None else interval.low
    high = np.inf if interval.high is None else interval.high
    bad = ~((array >= low) & (array <= high))  # NaN compares False: bad too
    if bad.any():
        first = array[bad].flat[0]
        raise ValidationError(Problem(_("expected %(expected)s, got %(value)s",
                                        expected=interval.describe(), value=repr(float(first))),
                                      column=name))
    return array


def required_strengths(exposures: pd.DataFrame, unit_weight_kn_m3: float,
                       safety_factor: float = 1.0, source: str | None = None, *,
                       friction_angle_deg: float = 0.0) -> pd.DataFrame:
    """The strength every exposure needs (:func:`mitchell_strength`).

    Parameters
    ----------
    exposures : pandas.DataFrame
        One row per exposed face: ``height_m`` (m) and ``length_m`` (m, the face's length
        between its side walls), optionally ``width_m`` (m, the fill's width behind the face,
        :data:`WIDTHS`; without the column H_f = H); other columns (a stope id) are kept.
    unit_weight_kn_m3 : float
        Unit weight of the fill, kN/m³.
    safety_factor : float
        Factor of safety.
    source : str, optional
        File name for the messages.
    friction_angle_deg : float
        Internal friction angle of the fill, degrees (:data:`FRICTION_ANGLES`; 0, the
        default, is Mitchell et al.'s cohesive fill).

    Returns
    -------
    pandas.DataFrame
        A copy with ``cohesion_kpa`` (c) and ``ucs_kpa`` (2 c cos φ / (1 − sin φ)) added, kPa.

    Raises
    ------
    ValidationError
        Every missing column and every bad cell (spreadsheet row: header = 1).
    """
    missing = [c for c in ("height_m", "length_m") if c not in exposures.columns]
    if missing:
        raise ValidationError([Problem(_("missing column %(column)r", column=c), column=c,
                                       source=source) for c in missing])
    _checked("unit_weight_kn_m3", unit_weight_kn_m3, UNIT_WEIGHTS)
    _checked("safety_factor", safety_factor, SAFETY_FACTORS)
    _checked("friction_angle_deg", friction_angle_deg, FRICTION_ANGLES)
    out = exposures.reset_index(drop=True).copy()
    problems = []
    widths = "width_m" in out.columns
    for column, interval in (("height_m", HEIGHTS), ("length_m", LENGTHS),
                             *((("width_m", WIDTHS),) if widths else ())):
        values = pd.to_numeric(out[column], errors="coerce")
        for i in np.flatnonzero(values.isna() | ~values.map(interval.contains)):
            problems.append(Problem(_("%(cell)s: expected %(expected)s",
                                      cell=shown_cell(out[column].iloc[i]),
                                      expected=interval.describe()),
                                    row=int(i) + 2, column=column, source=source))
        out[column] = values.astype(float)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise ValidationError(problems)
    cohesion, ucs = _mitchell(out["height_m"].to_numpy(), out["length_m"].to_numpy(),
                              unit_weight_kn_m3, safety_factor, friction_angle_deg,
                              out["width_m"].to_numpy() if widths else None, source, rows=True)
    out["cohesion_kpa"] = cohesion
    out["ucs_kpa"] = ucs
    return out


BALANCE_COLUMNS = ("period", "void_m3", "fill_m3", "open_void_m3", "solids_t", "binder_t",
                   "water_t", "tailings_in_fill_t", "tailings_produced_t",
                   "tailings_to_backfill_t", "tailings_to_facility_t", "tailings_shortfall_t",
                   "backfill_share")
"""Columns of :func:`fill_balance`."""


def fill_balance(mined_period: Sequence[int] | np.ndarray, fill_period: Sequence[int] | np.ndarray,
                 void_m3: Sequence[float] | np.ndarray, recipe: FillRecipe,
                 tailings_produced_t: Sequence[float] | np.ndarray) -> pd.DataFrame:
    """Per period of a schedule: the void to fill, the fill placed and the tailings it takes.

    A stope's void opens in the period it is mined and is filled, tight, in its fill period;
    the fill's tailings come from the plant's tailings of that period and the rest go to the
    tailings facility. When the fill needs more tailings than the plant produces, all of them
    go underground and the shortfall is reported (``tailings_shortfall_t``), never hidden by a
    negative tonnage.

    Parameters
    ----------
    mined_period : sequence of int
        Per stope, the period it is mined (0-based), or -1 when it is not scheduled.
    fill_period : sequence of int
        Per stope, the period it is filled (>= its mined period), or -1 when it is not filled
        within the periods.
    void_m3 : sequence of float
        Per stope, its void, m³ (>= 0).
    recipe : FillRecipe
        The fill placed.
    tailings_produced_t : sequence of float
        Per period, the tailings the plant produces, t (>= 0); its length is the number of
        periods.

    Returns
    -------
    pandas.DataFrame
        One row per period, :data:`BALANCE_COLUMNS`: ``void_m3`` opened by mining,
        ``fill_m3`` placed and ``open_void_m3`` left open at the period's end (m³);
        ``solids_t``, ``binder_t``, ``water_t`` and ``tailings_in_fill_t`` (solids − binder)
        of the fill placed (t); ``tailings_produced_t`` = ``tailings_to_backfill_t`` +
        ``tailings_to_facility_t`` (t); ``tailings_shortfall_t`` = tailings in fill − to
        backfill (t); ``backfill_share`` = to backfill / produced (fraction; NaN when nothing
        is produced).

    Raises
    ------
    ValidationError
        Listing every bad stope (row = stope index + 2, as in a spreadsheet) or period.
    """
    mined = np.asarray(mined_period)
    filled = np.asarray(fill_period)
    void = np.asarray(void_m3, dtype=float)
    produced = np.asarray(tailings_produced_t, dtype=float)
    n_periods = len(produced)
    problems = [Problem(_("%(value)s t: expected tonnes, a number >= 0", value=v),
                        row=int(i) + 2, column="tailings_produced_t")
                for i, v in enumerate(produced) if not np.isfinite(v) or v < 0]
    if not len(mined) == len(filled) == len(void):
        problems.append(Problem(_("%(mined)s mined periods, %(filled)s fill periods and "
                                  "%(voids)s voids: expected one of each per stope",
                                  mined=len(mined), filled=len(filled), voids=len(void))))
        raise ValidationError(problems)
    last = n_periods - 1
    for i in range(len(mined)):
        m, f, v = mined[i], filled[i], void[i]
        if not _is_period(m, last):
            problems.append(Problem(_("mined period %(value)s: expected -1 or a period from 0 "
                                      "to %(last)s", value=m, last=last),
                                    row=i + 2, column="mined_period"))
        elif not _is_period(f, last):
            problems.append(Problem(_("fill period %(value)s: expected -1 or a period from 0 "
                                      "to %(last)s", value=f, last=last),
                                    row=i + 2, column="fill_period"))
        elif f >= 0 and m < 0:
            problems.append(Problem(_("filled in period %(fill)s but never mined: expected "
                                      "fill period -1", fill=f),
                                    row=i + 2, column="fill_period"))
        elif f >= 0 and f < m:
            problems.append(Problem(_("filled in period %(fill)s before it is mined (period "
                                      "%(mined)s)", fill=f, mined=m),
                                    row=i + 2, column="fill_period"))
        if not np.isfinite(v) or v < 0:
            problems.append(Problem(_("%(value)s m³: expected a void >= 0", value=v),
                                    row=i + 2, column="void_m3"))
    if problems:
        raise ValidationError(problems)
    mined_i, filled_i = mined.astype(int), filled.astype(int)
    opened = np.bincount(mined_i[mined_i >= 0], void[mined_i >= 0], minlength=n_periods)
    fill = np.bincount(filled_i[filled_i >= 0], void[filled_i >= 0], minlength=n_periods)
    in_fill = fill * recipe.tailings_t_m3
    to_backfill = np.minimum(in_fill, produced)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(produced > 0, to_backfill / produced, np.nan)
    return pd.DataFrame({
        "period": np.arange(n_periods),
        "void_m3": opened,
        "fill_m3": fill,
        "open_void_m3": np.cumsum(opened - fill),
        "solids_t": fill * recipe.solids_t_m3,
        "binder_t": fill * recipe.binder_t_m3,
        "water_t": fill * recipe.water_t_m3,
        "tailings_in_fill_t": in_fill,
        "tailings_produced_t": produced,
        "tailings_to_backfill_t": to_backfill,
        # produced − min(in fill, produced) is >= 0 by construction: the facility never
        # receives a negative tonnage, a shortfall shows in its own column.
        "tailings_to_facility_t": produced - to_backfill,
        "tailings_shortfall_t": in_fill - to_backfill,
        "backfill_share": share,
    }, columns=list(BALANCE_COLUMNS))


def _is_period(value: object, last: int) -> bool:
    """Whether ``value`` is -1 (none) or an integer period from 0 to ``last``."""
    number = _number(value)
    return number is not None and number == int(number) and -1 <= number <= last
