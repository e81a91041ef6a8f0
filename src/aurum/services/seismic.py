"""Microseismic monitoring of a site: the stored catalogue, its import, review, statistics
and hazard alerts.

- Import: a QuakeML file (events and picks) or IMS catalogue months (Parquet) into the site's
  catalogue in one transaction; an event already stored (same resource id) is skipped, so a
  file imported twice is stored once. Events are inserted in bulk with one audit record for
  the import (the ORM hook would write one record per event).
- Review: accept, reject, change the type, relocate from edited picks — ORM writes, each
  audited by the session hook.
- Statistics: Mc, b-value (Shi & Bolt error), a-value, moving-window b and rate, cumulative
  apparent volume and energy-index trend of the events (blasts and rejected events left
  out), by :mod:`aurum.seismic.stats`.
- Hazard: the rules of :mod:`aurum.seismic.hazard` are evaluated after an import; the
  alerts due to the new events go to the shared ``alerts`` table through
  :func:`aurum.services.safety.raise_alert` (source ``seismic``).

Roles: a site's enterprise (and an admin) writes; whoever may read the site reads.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from aurum.core import i18n
from aurum.core.errors import NotFoundError, Problem, ValidationError
from aurum.core.i18n import _
from aurum.seismic import catalog, stats
from aurum.seismic.hazard import HazardRule, evaluate
from aurum.seismic.inventory import Inventory, LocalGrid, Station
from aurum.seismic.source import energy_index, fit_energy_moment
from aurum.services import cache, safety
from aurum.services.auth import Actor
from aurum.services.registry import get_site, get_writable_site
from aurum.services.safety import sensors
from aurum.store import audit
from aurum.store.models import (
    SeismicCatalogue,
    SeismicEvent,
    SeismicPick,
    SeismicStation,
    Site,
    utcnow,
)

STATUSES = ("automatic", "reviewed", "rejected")
REVIEW_ACTIONS = ("accept", "reject", "type")
EVENT_COLUMNS = ["id", "resource_id", "time", "x", "y", "z", "ml", "mw", "moment", "energy",
                 "apparent_stress", "apparent_volume", "corner_frequency", "energy_index",
                 "n_stations", "status", "event_type", "source"]
"""Columns of an events table: positions in m, moment N·m, energy J, apparent stress Pa,
apparent volume m³, corner frequency Hz."""
_NUMERIC = ["x", "y", "z", "ml", "mw", "moment", "energy", "apparent_stress",
            "apparent_volume", "corner_frequency"]
_INSERT_CHUNK = 2_000

DEFAULT_RULES = (
    HazardRule("b-low", "b_value_below", 0.8, "warning", n_events=200),
    HazardRule("mw-high", "magnitude_above", 2.0, "alarm"),
    HazardRule("ei-rise", "energy_index_rise", 0.3, "warning", n_events=200),
)
"""Rules evaluated after every import when the caller gives none."""
ALERT_LEVELS = {"info": 1, "warning": 2, "alarm": 4}
"""Alert level (1 blue .. 4 red) of a hazard rule's severity."""


@dataclass(frozen=True)
class ImportResult:
    """What an import stored: events new and skipped (already stored), picks, alerts."""

    site: str
    source: str
    events_read: int
    events_added: int
    events_skipped: int
    picks_added: int
    alerts: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dict(self.__dict__)


def _catalogue_row(session: Session, site: Site) -> SeismicCatalogue:
    row = session.scalar(select(SeismicCatalogue).where(SeismicCatalogue.site_id == site.id))
    if row is None:
        row = SeismicCatalogue(site_id=site.id)
        session.add(row)
        session.flush()
    return row


def grid_of(session: Session, site: Site) -> LocalGrid:
    """The site's mine grid: its catalogue's origin, else the site's own coordinates
    (degrees) at height 0 m."""
    row = session.scalar(select(SeismicCatalogue).where(SeismicCatalogue.site_id == site.id))
    if row is not None and row.grid_latitude is not None and row.grid_longitude is not None:
        return LocalGrid(row.grid_latitude, row.grid_longitude, row.grid_elevation_m or 0.0)
    return LocalGrid(site.lat or 0.0, site.lon or 0.0, 0.0)


