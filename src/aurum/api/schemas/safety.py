"""Request and response models of the safety routes (``/api/v1/safety``: the hazard register,
its clearing statistics, tailings facilities; ``/api/v1/sensors``: sensors, readings, alerts).

Days are ``YYYY-MM-DD`` (China Standard Time); times are ISO 8601 text in UTC, kept as the
services write them. A table and the object answer of the same thing share their fields
through a ``...Fields`` class, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from aurum.api.schemas import Row, Schema
from aurum.core.checks import Day
from aurum.services.safety import FacilitySpec

# --- requests ------------------------------------------------------------------------------------


class StepIn(BaseModel):
    """The fields of a workflow step (which ones a step needs: see the route)."""

    note: str = Field(default="", description="free text for the timeline (reject, reopen: "
                      "the reason)")
    level: str | None = Field(default=None, description="classify: general or major")
    criterion: str | None = Field(default=None, description="classify: the criteria item a "
                                  "major hazard meets")
    owner: str | None = Field(default=None, description="assign, reopen: who must rectify it")
    deadline: Day | None = Field(default=None, description="YYYY-MM-DD, China Standard Time")
    evidence: list[str] = Field(default_factory=list,
                                description="SHA-256 of files stored for the hazard")


@dataclass(frozen=True, kw_only=True)
class FacilityIn(FacilitySpec):
    """A tailings facility and its design data (elevations and lengths m, slope m/m,
    storage m³, displacement limits mm by level name): the service's
    :class:`~aurum.services.safety.FacilitySpec`, whose name the API lets a caller leave
    out (it defaults to the code)."""

    name: str = ""


class ReadingsIn(BaseModel):
    """Readings of one site: ``sensor``, ``time`` (ISO 8601), ``value`` each."""

    readings: list[dict[str, Any]] = Field(description="sensor (code), time (ISO 8601), "
                                           "value (in the sensor's unit) each")


class AckIn(BaseModel):
    """What was done about an alert."""

    note: str = Field(default="", description="what was done (free text)")


# --- hazards -------------------------------------------------------------------------------------


class CriterionRow(Row):
    """One item of the major-hazard criteria (矿安〔2022〕88号)."""

    id: str = Field(description="stable identifier, e.g. TF-07")
    facility: str = Field(description="underground, open_pit or tailings")
    clause: str = Field(description="part and item of the standard, e.g. 三（七）")
    zh: str = Field(description="short summary in Chinese")
    en: str = Field(description="its English gloss")


class HazardFields(BaseModel):
    """What a hazard's row in the register and its full record both show."""

    id: int = Field(description="the hazard's number")
    site: str = Field(description="site code")
    site_name: str = Field(description="the site's name")
    enterprise: str = Field(description="name of the site's enterprise")
    province: str = Field(description="province of the site (GB/T 2260 name)")
    title: str = Field(description="short title (at most 200 characters)")
    area: str | None = Field(description="where on the site (level, stope, dam section...)")
    facility: str | None = Field(description="underground, open_pit or tailings")
    level: str | None = Field(description="general or major; null until classified")
    criterion: str | None = Field(description="the criteria item a major hazard meets")
    state: str = Field(description="reported, classified, assigned, rectified, verified or "
                       "closed")
    owner: str | None = Field(description="who must rectify it")
    deadline: date | None = Field(description="day by which it must be rectified (CST)")
    reported_on: date = Field(description="day it was reported (CST)")
    reported_by: str = Field(description="user name, or online-monitoring")
    closed_on: date | None = Field(description="day it was closed (CST)")
    days_overdue: int = Field(description="days past the deadline on the day asked, d")
    overdue: bool = Field(description="past its deadline and not closed")
    escalation: int = Field(description="escalation tier reached (0: none; 1, 8 and 31 days "
                            "late)")


class HazardRow(HazardFields, Row):
    """One hazard of the register."""

    monitoring: str | None = Field(description="code of the tailings facility whose online "
                                   "monitoring opened it")
    lon: float | None = Field(description="WGS 84 longitude, degrees: the hazard's own, else "
                              "its site's")
    lat: float | None = Field(description="WGS 84 latitude, degrees: the hazard's own, else "
                              "its site's")


