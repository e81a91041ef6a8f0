"""The effect of applying a standard (标准实施效果评价): indicators measured before and after
an organisation applied it, their relative change, and a summary by standard.

For one indicator with value ``b`` before and ``a`` after, the relative change is
``r = (a − b) / |b|`` (undefined when ``b = 0``: only the absolute change ``a − b`` is
given). Whether a change is an improvement depends on the indicator: for one where *higher is
better* (recovery, utilisation of tailings) the improvement is ``r``; where *lower is better*
(energy per tonne, cyanide in the residue, incidents) it is ``−r``.

A standard's summary gathers its implementation records: per indicator (by name and unit)
the number of records, the mean improvement over those with a defined relative change, and
the share of records that improved (``a`` better than ``b`` in the indicator's direction).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

MAX_INDICATORS = 20
"""Most indicators one implementation record carries."""
MAX_NAME_CHARS = 100
MAX_UNIT_CHARS = 30
MAX_ABS_VALUE = 1e12
"""Largest magnitude of an indicator's value, in its unit: beyond any real figure of a mine
or a plant (tonnes, kWh, CNY), and far from float overflow."""


class Direction(StrEnum):
    """Which way an indicator improves."""

    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True)
class Indicator:
    """One indicator of an implementation record.

    Attributes
    ----------
    name : str
        What is measured (``gold recovery``, ``energy per tonne of ore``).
    unit : str
        Its unit (``%``, ``kWh/t``, ``mg/kg``); the same before and after.
    before, after : float
        The values before and after the standard was applied, in ``unit``.
    better : Direction
        Whether higher or lower values are better.
    """

    name: str
    unit: str
    before: float
    after: float
    better: Direction

    @property
    def change(self) -> float:
        """Absolute change ``after − before``, in ``unit``."""
        return self.after - self.before

    @property
    def relative_change(self) -> float | None:
        """``(after − before) / |before|`` (a fraction), None when ``before`` is 0."""
        return None if self.before == 0 else self.change / abs(self.before)

    @property
    def improvement(self) -> float | None:
        """The relative change signed so that positive is better (a fraction), or None."""
        r = self.relative_change
        if r is None:
            return None
        return r if self.better is Direction.HIGHER else -r

    @property
    def improved(self) -> bool:
        """Whether ``after`` is strictly better than ``before``."""
        return self.change > 0 if self.better is Direction.HIGHER else self.change < 0

    def as_dict(self) -> dict[str, object]:
        """The indicator with its computed change, as stored with a record."""
        return {"name": self.name, "unit": self.unit, "before": self.before,
                "after": self.after, "better": self.better.value, "change": self.change,
                "relative_change": self.relative_change, "improvement": self.improvement,
                "improved": self.improved}


def indicators_of(items: object, field: str = "indicators", source: str | None = None,
                  row: int | None = None) -> tuple[Indicator, ...]:
    """Indicators from a list of mappings ``{name, unit, before, after, better}``.

    Raises
    ------
    ValidationError
        Every problem found (by indicator and field): not a list, none or more than
        :data:`MAX_INDICATORS`, a missing or too long name or unit, a value that is not a
        finite number within ±:data:`MAX_ABS_VALUE`, ``better`` not ``higher``/``lower``, a
        name given twice.
    """
    def where(i: int, key: str) -> str:
        return f"{field}[{i + 1}].{key}"

    if not isinstance(items, Sequence) or isinstance(items, str | bytes) or not items:
        raise ValidationError(Problem(_("expected a list of 1 to %(n)s indicators",
                                        n=MAX_INDICATORS), row=row, column=field,
                                      source=source))
    if len(items) > MAX_INDICATORS:
        raise ValidationError(Problem(_("at most %(n)s indicators, got %(got)s",
                                        n=MAX_INDICATORS, got=len(items)), row=row,
                                      column=field, source=source))
    problems: list[Problem] = []
    found: list[Indicator] = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            problems.append(Problem(_("expected {name, unit, before, after, better}"),
                                    row=row, column=where(i, "*"), source=source))
            continue
        texts: dict[str, str] = {}
        for key, most in (("name", MAX_NAME_CHARS), ("unit", MAX_UNIT_CHARS)):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip() or len(value.strip()) > most:
                problems.append(Problem(_("expected a text of 1 to %(n)s characters",
                                          n=most), row=row, column=where(i, key),
                                        source=source))
            else:
                texts[key] = value.strip()
        values: dict[str, float] = {}
        for key in ("before", "after"):
            value = item.get(key)
            number = value if isinstance(value, int | float) and not isinstance(
                value, bool) else None
            if number is None or not math.isfinite(number) or abs(number) > MAX_ABS_VALUE:
                problems.append(Problem(_("expected a finite number (in the indicator's "
                                          "unit), got %(v)s", v=repr(value)), row=row,
                                        column=where(i, key), source=source))
            else:
                values[key] = float(number)
        try:
            better = Direction(str(item.get("better", "")).strip().lower())
        except ValueError:
            problems.append(Problem(_("expected 'higher' or 'lower' (which way is better), "
                                      "got %(v)s", v=repr(item.get("better"))), row=row,
                                    column=where(i, "better"), source=source))
            continue
        if len(texts) == 2 and len(values) == 2:
            found.append(Indicator(texts["name"], texts["unit"], values["before"],
                                   values["after"], better))
    names = [x.name.casefold() for x in found]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem(_("the indicator %(name)s is given twice", name=repr(name)),
                                row=row, column=field, source=source))
    if problems:
        raise ValidationError(problems)
    return tuple(found)


@dataclass(frozen=True)
class IndicatorSummary:
    """One indicator of a standard's summary over its implementation records.

    Attributes
    ----------
    name, unit : str
        The indicator (records are grouped by both).
    better : Direction
        Its direction (of the first record; records that disagree are counted apart).
    records : int
        Records that measured it.
    mean_improvement : float or None
        Mean of the records' improvements (fractions) with a defined relative change.
    improved_share : float
        Share of the records that improved (0 … 1).
    """

    name: str
    unit: str
    better: Direction
    records: int
    mean_improvement: float | None
    improved_share: float


@dataclass(frozen=True)
class EffectSummary:
    """A standard's effect over its implementation records."""

    records: int
    organisations: int
    indicators: tuple[IndicatorSummary, ...]

    @property
    def improved_share(self) -> float | None:
        """Share of all (record, indicator) pairs that improved, or None without any."""
        total = sum(s.records for s in self.indicators)
        if not total:
            return None
        return sum(s.improved_share * s.records for s in self.indicators) / total


def summarise(records: Iterable[tuple[object, Sequence[Indicator]]]) -> EffectSummary:
    """Summarise a standard's implementation records.

    Parameters
    ----------
    records : iterable of (organisation, indicators)
        Each record's organisation (any hashable key) and its indicators.

    Returns
    -------
    EffectSummary
        Per (name, unit, direction): count, mean improvement, share improved; in the order
        the indicators first appear.
    """
    groups: dict[tuple[str, str, Direction], list[Indicator]] = {}
    orgs: set[object] = set()
    count = 0
    for org, indicators in records:
        count += 1
        orgs.add(org)
        for x in indicators:
            groups.setdefault((x.name, x.unit, x.better), []).append(x)
    summaries = []
    for (name, unit, better), xs in groups.items():
        improvements = [x.improvement for x in xs if x.improvement is not None]
        summaries.append(IndicatorSummary(
            name, unit, better, len(xs),
            None if not improvements else sum(improvements) / len(improvements),
            sum(x.improved for x in xs) / len(xs)))
    return EffectSummary(count, len(orgs), tuple(summaries))
