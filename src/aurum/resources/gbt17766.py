"""GB/T 17766-2020 categories (固体矿产资源储量分类) and the standard's rules, with the CRIRSCO
names beside them.

A Chinese enterprise reports to the Ministry of Natural Resources in the five categories of
GB/T 17766-2020: resources 探明 / 控制 / 推断 by geological confidence, reserves 证实 / 可信 by
the certainty of the modifying factors (转换因素). The standard's English text uses the CRIRSCO
words (measured, indicated, inferred; proved, probable), so the machine codes are those words
and what a person reads carries the GB/T name with the CRIRSCO name beside it
(:func:`category_label`).

The categories and the rules, each citing its clause, are data
(``aurum/resources/data/gbt17766_2020.yaml``):

- reserves are converted only from measured and indicated resources, by the modifying factors
  (4.1, figure 1; 4.2): measured → proved, or probable when the modifying factors are
  uncertain; indicated → probable; inferred resources are never converted
  (:func:`convert_to_reserves`);
- resources and reserves are published separately and never added together (5.2,
  :func:`check_not_added`);
- the reserves' contained metal is at most that of the resources they come from (the
  definition of a reserve in chapter 2 with 4.2, :func:`check_reserves_within`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources as package_files
from typing import Any, Literal

import yaml

from aurum.core.checks import Interval
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _, is_chinese

DATA_FILE = "gbt17766_2020.yaml"
"""The standard as data, under ``aurum/resources/data``."""
STANDARD = "GB/T 17766-2020"

RESOURCE_CODES: tuple[str, ...] = ("measured", "indicated", "inferred")
"""Resource categories, highest geological confidence first."""
RESERVE_CODES: tuple[str, ...] = ("proved", "probable")
"""Reserve categories, most certain modifying factors first."""

RECOVERY = Interval(0.0, 1.0)
"""Mining recovery (回采率), the fraction of the resource's ore that is mined."""
DILUTION = Interval(0.0, 0.9)
"""Dilution (贫化率), the fraction of waste in the ore mined; 0.9 bounds a typing error (a
per cent given as a fraction) well above any vein's dilution."""


@dataclass(frozen=True)
class Category:
    """One GB/T 17766-2020 category.

    Attributes
    ----------
    code : str
        Machine code (DB columns, CSV, JSON): ``measured``, ``indicated``, ``inferred``,
        ``proved`` or ``probable``.
    kind : {"resource", "reserve"}
        Resource (资源量) or reserve (储量).
    zh : str
        The standard's Chinese term, e.g. 探明资源量.
    zh_short : str
        The term's qualifier alone, e.g. 探明, written beside the English name.
    en : str
        The standard's English term, e.g. ``Measured resources``.
    crirsco : str
        The CRIRSCO class, e.g. ``Measured``.
    clause : str
        Where the standard defines the category, e.g. ``GB/T 17766-2020, 3``.
    converts_to : str or None
        The reserve category a resource converts to with certain modifying factors (None for
        inferred resources, which never convert, and for reserves).
    """

    code: str
    kind: Literal["resource", "reserve"]
    zh: str
    zh_short: str
    en: str
    crirsco: str
    clause: str
    converts_to: str | None


@dataclass(frozen=True)
class Rule:
    """One rule of the standard, with its clause and its text in both languages."""

    key: str
    clause: str
    zh: str
    en: str

    @property
    def text(self) -> str:
        """The rule in the reader's language (the standard's own words for a Chinese
        reader)."""
        return self.zh if is_chinese() else self.en


@dataclass(frozen=True)
class Tonnage:
    """Ore and its contained metal.

    Attributes
    ----------
    ore_t : float
        Ore, t.
    metal_kg : float
        Contained metal, kg.
    """

    ore_t: float
    metal_kg: float

    @property
    def grade_gpt(self) -> float:
        """Mean grade, g/t (NaN without ore)."""
        return self.metal_kg * 1000.0 / self.ore_t if self.ore_t > 0 else float("nan")


@dataclass(frozen=True)
class ModifyingFactors:
    """The modifying factors (转换因素) of a conversion, reduced to what changes the figures.

    Attributes
    ----------
    recovery : float
        Mining recovery, fraction of the resource's ore mined (:data:`RECOVERY`).
    dilution : float
        Dilution, fraction of waste (grade 0) in the ore mined (:data:`DILUTION`).
    certain : bool
        Whether the modifying factors are certain enough for measured resources to become
        proved reserves; when False they become probable reserves (4.1, figure 1).
    """

    recovery: float
    dilution: float = 0.0
    certain: bool = True

    def __post_init__(self) -> None:
        RECOVERY.check("recovery", self.recovery)
        DILUTION.check("dilution", self.dilution)


def _cite(clause: str) -> str:
    return f"{STANDARD}, {clause}"