def configure(session: Session, actor: Actor, site_code: str, *,
              grid: LocalGrid | None = None, vp_m_s: float | None = None,
              vs_m_s: float | None = None) -> SeismicCatalogue:
    """Set the catalogue's grid origin and relocation velocities.

    Parameters
    ----------
    grid : LocalGrid, optional
        Origin of the mine grid (degrees, m).
    vp_m_s, vs_m_s : float, optional
        P and S velocities of the homogeneous relocation model, m/s.
    """
    site = get_writable_site(session, actor, site_code)
    row = _catalogue_row(session, site)
    if vp_m_s is not None or vs_m_s is not None:
        vp = vp_m_s if vp_m_s is not None else row.vp_m_s
        vs = vs_m_s if vs_m_s is not None else row.vs_m_s
        if vp is None or vs is None or not 0 < vs < vp:
            raise ValidationError(Problem(_("velocities must satisfy 0 < Vs < Vp (m/s), got "
                                            "Vp %(vp)s, Vs %(vs)s", vp=vp, vs=vs),
                                          column="vp_m_s"))
        row.vp_m_s, row.vs_m_s = float(vp), float(vs)
    if grid is not None:
        row.grid_latitude, row.grid_longitude = grid.latitude, grid.longitude
        row.grid_elevation_m = grid.elevation
    return row


def set_stations(session: Session, actor: Actor, site_code: str, inventory: Inventory
                 ) -> int:
    """Store the stations of an inventory (mine grid, m) for a site, replacing those of the
    same code; the inventory's grid becomes the catalogue's when it has one. Returns the
    number of stations."""
    site = get_writable_site(session, actor, site_code)
    if inventory.grid is not None:
        configure(session, actor, site_code, grid=inventory.grid)
    else:
        _catalogue_row(session, site)
    stored = {s.code: s for s in session.scalars(
        select(SeismicStation).where(SeismicStation.site_id == site.id))}
    for st in inventory.stations:
        row = stored.get(st.code) or SeismicStation(site_id=site.id, code=st.code)
        row.network, row.x, row.y, row.z = st.network, st.x, st.y, st.z
        session.add(row)
    session.flush()
    return len(inventory.stations)


def stations_frame(session: Session, actor: Actor, site_code: str) -> pd.DataFrame:
    """The site's stations: ``station, network, x, y, z`` (m)."""
    site = get_site(session, actor, site_code)
    rows = session.execute(select(SeismicStation.code, SeismicStation.network, SeismicStation.x,
                                  SeismicStation.y, SeismicStation.z)
                           .where(SeismicStation.site_id == site.id)
                           .order_by(SeismicStation.code)).all()
    return pd.DataFrame(rows, columns=["station", "network", "x", "y", "z"])


def _ims_resource_ids(frame: pd.DataFrame) -> list[str]:
    """Stable ids of IMS events (the file has none): origin time to the microsecond and
    position to the metre; no ``/`` so that the QuakeML round trip keeps them."""
    times = pd.to_datetime(frame["time"], utc=True).dt.strftime("%Y%m%dT%H%M%S%f")
    xyz = np.nan_to_num(frame[["x", "y", "z"]].to_numpy(float)).round().astype(np.int64)
    return [f"ims-{t}-{x}_{y}_{z}" for t, (x, y, z) in zip(times, xyz, strict=True)]


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and not np.isfinite(value)) \
        else value


