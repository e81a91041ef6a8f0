"""The seismic catalogue frame: QuakeML import and export (ObsPy), IMS catalogue loading,
and the event-classification hook.

One row per event, columns :data:`CATALOGUE_COLUMNS` with units :data:`CATALOGUE_UNITS`;
missing values are NaN. Positions are in the mine's local grid (m, ``z`` up); QuakeML holds
geographic coordinates, converted through a :class:`~aurum.seismic.inventory.LocalGrid`.
Source parameters QuakeML has no element for (energy, apparent stress and volume, corner
frequency, source radius, stress drop) travel as ObsPy ``extra`` elements in the
:data:`QUAKEML_NAMESPACE` namespace, together with the grid coordinates, so an Aurum
catalogue survives a round trip; other readers simply ignore them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.seismic.inventory import LocalGrid

CATALOGUE_UNITS = {
    "event": "", "time": "UTC", "x": "m", "y": "m", "z": "m", "ml": "", "mw": "",
    "moment": "N m", "energy": "J", "energy_p": "J", "energy_s": "J", "apparent_stress": "Pa",
    "apparent_volume": "m3", "corner_frequency": "Hz", "source_radius": "m",
    "static_stress_drop": "Pa", "n_stations": "", "location_residual": "m",
    "event_type": "", "evaluation": "",
}
"""Unit of every catalogue column ("" for ids, magnitudes, counts and labels)."""
CATALOGUE_COLUMNS = list(CATALOGUE_UNITS)
NUMERIC_COLUMNS = [c for c in CATALOGUE_COLUMNS
                   if c not in ("event", "time", "event_type", "evaluation")]
EVENT_TYPES = ("event", "blast", "unknown")
"""Aurum's event types: a seismic event, a production or calibration blast, not known."""

QUAKEML_NAMESPACE = "http://aurum.example.org/xmlns/seismic/1.0"
"""Namespace of the ``extra`` elements Aurum writes into QuakeML events."""
_EXTRA = ("x", "y", "z", "energy", "energy_p", "energy_s", "apparent_stress",
          "apparent_volume", "corner_frequency", "source_radius", "static_stress_drop",
          "location_residual")
_TO_QUAKEML_TYPE = {"event": "induced or triggered event", "blast": "mining explosion",
                    "unknown": "not reported"}
_BLAST_TYPES = {"explosion", "mining explosion", "quarry blast", "controlled explosion",
                "industrial explosion", "chemical explosion", "experimental explosion"}

PICK_COLUMNS = ["event", "network", "station", "location", "channel", "phase", "time",
                "uncertainty", "evaluation_mode", "in_origin", "weight"]
"""Columns of the picks read from QuakeML: time and uncertainty in s (POSIX), ``in_origin``
True when the preferred origin has an arrival for the pick, ``weight`` its time weight
(1 when none is given)."""


def catalogue_frame(records: Iterable[dict[str, object]] | pd.DataFrame | None = None
                    ) -> pd.DataFrame:
    """A catalogue frame with every column, in order and with its type.

    Parameters
    ----------
    records : iterable of dict or DataFrame, optional
        Rows (missing columns become NaN, or "unknown" for ``event_type``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CATALOGUE_COLUMNS`; ``time`` as UTC timestamps.
    """
    frame = pd.DataFrame(records if records is not None else [])
    text_defaults = {"event": "", "event_type": "unknown", "evaluation": ""}
    for column in CATALOGUE_COLUMNS:
        if column not in frame.columns:
            frame[column] = text_defaults.get(column, np.nan)
    frame = frame[CATALOGUE_COLUMNS].copy()
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    for column in NUMERIC_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column, default in text_defaults.items():
        frame[column] = frame[column].astype(object).where(frame[column].notna(),
                                                           default).astype(str)
    return frame


IMS_COLUMNS = {
    "Date": "time", "Location X": "x", "Location Y": "y", "Location Z": "z",
    "Mag Local": "ml", "Magnitude Moment": "mw", "Moment Total": "moment",
    "Energy Total": "energy", "Energy P": "energy_p", "Energy S": "energy_s",
    "Apparent Stress": "apparent_stress", "Apparent Volume": "apparent_volume",
    "Corner Frequency S": "corner_frequency", "Source Radius": "source_radius",
    "Static Stress Drop": "static_stress_drop", "Num Sensors Used": "n_stations",
    "Location Residual": "location_residual", "Imported Tag": "evaluation",
}
"""IMS (JMTS export) column → catalogue column."""
IMS_APPARENT_STRESS_TO_PA = 1.0e6
"""The IMS export writes apparent stress in MPa: with it in Pa, apparent volume =
M0 / (2 σa) and σa = μ E / M0 (μ = 33 GPa) hold row by row in the Elk Creek months."""


