"""Seismic hazard rules as data, evaluated over a catalogue into alerts.

A rule is a record (from YAML, JSON or a database row) naming its kind, a level and a
window:

- ``b_value_below``: the b-value of the last ``n_events`` events at or above Mc falls below
  ``level`` (a sign of stress build-up before larger events);
- ``magnitude_above``: an event's magnitude exceeds ``level``;
- ``energy_index_rise``: the mean log10 energy index of the last ``n_events`` events exceeds
  that of the ``n_events`` before them by more than ``level`` (log10 units; stress rising
  in the source volume).

A trend rule raises one alert when its condition becomes true (not again until it has
been false); ``magnitude_above`` raises one per event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.seismic.stats import energy_index_trend, mc_maximum_curvature, moving_b_value

RULE_KINDS = ("b_value_below", "magnitude_above", "energy_index_rise")
SEVERITIES = ("info", "warning", "alarm")
ALERT_COLUMNS = ["rule_id", "severity", "time", "message", "value"]


@dataclass(frozen=True)
class HazardRule:
    """One hazard rule.

    Parameters
    ----------
    id : str
        Rule id, quoted by its alerts.
    kind : str
        One of :data:`RULE_KINDS`.
    level : float
        Threshold: a b-value, a magnitude, or a rise of mean log10 energy index.
    severity : str
        One of :data:`SEVERITIES`.
    n_events : int
        Window of the trend rules, events.
    magnitude : str
        Catalogue magnitude column (``mw`` or ``ml``).
    mc : float or None
        Magnitude of completeness of ``b_value_below`` (None: maximum curvature + 0.2 over
        the catalogue).
    delta_m : float
        Magnitude bin width.
    """

    id: str
    kind: str
    level: float
    severity: str = "warning"
    n_events: int = 100
    magnitude: str = "mw"
    mc: float | None = None
    delta_m: float = 0.1


def rules_from_records(records: Iterable[Mapping[str, object]], source: str = "rules"
                       ) -> list[HazardRule]:
    """Rules from plain records, every problem reported.

    Parameters
    ----------
    records : iterable of mapping
        Keys of :class:`HazardRule` (``id``, ``kind`` and ``level`` required).
    source : str
        Name of the rule file, for the messages.

    Returns
    -------
    list of HazardRule

    Raises
    ------
    ValidationError
        Missing or unknown keys, an unknown kind or severity, a level that is not a
        number, a window under 2 events, repeated ids.
    """
    fields = set(HazardRule.__dataclass_fields__)
    rules, problems, seen = [], [], set()
    for i, record in enumerate(records, start=1):
        missing = [k for k in ("id", "kind", "level") if k not in record]
        unknown = sorted(set(record) - fields)
        if missing or unknown:
            problems.append(Problem(_("rule %(n)s: missing %(missing)s, unknown %(unknown)s; "
                                      "expected keys %(keys)s", n=i, missing=missing,
                                      unknown=unknown, keys=sorted(fields)), source=source))
            continue
        try:
            rule = HazardRule(**{k: record[k] for k in record})  # type: ignore[arg-type]
            level = float(rule.level)
            n_events = int(rule.n_events)
        except (TypeError, ValueError) as exc:
            problems.append(Problem(_("rule %(n)s: %(error)s", n=i, error=exc), source=source))
            continue
        if rule.kind not in RULE_KINDS:
            problems.append(Problem(_("rule %(n)s: kind %(kind)r is not one of %(known)s",
                                      n=i, kind=rule.kind, known=RULE_KINDS),
                                    column="kind", source=source))
        elif rule.severity not in SEVERITIES:
            problems.append(Problem(_("rule %(n)s: severity %(severity)r is not one of "
                                      "%(known)s", n=i, severity=rule.severity,
                                      known=SEVERITIES), column="severity", source=source))
        elif not np.isfinite(level) or n_events < 2:
            problems.append(Problem(_("rule %(n)s: level must be a number and n_events ≥ 2",
                                      n=i), source=source))
        elif rule.id in seen:
            problems.append(Problem(_("rule %(n)s: id %(id)r repeated", n=i, id=rule.id),
                                    column="id", source=source))
        else:
            seen.add(rule.id)
            rules.append(HazardRule(str(rule.id), rule.kind, level, rule.severity, n_events,
                                    str(rule.magnitude),
                                    None if rule.mc is None else float(rule.mc),
                                    float(rule.delta_m)))
    if problems:
        raise ValidationError(problems)
    return rules


def _onsets(condition: np.ndarray) -> np.ndarray:
    """Indices where a condition turns true."""
    c = np.asarray(condition, dtype=bool)
    return np.flatnonzero(c & ~np.r_[False, c[:-1]])


def _alerts_of(rule: HazardRule, catalogue: pd.DataFrame) -> pd.DataFrame:
    if rule.kind == "magnitude_above":
        hit = catalogue[catalogue[rule.magnitude] > rule.level]
        return pd.DataFrame({
            "time": hit["time"], "value": hit[rule.magnitude],
            "message": [_("%(magnitude)s %(value)s above %(level)s (event %(event)s)",
                          magnitude=rule.magnitude.upper(), value=format(m, ".2f"),
                          level=format(rule.level, "g"), event=e)
                        for m, e in zip(hit[rule.magnitude], hit["event"], strict=True)]})
    if rule.kind == "b_value_below":
        mc = rule.mc if rule.mc is not None else mc_maximum_curvature(
            catalogue[rule.magnitude], rule.delta_m)
        trend = moving_b_value(catalogue, rule.magnitude, mc, rule.delta_m, rule.n_events)
        idx = _onsets(np.array(trend["b"], float) < rule.level)
        rows = trend.iloc[idx]
        return pd.DataFrame({
            "time": rows["time"], "value": rows["b"],
            "message": [_("b-value %(b)s ± %(std)s over the last %(n)s events (Mc %(mc)s) "
                          "fell below %(level)s", b=format(b, ".2f"), std=format(s, ".2f"),
                          n=rule.n_events, mc=format(mc, "g"), level=format(rule.level, "g"))
                        for b, s in zip(rows["b"], rows["b_std"], strict=True)]})
    trend = energy_index_trend(catalogue, rule.n_events)
    mean = np.array(trend["log_ei_mean"], float)
    # The window before each one; none yet for the first n_events (or a shorter catalogue).
    before = np.full(mean.size, np.nan)
    before[rule.n_events:] = mean[:-rule.n_events]
    rise = mean - before
    idx = _onsets(np.nan_to_num(rise, nan=-np.inf) > rule.level)
    return pd.DataFrame({
        "time": trend["time"].iloc[idx], "value": rise[idx],
        "message": [_("mean log10 energy index of the last %(n)s events rose by %(rise)s "
                      "(more than %(level)s) over the %(n)s before", n=rule.n_events,
                      rise=format(r, ".2f"), level=format(rule.level, "g"))
                    for r in rise[idx]]})


def evaluate(catalogue: pd.DataFrame, rules: Iterable[HazardRule]) -> pd.DataFrame:
    """Alerts raised by rules over a catalogue.

    Parameters
    ----------
    catalogue : pandas.DataFrame
        Catalogue frame (``event``, ``time``, magnitudes, ``energy`` in J and ``moment`` in
        N·m for the energy-index rule); blasts (``event_type == "blast"``) are left out.
    rules : iterable of HazardRule
        The rules.

    Returns
    -------
    pandas.DataFrame
        :data:`ALERT_COLUMNS`, in time order.
    """
    events = catalogue
    if "event_type" in catalogue:
        events = catalogue[catalogue["event_type"] != "blast"]
    events = events.sort_values("time", kind="stable")
    frames = []
    for rule in rules:
        if rule.kind != "energy_index_rise" and rule.magnitude not in events:
            raise ValidationError(Problem(_("rule %(rule)s: the catalogue has no %(column)r "
                                            "column", rule=rule.id, column=rule.magnitude),
                                          column=rule.magnitude))
        alerts = _alerts_of(rule, events)
        frames.append(alerts.assign(rule_id=rule.id, severity=rule.severity))
    if not frames:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = pd.concat(frames, ignore_index=True)[ALERT_COLUMNS]
    return out.sort_values("time", kind="stable", ignore_index=True)
