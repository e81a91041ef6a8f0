"""Stope optimisation on a regular block model: the non-conflicting box stopes of greatest value.

The grid (the command line's): ``i`` along the strike, ``j`` across it, ``k`` up, block indices
from 0; a block's value is what it is worth if mined (CNY: revenue less mining and processing
costs, waste blocks negative), so dilution is whatever the box takes in.

**Stopes.** Level ``L`` spans ``k = L·h … L·h + h − 1`` (``h`` = :attr:`StopeParams.level_height`;
the model's ``k`` count must be a multiple of ``h``). A stope is a box of whole blocks of one
level: ``length`` blocks along ``i`` and ``width`` blocks along ``j`` within their ranges, and
the level's full height above its sill pillar. **Sill pillar** (:attr:`StopeParams.sill_pillar`
= ``s``): the lowest ``s`` block layers of every level stay unmined, so stopes stand
``h − s`` blocks high, from ``k0 = L·h + s`` to ``k1 = L·h + h − 1``, and every stope keeps ``s``
blocks of rock above the stopes of the level below. A stope never leaves its level, so this
couples nothing: **levels are solved independently** and their values and bounds add up.
A stope's value is the sum of its blocks' values, plus its skins'.

**Dilution skins** (:attr:`StopeParams.skin` = ``d`` blocks, :attr:`StopeParams.waste_value`
= ``w`` CNY per block, ``w ≤ 0``): the walls break ``d`` whole blocks of waste on each side
across ``j``, the hanging wall's ``j1 + 1 … j1 + d`` and the footwall's ``j0 − d … j0 − 1``,
over the stope's length and height. They are mined rock at the cost of a block of waste,
whatever the model holds there (the block values are those of ore taken inside the walls; a
skin beyond the model's edge is the same waste), so a stope of length ``a`` on a level whose
stopes stand ``H`` blocks high is worth its blocks' values ``+ 2·d·a·H·w``. A skin is broken
rock, so **the pillar is kept between skins**: the box the packing sees is the stope with its
skins, ``[i0, i1] × [j0 − d, j1 + d]``; everything below holds for that box (the sub-box
argument too: a sub-box's skins lie inside its parent's box with skins). ``frame``'s
``j0, j1`` are the walls, without the skins.

**Candidates.** Every box of every allowed length and width at every position of every level
is valued from the level's 2-D prefix sums of its block columns; only boxes of positive value
can be in an optimum (dropping one adds its value back). A box ``A`` is further dropped when
a *proper sub-box* ``B`` of allowed size is worth at least as much: ``B`` conflicts with no
stope ``A`` does not (its pillar zone, below, lies inside ``A``'s), so swapping ``A`` for ``B``
in any plan keeps the plan feasible and its value at least as high; ``B``, when dropped in
turn, has a strictly smaller sub-box worth as much, so the chain ends at a kept candidate and
an optimum over the kept candidates is an optimum over all boxes. The best allowed sub-box of
each box comes from a recurrence over the sizes: every proper sub-box lies inside one of the
at most four boxes one block shorter or narrower, so ``best(a, b) = max(value(a, b),
best(a − 1, b) at i0 and i0 + 1, best(a, b − 1) at j0 and j0 + 1)``.

**Pillars.** Two stopes of one level must keep at least ``p`` whole blocks between them along
``i`` *or* along ``j`` (:attr:`StopeParams.pillar`), skins included. Write a stope's *pillar
zone* as its box (with skins: ``j0`` below stands for ``j0 − d`` and ``j1`` for ``j1 + d``)
extended by ``p`` on the high side of ``i`` and ``j``: ``[i0, i1 + p] × [j0, j1 + p]``. Two
stopes conflict exactly when their zones share a block. Proof, along ``i`` (``j`` alike): for
stopes ``[a0, a1]`` and ``[c0, c1]`` with ``a1 < c0`` the gap is ``g = c0 − a1 − 1`` blocks;
the zones ``[a0, a1 + p]`` and ``[c0, c1 + p]`` overlap iff ``c0 ≤ a1 + p`` (the other end,
``a0 ≤ c1 + p``, holds since ``a0 < c0``), i.e. iff ``g < p``; ranges that overlap have
overlapping zones and no gap at all (a negative one, below any ``p ≥ 0``). Two boxes share a
block iff their ranges overlap along both axes, so the zones meet iff ``gap_i < p`` *and*
``gap_j < p``, which is the conflict. With ``p = 0`` the zone is the stope and the rule is
plain disjointness. The zones' common block, when there is one, can be taken at
``(max i0, max j0)`` (or ``j = 0`` when skins reach below it: both zones then cover it),
inside the model, so zones are clipped to the model's grid.

**Set packing.** One 0/1 variable per candidate; for every block ``(i, j)`` of a level, at most
one chosen stope's pillar zone contains it. Pairwise conflicts are exactly pairs of zones
sharing a block, so these *clique* rows allow a set of stopes iff no two conflict (rows covered
by fewer than two candidates are left out: a variable's bound already says it).

Both methods first solve each level's LP relaxation with HiGHS (:func:`scipy.optimize.linprog`).
An integral LP optimum is the level's optimum, proven: its value is its bound. On the vein
models of the tests and ``benchmarks/bench_stopes.py`` every level's LP came out integral
(the pillar zones' clique rows describe box packing tightly); the rest is for the others.

- ``exact=True``: the MIP per level with HiGHS (:func:`scipy.optimize.milp`, relative gap 0)
  within the time limit; ``upper_bound`` is the sum of the MIP dual bounds, equal to ``value``
  (within the solver's tolerance) when every level is proven optimal.
- Fast (default): the LP optimum gives ``upper_bound``; a greedy packing in the order of the
  LP values, improved by local search (a stope replaces the stopes it conflicts with when it
  is worth more, then freed room is refilled), competes with the MIP on the LP's support
  (candidates with a positive LP value) within :data:`FAST_MIP_SECONDS`. When a level's LP
  does not finish in time, the packing follows the values and the bound is the *density
  bound*: each block's largest value per zone block of a candidate whose zone covers it,
  summed over the blocks. It is the objective of a feasible solution of the LP's dual (a
  candidate's rows then add up to at least its value), hence a bound.

Measured (``benchmarks/bench_stopes.py``, 2 shared cores at load 3.7): 10^5 blocks, 48,703
candidates, fast 1.0 s and exact 1.1 s, against 53 s for HiGHS's MIP alone on the same rows;
10^6 blocks, 360,144 candidates, fast 6.5 s; every value equal to its LP bound.

Objective coefficients are scaled so that the largest is :data:`OBJECTIVE_SCALE` before the
solver sees them, so the solver's absolute gap stays far below the 1e-9 relative agreement of
an exact result's bound and value at any currency scale.

Limits (declared once here, checked before the work they bound): :data:`MAX_STOPE_BLOCKS`,
:data:`MAX_STOPE_SPAN`, :data:`MAX_STOPE_BOXES` (before any box is valued),
:data:`MAX_STOPE_CANDIDATES` and :data:`MAX_LEVEL_NONZEROS` (before a matrix is built).

:func:`floating_stope_envelope` is the classic baseline: every block of some positive-value
box, overlaps allowed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numba import njit
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from aurum.core.checks import Interval
from aurum.core.errors import Problem, ValidationError, shown_cell
from aurum.core.i18n import _
from aurum.core.tables import RowProblems, read_csv, require_rows, with_columns

__all__ = ["FRAME_COLUMNS", "StopeParams", "Stopes", "floating_stope_envelope",
           "optimise_stopes", "read_block_values"]

MAX_STOPE_BLOCKS = 20_000_000
"""Most blocks of a model optimised or read (count): 160 MB of float64 values, twenty times the
largest benchmark model."""

MAX_STOPE_SPAN = 1000
"""Longest stope length or width, level height and pillar (blocks): longer than any model's
side is pointless, and a bounded span bounds the work per box."""

MAX_STOPE_BOXES = 100_000_000
"""Most boxes valued over a whole model (count: levels × the positions of every allowed
length and width), counted from the grid and the ranges before any is: a few seconds of
array work; a 10^6-block model with 5 lengths × 4 widths values 2 × 10^6."""

MAX_STOPE_CANDIDATES = 2_000_000
"""Most candidate stopes (positive and undominated) over all levels (count), about 100 MB of
arrays; checked as they are generated, before any matrix is built."""

MAX_LEVEL_NONZEROS = 20_000_000
"""Most nonzeros of one level's set-packing matrix (count: the candidates' pillar-zone blocks),
about 240 MB with the solver's copy, counted before the matrix is built."""