class HazardOut(HazardFields, Schema):
    """A hazard's record."""

    description: str = Field(description="what was found")
    x: float | None = Field(description="mine-grid easting, m")
    y: float | None = Field(description="mine-grid northing, m")
    lon: float | None = Field(description="WGS 84 longitude, degrees")
    lat: float | None = Field(description="WGS 84 latitude, degrees")
    clause: str | None = Field(description="clause of the criteria item")
    reported_at: str = Field(description="when it was reported, ISO 8601 UTC")
    photos: list[str] = Field(description="SHA-256 of its photos")
    rectified_by: str | None = Field(description="who rectified it")
    evidence: list[str] = Field(description="SHA-256 of the evidence of its rectification")
    verified_by: str | None = Field(description="who verified the rectification")
    reopened: int = Field(description="times it was reopened")
    tailings_facility: int | None = Field(description="id of the tailings facility whose "
                                          "online monitoring opened it")


class TimelineRow(Row):
    """One step of a hazard's timeline."""

    at: str = Field(description="when, ISO 8601 UTC")
    action: str = Field(description="report, classify, assign, rectify, verify, reject, "
                        "close, reopen or escalate")
    by: str = Field(description="who took the step")
    from_state: str | None = Field(description="state before (null for the report)")
    to_state: str = Field(description="state after")
    note: str = Field(description="free text of the step")
    details: str = Field(description="what the step set, as 'key: value; ...'")
    evidence: str = Field(description="SHA-256 of the evidence, '; '-separated")


class HazardDetailOut(HazardOut):
    """A hazard, its timeline and the steps the caller may take on it now."""

    timeline: list[TimelineRow] = Field(description="its steps, oldest first")
    actions: list[str] = Field(description="the steps the caller may take now")


class UploadOut(Schema):
    """A file stored for a hazard."""

    sha256: str = Field(description="SHA-256 of the content: names the file in a step")
    filename: str = Field(description="the file's safe base name")
    photo: bool = Field(description="a photo of the hazard (else evidence of its "
                        "rectification)")


class EscalationOut(Schema):
    """One escalation of an overdue hazard."""

    hazard: int = Field(description="the hazard's number")
    site: str = Field(description="site code")
    tier: int = Field(description="escalation tier now reached")
    days_overdue: int = Field(description="days past the deadline, d")


# --- clearing statistics -------------------------------------------------------------------------


class ClearingFields(BaseModel):
    """The clearing figures of a scope."""

    open_major: int = Field(description="open major hazards (count)")
    overdue_major: int = Field(description="open major hazards past their deadline (count)")
    open_general: int = Field(description="open general hazards (count)")
    overdue_general: int = Field(description="open general hazards past their deadline "
                                 "(count)")
    median_days_to_close: float | None = Field(description="median days from report to "
                                               "closing, d; null when none closed")


class ClearingRow(ClearingFields, Row):
    """Clearing statistics of one group; the group's column is named after the grouping
    (``site``, ``enterprise``, ``province``), or ``scope`` (``nation``) without one."""

    scope: str | None = Field(default=None, description="'nation' (no grouping)")
    site: str | None = Field(default=None, description="site code (by=site)")
    enterprise: str | None = Field(default=None, description="enterprise (by=enterprise)")
    province: str | None = Field(default=None, description="province (by=province)")
    closed: int = Field(description="hazards closed (count)")
    age_0_30d: int = Field(description="open hazards reported 0-30 d ago (count)")
    age_31_90d: int = Field(description="open hazards reported 31-90 d ago (count)")
    age_91_180d: int = Field(description="open hazards reported 91-180 d ago (count)")
    age_over_180d: int = Field(description="open hazards reported over 180 d ago (count)")
    target_met: bool = Field(description="no open major hazard past its deadline")


class ClearingFiguresOut(ClearingFields, Schema):
    """The clearing figures of a province."""


class IndicatorOut(Schema):
    """The regulator's indicator."""

    id: str = Field(description="open_major_past_deadline")
    value: int = Field(description="open major hazards past their deadline (count)")
    target: int = Field(description="its target (count)")
    met: bool = Field(description="the value is the target")


class ClearingSummaryOut(ClearingFiguresOut):
    """The national clearing figures, the same per province, and the indicator."""

    as_of: date = Field(description="day of the statistics (CST)")
    by_province: dict[str, ClearingFiguresOut] = Field(description="figures by province")
    indicator: IndicatorOut = Field(description="the regulator's indicator, target 0")


