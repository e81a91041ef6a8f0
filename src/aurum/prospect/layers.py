"""Evidence layers on one raster grid: GeoTIFFs, vector-derived rasters, deposits, study area.

Every evidence layer of a model lives on one grid (CRS, affine transform, width, height): the
grid of the first layer unless one is given. A GeoTIFF on another grid is put on it only with
a resampling method the caller names (``nearest`` or ``mode`` for classes, ``bilinear`` or
``average`` for continuous values...); without one it is refused, because silently picking a
method changes class maps and distances alike.

The grid must be projected in metres (cell areas in km², distances in m). A cell is the
half-open square ``[x0, x0 + dx) × (y0 - dy, y0]``: a point on a cell edge belongs to the cell
to its right and below, as GDAL and terra count it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from affine import Affine
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.features import rasterize
from rasterio.warp import reproject
from scipy.ndimage import distance_transform_edt
from scipy.signal import fftconvolve

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

M2_PER_KM2 = 1e6
M_PER_KM = 1e3
RESAMPLING_METHODS = tuple(r.name for r in Resampling)
"""Names accepted as a resampling method (rasterio's :class:`~rasterio.enums.Resampling`)."""
CLASS_PRESERVING = frozenset({"nearest", "mode", "min", "max", "med", "q1", "q3"})
"""Methods whose output values are input values: integer class rasters stay integers."""
GRID_TOLERANCE = 1e-6
"""Transforms that differ by less than this fraction of a cell are the same grid."""


@dataclass(frozen=True)
class RasterGrid:
    """A north-up or rotated raster grid.

    Parameters
    ----------
    crs : rasterio.crs.CRS or None
        Coordinate reference system (projected, metres).
    transform : affine.Affine
        Pixel (col, row) to map (x, y) transform, m.
    width, height : int
        Columns and rows, cells.
    """

    crs: CRS | None
    transform: Affine
    width: int
    height: int

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return self.height, self.width

    @property
    def n_cells(self) -> int:
        return self.width * self.height

    @property
    def cell_area_km2(self) -> float:
        """Area of one cell, km² (determinant of the transform)."""
        return abs(self.transform.determinant) / M2_PER_KM2

    @property
    def cell_size_m(self) -> tuple[float, float]:
        """Cell size along x and y, m (lengths of the transform's column and row vectors)."""
        t = self.transform
        return math.hypot(t.a, t.d), math.hypot(t.b, t.e)

    def same_as(self, other: RasterGrid) -> bool:
        """Whether ``other`` is this grid (same CRS, size and transform within
        :data:`GRID_TOLERANCE` of a cell)."""
        if (self.width, self.height) != (other.width, other.height):
            return False
        if (self.crs is None) != (other.crs is None) or (self.crs is not None
                                                         and self.crs != other.crs):
            return False
        size = min(self.cell_size_m)
        return all(abs(a - b) <= GRID_TOLERANCE * size
                   for a, b in zip(self.transform[:6], other.transform[:6], strict=True))

    def describe(self) -> str:
        """One line: CRS, cell size and size in cells."""
        crs = self.crs.to_string() if self.crs is not None else _("no CRS")
        dx, dy = self.cell_size_m
        t = self.transform
        return _("%(crs)s, %(dx)s × %(dy)s m cells, %(width)s × %(height)s cells, origin "
                 "(%(x)s, %(y)s)", crs=crs, dx=format(dx, "g"), dy=format(dy, "g"),
                 width=self.width, height=self.height, x=format(t.c, ".2f"),
                 y=format(t.f, ".2f"))

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                             np.ndarray]:
        """Row and column of the cells holding map points.

        Parameters
        ----------
        x, y : numpy.ndarray
            Map coordinates in the grid's CRS, m.

        Returns
        -------
        rows, cols : numpy.ndarray
            Cell indices (int64; meaningless where ``inside`` is False).
        inside : numpy.ndarray
            Whether the point lies on the grid.
        """
        col_f, row_f = ~self.transform @ (np.asarray(x, float), np.asarray(y, float))
        cols, rows = np.floor(col_f).astype(np.int64), np.floor(row_f).astype(np.int64)
        inside = (cols >= 0) & (cols < self.width) & (rows >= 0) & (rows < self.height)
        return rows, cols, inside

    def centres(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Map coordinates of cell centres, m."""
        t = self.transform
        col, row = np.asarray(cols) + 0.5, np.asarray(rows) + 0.5
        return t.c + t.a * col + t.b * row, t.f + t.d * col + t.e * row


@dataclass(frozen=True)
class EvidenceLayer:
    """One evidence raster on a grid.

    Parameters
    ----------
    name : str
        Layer name (the file name without extension for files).
    values : numpy.ndarray
        Cell values, shape (rows, cols), in the layer's unit (m for distances, classes as
        integers...).
    valid : numpy.ndarray
        Cells that hold data (bool, same shape).
    grid : RasterGrid
        Grid of the values.
    source : str
        File or description the layer came from.
    """

    name: str
    values: np.ndarray
    valid: np.ndarray
    grid: RasterGrid
    source: str


@dataclass(frozen=True)
class Deposits:
    """Known deposits as points on a grid.

    Parameters
    ----------
    x, y : numpy.ndarray
        Coordinates in the grid's CRS, m.
    rows, cols : numpy.ndarray
        Cells holding them (several deposits may share a cell; each counts).
    grid : RasterGrid
        The grid.
    source : str
        File they came from.
    """

    x: np.ndarray
    y: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    grid: RasterGrid
    source: str

    @property
    def cells(self) -> np.ndarray:
        """Flat (row-major) cell index of each deposit, int64."""
        return self.rows * self.grid.width + self.cols

    def __len__(self) -> int:
        return len(self.x)

    def subset(self, keep: np.ndarray | slice) -> Deposits:
        """The deposits selected by a boolean mask, an index array or a slice (e.g. a
        training and a validation set)."""
        return Deposits(self.x[keep], self.y[keep], self.rows[keep], self.cols[keep],
                        self.grid, self.source)


def grid_of(path: str | Path) -> RasterGrid:
    """The grid of a raster file.

    Parameters
    ----------
    path : str or Path
        GeoTIFF (or any raster GDAL reads).
    """
    with _open(path) as src:
        return RasterGrid(src.crs, src.transform, src.width, src.height)


def check_resampling(resampling: str | None, source: str | None = None) -> None:
    """Refuse an unknown resampling method name.

    Parameters
    ----------
    resampling : str or None
        Method name, one of :data:`RESAMPLING_METHODS`, or None (no resampling allowed).
    source : str, optional
        Where the name came from, for the message.
    """
    if resampling is not None and resampling not in RESAMPLING_METHODS:
        raise ValidationError(Problem(
            _("unknown resampling method %(method)r; expected one of %(methods)s",
              method=resampling, methods=", ".join(RESAMPLING_METHODS)), source=source))


def different_grid_problem(source: str, grid: RasterGrid, reference: RasterGrid,
                           reference_name: str | None = None) -> Problem:
    """The problem of a raster on another grid than the model's, with no resampling chosen."""
    return Problem(
        _("raster is on a different grid (%(grid)s) than %(reference)s (%(reference_grid)s); "
          "choose a resampling method to put it on that grid (nearest or mode for classes, "
          "bilinear or average for continuous values)", grid=grid.describe(),
          reference=reference_name or _("the model grid"), reference_grid=reference.describe()),
        source=source)


