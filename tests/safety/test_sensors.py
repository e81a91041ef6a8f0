"""Generic sensor rules on closed-form series, and the import of the Elk Creek borehole
pressure-cell workbooks checked against the workbooks read independently with openpyxl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.safety.sensors import (
    INCH_TO_MM,
    PSI_TO_MPA,
    AccumulationRule,
    AlarmLevel,
    BoreholeWorkbook,
    Direction,
    LevelThresholds,
    RateRule,
    ThresholdRule,
    TrendRule,
    evaluate_rules,
    rate_of_change,
    read_pressure_cells,
    rolling_sum,
    sensor_alarms,
    trend_slope,
)

B, Y, OR, R = AlarmLevel.BLUE, AlarmLevel.YELLOW, AlarmLevel.ORANGE, AlarmLevel.RED
HOUR = pd.Timedelta(hours=1)
DAY = pd.Timedelta(days=1)
START = pd.Timestamp("2025-01-01")


def hourly(n: int) -> pd.DatetimeIndex:
    return pd.date_range(START, periods=n, freq="h")


def test_linear_ramp_rate_and_trend_are_its_slope() -> None:
    times = hourly(24 * 5)
    days = np.arange(len(times)) / 24.0
    values = 2.5 * days + 3.0  # 2.5 units per day
    rate = rate_of_change(times, values, DAY)
    assert np.isnan(rate[0])
    np.testing.assert_allclose(rate[1:], 2.5, rtol=1e-12)
    slope = trend_slope(times, values, 2 * DAY)
    assert np.isnan(slope[:2]).all()  # fewer than three points
    np.testing.assert_allclose(slope[2:], 2.5, rtol=1e-9)
    # per hour instead of per day
    np.testing.assert_allclose(rate_of_change(times, values, DAY, per=HOUR)[1:], 2.5 / 24,
                               rtol=1e-12)


def test_ramp_on_irregular_times() -> None:
    rng = np.random.default_rng(7)
    offsets = np.sort(rng.uniform(0, 10, 200))  # days
    times = START + pd.to_timedelta(offsets, unit="D")
    values = -0.8 * offsets + 12.0
    rate = rate_of_change(times, values, pd.Timedelta(hours=36))
    np.testing.assert_allclose(rate[1:], -0.8, rtol=1e-9)
    np.testing.assert_allclose(trend_slope(times, values, DAY, min_points=3)[50:], -0.8,
                               rtol=1e-7)


def test_step_crosses_threshold_at_the_step_and_rates_within_the_window() -> None:
    times = hourly(48)
    values = np.where(np.arange(48) >= 20, 10.0, 0.0)
    rule = ThresholdRule(LevelThresholds(Direction.ABOVE, {B: 5.0, R: 10.0}))
    levels = rule.thresholds.levels(rule.quantity(times, values))
    assert np.flatnonzero(levels).tolist() == list(range(20, 48))
    assert set(levels[20:].tolist()) == {int(R)}  # 10 reaches the red threshold (>=)
    rate = rate_of_change(times, values, pd.Timedelta(hours=6))
    # 10 units in 6 h = 40 per day while the step is inside the window, then 0
    np.testing.assert_allclose(rate[20:26], 40.0)
    np.testing.assert_allclose(rate[26:], 0.0)
    np.testing.assert_allclose(rate[1:20], 0.0)


def test_thresholds_at_their_boundaries() -> None:
    above = LevelThresholds(Direction.ABOVE, {B: 1.0, Y: 2.0, OR: 3.0, R: 4.0})
    values = np.array([0.999, 1.0, 1.999, 2.0, 3.0, 4.0, 1e9, np.nan])
    assert above.levels(values).tolist() == [0, 1, 1, 2, 3, 4, 4, 0]
    below = LevelThresholds(Direction.BELOW, {Y: 10.0, R: 5.0})
    assert below.levels(np.array([10.0, 9.99, 5.0, 4.99])).tolist() == [0, 2, 2, 4]
    with pytest.raises(ValidationError, match="must increase from blue to red"):
        LevelThresholds(Direction.ABOVE, {B: 2.0, R: 1.0})
    with pytest.raises(ValidationError, match="must decrease from blue to red"):
        LevelThresholds(Direction.BELOW, {B: 1.0, R: 2.0})
    with pytest.raises(ValidationError, match="at least one"):
        LevelThresholds(Direction.ABOVE, {})
    with pytest.raises(ValidationError, match="unknown alarm level 'pink'"):
        AlarmLevel.parse("pink")


def test_accumulation_of_interval_totals() -> None:
    times = hourly(72)
    rain = np.full(72, 2.0)  # mm in each hour
    total = rolling_sum(times, rain, DAY)
    np.testing.assert_allclose(total[:24], 2.0 * np.arange(1, 25))
    np.testing.assert_allclose(total[24:], 48.0)  # 24 readings make a day
    rule = AccumulationRule(LevelThresholds(Direction.ABOVE, {Y: 48.0, R: 100.0}), DAY)
    levels = rule.thresholds.levels(rule.quantity(times, rain))
    assert levels[22] == 0 and levels[23] == int(Y)


def test_evaluate_rules_keeps_the_most_severe() -> None:
    times = hourly(30)
    values = np.arange(30, dtype=float)  # 24 per day
    rules = [ThresholdRule(LevelThresholds(Direction.ABOVE, {B: 10.0, Y: 25.0})),
             RateRule(LevelThresholds(Direction.ABOVE, {OR: 20.0}), pd.Timedelta(hours=6)),
             TrendRule(LevelThresholds(Direction.ABOVE, {R: 30.0}), DAY)]
    result = evaluate_rules(rules, times, values)
    assert result.level[:2].tolist() == [0, 3]  # the rate rule alarms from the second sample
    assert result.rule[0] == -1 and np.isnan(result.quantity[0])
    assert set(result.rule[1:].tolist()) == {1}
    np.testing.assert_allclose(result.quantity[1:], 24.0)
    empty = evaluate_rules([], times, values)
    assert empty.level.tolist() == [0] * 30


def test_unordered_times_are_refused() -> None:
    times = pd.DatetimeIndex(["2025-01-02", "2025-01-01"])
    with pytest.raises(ValidationError, match="increasing order"):
        rate_of_change(times, [1.0, 2.0], DAY)
    with pytest.raises(ValidationError, match="increasing order"):
        trend_slope(times, [1.0, 2.0], DAY)


def test_sensor_alarms_on_a_tidy_frame() -> None:
    times = hourly(10)
    frame = pd.concat([
        pd.DataFrame({"sensor": "A", "time": times, "value": np.arange(10.0)}),
        pd.DataFrame({"sensor": "B", "time": times, "value": np.zeros(10)})])
    rules = {"A": [ThresholdRule(LevelThresholds(Direction.ABOVE, {R: 7.0}), name="limit")],
             "B": [ThresholdRule(LevelThresholds(Direction.ABOVE, {R: 7.0}))]}
    out = sensor_alarms(frame.sample(frac=1.0, random_state=1), rules)
    a = out[out["sensor"] == "A"]
    assert a["level"].tolist() == [0] * 7 + [4] * 3
    assert a["rule"].tolist() == [""] * 7 + ["limit"] * 3
    assert out[out["sensor"] == "B"]["level"].sum() == 0


# --- the Elk Creek workbooks -------------------------------------------------------------------

WORKBOOKS = ("1_north_inby_panel1_bpc.xlsx", "2_north_outby_panel1_bpc.xlsx")


@pytest.fixture(scope="module")
def cells_dir(shared_data: Path) -> Path:
    folder = shared_data / "seismic" / "elkcreek" / "pressure_cells"
    if not folder.is_dir():
        pytest.skip("the Elk Creek pressure cells are not in ../shared/data")
    return folder


@pytest.fixture(scope="module")
def books(cells_dir: Path) -> dict[str, BoreholeWorkbook]:
    return {name: read_pressure_cells(cells_dir / name) for name in WORKBOOKS}


def openpyxl_rows(path: Path) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def reference(path: Path) -> dict[str, list[tuple[dt.datetime, float]]]:
    """Numeric readings per sensor code, read straight from the cells (header row 10)."""
    rows = openpyxl_rows(path)
    header = rows[9]
    assert header[0] == "Serial Date"
    out: dict[str, list[tuple[dt.datetime, float]]] = {}
    for j, name in enumerate(header):
        name = str(name)
        if "cell pressure (psi)" in name:
            code = name.split()[0]
        elif "pot." in name:
            code = name.rsplit("pot. ", 1)[1].split()[0]
        else:
            continue
        out[code] = [(dt.datetime(1899, 12, 30) + dt.timedelta(days=row[0]), row[j])
                     for row in rows[10:]
                     if isinstance(row[j], int | float) and not isinstance(row[j], bool)]
    return out


@pytest.mark.parametrize("name", WORKBOOKS)
def test_counts_and_values_match_the_cells(cells_dir: Path, books: dict[str, BoreholeWorkbook],
                                           name: str) -> None:
    book = books[name]
    expected = reference(cells_dir / name)
    counts = book.sensors.set_index("sensor")["n_readings"].to_dict()
    assert counts == {code: len(v) for code, v in expected.items()}
    assert len(book.readings) == sum(len(v) for v in expected.values())
    for code, series in expected.items():
        got = book.readings[book.readings["sensor"] == code]
        factor = PSI_TO_MPA if got["unit"].iloc[0] == "MPa" else INCH_TO_MM
        for k in (0, len(series) // 2, len(series) - 1):
            when, value = series[k]
            row = got[got["time"] == pd.Timestamp(when).round("s")]
            assert len(row) == 1
            assert row["value"].iloc[0] == pytest.approx(value * factor, rel=1e-12)


def test_first_workbook_in_detail(books: dict[str, BoreholeWorkbook]) -> None:
    book = books[WORKBOOKS[0]]
    assert book.title == "1 North Inby BPC Raw Readings converted to stress units"
    assert book.sensors["sensor"].tolist() == [
        "BP1", "BP2", "BP3", "SP1", "SP2", "SP3", "SP4", "SP5", "NP1", "NP2", "NP3", "NP4",
        "NP5"]
    counts = book.sensors.set_index("sensor")["n_readings"]
    assert (counts["BP1"], counts["SP4"], len(book.readings)) == (816, 862, 10_700)
    sp4 = book.readings[book.readings["sensor"] == "SP4"].iloc[0]
    assert sp4["time"] == pd.Timestamp("2009-11-05 11:15:00")
    assert sp4["value"] == pytest.approx(1742.3081220695617 * 0.00689475729, rel=1e-9)
    bp1 = book.readings[book.readings["sensor"] == "BP1"].iloc[-1]
    assert bp1["time"] == pd.Timestamp("2009-12-15 10:00:00")
    assert bp1["value"] == pytest.approx(1774.3098502788816 * 0.00689475729, rel=1e-9)
    meta = book.sensors.set_index("sensor")
    assert meta.loc["BP3", "depth_m"] == pytest.approx(200 * 0.3048)
    assert meta.loc["BP3", "set_pressure_mpa"] == pytest.approx(1700 * 0.00689475729, rel=1e-9)
    assert (book.readings["site"] == "1_north_inby_panel1_bpc").all()
    assert book.readings.groupby("sensor")["time"].is_monotonic_increasing.all()


def test_second_workbook_string_pots(books: dict[str, BoreholeWorkbook]) -> None:
    book = books[WORKBOOKS[1]]
    meta = book.sensors.set_index("sensor")
    assert len(meta) == 17 + 15
    assert meta.loc["M1-1", "unit"] == "mm" and meta.loc["M1-1", "depth_m"] == pytest.approx(
        20 * 0.3048)
    assert meta.loc["M3-3", "depth_m"] == pytest.approx(5 * 0.3048)
    assert np.isnan(meta.loc["M1-1", "set_pressure_mpa"])
    assert meta.loc["BP1", "n_readings"] == 613


def test_ground_stress_rule_on_a_real_cell(books: dict[str, BoreholeWorkbook]) -> None:
    book = books[WORKBOOKS[0]]
    bp1 = book.readings[book.readings["sensor"] == "BP1"]
    rate = rate_of_change(bp1["time"], bp1["value"], DAY)
    # the same figure from the first and last sample of a window, by hand, for one sample
    k = 500
    t = pd.DatetimeIndex(bp1["time"])
    first = int(np.searchsorted(t, t[k] - DAY, side="left"))
    by_hand = (bp1["value"].iloc[k] - bp1["value"].iloc[first]) / ((t[k] - t[first]) / DAY)
    assert rate[k] == pytest.approx(by_hand, rel=1e-12)
    rules = {"BP1": [RateRule(LevelThresholds(Direction.ABOVE, {Y: 0.5, R: 1.0}), DAY)]}
    levels = sensor_alarms(book.readings, rules)
    assert len(levels) == 816 and levels["level"].max() <= int(R)


# --- malformed sheets --------------------------------------------------------------------------


def sheet(tmp_path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    path = tmp_path / "cells.xlsx"
    book.save(path)
    return path


HEAD = ["Serial Date", "Date", "Time of day", "Data-logger number",
        "Time from zero time (hr)", "Distance (ft)", "BP1 cell pressure (psi)",
        "SP1 cell pressure (psi)"]


def test_minimal_sheet(tmp_path: Path) -> None:
    path = sheet(tmp_path, [["Title"], [None, None, None, None, "Depth in Borehole (ft) =", None,
                                        50, 10],
                            HEAD, [40122.5, None, None, 1, 0, 0, 1000, "#N/A"],
                            [40122.75, None, None, 1, 6, 0, "", 1500]])
    book = read_pressure_cells(path, site="test site")
    assert set(book.readings["site"]) == {"test site"}
    assert book.readings[["sensor", "value"]].values.tolist() == [
        ["BP1", pytest.approx(1000 * PSI_TO_MPA)], ["SP1", pytest.approx(1500 * PSI_TO_MPA)]]
    assert book.readings["time"].tolist() == [pd.Timestamp("2009-11-05 12:00"),
                                             pd.Timestamp("2009-11-05 18:00")]
    assert book.sensors["depth_m"].tolist() == pytest.approx([50 * 0.3048, 10 * 0.3048])


def test_malformed_sheets(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no header row: expected a row whose first cell "
                                              "is 'Serial Date'"):
        read_pressure_cells(sheet(tmp_path, [["Title"], ["Date", "BP1 cell pressure (psi)"]]))
    with pytest.raises(ValidationError, match="no sensor columns"):
        read_pressure_cells(sheet(tmp_path, [["Serial Date", "Temperature (C)"], [40122, 3]]))
    with pytest.raises(ValidationError) as err:
        read_pressure_cells(sheet(tmp_path, [HEAD, [40122.5, None, None, 1, 0, 0, "broken", 1],
                                             [None, None, None, 1, 0, 0, 1000, 1]]))
    messages = [str(p) for p in err.value.problems]
    assert messages == [
        "cells.xlsx, row 2, column BP1: expected a number, got 'broken'",
        "cells.xlsx, row 3, column Serial Date: a reading without a time: expected an Excel "
        "serial date"]
    with pytest.raises(ValidationError, match="row 5, column SP1: expected a number"):
        read_pressure_cells(sheet(tmp_path, [["Title"], [], [], HEAD,
                                             [40122.5, None, None, 1, 0, 0, 1, "n/a?"]]))
    with pytest.raises(ValidationError, match="sensor columns repeated: BP1"):
        read_pressure_cells(sheet(tmp_path, [[*HEAD, "BP1 cell pressure (psi)"]]))
    with pytest.raises(ValidationError, match="cannot read the workbook"):
        read_pressure_cells(tmp_path / "missing.xlsx")
