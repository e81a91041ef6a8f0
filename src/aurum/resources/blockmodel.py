"""Block models: a :class:`~aurum.core.grid.BlockGrid` with named per-block attributes, domain
codes from closed wireframes, density and tonnage, and exchange through CSV and Parquet.

Conventions
-----------
- Attributes are 1-D arrays of one value per block in GSLIB order (x fastest, then y, then z),
  the order of :meth:`BlockGrid.centres`. NaN marks a block with no value (not estimated).
- Coordinates in m, block volumes in m³, densities in t/m³, tonnages in t.
- A table of blocks has the columns ``x, y, z`` (block centre, m) and ``i, j, k`` (0-based
  block indices along x, y, z) followed by the attributes, one row per block.

Wireframes
----------
A domain wireframe is a closed triangulated surface read from STL (ASCII or binary) or OBJ.
Vertices repeated with identical coordinates (as STL writes them, once per facet) are welded;
a surface with an edge used by one face only (a hole) or by more than two faces (non-manifold)
is refused. A block is inside when its centre is: a vertical ray from the centre crosses the
surface an odd number of times. Face orientation does not matter, and a solid with a cavity
(an inner closed surface) leaves the cavity outside. Rays that pass exactly through an edge or
a vertex are resolved by symbolic perturbation (the ray is moved by an infinitesimal
``(ε, ε²)`` in x, y), with every edge tested in one canonical direction so that the faces
sharing it always agree: each crossing is counted exactly once.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numba import njit

from aurum.core.errors import Problem, ValidationError
from aurum.core.grid import BlockGrid
from aurum.core.i18n import _
from aurum.resources.estimate import EstimationResult

COORDINATES = ("x", "y", "z")
INDICES = ("i", "j", "k")
GRID_ATTR = "aurum_grid"
"""Key of ``DataFrame.attrs`` (kept by Parquet) that records the grid of a block table."""

LATTICE_TOLERANCE = 1e-6
"""A coordinate is at a block centre when within this fraction of the block size of it."""

_ROWS_SHOWN = 5


@dataclass(frozen=True, eq=False)
class BlockModel:
    """A regular block grid and named per-block attributes.

    Parameters
    ----------
    grid : BlockGrid
        The blocks.
    attributes : dict of str to numpy.ndarray
        Per-block values, each of shape ``(grid.n_blocks,)`` in GSLIB order (grade in g/t,
        density in t/m³, domain codes, resource classes...). The names ``x, y, z, i, j, k`` are
        reserved for the table columns.
    """

    grid: BlockGrid
    attributes: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.grid.n_blocks
        for name, values in self.attributes.items():
            if name in COORDINATES + INDICES:
                raise ValueError(f"attribute name {name!r} is reserved for a table column")
            if np.shape(values) != (n,):
                raise ValueError(f"attribute {name!r} has shape {np.shape(values)}, expected "
                                 f"({n},): one value per block")

    def __getitem__(self, name: str) -> np.ndarray:
        return self.attributes[name]

    @property
    def block_volume(self) -> float:
        """Volume of one block, m³."""
        sx, sy, sz = self.grid.size
        return sx * sy * sz

    def with_attributes(self, **values: np.ndarray) -> BlockModel:
        """A model with these attributes added (or replaced); this model is unchanged."""
        return BlockModel(self.grid, {**self.attributes,
                                      **{k: np.asarray(v) for k, v in values.items()}})

    @classmethod
    def from_estimation(cls, grid: BlockGrid, result: EstimationResult, name: str
                        ) -> BlockModel:
        """A model holding one estimated variable.

        Parameters
        ----------
        grid : BlockGrid
            The grid that was estimated.
        result : EstimationResult
            Its estimation.
        name : str
            Variable name, e.g. ``"au"``: the attributes are ``name`` (estimate),
            ``name_variance``, ``name_n_samples``, ``name_slope`` and ``name_efficiency``.
        """
        return cls(grid, {name: result.estimate, f"{name}_variance": result.variance,
                          f"{name}_n_samples": result.n_samples,
                          f"{name}_slope": result.slope,
                          f"{name}_efficiency": result.efficiency})

    def tonnage(self, density: str | Mapping[int, float], domain: str = "domain"
                ) -> np.ndarray:
        """Tonnes per block: block volume × density.

        Parameters
        ----------
        density : str or mapping of int to float
            Name of a density attribute (t/m³, e.g. estimated), or the density of each domain
            code, t/m³.
        domain : str
            Attribute holding the domain codes, when ``density`` is a mapping.

        Returns
        -------
        numpy.ndarray
            Tonnes per block, t; NaN where the density (or the domain code) is NaN.

        Raises
        ------
        ValidationError
            A negative density, or a domain code with no density.
        """
        if isinstance(density, str):
            rho = np.asarray(self[density], dtype=np.float64)
            negative = np.flatnonzero(rho < 0)
            if negative.size:
                raise ValidationError(Problem(
                    _("%(n)s blocks have a negative density, first block %(block)s with "
                      "%(density)s t/m³; densities must be >= 0 t/m³", n=negative.size,
                      block=self._ijk(negative[0]), density=rho[negative[0]]),
                    column=density))
        else:
            rho = density_by_domain(self[domain], density)
        return rho * self.block_volume

    def _ijk(self, index: int) -> tuple[int, int, int]:
        nx, ny, _nz = self.grid.count
        return int(index % nx), int(index // nx % ny), int(index // (nx * ny))

    def to_frame(self, mask: np.ndarray | None = None) -> pd.DataFrame:
        """The blocks as a table.

        Parameters
        ----------
        mask : numpy.ndarray of bool, optional
            Blocks to keep (e.g. the estimated ones); all blocks by default.

        Returns
        -------
        pandas.DataFrame
            Columns ``x, y, z`` (block centres, m), ``i, j, k`` and the attributes, one row per
            block in GSLIB order; ``attrs`` records the grid, so that a Parquet file of a subset
            of the blocks reads back onto the same grid.
        """
        index = np.arange(self.grid.n_blocks, dtype=np.int64)
        if mask is not None:
            index = index[np.asarray(mask, dtype=bool)]
        nx, ny, _nz = self.grid.count
        centres = self.grid.centres()[index]
        columns: dict[str, np.ndarray] = {
            "x": centres[:, 0], "y": centres[:, 1], "z": centres[:, 2],
            "i": index % nx, "j": index // nx % ny, "k": index // (nx * ny)}
        columns.update({name: values[index] for name, values in self.attributes.items()})
        frame = pd.DataFrame(columns)
        frame.attrs[GRID_ATTR] = {"origin": list(self.grid.origin),
                                  "size": list(self.grid.size), "count": list(self.grid.count)}
        return frame

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, grid: BlockGrid | None = None,
                   source: str | None = None) -> BlockModel:
        """A model from a table of blocks.

        Parameters
        ----------
        frame : pandas.DataFrame
            Columns ``x, y, z`` (block centres, m) and the attributes; ``i, j, k`` columns are
            recomputed from the coordinates. Blocks absent from the table get NaN attributes
            (integer columns then become float, as in :meth:`pandas.DataFrame.reindex`).
        grid : BlockGrid, optional
            The grid; by default the one recorded in ``frame.attrs`` (Parquet files written by
            :meth:`to_parquet`), else the smallest regular grid holding the coordinates. Pass
            it for a table of a subset of blocks with gaps or a single layer.
        source : str, optional
            File name, for error messages.

        Raises
        ------
        ValidationError
            Missing coordinate columns, coordinates that are not block centres of the grid, or
            a block given twice.
        """
        missing = [c for c in COORDINATES if c not in frame.columns]
        if missing:
            raise ValidationError([Problem(_("missing column of block centres (m)"), column=c,
                                           source=source) for c in missing])
        xyz = frame[list(COORDINATES)].to_numpy(dtype=np.float64)
        _refuse_rows(~np.isfinite(xyz).all(axis=1), source, lambda n, rows: _(
            "%(n)s rows have a missing or non-numeric coordinate (rows %(rows)s)",
            n=n, rows=rows))
        if grid is None:
            recorded = frame.attrs.get(GRID_ATTR)
            grid = (BlockGrid(tuple(recorded["origin"]), tuple(recorded["size"]),
                              tuple(recorded["count"])) if recorded else
                    _infer_grid(xyz, source))
        position = (xyz - np.asarray(grid.origin)) / np.asarray(grid.size)
        ijk = np.rint(position)
        _refuse_rows((np.abs(position - ijk) > LATTICE_TOLERANCE).any(axis=1), source,
                     lambda n, rows: _("%(n)s rows are not at a block centre of the grid "
                                       "%(grid)s (rows %(rows)s)", n=n, grid=grid, rows=rows))
        _refuse_rows(((ijk < 0) | (ijk >= np.asarray(grid.count))).any(axis=1), source,
                     lambda n, rows: _("%(n)s rows are outside the grid %(grid)s (rows %(rows)s)",
                                       n=n, grid=grid, rows=rows))
        nx, ny, _nz = grid.count
        ijk = ijk.astype(np.int64)
        flat = ijk[:, 0] + nx * (ijk[:, 1] + ny * ijk[:, 2])
        _refuse_rows(pd.Index(flat).duplicated(keep="first"), source,
                     lambda n, rows: _("%(n)s rows repeat a block given by an earlier row "
                                       "(rows %(rows)s)", n=n, rows=rows))
        values = (frame.drop(columns=[c for c in COORDINATES + INDICES if c in frame.columns])
                  .set_axis(flat).reindex(np.arange(grid.n_blocks)))
        return cls(grid, {str(c): values[c].to_numpy() for c in values.columns})

    def to_csv(self, path: str | os.PathLike[str], mask: np.ndarray | None = None) -> None:
        """Write the table of :meth:`to_frame` to a CSV file (floats written exactly)."""
        self.to_frame(mask).to_csv(path, index=False)

    def to_parquet(self, path: str | os.PathLike[str], mask: np.ndarray | None = None) -> None:
        """Write the table of :meth:`to_frame`, with its grid, to a Parquet file (pyarrow)."""
        self.to_frame(mask).to_parquet(path, index=False)

    @classmethod
    def read_csv(cls, path: str | os.PathLike[str], grid: BlockGrid | None = None
                 ) -> BlockModel:
        """Read a block table from CSV; see :meth:`from_frame` for ``grid``."""
        return cls.from_frame(pd.read_csv(path), grid,
                              source=Path(path).name)

    @classmethod
    def read_parquet(cls, path: str | os.PathLike[str], grid: BlockGrid | None = None
                     ) -> BlockModel:
        """Read a block table from Parquet; the grid written by :meth:`to_parquet` is used
        unless ``grid`` is given."""
        return cls.from_frame(pd.read_parquet(path), grid, source=Path(path).name)


def _refuse_rows(bad: np.ndarray, source: str | None,
                 message: Callable[[int, str], str]) -> None:
    """Refuse the rows flagged in ``bad``; ``message`` words the refusal (a whole sentence, so
    it translates) from their number and the first few CSV line numbers."""
    rows = np.flatnonzero(bad)
    if rows.size:
        shown = ", ".join(str(r + 2) for r in rows[:_ROWS_SHOWN])
        more = " ..." if rows.size > _ROWS_SHOWN else ""
        raise ValidationError(Problem(message(int(rows.size), shown + more),
                                      column="x, y, z", source=source))


def _infer_grid(xyz: np.ndarray, source: str | None) -> BlockGrid:
    """The smallest regular grid whose block centres include every row's coordinates."""
    origin, size, count = [], [], []
    for axis, name in enumerate(COORDINATES):
        values = np.unique(xyz[:, axis])
        if values.size < 2:
            raise ValidationError(Problem(
                _("one %(axis)s coordinate only: the block size along %(axis)s cannot be "
                  "inferred; pass the grid", axis=name), column=name, source=source))
        step = float(np.diff(values).min())
        origin.append(float(values[0]))
        size.append(step)
        count.append(int(np.rint((values[-1] - values[0]) / step)) + 1)
    return BlockGrid((origin[0], origin[1], origin[2]), (size[0], size[1], size[2]),
                     (count[0], count[1], count[2]))


