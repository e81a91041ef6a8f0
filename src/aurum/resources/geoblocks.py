"""Geological blocks in the vertical longitudinal projection (垂直纵投影地质块段法).

The method of most Chinese reserve verification reports of vein gold: each industrial
intercept (工业矿体见矿工程) of one orebody is a pierce point in the vertical plane along the
strike; its block is the part of the orebody outline nearer to it than to any other pierce
point (its Voronoi cell), and the block's ore is its area times the intercept's horizontal
thickness times the density, at the intercept's grade.

The rules, exactly:

1. Pierce points: each intercept's mid-point ``(x, y, z)`` projected by
   :func:`aurum.resources.orebody.project` to ``(u, v)`` (m along the strike, elevation). Only
   ``industrial`` intercepts make blocks (low-grade ones are left out); one intercept per hole
   (one orebody at a time), and no two pierce points closer than :data:`DUPLICATE_M`.
2. Thickness: the true thickness is recomputed from each intercept's length and the hole's
   direction there (``azimuth``, ``dip`` positive down) and the orebody attitude given
   (:func:`~aurum.resources.orebody.true_thickness`, length × |hole · normal|); the horizontal
   thickness, perpendicular to the projection plane, is true / sin(orebody dip), so that
   projected area × horizontal thickness is the block's volume.
3. Blocks: the Voronoi cells of the pierce points in ``(u, v)`` (scipy's Qhull, as the dual of
   :class:`scipy.spatial.Delaunay`: the circumcentres of the triangles around each point),
   made finite by four far points placed so that they change no cell inside the outline,
   clipped to the outline with shapely. Tonnes = area × horizontal thickness × density;
   metal (kg) = tonnes × grade (g/t) / 1000; a total's or a category's grade = metal / tonnes.
4. Outline: given (``u, v`` vertices of a simple polygon, at least 3, containing — or touching
   — every pierce point), or drawn from the pierce points: their convex hull pushed outward
   by a distance measured in the orebody plane (along the strike and down the dip: the
   projection is unfolded by v / sin(dip), pushed, folded back). The distance is either half
   the mean natural-neighbour spacing (``"half_spacing"``: the mean length, in the orebody
   plane, of the Delaunay edges between pierce points — the field's "half the spacing"
   extrapolation) or a fixed distance in metres. Each hull edge moves outward by that
   distance, corners mitred (bevelled where a mitre would reach past :data:`MITRE_LIMIT`
   times the distance). One pierce point becomes a square of side twice the distance; two, or
   any number in one line, a rectangle around their segment reaching the distance past each
   end. One pierce point has no spacing: it needs an outline or a fixed distance.
5. Categories (GB/T 17766-2020 codes ``measured`` / ``indicated`` / ``inferred``) by the drill
   spacing rules (:class:`SpacingRules`, DZ/T 0205-2020's reference grids, overridable). A
   block's spacing is measured to its natural neighbours: the pierce points joined to its own
   by an edge of the Delaunay triangulation in ``(u, v)`` (consecutive points when all lie in
   one line). Each edge is split into its along-strike part |Δu| and its down-dip part
   |Δv| / sin(dip) (DZ/T 0205-2020 measures spacings along the orebody's strike and dip lines);
   the block's spacing is the largest of each over its edges. The block is ``measured`` when
   both fit the measured grid, else ``indicated`` when both fit the indicated grid, else
   ``inferred``; a block with no neighbour (a single hole) is ``inferred``.
6. Extrapolation: the part of the outline outside the convex hull of the pierce points is
   extrapolated ore, at best inferred. A block straddling the hull is classed by its least
   known part: any of its area outside the hull (beyond :data:`EXTRAPOLATED_TOLERANCE` of its
   area, float noise) makes the whole block ``inferred``. Simple and conservative: a block
   is one estimate (one hole's thickness and grade), so it carries one confidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely
import yaml
from scipy.spatial import Delaunay, KDTree

from aurum.core.checks import (
    EXTRAPOLATIONS,
    MAX_BLOCK_INTERCEPTS,
    MAX_OUTLINE_VERTICES,
    ORE_DENSITIES,
    Interval,
)
from aurum.core.errors import Problem, ValidationError, shown_cell
from aurum.core.files import write_atomic
from aurum.core.i18n import _
from aurum.core.tables import RowProblems, for_export, read_csv, require_rows, with_columns
from aurum.resources.gbt17766 import RESOURCE_CODES
from aurum.resources.orebody import check_attitude, project, true_thickness

__all__ = ["BLOCK_COLUMNS", "CSV_COLUMNS", "GeoBlocks", "SpacingRules", "geological_blocks",
           "read_intercepts", "read_outline", "run_geoblocks", "write_geoblocks"]

SPACING_FILE = "spacing_rules.yaml"
"""The reference drill spacings, in ``aurum/resources/data``."""

INTERCEPT_FIELDS = ("hole", "length_m", "grade", "category", "x", "y", "z", "azimuth", "dip")
"""Columns of the intercept table (:mod:`aurum.resources.delineate`) the blocks are built from;
the others (``from_m``, ``true_thickness_m``, ...) may be present and are not read."""

BLOCK_COLUMNS = ("hole", "u", "v", "area_m2", "thickness_h_m", "tonnes", "grade", "metal_kg",
                 "category")
"""Columns of :attr:`GeoBlocks.blocks`."""

CSV_COLUMNS = ("hole", "area_m2", "thickness_h_m", "tonnes", "grade", "metal_kg", "category")
"""Columns of the blocks file ``aurum resources geoblocks`` writes."""

INDUSTRIAL = "industrial"
"""The intercept category that makes blocks."""

INTERCEPT_CATEGORIES = ("industrial", "low_grade")

DUPLICATE_M = 1e-3
"""Two pierce points closer than this (m) are one point: their cells would be undefined (and
Qhull, working to about 1e-13 of the drilling's extent, keeps every point further apart)."""

SPACING_TOLERANCE = 1e-9
"""Relative slack when a spacing is compared with a grid: a hole drilled on the grid is on it
even when the coordinates carry float noise."""

EXTRAPOLATED_TOLERANCE = 1e-9
"""Fraction of a block's area outside the pierce points' hull taken as float noise."""

FLAT_TRIANGLE = 1e-9
"""A Delaunay triangle whose area is below this fraction of its longest side squared is flat
(its holes in one line to float precision) and joins no natural neighbours."""

SAME_VERTEX = 1e-9
"""Voronoi vertices closer than this fraction of the drilling's extent are one vertex."""

MITRE_LIMIT = 5.0
"""A pushed-out hull's corner reaches at most this many extrapolation distances from the
corner pierce point before it is bevelled (shapely's mitre limit)."""

SPACINGS = Interval(0.0, 10_000.0, "m")
"""Drill spacings a rule may state, m (above 0)."""

AZIMUTHS = Interval(0.0, 360.0, "°")
HOLE_DIPS = Interval(-90.0, 90.0, "°")

_RULE_FIELDS = ("indicated_strike_m", "indicated_dip_m", "measured_strike_m", "measured_dip_m")


@lru_cache(maxsize=1)
def _reference_document() -> dict[str, Any]:
    text = (resources.files("aurum.resources") / "data" / SPACING_FILE).read_text(
        encoding="utf-8")
    doc: dict[str, Any] = yaml.safe_load(text)
    return doc


@dataclass(frozen=True)
class SpacingRules:
    """Drill spacings that make a block measured (探明) or indicated (控制), by exploration type.

    Parameters
    ----------
    exploration_type : str
        勘查类型 (``"I"``, ``"II"``, ``"III"`` of DZ/T 0205-2020, or a project's own name).
    indicated_strike_m, indicated_dip_m : float
        Widest spacing along the strike and down the dip (in the orebody plane) of an
        indicated block, m.
    measured_strike_m, measured_dip_m : float
        The same for a measured block, m; at most the indicated spacing.
    """

    exploration_type: str
    indicated_strike_m: float
    indicated_dip_m: float
    measured_strike_m: float
    measured_dip_m: float

    @classmethod
    def reference(cls, exploration_type: str | None = None) -> SpacingRules:
        """DZ/T 0205-2020's reference grid for rock gold (``data/spacing_rules.yaml``).

        Parameters
        ----------
        exploration_type : str, optional
            ``"I"``, ``"II"`` or ``"III"``; the file's default (``II``) when None.

        Returns
        -------
        SpacingRules
            The 控制 grid of table F.1 (upper end of its range) and the 探明 grid densified
            by the file's ``measured_densification`` (halved).

        Raises
        ------
        ValidationError
            An exploration type the table does not have.
        """
        doc = _reference_document()
        kind = doc["default_exploration_type"] if exploration_type is None else exploration_type
        types = doc["exploration_types"]
        if kind not in types:
            raise ValidationError(Problem(
                _("unknown exploration type %(value)s: expected one of %(types)s",
                  value=repr(kind), types=", ".join(types)), column="exploration_type"))
        row, k = types[kind], float(doc["measured_densification"])
        return cls(str(kind), float(row["indicated_strike_m"]), float(row["indicated_dip_m"]),
                   float(row["indicated_strike_m"]) / k, float(row["indicated_dip_m"]) / k)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> SpacingRules:
        """Rules from a mapping: a reference exploration type, any of its spacings overridden.

        Parameters
        ----------
        values : mapping
            ``exploration_type`` (default ``II``) and any of ``indicated_strike_m``,
            ``indicated_dip_m``, ``measured_strike_m``, ``measured_dip_m`` (m). A type the
            table does not have must give all four.

        Raises
        ------
        ValidationError
            One problem per bad field: not a number above 0 and at most 10,000 m, a measured
            spacing wider than the indicated one, a field missing for a project's own type.
        """
        kind = str(values.get("exploration_type", _reference_document()[
            "default_exploration_type"]))
        base = (cls.reference(kind).as_dict() if kind in _reference_document()[
            "exploration_types"] else {})
        merged = {**base, **{k: values[k] for k in _RULE_FIELDS if k in values}}
        problems: list[Problem] = []
        for name in _RULE_FIELDS:
            value = merged.get(name)
            if value is None:
                problems.append(Problem(_("missing: a spacing in metres"), column=name))
                continue
            try:
                SPACINGS.check(name, value)
                if value <= 0:
                    raise ValidationError(Problem(_("expected a spacing above 0 m, got %(value)s",
                                                    value=repr(value)), column=name))
            except ValidationError as err:
                problems.extend(err.problems)
        if not problems:
            for direction in ("strike", "dip"):
                if merged[f"measured_{direction}_m"] > merged[f"indicated_{direction}_m"]:
                    problems.append(Problem(
                        _("the measured spacing (%(measured)s m) is wider than the indicated "
                          "one (%(indicated)s m): a measured block is drilled closer",
                          measured=merged[f"measured_{direction}_m"],
                          indicated=merged[f"indicated_{direction}_m"]),
                        column=f"measured_{direction}_m"))
        if problems:
            raise ValidationError(problems)
        return cls(kind, *(float(merged[k]) for k in _RULE_FIELDS))

    def as_dict(self) -> dict[str, Any]:
        """The rules as a plain mapping (``from_mapping`` reads it back)."""
        return {"exploration_type": self.exploration_type,
                **{k: getattr(self, k) for k in _RULE_FIELDS}}

    def classify(self, strike_m: np.ndarray, dip_m: np.ndarray) -> np.ndarray:
        """Category codes of blocks from their spacings.

        Parameters
        ----------
        strike_m, dip_m : numpy.ndarray
            Each block's widest spacing to its natural neighbours along the strike and down
            the dip, m; NaN for a block without neighbours.

        Returns
        -------
        numpy.ndarray
            ``"measured"``, ``"indicated"`` or ``"inferred"`` per block.
        """
        slack = 1.0 + SPACING_TOLERANCE
        strike_m, dip_m = np.asarray(strike_m, float), np.asarray(dip_m, float)
        measured = ((strike_m <= self.measured_strike_m * slack)
                    & (dip_m <= self.measured_dip_m * slack))
        indicated = ((strike_m <= self.indicated_strike_m * slack)
                     & (dip_m <= self.indicated_dip_m * slack))
        return np.where(measured, RESOURCE_CODES[0],
                        np.where(indicated, RESOURCE_CODES[1], RESOURCE_CODES[2]))


@dataclass(frozen=True)
class GeoBlocks:
    """A geological-block estimate of one orebody.

    Attributes
    ----------
    blocks : pandas.DataFrame
        One row per industrial intercept, in the intercepts' order: :data:`BLOCK_COLUMNS`
        (``u``, ``v`` the pierce point, m; ``area_m2`` in the projection; ``thickness_h_m``
        horizontal thickness, m; ``tonnes``; ``grade`` g/t; ``metal_kg``; ``category``).
    polygons : list of numpy.ndarray
        Each block's outline in the projection, ``(n, 2)`` ``u, v`` vertices (the ring closed:
        last vertex = first); a block cut in pieces by a concave outline has its pieces
        one after another, separated by a row of NaN (as Plotly draws filled shapes).
    outline : numpy.ndarray
        ``(n, 2)`` vertices of the orebody outline used (given or extrapolated), not closed.
    tonnes, grade, metal_kg : float
        Totals: ore (t), grade (g/t, metal / tonnes), metal (kg).
    hull : numpy.ndarray
        ``(n, 2)`` vertices of the convex hull of the pierce points (one or two points when
        they enclose no area): outside it the outline is extrapolated.
    extrapolation_m : float or None
        Distance the hull was pushed out by (m, in the orebody plane); None for a given outline.
    rules : SpacingRules
        The spacing rules the categories follow.
    classing : pandas.DataFrame
        Why each block has its category: ``hole``, ``spacing_strike_m``, ``spacing_dip_m``
        (widest spacing to its natural neighbours, m; NaN without neighbours) and
        ``extrapolated_m2`` (its area outside the hull).
    """

    blocks: pd.DataFrame
    polygons: list[np.ndarray]
    outline: np.ndarray
    tonnes: float
    grade: float
    metal_kg: float
    hull: np.ndarray
    extrapolation_m: float | None
    rules: SpacingRules
    classing: pd.DataFrame

    def by_category(self) -> pd.DataFrame:
        """The resource table by GB/T 17766-2020 category (矿石量, 平均品位, 金属量).

        Returns
        -------
        pandas.DataFrame
            ``category`` (measured, indicated, inferred, every one listed), ``tonnes`` (t),
            ``grade`` (g/t, NaN for a category without ore), ``metal_kg`` (kg).
        """
        sums = (self.blocks.groupby("category")[["tonnes", "metal_kg"]].sum()
                .reindex(list(RESOURCE_CODES), fill_value=0.0))
        tonnes = sums["tonnes"].to_numpy(float)
        metal = sums["metal_kg"].to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            grade = np.where(tonnes > 0, metal * 1000.0 / tonnes, np.nan)
        return pd.DataFrame({"category": list(RESOURCE_CODES), "tonnes": tonnes,
                             "grade": grade, "metal_kg": metal})


def geological_blocks(intercepts: pd.DataFrame, strike_deg: float, dip_deg: float,
                      density_t_m3: float, outline: np.ndarray | None = None,
                      extrapolation: Literal["half_spacing"] | float = "half_spacing",
                      spacing: SpacingRules | None = None, *,
                      intercepts_source: str | None = None,
                      outline_source: str | None = None) -> GeoBlocks:
    """Estimate one orebody by geological blocks in the vertical longitudinal projection.

    Parameters
    ----------
    intercepts : pandas.DataFrame
        The intercept table (:data:`INTERCEPT_FIELDS` at least): ``hole``, ``length_m`` (m
        along the hole), ``grade`` (g/t), ``category`` (``industrial`` | ``low_grade``), the
        mid-point ``x, y, z`` (m; east, north, elevation) and the hole's ``azimuth`` (° from
        north) and ``dip`` (° below the horizontal, positive down) there.
    strike_deg : float
        Orebody strike, degrees clockwise from north, 0–360 (right-hand rule: it dips towards
        strike + 90°).
    dip_deg : float
        Orebody dip, degrees below the horizontal, in (0, 90].
    density_t_m3 : float
        Ore density, t/m³ (:data:`~aurum.core.checks.ORE_DENSITIES`).
    outline : numpy.ndarray, optional
        ``(n, 2)`` ``u, v`` vertices (m) of the orebody outline in the projection, not closed;
        drawn from the pierce points by ``extrapolation`` when None.
    extrapolation : "half_spacing" or float
        How far the pierce points' hull is pushed out when no outline is given: half the mean
        natural-neighbour spacing, or a distance in metres (in the orebody plane).
    spacing : SpacingRules, optional
        The spacing rules; DZ/T 0205-2020's exploration type II reference grid when None.
    intercepts_source, outline_source : str, optional
        File names the messages name.

    Returns
    -------
    GeoBlocks
        The blocks, their polygons, the outline, the totals and why each block has its
        category.

    Raises
    ------
    ValidationError
        A bad attitude or density; a missing column or a bad cell (by row and column); no
        industrial intercept, more than :data:`~aurum.core.checks.MAX_BLOCK_INTERCEPTS`, two
        for one hole, two at one point; an outline that is not a simple polygon of 3 to
        :data:`~aurum.core.checks.MAX_OUTLINE_VERTICES` vertices or leaves pierce points out
        (they are named); a single pierce point without an outline or a fixed distance.
    """
    _check_scalars(strike_deg, dip_deg, density_t_m3)
    rules = SpacingRules.reference() if spacing is None else spacing
    table = _checked_intercepts(intercepts, intercepts_source)
    ore = table[table["category"] == INDUSTRIAL].reset_index(drop=True)
    rows = np.flatnonzero(table["category"].to_numpy() == INDUSTRIAL) + 2
    _check_industrial(ore, rows, intercepts_source)
    u, v = project(ore["x"], ore["y"], ore["z"], strike_deg)
    points = np.column_stack([u, v])
    _check_distinct(points, ore["hole"], rows, intercepts_source)

    sin_dip = np.sin(np.radians(dip_deg))
    edges = _natural_neighbours(points)
    along = np.abs(points[edges[:, 0], 0] - points[edges[:, 1], 0])
    down = np.abs(points[edges[:, 0], 1] - points[edges[:, 1], 1]) / sin_dip
    # The geometry is built about a whole-metre origin among the pierce points: a vein's
    # coordinates run to millions of metres (tens of millions with a zone prefix) and its
    # blocks' areas would otherwise carry the float noise of those.
    origin = np.round(points.mean(axis=0))
    local = points - origin
    hull = shapely.convex_hull(shapely.multipoints(local))

    if outline is None:
        distance = _extrapolation_distance(extrapolation, np.hypot(along, down), len(points))
        shape = _extrapolated_outline(local, sin_dip, distance)
        extrapolation_m: float | None = distance
    else:
        shape = shapely.transform(
            _checked_outline(outline, points, ore["hole"], outline_source),
            lambda xy: xy - origin)
        extrapolation_m = None

    cells = _clipped_cells(local, shape)
    area = shapely.area(cells)
    extrapolated = _outside_area(cells, area, hull)

    strike_spacing = _widest(along, edges, len(points))
    dip_spacing = _widest(down, edges, len(points))
    category = rules.classify(strike_spacing, dip_spacing)
    category = np.where(extrapolated > EXTRAPOLATED_TOLERANCE * area, RESOURCE_CODES[2],
                        category).astype(object)

    thickness_h = true_thickness(ore["length_m"], ore["azimuth"], ore["dip"], strike_deg,
                                 dip_deg) / sin_dip
    tonnes = area * thickness_h * density_t_m3
    grade = ore["grade"].to_numpy(float)
    metal = tonnes * grade / 1000.0
    blocks = pd.DataFrame({"hole": ore["hole"].to_numpy(object), "u": u, "v": v,
                           "area_m2": area, "thickness_h_m": thickness_h, "tonnes": tonnes,
                           "grade": grade, "metal_kg": metal, "category": category})
    total_t, total_kg = float(tonnes.sum()), float(metal.sum())
    return GeoBlocks(
        blocks=blocks, polygons=_rings(shapely.transform(cells, lambda xy: xy + origin)),
        outline=_vertices(shape) + origin,
        tonnes=total_t, grade=total_kg * 1000.0 / total_t if total_t > 0 else float("nan"),
        metal_kg=total_kg, hull=_vertices(hull) + origin,
        extrapolation_m=extrapolation_m, rules=rules,
        classing=pd.DataFrame({"hole": blocks["hole"], "spacing_strike_m": strike_spacing,
                               "spacing_dip_m": dip_spacing, "extrapolated_m2": extrapolated}))


def read_intercepts(path: Path) -> pd.DataFrame:
    """Read and check an intercept table (INTERCEPTS.csv of ``aurum resources delineate``).

    Parameters
    ----------
    path : Path
        CSV with :data:`INTERCEPT_FIELDS` (other columns are ignored).

    Returns
    -------
    pandas.DataFrame
        ``hole`` and ``category`` as text, the other fields as floats (m, g/t, °).

    Raises
    ------
    ValidationError
        An unreadable or empty file, a missing column, a bad cell (by row and column).
    """
    frame = read_csv(path, path.name, "intercepts", dtype=str, keep_default_na=False,
                     encoding="utf-8-sig", skipinitialspace=True)
    return _checked_intercepts(require_rows(frame, path.name), path.name)


def read_outline(path: Path) -> np.ndarray:
    """Read an orebody outline (OUTLINE.csv: ``u, v`` in metres, a closed polygon without the
    repeated first vertex).

    Parameters
    ----------
    path : Path
        The CSV file.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` vertices, m; the polygon itself is checked by :func:`geological_blocks`.

    Raises
    ------
    ValidationError
        An unreadable or empty file, a missing column, a cell that is not a number, more than
        :data:`~aurum.core.checks.MAX_OUTLINE_VERTICES` vertices.
    """
    frame = read_csv(path, path.name, "outline", dtype=str, keep_default_na=False,
                     encoding="utf-8-sig", skipinitialspace=True)
    frame = with_columns(require_rows(frame, path.name), ("u", "v"), path.name)
    _check_vertex_count(len(frame), path.name)
    problems = RowProblems(path.name)
    values = {c: _numbers(frame[c], c, problems) for c in ("u", "v")}
    if problems:
        raise ValidationError(problems)
    return np.column_stack([values["u"], values["v"]])


def write_geoblocks(path: Path, estimate: GeoBlocks) -> None:
    """Write the blocks file (:data:`CSV_COLUMNS`) atomically: the old file or the new one,
    never half of one.

    Parameters
    ----------
    path : Path
        BLOCKS.csv to create or replace; its directory must exist.
    estimate : GeoBlocks
        The estimate whose blocks are written (numbers to 12 significant digits, hole names
        inert for a spreadsheet).
    """
    frame = for_export(estimate.blocks.loc[:, list(CSV_COLUMNS)])
    write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False))