FAST_MIP_SECONDS = 10.0
"""Time limit of the fast method's MIP on the LP's support, per level (s)."""

OBJECTIVE_SCALE = 1e6
"""The largest objective coefficient the solver sees (candidate values are scaled to it)."""

WASTE_VALUES = Interval(-1e12, 0.0, "CNY")
"""Values of a block of waste broken in a skin, CNY per block: the cost of mining and
processing it, at most 0."""

SPANS = Interval(1, MAX_STOPE_SPAN, "blocks")
"""Stope lengths, widths and level heights, blocks."""

PILLARS = Interval(0, MAX_STOPE_SPAN, "blocks")
"""Pillar, sill-pillar and skin thicknesses, blocks."""

TIME_LIMITS = Interval(0.01, 86_400.0, "s")
"""Time limits of one optimisation, s."""

FRAME_COLUMNS = ("level", "i0", "i1", "j0", "j1", "k0", "k1", "value")
"""Columns of :attr:`Stopes.frame` and of the command line's STOPES.csv (inclusive indices)."""

BLOCK_COLUMNS = ("i", "j", "k", "value")
"""Columns a block file must have (others are ignored)."""

_INTEGRAL_TOL = 1e-6


@dataclass(frozen=True)
class StopeParams:
    """The stope geometry.

    Parameters
    ----------
    length : tuple of int
        ``(min, max)`` stope length along ``i`` (strike), blocks.
    width : tuple of int
        ``(min, max)`` stope width along ``j`` (across), blocks.
    level_height : int
        Level interval ``h``, blocks along ``k``; level ``L`` spans ``k = L·h … L·h + h − 1``.
    pillar : int
        Whole blocks two stopes of one level keep between them along ``i`` or along ``j``.
    sill_pillar : int, optional
        Block layers left unmined at the bottom of every level (0 … ``h − 1``): stopes stand
        ``h − sill_pillar`` blocks high (see the module docstring).
    skin : int, optional
        Whole blocks of waste each wall breaks across ``j``, on the hanging wall and on the
        footwall, over the stope's length and height (0, the default: none); the pillar is
        kept between skins (module docstring).
    waste_value : float, optional
        Value of a block of waste broken in a skin, CNY per block, at most 0: the cost of
        mining and processing it (0, the default).

    Raises
    ------
    ValidationError
        One problem per bad field.
    """

    length: tuple[int, int]
    width: tuple[int, int]
    level_height: int
    pillar: int
    sill_pillar: int = 0
    skin: int = 0
    waste_value: float = 0.0

    def __post_init__(self) -> None:
        problems = _param_problems(
            {f.name: getattr(self, f.name) for f in fields(self)}, None)
        if problems:
            raise ValidationError(problems)

    @classmethod
    def from_mapping(cls, values: Any, source: str | None = None) -> StopeParams:
        """Parameters from a mapping of the field names (a YAML document, a JSON body).

        Parameters
        ----------
        values : Mapping
            ``length: [min, max]`` and ``width: [min, max]`` (blocks), ``level_height`` (blocks),
            ``pillar`` (blocks), optionally ``sill_pillar`` and ``skin`` (blocks, default 0)
            and ``waste_value`` (CNY per block, at most 0, default 0).
        source : str, optional
            Where the values came from (a file name), named in the problems.

        Returns
        -------
        StopeParams

        Raises
        ------
        ValidationError
            One problem per unknown, missing or bad field.
        """
        known = [f.name for f in fields(cls)]
        if not isinstance(values, Mapping):
            raise ValidationError(Problem(
                _("expected a mapping of %(fields)s", fields=", ".join(known)), source=source))
        problems = [Problem(_("unknown field; expected one of %(fields)s",
                              fields=", ".join(known)), column=str(k), source=source)
                    for k in values if k not in known]
        problems += [Problem(_("missing; expected %(what)s", what=_describe(name)),
                             column=name, source=source)
                     for name in known[:4] if values.get(name) is None]
        given = {k: values[k] for k in known if values.get(k) is not None}
        problems += _param_problems(given, source)
        if problems:
            raise ValidationError(problems)
        low_l, high_l = given["length"]
        low_w, high_w = given["width"]
        return cls(length=(int(low_l), int(high_l)), width=(int(low_w), int(high_w)),
                   level_height=int(given["level_height"]), pillar=int(given["pillar"]),
                   sill_pillar=int(given.get("sill_pillar", 0)),
                   skin=int(given.get("skin", 0)),
                   waste_value=float(given.get("waste_value", 0.0)))

    @property
    def stope_height(self) -> int:
        """Blocks a stope stands along ``k``: the level height less the sill pillar."""
        return self.level_height - self.sill_pillar

    def skin_value(self, length: Any) -> Any:
        """The two skins of stopes ``length`` blocks long, CNY: ``2 · skin · length ·
        stope_height · waste_value`` (an int or an array of lengths)."""
        return 2.0 * self.skin * self.stope_height * self.waste_value * length

    def sizes(self) -> list[tuple[int, int]]:
        """Every allowed (length, width), blocks, shortest and narrowest first."""
        return [(a, b) for a in range(self.length[0], self.length[1] + 1)
                for b in range(self.width[0], self.width[1] + 1)]