def _import_frames(session: Session, actor: Actor, site_code: str, events: pd.DataFrame,
                   picks: pd.DataFrame, source: str,
                   rules: Sequence[HazardRule] | None) -> ImportResult:
    site = get_writable_site(session, actor, site_code)
    _catalogue_row(session, site)
    events = events[events["time"].notna()].drop_duplicates("event")
    stored = set(session.scalars(select(SeismicEvent.resource_id)
                                 .where(SeismicEvent.site_id == site.id)))
    new = events[~events["event"].isin(stored)]
    if len(new):
        fit_frame = pd.concat([_stored_frame(session, site)[["energy", "moment"]],
                               new[["energy", "moment"]]]).dropna()
        fit_frame = fit_frame[(fit_frame["energy"] > 0) & (fit_frame["moment"] > 0)]
        ei = np.full(len(new), np.nan)
        if len(fit_frame) >= 2:
            fit = fit_energy_moment(np.array(fit_frame["energy"]), np.array(fit_frame["moment"]))
            with np.errstate(invalid="ignore", divide="ignore"):
                ei = np.asarray(energy_index(np.array(new["energy"], float),
                                             np.array(new["moment"], float), fit), float)
        status = np.where(new["evaluation"] == "manual", "reviewed", "automatic")
        rows = [{"site_id": site.id, "resource_id": str(r["event"]),
                 "time": r["time"].to_pydatetime(),
                 **{c: _none(float(r[c])) for c in _NUMERIC},
                 "energy_index": _none(float(e)),
                 "n_stations": None if not np.isfinite(r["n_stations"]) else int(r["n_stations"]),
                 "status": s, "event_type": str(r["event_type"]), "source": source,
                 "created_at": utcnow()}
                for r, e, s in zip(new.to_dict("records"), ei, status, strict=True)]
        for start in range(0, len(rows), _INSERT_CHUNK):
            session.execute(insert(SeismicEvent), rows[start:start + _INSERT_CHUNK])
    ids = dict(session.execute(select(SeismicEvent.resource_id, SeismicEvent.id).where(
        SeismicEvent.site_id == site.id, SeismicEvent.resource_id.in_(list(new["event"])))
    ).all()) if len(new) else {}
    new_picks = picks[picks["event"].isin(list(ids))] if len(picks) else picks
    if len(new_picks):
        session.execute(insert(SeismicPick), [
            {"event_id": ids[str(p["event"])], "station": str(p["station"]),
             "phase": str(p["phase"]), "time": float(p["time"]),
             "weight": float(p["weight"]) if np.isfinite(p["weight"]) else 1.0}
            for p in new_picks.to_dict("records")])
    audit.record(session, "import", "seismic_events", site.code, None,
                 {"source": source, "events_read": len(events), "events_added": len(new),
                  "picks_added": len(new_picks)})
    alerts: list[dict[str, Any]] = []
    if len(new):
        alerts = _raise_alerts(session, actor, site, new["time"].min(),
                               DEFAULT_RULES if rules is None else rules)
    return ImportResult(site.code, source, len(events), len(new), len(events) - len(new),
                        len(new_picks), alerts)


def _raise_alerts(session: Session, actor: Actor, site: Site, since: pd.Timestamp,
                  rules: Sequence[HazardRule]) -> list[dict[str, Any]]:
    """Alerts of the rules over the stored catalogue, from the first new event on."""
    frame = _stored_frame(session, site)
    frame = _catalogue(frame[frame["status"] != "rejected"])
    n_energy = int(((frame["energy"] > 0) & (frame["moment"] > 0)).sum())
    # A rule whose quantity the catalogue lacks (QuakeML without energies) has nothing to judge.
    usable = [r for r in rules if (n_energy >= 2 if r.kind == "energy_index_rise"
                                   else frame[r.magnitude].notna().any())]
    # Stored and sent once for every reader: in the platform's language, not the importer's.
    with i18n.using(i18n.default_locale()):
        found = evaluate(frame, usable)
    found = found[pd.to_datetime(found["time"], utc=True) >= since]
    raised = []
    for a in found.to_dict("records"):
        alert = sensors.raise_alert(session, actor, site.code, source="seismic",
                                    rule=str(a["rule_id"])[:32], level=ALERT_LEVELS[a["severity"]],
                                    time=pd.Timestamp(a["time"]).to_pydatetime(),
                                    message=str(a["message"]), value=_none(float(a["value"])))
        if alert is not None:
            raised.append(alert)
    return raised