def run_geoblocks(intercepts_path: Path, strike_deg: float, dip_deg: float,
                  density_t_m3: float, outline_path: Path | None, out_path: Path) -> GeoBlocks:
    """What ``aurum resources geoblocks`` does: read, estimate, write the blocks file.

    Parameters
    ----------
    intercepts_path : Path
        INTERCEPTS.csv (:func:`read_intercepts`).
    strike_deg, dip_deg : float
        Orebody attitude, degrees (right-hand rule), as in :func:`geological_blocks`.
    density_t_m3 : float
        Ore density, t/m³.
    outline_path : Path or None
        OUTLINE.csv (:func:`read_outline`); None draws the outline from the pierce points
        (half the mean spacing beyond them).
    out_path : Path
        BLOCKS.csv, written only when everything was accepted.

    Returns
    -------
    GeoBlocks
        The estimate written.
    """
    _check_scalars(strike_deg, dip_deg, density_t_m3)
    if not out_path.parent.is_dir():
        raise ValidationError(Problem(_("the folder %(folder)s does not exist; expected an "
                                        "existing folder", folder=out_path.parent),
                                      source=out_path.name))
    intercepts = read_intercepts(intercepts_path)
    outline = None if outline_path is None else read_outline(outline_path)
    estimate = geological_blocks(
        intercepts, strike_deg, dip_deg, density_t_m3, outline,
        intercepts_source=intercepts_path.name,
        outline_source=None if outline_path is None else outline_path.name)
    write_geoblocks(out_path, estimate)
    return estimate


