"""``aurum seismic``: microseismic monitoring — location, b-value, detection.

Domain modules are imported inside the commands: ObsPy takes a second to load and other
commands of ``aurum`` should not pay for it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from aurum.cli.common import FORMAT_OPTION, echo_json, progress_bar
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _


def _warn(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(_("warning: %(problem)s", problem=problem), err=True)


def _event_id(value: object) -> object:
    """An event id as the CSV wrote it: integers stay integers in the JSON."""
    text = str(value)
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else text


@click.group(name="seismic")
def seismic() -> None:
    """Microseismic monitoring: detection, picking, location, statistics."""


@seismic.command("locate")
@click.option("--picks", "picks_path", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="CSV: event, station, phase (P/S), time (s); optional weight.")
@click.option("--stations", "stations_path", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="CSV: station, x, y, z (m, mine grid).")
@click.option("--vp", type=float, required=True, help="P velocity, m/s.")
@click.option("--vs", type=float, required=True, help="S velocity, m/s.")
@click.option("--corrections", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of station corrections: station, phase, correction (s).")
@click.option("--margin", type=float, help="Search box margin around the stations, m.")
@click.option("--min-stations", type=int, default=4, show_default=True,
              help="Fewest stations with picks to locate an event.")
@FORMAT_OPTION
def locate(picks_path: Path, stations_path: Path, vp: float, vs: float,
           corrections: Path | None, margin: float | None, min_stations: int,
           fmt: str) -> None:
    """Locate events from P and S picks in a homogeneous model (grid and octree search,
    then least squares). Events that cannot be located are reported on stderr."""
    import numpy as np

    from aurum.seismic._tables import read_table
    from aurum.seismic.inventory import read_station_csv
    from aurum.seismic.locate import LocateSettings, Locator, SearchVolume, read_picks_csv
    from aurum.seismic.velocity import HomogeneousModel

    inventory = read_station_csv(stations_path)
    picks, source = read_picks_csv(picks_path)
    table = None
    if corrections is not None:
        table, _read = read_table(corrections, ["station", "phase", "correction"], ["correction"],
                              what="station corrections")
    volume = None if margin is None else SearchVolume.around(inventory.positions(), margin)
    locator = Locator(inventory, HomogeneousModel(vp, vs), volume,
                      LocateSettings(min_stations=min_stations), table)
    with progress_bar(_("locating events")) as advance:
        result = locator.locate_all(picks, source, advance)
    _warn(result.problems)
    events = [{"event": _event_id(r["event"]), "x": r["x"], "y": r["y"], "z": r["z"],
               "t0": r["t0"], "rms": r["rms"]} for r in result.events.to_dict("records")]
    if fmt == "json":
        echo_json({"events": events})
        return
    for r in result.events.to_dict("records"):
        click.echo(_("event %(event)s: x %(x)s y %(y)s z %(z)s m, t0 %(t0)s s, rms %(rms)s ms, "
                     "%(picks)s picks, ellipsoid %(major)s × %(intermediate)s × %(minor)s m",
                     event=r["event"], x=format(r["x"], ".1f"), y=format(r["y"], ".1f"),
                     z=format(r["z"], ".1f"), t0=format(r["t0"], ".4f"),
                     rms=format(r["rms"] * 1000, ".2f"),
                     picks=r["n_picks"], major=format(r["semi_major_m"], ".1f"),
                     intermediate=format(r["semi_intermediate_m"], ".1f"),
                     minor=format(r["semi_minor_m"], ".1f")))
    click.echo(_("%(located)s of %(events)s events located", located=len(events),
                 events=int(np.unique(picks["event"]).size)))


@seismic.command("bvalue")
@click.option("--magnitudes", "path", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="CSV with a column of magnitudes.")
@click.option("--column", help="Magnitude column (default: 'magnitude', or the only column).")
@click.option("--mc", required=True, help="Magnitude of completeness, or 'auto'.")
@click.option("--delta-m", type=float, required=True, help="Magnitude bin width.")
@click.option("--method", type=click.Choice(["tinti_mulargia", "utsu"]),
              default="tinti_mulargia", show_default=True, help="b-value estimator.")
@click.option("--mc-method", type=click.Choice(["maxc", "mbs"]), default="maxc",
              show_default=True,
              help="Mc when 'auto': maximum curvature + 0.2, or b-value stability.")
@FORMAT_OPTION
def bvalue(path: Path, column: str | None, mc: str, delta_m: float, method: str,
           mc_method: str, fmt: str) -> None:
    """Gutenberg–Richter b-value by maximum likelihood, Shi & Bolt uncertainty, a-value."""
    import pandas as pd

    from aurum.seismic.stats import b_value, magnitude_of_completeness

    if not path.is_file():
        raise ValidationError(Problem(_("magnitudes file not found: %(path)s", path=path),
                                      source=str(path)))
    frame = pd.read_csv(path)
    if column is None:
        column = "magnitude" if "magnitude" in frame.columns else (
            str(frame.columns[0]) if len(frame.columns) == 1 else None)
        if column is None:
            raise ValidationError(Problem(
                _("several columns, none named 'magnitude': choose one with --column "
                  "(%(columns)s)", columns=", ".join(map(str, frame.columns))),
                source=path.name))
    if column not in frame.columns:
        raise ValidationError(Problem(_("no column %(column)r (columns: %(columns)s)",
                                        column=column,
                                        columns=", ".join(map(str, frame.columns))),
                                      column=column, source=path.name))
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = int(values.isna().sum() - frame[column].isna().sum())
    if bad:
        _warn([Problem(_("%(count)s value(s) are not numbers and were left out", count=bad),
                       column=column, source=path.name)])
    if mc.strip().lower() == "auto":
        mc_value = magnitude_of_completeness(values, delta_m, mc_method)
    else:
        try:
            mc_value = float(mc)
        except ValueError:
            raise ValidationError(Problem(_("--mc must be a number or 'auto', got %(mc)r",
                                            mc=mc))) from None
    result = b_value(values, mc_value, delta_m, method)
    if fmt == "json":
        echo_json(result.as_dict())
        return
    click.echo(_("b = %(b)s ± %(b_std)s (Shi & Bolt), a = %(a)s, Mc = %(mc)s, %(n)s events "
                 "(%(method)s)", b=format(result.b, ".4f"), b_std=format(result.b_std, ".4f"),
                 a=format(result.a, ".3f"), mc=format(result.mc, "g"), n=format(result.n, ","),
                 method=method))


@seismic.command("detect")
@click.option("--waveforms", "path", type=click.Path(path_type=Path), required=True,
              help="A miniSEED file or a directory of them.")
@click.option("--inventory", type=click.Path(dir_okay=False, path_type=Path),
              help="StationXML or station CSV (m): traces of unknown stations are left out.")
@click.option("--sta", type=float, default=0.01, show_default=True, help="STA window, s.")
@click.option("--lta", type=float, default=0.1, show_default=True, help="LTA window, s.")
@click.option("--on", "on", type=float, default=5.0, show_default=True,
              help="STA/LTA trigger-on ratio.")
@click.option("--off", "off", type=float, default=1.5, show_default=True,
              help="STA/LTA trigger-off ratio.")
@click.option("--min-stations", type=int, default=4, show_default=True,
              help="Stations triggered at once for a detection.")
@click.option("--vp", type=float, help="P velocity (m/s): with --inventory, locate detections.")
@click.option("--vs", type=float, help="S velocity, m/s (default vp / 1.73).")
@click.option("--phases", type=click.Choice(["PS", "P"]), default="PS", show_default=True,
              help="Picks used to locate (P alone where automatic S picks are unreliable).")
@click.option("--workers", type=int, default=2, show_default=True,
              help="Threads for STA/LTA.")
@FORMAT_OPTION
def detect(path: Path, inventory: Path | None, sta: float, lta: float, on: float, off: float,
           min_stations: int, vp: float | None, vs: float | None, phases: str,
           workers: int, fmt: str) -> None:
    """Detect events (recursive STA/LTA, network coincidence), pick P and S (AIC), and
    locate them when an inventory and a velocity are given."""
    from aurum.seismic import detect as detection
    from aurum.seismic.inventory import read_inventory
    from aurum.seismic.locate import Locator
    from aurum.seismic.velocity import HomogeneousModel
    from aurum.seismic.waveforms import read_waveforms, screen, utc_text

    inv = read_inventory(inventory) if inventory is not None else None
    channels, problems = read_waveforms(path)
    channels, screened = screen(channels, inv)
    problems += screened
    settings = detection.DetectSettings(sta_s=sta, lta_s=lta, on=on, off=off,
                                        min_stations=min_stations)
    with progress_bar(_("detecting")) as advance:
        result = detection.detect(channels, settings, workers=workers, progress=advance)
    problems += result.problems
    locations: dict[str, dict[Any, Any]] = {}
    if inv is not None and vp is not None:
        picks = detection.picks_frame(result.detections)
        picks = picks[picks["phase"].isin(list(phases))]
        located = Locator(inv, HomogeneousModel(vp, vs or vp / 1.73)).locate_all(
            picks, source=str(path))
        problems += located.problems
        locations = {str(r["event"]): r for r in located.events.to_dict("records")}
    _warn(problems)
    out: list[dict[str, Any]] = []
    for det in result.detections:
        loc = locations.get(det.id)
        out.append({
            "id": det.id, "start": utc_text(det.start), "end": utc_text(det.end),
            "stations": det.stations, "peak_sta_lta": det.peak,
            "picks": [{"station": p.station, "channel": p.channel, "phase": p.phase,
                       "time": utc_text(p.time), "timestamp": p.time,
                       "uncertainty": p.uncertainty, "quality": p.quality,
                       "weight": p.weight, "snr": p.snr} for p in det.picks],
            "location": None if loc is None else {
                k: loc[k] for k in ("x", "y", "z", "rms", "semi_major_m")} | {
                "t0": utc_text(loc["t0"])}})
    if fmt == "json":
        echo_json({"detections": out, "problems": [p.as_dict() for p in problems]})
        return
    for d in out:
        values = {"id": d["id"], "start": d["start"], "end": d["end"],
                  "stations": len(d["stations"]), "picks": len(d["picks"])}
        if d["location"] is None:
            click.echo(_("%(id)s %(start)s – %(end)s: %(stations)s stations, %(picks)s picks",
                         **values))
        else:
            click.echo(_("%(id)s %(start)s – %(end)s: %(stations)s stations, %(picks)s picks, "
                         "located at x %(x)s y %(y)s z %(z)s m", **values,
                         **{k: format(d["location"][k], ".1f") for k in ("x", "y", "z")}))
    click.echo(_("%(detections)s detection(s) in %(segments)s channel segment(s)",
                 detections=len(out), segments=len(channels)))