# --- tailings facilities -------------------------------------------------------------------------


class FacilityFields(BaseModel):
    """A tailings facility's registry and design data, as its row and its record show them."""

    code: str = Field(description="the facility's code")
    name: str = Field(description="the facility's name")
    site: str = Field(description="site code")
    grade: int = Field(description="grade 1-5 (等别)")
    dam_type: str = Field(description="upstream, centerline or downstream")
    total_storage_m3: float | None = Field(description="total storage, m³")
    dam_height_m: float | None = Field(description="dam height, m")
    crest_elevation_m: float = Field(description="beach or dam crest elevation, m")
    beach_slope: float = Field(description="average dry-beach gradient, m/m")
    control_phreatic_depth_m: float = Field(description="control depth of the phreatic "
                                            "surface, m")
    design_flood_level_m: float | None = Field(description="design flood level of the pond, m")
    flood_control_level_m: float | None = Field(description="pre-flood-season control level, "
                                                "m")
    operating_control_level_m: float | None = Field(description="operating control level, m")
    design_freeboard_m: float | None = Field(description="the design's minimum freeboard, m")
    design_beach_length_m: float | None = Field(description="the design's minimum beach "
                                                "length, m")
    min_freeboard_m: float = Field(description="minimum freeboard that applies, m")
    min_beach_length_m: float = Field(description="minimum beach length that applies, m")
    alarm_level: int = Field(description="alarm level: 0 none, 1 blue to 4 red")
    alarm_at: str | None = Field(description="time of the reading that set it, ISO 8601 UTC")


class FacilityRow(FacilityFields, Row):
    """One tailings facility."""

    displacement_limits_mm: str | None = Field(description="cumulative displacement limits "
                                               "by level name, mm, as text")
    sensors: str = Field(description="codes of its sensors, ', '-separated")


class FacilityOut(FacilityFields, Schema):
    """A tailings facility's record."""

    displacement_limits_mm: dict[str, float] | None = Field(
        description="cumulative displacement limits by level name (blue..red), mm")
    sensors: list[str] = Field(description="codes of its sensors")


class PointStateOut(Schema):
    """A monitoring point's state on one item at its latest reading."""

    point: str = Field(description="sensor code")
    level: str = Field(description="alarm level name (none, blue..red)")
    time: str = Field(description="time of the reading, ISO 8601 UTC")
    quantity: float | None = Field(description="the item's quantity then, m or mm")
    rule: str = Field(description="the alarming rule (value, rate, trend, accumulation; '' "
                      "when none)")
    compared: float | None = Field(description="the figure that rule judged (m, mm, m/d, "
                                   "mm/d, mm/24 h)")


class ItemStateOut(Schema):
    """A monitoring item's state: the roll-up of its points' levels."""

    item: str = Field(description="monitoring item of the tailings tables (phreatic_depth, "
                      "freeboard, pond_level, surface_displacement, rainfall...)")
    level: str = Field(description="alarm level name (none, blue..red)")
    criterion: str | None = Field(description="the criteria item it meets when major")
    points: list[PointStateOut] = Field(description="its points' states")


class HazardProposalOut(Schema):
    """The hazard the facility's state calls for."""

    level: str = Field(description="general or major")
    criterion: str | None = Field(description="criteria item of a major hazard")
    description: str = Field(description="what the alarm found")


class FacilityStateOut(Schema):
    """A facility's alarm state at its latest readings."""

    facility: str = Field(description="facility code")
    as_of: str = Field(description="time of the latest reading, ISO 8601 UTC")
    level: str = Field(description="alarm level name (none, blue..red)")
    opens_hazard: bool = Field(description="its state calls for a hazard in the register")
    hazard: HazardProposalOut | None = Field(description="that hazard")
    items: list[ItemStateOut] = Field(description="the state of each monitored item")


class FacilityDetailOut(FacilityOut):
    """A tailings facility and its alarm state."""

    state: FacilityStateOut | None = Field(description="null before its first reading")


# --- sensors, readings and alerts ----------------------------------------------------------------