# Checks.

def _check_scalars(strike_deg: float, dip_deg: float, density_t_m3: float) -> None:
    problems: list[Problem] = []
    for check in (lambda: check_attitude(strike_deg, dip_deg),
                  lambda: ORE_DENSITIES.check("density", density_t_m3)):
        try:
            check()
        except ValidationError as err:
            problems.extend(err.problems)
    if problems:
        raise ValidationError(problems)


def _numbers(column: pd.Series, name: str, problems: RowProblems) -> np.ndarray:
    """A column as floats; each blank or non-numeric or infinite cell a problem."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(float)
    bad = ~np.isfinite(values)
    problems.flag(bad, name, _("expected a number, got {value}"), value=_shown(column, bad))
    return values


def _shown(column: pd.Series, bad: np.ndarray) -> pd.Series:
    """The cells of ``column`` as a message quotes them, on the ``bad`` rows (the others are
    never read: quoting every cell of a large table costs more than checking it)."""
    return column[bad].map(shown_cell).reindex(column.index)


def _checked_intercepts(frame: pd.DataFrame, source: str | None) -> pd.DataFrame:
    frame = with_columns(frame, INTERCEPT_FIELDS, source)
    problems = RowProblems(source)
    hole = frame["hole"].astype("string").fillna("").str.strip()
    problems.flag(hole.eq("").to_numpy(), "hole", _("expected a hole name, got a blank cell"))
    values = {c: _numbers(frame[c], c, problems)
              for c in ("length_m", "grade", "x", "y", "z", "azimuth", "dip")}
    with np.errstate(invalid="ignore"):
        problems.flag(values["length_m"] <= 0, "length_m",
                      _("expected a length above 0 m, got {value}"), value=values["length_m"])
        problems.flag(values["grade"] < 0, "grade",
                      _("expected a grade of at least 0, got {value}"), value=values["grade"])
        for name, bounds in (("azimuth", AZIMUTHS), ("dip", HOLE_DIPS)):
            outside = ((values[name] < bounds.low) | (values[name] > bounds.high))
            problems.flag(outside, name, _("expected {expected}, got {value}"),
                          value=values[name], expected=np.full(len(frame), bounds.describe()))
    category = frame["category"].astype("string").fillna("").str.strip().str.lower()
    unknown = ~category.isin(INTERCEPT_CATEGORIES).to_numpy()
    problems.flag(unknown, "category", _("expected industrial or low_grade, got {value}"),
                  value=_shown(frame["category"], unknown))
    if problems:
        raise ValidationError(problems)
    return pd.DataFrame({"hole": hole.astype(str).to_numpy(object),
                         "category": category.astype(str).to_numpy(object), **values})


def _check_industrial(ore: pd.DataFrame, rows: np.ndarray, source: str | None) -> None:
    if ore.empty:
        raise ValidationError(Problem(
            _("no industrial intercept: the block method estimates industrial orebodies only "
              "(category industrial)"), column="category", source=source))
    if len(ore) > MAX_BLOCK_INTERCEPTS:
        raise ValidationError(Problem(
            _("%(n)s industrial intercepts, more than the %(limit)s one estimate takes",
              n=format(len(ore), ","), limit=format(MAX_BLOCK_INTERCEPTS, ",")),
            source=source))
    repeated = ore["hole"].duplicated(keep="first").to_numpy()
    if repeated.any():
        first = dict(zip(ore["hole"][~repeated], rows[~repeated], strict=True))
        raise ValidationError([Problem(
            _("hole %(hole)s has another industrial intercept on row %(first)s: the block "
              "method estimates one orebody at a time, so give one intercept per hole",
              hole=hole, first=first[hole]), row=int(row), column="hole", source=source)
            for hole, row in zip(ore["hole"][repeated], rows[repeated], strict=True)])


def _check_distinct(points: np.ndarray, holes: pd.Series, rows: np.ndarray,
                    source: str | None) -> None:
    pairs = KDTree(points).query_pairs(DUPLICATE_M, output_type="ndarray")
    if len(pairs):
        names = holes.to_numpy(object)
        raise ValidationError([Problem(
            _("holes %(first)s and %(second)s pierce the orebody at the same point of the "
              "projection (u %(u)s m, v %(v)s m): one of them is not of this orebody",
              first=names[i], second=names[j], u=f"{points[i, 0]:.3f}",
              v=f"{points[i, 1]:.3f}"), row=int(rows[j]), column="hole", source=source)
            for i, j in np.sort(pairs, axis=1)])


def _check_vertex_count(n: int, source: str | None) -> None:
    if n > MAX_OUTLINE_VERTICES:
        raise ValidationError(Problem(
            _("the outline has %(n)s vertices, more than the %(limit)s allowed",
              n=format(n, ","), limit=format(MAX_OUTLINE_VERTICES, ",")), source=source))


def _checked_outline(outline: np.ndarray, points: np.ndarray, holes: pd.Series,
                     source: str | None) -> shapely.Polygon:
    """The given outline as a polygon once it is simple and holds every pierce point."""
    vertices = np.asarray(outline, float)
    if vertices.ndim != 2 or vertices.shape[1] != 2 or not np.isfinite(vertices).all():
        raise ValidationError(Problem(_("expected the outline as finite u, v vertices in m"),
                                      source=source))
    if len(vertices) > 1 and np.array_equal(vertices[0], vertices[-1]):
        vertices = vertices[:-1]  # a ring closed by repeating its first vertex is the same ring
    _check_vertex_count(len(vertices), source)
    if len(vertices) < 3:
        raise ValidationError(Problem(
            _("the outline has %(n)s vertices; a polygon needs at least 3", n=len(vertices)),
            source=source))
    shape = shapely.Polygon(vertices)
    if not shapely.is_valid(shape) or not shape.exterior.is_simple or shape.area <= 0:
        raise ValidationError(Problem(
            _("the outline is not a simple polygon (%(reason)s): its edges must not cross or "
              "touch each other and it must enclose an area",
              reason=shapely.is_valid_reason(shape)), source=source))
    shapely.prepare(shape)
    outside = ~shapely.covers(shape, shapely.points(points))
    if outside.any():
        names = holes.to_numpy(object)[outside]
        where = "; ".join(f"{name} (u {p[0]:.2f} m, v {p[1]:.2f} m)"
                          for name, p in zip(names[:10], points[outside][:10], strict=False))
        raise ValidationError(Problem(
            _("the outline does not contain the pierce points of %(n)s holes: %(holes)s%(more)s",
              n=int(outside.sum()), holes=where,
              more="" if len(names) <= 10 else _(" and %(more)s more", more=len(names) - 10)),
            source=source))
    return shape


# Geometry.

def _natural_neighbours(points: np.ndarray) -> np.ndarray:
    """``(m, 2)`` index pairs ``i < j`` of the Delaunay edges between the pierce points
    (consecutive points along the line when they all lie in one, none for a single point)."""
    n = len(points)
    if n < 2:
        return np.empty((0, 2), dtype=np.intp)
    centred = points - points.mean(axis=0)
    singular = np.linalg.svd(centred, compute_uv=False)
    if n == 2 or singular[1] <= 1e-9 * singular[0]:
        axis = np.linalg.svd(centred, full_matrices=False)[2][0]
        order = np.argsort(centred @ axis, kind="stable")
        return np.sort(np.column_stack([order[:-1], order[1:]]), axis=1)
    simplices = Delaunay(centred).simplices
    # Holes in one line along the hull (a row of a drilling grid) are collinear only to float
    # precision and Qhull joins them by flat triangles whose long side skips the middle hole:
    # a triangle flatter than FLAT_TRIANGLE (area over its longest side squared) is no
    # neighbourhood and is left out.
    corner = centred[simplices]
    sides = corner - np.roll(corner, 1, axis=1)
    longest = (sides ** 2).sum(axis=2).max(axis=1)
    doubled = np.abs(sides[:, 0, 0] * sides[:, 1, 1] - sides[:, 0, 1] * sides[:, 1, 0])
    simplices = simplices[doubled > 2.0 * FLAT_TRIANGLE * longest]
    edges = np.concatenate([simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [0, 2]]])
    edges = np.sort(edges, axis=1)
    key = np.unique(edges[:, 0] * n + edges[:, 1])
    return np.column_stack([key // n, key % n])


def _widest(values: np.ndarray, edges: np.ndarray, n: int) -> np.ndarray:
    """Per point, the largest of ``values`` over its edges (NaN for a point without one)."""
    out = np.full(n, -np.inf)
    np.maximum.at(out, edges[:, 0], values)
    np.maximum.at(out, edges[:, 1], values)
    return np.where(np.isfinite(out), out, np.nan)


def _extrapolation_distance(extrapolation: Literal["half_spacing"] | float,
                            edge_lengths: np.ndarray, n: int) -> float:
    if isinstance(extrapolation, str):
        if extrapolation != "half_spacing":
            raise ValidationError(Problem(
                _("expected half_spacing or a distance in m, got %(value)s",
                  value=repr(extrapolation)), column="extrapolation"))
        if n < 2:
            raise ValidationError(Problem(
                _("one pierce point has no spacing to extrapolate by half of: give the "
                  "orebody outline or a fixed extrapolation distance"),
                column="extrapolation"))
        return float(edge_lengths.mean()) / 2.0
    EXTRAPOLATIONS.check("extrapolation", extrapolation)
    return float(extrapolation)


def _extrapolated_outline(points: np.ndarray, sin_dip: float, distance: float
                          ) -> shapely.Polygon:
    """The pierce points' hull pushed out by ``distance`` in the orebody plane."""
    unfolded = points / np.array([1.0, sin_dip])
    hull = shapely.convex_hull(shapely.multipoints(unfolded))
    pushed = shapely.buffer(hull, distance, cap_style="square", join_style="mitre",
                            mitre_limit=MITRE_LIMIT)
    if not isinstance(pushed, shapely.Polygon) or pushed.area <= 0:
        raise ValidationError(Problem(
            _("the pierce points enclose no area and the extrapolation distance is 0 m: give "
              "the orebody outline or a distance above 0"), column="extrapolation"))
    folded = shapely.get_coordinates(pushed.exterior)[:-1] * np.array([1.0, sin_dip])
    return shapely.Polygon(folded)