def _whole(value: Any) -> bool:
    return (isinstance(value, Integral) and not isinstance(value, bool)) or (
        isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
        and float(value).is_integer())


def _describe(name: str) -> str:
    if name in ("length", "width"):
        return _("[min, max], two whole numbers of blocks from 1 to %(high)s",
                 high=MAX_STOPE_SPAN)
    interval = SPANS if name == "level_height" else PILLARS
    return _("a whole number of blocks from %(low)s to %(high)s", low=interval.low,
             high=interval.high)


def _param_problems(values: Mapping[str, Any], source: str | None) -> list[Problem]:
    """At most one problem per field (the fields given; missing ones are the caller's)."""
    problems: list[Problem] = []

    def bad(name: str, message: str) -> None:
        problems.append(Problem(message, column=name, source=source))

    for name in ("length", "width"):
        if name not in values:
            continue
        pair = values[name]
        if (isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2
                or not all(_whole(x) and SPANS.contains(x) for x in pair)):
            bad(name, _("expected %(what)s, got %(value)s", what=_describe(name),
                        value=repr(pair)))
        elif pair[0] > pair[1]:
            bad(name, _("the minimum %(low)s is greater than the maximum %(high)s; expected "
                        "[min, max] with min at most max", low=int(pair[0]), high=int(pair[1])))
    for name, interval in (("level_height", SPANS), ("pillar", PILLARS),
                           ("sill_pillar", PILLARS), ("skin", PILLARS)):
        value: Any = values.get(name)
        if name in values and not (_whole(value) and interval.contains(value)):
            bad(name, _("expected %(what)s, got %(value)s", what=_describe(name),
                        value=repr(value)))
    waste: Any = values.get("waste_value")
    if "waste_value" in values and not (
            isinstance(waste, Real) and not isinstance(waste, bool) and math.isfinite(waste)
            and WASTE_VALUES.contains(float(waste))):
        bad("waste_value", _("expected %(what)s per block (the cost of a block of waste, at "
                             "most 0), got %(value)s", what=WASTE_VALUES.describe(),
                             value=repr(waste)))
    height: Any = values.get("level_height")
    sill: Any = values.get("sill_pillar")
    if (_whole(height) and _whole(sill) and SPANS.contains(height) and PILLARS.contains(sill)
            and sill >= height):
        bad("sill_pillar", _("a sill pillar of %(sill)s blocks leaves no stope in a level of "
                             "%(height)s blocks; expected fewer blocks than the level height",
                             sill=int(sill), height=int(height)))
    return problems