def import_quakeml(session: Session, actor: Actor, site_code: str,
                   paths: Sequence[Path] | Path, source: str | None = None,
                   rules: Sequence[HazardRule] | None = None) -> ImportResult:
    """Import QuakeML events and their picks into a site's catalogue.

    Parameters
    ----------
    paths : Path or sequence of Path
        QuakeML files.
    source : str, optional
        Name recorded with the events (default: the file names).
    rules : sequence of HazardRule, optional
        Hazard rules evaluated afterwards (default :data:`DEFAULT_RULES`).
    """
    files = [paths] if isinstance(paths, Path) else list(paths)
    site = get_writable_site(session, actor, site_code)
    events, picks = catalog.read_quakeml(files, grid_of(session, site))
    return _import_frames(session, actor, site_code, events, picks,
                          source or ", ".join(f.name for f in files)[:200], rules)


def import_ims(session: Session, actor: Actor, site_code: str,
               paths: Sequence[Path] | Path, source: str | None = None,
               sample: int | None = None, seed: int = 0,
               rules: Sequence[HazardRule] | None = None) -> ImportResult:
    """Import IMS catalogue months (Parquet) into a site's catalogue.

    Parameters
    ----------
    paths : Path or sequence of Path
        Parquet files, or a directory of them.
    source : str, optional
        Name recorded with the events (default: the file names).
    sample : int, optional
        Keep this many events drawn at random (count; the demo's short seed).
    seed : int
        Seed of the draw.
    rules : sequence of HazardRule, optional
        Hazard rules evaluated afterwards (default :data:`DEFAULT_RULES`).
    """
    frame = catalog.read_ims_catalogue(paths)
    if sample is not None and sample < len(frame):
        frame = frame.sample(sample, random_state=seed).sort_values("time", kind="stable")
    frame = frame.assign(event=_ims_resource_ids(frame))
    files = [paths] if isinstance(paths, Path) else list(paths)
    return _import_frames(session, actor, site_code, frame,
                          pd.DataFrame(columns=["event", "station", "phase", "time", "weight"]),
                          source or ", ".join(Path(f).name for f in files)[:200], rules)


def import_upload(session: Session, actor: Actor, site_code: str, filename: str, data: bytes,
                  rules: Sequence[HazardRule] | None = None) -> ImportResult:
    """Import an uploaded file: QuakeML (``.xml``, ``.qml``, ``.quakeml``) or an IMS month
    (``.parquet``), chosen by its extension."""
    # The scope first: a file refused for its kind would tell the caller the site exists.
    get_writable_site(session, actor, site_code)
    suffix = Path(filename).suffix.lower()
    if suffix not in (".xml", ".qml", ".quakeml", ".parquet"):
        raise ValidationError(Problem(_("expected a QuakeML (.xml, .qml) or IMS Parquet file, "
                                        "got %(name)r", name=filename), source=filename))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(filename).name
        path.write_bytes(data)
        if suffix == ".parquet":
            return import_ims(session, actor, site_code, path, filename, rules=rules)
        return import_quakeml(session, actor, site_code, path, filename, rules)


def _stored_frame(session: Session, site: Site, start: datetime | None = None,
                  end: datetime | None = None, status: str | None = None) -> pd.DataFrame:
    stmt = select(*(getattr(SeismicEvent, c) for c in EVENT_COLUMNS)).where(
        SeismicEvent.site_id == site.id).order_by(SeismicEvent.time, SeismicEvent.id)
    if start is not None:
        stmt = stmt.where(SeismicEvent.time >= start)
    if end is not None:
        stmt = stmt.where(SeismicEvent.time < end)
    if status is not None:
        stmt = stmt.where(SeismicEvent.status == status)
    frame = pd.DataFrame(session.execute(stmt).all(), columns=EVENT_COLUMNS)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    for column in [*_NUMERIC, "energy_index", "n_stations"]:
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    return frame


def events_frame(session: Session, actor: Actor, site_code: str, *,
                 start: datetime | None = None, end: datetime | None = None,
                 status: str | None = None) -> pd.DataFrame:
    """The events of a site's catalogue in time order (:data:`EVENT_COLUMNS`).

    Parameters
    ----------
    start, end : datetime, optional
        Origin times from ``start`` (inclusive) to ``end`` (exclusive), UTC.
    status : str, optional
        Only events of this status (:data:`STATUSES`).
    """
    site = get_site(session, actor, site_code)
    if status is not None and status not in STATUSES:
        raise ValidationError(Problem(_("status must be one of %(known)s, got %(status)r",
                                        known=STATUSES, status=status), column="status"))
    return _stored_frame(session, site, start, end, status)


