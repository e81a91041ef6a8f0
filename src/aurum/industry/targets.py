"""The plan's 2027 targets, read from versioned data.

The figures live in ``aurum/industry/data/plan_targets_2027.yaml`` (shipped as package data) so
that the plan's numbers and their citations can be reviewed, and revised, without touching the
KPI engine. :func:`load_targets` reads and validates that file once per process.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Any, TypeVar

import yaml

from aurum.core.checks import FIRST_YEAR, LAST_YEAR, YEARS
from aurum.core.errors import Problem, ValidationError
from aurum.industry.registry import PlantType

TARGETS_FILE = "plan_targets_2027.yaml"

T = TypeVar("T")


class IndicatorKind(StrEnum):
    """How an indicator's target is expressed."""

    GROWTH = "growth"
    """Percentage change of a national quantity against the baseline year."""
    SHARE = "share"
    """A percentage share in the year itself."""


@dataclass(frozen=True)
class IndicatorTarget:
    """The plan's target for one indicator.

    Parameters
    ----------
    id : str
        Stable identifier, e.g. ``gold_output_growth_pct``.
    label : str
        Human label.
    unit : str
        Unit of the indicator value and of the target (``%``).
    kind : IndicatorKind
        Growth against the baseline year or share in the year.
    target : float
        Value to reach by the target year, in ``unit``.
    citation : str
        Section of the plan the target comes from, with the quoted sentence.
    target_max : float or None
        Upper end where the plan gives a range (resources: 5-10 %); informative only, exceeding
        it does not make an indicator miss its target.
    """

    id: str
    label: str
    unit: str
    kind: IndicatorKind
    target: float
    citation: str
    target_max: float | None = None


@dataclass(frozen=True)
class PlanTargets:
    """The plan's targets and rules, as one validated document.

    Parameters
    ----------
    version : str
        Version of the targets file.
    title, document, issued_by : str
        Plan title, document number and issuing departments.
    issued_on : date
        Date of issue.
    baseline_year, target_year : int
        Year growth is measured from (2024) and year the targets are due (2027).
    at_risk_fraction : float
        Fraction of the way from baseline to target that separates ``at_risk`` from
        ``off_track`` (a product choice, see :mod:`aurum.industry.kpi`).
    large_mine_capacity_t_per_day : float
        Daily ore processing capacity from which a mine counts as large, t/d.
    indicators : tuple of IndicatorTarget
        One entry per indicator.
    plant_floors_t_per_day : Mapping[str, float]
        Minimum daily processing capacity of new plants by plant type, t/d.
    plant_floors_effective_from : date
        Plants commissioned on or after this date are held to the floors.
    plant_floors_citation : str
        Section of the plan the floors come from.
    published_mine_gold_output_t : float
        National mine gold output of the baseline year as published, t; quoted to show how much
        of the industry the reported sites cover.
    """

    version: str
    title: str
    document: str
    issued_by: str
    issued_on: date
    baseline_year: int
    target_year: int
    at_risk_fraction: float
    large_mine_capacity_t_per_day: float
    indicators: tuple[IndicatorTarget, ...]
    plant_floors_t_per_day: Mapping[str, float]
    plant_floors_effective_from: date
    plant_floors_citation: str
    published_mine_gold_output_t: float

    def indicator(self, indicator_id: str) -> IndicatorTarget:
        """The target of one indicator; ``KeyError`` when this version has none."""
        for target in self.indicators:
            if target.id == indicator_id:
                return target
        raise KeyError(f"plan targets version {self.version} have no indicator {indicator_id!r}")


@functools.cache
def load_targets() -> PlanTargets:
    """The plan targets shipped with Aurum (read and validated once per process).

    Raises
    ------
    ValidationError
        When the shipped file is malformed (one problem per bad entry).
    """
    text = (resources.files("aurum.industry") / "data" / TARGETS_FILE).read_text(encoding="utf-8")
    return parse_targets(yaml.safe_load(text), source=TARGETS_FILE)


