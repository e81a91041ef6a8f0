"""The public seismic data beside the repository, when it is there: an Elk Creek IMS month
and pressure-cell workbook, and a coal-mine node array's events and stations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from aurum.demo.seed.registry import operating_sites
from aurum.safety.sensors import read_pressure_cells
from aurum.seismic.inventory import read_stationxml
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.services.safety import SensorSpec, ingest, register_sensor
from aurum.services.seismic import configure, import_ims, import_quakeml, set_stations
from aurum.store.db import transaction

DEMO_DATA = Path("..") / "shared" / "data" / "seismic"
"""The public seismic data beside the repository (read in place, never copied)."""
DEMO_IMS_EVENTS = 3_000
"""IMS events the demo samples from one Elk Creek month (keeps the seed to a few seconds)."""


def _pressure_cells(session: Session, admin: Actor, site: str, path: Path) -> int:
    """Register the cells of an Elk Creek pressure-cell workbook on a site, each with its
    alarm rules as data, and ingest its readings; the number of alerts raised."""
    book = read_pressure_cells(path, site=site)
    for cell, unit, depth, set_mpa in zip(
            book.sensors["sensor"], book.sensors["unit"],
            book.sensors["depth_m"].to_numpy(dtype=float),
            book.sensors["set_pressure_mpa"].to_numpy(dtype=float), strict=True):
        # Levels above each cell's set pressure (installation, 9-12 MPa), as a rise of
        # abutment load: in the inby workbook the shallow SP and NP cells reach +7 to +29 MPa
        # as the longwall comes (yellow to red), the deep BP cells stay below +2 MPa. The rate
        # levels (MPa/h over 6 h) mark the steepest loading, 0.1-0.3 MPa/h at those cells, so
        # a rate alert (yellow) comes before the pressure ones (orange, red at NP2 and SP1).
        rules: list[dict[str, Any]] = [
            {"kind": "threshold", "levels": {"yellow": round(set_mpa + 5.0, 2),
                                             "orange": round(set_mpa + 10.0, 2),
                                             "red": round(set_mpa + 20.0, 2)}},
            {"kind": "rate", "window_h": 6, "per_h": 1,
             "levels": {"yellow": 0.1, "orange": 0.25, "red": 0.5}}]
        register_sensor(session, admin, SensorSpec(
            site, f"{path.stem}.{cell}", "pressure_cell", unit,
            depth_m=None if np.isnan(depth) else float(depth), rules=rules))
    readings = pd.DataFrame({"sensor": path.stem + "." + book.readings["sensor"],
                             "time": book.readings["time"],
                             "value": book.readings["value"]})
    result = ingest(session, admin, site, readings, source=book.source)
    return len(result.alerts)


def seed_demo(platform: Platform, admin: Actor, source: Path = DEMO_DATA) -> dict[str, int]:
    """When the public data lies beside the repository: one Elk Creek IMS month (sampled)
    and the cells of the first Elk Creek pressure-cell workbook (with threshold and rate
    rules) on the first operating underground mine, and the coal-mine node array's
    QuakeML events with its stations (StationXML) into the second one's. Nothing when the
    data is absent.

    Parameters
    ----------
    platform : Platform
        Migrated database with the demo registry.
    admin : Actor
        The administrator who imports.
    source : Path
        Folder of the seismic data.

    Returns
    -------
    dict
        ``events`` imported and ``alerts`` raised (counts).
    """
    month = source / "elkcreek" / "ims_events" / "2010-12_ims.parquet"
    cells = sorted((source / "elkcreek" / "pressure_cells").glob("*.xlsx"))[:1]
    node = source / "coal_node"
    events = alerts = 0
    with transaction(platform.sessions, admin.user_id) as s:
        mines = operating_sites(s, admin, "mine")[:2]
    if mines and month.exists():
        with transaction(platform.sessions, admin.user_id) as s:
            result = import_ims(s, admin, mines[0], month, sample=DEMO_IMS_EVENTS, seed=1)
            events, alerts = events + result.events_added, alerts + len(result.alerts)
    if mines and cells:
        with transaction(platform.sessions, admin.user_id) as s:
            alerts += _pressure_cells(s, admin, mines[0], cells[0])
    if len(mines) > 1 and (node / "inv.xml").exists():
        with transaction(platform.sessions, admin.user_id) as s:
            set_stations(s, admin, mines[1], read_stationxml(node / "inv.xml"))
            configure(s, admin, mines[1], vp_m_s=4000.0, vs_m_s=4000.0 / 1.73)
            result = import_quakeml(s, admin, mines[1], sorted((node / "events").glob("*.xml")))
            events, alerts = events + result.events_added, alerts + len(result.alerts)
    return {"events": events, "alerts": alerts}