def _catalogue(frame: pd.DataFrame) -> pd.DataFrame:
    """The catalogue frame of :mod:`aurum.seismic.catalog` from stored events."""
    return catalog.catalogue_frame(frame.rename(columns={"resource_id": "event"})
                                   .assign(evaluation=np.where(frame["status"] == "automatic",
                                                               "automatic", "manual")))


def picks_frame(session: Session, actor: Actor, site_code: str) -> pd.DataFrame:
    """The picks of a site's events: ``event`` (resource id), ``station, phase, time`` (POSIX
    s), ``weight``."""
    site = get_site(session, actor, site_code)
    rows = session.execute(select(SeismicEvent.resource_id, SeismicPick.station,
                                  SeismicPick.phase, SeismicPick.time, SeismicPick.weight)
                           .join(SeismicEvent, SeismicPick.event_id == SeismicEvent.id)
                           .where(SeismicEvent.site_id == site.id)
                           .order_by(SeismicPick.id)).all()
    return pd.DataFrame(rows, columns=["event", "station", "phase", "time", "weight"])


def export_quakeml(session: Session, actor: Actor, site_code: str, path: Path) -> int:
    """Write the site's catalogue (rejected events left out) and picks as QuakeML. Returns
    the number of events written."""
    site = get_site(session, actor, site_code)
    frame = _stored_frame(session, site)
    frame = frame[frame["status"] != "rejected"]
    picks = picks_frame(session, actor, site_code)
    catalog.write_quakeml(_catalogue(frame), path, grid_of(session, site),
                          picks[picks["event"].isin(list(frame["resource_id"]))])
    return len(frame)


def _event(session: Session, actor: Actor, site_code: str, event_id: int
           ) -> tuple[Site, SeismicEvent]:
    site = get_writable_site(session, actor, site_code)
    event = session.get(SeismicEvent, event_id)
    if event is None or event.site_id != site.id:
        raise NotFoundError(_("no seismic event %(event)s at %(site)s", event=event_id,
                              site=site_code))
    return site, event


def review(session: Session, actor: Actor, site_code: str, event_id: int, action: str,
           event_type: str | None = None) -> SeismicEvent:
    """Review an event: ``accept`` (status reviewed), ``reject`` (status rejected: left out
    of statistics and exports), ``type`` (set ``event_type``, one of
    :data:`aurum.seismic.catalog.EVENT_TYPES`, and mark it reviewed)."""
    _site, event = _event(session, actor, site_code, event_id)
    if action not in REVIEW_ACTIONS:
        raise ValidationError(Problem(_("action must be one of %(known)s, got %(action)r",
                                        known=REVIEW_ACTIONS, action=action), column="action"))
    if action == "type":
        if event_type not in catalog.EVENT_TYPES:
            raise ValidationError(Problem(_("event type must be one of %(known)s, got "
                                            "%(type)r", known=catalog.EVENT_TYPES,
                                            type=event_type), column="event_type"))
        event.event_type = event_type
    event.status = "rejected" if action == "reject" else "reviewed"
    event.reviewed_by = actor.user_id or None
    event.reviewed_at = utcnow()
    session.flush()
    return event