def density_by_domain(codes: np.ndarray, densities: Mapping[int, float]) -> np.ndarray:
    """Density of each block from its domain code.

    Parameters
    ----------
    codes : numpy.ndarray
        Domain code per block (NaN: no domain).
    densities : mapping of int to float
        Density of each domain, t/m³.

    Returns
    -------
    numpy.ndarray
        Density per block, t/m³; NaN where the code is NaN.

    Raises
    ------
    ValidationError
        A negative or non-finite density, or a code present in the blocks with no density.
    """
    problems = [Problem(_("density of domain %(code)s is %(density)s; expected a number "
                          ">= 0 t/m³", code=code, density=rho), column="density")
                for code, rho in densities.items() if not (np.isfinite(rho) and rho >= 0)]
    blocks = pd.Series(codes)
    absent = blocks[blocks.notna() & ~blocks.isin(list(densities))].value_counts(sort=False)
    problems += [Problem(_("domain %(code)s (%(n)s blocks) has no density; give one in t/m³",
                           code=code, n=n), column="density") for code, n in absent.items()]
    if problems:
        raise ValidationError(problems)
    return blocks.map(dict(densities)).to_numpy(dtype=np.float64, na_value=np.nan)


@dataclass(frozen=True, eq=False)
class Mesh:
    """A closed triangulated surface (a wireframe solid).

    Parameters
    ----------
    vertices : numpy.ndarray
        Vertex coordinates, shape (n, 3), m.
    faces : numpy.ndarray
        Vertex indices of each triangle, shape (m, 3), 0-based.
    source : str, optional
        File name, for error messages.

    Raises
    ------
    ValidationError
        No face, an index out of range, a face repeating a vertex, or a surface that is not
        closed and manifold (every edge must be shared by exactly two faces).
    """

    vertices: np.ndarray
    faces: np.ndarray
    source: str | None = None

    def __post_init__(self) -> None:
        vertices = np.ascontiguousarray(self.vertices, dtype=np.float64)
        faces = np.ascontiguousarray(self.faces, dtype=np.int64)
        object.__setattr__(self, "vertices", vertices)
        object.__setattr__(self, "faces", faces)
        if vertices.ndim != 2 or vertices.shape[1] != 3 or faces.ndim != 2 or \
                faces.shape[1] != 3:
            raise ValidationError(Problem(_("expected vertices of shape (n, 3) and triangles "
                                            "of shape (m, 3)"), source=self.source))
        if faces.shape[0] == 0:
            raise ValidationError(Problem(_("the wireframe has no face"), source=self.source))
        if faces.min() < 0 or faces.max() >= len(vertices):
            raise ValidationError(Problem(_("face vertex indices must be in 0..%(last)s",
                                            last=len(vertices) - 1), source=self.source))
        if not np.isfinite(vertices).all():
            raise ValidationError(Problem(_("a vertex has a non-finite coordinate"),
                                          source=self.source))
        degenerate = ((faces[:, 0] == faces[:, 1]) | (faces[:, 1] == faces[:, 2])
                      | (faces[:, 2] == faces[:, 0]))
        if degenerate.any():
            raise ValidationError(Problem(
                _("%(n)s faces repeat a vertex (first face %(first)s); remove the degenerate "
                  "faces", n=np.count_nonzero(degenerate),
                  first=np.flatnonzero(degenerate)[0] + 1), source=self.source))
        self._check_closed()

    def _check_closed(self) -> None:
        edges = np.sort(self.faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
        unique, uses = np.unique(edges, axis=0, return_counts=True)
        boundary, shared = unique[uses == 1], unique[uses > 2]
        if boundary.size or shared.size:
            example = boundary[0] if boundary.size else shared[0]
            a, b = (tuple(float(c) for c in self.vertices[v]) for v in example)
            raise ValidationError(Problem(
                _("the wireframe is not a closed solid: %(boundary)s boundary edges (used by "
                  "one face only: a hole) and %(shared)s non-manifold edges (used by more "
                  "than two faces), e.g. the edge from %(a)s to %(b)s m; close the surface and "
                  "export it again", boundary=len(boundary), shared=len(shared), a=a, b=b),
                source=self.source))


def read_mesh(path: str | os.PathLike[str]) -> Mesh:
    """Read a closed wireframe from an ``.stl`` (ASCII or binary) or ``.obj`` file.

    Raises
    ------
    ValidationError
        Another extension, a malformed file, or a surface that is not closed.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".stl":
        return read_stl(path)
    if suffix == ".obj":
        return read_obj(path)
    raise ValidationError(Problem(_("unknown wireframe format %(suffix)r; expected .stl or "
                                    ".obj", suffix=suffix), source=Path(path).name))


def read_stl(path: str | os.PathLike[str]) -> Mesh:
    """Read a closed wireframe from an STL file, ASCII or binary, coordinates in m.

    Raises
    ------
    ValidationError
        A file that is neither binary STL (80-byte header, triangle count, 50 bytes per
        triangle) nor ASCII STL (``solid ... facet ... vertex x y z ...``), or a surface that is
        not closed.
    """
    source = Path(path).name
    data = Path(path).read_bytes()
    if len(data) >= 84 and len(data) == 84 + 50 * int.from_bytes(data[80:84], "little"):
        record = np.dtype([("normal", "<f4", (3,)), ("corners", "<f4", (3, 3)),
                           ("attribute", "<u2")])
        corners = np.frombuffer(data, dtype=record, offset=84)["corners"].reshape(-1, 3)
    elif data.lstrip()[:5].lower() == b"solid":
        corners = _ascii_stl_corners(data.decode("ascii", errors="replace"), source)
    else:
        raise ValidationError(Problem(_("not an STL file: neither binary (size 84 + 50 bytes "
                                        "per triangle) nor ASCII (starting with 'solid')"),
                                      source=source))
    vertices, inverse = np.unique(corners, axis=0, return_inverse=True)
    return Mesh(vertices.astype(np.float64), inverse.reshape(-1, 3), source)


def _ascii_stl_corners(text: str, source: str) -> np.ndarray:
    tokens = np.array(text.split())
    keywords = np.char.lower(tokens)
    at = np.flatnonzero(keywords == "vertex")
    loops = np.count_nonzero(keywords == "endloop")
    if at.size != 3 * loops or (at.size and at[-1] + 3 >= tokens.size):
        raise ValidationError(Problem(_("%(vertices)s vertices in %(facets)s facets; every "
                                        "facet must have exactly 3 'vertex x y z' lines",
                                        vertices=at.size, facets=loops), source=source))
    text_values = tokens[at[:, None] + np.arange(1, 4)].ravel()
    values = pd.to_numeric(pd.Series(text_values), errors="coerce").to_numpy(np.float64)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise ValidationError(Problem(
            _("facet %(facet)s has a vertex coordinate that is not a finite number: "
              "'%(value)s'", facet=bad[0] // 9 + 1, value=text_values[bad[0]]), source=source))
    return values.reshape(-1, 3)


def read_obj(path: str | os.PathLike[str]) -> Mesh:
    """Read a closed wireframe from a Wavefront OBJ file, coordinates in m.

    Only ``v`` (vertex) and ``f`` (face) lines are used; polygons are split into triangle fans,
    indices may be negative (relative) and carry ``/texture/normal`` parts.

    Raises
    ------
    ValidationError
        A malformed ``v`` or ``f`` line (the line number is given), or a surface that is not
        closed.
    """
    source = Path(path).name
    vertices: list[list[float]] = []
    faces: list[tuple[int, int, int]] = []
    with open(path, encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            parts = line.split()
            if not parts or parts[0] not in ("v", "f"):
                continue
            try:
                if parts[0] == "v":
                    vertices.append([float(p) for p in parts[1:4]])
                    if len(vertices[-1]) != 3:
                        raise ValueError(_("a vertex needs x, y and z"))
                    continue
                index = [int(p.split("/")[0]) for p in parts[1:]]
                index = [i - 1 if i > 0 else len(vertices) + i for i in index]
                if len(index) < 3 or not all(0 <= i < len(vertices) for i in index):
                    raise ValueError(_("a face needs 3 or more of the %(n)s vertices defined "
                                       "above it", n=len(vertices)))
            except ValueError as exc:
                raise ValidationError(Problem(_("malformed %(kind)r line: %(error)s",
                                                kind=parts[0], error=exc),
                                              row=number, source=source)) from exc
            faces.extend((index[0], index[t], index[t + 1]) for t in range(1, len(index) - 1))
    return Mesh(np.array(vertices, dtype=np.float64).reshape(-1, 3),
                np.array(faces, dtype=np.int64).reshape(-1, 3), source)


def flag_inside(mesh: Mesh, grid: BlockGrid) -> np.ndarray:
    """Blocks whose centre is inside a closed wireframe.

    Parameters
    ----------
    mesh : Mesh
        Closed surface, m.
    grid : BlockGrid
        Blocks.

    Returns
    -------
    numpy.ndarray of bool
        One flag per block, GSLIB order.

    Notes
    -----
    Each triangle is rasterised onto the block columns under it: where the vertical line of a
    column crosses it, the parity of every block below the crossing flips. The cost is the
    number of (triangle, column) pairs plus the number of blocks, with no loop over blocks in
    Python. Coordinates are taken relative to the grid origin to keep their precision.
    """
    nx, ny, nz = grid.count
    parity = _crossing_parity(mesh.vertices - np.asarray(grid.origin), mesh.faces,
                              np.asarray(grid.size, dtype=np.float64), nx, ny, nz)
    # A block is inside when the crossings above it are odd: XOR of the parities above it.
    above = np.bitwise_xor.accumulate(parity[::-1], axis=0)[::-1]
    return above[1:].astype(bool).ravel()


def domain_codes(grid: BlockGrid, wireframes: Mapping[int, Mesh], background: int = 0
                 ) -> np.ndarray:
    """Domain code of every block from closed wireframes.

    Parameters
    ----------
    grid : BlockGrid
        Blocks.
    wireframes : mapping of int to Mesh
        The wireframe of each domain code, in priority order: a block inside several takes the
        code of the first.
    background : int
        Code of the blocks inside no wireframe.

    Returns
    -------
    numpy.ndarray of int64
        Code per block, GSLIB order.
    """
    codes = np.full(grid.n_blocks, background, dtype=np.int64)
    for code, mesh in reversed(list(wireframes.items())):
        codes[flag_inside(mesh, grid)] = code
    return codes


@njit(cache=True)
def _edge(vertices: np.ndarray, u: int, v: int, px: float, py: float) -> tuple[float, int]:
    """Orientation of the point (px, py) from the projected edge u -> v (twice the signed area
    of u, v, p) and its sign under the perturbation (px + ε, py + ε²). The edge is evaluated
    from its lower to its higher vertex index, so both faces sharing it get the same number."""
    a, b, flip = (u, v, 1.0) if u < v else (v, u, -1.0)
    ax, ay = vertices[a, 0], vertices[a, 1]
    dx, dy = vertices[b, 0] - ax, vertices[b, 1] - ay
    value = dx * (py - ay) - dy * (px - ax)
    if value != 0.0:
        sign = 1 if value > 0 else -1
    elif dy != 0.0:
        sign = 1 if dy < 0 else -1
    else:
        sign = 1 if dx > 0 else -1
    return flip * value, int(flip) * sign


@njit(cache=True)
def _column(position: float, n: int) -> int:
    """The block index nearest a position in block units, clipped to 0..n-1."""
    return int(np.rint(min(max(position, 0.0), float(n - 1))))


@njit(cache=True)
def _crossing_parity(vertices: np.ndarray, faces: np.ndarray, size: np.ndarray, nx: int,
                     ny: int, nz: int) -> np.ndarray:
    """Per column (j, i), parity[m, j, i] is 1 when an odd number of crossings have exactly m
    block centres below them. Vertices are relative to the centre of block (0, 0, 0)."""
    sx, sy, sz = size[0], size[1], size[2]
    parity = np.zeros((nz + 1, ny, nx), dtype=np.uint8)
    for f in range(faces.shape[0]):
        a, b, c = faces[f, 0], faces[f, 1], faces[f, 2]
        area = ((vertices[b, 0] - vertices[a, 0]) * (vertices[c, 1] - vertices[a, 1])
                - (vertices[b, 1] - vertices[a, 1]) * (vertices[c, 0] - vertices[a, 0]))
        if area == 0.0:  # vertical face: the perturbed ray never meets it
            continue
        # Columns under the triangle's bounding box, one wider each side (the edge tests
        # decide), clipped to the grid before any conversion to int.
        i0 = _column(min(vertices[a, 0], vertices[b, 0], vertices[c, 0]) / sx - 1.0, nx)
        i1 = _column(max(vertices[a, 0], vertices[b, 0], vertices[c, 0]) / sx + 1.0, nx)
        j0 = _column(min(vertices[a, 1], vertices[b, 1], vertices[c, 1]) / sy - 1.0, ny)
        j1 = _column(max(vertices[a, 1], vertices[b, 1], vertices[c, 1]) / sy + 1.0, ny)
        for j in range(j0, j1 + 1):
            py = j * sy
            for i in range(i0, i1 + 1):
                px = i * sx
                wa, sa = _edge(vertices, b, c, px, py)
                wb, sb = _edge(vertices, c, a, px, py)
                wc, sc = _edge(vertices, a, b, px, py)
                if sa != sb or sb != sc:
                    continue
                zc = (wa * vertices[a, 2] + wb * vertices[b, 2] + wc * vertices[c, 2]) / (
                    wa + wb + wc)
                # m = number of block centres k * sz strictly below the crossing.
                m = int(np.ceil(min(max(zc / sz, 0.0), float(nz))))
                while m < nz and m * sz < zc:
                    m += 1
                while m > 0 and (m - 1) * sz >= zc:
                    m -= 1
                parity[m, j, i] ^= 1
    return parity


def write_omf(model: BlockModel, path: str | os.PathLike[str], name: str = "block model",
              attributes: Sequence[str] | None = None) -> None:
    """Write a block model to an OMF (Open Mining Format v1) project with the ``omf`` package
    (the ``omf`` extra): one volume element on the model's grid, one cell data per attribute.

    Parameters
    ----------
    model : BlockModel
        The model; its grid's origin is the first block's centre, OMF's is the grid corner.
    path : path-like
        The ``.omf`` file.
    name : str
        Element name.
    attributes : sequence of str, optional
        Attributes to write (default: all).

    Raises
    ------
    ValidationError
        When the ``omf`` package is not installed.
    """
    try:
        import omf
    except ImportError as exc:
        raise ValidationError(Problem(_("OMF export needs the omf package: "
                                        "pip install 'aurum[omf]'"))) from exc
    grid = model.grid
    corner = [o - s / 2 for o, s in zip(grid.origin, grid.size, strict=True)]
    names = list(attributes) if attributes is not None else list(model.attributes)
    with warnings.catch_warnings():
        # omf 1.0's vector types predate numpy 2's __array_wrap__ signature: numpy warns,
        # the files are right (tests read them back with omf's own reader).
        warnings.simplefilter("ignore", DeprecationWarning)
        geometry = omf.VolumeGridGeometry(
            origin=corner, tensor_u=np.full(grid.count[0], grid.size[0]),
            tensor_v=np.full(grid.count[1], grid.size[1]),
            tensor_w=np.full(grid.count[2], grid.size[2]))
        data = [omf.ScalarData(name=n, location="cells",
                               array=np.asarray(model[n], dtype=np.float64)) for n in names]
        project = omf.Project(name=name, elements=[
            omf.VolumeElement(name=name, geometry=geometry, data=data)])
        project.validate()
        omf.OMFWriter(project, os.fspath(path))