def read_layer(path: str | Path, grid: RasterGrid | None = None, *,
               resampling: str | None = None, name: str | None = None,
               reference_name: str | None = None, band: int = 1) -> EvidenceLayer:
    """Read a band of a raster, on its own grid or resampled onto ``grid``.

    Parameters
    ----------
    path : str or Path
        GeoTIFF file.
    grid : RasterGrid, optional
        Target grid; default the file's own.
    resampling : str, optional
        Resampling method (one of :data:`RESAMPLING_METHODS`) used when the file is not on
        ``grid``. Without it such a file is refused.
    name : str, optional
        Layer name; default the file name without extension.
    reference_name : str, optional
        What ``grid`` is, for the message (e.g. "Dist2Breccia.tif"; default: the model grid).
    band : int
        Band number (1-based).

    Returns
    -------
    EvidenceLayer
        Values keep the file's data type, except after a resampling that averages (then
        float64). Cells equal to the file's nodata value (or NaN) are not valid.

    Raises
    ------
    ValidationError
        Unreadable file, missing band, another grid and no resampling, unknown resampling
        method.
    """
    source = str(path)
    check_resampling(resampling, source)
    with _open(path) as src:
        if not 1 <= band <= src.count:
            raise ValidationError(Problem(_("band %(band)s does not exist; the raster has "
                                            "%(count)s", band=band, count=src.count),
                                          source=source))
        own = RasterGrid(src.crs, src.transform, src.width, src.height)
        target = own if grid is None else grid
        if own.same_as(target):
            masked = src.read(band, masked=True)
            values = np.asarray(masked.data)
            valid = ~np.ma.getmaskarray(masked)
        elif resampling is None:
            raise ValidationError(different_grid_problem(source, own, target, reference_name))
        else:
            values, valid = _resample(src, band, target, resampling)
    if values.dtype.kind == "f":
        valid &= ~np.isnan(values)
    return EvidenceLayer(name or Path(path).stem, values, valid, target, source)