def relocate(session: Session, actor: Actor, site_code: str, event_id: int,
             picks: pd.DataFrame | Sequence[Mapping[str, Any]]) -> SeismicEvent:
    """Replace an event's picks with edited ones and relocate it (homogeneous model of the
    catalogue's velocities, the site's stations) with :class:`aurum.seismic.locate.Locator`.

    Parameters
    ----------
    picks : pandas.DataFrame or sequence of mappings
        ``station, phase`` (P/S), ``time`` (POSIX s) and optionally ``weight`` (0-1), a row
        per pick.

    Raises
    ------
    ValidationError
        No velocities or stations set, or picks the locator refuses (too few stations,
        unknown station, bad time).
    """
    from aurum.seismic.locate import Locator
    from aurum.seismic.velocity import HomogeneousModel

    site, event = _event(session, actor, site_code, event_id)
    row = _catalogue_row(session, site)
    if row.vp_m_s is None or row.vs_m_s is None:
        raise ValidationError(Problem(_("set the relocation velocities of %(site)s first "
                                        "(Vp, Vs in m/s)", site=site.code), column="vp_m_s"))
    stations = session.scalars(select(SeismicStation).where(SeismicStation.site_id == site.id)
                               .order_by(SeismicStation.code)).all()
    if not stations:
        raise ValidationError(Problem(_("no station stored for %(site)s", site=site.code),
                                      column="station"))
    frame = pd.DataFrame(picks).copy()
    missing = [c for c in ("station", "phase", "time") if c not in frame.columns]
    if missing:
        raise ValidationError([Problem(_("missing pick column"), column=c) for c in missing])
    if "weight" not in frame.columns:
        frame["weight"] = 1.0
    frame["event"] = event.resource_id
    frame["phase"] = frame["phase"].astype(str).str.upper()
    frame["time"] = pd.to_numeric(frame["time"], errors="coerce")
    frame["weight"] = pd.to_numeric(frame["weight"], errors="coerce").fillna(1.0)
    inventory = Inventory(tuple(Station(s.code, s.x, s.y, s.z, s.network) for s in stations))
    locator = Locator(inventory, HomogeneousModel(row.vp_m_s, row.vs_m_s))
    result = locator.locate_all(frame, source="edited picks")
    if result.events.empty:
        raise ValidationError(result.problems
                              or [Problem(_("the picks do not locate the event"))])
    located = result.events.iloc[0]
    event.x, event.y, event.z = float(located["x"]), float(located["y"]), float(located["z"])
    event.time = datetime.fromtimestamp(float(located["t0"]), UTC)
    event.status = "reviewed"
    event.reviewed_by = actor.user_id or None
    event.reviewed_at = utcnow()
    session.execute(delete(SeismicPick).where(SeismicPick.event_id == event.id))
    session.add_all(SeismicPick(event_id=event.id, station=str(p["station"]),
                                phase=str(p["phase"]), time=float(p["time"]),
                                weight=float(p["weight"]))
                    for p in frame.to_dict("records"))
    session.flush()
    return event


