"""Slope precedence on a regular block model: a minimal arc set for the ultimate pit.

A block can be mined only once every block inside the inverted cone above it has gone. The
cone of a block is set by the overall slope angle, which may vary with the azimuth (sectors)
and with the block's region or rock type (a per-block integer code with its own sector
table). Listing every block of every cone would give hundreds of arcs per block; a pit solver
only needs arcs whose transitive closure gives the cone back.

Conventions
-----------
* Grid: :class:`aurum.core.grid.BlockGrid`, GSLIB order (x fastest, then y, then z), z up:
  the top bench has the largest k.
* Cone test, centre to centre: block j (above) is in the cone of block i (below) when
  ``dz > 0`` and the elevation angle ``atan(dz / h)`` of the line from i's centre to j's
  centre is at least the slope angle for its azimuth (``h`` horizontal distance, m), with a
  tolerance of 1e-9°: a block exactly on the cone surface is inside. For 45° slopes on cubic
  blocks the cone one bench up is therefore the 5 blocks above (centre + 4 edge neighbours),
  not the 9.
* Azimuth: direction of the horizontal line from the lower block to the upper one, degrees
  clockwise from north (+y); +x is east. The angle for azimuth 0 is therefore that of the
  pit's north wall.
* Sectors: ``m`` equal sectors centred on azimuths ``0, 360/m, 2·360/m, ...`` (for 8 sectors:
  N, NE, E, SE, S, SW, W, NW), each with an overall slope angle in degrees from horizontal.
  Within a sector the angle is constant (on a sector boundary, within 1e-9°, the flatter of
  the two applies) or, with ``interpolate=True``, linear between sector centres.
* Region: the cone of a block uses the sector table of the block's own region code (the
  block being uncovered), as MineFlow does.

The arcs: minimum search patterns
---------------------------------
Within one region the cone is the same for every block, so it becomes a pattern of offsets
built once (``minimum_search_pattern``; the "minimum search" pattern of MineFlow, Deutsch,
Dağdelen & Johnson 2022, after Caccetta & Giannini 1988): going up bench by bench from
``dz = 1`` to ``n_benches``, an offset of the cone is kept only when the offsets kept on lower
benches do not already imply it (the cone's boundary blocks not covered by the cones of the
blocks kept below). No kept offset is implied by the others (an implying path would pass
through lower benches, where the offset was checked) and every offset of the cone up to
``n_benches`` is implied. When the cone is *closed under addition* up to ``n_benches`` (a
sum of two cone offsets no higher than ``n_benches`` is in the cone: one angle all round,
i.e. a convex cone), the closure of the pattern is exactly the cone up to ``n_benches``
(no false inclusion) and stays inside the cone above (false exclusions only, fewer as
``n_benches`` grows). Sector tables with steps are not convex: the closure then also holds
a few blocks outside the cone (reported by ``precedence_accuracy``).

A block gets a *per-block* minimum search instead of its region's pattern when its window
(``n_benches`` up, the cone's horizontal reach across) holds another region, or is cut by a
side of the model where the pattern's paths that stay inside the model miss part of the cone
(checked once per position relative to the sides; never the case when the pattern reaches
its cone through monotone paths, whose x and y never turn back, as for 45° on cubes). The
search is the same bench-by-bench rule, but "already implied" is read from the arcs actually
built for the blocks above (benches are built top down): every block of the block's own exact
cone within ``n_benches`` is implied, and no kept arc is implied by the block's other arcs.
Elsewhere the pattern is exact: a path from a block whose window is all its own region stays
in that window, so it goes only through blocks whose arcs are offsets of the same cone; for a
closed cone their closures within the block's benches are exactly their cones, so the
pattern's arcs still cover the cone and none becomes redundant. The guarantees (minimal arcs;
every cone block within ``n_benches`` implied) are therefore proved for closed cones, and
checked by brute force in the tests for stepped and interpolated sector tables too.

The search walks the closure of the arcs it keeps, in a bit window around the block; where a
block reached is *pure* (its closure is known to be its region's pattern closure: a closed
region with no wider-coned region in its window, or twice its window all its region inside
the model) the closure is stamped in one go instead of walked. Everything is compiled with
numba; a single-region model of 10^6 blocks builds in well under a second, and blocks near
region contacts cost some tens of microseconds each.

Regions: a block's cone is its own region's, but its arcs lead to blocks that carry their
own cones, so near a contact the closure of a steep block also holds the wider cones of the
flatter blocks inside its cone. Those are counted as false inclusions against the block's
own cone by ``precedence_accuracy``, although the slopes of those blocks require them.

Accuracy (``precedence_accuracy``) compares, for a sample of blocks, the transitive closure
of the arcs with the exact cone: false inclusions (implied but outside the cone) and false
exclusions (inside the cone but not implied), as MineFlow reports.

Memory: the window follows from the flattest angle and the block size (``window_footprint``,
arithmetic only) and the arcs from the patterns' lengths (``precedence_footprint``), so a
caller can refuse a build too large before it starts; ``max_arcs`` stops a build whose
per-block searches keep more arcs than that.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

from aurum.core.errors import Problem, ValidationError
from aurum.core.grid import BlockGrid
from aurum.core.i18n import _

TOLERANCE_DEG = 1e-9
"""Angular tolerance, degrees: a block on the cone surface or a sector boundary."""


@dataclass(frozen=True)
class SlopeTable:
    """Overall slope angles by azimuth sector.

    Parameters
    ----------
    angles : tuple of float
        Overall slope angle of each sector, degrees from horizontal, each in (0, 90). Sector s
        of m is centred on azimuth ``s * 360 / m`` (degrees clockwise from north); one angle
        means the same slope all round.
    interpolate : bool
        False: the angle is constant within a sector. True: linear between sector centres.
    """

    angles: tuple[float, ...]
    interpolate: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "angles", tuple(float(a) for a in self.angles))
        problems = _angle_problems(self.angles, None)
        if problems:
            raise ValidationError(problems)

    @property
    def min_angle(self) -> float:
        """The flattest angle, degrees (it sets the cone's horizontal reach)."""
        return min(self.angles)

    def angle_at(self, azimuth: np.ndarray) -> np.ndarray:
        """Slope angle at the given azimuths.

        Parameters
        ----------
        azimuth : numpy.ndarray
            Azimuths, degrees clockwise from north.

        Returns
        -------
        numpy.ndarray
            Overall slope angles, degrees from horizontal.
        """
        a = np.asarray(self.angles, dtype=np.float64)
        m = len(a)
        az = np.mod(np.asarray(azimuth, dtype=np.float64), 360.0)
        if m == 1:
            return np.full(az.shape, a[0])
        width = 360.0 / m
        if self.interpolate:
            u = az / width
            s0 = np.floor(u).astype(np.int64)
            f = u - s0
            return (1.0 - f) * a[s0 % m] + f * a[(s0 + 1) % m]
        u = np.mod(az + width / 2.0, 360.0) / width
        s = np.floor(u).astype(np.int64) % m
        f = u - np.floor(u)
        out = a[s]
        tol = TOLERANCE_DEG / width
        low = f < tol
        high = f > 1.0 - tol
        out = np.where(low, np.minimum(out, a[(s - 1) % m]), out)
        return np.where(high, np.minimum(out, a[(s + 1) % m]), out)


SlopeSpec = float | Sequence[float] | SlopeTable
"""One sector table: an angle, a sequence of sector angles (degrees) or a SlopeTable."""


def _angle_problems(angles: Sequence[float], region: int | None) -> list[Problem]:
    if len(angles) == 0:
        return [Problem(_("the slope table is empty; expected at least one overall slope angle "
                          "in degrees") if region is None else
                        _("the slope table of region %(region)s is empty; expected at least one "
                          "overall slope angle in degrees", region=region))]
    problems = []
    for s, a in enumerate(angles):
        place = (_("sector %(sector)s (azimuth %(azimuth)s°)", sector=s,
                   azimuth=format(s * 360.0 / len(angles), "g")) if len(angles) > 1
                 else _("the slope"))
        if region is not None:
            place = _("%(place)s of region %(region)s", place=place, region=region)
        if not math.isfinite(a) or a <= 0.0 or a >= 90.0:
            problems.append(Problem(
                _("slope angle %(angle)s° in %(place)s: expected an overall slope angle in "
                  "degrees from horizontal, greater than 0 and less than 90",
                  angle=format(a, "g"), place=place)))
    return problems


def _slope_table_name(region: int | None) -> str:
    return _("slope table") if region is None else _("slope table of region %(region)s",
                                                     region=region)


def _as_table(spec: object, region: int | None) -> SlopeTable:
    if isinstance(spec, SlopeTable):
        return spec
    if isinstance(spec, int | float | np.integer | np.floating):
        angles: list[float] = [float(spec)]
    elif isinstance(spec, Sequence | np.ndarray):
        try:
            angles = [float(a) for a in spec]
        except (TypeError, ValueError) as exc:
            raise ValidationError(Problem(
                _("%(table)s: expected angles in degrees, got %(value)r",
                  table=_slope_table_name(region), value=spec))) from exc
    else:
        raise ValidationError(Problem(
            _("%(table)s: expected an angle, a sequence of sector angles or a SlopeTable, got "
              "%(kind)s", table=_slope_table_name(region), kind=type(spec).__name__)))
    problems = _angle_problems(angles, region)
    if problems:
        raise ValidationError(problems)
    return SlopeTable(tuple(angles))


def _region_tables(grid: BlockGrid, slopes: SlopeSpec | Mapping[int, SlopeSpec],
                   regions: np.ndarray | None) -> tuple[np.ndarray, list[int], list[SlopeTable]]:
    """Region index per block (int32), the region codes and their tables."""
    n = grid.n_blocks
    if regions is None:
        if isinstance(slopes, Mapping):
            raise ValidationError(Problem(
                _("slopes are given per region code but no regions: pass a region code per "
                  "block (regions=...) or a single sector table")))
        return np.zeros(n, dtype=np.int32), [0], [_as_table(slopes, None)]
    codes_in = np.asarray(regions)
    if codes_in.shape != (n,):
        raise ValidationError(Problem(
            _("regions has shape %(shape)s; expected one integer code per block, shape "
              "(%(n)s,), in GSLIB order", shape=codes_in.shape, n=n)))
    if not np.issubdtype(codes_in.dtype, np.integer):
        raise ValidationError(Problem(
            _("regions has dtype %(dtype)s; expected integer region or rock-type codes",
              dtype=codes_in.dtype)))
    present, inverse = np.unique(codes_in, return_inverse=True)
    if not isinstance(slopes, Mapping):
        table = _as_table(slopes, None)
        return inverse.astype(np.int32), [int(c) for c in present], [table] * len(present)
    problems = []
    tables: list[SlopeTable] = []
    for c in present:
        code = int(c)
        if code not in slopes:
            count = int(np.count_nonzero(codes_in == c))
            problems.append(Problem(
                _("region code %(code)s (%(count)s blocks) has no slope sector table; expected "
                  "a table for every code in regions (%(codes)s)", code=code, count=count,
                  codes=", ".join(map(str, present[:12])) + (", ..." if len(present) > 12
                                                             else ""))))
            continue
        try:
            tables.append(_as_table(slopes[code], code))
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    return inverse.astype(np.int32), [int(c) for c in present], tables


def _check_benches(n_benches: int, name: str = "n_benches") -> int:
    if isinstance(n_benches, bool) or not isinstance(n_benches, int | np.integer) \
            or n_benches < 1:
        raise ValidationError(Problem(
            _("%(name)s = %(value)r: expected a whole number of benches, at least 1",
              name=name, value=n_benches)))
    return int(n_benches)


MAX_WINDOW_BLOCKS = 20_000_000
"""Largest cone window (benches × blocks across × blocks along) searched around a block."""


def _reach(table_min_angle: float, size: tuple[float, float, float],
           benches: int) -> tuple[int, int]:
    """Largest horizontal offsets (blocks along x, y) of a cone ``benches`` benches high."""
    run = benches * size[2] / math.tan(math.radians(table_min_angle))
    rx, ry = math.floor(run / size[0] + 1e-9), math.floor(run / size[1] + 1e-9)
    if (benches + 1) * (2 * rx + 1) * (2 * ry + 1) > MAX_WINDOW_BLOCKS:
        raise ValidationError(Problem(
            f"a {table_min_angle:g}° slope over {benches} benches of "
            f"{size[0]:g} x {size[1]:g} x {size[2]:g} m blocks reaches {rx} x {ry} blocks "
            f"sideways: too wide a cone to search; use fewer benches or check the angle "
            f"(degrees from horizontal)"))
    return rx, ry


WINDOW_BYTES_PER_CELL = 48
"""Bytes per cell of the search window (the build's stack and offsets)."""
WINDOW_BYTES_PER_REGION_CELL = 48
"""Bytes per window cell and region: its cone, pattern closure and bit rows, with the
temporaries that make them."""
BYTES_PER_BLOCK = 96
"""Bytes per block while the arcs are built (region index, search flags, row offsets, the
window sums that place the per-block searches)."""
BYTES_PER_ARC = 8
"""Bytes per arc of the result (an int64 block index)."""


@dataclass(frozen=True)
class PrecedenceFootprint:
    """What :func:`slope_precedence` will take, known before it builds anything.

    Attributes
    ----------
    n_blocks : int
        Blocks of the model.
    window_cells : int
        Cells of the search window (benches + 1 × across × along).
    arcs : int
        Arcs expected: each block its region's pattern (the model's sides and region contacts
        change a few blocks' counts).
    bytes : int
        Memory of the build, bytes: window, blocks and arcs.
    """

    n_blocks: int
    window_cells: int
    arcs: int
    bytes: int


def window_footprint(grid: BlockGrid, slopes: SlopeSpec | Mapping[int, SlopeSpec],
                     n_benches: int = 8, regions: np.ndarray | None = None
                     ) -> tuple[int, int]:
    """Cells of the search window and the memory of the build before any arc, bytes.

    Arithmetic on the flattest angle and the block size: nothing is searched, so a caller can
    refuse a window too wide before :func:`precedence_footprint` searches the patterns in it.

    Parameters
    ----------
    grid, slopes, n_benches, regions
        As for :func:`slope_precedence` (angles in degrees).

    Returns
    -------
    tuple of int
        The window's cells (benches + 1 × across × along) and the bytes of the window and
        the per-block arrays.
    """
    n = _check_benches(n_benches)
    _regions, _codes, tables = _region_tables(grid, slopes, regions)
    reaches = [_reach(t.min_angle, grid.size, n) for t in tables]
    cells = (n + 1) * (2 * max(r[0] for r in reaches) + 1) * (2 * max(r[1] for r in reaches)
                                                              + 1)
    per_cell = WINDOW_BYTES_PER_CELL + WINDOW_BYTES_PER_REGION_CELL * len(tables)
    return cells, cells * per_cell + grid.n_blocks * BYTES_PER_BLOCK


def precedence_footprint(grid: BlockGrid, slopes: SlopeSpec | Mapping[int, SlopeSpec],
                         n_benches: int = 8, regions: np.ndarray | None = None
                         ) -> PrecedenceFootprint:
    """Arcs and memory of :func:`slope_precedence`, estimated before it builds any arc.

    The patterns are searched (in the window of :func:`window_footprint`, which a caller
    checks first); each block is counted with its region's pattern.

    Parameters
    ----------
    grid, slopes, n_benches, regions
        As for :func:`slope_precedence` (angles in degrees).

    Raises
    ------
    ValidationError
        The inputs of :func:`slope_precedence` are wrong.
    """
    cells, fixed = window_footprint(grid, slopes, n_benches, regions)
    reg, _codes, tables = _region_tables(grid, slopes, regions)
    lengths = np.array([len(minimum_search_pattern(t, grid.size, n_benches)) for t in tables])
    arcs = int((np.bincount(reg, minlength=len(tables)) * lengths).sum())
    return PrecedenceFootprint(grid.n_blocks, cells, arcs, fixed + arcs * BYTES_PER_ARC)


def cone_mask(table: SlopeTable, size: tuple[float, float, float], benches: int,
              reach: tuple[int, int]) -> np.ndarray:
    """The exact slope cone above a block as offsets in a window.

    Parameters
    ----------
    table : SlopeTable
        Slope angles by sector, degrees.
    size : tuple of float
        Block size along x, y, z, m.
    benches : int
        Height of the window, benches.
    reach : tuple of int
        Half-width of the window along x and y, blocks.

    Returns
    -------
    numpy.ndarray
        Boolean, shape ``(benches + 1, 2 * reach[1] + 1, 2 * reach[0] + 1)``: entry
        ``[dz, reach[1] + dy, reach[0] + dx]`` is True when the block at offset (dx, dy, dz)
        is in the cone (``dz = 0`` is all False).
    """
    rx, ry = reach
    ex = np.arange(-rx, rx + 1) * size[0]
    ny = np.arange(-ry, ry + 1) * size[1]
    east, north = np.meshgrid(ex, ny)
    h = np.hypot(east, north)
    azimuth = np.degrees(np.arctan2(east, north))
    angle = table.angle_at(azimuth)
    rise = np.arange(benches + 1, dtype=np.float64)[:, None, None] * size[2]
    elevation = np.degrees(np.arctan2(rise, h[None]))
    inside = elevation >= angle[None] - TOLERANCE_DEG
    inside[0] = False
    return inside


def minimum_search_pattern(table: SlopeTable | SlopeSpec, size: tuple[float, float, float],
                           n_benches: int) -> np.ndarray:
    """The minimal set of offsets whose transitive closure gives the slope cone.

    Bench by bench from 1 to ``n_benches``, the blocks of the exact cone that the offsets
    kept on lower benches do not already reach are kept.

    Parameters
    ----------
    table : SlopeTable, float or sequence of float
        Overall slope angles by sector, degrees.
    size : tuple of float
        Block size along x, y, z, m.
    n_benches : int
        Benches searched above the block.

    Returns
    -------
    numpy.ndarray
        Offsets (dx, dy, dz) in blocks, int64, shape (m, 3), sorted by dz, then dy, then dx.
        A block needs the blocks at these offsets from it.
    """
    table = _as_table(table, None)
    n = _check_benches(n_benches)
    rx, ry = _reach(table.min_angle, size, n)
    cone = cone_mask(table, size, n, (rx, ry))
    wy, wx = 2 * ry + 1, 2 * rx + 1
    reached = np.zeros((n + 1, wy, wx), dtype=bool)
    reached[0, ry, rx] = True
    kept: list[np.ndarray] = []
    for d in range(1, n + 1):
        plane = np.zeros((wy, wx), dtype=bool)
        for block in kept:
            for dx, dy, dz in block:
                _shift_or(plane, reached[d - dz], int(dx), int(dy))
        new = cone[d] & ~plane
        jy, jx = np.nonzero(new)
        if jy.size:
            kept.append(np.column_stack((jx - rx, jy - ry, np.full(jy.size, d))).astype(
                np.int64))
        reached[d] = plane | new
    if not kept:
        return np.empty((0, 3), dtype=np.int64)
    return np.concatenate(kept)


def _shift_or(plane: np.ndarray, src: np.ndarray, dx: int, dy: int) -> None:
    """``plane |= src`` shifted by (dx, dy) cells, what falls outside the window dropped."""
    wy, wx = plane.shape
    ys, yd = (slice(0, wy - dy), slice(dy, wy)) if dy >= 0 else \
        (slice(-dy, wy), slice(0, wy + dy))
    xs, xd = (slice(0, wx - dx), slice(dx, wx)) if dx >= 0 else \
        (slice(-dx, wx), slice(0, wx + dx))
    plane[yd, xd] |= src[ys, xs]


def _closure(offsets: np.ndarray, n: int, rx: int, ry: int) -> np.ndarray:
    """Blocks reached from the origin through ``offsets`` within ``n`` benches, as a window
    like :func:`cone_mask`'s (the origin included at ``[0, ry, rx]``)."""
    wy, wx = 2 * ry + 1, 2 * rx + 1
    reached = np.zeros((n + 1, wy, wx), dtype=bool)
    reached[0, ry, rx] = True
    for d in range(1, n + 1):
        plane = reached[d]
        for dx, dy, dz in offsets:
            if dz > d:
                continue
            _shift_or(plane, reached[d - dz], int(dx), int(dy))
    return reached


def _monotone_cover(pattern: np.ndarray, cone: np.ndarray, n: int, rx: int, ry: int) -> bool:
    """Whether every cone block within ``n`` benches is reached through offsets whose x and
    y components never change sign along the path (so the path stays in the box between
    the two ends, and a side of the model cannot cut it)."""
    dx, dy = np.meshgrid(np.arange(-rx, rx + 1), np.arange(-ry, ry + 1))
    covered = np.zeros_like(cone)
    for sx in (-1, 1):
        for sy in (-1, 1):
            keep = (pattern[:, 0] * sx >= 0) & (pattern[:, 1] * sy >= 0)
            quadrant = (dx * sx >= 0) & (dy * sy >= 0)
            covered |= _closure(pattern[keep], n, rx, ry) & quadrant[None]
    return bool(np.all(covered[1:] | ~cone[1:]))


@njit(cache=True)
def _clipped_cover(pattern: np.ndarray, cone: np.ndarray, n: int, rx: int, ry: int,
                   x0: int, x1: int, y0: int, y1: int) -> bool:
    """Whether paths through the pattern that stay inside the box ``x0 <= dx <= x1``,
    ``y0 <= dy <= y1`` (a side of the model cutting the window) reach every cone block of
    the box within ``n`` benches."""
    reached = np.zeros(cone.shape, dtype=np.bool_)
    reached[0, ry, rx] = True
    for d in range(1, n + 1):
        for a in range(len(pattern)):
            dz = pattern[a, 2]
            if dz > d:
                break
            dx = pattern[a, 0]
            dy = pattern[a, 1]
            for jy in range(ry + y0, ry + y1 + 1):
                ty = jy + dy
                if ty < ry + y0 or ty > ry + y1:
                    continue
                for jx in range(rx + x0, rx + x1 + 1):
                    tx = jx + dx
                    if tx < rx + x0 or tx > rx + x1 or not reached[d - dz, jy, jx]:
                        continue
                    reached[d, ty, tx] = True
        for jy in range(ry + y0, ry + y1 + 1):
            for jx in range(rx + x0, rx + x1 + 1):
                if cone[d, jy, jx] and not reached[d, jy, jx]:
                    return False
    return True


def _side_search(pattern: np.ndarray, cone: np.ndarray, n: int, rxm: int, rym: int,
                 reach: tuple[int, int], count: tuple[int, int, int]) -> np.ndarray:
    """Columns (y, x) whose clipped pattern misses part of the cone, shape (ny, nx)."""
    nx, ny, _nz = count
    rx, ry = reach
    if _monotone_cover(pattern, cone, n, rxm, rym):
        return np.zeros((ny, nx), dtype=bool)
    xs, ys = np.arange(nx), np.arange(ny)
    xcfg = np.column_stack((-np.minimum(xs, rx), np.minimum(nx - 1 - xs, rx)))
    ycfg = np.column_stack((-np.minimum(ys, ry), np.minimum(ny - 1 - ys, ry)))
    ux, xi = np.unique(xcfg, axis=0, return_inverse=True)
    uy, yi = np.unique(ycfg, axis=0, return_inverse=True)
    pat = np.ascontiguousarray(pattern, dtype=np.int64)
    ok = np.array([[_clipped_cover(pat, cone, n, rxm, rym, int(bx[0]), int(bx[1]),
                                   int(by[0]), int(by[1])) for bx in ux] for by in uy])
    return ~ok[yi.ravel()][:, xi.ravel()]


@dataclass(frozen=True)
class Precedence:
    """Slope precedences in compressed rows.

    Attributes
    ----------
    ptr, idx : numpy.ndarray
        Block i needs the blocks ``idx[ptr[i]:ptr[i+1]]`` (int64), as
        :func:`aurum.planning.maxclosure.maximum_closure` takes them.
    n_benches : int
        Benches searched above each block.
    patterns : dict of int to numpy.ndarray
        Region code -> minimum search pattern, offsets (dx, dy, dz) in blocks.
    n_searched : int
        Blocks whose arcs came from a per-block search (model sides, region contacts) rather
        than their region's pattern.
    """

    ptr: np.ndarray
    idx: np.ndarray
    n_benches: int
    patterns: Mapping[int, np.ndarray]
    n_searched: int

    @property
    def n_blocks(self) -> int:
        return len(self.ptr) - 1

    @property
    def n_arcs(self) -> int:
        return len(self.idx)


def _window_sums(ind: np.ndarray, rx: int, ry: int, up: int) -> np.ndarray:
    """Per block (z, y, x): sum of ``ind`` over x±rx, y±ry, z+1..z+up, clipped to the grid."""
    nz, ny, nx = ind.shape
    s = np.zeros((nz + 1, ny + 1, nx + 1), dtype=np.int64)
    s[1:, 1:, 1:] = ind.cumsum(0).cumsum(1).cumsum(2)
    z = np.arange(nz)[:, None, None]
    y = np.arange(ny)[None, :, None]
    x = np.arange(nx)[None, None, :]
    z0, z1 = z + 1, np.minimum(z + up, nz - 1) + 1
    y0, y1 = np.maximum(y - ry, 0), np.minimum(y + ry, ny - 1) + 1
    x0, x1 = np.maximum(x - rx, 0), np.minimum(x + rx, nx - 1) + 1
    return (s[z1, y1, x1] - s[z0, y1, x1] - s[z1, y0, x1] - s[z1, y1, x0]
            + s[z0, y0, x1] + s[z0, y1, x0] + s[z1, y0, x0] - s[z0, y0, x0])


@njit(cache=True)
def _or_row(dst: np.ndarray, d0: int, src: np.ndarray, s0: int, nw: int, shift: int) -> None:
    """``dst[d0:d0+nw] |= src[s0:s0+nw]`` shifted by ``shift`` bits (to higher columns when
    positive); bits leaving the row are dropped."""
    if shift >= 0:
        ws = shift >> 6
        bs = np.uint64(shift & 63)
        for k in range(nw - 1, ws - 1, -1):
            j = k - ws
            v = src[s0 + j] << bs
            if bs != 0 and j >= 1:
                v |= src[s0 + j - 1] >> (np.uint64(64) - bs)
            dst[d0 + k] |= v
    else:
        ws = (-shift) >> 6
        bs = np.uint64((-shift) & 63)
        for k in range(0, nw - ws):
            j = k + ws
            v = src[s0 + j] >> bs
            if bs != 0 and j + 1 < nw:
                v |= src[s0 + j + 1] << (np.uint64(64) - bs)
            dst[d0 + k] |= v


@njit(cache=True)
def _stamp(mark: np.ndarray, closure: np.ndarray, row_lo: np.ndarray, row_hi: np.ndarray,
           r: int, ux: int, uy: int, ud: int, n: int, wy: int, nw: int, rxm: int,
           rym: int) -> None:
    """Mark the closure of a pure block of region r at window cell (ux, uy, ud)."""
    base = r * (n + 1)
    for e in range(1, n - ud + 1):
        for jy in range(row_lo[r, e], row_hi[r, e] + 1):
            ty = uy + jy - rym
            if ty < 0 or ty >= wy:
                continue
            _or_row(mark, ((ud + e) * wy + ty) * nw, closure, ((base + e) * wy + jy) * nw,
                    nw, ux - rxm)


@njit(cache=True)
def _imply(t: int, tx: int, ty: int, td: int, x: int, y: int, z: int, nx: int, ny: int,
           nz: int, reg: np.ndarray, search: np.ndarray, pure: np.ndarray,
           start: np.ndarray, count: np.ndarray, off: np.ndarray,
           pat_ptr: np.ndarray, pat_off: np.ndarray, closure: np.ndarray,
           row_lo: np.ndarray, row_hi: np.ndarray, mark: np.ndarray, stack: np.ndarray,
           rxm: int, rym: int, n: int) -> None:
    """Mark, in the bit window of the block at (x, y, z), block t (at window cell
    (tx, ty, td)) and everything it implies up to n benches above the block: pure blocks
    stamp their region's pattern closure, the others are walked through their arcs."""
    nxy = nx * ny
    wy, wx = 2 * rym + 1, 2 * rxm + 1
    nw = (wx + 63) // 64
    one = np.uint64(1)
    mark[(td * wy + ty) * nw + (tx >> 6)] |= one << np.uint64(tx & 63)
    stack[0, 0] = t
    stack[0, 1] = tx
    stack[0, 2] = ty
    stack[0, 3] = td
    top = 1
    while top > 0:
        top -= 1
        u = stack[top, 0]
        ux = stack[top, 1]
        uy = stack[top, 2]
        ud = stack[top, 3]
        ru = reg[u]
        if pure[u]:
            _stamp(mark, closure, row_lo, row_hi, ru, ux, uy, ud, n, wy, nw, rxm, rym)
            continue
        if search[u]:
            first, last, src = start[u], start[u] + count[u], off
        else:
            first, last, src = pat_ptr[ru], pat_ptr[ru + 1], pat_off
        gx = x + ux - rxm
        gy = y + uy - rym
        for a in range(first, last):
            vd = ud + src[a, 2]
            if vd > n:
                break
            ax = src[a, 0]
            ay = src[a, 1]
            if not (0 <= gx + ax < nx) or not (0 <= gy + ay < ny) or z + vd >= nz:
                continue
            vx = ux + ax
            vy = uy + ay
            if vy < 0 or vy >= wy or vx < 0 or vx >= wx:
                continue
            wv = (vd * wy + vy) * nw + (vx >> 6)
            bv = one << np.uint64(vx & 63)
            if mark[wv] & bv:
                continue
            mark[wv] |= bv
            stack[top, 0] = u + ax + nx * ay + nxy * src[a, 2]
            stack[top, 1] = vx
            stack[top, 2] = vy
            stack[top, 3] = vd
            top += 1


@njit(cache=True)
def _build(nx: int, ny: int, nz: int, reg: np.ndarray, search: np.ndarray, pure: np.ndarray,
           pat_ptr: np.ndarray, pat_off: np.ndarray,
           cell_ptr: np.ndarray, cell_off: np.ndarray, closure: np.ndarray,
           row_lo: np.ndarray, row_hi: np.ndarray, rxm: int, rym: int,
           n: int, max_arcs: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Arcs of every block: its region's pattern (clipped to the model), or the per-block
    minimum search through the arcs of the blocks above, benches top down. False (and no
    arcs) as soon as more than ``max_arcs`` arcs would be kept.

    The search marks, in a bit window around the block, everything its kept arcs imply
    (:func:`_imply`). Searched arcs are kept as offsets (dx, dy, dz),
    pattern arcs are generated from the pattern, so that walking needs no integer division
    and memory holds little beyond the output."""
    nxy = nx * ny
    nb = nxy * nz
    start = np.zeros(nb, dtype=np.int64)
    count = np.zeros(nb, dtype=np.int64)
    wy, wx = 2 * rym + 1, 2 * rxm + 1
    nw = (wx + 63) // 64
    cells = (n + 1) * wy * wx
    off = np.empty((cells + 1024, 3), dtype=np.int32)
    used = 0
    mark = np.zeros((n + 1) * wy * nw, dtype=np.uint64)
    stack = np.empty((cells + 1, 4), dtype=np.int64)
    one = np.uint64(1)
    ptr0 = np.zeros(1, dtype=np.int64)
    for z in range(nz - 1, -1, -1):
        for y in range(ny):
            for x in range(nx):
                i = x + nx * (y + ny * z)
                if not search[i]:
                    continue
                r = reg[i]
                mark[:] = 0
                start[i] = used
                if used > max_arcs:
                    return ptr0, ptr0, False
                if used + cells > len(off):
                    grown = np.empty((min(2 * len(off), max_arcs) + cells, 3),
                                     dtype=np.int32)
                    grown[:used] = off[:used]
                    off = grown
                for d in range(1, n + 1):
                    if z + d >= nz:
                        break
                    k = r * (n + 1) + d
                    for c in range(cell_ptr[k], cell_ptr[k + 1]):
                        dx = cell_off[c, 0]
                        dy = cell_off[c, 1]
                        if not (0 <= x + dx < nx) or not (0 <= y + dy < ny):
                            continue
                        jx = dx + rxm
                        jy = dy + rym
                        if mark[(d * wy + jy) * nw + (jx >> 6)] & (one << np.uint64(jx & 63)):
                            continue
                        off[used, 0] = dx
                        off[used, 1] = dy
                        off[used, 2] = d
                        used += 1
                        _imply(i + dx + nx * dy + nxy * d, jx, jy, d, x, y, z, nx, ny, nz,
                               reg, search, pure, start, count, off, pat_ptr, pat_off,
                               closure, row_lo, row_hi, mark, stack, rxm, rym, n)
                count[i] = used - start[i]
    # Compressed rows in block order.
    ptr = np.zeros(nb + 1, dtype=np.int64)
    for z in range(nz):
        for y in range(ny):
            for x in range(nx):
                i = x + nx * (y + ny * z)
                if search[i]:
                    m = count[i]
                else:
                    m = 0
                    r = reg[i]
                    for a in range(pat_ptr[r], pat_ptr[r + 1]):
                        if z + pat_off[a, 2] >= nz:
                            break
                        if 0 <= x + pat_off[a, 0] < nx and 0 <= y + pat_off[a, 1] < ny:
                            m += 1
                ptr[i + 1] = ptr[i] + m
    if used > max_arcs or ptr[nb] > max_arcs:
        return ptr0, ptr0, False
    idx = np.empty(ptr[nb], dtype=np.int64)
    for z in range(nz):
        for y in range(ny):
            for x in range(nx):
                i = x + nx * (y + ny * z)
                p = ptr[i]
                if search[i]:
                    for a in range(start[i], start[i] + count[i]):
                        idx[p] = i + off[a, 0] + nx * off[a, 1] + nxy * off[a, 2]
                        p += 1
                    continue
                r = reg[i]
                for a in range(pat_ptr[r], pat_ptr[r + 1]):
                    if z + pat_off[a, 2] >= nz:
                        break
                    if 0 <= x + pat_off[a, 0] < nx and 0 <= y + pat_off[a, 1] < ny:
                        idx[p] = i + pat_off[a, 0] + nx * pat_off[a, 1] + nxy * pat_off[a, 2]
                        p += 1
    return ptr, idx, True


def slope_precedence(grid: BlockGrid, slopes: SlopeSpec | Mapping[int, SlopeSpec],
                     n_benches: int = 8, regions: np.ndarray | None = None,
                     max_arcs: int | None = None) -> Precedence:
    """Minimal slope precedences of a block model.

    Parameters
    ----------
    grid : BlockGrid
        The block model's grid (z up, GSLIB order).
    slopes : float, sequence of float, SlopeTable, or mapping of int to one of these
        Overall slope angles, degrees from horizontal: one angle, one per azimuth sector
        (sector s of m centred on azimuth ``s * 360 / m``, clockwise from north), a
        SlopeTable, or a table per region code (then ``regions`` is required and every code
        present needs a table).
    n_benches : int
        Benches searched above each block (the pattern's height); the closure of the arcs is
        the exact cone up to this many benches and an approximation above.
    regions : numpy.ndarray, optional
        Integer region or rock-type code per block, shape (n_blocks,), GSLIB order.
    max_arcs : int, optional
        Most arcs to build (see :func:`precedence_footprint` for an estimate beforehand); the
        build stops, and is refused, as soon as it would keep more.

    Returns
    -------
    Precedence
        Arcs in compressed rows (block i needs ``idx[ptr[i]:ptr[i+1]]``), no arc implied by
        the block's other arcs.

    Raises
    ------
    ValidationError
        A slope angle not in (0°, 90°), a region code without a table, ``regions`` of the
        wrong shape or type, ``n_benches`` < 1, or a cone too wide to search (more than
        ``MAX_WINDOW_BLOCKS`` blocks in its window), or more than ``max_arcs`` arcs.
    """
    n = _check_benches(n_benches)
    reg, codes, tables = _region_tables(grid, slopes, regions)
    size = grid.size
    nx, ny, nz = grid.count
    patterns = [minimum_search_pattern(t, size, n) for t in tables]
    reaches = [_reach(t.min_angle, size, n) for t in tables]
    rxm = max(r[0] for r in reaches)
    rym = max(r[1] for r in reaches)
    cones = np.stack([cone_mask(t, size, n, (rxm, rym)) for t in tables])
    closures = np.stack([_closure(p, n, rxm, rym) for p in patterns])
    closed = [bool(np.array_equal(c[1:], k[1:])) for c, k in zip(closures, cones, strict=True)]
    # Per-block search where the pattern is not known to be right: another region within
    # the block's window (n benches up, the cone's reach across), or a side of the model
    # within it where the pattern's paths inside the model miss part of the cone. A block is
    # *pure* when the closure of its arcs is known to be its region's pattern closure: for a
    # closed region (its pattern closure is its cone), when no region with a wider cone lies
    # within its window; otherwise when twice its window is all its region inside the model.
    reg3 = reg.reshape(nz, ny, nx)
    search = np.zeros((nz, ny, nx), dtype=bool)
    pure = np.zeros((nz, ny, nx), dtype=bool)
    xs = np.arange(nx)[None, None, :]
    ys = np.arange(ny)[None, :, None]
    for r, (rx, ry) in enumerate(reaches):
        own = reg3 == r
        if not own.any():
            continue
        flag = np.zeros_like(own)
        flag |= _side_search(patterns[r], cones[r], n, rxm, rym, (rx, ry), grid.count)[None]
        if len(tables) > 1:
            flag |= _window_sums((~own).astype(np.int64), rx, ry, n) > 0
        search |= own & flag
        if closed[r]:
            wider = [q for q in range(len(tables)) if (cones[q] & ~cones[r]).any()]
            ok = np.ones_like(own) if not wider else \
                _window_sums(np.isin(reg3, wider).astype(np.int64), rx, ry, n) == 0
        else:
            inside = (xs >= 2 * rx) & (xs <= nx - 1 - 2 * rx) & (ys >= 2 * ry) \
                & (ys <= ny - 1 - 2 * ry)
            ok = inside & (_window_sums((~own).astype(np.int64), 2 * rx, 2 * ry, 2 * n) == 0)
        pure |= own & ok
    pat_ptr = np.zeros(len(patterns) + 1, dtype=np.int64)
    pat_ptr[1:] = np.cumsum([len(p) for p in patterns])
    pat_off = np.concatenate(patterns) if pat_ptr[-1] else np.zeros((0, 3), dtype=np.int64)
    # The cone's cells per region and bench, as offsets, for the per-block search.
    cell_lists = []
    cell_counts = []
    for cone in cones:
        for d in range(n + 1):
            jy, jx = np.nonzero(cone[d])
            cell_lists.append(np.column_stack((jx - rxm, jy - rym)))
            cell_counts.append(len(jy))
    cell_ptr = np.zeros(len(cell_counts) + 1, dtype=np.int64)
    cell_ptr[1:] = np.cumsum(cell_counts)
    cell_off = np.concatenate(cell_lists).astype(np.int64)
    # Pattern closures as bit rows (64 columns per word) and their non-empty rows.
    wx = 2 * rxm + 1
    nw = (wx + 63) // 64
    padded = np.zeros((*closures.shape[:3], nw * 64), dtype=bool)
    padded[..., :wx] = closures
    padded[:, 0] = False
    weights = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))
    closure_bits = (padded.reshape(-1, 64).astype(np.uint64) * weights).sum(
        axis=1, dtype=np.uint64)
    rows = np.asarray(np.any(padded, axis=3))
    filled = np.asarray(np.any(rows, axis=2))
    row_lo = np.where(filled, np.argmax(rows, axis=2), 0).astype(np.int64)
    row_hi = np.where(filled, rows.shape[2] - 1 - np.argmax(rows[:, :, ::-1], axis=2),
                      -1).astype(np.int64)
    limit = np.iinfo(np.int64).max if max_arcs is None else int(max_arcs)
    ptr, idx, built = _build(nx, ny, nz, reg, search.ravel(), pure.ravel(), pat_ptr,
                             pat_off.astype(np.int32), cell_ptr, cell_off, closure_bits,
                             row_lo, row_hi, rxm, rym, n, limit)
    if not built:
        raise ValidationError(Problem(
            f"the slope precedences of {grid.n_blocks:,} blocks need more than {limit:,} "
            "arcs, the most allowed; use fewer benches (n_benches), steeper slopes or a "
            "coarser block model"))
    return Precedence(ptr, idx, n, dict(zip(codes, patterns, strict=True)),
                      int(search.sum()))


@dataclass(frozen=True)
class PrecedenceAccuracy:
    """Transitive closure of the arcs against the exact slope cone, over sampled blocks.

    Counts are summed over the sampled blocks; the arrays are by bench offset above the
    block (index 0 unused, always 0). Percentages are of the blocks in the exact cone.

    Attributes
    ----------
    blocks : numpy.ndarray
        The sampled block indices.
    benches : int
        Benches above each sampled block that were compared.
    cone, implied, false_inclusions, false_exclusions : numpy.ndarray
        Blocks in the exact cone; blocks implied by the arcs; implied but not in the cone;
        in the cone but not implied. int64, shape (benches + 1,).
    """

    blocks: np.ndarray
    benches: int
    cone: np.ndarray
    implied: np.ndarray
    false_inclusions: np.ndarray
    false_exclusions: np.ndarray

    @property
    def n_cone(self) -> int:
        return int(self.cone.sum())

    @property
    def n_false_inclusions(self) -> int:
        return int(self.false_inclusions.sum())

    @property
    def n_false_exclusions(self) -> int:
        return int(self.false_exclusions.sum())

    @property
    def false_exclusion_pct(self) -> float:
        """False exclusions, % of the exact cone's blocks."""
        return 100.0 * self.n_false_exclusions / max(self.n_cone, 1)


@njit(cache=True)
def _closure_counts(nx: int, ny: int, nz: int, ptr: np.ndarray, idx: np.ndarray,
                    blocks: np.ndarray, reg: np.ndarray, cones: np.ndarray, rx: int, ry: int,
                    h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    nxy = nx * ny
    nb = nxy * nz
    seen = np.zeros(nb, dtype=np.int64)
    queue = np.empty(nb, dtype=np.int64)
    cone = np.zeros(h + 1, dtype=np.int64)
    hit = np.zeros(h + 1, dtype=np.int64)
    extra = np.zeros(h + 1, dtype=np.int64)
    for s in range(len(blocks)):
        b = blocks[s]
        stamp = s + 1
        x, y, z = b % nx, (b // nx) % ny, b // nxy
        r = reg[b]
        for d in range(1, h + 1):
            if z + d >= nz:
                break
            for jy in range(2 * ry + 1):
                ty = y + jy - ry
                if ty < 0 or ty >= ny:
                    continue
                for jx in range(2 * rx + 1):
                    tx = x + jx - rx
                    if 0 <= tx < nx and cones[r, d, jy, jx]:
                        cone[d] += 1
        seen[b] = stamp
        queue[0] = b
        lo, hi = 0, 1
        while lo < hi:
            u = queue[lo]
            lo += 1
            for a in range(ptr[u], ptr[u + 1]):
                v = idx[a]
                if seen[v] == stamp:
                    continue
                d = v // nxy - z
                if d > h:
                    continue
                seen[v] = stamp
                queue[hi] = v
                hi += 1
                jy = (v // nx) % ny - y + ry
                jx = v % nx - x + rx
                if 0 <= jy <= 2 * ry and 0 <= jx <= 2 * rx and cones[r, d, jy, jx]:
                    hit[d] += 1
                else:
                    extra[d] += 1
    return cone, hit, extra


def precedence_accuracy(grid: BlockGrid, precedence: Precedence | tuple[np.ndarray, np.ndarray],
                        slopes: SlopeSpec | Mapping[int, SlopeSpec],
                        regions: np.ndarray | None = None, blocks: np.ndarray | None = None,
                        n_sample: int = 100, benches: int | None = None,
                        seed: int = 0) -> PrecedenceAccuracy:
    """How well the transitive closure of precedence arcs reproduces the exact slope cones.

    For each sampled block, the blocks reached through the arcs (up to ``benches`` benches
    above) are compared with the blocks inside its exact cone (same conventions as
    :func:`slope_precedence`, the block's own region's table), inside the model.

    Parameters
    ----------
    grid : BlockGrid
        The block model's grid.
    precedence : Precedence or (ptr, idx)
        The arcs, in compressed rows.
    slopes, regions
        The slope angles (degrees) and region codes, as for :func:`slope_precedence`.
    blocks : numpy.ndarray, optional
        Block indices to compare; by default ``n_sample`` blocks drawn at random (``seed``).
    n_sample : int
        Number of blocks drawn when ``blocks`` is not given.
    benches : int, optional
        Benches above each block compared; default all benches of the model (pass fewer
        when the cone over the whole height is too wide to hold in a window).
    seed : int
        Seed of the random draw.

    Returns
    -------
    PrecedenceAccuracy
    """
    reg, _codes, tables = _region_tables(grid, slopes, regions)
    nx, ny, nz = grid.count
    h = nz - 1 if benches is None else _check_benches(benches, "benches")
    h = max(h, 1)
    if blocks is None:
        rng = np.random.default_rng(seed)
        blocks = rng.choice(grid.n_blocks, size=min(n_sample, grid.n_blocks), replace=False)
    blocks = np.asarray(blocks, dtype=np.int64)
    if blocks.size and (blocks.min() < 0 or blocks.max() >= grid.n_blocks):
        raise ValidationError(Problem(
            f"blocks must be indices 0..{grid.n_blocks - 1}, got {blocks.min()}..{blocks.max()}"))
    if isinstance(precedence, Precedence):
        ptr, idx = precedence.ptr, precedence.idx
    else:
        ptr, idx = precedence
    rx, ry = _reach(min(t.min_angle for t in tables), grid.size, h)
    cones = np.stack([cone_mask(t, grid.size, h, (rx, ry)) for t in tables])
    cone, hit, extra = _closure_counts(nx, ny, nz, np.asarray(ptr, dtype=np.int64),
                                       np.asarray(idx, dtype=np.int64), blocks, reg, cones,
                                       rx, ry, h)
    return PrecedenceAccuracy(blocks, h, cone, hit + extra, extra, cone - hit)