@dataclass(frozen=True)
class Stopes:
    """An optimised stope layout.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per stope: ``level, i0, i1, j0, j1, k0, k1`` (inclusive block indices, the
        walls without the skins) and ``value`` (CNY, the sum of its blocks' values and its
        skins'), by level, ``i0``, ``j0``.
    value : float
        Total value of the stopes, CNY.
    upper_bound : float
        No layout is worth more, CNY: the MIP dual bound (exact) or the LP bound (fast).
    seconds : float
        Wall-clock time of the optimisation, s.
    method : str
        ``"exact"`` or ``"fast"``.
    candidates : int
        Candidate stopes the solver chose among (positive and undominated boxes).
    walls : pandas.DataFrame or None
        Shapes whose walls move from slice to slice (:mod:`aurum.underground.shapes`): one row
        per stope and slice, ``stope`` (row of ``frame``), ``k``, ``j0``, ``j1`` (inclusive
        footwall and hanging wall; ``frame``'s ``j0, j1`` are their envelope); None for boxes.
    """

    frame: pd.DataFrame
    value: float
    upper_bound: float
    seconds: float
    method: str
    candidates: int
    walls: pd.DataFrame | None = None

    @property
    def gap(self) -> float:
        """``(upper_bound − value) / upper_bound``, fraction (0 when the bound is 0)."""
        return (self.upper_bound - self.value) / self.upper_bound if self.upper_bound else 0.0


def read_block_values(path_or_frame: str | Path | pd.DataFrame, source: str | None = None
                      ) -> np.ndarray:
    """Block values on a full regular grid from an ``i, j, k, value`` table.

    Parameters
    ----------
    path_or_frame : path or pandas.DataFrame
        A CSV file, or its table; columns ``i``, ``j``, ``k`` (block indices from 0, whole
        numbers) and ``value`` (CNY if the block is mined); other columns are ignored.
    source : str, optional
        Name used in the messages (default: the file's name).

    Returns
    -------
    numpy.ndarray
        Shape ``(ni, nj, nk)`` = one more than the largest index along each axis, float64.

    Raises
    ------
    ValidationError
        Every problem by file, row and field: a missing column, a non-integer or negative
        index, a non-finite value, a duplicate block, a block missing from the grid, or a grid
        of more than :data:`MAX_STOPE_BLOCKS` blocks.
    """
    if isinstance(path_or_frame, pd.DataFrame):
        frame = path_or_frame
    else:
        source = source or Path(path_or_frame).name
        frame = read_csv(path_or_frame, source, _("block model"))
    frame = require_rows(with_columns(frame, BLOCK_COLUMNS, source), source)
    problems = RowProblems(source)
    index = {}
    for axis in "ijk":
        cells = pd.to_numeric(frame[axis], errors="coerce").to_numpy(dtype=float)
        good = np.isfinite(cells) & (cells >= 0) & (cells == np.round(cells))
        _flag(problems, ~good, axis, _("expected a whole number of at least 0, got {value}"),
              frame[axis])
        index[axis] = np.where(good, cells, 0).astype(np.int64)
    value = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
    _flag(problems, ~np.isfinite(value), "value", _("expected a finite number (CNY), got {value}"),
          frame["value"])
    if problems:
        raise ValidationError(problems)
    shape = tuple(int(index[axis].max()) + 1 for axis in "ijk")
    if math.prod(shape) > MAX_STOPE_BLOCKS:
        raise ValidationError(Problem(
            _("the indices span a grid of %(ni)s × %(nj)s × %(nk)s blocks; the limit is "
              "%(limit)s blocks", ni=shape[0], nj=shape[1], nk=shape[2],
              limit=format(MAX_STOPE_BLOCKS, ",")), source=source))
    flat = np.ravel_multi_index((index["i"], index["j"], index["k"]), shape)
    first = pd.Series(np.arange(len(flat))).groupby(flat).transform("min").to_numpy()
    duplicate = first != np.arange(len(flat))
    problems.flag(duplicate, "i", _("duplicate block i={i}, j={j}, k={k}; first on row {row}"),
                  i=index["i"], j=index["j"], k=index["k"], row=first + 2)
    if problems:
        raise ValidationError(problems)
    values = np.zeros(shape)
    values.flat[flat] = value
    present = np.zeros(math.prod(shape), dtype=bool)
    present[flat] = True
    if not present.all():
        raise ValidationError(_missing_blocks(np.flatnonzero(~present), shape, source))
    return values


def _flag(problems: RowProblems, mask: np.ndarray, column: str, template: str,
          cells: pd.Series) -> None:
    """Flag the cells of ``mask``, each quoted as a spreadsheet shows it."""
    if mask.any():
        problems.flag(mask, column, template, value=cells.map(shown_cell))