@dataclass(frozen=True)
class CatalogueStatistics:
    """Statistics of a site's catalogue over a period (events only: no blast, no rejected).

    ``b`` holds ``b, b_std, mc, n, a`` (None when too few events); ``moving`` the moving-window
    b-value (``time, start, b, b_std, n, rate_per_day``); ``apparent_volume`` the cumulative
    apparent volume (m³) in time; ``energy_index`` ``time, energy_index, log_ei_mean``;
    ``magnitudes`` the magnitudes used.
    """

    site: str
    magnitude: str
    delta_m: float
    n_events: int
    b: dict[str, float | int] | None
    moving: pd.DataFrame
    apparent_volume: pd.Series
    energy_index: pd.DataFrame
    magnitudes: np.ndarray

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (times ISO, NaN as None)."""
        def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
            out = frame.copy()
            for c in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[c]):
                    out[c] = out[c].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            return [{str(k): _none(v) for k, v in r.items()} for r in out.to_dict("records")]

        volume = self.apparent_volume.reset_index()
        volume.columns = ["time", "cumulative_apparent_volume"]
        return {"site": self.site, "magnitude": self.magnitude, "delta_m": self.delta_m,
                "n_events": self.n_events, "b_value": self.b, "moving": rows(self.moving),
                "cumulative_apparent_volume": rows(volume),
                "energy_index": rows(self.energy_index)}


def statistics(session: Session, actor: Actor, site_code: str, *,
               start: datetime | None = None, end: datetime | None = None,
               magnitude: str = "mw", delta_m: float = 0.1, mc: float | None = None,
               window_events: int = 200) -> CatalogueStatistics:
    """Frequency–magnitude statistics and trends of a site's catalogue.

    Parameters
    ----------
    start, end : datetime, optional
        Period of origin times (UTC), end exclusive.
    magnitude : {"mw", "ml"}
        Magnitude column.
    delta_m : float
        Magnitude bin width.
    mc : float, optional
        Magnitude of completeness (default: maximum curvature + 0.2).
    window_events : int
        Events per moving window (count).
    """
    if magnitude not in ("mw", "ml"):
        raise ValidationError(Problem(_("magnitude must be 'mw' or 'ml', got %(magnitude)r",
                                        magnitude=magnitude),
                                      column="magnitude"))
    if window_events < 2 or delta_m <= 0:
        raise ValidationError(Problem(_("window_events must be ≥ 2 and delta_m > 0"),
                                      column="window_events"))
    site = get_site(session, actor, site_code)
    frame = _stored_frame(session, site, start, end)
    frame = frame[(frame["status"] != "rejected") & (frame["event_type"] != "blast")]
    mags = np.array(frame[magnitude], float)
    mags = mags[np.isfinite(mags)]
    fit: dict[str, float | int] | None = None
    moving = pd.DataFrame(columns=["time", "start", "b", "b_std", "n", "rate_per_day"])
    if mags.size >= 2:
        mc_value = mc if mc is not None else stats.mc_maximum_curvature(mags, delta_m)
        try:
            fit = stats.b_value(mags, mc_value, delta_m).as_dict()
        except ValidationError:
            fit = None
        moving = stats.moving_b_value(frame[frame[magnitude].notna()], magnitude, mc_value,
                                      delta_m, window_events)
    energy = frame[["time", "energy", "moment"]].dropna()
    energy = energy[(energy["energy"] > 0) & (energy["moment"] > 0)]
    ei = (stats.energy_index_trend(energy, window_events) if len(energy) >= 2
          else pd.DataFrame(columns=["time", "energy_index", "log_ei_mean"]))
    return CatalogueStatistics(site.code, magnitude, delta_m, len(frame), fit, moving,
                               stats.cumulative_apparent_volume(frame), ei, mags)


def catalogue_sites(session: Session, actor: Actor) -> pd.DataFrame:
    """Sites the actor may read that have a seismic catalogue: ``site, name, events,
    first, last`` (UTC), ``max_mw``."""
    stmt = (select(Site.code, Site.name, func.count(SeismicEvent.id),
                   func.min(SeismicEvent.time), func.max(SeismicEvent.time),
                   func.max(SeismicEvent.mw))
            .join(SeismicCatalogue, SeismicCatalogue.site_id == Site.id)
            .outerjoin(SeismicEvent, SeismicEvent.site_id == Site.id)
            .group_by(Site.code, Site.name).order_by(Site.code))
    stmt = actor.where_visible(stmt)
    frame = pd.DataFrame(session.execute(stmt).all(),
                         columns=["site", "name", "events", "first", "last", "max_mw"])
    for column in ("first", "last"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


LATEST_EVENTS = 50
"""Events the site page lists, newest first (count)."""
STRESS_KINDS = ("pressure_cell", "stress")
"""Sensor kinds the ground-stress page charts (borehole pressure cells, stress meters)."""
MAX_STRESS_CHARTS = 12
"""Stress sensors charted on the ground-stress page, at most (count)."""


@dataclass(frozen=True)
class CatalogueView:
    """A site's catalogue as its page shows it, computed once per catalogue version.

    Attributes
    ----------
    events : pandas.DataFrame
        Every event (:data:`EVENT_COLUMNS`), rejected ones included, in time order.
    shown : pandas.DataFrame
        The events that are not rejected.
    latest : pandas.DataFrame
        The :data:`LATEST_EVENTS` newest events.
    statistics : CatalogueStatistics
        The catalogue's statistics for the page's magnitude and window.
    """

    events: pd.DataFrame
    shown: pd.DataFrame
    latest: pd.DataFrame
    statistics: CatalogueStatistics

    @property
    def n_rejected(self) -> int:
        """Events rejected on review (count)."""
        return len(self.events) - len(self.shown)


@dataclass(frozen=True)
class SeismicSiteView:
    """The seismic page of a site: its catalogue, stations, seismic alerts and how many
    ground-stress sensors it has."""

    site: Site
    catalogue: CatalogueView
    stations: pd.DataFrame
    alerts: pd.DataFrame
    n_stress: int


def catalogue_version(session: Session, site: Site) -> tuple[Any, ...]:
    """The version of a site's catalogue: its event count, newest event id and latest review
    (a review or relocation changes no count but sets ``reviewed_at``)."""
    return tuple(session.execute(
        select(func.count(SeismicEvent.id), func.max(SeismicEvent.id),
               func.max(SeismicEvent.reviewed_at))
        .where(SeismicEvent.site_id == site.id)).one())


def site_view(session: Session, actor: Actor, site_code: str, *, magnitude: str = "mw",
              window_events: int = 200) -> SeismicSiteView:
    """The seismic page of a site. The catalogue and its statistics are computed once per
    :func:`catalogue_version`, magnitude and window, then kept (:mod:`aurum.services.cache`).

    Parameters
    ----------
    magnitude : {"mw", "ml"}
        Magnitude column of the statistics.
    window_events : int
        Events per moving window (count).
    """
    site = get_site(session, actor, site_code)
    key = ("seismic-site", cache.database_of(session), site.id, magnitude, window_events,
           catalogue_version(session, site))
    catalogue = cache.cached(key, lambda: _catalogue_view(session, actor, site, magnitude,
                                                          window_events))
    alerts = safety.list_alerts(session, actor, site=site.code)
    return SeismicSiteView(site, catalogue, stations_frame(session, actor, site.code),
                           alerts[alerts["source"] == "seismic"],
                           len(stress_sensors(session, actor, site.code)))


def _catalogue_view(session: Session, actor: Actor, site: Site, magnitude: str,
                    window_events: int) -> CatalogueView:
    result = statistics(session, actor, site.code, magnitude=magnitude,
                        window_events=window_events)
    frame = _stored_frame(session, site)
    return CatalogueView(frame, frame[frame["status"] != "rejected"],
                         frame.sort_values("time", ascending=False).head(LATEST_EVENTS),
                         result)


def stress_sensors(session: Session, actor: Actor, site_code: str) -> pd.DataFrame:
    """The site's sensors of a :data:`STRESS_KINDS` kind."""
    table = sensors.list_sensors(session, actor, site_code)
    return table[table["kind"].isin(STRESS_KINDS)]


