"""Response models of the microseismic routes (``/api/v1/seismic``).

Positions are on the mine grid, m; times are ISO 8601 text in UTC as the service writes them.
A figure that is not a finite number (a rate over a window of one instant) is null.
"""

from __future__ import annotations

from pydantic import Field

from aurum.api.schemas import Row, Schema
from aurum.api.schemas.safety import AlertOut


class CatalogueSiteOut(Schema):
    """A site with a seismic catalogue."""

    site: str = Field(description="site code")
    name: str = Field(description="the site's name")
    events: int = Field(description="events stored, rejected ones included (count)")
    first: str | None = Field(description="origin time of the first event, ISO 8601 UTC; "
                              "null without events")
    last: str | None = Field(description="origin time of the last event, ISO 8601 UTC; null "
                             "without events")
    max_mw: float | None = Field(description="largest moment magnitude Mw; null without one")


class EventRow(Row):
    """One event of a site's catalogue."""

    id: int = Field(description="the event's number (for review and relocation)")
    resource_id: str = Field(description="QuakeML resource id (or the IMS event's own id)")
    time: str = Field(description="origin time, ISO 8601 UTC")
    x: float | None = Field(description="easting on the mine grid, m")
    y: float | None = Field(description="northing on the mine grid, m")
    z: float | None = Field(description="elevation on the mine grid, m")
    ml: float | None = Field(description="local magnitude ML")
    mw: float | None = Field(description="moment magnitude Mw")
    moment: float | None = Field(description="seismic moment, N·m")
    energy: float | None = Field(description="radiated energy, J")
    apparent_stress: float | None = Field(description="apparent stress, Pa")
    apparent_volume: float | None = Field(description="apparent volume, m³")
    corner_frequency: float | None = Field(description="corner frequency, Hz")
    energy_index: float | None = Field(description="energy index: energy over the energy "
                                       "of an event of its moment (dimensionless)")
    n_stations: int | None = Field(description="stations that recorded it (count)")
    status: str = Field(description="automatic, reviewed or rejected")
    event_type: str = Field(description="earthquake, blast... (QuakeML event type)")
    source: str = Field(description="the file it was imported from")


class CatalogueImportOut(Schema):
    """What an import stored."""

    site: str = Field(description="site code")
    source: str = Field(description="the file name recorded with the events")
    events_read: int = Field(description="events in the file (count)")
    events_added: int = Field(description="events stored (count)")
    events_skipped: int = Field(description="events stored already (count)")
    picks_added: int = Field(description="picks stored (count)")
    alerts: list[AlertOut] = Field(description="hazard alerts the new events raised")


class EventReviewOut(Schema):
    """An event after its review."""

    id: int = Field(description="the event's number")
    status: str = Field(description="reviewed or rejected")
    event_type: str = Field(description="earthquake, blast... (QuakeML event type)")


class EventRelocationOut(Schema):
    """An event after its relocation."""

    id: int = Field(description="the event's number")
    x: float = Field(description="easting on the mine grid, m")
    y: float = Field(description="northing on the mine grid, m")
    z: float = Field(description="elevation on the mine grid, m")
    time: str = Field(description="origin time, ISO 8601 with its UTC offset")
    status: str = Field(description="reviewed")


class BValueOut(Schema):
    """The Gutenberg–Richter fit of the events at or above Mc."""

    b: float = Field(description="b-value (maximum likelihood)")
    b_std: float = Field(description="its Shi & Bolt standard error")
    mc: float = Field(description="magnitude of completeness used")
    n: int = Field(description="events at or above Mc (count)")
    a: float = Field(description="a-value, log10 N(M ≥ Mc) + b·Mc")


class MovingWindowOut(Schema):
    """The b-value and rate of one moving window of events at or above Mc."""

    time: str = Field(description="origin time of the window's last event, ISO 8601 UTC")
    start: str = Field(description="origin time of its first event, ISO 8601 UTC")
    b: float | None = Field(description="b-value")
    b_std: float | None = Field(description="its Shi & Bolt standard error")
    n: int = Field(description="events in the window (count)")
    rate_per_day: float | None = Field(description="events at or above Mc per day; null when "
                                       "the window spans no time")


class ApparentVolumePointOut(Schema):
    """The cumulative apparent volume after an event."""

    time: str = Field(description="origin time, ISO 8601 UTC")
    cumulative_apparent_volume: float = Field(description="running sum, m³")


class EnergyIndexPointOut(Schema):
    """The energy index of an event and its moving mean."""

    time: str = Field(description="origin time, ISO 8601 UTC")
    energy_index: float | None = Field(description="energy index (dimensionless)")
    log_ei_mean: float | None = Field(description="moving mean of log10 of the energy index "
                                      "over the window; null until a window is full")


class CatalogueStatisticsOut(Schema):
    """Statistics of a site's catalogue over a period (no blast, no rejected event)."""

    site: str = Field(description="site code")
    magnitude: str = Field(description="the magnitude used: mw or ml")
    delta_m: float = Field(description="magnitude bin width")
    n_events: int = Field(description="events of the period (count)")
    b_value: BValueOut | None = Field(description="the fit; null with too few events")
    moving: list[MovingWindowOut] = Field(description="moving-window b-value and rate, in "
                                          "time order")
    cumulative_apparent_volume: list[ApparentVolumePointOut] = Field(
        description="cumulative apparent volume, event by event")
    energy_index: list[EnergyIndexPointOut] = Field(description="energy-index trend, event by "
                                                    "event")
