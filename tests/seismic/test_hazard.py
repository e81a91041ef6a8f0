"""Hazard rules as data over synthetic catalogues whose changes are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.seismic.hazard import ALERT_COLUMNS, evaluate, rules_from_records


def catalogue(seed: int = 0) -> pd.DataFrame:
    """3,000 events an hour apart: b = 1.0 for the first 2,000, then b = 0.6; energy
    index 1 (log E = 1.5 log M0 − 4.8) until event 2,500, then ten times more energy; one
    Mw 2.6 event (number 1,000) and a blast of Mw 3 (number 500)."""
    rng = np.random.default_rng(seed)
    b = np.where(np.arange(3000) < 2000, 1.0, 0.6)
    mw = np.round((rng.exponential(1 / (b * np.log(10)))) / 0.1) * 0.1
    mw = np.minimum(mw, 2.0)
    mw[1000], mw[500] = 2.6, 3.0
    m0 = 10 ** (1.5 * mw + 9.1)
    energy = 10 ** (1.5 * np.log10(m0) - 4.8 + rng.normal(0, 0.05, 3000))
    energy[2500:] *= 10
    return pd.DataFrame({
        "event": [f"e{i}" for i in range(3000)],
        "time": pd.date_range("2025-01-01", periods=3000, freq="h", tz="UTC"),
        "mw": mw, "moment": m0, "energy": energy,
        "event_type": np.where(np.arange(3000) == 500, "blast", "event")})


RULES = [
    {"id": "b-low", "kind": "b_value_below", "level": 0.8, "n_events": 300, "mc": 0.0,
     "severity": "alarm"},
    {"id": "big", "kind": "magnitude_above", "level": 2.5, "severity": "warning"},
    {"id": "ei-up", "kind": "energy_index_rise", "level": 0.5, "n_events": 200},
]


def test_rules_raise_the_expected_alerts() -> None:
    alerts = evaluate(catalogue(), rules_from_records(RULES))
    assert list(alerts.columns) == ALERT_COLUMNS
    assert alerts["time"].is_monotonic_increasing
    by_rule = {k: g for k, g in alerts.groupby("rule_id")}
    big = by_rule["big"]
    assert len(big) == 1 and "event e1000" in big["message"].iloc[0]  # the blast is ignored
    b_low = by_rule["b-low"]
    assert 1 <= len(b_low) <= 3 and (b_low["severity"] == "alarm").all()
    # b first crosses 0.8 once the window holds mostly b = 0.6 events, after event 2,000
    # (and may cross back and again as it wavers about the level)
    when = b_low["time"].iloc[0]
    assert pd.Timestamp("2025-01-01", tz="UTC") + pd.Timedelta(hours=2000) < when \
        < pd.Timestamp("2025-01-01", tz="UTC") + pd.Timedelta(hours=2300)
    assert b_low["value"].iloc[0] < 0.8 and "fell below 0.8" in b_low["message"].iloc[0]
    ei = by_rule["ei-up"]
    assert len(ei) == 1 and ei["severity"].iloc[0] == "warning"
    hour = (ei["time"].iloc[0] - pd.Timestamp("2025-01-01", tz="UTC")) / pd.Timedelta("1h")
    assert 2500 < hour < 2700


def test_no_alert_on_a_quiet_catalogue() -> None:
    quiet = catalogue().iloc[:1800]
    quiet = quiet[quiet["mw"] < 2.5]
    assert evaluate(quiet, rules_from_records(RULES)).empty


def test_a_catalogue_shorter_than_a_window_raises_nothing() -> None:
    # 100 events against windows of 200 and 300: no trend to compare yet, and no error.
    short = catalogue().iloc[:100]
    assert evaluate(short, rules_from_records(RULES[::2])).empty


def test_bad_rules_are_listed() -> None:
    with pytest.raises(ValidationError) as info:
        rules_from_records([
            {"id": "a", "kind": "b_value_below"},
            {"id": "b", "kind": "swarm", "level": 1},
            {"id": "c", "kind": "magnitude_above", "level": 2, "severity": "panic"},
            {"id": "d", "kind": "magnitude_above", "level": "high"},
            {"id": "e", "kind": "magnitude_above", "level": 2, "colour": "red"},
            {"id": "f", "kind": "magnitude_above", "level": 2},
            {"id": "f", "kind": "magnitude_above", "level": 3},
        ], source="rules.yaml")
    messages = [str(p) for p in info.value.problems]
    assert len(messages) == 6
    assert "missing ['level']" in messages[0] and "kind 'swarm'" in messages[1]
    assert "severity 'panic'" in messages[2] and "rule 4" in messages[3]
    assert "unknown ['colour']" in messages[4] and "'f' repeated" in messages[5]
    assert all(m.startswith("rules.yaml") for m in messages)
