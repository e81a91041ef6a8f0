"""Alarm rules as data: the form a sensor's own rules are stored and sent in (JSON or YAML),
read into the rules of :mod:`aurum.safety.sensors`, and the trailing windows they look back
over."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.safety.sensors import (
    AccumulationRule,
    AlarmLevel,
    Direction,
    LevelThresholds,
    RateRule,
    Rule,
    ThresholdRule,
    TrendRule,
)
from aurum.safety.tailings import load_tables

RULE_KINDS = ("threshold", "rate", "trend", "accumulation")


def parse_rules(document: Any, source: str | None = None) -> list[Rule]:
    """Alarm rules from their data form (JSON or YAML), validated.

    Each rule is a mapping: ``kind`` (``threshold``: the reading; ``rate``: change over a
    trailing window per ``per_h``; ``trend``: least-squares slope over the window per
    ``per_h``; ``accumulation``: sum over the window), ``levels`` (threshold per level name,
    ``blue``..``red``, in the sensor's unit, per ``per_h`` hours for rates and trends),
    ``direction`` (``above``, the default, or ``below``), ``window_h`` (window, h; rates,
    trends and sums), ``per_h`` (time unit of a rate, h; default 24) and ``min_points``
    (fewest samples of a trend; default 3).

    Raises
    ------
    ValidationError
        One problem per bad field, naming the rule (``rules[2].levels``...).
    """
    if not isinstance(document, list):
        raise ValidationError(Problem(_("expected a list of rules"), column="rules",
                                      source=source))
    rules: list[Rule] = []
    problems: list[Problem] = []
    for n, entry in enumerate(document, start=1):
        where = f"rules[{n}]"
        try:
            rules.append(_rule(entry, where))
        except ValidationError as exc:
            problems += [Problem(p.message, column=p.column or where, source=source)
                         for p in exc.problems]
    if problems:
        raise ValidationError(problems)
    return rules


def _rule(entry: Any, where: str) -> Rule:
    if not isinstance(entry, Mapping):
        raise ValidationError(Problem(_("expected a mapping with kind and levels"),
                                      column=where))
    kind = entry.get("kind")
    if kind not in RULE_KINDS:
        raise ValidationError(Problem(_("unknown kind %(kind)r: expected one of %(known)s",
                                        kind=kind, known=", ".join(RULE_KINDS)),
                                      column=f"{where}.kind"))
    try:
        direction = Direction(entry.get("direction", "above"))
    except ValueError:
        raise ValidationError(Problem(_("expected direction above or below"),
                                      column=f"{where}.direction")) from None
    levels = entry.get("levels")
    if not isinstance(levels, Mapping) or not levels:
        raise ValidationError(Problem(_("expected levels such as {yellow: 1.0, red: 2.0}"),
                                      column=f"{where}.levels"))
    try:
        values = {AlarmLevel.parse(str(k)): _number(v, f"{where}.levels.{k}")
                  for k, v in levels.items()}
        thresholds = LevelThresholds(direction, values)
    except ValidationError as exc:
        raise ValidationError([Problem(p.message, column=p.column or f"{where}.levels")
                               for p in exc.problems]) from None
    if kind == "threshold":
        return ThresholdRule(thresholds)
    window = pd.Timedelta(hours=_positive(entry.get("window_h"), f"{where}.window_h"))
    if kind == "accumulation":
        return AccumulationRule(thresholds, window)
    per = pd.Timedelta(hours=_positive(entry.get("per_h", 24), f"{where}.per_h"))
    if kind == "rate":
        return RateRule(thresholds, window, per)
    min_points = entry.get("min_points", 3)
    if not isinstance(min_points, int) or min_points < 2:
        raise ValidationError(Problem(_("expected an integer >= 2"),
                                      column=f"{where}.min_points"))
    return TrendRule(thresholds, window, per, min_points)


def _number(value: Any, column: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise ValidationError(Problem(_("expected a number, got %(value)r", value=value),
                                      column=column))
    return float(value)


def _positive(value: Any, column: str) -> float:
    number = _number(value, column)
    if number <= 0:
        raise ValidationError(Problem(_("expected hours > 0, got %(value)r", value=value),
                                      column=column))
    return number


def rules_to_data(rules: Sequence[Rule]) -> list[dict[str, Any]]:
    """The data form of rules (what :func:`parse_rules` reads)."""
    out = []
    for rule in rules:
        entry: dict[str, Any] = {
            "kind": {"value": "threshold"}.get(rule.name, rule.name),
            "direction": rule.thresholds.direction.value,
            "levels": {lv.label: v for lv, v in sorted(rule.thresholds.values.items())}}
        if not isinstance(rule, ThresholdRule):
            entry["window_h"] = rule.window / pd.Timedelta(hours=1)
        if isinstance(rule, RateRule | TrendRule):
            entry["per_h"] = rule.per / pd.Timedelta(hours=1)
        if isinstance(rule, TrendRule):
            entry["min_points"] = rule.min_points
        out.append(entry)
    return out


def rules_window(rules: Sequence[Rule]) -> pd.Timedelta:
    """The longest trailing window the rules look back over (0 for thresholds only)."""
    return max((getattr(r, "window", pd.Timedelta(0)) for r in rules), default=pd.Timedelta(0))


def facility_window() -> pd.Timedelta:
    """The longest trailing window of the tailings items' rules (72 h in the shipped
    tables)."""
    specs = load_tables().items.values()
    windows = [w.window for s in specs for w in (s.rate, s.trend, s.accumulation) if w]
    return max(windows, default=pd.Timedelta(0))