def _resample(src: Any, band: int, grid: RasterGrid, resampling: str,
              ) -> tuple[np.ndarray, np.ndarray]:
    """A band of an open dataset warped onto ``grid``: values and valid cells."""
    out = np.full(grid.shape, np.nan)
    reproject(rasterio.band(src, band), out, src_nodata=src.nodata, dst_nodata=np.nan,
              dst_transform=grid.transform, dst_crs=grid.crs,
              resampling=Resampling[resampling])
    valid = ~np.isnan(out)
    dtype = np.dtype(src.dtypes[band - 1])
    if dtype.kind in "iu" and resampling in CLASS_PRESERVING:
        return np.where(valid, out, 0).astype(dtype), valid
    return out, valid


def read_layers(paths: Sequence[str | Path], grid: RasterGrid | None = None, *,
                resampling: str | None = None) -> list[EvidenceLayer]:
    """Read several evidence rasters onto one grid.

    Parameters
    ----------
    paths : sequence of str or Path
        GeoTIFF files.
    grid : RasterGrid, optional
        Target grid; default the grid of the first file.
    resampling : str, optional
        Method for files on another grid (see :func:`read_layer`); without it every file must
        be on the grid.

    Returns
    -------
    list of EvidenceLayer

    Raises
    ------
    ValidationError
        Every file on another grid when no resampling is chosen (all listed), duplicate
        layer names, unreadable files.
    """
    if not paths:
        raise ValidationError(_("no evidence raster given"))
    names = [Path(p).stem for p in paths]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValidationError([Problem(_("two evidence rasters are named %(name)r; layer "
                                         "names come from file names and must differ", name=n))
                               for n in duplicates])
    reference_name = Path(paths[0]).name if grid is None else _("the given grid")
    target = grid or grid_of(paths[0])
    check_grids(paths, target, resampling, reference_name)
    return [read_layer(p, target, resampling=resampling, reference_name=reference_name)
            for p in paths]