def read_ims_catalogue(paths: Sequence[str | Path] | str | Path) -> pd.DataFrame:
    """IMS catalogue months (Parquet, as published for Elk Creek) as one catalogue frame.

    Parameters
    ----------
    paths : path or sequence of paths
        Parquet files, or a directory whose ``*.parquet`` files are all read.

    Returns
    -------
    pandas.DataFrame
        Catalogue frame in time order; ids ``ims_<row>``; times as recorded, taken as UTC;
        grid coordinates in the mine's metres; apparent stress converted from MPa to Pa;
        ``evaluation`` "manual" or "automatic"; ``event_type`` "event", or "blast" where the
        file's ``P(Blast)`` is above 0.5.

    Raises
    ------
    ValidationError
        No file, a file that is not Parquet, or a missing column.
    """
    if isinstance(paths, str | Path):
        p = Path(paths)
        files = sorted(p.glob("*.parquet")) if p.is_dir() else [p]
    else:
        files = [Path(p) for p in paths]
    if not files:
        raise ValidationError(Problem(_("no IMS Parquet file in %(paths)s", paths=paths)))
    frames = []
    for file in files:
        if not file.is_file():
            raise ValidationError(Problem(_("IMS catalogue file not found: %(file)s", file=file),
                                          source=str(file)))
        try:
            raw = pd.read_parquet(file)
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise ValidationError(Problem(_("not a readable Parquet file (%(error)s)", error=exc),
                                          source=file.name)) from exc
        missing = [c for c in IMS_COLUMNS if c not in raw.columns]
        if missing:
            raise ValidationError([Problem(_("missing IMS column"), column=c, source=file.name)
                                   for c in missing])
        frame = raw[list(IMS_COLUMNS)].rename(columns=IMS_COLUMNS)
        frame["time"] = _checked_times(raw["Date"], file.name)
        blast = pd.to_numeric(raw["P(Blast)"], errors="coerce") if "P(Blast)" in raw \
            else pd.Series(np.nan, index=raw.index)
        frame["event_type"] = np.where(blast > 0.5, "blast", "event")
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["apparent_stress"] = out["apparent_stress"] * IMS_APPARENT_STRESS_TO_PA
    out["evaluation"] = out["evaluation"].str.lower().map(
        {"manual": "manual", "auto": "automatic"}).fillna("")
    out = out.sort_values("time", kind="stable").reset_index(drop=True)
    out["event"] = [f"ims_{i}" for i in range(len(out))]
    return catalogue_frame(out)


def _checked_times(cells: pd.Series, source: str) -> pd.Series:
    """The ``Date`` cells of an IMS file as UTC times; a cell that is no time is refused,
    named by its row (the first event is row 2, as in a spreadsheet) and column."""
    times = pd.to_datetime(cells, utc=True, errors="coerce", format="mixed")
    bad = np.flatnonzero(times.isna().to_numpy() & cells.notna().to_numpy())
    if len(bad):
        raise ValidationError([Problem(_("not a time: %(cell)r", cell=cells.iloc[i]),
                                       row=int(i) + 2,
                                       column="Date", source=source) for i in bad])
    return times


def _value(obj: object, name: str) -> float:
    v = getattr(obj, name, None) if obj is not None else None
    return float("nan") if v is None else float(v)