def _missing_blocks(missing: np.ndarray, shape: tuple[int, ...], source: str | None
                    ) -> list[Problem]:
    """One problem per missing block (the error keeps the first ones and counts the rest)."""
    ijk = np.unravel_index(missing, shape)
    grid = _("expected every block of the %(ni)s × %(nj)s × %(nk)s grid (indices from 0)",
             ni=shape[0], nj=shape[1], nk=shape[2])
    return [Problem(_("missing block i=%(i)s, j=%(j)s, k=%(k)s; %(grid)s", i=i, j=j, k=k,
                      grid=grid), source=source)
            for i, j, k in zip(*(a.tolist() for a in ijk), strict=True)]


@dataclass(frozen=True)
class _Candidates:
    """The candidate stopes of one level: anchor ``(i0, j0)``, size ``(a, b)``, value (CNY)."""

    i0: np.ndarray
    j0: np.ndarray
    a: np.ndarray
    b: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return len(self.value)

    def zones(self, pillar: int, ni: int, nj: int, skin: int = 0) -> tuple[np.ndarray, ...]:
        """Pillar zones of the stopes with their skins (``skin`` blocks each side across
        ``j``), clipped to the grid: ``i0, i_end, j0, j_end`` (inclusive)."""
        return (self.i0, np.minimum(self.i0 + self.a - 1 + pillar, ni - 1),
                np.maximum(self.j0 - skin, 0),
                np.minimum(self.j0 + self.b - 1 + skin + pillar, nj - 1))


def _check_model(values: np.ndarray, params: StopeParams) -> None:
    if values.ndim != 3:
        raise ValidationError(Problem(_("expected a block model of 3 dimensions (i, j, k), "
                                        "got %(n)s", n=values.ndim)))
    if values.size > MAX_STOPE_BLOCKS:
        raise ValidationError(Problem(_("the model has %(n)s blocks; the limit is %(limit)s",
                                        n=format(values.size, ","),
                                        limit=format(MAX_STOPE_BLOCKS, ","))))
    bad = int(np.count_nonzero(~np.isfinite(values)))
    if bad:
        raise ValidationError(Problem(_("%(n)s block values are not finite numbers; expected "
                                        "a value (CNY) for every block", n=bad)))
    nk = values.shape[2]
    if nk % params.level_height:
        raise ValidationError(Problem(
            _("the model has %(nk)s blocks along k, not a multiple of the level height "
              "%(h)s; expected whole levels", nk=nk, h=params.level_height),
            column="level_height"))
    ni, nj = values.shape[:2]
    boxes = nk // params.level_height * sum(max(ni - a + 1, 0) * max(nj - b + 1, 0)
                                            for a, b in params.sizes())
    if boxes > MAX_STOPE_BOXES:
        raise ValidationError(Problem(
            _("the model and the length and width ranges give %(n)s boxes to value; the limit "
              "is %(limit)s: narrow the ranges or split the model", n=format(boxes, ","),
              limit=format(MAX_STOPE_BOXES, ","))))


def _level_columns(values: np.ndarray, params: StopeParams, level: int) -> np.ndarray:
    """Each block column's value over a level's stope height, (ni, nj), CNY."""
    k0 = level * params.level_height + params.sill_pillar
    return values[:, :, k0:(level + 1) * params.level_height].sum(axis=2)


def _box_values(prefix: np.ndarray, a: int, b: int) -> np.ndarray:
    """Values of every ``a × b`` box by anchor, ``(ni − a + 1, nj − b + 1)``, CNY."""
    return prefix[a:, b:] - prefix[:-a, b:] - prefix[a:, :-b] + prefix[:-a, :-b]


def _prefix(columns: np.ndarray) -> np.ndarray:
    out = np.zeros((columns.shape[0] + 1, columns.shape[1] + 1))
    out[1:, 1:] = columns.cumsum(axis=0).cumsum(axis=1)
    return out


def _level_candidates(columns: np.ndarray, params: StopeParams) -> _Candidates:
    """The positive boxes of a level with no allowed proper sub-box worth as much."""
    ni, nj = columns.shape
    prefix = _prefix(columns)
    (la, ha), (lb, hb) = params.length, params.width
    parts: list[tuple[np.ndarray, ...]] = []
    previous: dict[int, np.ndarray] = {}  # best sub-box values of the sizes (a − 1, b)
    for a in range(la, min(ha, ni) + 1):
        current: dict[int, np.ndarray] = {}
        for b in range(lb, min(hb, nj) + 1):
            value = _box_values(prefix, a, b) + params.skin_value(a)
            best_sub = np.full(value.shape, -np.inf)
            if b in previous:
                shorter = previous[b]
                best_sub = np.maximum(best_sub, np.maximum(shorter[:-1], shorter[1:]))
            if b - 1 in current:
                narrower = current[b - 1]
                best_sub = np.maximum(best_sub, np.maximum(narrower[:, :-1], narrower[:, 1:]))
            keep = (value > 0) & (value > best_sub)
            i0, j0 = np.nonzero(keep)
            parts.append((i0, j0, np.full(i0.size, a), np.full(i0.size, b), value[keep]))
            current[b] = np.maximum(value, best_sub)
        previous = current
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return _Candidates(empty, empty, empty, empty, np.zeros(0))
    i0, j0, a_, b_, v = (np.concatenate(x) for x in zip(*parts, strict=True))
    return _Candidates(i0.astype(np.int64), j0.astype(np.int64), a_.astype(np.int64),
                       b_.astype(np.int64), v)


