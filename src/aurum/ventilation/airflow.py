"""Required airflow of a working place by the rules of GB 16423-2020, and its comparison with
a solved network.

The limits are data (``aurum/ventilation/data/gb16423_2020.yaml``), each with its clause and
whether the figure was checked against the text. A working place needs the largest of

- people × the airflow per person (the most people working there at once),
- diesel kW × the airflow per kilowatt (the machines working there at once),
- area × the lowest velocity of its kind of place,

and its air must not flow faster than the highest velocity of its kind.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from aurum.core.checks import Interval
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

LIMITS_FILE = "gb16423_2020.yaml"
COUNT = Interval(0, 100_000)
POWER = Interval(0, 1_000_000, "kW")
AREA = Interval(0.1, 10_000, "m²")


@dataclass(frozen=True)
class Limits:
    """The regulation's figures: dry bulb °C, m³/min per person and per kW, velocities m/s."""

    max_dry_bulb_c: float
    per_person_m3_min: float
    per_diesel_kw_m3_min: float
    min_velocity_m_s: Mapping[str, float]
    max_velocity_m_s: Mapping[str, float]


@functools.cache
def load_limits() -> Limits:
    """The shipped GB 16423-2020 limits (read once per process)."""
    text = resources.files("aurum.ventilation").joinpath("data", LIMITS_FILE).read_text("utf-8")
    return parse_limits(yaml.safe_load(text))


def parse_limits(doc: Mapping[str, Any]) -> Limits:
    """The limits from the data file's mapping.

    Parameters
    ----------
    doc : mapping
        The YAML document (see ``gb16423_2020.yaml``).

    Returns
    -------
    Limits
    """
    try:
        return Limits(
            max_dry_bulb_c=float(doc["temperature"]["working_place_max_dry_bulb_c"]),
            per_person_m3_min=float(doc["airflow"]["per_person_m3_min"]),
            per_diesel_kw_m3_min=float(doc["airflow"]["per_diesel_kw_m3_min"]),
            min_velocity_m_s={k: float(v) for k, v in doc["min_velocity_m_s"]["places"].items()},
            max_velocity_m_s={k: float(v) for k, v in doc["max_velocity_m_s"]["places"].items()})
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(Problem(_("expected the GB 16423-2020 tables, missing %(key)s",
                                        key=str(exc)), source=LIMITS_FILE)) from exc


@dataclass(frozen=True)
class RequiredAirflow:
    """A working place's required airflow (m³/s) by each rule, and the one that governs."""

    people_m3s: float
    diesel_m3s: float
    velocity_m3s: float
    required_m3s: float
    governing: str
    max_m3s: float


def required_airflow(people: int, diesel_kw: float, area_m2: float, *, place: str = "drift",
                     limits: Limits | None = None) -> RequiredAirflow:
    """The airflow a working place needs by the regulation's rules.

    Parameters
    ----------
    people : int
        Most people working there at once.
    diesel_kw : float
        Rated power of the diesel machines working there at once, kW.
    area_m2 : float
        Cross-section area of the place, m².
    place : str
        Kind of place for the velocity rules: ``drift`` (drift stopes and development
        headings), ``chamber_stope`` or ``scraper_drift``.
    limits : Limits, optional
        The figures; GB 16423-2020's by default.

    Returns
    -------
    RequiredAirflow
    """
    limits = limits or load_limits()
    COUNT.check("people", people)
    POWER.check("diesel_kw", diesel_kw)
    AREA.check("area_m2", area_m2)
    if place not in limits.min_velocity_m_s:
        raise ValidationError(Problem(_(
            "expected one of %(kinds)s, got '%(place)s'",
            kinds=", ".join(sorted(limits.min_velocity_m_s)), place=place), column="place"))
    by_rule = {"people": people * limits.per_person_m3_min / 60.0,
               "diesel": diesel_kw * limits.per_diesel_kw_m3_min / 60.0,
               "velocity": area_m2 * limits.min_velocity_m_s[place]}
    governing = max(by_rule, key=lambda k: by_rule[k])
    return RequiredAirflow(by_rule["people"], by_rule["diesel"], by_rule["velocity"],
                           by_rule[governing], governing,
                           area_m2 * limits.max_velocity_m_s[place])


@dataclass(frozen=True)
class AirflowComparison:
    """A working place's solved airflow against its requirement (m³/s)."""

    place: str
    solved_m3s: float
    required_m3s: float
    max_m3s: float
    shortfall_m3s: float
    too_fast: bool

    @property
    def ok(self) -> bool:
        return self.shortfall_m3s <= 0 and not self.too_fast


def compare_airflow(required: Mapping[str, RequiredAirflow], solved: Mapping[str, float]
                    ) -> list[AirflowComparison]:
    """Each working place's solved flow (a branch of the network) against its requirement.

    Parameters
    ----------
    required : mapping of str to RequiredAirflow
        Requirement per working place, keyed by the branch that ventilates it.
    solved : mapping of str to float
        Solved flows by branch name, m³/s (``Solution.flows``); the direction does not matter.

    Returns
    -------
    list of AirflowComparison
        In the order of ``required``.
    """
    missing = [name for name in required if name not in solved]
    if missing:
        raise ValidationError([Problem(_("no solved flow for the working place's branch"),
                                       column=name) for name in missing])
    rows = []
    for name, need in required.items():
        flow = abs(float(solved[name]))
        rows.append(AirflowComparison(name, flow, need.required_m3s, need.max_m3s,
                                      need.required_m3s - flow, flow > need.max_m3s))
    return rows
