"""Charts of a prospectivity study: the rasters, the ROC and the success-rate curves."""

from __future__ import annotations

from typing import Any

from aurum.api.charts.common import GOLD, GREY, Figure, axis, base_layout
from aurum.core.i18n import _


def prospect_heatmap(x: list[float], y: list[float], z: list[list[float | None]], title: str,
                     colorscale: str = "YlOrBr", points: tuple[list[float], list[float]]
                     | None = None, height: int = 300) -> Figure:
    """A raster (rows from the top, cell centres in m) as a heatmap, with points on it."""
    data: list[dict[str, Any]] = [{"type": "heatmap", "x": x, "y": y, "z": z,
                                   "colorscale": colorscale, "showscale": True}]
    if points is not None:
        data.append({"type": "scatter", "mode": "markers", "name": _("known deposits"),
                     "x": points[0], "y": points[1],
                     "marker": {"size": 4, "color": "#1f3a93", "symbol": "circle-open"}})
    return {"data": data, "layout": base_layout(title, height=height,
                                                xaxis=axis(_("easting (m)")),
                                                yaxis=axis(_("northing (m)"), scaleanchor="x"))}


def roc_curve_chart(fpr: list[float], tpr: list[float], auc: float,
                    cv_note: str = "") -> Figure:
    """ROC curve of a prospectivity map, with the chance line."""
    return _against_chance({"type": "scatter", "mode": "lines",
                            "name": _("posterior (AUC %(auc)s)", auc=format(auc, ".4f")),
                            "x": [0.0, *fpr],
                            "y": [0.0, *tpr], "line": {"color": GOLD}},
                           _("ROC curve") + cv_note, _("false-positive rate (fraction)"),
                           _("true-positive rate (fraction)"))


def success_rate_chart(area_fraction: list[float], deposit_fraction: list[float],
                       auc: float) -> Figure:
    """Fraction of deposits captured against the fraction of the study area, best first."""
    return _against_chance({"type": "scatter", "mode": "lines+markers",
                            "name": _("success rate (AUC %(auc)s)", auc=format(auc, ".4f")),
                            "x": [0.0, *area_fraction], "y": [0.0, *deposit_fraction],
                            "line": {"color": GOLD}},
                           _("Success-rate curve"), _("study area, best first (fraction)"),
                           _("deposits captured (fraction)"))


def _against_chance(curve: dict[str, Any], title: str, x_title: str, y_title: str) -> Figure:
    """A curve of fractions (both axes 0 to 1) with the chance line, the diagonal, beside it."""
    return {"data": [
        curve,
        {"type": "scatter", "mode": "lines", "name": _("chance"), "x": [0, 1], "y": [0, 1],
         "line": {"color": GREY, "dash": "dash"}}],
        "layout": base_layout(title, xaxis=axis(x_title, range=[0, 1]),
                                  yaxis=axis(y_title, range=[0, 1]))}