def optimise_stopes(values: np.ndarray, params: StopeParams, exact: bool = False,
                    time_limit_s: float = 60.0) -> Stopes:
    """The set of non-conflicting stopes of greatest value (see the module docstring).

    Parameters
    ----------
    values : numpy.ndarray
        Block values, shape ``(ni, nj, nk)``, CNY if the block is mined; finite.
    params : StopeParams
        Stope sizes, level height, pillar and sill pillar (blocks).
    exact : bool, optional
        Solve the set-packing MIP (proving the optimum within the time limit) instead of the
        fast method (LP bound and heuristics).
    time_limit_s : float, optional
        Time for the solver over all levels, s (each level gets the remaining time over the
        levels left).

    Returns
    -------
    Stopes

    Raises
    ------
    ValidationError
        A model that is not 3-D, has non-finite values or a ``k`` count that is not a multiple
        of the level height, a time limit out of :data:`TIME_LIMITS`, or a model and ranges
        beyond :data:`MAX_STOPE_BOXES`, :data:`MAX_STOPE_CANDIDATES` or
        :data:`MAX_LEVEL_NONZEROS`.
    """
    start = time.perf_counter()
    values = np.asarray(values, dtype=float)
    _check_model(values, params)
    if not TIME_LIMITS.contains(time_limit_s):
        raise ValidationError(Problem(_("expected %(what)s, got %(value)s",
                                        what=TIME_LIMITS.describe(), value=time_limit_s),
                                      column="time_limit_s"))
    ni, nj, nk = values.shape
    n_levels = nk // params.level_height
    levels: list[_Candidates] = []
    total = 0
    for level in range(n_levels):
        levels.append(_level_candidates(_level_columns(values, params, level), params))
        total += len(levels[-1])
        if total > MAX_STOPE_CANDIDATES:
            raise ValidationError(Problem(_(
                "the model gives more than %(limit)s candidate stopes: narrow the length or "
                "width ranges or split the model", limit=format(MAX_STOPE_CANDIDATES, ","))))
    for cand in levels:
        zones = cand.zones(params.pillar, ni, nj, params.skin)
        nonzeros = int(((zones[1] - zones[0] + 1) * (zones[3] - zones[2] + 1)).sum())
        if nonzeros > MAX_LEVEL_NONZEROS:
            raise ValidationError(Problem(_(
                "a level's stope choice needs %(n)s matrix entries; the limit is %(limit)s: "
                "narrow the length or width ranges or split the model",
                n=format(nonzeros, ","), limit=format(MAX_LEVEL_NONZEROS, ","))))
    deadline = start + time_limit_s
    rows: list[tuple[int, ...]] = []
    bound = 0.0
    for level, cand in enumerate(levels):
        if not len(cand):
            continue
        seconds = max(deadline - time.perf_counter(), 0.0) / sum(
            1 for c in levels[level:] if len(c))
        chosen, level_bound = _solve_level(cand, params.pillar, ni, nj, exact, seconds,
                                           params.skin)
        k0 = level * params.level_height + params.sill_pillar
        k1 = (level + 1) * params.level_height - 1
        picked = np.flatnonzero(chosen)
        rows += [(level, int(cand.i0[c]), int(cand.i0[c] + cand.a[c] - 1), int(cand.j0[c]),
                  int(cand.j0[c] + cand.b[c] - 1), k0, k1) for c in picked]
        bound += max(level_bound, float(cand.value[picked].sum()))
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS[:-1]), dtype=np.int64)
    frame["value"] = np.array([values[i0:i1 + 1, j0:j1 + 1, k0:k1 + 1].sum()
                               + params.skin_value(i1 - i0 + 1)
                               for _level, i0, i1, j0, j1, k0, k1 in rows], dtype=float)
    frame = frame.sort_values(["level", "i0", "j0"], ignore_index=True)
    value = math.fsum(frame["value"])
    return Stopes(frame=frame, value=value, upper_bound=max(bound, value),
                  seconds=time.perf_counter() - start, method="exact" if exact else "fast",
                  candidates=total)