def _clipped_cells(points: np.ndarray, shape: shapely.Polygon) -> np.ndarray:
    """Each pierce point's Voronoi cell (scipy's Qhull) clipped to ``shape`` (shapely), in
    order.

    The cells are built from their dual, the Delaunay triangulation
    (:class:`scipy.spatial.Delaunay`): a point's cell is the polygon of the circumcentres of
    the triangles around it, in angle order. That is what :class:`scipy.spatial.Voronoi`
    computes with the same Qhull, without its regions as lists of lists.
    """
    n = len(points)
    low = np.minimum(points.min(axis=0), shape.bounds[:2])
    high = np.maximum(points.max(axis=0), shape.bounds[2:])
    centre, size = (low + high) / 2.0, max(float(np.hypot(*(high - low))), 1.0)
    # Far points make every real cell finite. A point x of the outline is within `size` of
    # its nearest pierce point and more than 4·√2·size − size/2 > size from any far point,
    # so no far point changes a cell inside the outline. Qhull works on coordinates centred
    # on the drilling (a vein's eastings are millions of metres; its cells tens).
    far = 4.0 * size * np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
    triangulation = Delaunay(np.vstack([points - centre, far]))
    simplices = triangulation.simplices
    circumcentres = _circumcentres(triangulation.points[simplices])
    owner = simplices.ravel()
    corners = np.repeat(circumcentres, 3, axis=0)
    keep = owner < n
    owner, corners = owner[keep], corners[keep] + centre
    # A cell is convex around its own point: its vertices in angle order make its ring.
    angle = np.arctan2(corners[:, 1] - points[owner, 1], corners[:, 0] - points[owner, 0])
    order = np.lexsort((angle, owner))
    cells = shapely.polygons(shapely.linearrings(corners[order], indices=owner[order]))
    # Four or more pierce points on one circle (a drilling grid) make one Voronoi vertex of
    # several triangles, their circumcentres equal to float noise, whose angle order is noise:
    # the same vertex twice in a ring can spike back on itself. Merged.
    cells = shapely.remove_repeated_points(cells, SAME_VERTEX * size)
    shapely.prepare(shape)
    inside = shapely.contains_properly(shape, cells)
    clipped = cells.copy()
    clipped[~inside] = shapely.intersection(cells[~inside], shape)
    return clipped