@dataclass(frozen=True)
class StressSeries:
    """One stress sensor's readings (``time`` UTC, ``point``, ``quantity`` in ``unit``) and
    its threshold levels (level → value in ``unit``)."""

    code: str
    unit: str
    readings: pd.DataFrame
    levels: dict[str, float]


@dataclass(frozen=True)
class StressView:
    """The ground-stress page of a site: its stress sensors, the readings of the first
    :data:`MAX_STRESS_CHARTS`, and its sensor alerts."""

    site: Site
    sensors: pd.DataFrame
    series: list[StressSeries]
    alerts: pd.DataFrame


def stress_view(session: Session, actor: Actor, site_code: str) -> StressView:
    """The ground-stress page of a site (:class:`StressView`); its sensors and their series
    are kept per data version (:func:`aurum.services.cache.scope_key`)."""
    site = get_site(session, actor, site_code)

    def compute() -> tuple[pd.DataFrame, list[StressSeries]]:
        stress = stress_sensors(session, actor, site.code)
        series = []
        shown = stress.head(MAX_STRESS_CHARTS)
        for code, unit in zip(shown["code"], shown["unit"], strict=True):
            sensor = sensors.get_sensor(session, actor, site.code, code)
            levels = {level: float(value) for rule in sensor.rules or []
                      if rule["kind"] == "threshold" for level, value in rule["levels"].items()}
            readings = sensors.sensor_readings(session, actor, site.code, code)
            series.append(StressSeries(code, unit, pd.DataFrame(
                {"time": readings["time"], "point": code, "quantity": readings["value"]}),
                levels))
        return stress, series

    stress, series = cache.cached(cache.scope_key(session, actor, "stress", site.code), compute)
    alerts = safety.list_alerts(session, actor, site=site.code)
    return StressView(site, stress, series, alerts[alerts["source"] == "sensor"])
