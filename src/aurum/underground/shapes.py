"""Stope shapes that follow a dipping vein: the slice idea of Alford's Mineable Shape Optimiser.

A box stope (:mod:`aurum.underground.stopes`) keeps one footwall and one hanging wall over its
whole height, so on a vein that dips across ``j`` it either leaves ore behind or takes waste.
A *shape* here spans, like a box, a range of whole blocks along strike (``i0 … i1``, its length
within ``params.length``) and one level in height (``k0 … k1``, as the box stopes of that level);
but each horizontal slice ``k`` of it has its own walls ``j_f(k) … j_h(k)`` (footwall and hanging
wall, inclusive block indices), so it leans with the vein. The walls obey:

- the width ``j_h(k) − j_f(k) + 1`` lies within ``params.width`` in every slice;
- between consecutive slices each wall moves by at most ``max_wall_step`` blocks,
  ``|j_f(k+1) − j_f(k)| ≤ s`` and ``|j_h(k+1) − j_h(k)| ≤ s`` (the wall-angle limit: with blocks
  of size ``dj`` across and ``dk`` high the wall leans at most ``atan(s·dj/dk)`` from vertical);
- the shape's value is the sum of the values of the blocks inside it (CNY), the objective of
  the box stopes, plus its dilution skins': ``params.skin`` whole blocks of waste outside each
  slice's walls (``j_f(k) − d … j_f(k) − 1`` and ``j_h(k) + 1 … j_h(k) + d``), each worth
  ``params.waste_value``, as :mod:`aurum.underground.stopes` states them. Every slice's skins
  hold ``2·d·length`` blocks whatever its walls, so a shape's skins are worth
  ``2·d·length·H·w`` (``H`` slices), the box stopes' figure: a constant of its length, added
  to the shapes' values before they are packed and leaving the walls' programme unchanged.
  The skins lie across ``j``, and the shapes of a level follow each other along ``i``, so the
  pillar between shapes (along strike) is between their skins as well.

For a fixed strike range the best walls come from a dynamic programme over the slices (Alford's
slices are taken across strike; here the vein dips across ``j``, so the slices that let both
walls follow it are the horizontal ones). The state of a slice is its pair (footwall, width);
a state's best value is its slice value plus the best of the states of the slice below that a
step of at most ``s`` per wall reaches. The reach is a box in (footwall, hanging wall), so its
maximum is two sliding maxima of ``2s + 1`` terms each (one along the hanging wall, one along
the diagonal that keeps it fixed while the footwall moves) instead of ``(2s + 1)²`` terms. The
programme runs at once for every start ``i0`` of one length and one level (numpy arrays of
starts × footwalls × widths); the best walls are traced back only for the shapes chosen.

Choosing the shapes of a level is then a one-dimensional programme along strike: a shape on
``i0 … i1`` and the next on ``i0' … i1'`` keep ``i0' ≥ i1 + pillar + 1``. It is exact under the
assumption that a level holds at most one shape across ``j`` at any ``i``, i.e. that a shape
spans all of ``j`` that matters there (one vein, or veins closer together than a shape's
widest reach); two parallel veins far apart across ``j`` are the case of the box stopes' set
packing, which places stopes side by side. Within that family the result is optimal, so the
returned ``upper_bound`` equals its value and its method is ``"exact"``.

Timing (``benchmarks/bench_shapes.py``, one core shared with other jobs): on a 100 × 40 × 25
dipping-vein model (10^5 blocks; lengths 3 … 10, widths 2 … 8, levels 5 high) the shapes take
0.04 s with walls fixed (step 0; the same value as the exact box stopes, which took 42 s),
0.10 s with step 1 and 0.15 s with step 2, worth 1.34 times the boxes; on 200 × 100 × 50
blocks (10^6) 1.1, 2.8 and 4.5 s, against 27 s for the fast box stopes. The sliding maxima are
whole-array operations, so the loops left in Python run over levels, lengths, slices and the
``2s + 1`` offsets, never over blocks; numba would gain little here.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd

from aurum.core.checks import Interval
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.underground.stopes import (
    FRAME_COLUMNS,
    MAX_STOPE_SPAN,
    StopeParams,
    Stopes,
    _check_model,
)

__all__ = ["WALL_COLUMNS", "WALL_STEPS", "best_walls", "vein_stopes"]

WALL_STEPS = Interval(0, MAX_STOPE_SPAN, "blocks")
"""Greatest wall move between consecutive slices, blocks."""

MAX_SHAPE_TERMS = 4_000_000_000
"""Most terms of the dynamic programme over a whole model (count: every state of every slice
of every strike range of every level, times the ``2(2s + 1)`` terms of its reach), counted
before it starts: about half a minute of array work; the 10^6-block benchmark with walls
stepping 2 takes 5.4 × 10^8 (4.5 s)."""

CHUNK_STATES = 2_000_000
"""States (strike ranges × slices × footwalls × widths) valued in one array: the reach's three
temporaries of this size stay near 50 MB."""

WALL_COLUMNS = ("stope", "k", "j0", "j1")
"""Columns of a result's ``walls``: the stope's row in ``frame``, the slice ``k`` and its
footwall ``j0`` and hanging wall ``j1`` (inclusive block indices)."""

_NEG = -np.inf


def _check_step(max_wall_step: object) -> int:
    if (isinstance(max_wall_step, bool) or not isinstance(max_wall_step, int | np.integer)
            or not WALL_STEPS.contains(int(max_wall_step))):
        raise ValidationError(Problem(
            _("expected %(what)s (whole blocks), got %(value)r", what=WALL_STEPS.describe(),
              value=max_wall_step), column="max_wall_step"))
    return int(max_wall_step)


def _gains(prefix: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """Slice values per (footwall, width): ``prefix[..., j]`` is the sum of the slice's
    values over ``0 … j − 1``; walls reaching past the model are worth ``−inf``."""
    nj = prefix.shape[-1] - 1
    foot = np.arange(nj)[:, None]
    end = foot + widths[None, :]
    inside = end <= nj
    gains = prefix[..., np.minimum(end, nj)] - prefix[..., np.broadcast_to(foot, end.shape)]
    return np.where(inside, gains, _NEG)


def _reach(v: np.ndarray, s: int) -> np.ndarray:
    """``out[..., f, w] = max over |a|, |b| ≤ s of v[..., f − a, w + a − b]`` (−inf off the
    array): the best state of the slice below that the walls of state (f, w) reach, the
    footwall moved by ``a`` and the hanging wall by ``b``."""
    if s == 0:
        return v
    lead = v.shape[:-2]
    nf, nw = v.shape[-2:]
    # Along the hanging wall first: u[f, x] = max over b of v[f, x − b], x = w + a spanning
    # −s … nw − 1 + s (stored at x + s), so that the diagonal step below finds every term.
    padded = np.full((*lead, nf, nw + 4 * s), _NEG)
    padded[..., 2 * s:2 * s + nw] = v
    u = np.full((*lead, nf + 2 * s, nw + 2 * s), _NEG)
    inner = u[..., s:s + nf, :]
    for b in range(2 * s + 1):
        np.maximum(inner, padded[..., b:b + nw + 2 * s], out=inner)
    # Then the footwall: moving it by a with the hanging wall kept changes the width by −a,
    # out[f, w] = max over a of u[f − a, w + a].
    out = np.full(v.shape, _NEG)
    for a in range(-s, s + 1):
        np.maximum(out, u[..., s - a:s - a + nf, s + a:s + a + nw], out=out)
    return out


def _forward(gains: np.ndarray, s: int) -> np.ndarray:
    """Best walls' value of every leading index: ``gains`` is (..., slices, footwalls,
    widths); returns (...)."""
    best = gains[..., 0, :, :]
    for t in range(1, gains.shape[-3]):
        best = gains[..., t, :, :] + _reach(best, s)
    return best.reshape(*best.shape[:-2], -1).max(axis=-1)


def _traceback(gains: np.ndarray, s: int) -> tuple[float, np.ndarray, np.ndarray]:
    """The best walls of one shape: ``gains`` is (slices, footwalls, widths); returns the
    value and per slice the footwall index and width index."""
    h, nf, nw = gains.shape
    layers = [gains[0]]
    for t in range(1, h):
        layers.append(gains[t] + _reach(layers[-1], s))
    foot = np.empty(h, dtype=np.int64)
    width = np.empty(h, dtype=np.int64)
    foot[-1], width[-1] = np.unravel_index(int(np.argmax(layers[-1])), (nf, nw))
    value = float(layers[-1][foot[-1], width[-1]])
    a, b = np.meshgrid(np.arange(-s, s + 1), np.arange(-s, s + 1), indexing="ij")
    for t in range(h - 1, 0, -1):
        # The predecessor: of the states the walls reach, the best (as _reach took it).
        f, w = foot[t] - a.ravel(), width[t] + (a - b).ravel()
        ok = (f >= 0) & (f < nf) & (w >= 0) & (w < nw)
        f, w = f[ok], w[ok]
        pick = int(np.argmax(layers[t - 1][f, w]))
        foot[t - 1], width[t - 1] = f[pick], w[pick]
    return value, foot, width


def best_walls(sums: np.ndarray, width: tuple[int, int], max_wall_step: int
               ) -> tuple[float, np.ndarray, np.ndarray]:
    """The most valuable walls of one shape, slice by slice.

    Parameters
    ----------
    sums : numpy.ndarray
        Values of the shape's strike range summed along ``i``, CNY, shape (nj, slices):
        ``sums[j, t]`` is the value of row ``j`` of slice ``t``.
    width : tuple of int
        Least and greatest width of a slice, blocks across (``j``).
    max_wall_step : int
        Greatest move of either wall between consecutive slices, blocks.

    Returns
    -------
    tuple
        ``(value, j0, j1)``: the walls' value (CNY) and per slice the footwall and hanging
        wall (inclusive ``j``); ``(−inf, [], [])`` when no slice of that width fits.
    """
    s = _check_step(max_wall_step)
    sums = np.asarray(sums, dtype=np.float64)
    nj = sums.shape[0]
    widths = np.arange(width[0], min(width[1], nj) + 1)
    if widths.size == 0 or sums.shape[1] == 0:
        return _NEG, np.empty(0, np.int64), np.empty(0, np.int64)
    prefix = np.zeros((sums.shape[1], nj + 1))
    np.cumsum(sums.T, axis=1, out=prefix[:, 1:])
    value, foot, w = _traceback(_gains(prefix, widths), s)
    return value, foot, foot + widths[w] - 1


def _pack(shape_values: np.ndarray, lengths: np.ndarray, pillar: int
          ) -> list[tuple[int, int]]:
    """The strike ranges of greatest total value, ``pillar`` whole blocks apart:
    ``shape_values[l, i0]`` is the best shape of length ``lengths[l]`` starting at ``i0``.
    Returns (length index, i0) pairs along strike."""
    ni = shape_values.shape[1]
    best = np.zeros(ni + 1)
    take = np.full((ni + 1, 2), -1, dtype=np.int64)
    for end in range(1, ni + 1):
        best[end] = best[end - 1]
        starts = end - lengths
        fit = np.flatnonzero(starts >= 0)
        if fit.size == 0:
            continue
        total = best[np.maximum(starts[fit] - pillar, 0)] + shape_values[fit, starts[fit]]
        pick = int(np.argmax(total))
        # Strictly better only: a shape worth nothing is left in the ground.
        if total[pick] > best[end]:
            best[end] = total[pick]
            take[end] = fit[pick], starts[fit[pick]]
    chosen: list[tuple[int, int]] = []
    end = ni
    while end > 0:
        if take[end, 0] < 0:
            end -= 1
            continue
        chosen.append((int(take[end, 0]), int(take[end, 1])))
        end = max(int(take[end, 1]) - pillar, 0)
    return chosen[::-1]


def vein_stopes(values: np.ndarray, params: StopeParams, max_wall_step: int) -> Stopes:
    """Stope shapes whose walls follow a dipping vein, slice by slice, of greatest total value.

    Parameters
    ----------
    values : numpy.ndarray
        Block values if mined, CNY, shape (ni, nj, nk): ``i`` along strike, ``j`` across,
        ``k`` up; finite; ``nk`` a multiple of ``params.level_height``.
    params : StopeParams
        Length along strike (blocks), width across per slice (blocks), level height (blocks),
        pillar between shapes of one level along strike (blocks), sill pillar (blocks), skin
        (blocks of waste outside each slice's walls) and its value (CNY per block), as for
        the box stopes.
    max_wall_step : int
        Greatest move of the footwall or of the hanging wall between consecutive slices,
        blocks (0 gives boxes).

    Returns
    -------
    Stopes
        ``frame`` has a row per shape: level, strike range ``i0 … i1``, the envelope of its
        walls ``j0 … j1`` (least footwall, greatest hanging wall; skins outside), ``k0 … k1``
        and its value (CNY, skins included); ``walls`` a row per shape and slice
        (:data:`WALL_COLUMNS`). Exact within the family of one shape across ``j`` at any
        ``i`` (module docstring): ``upper_bound`` equals ``value``; ``candidates`` counts
        the strike ranges × levels evaluated.
    """
    started = time.perf_counter()
    s = _check_step(max_wall_step)
    values = np.asarray(values, dtype=np.float64)
    _check_model(values, params)
    ni, nj, nk = values.shape
    # A wall cannot move further than the model is wide.
    s = min(s, max(nj - 1, 0))
    widths = np.arange(params.width[0], min(params.width[1], nj) + 1)
    lengths = np.arange(params.length[0], min(params.length[1], ni) + 1)
    levels = nk // params.level_height
    starts = int((ni + 1 - lengths).sum())
    terms = levels * starts * params.stope_height * nj * widths.size * 2 * (2 * s + 1)
    if terms > MAX_SHAPE_TERMS:
        raise ValidationError(Problem(_(
            "the model, the ranges and the wall step give %(n)s terms to the shapes' dynamic "
            "programme; the limit is %(limit)s: narrow the ranges or the step, or split the "
            "model", n=format(terms, ","), limit=format(MAX_SHAPE_TERMS, ","))))
    # Sums over i of every strike range are differences of one running sum along i.
    along_i = np.zeros((ni + 1, nk, nj))
    np.cumsum(values.transpose(0, 2, 1), axis=0, out=along_i[1:])
    rows: list[tuple[int, int, int, int, int, int, int]] = []
    walls: list[tuple[int, int, int, int]] = []
    chunk = max(CHUNK_STATES // max(params.stope_height * nj * widths.size, 1), 1)
    for level in range(levels if widths.size and lengths.size else 0):
        k0 = level * params.level_height + params.sill_pillar
        k1 = k0 + params.stope_height - 1
        shape_values = np.full((lengths.size, ni), _NEG)
        for li, length in enumerate(lengths):
            for lo in range(0, ni + 1 - length, chunk):
                hi = min(lo + chunk, ni + 1 - length)
                prefix = _row_prefix(along_i, lo, hi, length, k0, k1)
                shape_values[li, lo:hi] = (_forward(_gains(prefix, widths), s)
                                           + params.skin_value(int(length)))
        for li, i0 in _pack(shape_values, lengths, params.pillar):
            prefix = _row_prefix(along_i, i0, i0 + 1, lengths[li], k0, k1)[0]
            foot, w = _traceback(_gains(prefix, widths), s)[1:]
            stope = len(rows)
            j0, j1 = foot, foot + widths[w] - 1
            walls.extend((stope, k0 + t, int(j0[t]), int(j1[t])) for t in range(j0.size))
            rows.append((level, i0, i0 + int(lengths[li]) - 1, int(j0.min()), int(j1.max()),
                         k0, k1))
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS[:-1]), dtype=np.int64)
    wall_frame = pd.DataFrame(walls, columns=list(WALL_COLUMNS), dtype=np.int64)
    # Each shape's value again from its blocks: the running sums round, the blocks do not.
    frame["value"] = _shape_values(values, frame, wall_frame) + params.skin_value(
        (frame["i1"] - frame["i0"] + 1).to_numpy(float))
    value = math.fsum(frame["value"])
    return Stopes(frame=frame, value=value, upper_bound=value,
                  seconds=time.perf_counter() - started, method="exact",
                  candidates=levels * starts, walls=wall_frame)


def _row_prefix(along_i: np.ndarray, lo: int, hi: int, length: int, k0: int, k1: int
                ) -> np.ndarray:
    """Running sums along ``j`` of the slices ``k0 … k1`` of the strike ranges of ``length``
    starting at ``lo … hi − 1``: (starts, slices, nj + 1), CNY."""
    sums = along_i[lo + length:hi + length, k0:k1 + 1] - along_i[lo:hi, k0:k1 + 1]
    prefix = np.zeros((*sums.shape[:2], sums.shape[2] + 1))
    np.cumsum(sums, axis=2, out=prefix[..., 1:])
    return prefix

def _shape_values(values: np.ndarray, frame: pd.DataFrame, walls: pd.DataFrame) -> np.ndarray:
    """Each shape's value summed from its blocks, CNY."""
    if frame.empty:
        return np.zeros(0)
    i0 = frame["i0"].to_numpy()[walls["stope"].to_numpy()]
    i1 = frame["i1"].to_numpy()[walls["stope"].to_numpy()]
    slab = [values[a:b + 1, j0:j1 + 1, k].sum() for a, b, j0, j1, k in zip(
        i0, i1, walls["j0"], walls["j1"], walls["k"], strict=True)]
    return np.bincount(walls["stope"].to_numpy(), weights=slab, minlength=len(frame))