def read_quakeml(paths: Sequence[str | Path] | str | Path, grid: LocalGrid | None = None
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events and picks from QuakeML files (read with ObsPy).

    Parameters
    ----------
    paths : path or sequence of paths
        QuakeML files (each may hold several events).
    grid : LocalGrid, optional
        Projection of the geographic origins onto the mine grid; when absent, the grid
        coordinates come from Aurum's ``extra`` elements (NaN if there are none).

    Returns
    -------
    catalogue : pandas.DataFrame
        Catalogue frame from each event's preferred origin and magnitudes (``ml`` from an
        ``ML`` magnitude, ``mw`` from ``Mw``; ``moment`` from the preferred focal
        mechanism's scalar moment).
    picks : pandas.DataFrame
        :data:`PICK_COLUMNS`.
    """
    import obspy

    files = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    rows, picks = [], []
    for file in files:
        try:
            catalog = obspy.read_events(str(file))
        except Exception as exc:  # ObsPy raises several types for a bad file
            raise ValidationError(Problem(_("not a readable QuakeML file (%(error)s)", error=exc),
                                          source=file.name)) from exc
        for ev in catalog:
            event_id = str(ev.resource_id.id).rsplit("/", 1)[-1]
            origin = ev.preferred_origin() or (ev.origins[0] if ev.origins else None)
            row: dict[str, object] = {"event": event_id}
            extra = getattr(ev, "extra", {}) or {}
            for key in _EXTRA:
                if key in extra:
                    row[key] = float(extra[key]["value"])
            if origin is not None:
                row["time"] = pd.Timestamp(origin.time.datetime, tz="UTC")
                if grid is not None and origin.latitude is not None:
                    depth = origin.depth if origin.depth is not None else 0.0
                    xyz = grid.to_local(origin.latitude, origin.longitude, -depth)
                    row.update(x=float(xyz[0]), y=float(xyz[1]), z=float(xyz[2]))
                row["n_stations"] = _value(origin.quality, "used_station_count")
            for mag in ev.magnitudes:
                kind = (mag.magnitude_type or "").lower()
                if kind in ("ml", "mw") and kind not in row:
                    row[kind] = float(mag.mag)
            fm = ev.preferred_focal_mechanism() or (ev.focal_mechanisms[0]
                                                    if ev.focal_mechanisms else None)
            if fm is not None and fm.moment_tensor is not None:
                row["moment"] = _value(fm.moment_tensor, "scalar_moment")
            event_type = str(ev.event_type or "")
            row["event_type"] = ("blast" if event_type in _BLAST_TYPES
                                 else "unknown" if event_type in ("", "not reported")
                                 else "event")
            row["evaluation"] = str(getattr(origin, "evaluation_mode", "") or "")
            rows.append(row)
            arrivals = {str(a.pick_id.id): a for a in (origin.arrivals if origin else [])}
            for p in ev.picks:
                w = p.waveform_id
                arrival = arrivals.get(str(p.resource_id.id))
                weight = getattr(arrival, "time_weight", None) if arrival else None
                picks.append((event_id, w.network_code or "", w.station_code or "",
                              w.location_code or "", w.channel_code or "",
                              (p.phase_hint or (arrival.phase if arrival else "") or "").upper(),
                              float(p.time.timestamp), _value(p.time_errors, "uncertainty"),
                              str(p.evaluation_mode or ""), arrival is not None,
                              1.0 if weight is None else float(weight)))
    return catalogue_frame(rows), pd.DataFrame(picks, columns=PICK_COLUMNS)


def write_quakeml(catalogue: pd.DataFrame, path: str | Path, grid: LocalGrid,
                  picks: pd.DataFrame | None = None) -> None:
    """Write a catalogue (and its picks) as QuakeML with ObsPy.

    Parameters
    ----------
    catalogue : pandas.DataFrame
        Catalogue frame (:data:`CATALOGUE_COLUMNS`); rows without a time or position are
        written without an origin.
    path : str or Path
        Output file.
    grid : LocalGrid
        Projection from the mine grid to latitude, longitude and depth.
    picks : pandas.DataFrame, optional
        ``event, station, phase, time`` (POSIX s) and optionally ``network, location,
        channel, uncertainty`` (s).
    """
    from obspy import UTCDateTime
    from obspy.core import AttribDict
    from obspy.core.event import (
        Arrival,
        Catalog,
        Event,
        FocalMechanism,
        Magnitude,
        MomentTensor,
        Origin,
        Pick,
        QuantityError,
        ResourceIdentifier,
        WaveformStreamID,
    )

    frame = catalogue_frame(catalogue)
    by_event = {} if picks is None else {str(k): g for k, g in picks.groupby("event")}
    events = []
    for row in frame.to_dict("records"):
        event_id = str(row["event"])
        ev = Event(resource_id=ResourceIdentifier(f"smi:local/{event_id}"),
                   event_type=_TO_QUAKEML_TYPE.get(str(row["event_type"]), "not reported"))
        ev.extra = AttribDict({key: {"value": float(row[key]), "namespace": QUAKEML_NAMESPACE}
                               for key in _EXTRA if np.isfinite(row[key])})
        has_position = all(np.isfinite(row[c]) for c in ("x", "y", "z"))
        origin = None
        if pd.notna(row["time"]) and has_position:
            lat, lon, h = grid.to_geographic(np.array([row["x"], row["y"], row["z"]]))
            origin = Origin(time=UTCDateTime(row["time"].timestamp()), latitude=float(lat),
                            longitude=float(lon), depth=float(-h),
                            evaluation_mode=row["evaluation"] or None)
            ev.origins.append(origin)
            ev.preferred_origin_id = origin.resource_id
        for kind, name in (("ml", "ML"), ("mw", "Mw")):
            if np.isfinite(row[kind]):
                ev.magnitudes.append(Magnitude(mag=float(row[kind]), magnitude_type=name,
                                               origin_id=origin.resource_id if origin else None))
        if np.isfinite(row["moment"]):
            fm = FocalMechanism(moment_tensor=MomentTensor(scalar_moment=float(row["moment"])))
            ev.focal_mechanisms.append(fm)
            ev.preferred_focal_mechanism_id = fm.resource_id
        for p in (by_event.get(event_id, pd.DataFrame()).to_dict("records")):
            unc = p.get("uncertainty", np.nan)
            pick = Pick(time=UTCDateTime(float(p["time"])), phase_hint=str(p["phase"]),
                        waveform_id=WaveformStreamID(str(p.get("network", "") or ""),
                                                     str(p["station"]),
                                                     str(p.get("location", "") or ""),
                                                     str(p.get("channel", "") or "")),
                        time_errors=QuantityError(uncertainty=float(unc))
                        if np.isfinite(unc) else QuantityError())
            ev.picks.append(pick)
            if origin is not None:
                origin.arrivals.append(Arrival(pick_id=pick.resource_id, phase=str(p["phase"])))
        events.append(ev)
    Catalog(events=events).write(str(path), format="QUAKEML",
                                 nsmap={"aurum": QUAKEML_NAMESPACE})


Classifier = Callable[[pd.DataFrame], pd.Series]
"""The classification hook: a catalogue frame in, one of :data:`EVENT_TYPES` per row out."""


@dataclass(frozen=True)
class BlastTimeClassifier:
    """Blasts are the events within minutes of the mine's scheduled firing times.

    Parameters
    ----------
    firing_times : tuple of str
        Daily firing times, ``HH:MM``, in the catalogue's time zone (UTC).
    window_min : float
        Half-width of the window around each firing time, minutes.
    """

    firing_times: tuple[str, ...]
    window_min: float = 15.0

    def __call__(self, catalogue: pd.DataFrame) -> pd.Series:
        """``blast`` inside a firing window, ``event`` outside."""
        t = pd.to_datetime(catalogue["time"], utc=True)
        minutes = np.array(t.dt.hour * 60 + t.dt.minute + t.dt.second / 60.0, dtype=float)
        near = np.zeros(len(catalogue), dtype=bool)
        for hhmm in self.firing_times:
            hours, mins = (int(v) for v in hhmm.split(":"))
            delta = np.abs(minutes - (hours * 60 + mins))
            near |= np.minimum(delta, 1440.0 - delta) <= self.window_min
        return pd.Series(np.where(near, "blast", "event"), index=catalogue.index)


def classify(catalogue: pd.DataFrame, classifier: Classifier) -> pd.DataFrame:
    """The catalogue with ``event_type`` set by a classifier.

    Parameters
    ----------
    catalogue : pandas.DataFrame
        Catalogue frame.
    classifier : callable
        Frame in, a series of :data:`EVENT_TYPES` (same index) out — a rule such as
        :class:`BlastTimeClassifier`, or a trained model wrapped in a function.

    Returns
    -------
    pandas.DataFrame
        A copy with the new ``event_type``.

    Raises
    ------
    ValidationError
        The classifier returned another length or an unknown label.
    """
    labels = pd.Series(classifier(catalogue))
    if len(labels) != len(catalogue):
        raise ValidationError(Problem(_("the classifier returned %(labels)s labels for "
                                        "%(events)s events", labels=len(labels),
                                        events=len(catalogue)), column="event_type"))
    unknown = sorted(set(labels) - set(EVENT_TYPES))
    if unknown:
        raise ValidationError(Problem(_("the classifier returned unknown event types "
                                        "%(unknown)s; expected %(known)s", unknown=unknown,
                                        known=list(EVENT_TYPES)), column="event_type"))
    return catalogue.assign(event_type=labels.to_numpy())