def _circumcentres(triangles: np.ndarray) -> np.ndarray:
    """Centres of the circles through each triangle's corners, ``(m, 3, 2)`` → ``(m, 2)``."""
    a, b, c = triangles[:, 0], triangles[:, 1], triangles[:, 2]
    b, c = b - a, c - a
    d = 2.0 * (b[:, 0] * c[:, 1] - b[:, 1] * c[:, 0])
    bb, cc = (b ** 2).sum(axis=1), (c ** 2).sum(axis=1)
    x = (c[:, 1] * bb - b[:, 1] * cc) / d
    y = (b[:, 0] * cc - c[:, 0] * bb) / d
    return a + np.column_stack([x, y])


def _outside_area(cells: np.ndarray, area: np.ndarray, hull: shapely.Geometry) -> np.ndarray:
    """Each cell's area outside the convex hull of the pierce points, m²."""
    if shapely.area(hull) <= 0:
        return area.copy()
    shapely.prepare(hull)
    outside = area.copy()
    within = shapely.covers(hull, cells)
    outside[within] = 0.0
    rest = ~within
    outside[rest] = area[rest] - shapely.area(shapely.intersection(cells[rest], hull))
    return np.maximum(outside, 0.0)


def _rings(cells: np.ndarray) -> list[np.ndarray]:
    """Each cell's exterior rings as ``(n, 2)`` arrays, pieces separated by a row of NaN."""
    # Most cells are one polygon, taken as they are (splitting every cell into its parts
    # copies each geometry); the others are split. An outline touching a cell at a point or
    # along an edge adds a point or a line to the intersection: no area, nothing to draw.
    single = shapely.get_type_id(cells) == shapely.GeometryType.POLYGON
    split, of_split = shapely.get_parts(cells[~single], return_index=True)
    polygonal = shapely.get_type_id(split) == shapely.GeometryType.POLYGON
    parts = np.concatenate([cells[single], split[polygonal]])
    cell_of_part = np.concatenate([np.flatnonzero(single),
                                   np.flatnonzero(~single)[of_split[polygonal]]])
    order = np.argsort(cell_of_part, kind="stable")
    parts, cell_of_part = parts[order], cell_of_part[order]
    # A convex cell clipped to a simple polygon has no hole: a piece's coordinates are its
    # exterior ring's.
    coords, part_of_coord = shapely.get_coordinates(parts, return_index=True)
    # A NaN row after every piece but a cell's last: appended to each piece's coordinates
    # by giving it the index of its piece and sorting it after them.
    last_of_cell = np.r_[cell_of_part[1:] != cell_of_part[:-1], True]
    gaps = np.flatnonzero(~last_of_cell)
    rows = np.vstack([coords, np.full((len(gaps), 2), np.nan)])
    piece = np.concatenate([part_of_coord, gaps])
    order = np.argsort(piece, kind="stable")
    cell_of_row = cell_of_part[piece[order]]
    starts = np.searchsorted(cell_of_row, np.arange(1, len(cells)))
    return np.split(rows[order], starts)


def _vertices(shape: shapely.Geometry) -> np.ndarray:
    """A polygon's vertices without the closing repeat; a point's or a segment's as they are."""
    coords = shapely.get_coordinates(shape)
    return coords[:-1] if isinstance(shape, shapely.Polygon) else coords
