"""Charts of ventilation on demand: each working place's required flow against the flow the
decided fan speeds deliver (and the flow measured), and the fans' speeds and power against
fixed operation."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from aurum.api.charts.common import GOLD, GREY, STATUS_COLOURS, Figure, axis, base_layout
from aurum.core.i18n import _
from aurum.services.ventilation import Names


def vod_flows_chart(places: pd.DataFrame, names: Names | None = None) -> Figure | None:
    """Per working place: the required flow, the flow delivered at the decided speeds (red
    where it falls short) and the flow measured (only where an airflow was read), m³/s.

    Parameters
    ----------
    places : pandas.DataFrame
        ``place``, ``required_m3s``, ``delivered_m3s``, ``measured_m3s`` (m³/s; missing
        where no airflow was read), as :class:`aurum.services.vod.Decision` gives them.
    names : Names, optional
        The places' branches' names, shown on the axis (the id in the hover).

    Returns
    -------
    dict or None
        None without places.
    """
    if places.empty:
        return None
    names = names or Names()
    ids = places["place"].astype(str).tolist()
    shown, hover = [names[p] for p in ids], [names.with_id(p) for p in ids]
    short = (places["delivered_m3s"] < places["required_m3s"] - 1e-6).tolist()
    delivered_colours = [STATUS_COLOURS["off_track"] if s else STATUS_COLOURS["on_track"]
                         for s in short]
    data = [
        {"type": "bar", "name": _("required flow"), "x": shown, "hovertext": hover,
         "y": places["required_m3s"].tolist(), "marker": {"color": GOLD}},
        {"type": "bar", "name": _("delivered at the decided speeds"), "x": shown,
         "hovertext": hover, "y": places["delivered_m3s"].tolist(),
         "marker": {"color": delivered_colours}}]
    measured = pd.to_numeric(places["measured_m3s"], errors="coerce")
    if measured.notna().any():  # no marker before a reading
        read = measured.notna().to_numpy()
        data.append({"type": "scatter", "mode": "markers", "name": _("measured flow"),
                     "x": [n for n, r in zip(shown, read, strict=True) if r],
                     "y": measured[read].tolist(),
                     "marker": {"color": GREY, "symbol": "diamond", "size": 9}})
    return {"data": data, "layout": base_layout(
        _("Airflow per working place"), barmode="group",
        yaxis=axis(_("airflow (m³/s)"), rangemode="tozero"),
        xaxis=axis(_("working place (branch)")))}


def fan_speeds_chart(speeds: Mapping[str, float], power_kw: Mapping[str, float],
                     fixed_power_kw: Mapping[str, float], names: Names | None = None
                     ) -> Figure | None:
    """Per fan: its shaft power at the decided speed against at rated speed (kW; a fan
    given no efficiency counts its air power), the speed named in the bar's label.

    Parameters
    ----------
    speeds : mapping of str to float
        Relative speed per fan (1: rated).
    power_kw, fixed_power_kw : mapping of str to float
        Power per fan at the decided speed and at rated speed, kW.
    names : Names, optional
        The fans' branches' names, shown on the axis (the id in the hover).

    Returns
    -------
    dict or None
        None without fans.
    """
    if not speeds:
        return None
    names = names or Names()
    ids = list(speeds)
    shown, hover = [names[n] for n in ids], [names.with_id(n) for n in ids]
    return {"data": [
        {"type": "bar", "name": _("at rated speed"), "x": shown, "hovertext": hover,
         "y": [fixed_power_kw.get(n) for n in ids], "marker": {"color": GREY}},
        {"type": "bar", "name": _("at the decided speed"), "x": shown, "hovertext": hover,
         "y": [power_kw.get(n) for n in ids], "marker": {"color": GOLD},
         "text": [f"n = {speeds[n]:.2f}" for n in ids], "textposition": "outside"}],
        "layout": base_layout(_("Fan power"), barmode="group",
                              yaxis=axis(_("shaft power (kW)"), rangemode="tozero"),
                              xaxis=axis(_("fan")))}