def _solve_level(cand: _Candidates, pillar: int, ni: int, nj: int, exact: bool,
                 seconds: float, skin: int = 0) -> tuple[np.ndarray, float]:
    """One level's chosen candidates (bool) and an upper bound on their best value (CNY),
    ``pillar`` kept between their ``skin``s (blocks)."""
    zones = cand.zones(pillar, ni, nj, skin)
    matrix = _clique_matrix(zones, ni, nj)
    scale = OBJECTIVE_SCALE / float(cand.value.max())
    cost = -cand.value * scale
    deadline = time.perf_counter() + seconds
    # HiGHS's presolve off, as in :func:`_mip`: on the 10^6-block benchmark model it more than
    # doubled a level's LP (3.9 s against 1.7 s) and removed nothing worth it.
    lp = linprog(cost, A_ub=matrix, b_ub=np.ones(matrix.shape[0]), bounds=(0.0, 1.0),
                 method="highs", options={"time_limit": max(seconds, 0.01), "presolve": False})
    solved = lp.status == 0
    x = np.clip(lp.x, 0.0, 1.0) if solved else np.zeros(len(cand))
    if solved and np.all(np.minimum(x, 1.0 - x) < _INTEGRAL_TOL):
        return x > 0.5, -float(lp.fun) / scale  # an integral LP optimum is the optimum
    if exact:
        result = _mip(cost, matrix, deadline - time.perf_counter())
        if result.status == 0:
            return result.x > 0.5, -float(result.mip_dual_bound) / scale
        found = result.x > 0.5 if result.x is not None else np.zeros(len(cand), dtype=bool)
        dual = getattr(result, "mip_dual_bound", None)
        level_bound = (-float(dual) / scale if dual is not None and np.isfinite(dual)
                       else _density_bound(zones, cand.value, ni, nj))
        return _packing(cand, zones, ni, nj, found), level_bound
    if not solved:
        return _packing(cand, zones, ni, nj), _density_bound(zones, cand.value, ni, nj)
    chosen = _packing(cand, zones, ni, nj, lp_values=x)
    support = np.flatnonzero((x > _INTEGRAL_TOL) | chosen)
    remaining = min(FAST_MIP_SECONDS, deadline - time.perf_counter())
    if remaining > 0:
        result = _mip(cost[support], matrix[:, support], remaining)
        if result.x is not None:
            found = np.zeros(len(cand), dtype=bool)
            found[support[result.x > 0.5]] = True
            if cand.value[found].sum() > cand.value[chosen].sum():
                chosen = _pack(np.lexsort((-cand.value, ~found)), zones, cand.value, ni, nj)
    return chosen, -float(lp.fun) / scale


def _packing(cand: _Candidates, zones: tuple[np.ndarray, ...], ni: int, nj: int,
             first: np.ndarray | None = None, lp_values: np.ndarray | None = None
             ) -> np.ndarray:
    """The best of :func:`_pack` in several orders: by value, by value per block of the stope,
    by value per block of its pillar zone (and by LP value first, when given), each after the
    feasible set ``first`` when given. On the vein models of the tests, without the LP, the
    best of the three reached 95-99 per cent of the optimum, value order alone 93-97."""
    zone_blocks = (zones[1] - zones[0] + 1) * (zones[3] - zones[2] + 1)
    keys = [-cand.value, -cand.value / (cand.a * cand.b), -cand.value / zone_blocks]
    ahead = np.zeros(len(cand), dtype=bool) if first is None else ~first
    orders = [np.lexsort((key, ahead)) for key in keys]
    if lp_values is not None:
        orders.append(np.lexsort((-cand.value, -lp_values)))
    packings = [_pack(order, zones, cand.value, ni, nj) for order in orders]
    return max(packings, key=lambda chosen: float(cand.value[chosen].sum()))


def _mip(cost: np.ndarray, matrix: sparse.csc_array, seconds: float) -> Any:
    # Without HiGHS's presolve: the rows are cliques already and the dominated boxes are gone,
    # and on the tests' vein model its probing took 2-3 s of a level's 2.6-3.3 s solve.
    return milp(cost, integrality=np.ones(cost.size), bounds=Bounds(0.0, 1.0),
                constraints=LinearConstraint(matrix, -np.inf, 1.0),
                options={"time_limit": max(seconds, 0.01), "mip_rel_gap": 0.0,
                         "presolve": False})


def _clique_matrix(zones: tuple[np.ndarray, ...], ni: int, nj: int) -> sparse.csc_array:
    """The 0/1 matrix of the clique rows: one per block covered by two zones or more."""
    i0, i1, j0, j1 = zones
    count = np.zeros((ni + 1, nj + 1), dtype=np.int64)
    np.add.at(count, (i0, j0), 1)
    np.add.at(count, (i1 + 1, j0), -1)
    np.add.at(count, (i0, j1 + 1), -1)
    np.add.at(count, (i1 + 1, j1 + 1), 1)
    covered = count.cumsum(axis=0).cumsum(axis=1)[:ni, :nj].ravel()
    shared = covered >= 2
    rank = np.where(shared, np.cumsum(shared) - 1, -1).astype(np.int64)
    indptr, indices = _column_rows(i0, i1, j0, j1, nj, rank)
    return sparse.csc_array((np.ones(indices.size), indices, indptr),
                            shape=(int(shared.sum()), i0.size))