class SensorFields(BaseModel):
    """A sensor, as its row and its record show it."""

    site: str = Field(description="site code")
    code: str = Field(description="the sensor's code on its site")
    kind: str = Field(description="what it measures (a tailings point kind, pressure_cell...)")
    unit: str = Field(description="unit of its readings")
    facility: str | None = Field(description="code of the tailings facility it monitors")
    x: float | None = Field(description="mine-grid easting, m")
    y: float | None = Field(description="mine-grid northing, m")
    z: float | None = Field(description="elevation, m")
    depth_m: float | None = Field(description="depth in its borehole, m")
    alarm_level: str = Field(description="current alarm level name (none, blue..red)")


class SensorRow(SensorFields, Row):
    """One sensor."""

    n_rules: int = Field(description="its own alarm rules (count)")


class RuleFields(BaseModel):
    """What every alarm rule has."""

    direction: str = Field(description="above or below")
    levels: dict[str, float] = Field(description="threshold by level name (blue..red), in the "
                                     "sensor's unit (per per_h hours for rates and trends)")


class ThresholdRuleOut(RuleFields, Schema):
    """An alarm on the reading itself."""

    kind: Literal["threshold"] = Field(description="alarm on the reading")


class WindowRuleFields(RuleFields):
    """A rule over a trailing window."""

    window_h: float = Field(description="trailing window, h")


class AccumulationRuleOut(WindowRuleFields, Schema):
    """An alarm on the sum of the readings over the window."""

    kind: Literal["accumulation"] = Field(description="alarm on the sum over the window")


class PerTimeRuleFields(WindowRuleFields):
    """A rule on a change per time."""

    per_h: float = Field(description="time unit of the change, h")


class RateRuleOut(PerTimeRuleFields, Schema):
    """An alarm on the change over the window."""

    kind: Literal["rate"] = Field(description="alarm on the change over the window")


class TrendRuleOut(PerTimeRuleFields, Schema):
    """An alarm on the least-squares slope over the window."""

    kind: Literal["trend"] = Field(description="alarm on the slope over the window")
    min_points: int = Field(description="fewest samples of a trend (count)")


RuleOut = Annotated[ThresholdRuleOut | AccumulationRuleOut | RateRuleOut | TrendRuleOut,
                    Field(discriminator="kind")]


class SensorOut(SensorFields, Schema):
    """A sensor's record."""

    surface_elevation_m: float | None = Field(description="dam surface elevation above a "
                                              "piezometer, m")
    rules: list[RuleOut] = Field(description="its own alarm rules (none for a facility's "
                                 "point, whose rules the design gives)")


class ReadingRow(Row):
    """One reading of a sensor."""

    time: str = Field(description="ISO 8601 UTC")
    value: float = Field(description="in the sensor's unit")


class AlertFields(BaseModel):
    """An alert, as its row and its record show it."""

    id: int = Field(description="the alert's number")
    time: str = Field(description="when the condition was met, ISO 8601 UTC")
    site: str = Field(description="site code")
    source: str = Field(description="sensor, tailings or seismic")
    sensor: str | None = Field(description="sensor code")
    facility: str | None = Field(description="tailings facility code")
    rule: str = Field(description="the rule (or tailings item) that alarmed")
    level: str = Field(description="level name (blue..red)")
    level_value: int = Field(description="level, 1 (blue) to 4 (red)")
    value: float | None = Field(description="the figure judged, in its own unit")
    message: str = Field(description="what happened, with the figures and their units")
    acknowledged: bool = Field(description="acknowledged by an operator")
    acknowledged_by: str | None = Field(description="user name")
    acknowledged_at: str | None = Field(description="ISO 8601 UTC")
    ack_note: str | None = Field(description="what was done")
    hazard_id: int | None = Field(description="the hazard it opened")


class AlertRow(AlertFields, Row):
    """One alert."""


class AlertOut(AlertFields, Schema):
    """An alert's record."""


class IngestOut(Schema):
    """What a batch of readings did."""

    site: str = Field(description="site code")
    received: int = Field(description="readings received (count)")
    inserted: int = Field(description="readings stored (count)")
    duplicates: int = Field(description="readings skipped: stored already or repeated in the "
                            "batch (count)")
    conflicts: int = Field(description="of the duplicates, those whose value differs from the "
                           "one kept (count)")
    alerts: list[AlertOut] = Field(description="alerts raised")
    hazards: list[int] = Field(description="numbers of the hazards opened")