def parse_targets(document: Any, source: str | None = None) -> PlanTargets:
    """Validate a targets document (the YAML file, parsed) into :class:`PlanTargets`.

    Parameters
    ----------
    document : Any
        The parsed YAML: a mapping laid out as ``plan_targets_2027.yaml``.
    source : str, optional
        File name for the messages.

    Raises
    ------
    ValidationError
        With one problem per missing or malformed entry; the problem's ``column`` is the path
        of the entry, e.g. ``indicators[2].target``.
    """
    r = _Reader(source)
    doc = r.mapping(document, "")
    src = r.mapping(doc.get("source"), "source")
    floors = r.mapping(doc.get("plant_scale_floors"), "plant_scale_floors")
    published = r.mapping(doc.get("published_baseline"), "published_baseline")
    baseline_year = r.take(doc, "baseline_year", int)
    target_year = r.take(doc, "target_year", int)
    # The engine builds one column per year from the baseline: both years are platform years.
    for key, year in (("baseline_year", baseline_year), ("target_year", target_year)):
        if key in doc and not YEARS.contains(year):
            r.problem(key, f"expected a year from {FIRST_YEAR} to {LAST_YEAR}, got {year}")
    if target_year <= baseline_year:
        r.problem("target_year", f"expected a year after baseline_year {baseline_year}")
    fraction = r.number(doc, "at_risk_fraction")
    if not 0 < fraction <= 1:
        r.problem("at_risk_fraction", f"expected a fraction in (0, 1], got {fraction:g}")
    items = r.take(doc, "indicators", list)
    if not items:
        r.problem("indicators", "expected at least one indicator")
    indicators = tuple(r.indicator(item, f"indicators[{i}]") for i, item in enumerate(items))
    ids = [t.id for t in indicators]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        r.problem("indicators", f"indicator {dup!r} appears more than once")
    floor_values = r.mapping(floors.get("floors_t_per_day"), "plant_scale_floors.floors_t_per_day")
    plant_types = {p.value for p in PlantType}
    for plant_type in floor_values:
        if plant_type not in plant_types:
            r.problem(f"plant_scale_floors.floors_t_per_day.{plant_type}",
                      f"unknown plant type; expected one of {', '.join(sorted(plant_types))}")
    plant_floors = {str(k): r.positive(floor_values, k, "plant_scale_floors.floors_t_per_day.")
                    for k in floor_values}
    targets = PlanTargets(
        version=r.text(doc, "version"),
        title=r.text(src, "title", "source."),
        document=r.text(src, "document", "source."),
        issued_by=r.text(src, "issued_by", "source."),
        issued_on=r.take(src, "date", date, "source."),
        baseline_year=baseline_year,
        target_year=target_year,
        at_risk_fraction=fraction,
        large_mine_capacity_t_per_day=r.positive(doc, "large_mine_min_daily_capacity_t"),
        indicators=indicators,
        plant_floors_t_per_day=MappingProxyType(plant_floors),
        plant_floors_effective_from=r.take(floors, "effective_from", date, "plant_scale_floors."),
        plant_floors_citation=r.text(floors, "citation", "plant_scale_floors."),
        published_mine_gold_output_t=r.positive(published, "mine_gold_output_t",
                                                "published_baseline."),
    )
    if r.problems:
        raise ValidationError(r.problems)
    return targets


class _Reader:
    """Reads entries of the document, collecting a problem for each bad one.

    A bad entry yields a neutral stand-in value so that reading goes on and every problem of the
    file is reported at once; the stand-ins never escape because problems raise at the end.
    """

    _STAND_INS: Mapping[type, Any] = MappingProxyType(
        {int: 0, float: 0.0, str: "", list: [], date: date.min})
    _NAMES: Mapping[type, str] = MappingProxyType(
        {int: "an integer", float: "a number", str: "text", list: "a list",
         date: "a date (YYYY-MM-DD)"})

    def __init__(self, source: str | None):
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(message, column=path or None, source=self.source))

    def take(self, data: Mapping[str, Any], key: str, kind: type[T], prefix: str = "") -> T:
        value = data.get(key)
        if kind is float and type(value) is int:
            value = float(value)
        # Exact types: a bool is an int and a datetime a date to isinstance, not to the file.
        if type(value) is not kind:
            found = "nothing" if value is None else repr(value)
            self.problem(prefix + key, f"expected {self._NAMES[kind]}, got {found}")
            return self._STAND_INS[kind]
        return value

    def mapping(self, value: Any, path: str) -> Mapping[str, Any]:
        if isinstance(value, Mapping):
            return value
        self.problem(path, f"expected a mapping, got {'nothing' if value is None else repr(value)}")
        return {}

    def text(self, data: Mapping[str, Any], key: str, prefix: str = "") -> str:
        value = self.take(data, key, str, prefix).strip()
        if not value and key in data:
            self.problem(prefix + key, "expected non-empty text")
        return value

    def number(self, data: Mapping[str, Any], key: str, prefix: str = "") -> float:
        return self.take(data, key, float, prefix)

    def positive(self, data: Mapping[str, Any], key: str, prefix: str = "") -> float:
        value = self.number(data, key, prefix)
        if key in data and value <= 0:
            self.problem(prefix + key, f"expected a number > 0, got {value:g}")
        return value

    def indicator(self, item: Any, path: str) -> IndicatorTarget:
        data = self.mapping(item, path)
        prefix = f"{path}."
        kind = self.text(data, "kind", prefix)
        kinds = [k.value for k in IndicatorKind]
        if kind not in kinds:
            self.problem(prefix + "kind", f"expected one of {', '.join(kinds)}, got {kind!r}")
            kind = IndicatorKind.GROWTH.value
        target = self.number(data, "target", prefix)
        target_max = self.number(data, "target_max", prefix) if "target_max" in data else None
        if target_max is not None and target_max < target:
            self.problem(prefix + "target_max", f"expected a value >= target {target:g}")
        return IndicatorTarget(
            id=self.text(data, "id", prefix),
            label=self.text(data, "label", prefix),
            unit=self.text(data, "unit", prefix),
            kind=IndicatorKind(kind),
            target=target,
            citation=self.text(data, "citation", prefix),
            target_max=target_max,
        )