@cache
def _load() -> tuple[dict[str, Category], dict[str, Rule]]:
    text = (package_files.files("aurum.resources") / "data" / DATA_FILE).read_text(
        encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    categories = {code: Category(code=code, kind=c["kind"], zh=c["zh"], zh_short=c["zh_short"],
                                 en=c["en"], crirsco=c["crirsco"], clause=_cite(c["clause"]),
                                 converts_to=c["converts_to"])
                  for code, c in data["categories"].items()}
    rules = {key: Rule(key=key, clause=_cite(r["clause"]), zh=r["zh"], en=r["en"])
             for key, r in data["rules"].items()}
    return categories, rules


CATEGORIES: dict[str, Category] = _load()[0]
"""The five categories by code, resources first."""
RULES: dict[str, Rule] = _load()[1]
"""The standard's rules by key (``conversion_map``, ``converted_from``, ``not_added``,
``within_resources``, ...)."""


def category(code: str) -> Category:
    """The category of ``code``.

    Raises
    ------
    ValidationError
        ``code`` is none of the five terms the standard allows (5.1).
    """
    found = CATEGORIES.get(code)
    if found is None:
        raise ValidationError(Problem(
            _("%(code)r is not a category of %(clause)s: expected one of %(codes)s",
              code=code, clause=RULES["terms"].clause, codes=", ".join(CATEGORIES)),
            column="category"))
    return found


def category_label(code: str) -> str:
    """The category as a person reads it, in the current language.

    A Chinese reader reads the GB/T name first with the CRIRSCO name beside it
    (``探明资源量（Measured）``); an English reader the English name with the Chinese term
    beside it (``Measured resources (探明)``).

    Parameters
    ----------
    code : str
        A category code (:data:`CATEGORIES`).
    """
    return combined_label([code])


def combined_label(codes: Iterable[str]) -> str:
    """The label of a sum of categories of one kind, e.g. ``探明资源量+控制资源量（Measured +
    Indicated）``; refused for resources and reserves together (5.2).

    Parameters
    ----------
    codes : iterable of str
        Category codes, all resources or all reserves.
    """
    chosen = [category(c) for c in codes]
    check_not_added(c.code for c in chosen)
    if is_chinese():
        name, beside = "+".join(c.zh for c in chosen), " + ".join(c.crirsco for c in chosen)
    else:
        name = " + ".join(c.en for c in chosen)
        beside = "+".join(c.zh_short for c in chosen)
    # TRANSLATORS: a GB/T 17766 category with its other name beside it: 探明资源量（Measured）.
    return _("%(name)s (%(beside)s)", name=name, beside=beside)


def check_not_added(codes: Iterable[str]) -> None:
    """Refuse a sum that mixes resources and reserves (GB/T 17766-2020, 5.2).

    Parameters
    ----------
    codes : iterable of str
        The category codes summed.

    Raises
    ------
    ValidationError
        A code is not a category (5.1), or resources and reserves are summed (5.2).
    """
    chosen = [category(c) for c in codes]
    kinds = {c.kind for c in chosen}
    if len(kinds) > 1:
        rule = RULES["not_added"]
        raise ValidationError(Problem(
            _("resources and reserves are never added together (%(clause)s): %(codes)s",
              clause=rule.clause, codes=", ".join(c.code for c in chosen)),
            column="category"))


def convert_to_reserves(resources: Mapping[str, Tonnage], factors: ModifyingFactors
                        ) -> dict[str, Tonnage]:
    """Reserves converted from measured and indicated resources by the modifying factors.

    Measured resources become proved reserves, or probable reserves when the factors are
    uncertain; indicated resources become probable reserves (4.1, figure 1; 4.2). The ore
    mined is ``ore × recovery / (1 − dilution)`` (the waste added at grade 0) and its metal
    ``metal × recovery``, so a reserve never holds more metal than its resource.

    Parameters
    ----------
    resources : mapping of str to Tonnage
        Ore (t) and contained metal (kg) by resource code, ``measured`` and/or ``indicated``.
    factors : ModifyingFactors
        Recovery and dilution (fractions) and whether the factors are certain.

    Returns
    -------
    dict of str to Tonnage
        ``proved`` and ``probable`` reserves, ore t and metal kg (zero when nothing converts
        to one of them).

    Raises
    ------
    ValidationError
        An inferred resource (never converted, 4.2), a reserve, a code that is no category,
        or a negative quantity; one problem each.
    """
    problems = []
    out = {code: Tonnage(0.0, 0.0) for code in RESERVE_CODES}
    for code, amount in resources.items():
        try:
            source = category(code)
        except ValidationError as refused:
            problems += refused.problems
            continue
        if source.converts_to is None:
            rule = RULES["converted_from"]
            problems.append(Problem(
                _("%(category)s cannot be converted to reserves (%(clause)s): only measured "
                  "and indicated resources are", category=category_label(code),
                  clause=rule.clause), column=code))
            continue
        if not (amount.ore_t >= 0 and amount.metal_kg >= 0):
            problems.append(Problem(
                _("ore and metal must be numbers >= 0, got %(ore)s t and %(metal)s kg",
                  ore=amount.ore_t, metal=amount.metal_kg), column=code))
            continue
        target = source.converts_to if factors.certain else "probable"
        before = out[target]
        out[target] = Tonnage(
            before.ore_t + amount.ore_t * factors.recovery / (1.0 - factors.dilution),
            before.metal_kg + amount.metal_kg * factors.recovery)
    if problems:
        raise ValidationError(problems)
    return out


def check_reserves_within(resources: Mapping[str, float], reserves: Mapping[str, float],
                          rtol: float = 1e-9) -> None:
    """Refuse reserves holding more metal than the measured and indicated resources they
    come from (GB/T 17766-2020, chapter 2 and 4.2).

    Parameters
    ----------
    resources : mapping of str to float
        Contained metal by resource code, any unit (inferred resources are not counted).
    reserves : mapping of str to float
        Contained metal by reserve code, the same unit.
    rtol : float
        Relative tolerance for rounded figures, dimensionless.

    Raises
    ------
    ValidationError
        The reserves exceed the measured + indicated resources.
    """
    check_not_added(resources)
    check_not_added(reserves)
    source = sum(v for c, v in resources.items() if category(c).converts_to is not None)
    total = sum(reserves.values())
    if total > source * (1.0 + rtol):
        raise ValidationError(Problem(
            _("%(reserves)s exceed %(resources)s (%(clause)s): %(total)s > %(source)s",
              reserves=combined_label(reserves),
              resources=combined_label(c for c in resources if category(c).converts_to),
              clause=RULES["within_resources"].clause, total=format(total, ",.3f"),
              source=format(source, ",.3f")), column="reserves"))