def check_grids(paths: Sequence[str | Path], grid: RasterGrid, resampling: str | None,
                reference_name: str | None = None) -> list[bool]:
    """Which rasters need resampling onto ``grid``, refusing them all at once when no
    resampling method is chosen.

    Parameters
    ----------
    paths : sequence of str or Path
        Raster files.
    grid : RasterGrid
        Target grid.
    resampling : str or None
        Chosen method (one of :data:`RESAMPLING_METHODS`) or None.
    reference_name : str, optional
        What ``grid`` is, for the message (default: the model grid).

    Returns
    -------
    list of bool
        Per file, whether it is on another grid.

    Raises
    ------
    ValidationError
        Every file on another grid (when no method is chosen), unknown method, unreadable
        file.
    """
    check_resampling(resampling)
    grids = [grid_of(p) for p in paths]
    off = [not g.same_as(grid) for g in grids]
    if resampling is None and any(off):
        raise ValidationError([different_grid_problem(str(p), g, grid, reference_name)
                               for p, g, o in zip(paths, grids, off, strict=True) if o])
    return off


def study_area(layers: Sequence[EvidenceLayer], mask: np.ndarray | EvidenceLayer | None = None,
               ) -> np.ndarray:
    """The cells of the study area: inside the mask and with data in every layer.

    Parameters
    ----------
    layers : sequence of EvidenceLayer
        Evidence on one grid.
    mask : numpy.ndarray or EvidenceLayer, optional
        Boolean array, or a raster whose valid non-zero cells are the study area (see
        :func:`mask_from_polygons` for polygons). Default: the whole grid.

    Returns
    -------
    numpy.ndarray
        Boolean, grid shape.

    Raises
    ------
    ValidationError
        Mask of another shape, or an empty study area.
    """
    shape = layers[0].values.shape
    area = np.ones(shape, bool)
    if isinstance(mask, EvidenceLayer):
        area &= mask.valid & (mask.values != 0)
    elif mask is not None:
        if mask.shape != shape:
            raise ValidationError(_("study-area mask has shape %(mask)s, the evidence grid "
                                    "%(grid)s", mask=mask.shape, grid=shape))
        area &= mask.astype(bool)
    for layer in layers:
        area &= layer.valid
    if not area.any():
        raise ValidationError(_("the study area is empty: no cell is inside the mask with "
                                "data in every evidence layer"))
    return area


def mask_from_polygons(polygons: gpd.GeoDataFrame, grid: RasterGrid) -> np.ndarray:
    """Rasterise study-area polygons: cells whose centre falls inside.

    Parameters
    ----------
    polygons : geopandas.GeoDataFrame
        Polygons in any CRS (reprojected to the grid's).
    grid : RasterGrid
        Target grid.

    Returns
    -------
    numpy.ndarray
        Boolean, grid shape.
    """
    geoms = _to_grid_crs(polygons, grid).geometry
    return rasterize(((g, 1) for g in geoms if g is not None and not g.is_empty),
                     out_shape=grid.shape, transform=grid.transform, fill=0,
                     dtype="uint8").astype(bool)


def read_deposits(path: str | Path, grid: RasterGrid, area: np.ndarray) -> Deposits:
    """Read known deposits (points) and place them on the grid as :func:`deposits_from_xy`
    does (``grid`` and ``area`` as there).

    Parameters
    ----------
    path : str or Path
        Shapefile, GeoPackage or any vector file of points, in any CRS (reprojected to the
        grid's; a file without CRS is taken to be in the grid's).

    Raises
    ------
    ValidationError
        Unreadable file, no point, a geometry that is not a point, or points outside the
        study area (every one listed with its feature number and coordinates).
    """
    source = str(path)
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise ValidationError(Problem(_("cannot read deposits: %(error)s", error=exc),
                                      source=source)) from exc
    frame = _to_grid_crs(frame, grid)
    kinds = frame.geometry.geom_type.to_numpy()
    bad = np.flatnonzero(kinds != "Point")
    if len(bad):
        raise ValidationError([Problem(_("feature %(n)s is a %(kind)s; deposits must be "
                                         "points", n=i + 1, kind=kinds[i]), source=source)
                               for i in bad[:20]])
    return deposits_from_xy(frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy(), grid,
                            area, source)


