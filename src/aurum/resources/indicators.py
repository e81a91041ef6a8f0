"""Industrial indicators (工业指标) that delineate orebodies, and DZ/T 0205-2020's reference values.

A deposit's industrial indicators are set by its own feasibility argument (工业指标论证) and
approved with its reserve report; the reference values of DZ/T 0205-2020 (矿产地质勘查规范 岩金)
for rock gold, shipped as ``aurum/resources/data/dzt0205_2020.yaml``, are the defaults a
deposit overrides field by field. The names say g/t (gold), but any grade unit works as long
as every grade field is in the grade column's unit (per cent for copper).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from importlib import resources
from numbers import Real
from typing import Any

import yaml

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

INDICATORS_FILE = "dzt0205_2020.yaml"
MINING_METHODS = ("underground", "open_pit")
"""Mining methods DZ/T 0205-2020 gives reference indicators for (坑采, 露采)."""


@dataclass(frozen=True)
class IndustrialIndicators:
    """The industrial indicators single-hole delineation applies.

    Every field is a reference value of DZ/T 0205-2020 when taken from
    :func:`reference_indicators`, and a deposit's own value when its approved indicators say
    otherwise (:meth:`from_mapping` builds them from any mapping of the fields).

    Parameters
    ----------
    cutoff_gpt : float
        Cut-off grade (边界品位): the lowest grade of a sample counted as ore, in the grade
        column's unit (g/t for gold); above 0 and at most ``min_industrial_gpt``.
    min_industrial_gpt : float
        Minimum industrial grade (最低工业品位): the lowest length-weighted grade of an
        industrial orebody in one hole, same unit; above 0.
    min_thickness_m : float
        Minimum mining thickness (最小可采厚度), m; above 0.
    max_waste_m : float
        Internal-waste thickness (夹石剔除厚度), m: waste this long or longer splits an
        orebody; above 0.
    min_metre_grade : float or None
        Minimum metre-grade (最低工业米·克/吨值), m × grade unit (m·g/t): a thinner interval at
        least this rich still counts as industrial; None for ``min_industrial_gpt ×
        min_thickness_m``.

    Raises
    ------
    ValidationError
        One :class:`~aurum.core.errors.Problem` per bad field, naming the field.
    """

    cutoff_gpt: float
    min_industrial_gpt: float
    min_thickness_m: float
    max_waste_m: float
    min_metre_grade: float | None = None

    def __post_init__(self) -> None:
        problems = _problems(asdict(self))
        if problems:
            raise ValidationError(problems)

    @property
    def metre_grade_floor(self) -> float:
        """The metre-grade (m × grade unit) a thin interval needs to count as industrial."""
        if self.min_metre_grade is not None:
            return self.min_metre_grade
        return self.min_industrial_gpt * self.min_thickness_m

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any],
                     source: str | None = None) -> IndustrialIndicators:
        """Indicators from a mapping of the field names (a form, a JSON body, a YAML block).

        Parameters
        ----------
        values : Mapping[str, Any]
            ``cutoff_gpt`` (grade unit), ``min_industrial_gpt`` (grade unit),
            ``min_thickness_m`` (m), ``max_waste_m`` (m), optionally ``min_metre_grade``
            (m × grade unit); numbers or numeric strings.
        source : str, optional
            Where the values came from (a file name), named in the problems.

        Returns
        -------
        IndustrialIndicators

        Raises
        ------
        ValidationError
            One problem per missing, unknown or bad field.
        """
        known = [f.name for f in fields(cls)]
        problems = [Problem(_("unknown field; expected one of %(fields)s",
                              fields=", ".join(known)), column=str(k), source=source)
                    for k in values if k not in known]
        problems += [Problem(_("missing; expected a number above 0"), column=name,
                             source=source)
                     for name in known[:4] if values.get(name) is None]
        given = {k: _number(values[k]) for k in known if values.get(k) is not None}
        problems += _problems(given, source)
        if problems:
            raise ValidationError(problems)
        return cls(**given)

    def as_dict(self) -> dict[str, float | None]:
        """The fields by name (what :meth:`from_mapping` takes back)."""
        return asdict(self)


def _number(value: Any) -> Any:
    """A numeric string as a float; anything else unchanged (checked by :func:`_problems`)."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _problems(values: Mapping[str, Any], source: str | None = None) -> list[Problem]:
    """At most one problem per field: not a finite number above 0, then the cut-off above the
    minimum industrial grade."""
    problems: list[Problem] = []
    good: dict[str, float] = {}
    for name, value in values.items():
        if value is None:
            continue
        is_number = isinstance(value, Real) and not isinstance(value, bool)
        if not is_number or not math.isfinite(value) or value <= 0:
            problems.append(Problem(_("expected a finite number above 0, got %(value)s",
                                      value=repr(value)), column=name, source=source))
        else:
            good[name] = float(value)
    if ("cutoff_gpt" in good and "min_industrial_gpt" in good
            and good["cutoff_gpt"] > good["min_industrial_gpt"]):
        problems.append(Problem(
            _("the cut-off grade %(cutoff)s is above the minimum industrial grade "
              "%(industrial)s; expected a cut-off at most the minimum industrial grade",
              cutoff=good["cutoff_gpt"], industrial=good["min_industrial_gpt"]),
            column="cutoff_gpt", source=source))
    return problems


@functools.cache
def _reference_document() -> dict[str, Any]:
    text = resources.files("aurum.resources").joinpath("data", INDICATORS_FILE).read_text(
        "utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    return document


def reference_indicators(mining: str = "underground") -> IndustrialIndicators:
    """DZ/T 0205-2020's reference industrial indicators for rock gold (岩金).

    The values are references: the standard gives ranges and a deposit's approved indicators
    override each of them (build those with :meth:`IndustrialIndicators.from_mapping`). The
    data file cites the standard's table and says which point of each range is taken.

    Parameters
    ----------
    mining : {"underground", "open_pit"}
        Mining method (坑采 or 露采): the reference values differ.

    Returns
    -------
    IndustrialIndicators
        Grades in g/t, thicknesses in m; the metre-grade floor is the minimum industrial grade
        times the minimum mining thickness.

    Raises
    ------
    ValidationError
        ``mining`` is not one of :data:`MINING_METHODS`.
    """
    if mining not in MINING_METHODS:
        raise ValidationError(Problem(
            _("unknown mining method %(mining)r; expected one of %(methods)s", mining=mining,
              methods=", ".join(MINING_METHODS)), column="mining"))
    table = _reference_document()["mining"][mining]
    return IndustrialIndicators.from_mapping(
        {name: table[name]["value"] for name in
         ("cutoff_gpt", "min_industrial_gpt", "min_thickness_m", "max_waste_m")},
        source=INDICATORS_FILE)
