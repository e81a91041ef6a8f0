"""Kriging beside the geological-block method, in the vertical longitudinal projection.

Reserve verification reports of vein gold estimate by geological blocks (each industrial
pierce point's Voronoi cell in the projection, :mod:`aurum.resources.geoblocks`) and check
the figure by kriging. :func:`kriging_check` does that check on the same orebody: the same
pierce points (the blocks' own ``u``, ``v``, horizontal thickness and grade), the same
outline, and ordinary kriging (:func:`aurum.resources.estimate.estimate_points`, z = 0: a
2-D estimate in the plane of the projection) at the centroids of a regular grid of square
cells clipped to the outline. Per cell, with its area ``a`` (m²) and the density ``ρ``
(t/m³)::

    tonnes = ρ · a · h*            h*: kriged horizontal thickness, m
    metal  = ρ · a · A* / 1000     A*: kriged accumulation h·g, m·g/t; metal in kg
    grade  = A* / h*               g/t

Why the accumulation and not the grade: metal is linear in the accumulation, so its kriged
total is the kriged metal; the product of a kriged grade and a kriged thickness is biased
wherever the two correlate (thin rich veins). Why one variogram model for both variables:
ordinary kriging weights depend on the model's shape, not on its sill, so both get the same
weights λ in a cell and its grade is ``Σ λ h g / Σ λ h``, a thickness-weighted mean of the
pierce points' grades, as a block's grade is its hole's.

A cell is estimated at the centroid of its clipped square (point kriging): a block estimate
is the mean of the point estimates over the cell (kriging is linear in its right-hand side),
which differs from the centroid's only by the curvature of the estimate within a cell, small
at a quarter of the drill spacing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from aurum.core.checks import KRIGING_CELL_SIZES, MAX_KRIGING_CELLS, ORE_DENSITIES
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _, format_number
from aurum.resources.estimate import SearchNeighbourhood, estimate_points
from aurum.resources.variogram import VariogramModel
from aurum.resources.variography import fit_variogram, omnidirectional_variogram

if TYPE_CHECKING:
    from aurum.resources.geoblocks import GeoBlocks

CELLS_PER_SPACING = 4
"""Default cell: the mean drill spacing over this, so a block is covered by some 16 cells and
the clipped outline and the kriged field are resolved finer than the blocks."""

NEIGHBOURS = 24
"""Pierce points informing a cell, the closest ones (all of them when fewer)."""

MIN_VARIOGRAM_POINTS = 10
"""Fewest pierce points a variogram is fitted to; with fewer the experimental variogram has
too few pairs per lag to be read, and a pure nugget model is used instead."""

CELL_COLUMNS = ("u", "v", "area_m2", "thickness_h_m", "grade")


@dataclass(frozen=True, eq=False)
class KrigingCheck:
    """The kriged totals of an orebody beside its geological blocks'.

    Attributes
    ----------
    tonnes : float
        Kriged ore, t.
    grade : float
        Kriged mean grade, g/t (metal over tonnes).
    metal_kg : float
        Kriged metal, kg.
    cells : pandas.DataFrame
        One row per cell inside the outline: ``u``, ``v`` (its centroid, m), ``area_m2``
        (its square clipped to the outline, m²), ``thickness_h_m`` (kriged horizontal
        thickness, m) and ``grade`` (kriged accumulation over kriged thickness, g/t; NaN where
        the thickness is not above 0).
    differences : dict
        ``tonnes_pct``, ``grade_pct``, ``metal_pct``: (kriging − blocks) / blocks × 100.
    facts : dict
        The numbers the explanation is made of, language-neutral (JSON: numbers, codes and
        nested dicts), so that a stored check reads in its reader's language
        (:func:`explain`): ``cells``, ``cell_m``, ``area_m2``, ``spacing_m``, ``points``;
        ``model`` (``origin`` given | fitted | nugget, ``nugget``, ``sill``, ``range_m``, or
        the fallback's ``reason`` and ``k``); the totals of both methods and their per cent
        differences; the metal ``effects``; ``thickness``, ``smoothing``, ``beyond`` (the
        outline past the drilling) and ``negative`` (cells with a negative estimate).
    effects : dict
        ``tonnage_kg`` = ΔT · g_blocks / 1000 and ``grade_kg`` = T_kriging · Δg / 1000, kg;
        they add up to the metal difference exactly.
    model : VariogramModel
        The model that weighted both variables (given, fitted, or the pure nugget fallback).
    cell_m : float
        Side of the cells, m.
    """

    tonnes: float
    grade: float
    metal_kg: float
    cells: pd.DataFrame
    differences: dict[str, float]
    facts: dict[str, Any]
    effects: dict[str, float]
    model: VariogramModel
    cell_m: float

    @property
    def explanation(self) -> list[str]:
        """The difference explained in the current language (:func:`explain`)."""
        return explain(self.facts)


def kriging_check(intercepts: pd.DataFrame, blocks: GeoBlocks, density_t_m3: float,
                  cell_m: float | None = None,
                  model: VariogramModel | None = None) -> KrigingCheck:
    """Krige an orebody's accumulation and thickness in the longitudinal projection and set
    the totals beside its geological blocks'.

    Parameters
    ----------
    intercepts : pandas.DataFrame
        The intercept table the blocks were made from (``hole``, ``category``, ...): its
        industrial intercepts' holes must be the blocks' holes, so that both methods see one
        orebody.
    blocks : GeoBlocks
        The geological blocks: their pierce points (``u``, ``v``, m; ``thickness_h_m``, m;
        ``grade``, g/t), polygons and outline (m in the projection) and totals (t, g/t, kg).
    density_t_m3 : float
        Ore density, t/m³ (the blocks').
    cell_m : float, optional
        Side of the square cells, m. Default: the mean drill spacing (mean distance of a
        pierce point to its nearest neighbour) over :data:`CELLS_PER_SPACING`, enlarged when
        needed to keep the grid within :data:`~aurum.core.checks.MAX_KRIGING_CELLS`.
    model : VariogramModel, optional
        Variogram of the accumulation in the projection's frame (x = u along the strike,
        y = v the elevation; GSLIB azimuth 0 is up the projection, 90 along the strike).
        Default: a spherical model fitted to the pierce points' accumulation by the project's
        variography, omnidirectional in the plane; with fewer than
        :data:`MIN_VARIOGRAM_POINTS` points, no variation or no positive fitted sill, a pure
        nugget model (each cell then gets the plain mean of its :data:`NEIGHBOURS` closest
        pierce points, no weighting by distance). Only its shape matters to the weights.

    Returns
    -------
    KrigingCheck
        Kriged tonnes (t), grade (g/t) and metal (kg), the cells, the differences and the
        explanation.

    Raises
    ------
    ValidationError
        A density outside :data:`~aurum.core.checks.ORE_DENSITIES`, a cell size outside
        :data:`~aurum.core.checks.KRIGING_CELL_SIZES` or making more than
        :data:`~aurum.core.checks.MAX_KRIGING_CELLS` cells, blocks made from other
        intercepts, two pierce points at one place, an outline enclosing no area.
    """
    ORE_DENSITIES.check("density_t_m3", density_t_m3)
    if cell_m is not None:
        KRIGING_CELL_SIZES.check("cell_m", cell_m)
    points = blocks.blocks
    uv = points[["u", "v"]].to_numpy(dtype=np.float64)
    thickness = points["thickness_h_m"].to_numpy(dtype=np.float64)
    accumulation = thickness * points["grade"].to_numpy(dtype=np.float64)
    _check_points(intercepts, points, uv)
    outline = _outline(blocks.outline)
    spacing = _mean_spacing(uv, outline)
    side = _cell_side(outline, spacing, cell_m)
    cells, geometries = _cells(outline, side)

    used, model_facts = (_fitted_model(uv, accumulation, spacing) if model is None
                         else (model, _model_facts("given", model)))
    krige_acc, krige_thk = _krige(uv, (accumulation, thickness), cells, used)
    area = cells["area_m2"].to_numpy()
    tonnes = float(density_t_m3 * np.sum(area * krige_thk))
    metal_kg = float(density_t_m3 * np.sum(area * krige_acc) / 1000.0)
    grade = metal_kg * 1000.0 / tonnes if tonnes > 0 else math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        cells["thickness_h_m"] = krige_thk
        cells["grade"] = np.where(krige_thk > 0, krige_acc / krige_thk, np.nan)

    effects = {"tonnage_kg": (tonnes - blocks.tonnes) * blocks.grade / 1000.0,
               "grade_kg": tonnes * (grade - blocks.grade) / 1000.0}
    differences = {"tonnes_pct": _pct(tonnes, blocks.tonnes),
                   "grade_pct": _pct(grade, blocks.grade),
                   "metal_pct": _pct(metal_kg, blocks.metal_kg)}
    facts: dict[str, Any] = {
        "cells": len(cells), "cell_m": side, "area_m2": float(outline.area),
        "spacing_m": spacing, "points": len(uv), "model": model_facts,
        "tonnes": tonnes, "grade": grade, "metal_kg": metal_kg,
        "blocks": {"tonnes": float(blocks.tonnes), "grade": float(blocks.grade),
                   "metal_kg": float(blocks.metal_kg)},
        "differences": differences, "effects": effects,
        "thickness": _thickness_facts(points, area, krige_thk),
        "smoothing": _smoothing_facts(points, area, krige_thk, krige_acc),
        "beyond": _beyond_facts(outline, blocks, geometries, krige_acc, density_t_m3),
        "negative": int(np.count_nonzero((krige_thk < 0) | (krige_acc < 0)))}
    return KrigingCheck(tonnes, grade, metal_kg, cells[list(CELL_COLUMNS)], differences,
                        facts, effects, used, side)


def explain(facts: Mapping[str, Any]) -> list[str]:
    """A kriging check's difference explained in the current language, from its
    language-neutral :attr:`KrigingCheck.facts` (as stored: a missing number, NaN or None,
    reads as an en dash).

    Parameters
    ----------
    facts : mapping
        :attr:`KrigingCheck.facts`: lengths in m, areas in m², tonnages in t, grades in g/t,
        metal in kg, differences and shares in per cent.

    Returns
    -------
    list of str
        The grid and variogram, the totals, the metal difference split into its tonnage and
        grade effects, thickness, smoothing, the part of the outline beyond the drilling, and
        the cells estimated negative when there are any.
    """
    n = format_number
    blocks, diff, eff = facts["blocks"], facts["differences"], facts["effects"]
    d_tonnes = _minus(facts["tonnes"], blocks["tonnes"])
    d_grade = _minus(facts["grade"], blocks["grade"])
    lines = [
        _("%(cells)s cells of %(cell)s m × %(cell)s m cover the outline of %(area)s m² (mean "
          "drill spacing %(spacing)s m, %(points)s pierce points).",
          cells=n(facts["cells"], 0), cell=n(facts["cell_m"], 2),
          area=n(facts["area_m2"], 0), spacing=n(facts["spacing_m"], 1),
          points=n(facts["points"], 0)),
        _model_sentence(facts["model"], facts["points"]),
        _("Kriging: %(tonnes)s t at %(grade)s g/t, %(metal)s kg of metal; geological blocks: "
          "%(b_tonnes)s t at %(b_grade)s g/t, %(b_metal)s kg. Kriging minus blocks: tonnes "
          "%(dt)s per cent, grade %(dg)s per cent, metal %(dm)s per cent.",
          tonnes=n(facts["tonnes"], 0), grade=n(facts["grade"], 3),
          metal=n(facts["metal_kg"], 2), b_tonnes=n(blocks["tonnes"], 0),
          b_grade=n(blocks["grade"], 3), b_metal=n(blocks["metal_kg"], 2),
          dt=n(diff["tonnes_pct"], 2), dg=n(diff["grade_pct"], 2),
          dm=n(diff["metal_pct"], 2)),
        _("Of the metal difference of %(delta)s kg, the tonnage effect is %(tonnage)s kg "
          "(%(dt)s t at the blocks' %(grade)s g/t) and the grade effect %(grade_effect)s kg "
          "(%(dg)s g/t over the kriged %(tonnes)s t).",
          delta=n(_minus(facts["metal_kg"], blocks["metal_kg"]), 2),
          tonnage=n(eff["tonnage_kg"], 2), dt=n(d_tonnes, 0), grade=n(blocks["grade"], 3),
          grade_effect=n(eff["grade_kg"], 2), dg=n(d_grade, 4), tonnes=n(facts["tonnes"], 0)),
        _thickness_sentence(facts["thickness"]),
        _smoothing_sentence(facts["smoothing"]),
        _beyond_sentence(facts["beyond"]),
    ]
    if facts["negative"]:
        lines.append(_(
            "%(count)s cells have a negative kriged thickness or accumulation (negative kriging "
            "weights); they are kept as estimated, so that the totals stay unbiased.",
            count=n(facts["negative"], 0)))
    return lines


def _minus(a: float | None, b: float | None) -> float | None:
    """a − b, None when either is missing (a stored NaN is None)."""
    return None if a is None or b is None else a - b


def _check_points(intercepts: pd.DataFrame, points: pd.DataFrame, uv: np.ndarray) -> None:
    """Refuse blocks made from other intercepts, or pierce points kriging cannot tell apart."""
    problems = []
    industrial = set(intercepts.loc[intercepts["category"] == "industrial", "hole"].astype(str))
    holes = set(points["hole"].astype(str))
    if industrial != holes:
        problems.append(Problem(_(
            "the blocks were not made from these intercepts: industrial intercepts of holes "
            "without a block %(missing)s, blocks of holes without an industrial intercept "
            "%(extra)s", missing=", ".join(sorted(industrial - holes)) or "–",
            extra=", ".join(sorted(holes - industrial)) or "–"), column="hole"))
    if len(uv) == 0:
        problems.append(Problem(_("expected at least one block"), column="blocks"))
    _unique, first, counts = np.unique(uv, axis=0, return_index=True, return_counts=True)
    for i in first[counts > 1]:
        same = np.flatnonzero(np.all(uv == uv[i], axis=1))
        problems.append(Problem(_(
            "holes %(holes)s pierce the orebody at the same point (u %(u)s m, v %(v)s m): "
            "kriging needs distinct points; merge their intercepts", holes=", ".join(
                points["hole"].astype(str).iloc[same]), u=uv[i, 0], v=uv[i, 1]),
            column="hole"))
    if problems:
        raise ValidationError(problems)


def _outline(vertices: np.ndarray) -> shapely.Polygon:
    """The outline as a polygon, refused when it does not enclose an area."""
    outline = shapely.Polygon(np.asarray(vertices, dtype=np.float64))
    if not outline.is_valid or outline.area <= 0:
        raise ValidationError(Problem(_(
            "expected the outline as a simple polygon enclosing an area (u, v in m, no "
            "crossing edges), got %(why)s", why=shapely.is_valid_reason(outline)),
            column="outline"))
    return outline


def _mean_spacing(uv: np.ndarray, outline: shapely.Polygon) -> float:
    """Mean distance of a pierce point to its nearest neighbour, m (one point: the side of a
    square of the outline's area)."""
    if len(uv) < 2:
        return math.sqrt(outline.area)
    distance, _index = cKDTree(uv).query(uv, k=2)
    return float(np.mean(distance[:, 1]))


def _cell_side(outline: shapely.Polygon, spacing: float, cell_m: float | None) -> float:
    """The cells' side, m: the one given (refused past ``MAX_KRIGING_CELLS``), or the
    default."""
    umin, vmin, umax, vmax = outline.bounds
    width, height = umax - umin, vmax - vmin
    if cell_m is not None:
        count = math.ceil(width / cell_m) * math.ceil(height / cell_m)
        if count > MAX_KRIGING_CELLS:
            raise ValidationError(Problem(_(
                "cells of %(cell)s m would make %(count)s cells over the outline's %(width)s m "
                "× %(height)s m, more than the %(most)s allowed; expected a cell of at least "
                "%(least)s m", cell=cell_m, count=format_number(count, 0),
                width=format_number(width, 0), height=format_number(height, 0),
                most=format_number(MAX_KRIGING_CELLS, 0),
                least=format_number(_smallest_side(width, height), 2)), column="cell_m"))
        return float(cell_m)
    return max(spacing / CELLS_PER_SPACING, _smallest_side(width, height))


def _smallest_side(width: float, height: float) -> float:
    """Smallest side c with (W/c + 1)(H/c + 1) ≤ ``MAX_KRIGING_CELLS``, m: the grid's
    ⌈W/c⌉·⌈H/c⌉ cells are then within it. With x = 1/c the bound is the root of
    W·H·x² + (W + H)·x + 1 − MAX_KRIGING_CELLS = 0."""
    a, b, c = width * height, width + height, 1.0 - MAX_KRIGING_CELLS
    return 2 * a / (-b + math.sqrt(b * b - 4 * a * c))


def _cells(outline: shapely.Polygon, side: float) -> tuple[pd.DataFrame, np.ndarray]:
    """The grid's squares clipped to the outline: centroids and areas (cells with area), and
    their geometries.

    The grid is centred on the outline's bounding box, so a layout symmetric about its axes
    gets a symmetric grid (its totals then keep the symmetry, the tests' closed forms rely on
    it)."""
    umin, vmin, umax, vmax = outline.bounds
    nu, nv = max(math.ceil((umax - umin) / side), 1), max(math.ceil((vmax - vmin) / side), 1)
    u0 = 0.5 * (umin + umax) - 0.5 * nu * side
    v0 = 0.5 * (vmin + vmax) - 0.5 * nv * side
    iu, iv = np.meshgrid(np.arange(nu), np.arange(nv), indexing="xy")
    left, bottom = u0 + iu.ravel() * side, v0 + iv.ravel() * side
    squares = shapely.box(left, bottom, left + side, bottom + side)
    shapely.prepare(outline)
    inside = shapely.contains(outline, squares)
    geometries = squares.copy()
    edge = ~inside & shapely.intersects(outline, squares)
    geometries[edge] = shapely.intersection(squares[edge], outline)
    keep = inside | edge
    geometries = geometries[keep]
    area = shapely.area(geometries)
    centroid = shapely.get_coordinates(shapely.centroid(geometries))
    kept = area > 0
    return (pd.DataFrame({"u": centroid[kept, 0], "v": centroid[kept, 1],
                          "area_m2": area[kept]}), geometries[kept])


def _fitted_model(uv: np.ndarray, accumulation: np.ndarray,
                  spacing: float) -> tuple[VariogramModel, dict[str, Any]]:
    """A spherical model fitted to the accumulation, omnidirectional in the plane, and its
    facts; or the pure nugget fallback and the code of why (:func:`_model_sentence`)."""
    if len(uv) < MIN_VARIOGRAM_POINTS:
        reason = "few_points"
    elif np.ptp(accumulation) == 0:
        reason = "constant"
    else:
        extent = 0.5 * float(np.hypot(*np.ptp(uv, axis=0)))
        try:
            experimental = omnidirectional_variogram(uv, accumulation, spacing,
                                                     max(math.ceil(extent / spacing), 3))
            fit = fit_variogram(experimental, ("spherical",))
        except ValidationError:
            reason = "not_fitted"
        else:
            if fit.sill > 0:
                fitted = VariogramModel.from_dict(fit.to_dict())
                return fitted, _model_facts("fitted", fitted)
            reason = "no_sill"
    return VariogramModel(1.0), {"origin": "nugget", "reason": reason,
                                 "k": min(NEIGHBOURS, len(uv))}


def _model_facts(origin: str, model: VariogramModel) -> dict[str, Any]:
    return {"origin": origin, "nugget": model.nugget, "sill": model.sill,
            "range_m": max((s.ranges[0] for s in model.structures), default=0.0)}


def _model_sentence(model: Mapping[str, Any], points: int) -> str:
    """The variogram used, or why none was, in the current language."""
    if model["origin"] == "nugget":
        reasons = {
            "few_points": _("too few pierce points to fit a variogram: %(n)s, where it takes "
                            "at least %(least)s", n=points, least=MIN_VARIOGRAM_POINTS),
            "constant": _("the accumulation is the same at every pierce point"),
            "not_fitted": _("the experimental variogram could not be fitted"),
            "no_sill": _("the fitted variogram has no positive sill")}
        return _(
            "No variogram: %(reason)s. A pure nugget model is used instead: each cell gets the "
            "plain mean of its %(k)s closest pierce points, with no weighting by distance (a "
            "moving average, not kriging proper).", reason=reasons[model["reason"]],
            k=model["k"])
    origin = (_("Variogram given") if model["origin"] == "given" else _(
        "Variogram fitted to the accumulation at the %(n)s pierce points "
        "(spherical, omnidirectional in the projection)", n=points))
    return _("%(origin)s: nugget %(nugget)s of a total sill of %(sill)s, longest range "
             "%(range)s m; the accumulation and the thickness are kriged with the same "
             "weights.", origin=origin, nugget=format_number(model["nugget"], 3),
             sill=format_number(model["sill"], 3), range=format_number(model["range_m"], 1))


def _krige(uv: np.ndarray, variables: tuple[np.ndarray, ...], cells: pd.DataFrame,
           model: VariogramModel) -> list[np.ndarray]:
    """Ordinary kriging of each variable at the cells' centroids (z = 0), every cell from its
    :data:`NEIGHBOURS` closest pierce points (a search radius that never binds)."""
    points = cells[["u", "v"]].to_numpy()
    both = np.vstack([uv, points])
    radius = 1.01 * float(np.hypot(*np.ptp(both, axis=0))) + 1.0
    search = SearchNeighbourhood((radius, radius, radius),
                                 max_samples=min(NEIGHBOURS, len(uv)))
    xyz = np.column_stack([uv, np.zeros(len(uv))])
    at = np.column_stack([points, np.zeros(len(points))])
    out = []
    for values in variables:
        estimate = estimate_points(xyz, values, at, search, "ordinary", model).estimate
        failed = int(np.count_nonzero(np.isnan(estimate)))
        if failed:
            raise ValidationError(Problem(_(
                "kriging failed at %(count)s cells: the variogram makes the kriging system of "
                "their pierce points singular (points too close for a model without nugget); "
                "give a model with a nugget", count=failed), column="model"))
        out.append(estimate)
    return out


def _pct(value: float, reference: float) -> float:
    return (value - reference) / reference * 100.0 if reference else math.nan


def _weighted_std(values: np.ndarray, weights: np.ndarray) -> float:
    keep = np.isfinite(values) & (weights > 0)
    if not keep.any():
        return math.nan
    mean = np.average(values[keep], weights=weights[keep])
    return float(np.sqrt(np.average((values[keep] - mean) ** 2, weights=weights[keep])))


def _thickness_facts(points: pd.DataFrame, area: np.ndarray,
                     thickness: np.ndarray) -> dict[str, float]:
    """Tonnage = density × area × mean horizontal thickness: each method's area (m²) and
    area-weighted mean thickness (m)."""
    b_area = points["area_m2"].to_numpy(dtype=np.float64)
    b_mean = float(np.average(points["thickness_h_m"].to_numpy(dtype=np.float64),
                              weights=b_area))
    k_mean = float(np.average(thickness, weights=area))
    return {"area_m2": float(area.sum()), "mean_m": k_mean, "blocks_area_m2": float(b_area.sum()),
            "blocks_mean_m": b_mean, "pct": _pct(k_mean, b_mean)}


def _thickness_sentence(f: Mapping[str, Any]) -> str:
    n = format_number
    return _("Tonnage is density × area × mean horizontal thickness: the kriged cells cover "
             "%(area)s m² at a mean of %(krig)s m, the blocks %(b_area)s m² at %(blocks)s m "
             "(thickness difference %(pct)s per cent).", area=n(f["area_m2"], 0),
             krig=n(f["mean_m"], 3), b_area=n(f["blocks_area_m2"], 0),
             blocks=n(f["blocks_mean_m"], 3), pct=n(f["pct"], 2))


def _smoothing_facts(points: pd.DataFrame, area: np.ndarray, thickness: np.ndarray,
                     accumulation: np.ndarray) -> dict[str, float]:
    """Tonnage-weighted spread of the grades (g/t): the blocks' (unsmoothed) beside the
    cells'."""
    b_weight = (points["area_m2"] * points["thickness_h_m"]).to_numpy(dtype=np.float64)
    b_std = _weighted_std(points["grade"].to_numpy(dtype=np.float64), b_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        k_grade = np.where(thickness > 0, accumulation / thickness, np.nan)
    return {"blocks_std": b_std,
            "kriged_std": _weighted_std(k_grade, area * np.maximum(thickness, 0.0))}


def _smoothing_sentence(f: Mapping[str, Any]) -> str:
    return _("Smoothing: the blocks' grades spread with a standard deviation of %(blocks)s g/t "
             "(each block keeps its hole's grade: the polygonal method does not smooth), the "
             "kriged cells' with %(krig)s g/t. Above a cut-off higher than the mean grade, the "
             "kriged cells would report more tonnes at a lower grade than the blocks.",
             blocks=format_number(f["blocks_std"], 3), krig=format_number(f["kriged_std"], 3))


def _beyond_facts(outline: shapely.Polygon, blocks: GeoBlocks, geometries: np.ndarray,
                  accumulation: np.ndarray, density_t_m3: float) -> dict[str, Any]:
    """How much of the outline (m², per cent), and of each method's metal (kg, per cent),
    lies beyond the pierce points' convex hull (the blocks' ``hull``), where both methods
    extrapolate; a block's metal is counted there pro rata of its area outside the hull (the
    blocks' ``classing``)."""
    hull = shapely.Polygon(blocks.hull) if len(blocks.hull) >= 3 else shapely.Polygon()
    beyond = outline.difference(hull)
    # Only the cells the hull does not cover are clipped (most of the grid is inside it).
    shapely.prepare(hull)
    outside = np.zeros(len(geometries))
    rest = ~shapely.covers(hull, geometries)
    outside[rest] = shapely.area(shapely.intersection(geometries[rest], beyond))
    krig_kg = density_t_m3 * float(np.sum(outside * accumulation)) / 1000.0
    krig_total = density_t_m3 * float(np.sum(shapely.area(geometries) * accumulation)) / 1000.0
    block_kg = float(np.sum(blocks.blocks["metal_kg"].to_numpy(dtype=np.float64)
                            * blocks.classing["extrapolated_m2"].to_numpy(dtype=np.float64)
                            / blocks.blocks["area_m2"].to_numpy(dtype=np.float64)))
    return {"area_m2": float(beyond.area), "share_pct": _share(beyond.area, outline.area),
            "kriged_kg": krig_kg, "kriged_pct": _share(krig_kg, krig_total),
            "blocks_kg": block_kg, "blocks_pct": _share(block_kg, blocks.metal_kg),
            "distance_m": (None if blocks.extrapolation_m is None
                           else float(blocks.extrapolation_m))}


def _beyond_sentence(f: Mapping[str, Any]) -> str:
    n = format_number
    numbers = {"area": n(f["area_m2"], 0), "share": n(f["share_pct"], 1),
               "krig_kg": n(f["kriged_kg"], 2), "krig": n(f["kriged_pct"], 1),
               "block_kg": n(f["blocks_kg"], 2), "blocks": n(f["blocks_pct"], 1)}
    if f["distance_m"] is None:
        return _("%(area)s m² of the given outline (%(share)s per cent) lies beyond the convex "
                 "hull of the pierce points, where both methods extrapolate: it holds "
                 "%(krig_kg)s kg of the kriged metal (%(krig)s per cent) and %(block_kg)s kg of "
                 "the blocks' (%(blocks)s per cent).", **numbers)
    return _("%(area)s m² of the outline (%(share)s per cent), drawn %(distance)s m (in the "
             "orebody plane) beyond the convex hull of the pierce points, is extrapolated by "
             "both methods: it holds %(krig_kg)s kg of the kriged metal (%(krig)s per cent) and "
             "%(block_kg)s kg of the blocks' (%(blocks)s per cent).",
             distance=n(f["distance_m"], 1), **numbers)


def _share(part: float, whole: float) -> float:
    return part / whole * 100.0 if whole else math.nan