def deposits_from_xy(x: np.ndarray, y: np.ndarray, grid: RasterGrid, area: np.ndarray,
                     source: str = "deposits") -> Deposits:
    """Place deposit coordinates on the grid, refusing any outside the study area.

    Parameters
    ----------
    x, y : numpy.ndarray
        Coordinates in the grid's CRS, m.
    grid : RasterGrid
        Evidence grid.
    area : numpy.ndarray
        Study area (boolean, grid shape).
    source : str
        Origin, for messages.

    Returns
    -------
    Deposits

    Raises
    ------
    ValidationError
        No deposit, or deposits off the grid or outside the study area (feature numbers are
        1-based, in file order).
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) == 0:
        raise ValidationError(Problem(_("no deposit: at least one point is needed"),
                                      source=source))
    rows, cols, inside = grid.cell_of(x, y)
    ok = inside.copy()
    ok[inside] = area[rows[inside], cols[inside]]
    outside = np.flatnonzero(~ok)
    if len(outside):
        described = grid.describe()
        problems = [Problem((_("feature %(n)s at (%(x)s, %(y)s) lies outside the study area "
                               "(off the grid); the grid is %(grid)s") if not inside[i] else
                             _("feature %(n)s at (%(x)s, %(y)s) lies outside the study area "
                               "(masked out); the grid is %(grid)s"))
                            % {"n": i + 1, "x": format(x[i], ".2f"), "y": format(y[i], ".2f"),
                               "grid": described}, source=source)
                    for i in outside[:20]]
        if len(outside) > 20:
            problems.append(Problem(_("%(n)s more deposits lie outside the study area",
                                      n=len(outside) - 20), source=source))
        raise ValidationError(problems)
    return Deposits(x, y, rows, cols, grid, source)


def distance_to_features(features: gpd.GeoDataFrame, grid: RasterGrid) -> np.ndarray:
    """Distance from each cell centre to the nearest cell touched by a feature, m.

    Parameters
    ----------
    features : geopandas.GeoDataFrame
        Points, lines or polygons (e.g. faults, breccia units), any CRS.
    grid : RasterGrid
        Target grid (square or rectangular cells; not rotated).

    Returns
    -------
    numpy.ndarray
        float64, grid shape: 0 in touched cells, Euclidean distance between cell centres
        elsewhere (so exact to within half a cell).
    """
    touched = _burn(features, grid, all_touched=True)
    if not touched.any():
        raise ValidationError(_("no feature touches the grid: distances are undefined"))
    dx, dy = grid.cell_size_m
    return np.asarray(distance_transform_edt(~touched, sampling=(dy, dx)))


def feature_density(features: gpd.GeoDataFrame, grid: RasterGrid, radius_m: float,
                    ) -> np.ndarray:
    """Density of features within a radius of each cell: points per km², lines km per km².

    Line lengths are sampled every quarter of a cell along each line (each sample carries
    its share of the length), summed per cell, then summed over a disc of ``radius_m`` (FFT
    convolution) and divided by the disc's area.

    Parameters
    ----------
    features : geopandas.GeoDataFrame
        Points or lines (not mixed), any CRS.
    grid : RasterGrid
        Target grid.
    radius_m : float
        Search radius, m.

    Returns
    -------
    numpy.ndarray
        float64, grid shape: count per km² (points) or km per km² (lines).
    """
    if radius_m <= 0:
        raise ValidationError(_("density radius must be > 0 m, got %(radius)s", radius=radius_m))
    geoms = _to_grid_crs(features, grid).geometry
    geoms = geoms[~(geoms.is_empty | geoms.isna())].explode(index_parts=False)
    kinds = set(geoms.geom_type)
    if kinds <= {"Point"} and kinds:
        x, y = geoms.x.to_numpy(), geoms.y.to_numpy()
        weight = np.ones(len(x))
    elif kinds <= {"LineString", "LinearRing"} and kinds:
        x, y, weight = _sample_lines(np.asarray(geoms.to_numpy()), min(grid.cell_size_m) / 4)
        weight = weight / M_PER_KM
    else:
        raise ValidationError(_("feature density needs points or lines (not mixed), got "
                                "%(kinds)s", kinds=", ".join(sorted(kinds)) or _("no geometry")))
    rows, cols, inside = grid.cell_of(x, y)
    per_cell = np.bincount((rows * grid.width + cols)[inside], weights=weight[inside],
                           minlength=grid.n_cells).reshape(grid.shape)
    dx, dy = grid.cell_size_m
    ry, rx = int(radius_m // dy), int(radius_m // dx)
    oy, ox = np.ogrid[-ry:ry + 1, -rx:rx + 1]
    disc = ((oy * dy) ** 2 + (ox * dx) ** 2 <= radius_m ** 2).astype(float)
    total = fftconvolve(per_cell, disc, mode="same")
    # the FFT leaves round-off (about 1e-16 of the peak) where the true sum is 0
    total[total < 1e-12 * max(float(total.max()), 0.0)] = 0.0
    return total / (disc.sum() * grid.cell_area_km2)


def _sample_lines(lines: np.ndarray, step_m: float) -> tuple[np.ndarray, np.ndarray,
                                                             np.ndarray]:
    """Points every ``step_m`` along lines (at the middle of each piece) and the length each
    stands for, m."""
    lengths = shapely.length(lines)
    counts = np.maximum(np.ceil(lengths / step_m).astype(np.int64), 1)
    owner = np.repeat(np.arange(len(lines)), counts)
    start = np.cumsum(counts) - counts
    k = np.arange(counts.sum()) - np.repeat(start, counts)
    piece = lengths[owner] / counts[owner]
    points = shapely.line_interpolate_point(lines[owner], (k + 0.5) * piece)
    return shapely.get_x(points), shapely.get_y(points), piece


def _burn(features: gpd.GeoDataFrame, grid: RasterGrid, all_touched: bool) -> np.ndarray:
    geoms = [g for g in _to_grid_crs(features, grid).geometry
             if g is not None and not g.is_empty]
    if not geoms:
        return np.zeros(grid.shape, bool)
    return rasterize(((g, 1) for g in geoms), out_shape=grid.shape, transform=grid.transform,
                     fill=0, all_touched=all_touched, dtype="uint8").astype(bool)


def _to_grid_crs(frame: gpd.GeoDataFrame, grid: RasterGrid) -> gpd.GeoDataFrame:
    if frame.crs is None or grid.crs is None:
        return frame
    return frame if CRS.from_user_input(frame.crs) == grid.crs else frame.to_crs(grid.crs)


def write_raster(path: str | Path, bands: Sequence[np.ndarray], grid: RasterGrid,
                 descriptions: Sequence[str] = ()) -> None:
    """Write float bands as a tiled float32 GeoTIFF with NaN as nodata.

    Parameters
    ----------
    path : str or Path
        Output file (overwritten).
    bands : sequence of numpy.ndarray
        Arrays of the grid's shape, in their own units (probability, m...).
    grid : RasterGrid
        Their grid.
    descriptions : sequence of str
        Band descriptions (e.g. "posterior_probability").
    """
    with rasterio.open(path, "w", **raster_profile(grid, len(bands))) as dst:
        for i, band in enumerate(bands, start=1):
            dst.write(np.asarray(band, np.float32), i)
        for i, text in enumerate(descriptions, start=1):
            dst.set_band_description(i, text)


def raster_profile(grid: RasterGrid, count: int) -> dict[str, Any]:
    """GeoTIFF creation options of our float32 outputs (tiled 256 × 256, NaN nodata)."""
    profile: dict[str, Any] = {"driver": "GTiff", "width": grid.width, "height": grid.height,
                               "count": count, "dtype": "float32", "crs": grid.crs,
                               "transform": grid.transform, "nodata": np.nan,
                               "BIGTIFF": "IF_SAFER"}
    if grid.width >= 256 and grid.height >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    return profile


def _open(path: str | Path) -> Any:
    try:
        return rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise ValidationError(Problem(_("cannot read raster: %(error)s", error=exc),
                                      source=str(path))) from exc
