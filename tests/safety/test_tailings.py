"""Tailings facilities: grade and minimum tables, derived quantities, alarm levels at their
boundaries, the roll-up of GB 39496-2020 5.5.4, the hazard an alarm opens, the demo stream."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest
import yaml

from aurum.core.errors import ValidationError
from aurum.safety.register import HazardLevel
from aurum.safety.sensors import AlarmLevel, evaluate_rules
from aurum.safety.tailings import (
    TABLES_FILE,
    DamType,
    FacilityAlarm,
    MonitoringPoint,
    PointKind,
    TailingsDesign,
    beach_length_m,
    demo_design,
    facility_alarm,
    facility_grade,
    freeboard_m,
    item_rules,
    load_tables,
    parse_tables,
    phreatic_depth_m,
    roll_up,
    simulate_stream,
)

NONE, BLUE, YELLOW, ORANGE, RED = (int(level) for level in AlarmLevel)


@pytest.mark.parametrize(("storage_m3", "height_m", "grade"), [
    (5.0e8, 200.0, 1), (1.0e8, 100.0, 2), (1.0e8 - 1, 99.9, 3), (1.0e7, 60.0, 3),
    (1.0e6, 30.0, 4), (1.0e6 - 1, 29.9, 5), (0.0, 0.0, 5),
    (2.0e8, 70.0, 2),  # grades 2 and 3: one apart, the higher
    (2.0e8, 40.0, 3),  # grades 2 and 4: two apart, one below the higher
    (5.0e5, 250.0, 2),  # grades 5 and 1: one below the higher
])
def test_facility_grade(storage_m3: float, height_m: float, grade: int) -> None:
    assert facility_grade(storage_m3, height_m) == grade


def test_minimum_tables() -> None:
    tables = load_tables()
    upstream = [tables.minimums[DamType.UPSTREAM][g] for g in range(1, 6)]
    assert upstream == [(1.5, 150), (1.0, 100), (0.7, 70), (0.5, 50), (0.4, 40)]
    downstream = [tables.minimums[DamType.DOWNSTREAM][g][1] for g in range(1, 6)]
    assert downstream == [100, 70, 50, 35, 25]
    design = demo_design()
    assert (design.min_freeboard_m, design.min_beach_length_m) == (0.7, 70.0)
    stricter = TailingsDesign("T", 3, DamType.UPSTREAM, 120.0, 0.01, 6.0,
                              design_freeboard_m=1.0, design_beach_length_m=90.0)
    assert (stricter.min_freeboard_m, stricter.min_beach_length_m) == (1.0, 90.0)
    assert TailingsDesign("T", 1, "centerline", 120.0, 0.01, 6.0).table_minimums == (1.5, 100)


def test_design_is_validated() -> None:
    with pytest.raises(ValidationError, match=r"below the code's minimum 0\.7 m"):
        TailingsDesign("T", 3, DamType.UPSTREAM, 120.0, 0.01, 6.0, design_freeboard_m=0.5)
    with pytest.raises(ValidationError) as err:
        TailingsDesign("T", 6, DamType.UPSTREAM, 120.0, 0.0, -1.0, design_flood_level_m=121.0)
    assert [p.column for p in err.value.problems] == [
        "grade", "beach_slope", "control_phreatic_depth_m", "design_flood_level_m"]
    with pytest.raises(ValidationError, match="unknown dam type 'sideways'"):
        TailingsDesign("T", 3, "sideways", 120.0, 0.01, 6.0)
    with pytest.raises(ValidationError, match="needs its surface elevation"):
        MonitoringPoint("PZ1", PointKind.PHREATIC_LINE)


def test_derived_quantities() -> None:
    np.testing.assert_allclose(freeboard_m(120.0, [118.3, 119.3, 120.5]), [1.7, 0.7, -0.5])
    # 0.7 m of freeboard on a 1 % beach is 70 m of beach; a flooded crest leaves none
    np.testing.assert_allclose(beach_length_m(120.0, [118.3, 119.3, 120.5], 0.01),
                               [170.0, 70.0, 0.0])
    np.testing.assert_allclose(beach_length_m(100.0, 99.0, 0.005), 200.0)
    np.testing.assert_allclose(phreatic_depth_m(105.0, [96.5, 99.0]), [8.5, 6.0])
    with pytest.raises(ValidationError, match="beach slope"):
        beach_length_m(120.0, 119.0, 0.0)


def levels(item: str, quantity: list[float], design: TailingsDesign | None = None,
           series: bool = False) -> list[int]:
    """Level of each value alone (threshold rules only), or of the values as a daily series."""
    rules = item_rules(design or demo_design(), load_tables().items[item])
    if series:
        times = pd.date_range("2025-01-01", periods=len(quantity), freq="D")
        return evaluate_rules(rules, times, np.array(quantity)).level.tolist()
    one = pd.DatetimeIndex(["2025-01-01"])
    return [int(evaluate_rules(rules, one, np.array([q])).level[0]) for q in quantity]


def test_phreatic_depth_levels_at_boundaries() -> None:
    # control depth 6 m: red < 6.0 (criterion 三（七）), orange < 6.6 (1.1x), yellow < 7.2,
    # blue < 7.8
    assert levels("phreatic_depth", [5.999, 6.0, 6.599, 6.6, 7.199, 7.2, 7.799, 7.8]) == [
        RED, ORANGE, ORANGE, YELLOW, YELLOW, BLUE, BLUE, NONE]


def test_freeboard_and_beach_levels_at_boundaries() -> None:
    # minimum 0.7 m: red < 0.7, orange < 0.875, yellow < 1.05, blue < 1.4
    assert levels("freeboard", [0.69, 0.7, 0.874, 0.875, 1.049, 1.05, 1.399, 1.4]) == [
        RED, ORANGE, ORANGE, YELLOW, YELLOW, BLUE, BLUE, NONE]
    # minimum 70 m: red < 70, orange < 87.5, yellow < 105, blue < 140
    assert levels("beach_length", [69.9, 70.0, 87.5, 105.0, 139.9, 140.0]) == [
        RED, ORANGE, YELLOW, BLUE, BLUE, NONE]


def test_pond_level_thresholds_and_rise_rate() -> None:
    # design levels: yellow >= 118.6, orange >= 118.9, red >= 119.3
    assert levels("pond_level", [118.0, 118.59, 118.6, 118.899, 118.9, 119.299, 119.3]) == [
        NONE, NONE, YELLOW, YELLOW, ORANGE, ORANGE, RED]
    # one reading a day, so the 24 h rate is the day's rise (blue 0.3, yellow 0.5, orange 1.0,
    # red 2.0 m/d)
    assert levels("pond_level", [112.0, 112.375, 113.0, 114.5, 116.5, 116.5],
                  series=True) == [NONE, BLUE, YELLOW, ORANGE, RED, NONE]
    # without design levels only the rate rule is left
    bare = TailingsDesign("T", 3, DamType.UPSTREAM, 120.0, 0.01, 6.0)
    assert levels("pond_level", [119.5, 119.5], bare, series=True) == [NONE, NONE]


def test_rainfall_accumulation_levels() -> None:
    rules = item_rules(demo_design(), load_tables().items["rainfall"])
    times = pd.date_range("2025-07-01", periods=48, freq="h")
    rain = np.zeros(48)
    rain[:10] = 5.0  # 50 mm in 10 h: rainstorm grade, yellow (GB 51108-2015 8.3.7)
    result = evaluate_rules(rules, times, rain)
    assert result.level[4] == BLUE and result.level[8] == BLUE and result.level[9] == YELLOW
    # the window (t - 24 h, t] loses the first wet hour at index 24: 45 mm
    assert result.level[23] == YELLOW and result.level[24] == BLUE
    assert result.level[28] == BLUE and result.level[29] == NONE  # 25 mm, then 20 mm


def test_roll_up_counts() -> None:
    counts = load_tables().points_to_item
    assert counts == {AlarmLevel.BLUE: 4, AlarmLevel.YELLOW: 3, AlarmLevel.ORANGE: 2}
    cases = {(): NONE, (1, 1, 1): BLUE, (1, 1, 1, 1): YELLOW, (2, 1, 1, 1): YELLOW,
             (2, 2): YELLOW, (2, 2, 2): ORANGE, (3, 2, 2): ORANGE, (3,): ORANGE,
             (3, 3): RED, (4,): RED, (0, 0, 0, 0, 0): NONE, (3, 1, 1, 1): ORANGE}
    for group, expected in cases.items():
        assert roll_up(group, counts) == expected, group


POINTS = (MonitoringPoint("PL1", PointKind.POND_LEVEL),
          MonitoringPoint("PZ1", PointKind.PHREATIC_LINE, surface_elevation_m=105.0),
          MonitoringPoint("PZ2", PointKind.PHREATIC_LINE, surface_elevation_m=104.0),
          MonitoringPoint("RG1", PointKind.RAINFALL))


def readings(pond: float, water: tuple[float, float], rain: float) -> pd.DataFrame:
    times = pd.date_range("2025-07-01", periods=2, freq="h")
    rows = [("PL1", pond), ("PZ1", water[0]), ("PZ2", water[1]), ("RG1", rain)]
    return pd.DataFrame([{"point": p, "time": t, "value": v} for p, v in rows for t in times])


def test_red_freeboard_opens_a_major_hazard() -> None:
    alarm = facility_alarm(demo_design(), POINTS, readings(119.35, (96.0, 95.0), 0.0))
    assert alarm.level is AlarmLevel.RED
    assert alarm.item("freeboard").level is AlarmLevel.RED
    assert alarm.item("freeboard").points[0].quantity == pytest.approx(0.65)
    assert alarm.item("beach_length").points[0].quantity == pytest.approx(65.0)
    assert alarm.opens_hazard and alarm.hazard is not None
    assert (alarm.hazard.level, alarm.hazard.criterion) == (HazardLevel.MAJOR, "TF-08")
    assert "point PL1 red" in alarm.hazard.description
    payload = alarm.as_dict()
    assert payload["hazard"]["criterion"] == "TF-08" and payload["level"] == "red"


def test_phreatic_alarms_and_the_hazards_they_open() -> None:
    # depths 105-98.6 = 6.4 m and 104-97.7 = 6.3 m: both orange (< 6.6 m), above the 6 m control
    alarm = facility_alarm(demo_design(), POINTS, readings(118.0, (98.6, 97.7), 0.0))
    item = alarm.item("phreatic_depth")
    assert [p.level for p in item.points] == [AlarmLevel.ORANGE, AlarmLevel.ORANGE]
    assert item.level is AlarmLevel.RED and item.criterion == "TF-07"  # 2 orange -> red (5.5.4)
    # red by the roll-up, but no reading is below the control depth: a general hazard
    assert alarm.hazard is not None
    assert (alarm.hazard.level, alarm.hazard.criterion) == (HazardLevel.GENERAL, None)
    assert "phreatic surface" in alarm.hazard.description
    # one piezometer 5.9 m deep, under the 6 m control depth: 矿安〔2022〕88号 三（七）
    below = facility_alarm(demo_design(), POINTS, readings(118.0, (99.1, 95.0), 0.0))
    assert below.item("phreatic_depth").points[0].level is AlarmLevel.RED
    assert below.hazard is not None
    assert (below.hazard.level, below.hazard.criterion) == (HazardLevel.MAJOR, "TF-07")
    assert "point PZ1 red at 5.9 m" in below.hazard.description
    # a single orange piezometer stays orange and opens a general hazard
    one = facility_alarm(demo_design(), POINTS[:2] + POINTS[3:],
                         readings(118.0, (98.6, 97.7), 0.0).query("point != 'PZ2'"))
    assert one.item("phreatic_depth").level is AlarmLevel.ORANGE
    assert one.hazard is not None and one.hazard.level is HazardLevel.GENERAL


def test_rain_alone_does_not_open_a_hazard() -> None:
    alarm = facility_alarm(demo_design(), POINTS, readings(118.0, (96.0, 95.0), 260.0))
    assert alarm.item("rainfall").level is AlarmLevel.RED
    assert alarm.level is AlarmLevel.RED and not alarm.opens_hazard


def test_quiet_facility_and_bad_readings() -> None:
    alarm = facility_alarm(demo_design(), POINTS, readings(118.0, (96.0, 95.0), 0.0))
    assert alarm.level is AlarmLevel.NONE and alarm.hazard is None
    with pytest.raises(ValidationError, match="readings of unknown points: XX"):
        facility_alarm(demo_design(), POINTS,
                       pd.DataFrame({"point": ["XX"], "time": [pd.Timestamp("2025-01-01")],
                                     "value": [1.0]}))
    with pytest.raises(ValidationError, match="repeated: PL1"):
        facility_alarm(demo_design(), POINTS + POINTS[:1], readings(118.0, (96.0, 95.0), 0.0))


def test_demo_stream_crosses_into_red_and_back() -> None:
    stream = simulate_stream(seed=3)
    assert stream.readings.equals(simulate_stream(seed=3).readings)
    assert not stream.readings.equals(simulate_stream(seed=4).readings)
    assert stream.readings["time"].is_monotonic_increasing
    assert len(stream.readings) == 20 * 24 * len(stream.points)
    rain = stream.readings.query("point == 'RG1'")["value"]
    assert rain.sum() == pytest.approx(260.0)

    def state(when: str) -> FacilityAlarm:
        return facility_alarm(stream.design, stream.points, stream.readings, as_of=when)

    quiet = state("2025-07-05")
    assert (quiet.level, quiet.hazard) == (AlarmLevel.NONE, None)
    storm = state("2025-07-13")
    assert storm.level is AlarmLevel.RED and storm.hazard is not None
    assert (storm.hazard.level, storm.hazard.criterion) == (HazardLevel.MAJOR, "TF-08")
    assert storm.item("freeboard").points[0].quantity < 0.7
    assert state("2025-07-20 23:00").level is AlarmLevel.NONE


def test_tables_are_data() -> None:
    document = yaml.safe_load(
        resources.files("aurum.safety").joinpath("data", TABLES_FILE).read_text("utf-8"))
    assert parse_tables(document) == load_tables()
    # an absolute threshold instead of a multiple of a design quantity
    document["items"]["freeboard"]["thresholds"]["red"] = {"value": 0.8, "basis": "site rule"}
    tables = parse_tables(document)
    rules = item_rules(demo_design(), tables.items["freeboard"])
    assert rules[0].thresholds.values[AlarmLevel.RED] == 0.8
    document["items"]["freeboard"]["thresholds"]["red"] = {"factor": 1.0, "of": "crest_m"}
    with pytest.raises(ValidationError, match="unknown: crest_m"):
        parse_tables(document)
    del document["grades"]
    with pytest.raises(ValidationError, match="malformed tailings tables"):
        parse_tables(document)