@njit(cache=True)
def _column_rows(i0: np.ndarray, i1: np.ndarray, j0: np.ndarray, j1: np.ndarray, nj: int,
                 rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
    """Each zone's kept rows, as the CSC arrays ``indptr`` and ``indices``."""
    n = i0.size
    indptr = np.zeros(n + 1, dtype=np.int64)
    for c in range(n):
        found = 0
        for x in range(i0[c], i1[c] + 1):
            for y in range(j0[c], j1[c] + 1):
                if rank[x * nj + y] >= 0:
                    found += 1
        indptr[c + 1] = indptr[c] + found
    indices = np.empty(indptr[n], dtype=np.int32)
    for c in range(n):
        at = indptr[c]
        for x in range(i0[c], i1[c] + 1):
            for y in range(j0[c], j1[c] + 1):
                r = rank[x * nj + y]
                if r >= 0:
                    indices[at] = r
                    at += 1
    return indptr, indices


def _density_bound(zones: tuple[np.ndarray, ...], value: np.ndarray, ni: int, nj: int
                   ) -> float:
    """Σ over blocks of the largest value per zone block of a candidate covering it (CNY)."""
    i0, i1, j0, j1 = zones
    density = value / ((i1 - i0 + 1) * (j1 - j0 + 1))
    return float(_cell_max(i0, i1, j0, j1, density, ni, nj).sum())


@njit(cache=True)
def _cell_max(i0: np.ndarray, i1: np.ndarray, j0: np.ndarray, j1: np.ndarray,
              density: np.ndarray, ni: int, nj: int) -> np.ndarray:  # pragma: no cover
    out = np.zeros((ni, nj))
    for c in range(i0.size):
        for x in range(i0[c], i1[c] + 1):
            for y in range(j0[c], j1[c] + 1):
                out[x, y] = max(out[x, y], density[c])
    return out


def _pack(order: np.ndarray, zones: tuple[np.ndarray, ...], value: np.ndarray, ni: int,
          nj: int) -> np.ndarray:
    """A feasible set: greedy in ``order``, then local search (see :func:`_local_search`)."""
    i0, i1, j0, j1 = zones
    return _local_search(order.astype(np.int64), i0, i1, j0, j1, value, ni, nj)


@njit(cache=True)
def _local_search(order: np.ndarray, i0: np.ndarray, i1: np.ndarray, j0: np.ndarray,
                  j1: np.ndarray, value: np.ndarray, ni: int, nj: int
                  ) -> np.ndarray:  # pragma: no cover
    """Greedy packing in ``order``; then, while it pays, a candidate worth more than all the
    chosen ones its zone meets replaces them and the freed room is refilled greedily. Each
    swap raises the value by more than a relative 1e-12, so the search ends."""
    n = order.size
    owner = np.full((ni, nj), -1, dtype=np.int64)
    chosen = np.zeros(value.size, dtype=np.bool_)
    stamp = np.full(value.size, -1, dtype=np.int64)
    for _pass in range(1000):
        for t in range(n):  # refill
            c = order[t]
            if chosen[c]:
                continue
            free = True
            for x in range(i0[c], i1[c] + 1):
                for y in range(j0[c], j1[c] + 1):
                    if owner[x, y] >= 0:
                        free = False
                        break
                if not free:
                    break
            if free:
                chosen[c] = True
                owner[i0[c]:i1[c] + 1, j0[c]:j1[c] + 1] = c
        improved = False
        for t in range(n):  # swaps
            c = order[t]
            if chosen[c]:
                continue
            lost = 0.0
            for x in range(i0[c], i1[c] + 1):
                for y in range(j0[c], j1[c] + 1):
                    o = owner[x, y]
                    if o >= 0 and stamp[o] != t + _pass * n:
                        stamp[o] = t + _pass * n
                        lost += value[o]
            if value[c] > lost * (1.0 + 1e-12):
                for x in range(i0[c], i1[c] + 1):
                    for y in range(j0[c], j1[c] + 1):
                        o = owner[x, y]
                        if o >= 0 and chosen[o]:
                            chosen[o] = False
                            owner[i0[o]:i1[o] + 1, j0[o]:j1[o] + 1] = -1
                chosen[c] = True
                owner[i0[c]:i1[c] + 1, j0[c]:j1[c] + 1] = c
                improved = True
        if not improved:
            break
    return chosen


def floating_stope_envelope(values: np.ndarray, params: StopeParams) -> np.ndarray:
    """The classic floating-stope envelope: every block of some positive-value stope box.

    Boxes of every allowed length and width at every position of every level's stope height
    (the sill pillar excluded), each valued with its skins, overlapping freely and with no
    pillar (the envelope holds the walls, not the skins): the outline a planner
    starts from, not a plan; its value is an optimistic reference for :func:`optimise_stopes`.

    Parameters
    ----------
    values : numpy.ndarray
        Block values, shape ``(ni, nj, nk)``, CNY if mined.
    params : StopeParams
        Stope sizes and level height (blocks); the pillar plays no part.

    Returns
    -------
    numpy.ndarray
        Bool, shape of ``values``: True for the envelope's blocks.

    Raises
    ------
    ValidationError
        As :func:`optimise_stopes` for the model.
    """
    values = np.asarray(values, dtype=float)
    _check_model(values, params)
    ni, nj, nk = values.shape
    envelope = np.zeros(values.shape, dtype=bool)
    for level in range(nk // params.level_height):
        columns = _level_columns(values, params, level)
        prefix = _prefix(columns)
        covered = np.zeros((ni + 1, nj + 1), dtype=np.int64)
        for a, b in params.sizes():
            if a > ni or b > nj:
                continue
            positive = _box_values(prefix, a, b) + params.skin_value(a) > 0
            # A positive box anchored at (i0, j0) covers [i0, i0 + a) × [j0, j0 + b): its
            # corners go into a 2-D difference array summed once after every size.
            starts = np.zeros((ni + 1, nj + 1), dtype=np.int64)
            starts[:ni - a + 1, :nj - b + 1] = positive
            covered += starts
            covered[a:, :] -= starts[:ni + 1 - a, :]
            covered[:, b:] -= starts[:, :nj + 1 - b]
            covered[a:, b:] += starts[:ni + 1 - a, :nj + 1 - b]
        k0 = level * params.level_height + params.sill_pillar
        inside = covered.cumsum(axis=0).cumsum(axis=1)[:ni, :nj] > 0
        envelope[:, :, k0:(level + 1) * params.level_height] = inside[:, :, None]
    return envelope
