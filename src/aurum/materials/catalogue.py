"""The shelf-product catalogue (货架产品) of Column 3 of the plan: the kinds of high-end gold
and silver materials, the properties their specifications give (unit, test method, the
physically possible range), a specification as data and the conformity of a measured value.

A **specification** gives, per property, the least and greatest acceptable values and a target
(each optional, at least one limit), in the property's unit. A least value greater than the
greatest, a target outside the limits, an unknown property or a unit other than the
property's is refused with one message naming the property.

**Purity** is a mass fraction in per cent (99.999 %); the trade says it in nines (five nines,
5N): :func:`nines` turns one into the other, ``N = −log10(1 − p/100)``.

**Test methods**: the national standards named here were confirmed through the search tool
(GB/T 228.1-2021 *Metallic materials — Tensile testing — Part 1: Method of test at room
temperature*; GB/T 351-2019 *Metallic materials — Resistivity measurement method*); the
others name the method by its technique and, where one exists, the international standard
(``method_confirmed`` False): a maker's specification row may name the standard it tests to.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from aurum.core.checks import Interval
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _, is_chinese
from aurum.core.tables import RowProblems, require_rows, with_columns


class Kind(StrEnum):
    """Material kinds of Column 3 (the plan's high-end gold and silver materials)."""

    SOLDER = "solder"
    SINTER_PASTE = "sinter_paste"
    BONDING_WIRE = "bonding_wire"
    PLATING_SOLUTION = "plating_solution"
    NANO_POWDER = "nano_powder"
    TARGET = "target"
    PV_PASTE = "pv_paste"
    THICK_FILM_PASTE = "thick_film_paste"
    BIOMEDICAL_CONTACT = "biomedical_contact"
    CATALYST = "catalyst"


@dataclass(frozen=True)
class Property:
    """A property a specification may give.

    Parameters
    ----------
    key : str
        Machine key (CSV, YAML, JSON).
    name_en, name_zh : str
        Its name in English and Chinese.
    unit : str
        The unit values are given in.
    test_method : str
        The usual test method (a standard's number where there is one), in English.
    method_confirmed : bool
        Whether the standard's number and title were confirmed through the search tool.
    bounds : Interval
        The physically possible values, in ``unit``: a value outside is a typing error.
    test_method_zh : str
        The usual test method in Chinese, as a Chinese laboratory writes it.
    """

    key: str
    name_en: str
    name_zh: str
    unit: str
    test_method: str
    method_confirmed: bool
    bounds: Interval
    test_method_zh: str

    @property
    def name(self) -> str:
        """The name in the language in force."""
        return self.name_zh if is_chinese() else self.name_en

    @property
    def method(self) -> str:
        """The usual test method in the language in force."""
        return self.test_method_zh if is_chinese() else self.test_method


_TENSILE = "GB/T 228.1-2021"
_RESISTIVITY = "GB/T 351-2019"
_LASER = "laser diffraction (ISO 13320)"
_ICP = "impurities by ICP-MS / GDMS, purity by difference"

PROPERTIES: dict[str, Property] = {p.key: p for p in (
    Property("purity", "Purity", "纯度", "%", _ICP, False, Interval(90, 100, "%"),
             test_method_zh="ICP-MS/GDMS 测定杂质，差减法计算纯度"),
    Property("au_content", "Gold content", "金含量", "%", "fire assay (ISO 11426)", False,
             Interval(0, 100, "%"),
             test_method_zh="火试金法（ISO 11426）"),
    Property("ag_content", "Silver content", "银含量", "%", "titration (ISO 11427)", False,
             Interval(0, 100, "%"),
             test_method_zh="滴定法（ISO 11427）"),
    Property("sn_content", "Tin content", "锡含量", "%", "ICP-OES", False,
             Interval(0, 100, "%"),
             test_method_zh="ICP-OES 法"),
    Property("impurities", "Total impurities", "杂质总量", "ppm", "ICP-MS / GDMS", False,
             Interval(0, 100_000, "ppm"),
             test_method_zh="ICP-MS／GDMS 法"),
    Property("particle_d50", "Particle size D50", "粒径 D50", "µm", _LASER, False,
             Interval(0.001, 1000, "µm"),
             test_method_zh="激光衍射法（ISO 13320）"),
    Property("specific_surface", "Specific surface area", "比表面积", "m²/g",
             "gas adsorption, BET (ISO 9277)", False, Interval(0, 1000, "m²/g"),
             test_method_zh="气体吸附 BET 法（ISO 9277）"),
    Property("resistivity", "Resistivity", "电阻率", "µΩ·cm", _RESISTIVITY, True,
             Interval(0, 1e6, "µΩ·cm"),
             test_method_zh="GB/T 351-2019"),
    Property("sheet_resistance", "Sheet resistance", "方阻", "mΩ/□", "four-point probe",
             False, Interval(0, 1e5, "mΩ/□"),
             test_method_zh="四探针法"),
    Property("wire_diameter", "Wire diameter", "线径", "µm", "laser micrometer / weighing",
             False, Interval(1, 1000, "µm"),
             test_method_zh="激光测径仪／称重法"),
    Property("breaking_load", "Breaking load", "破断力", "cN", _TENSILE, True,
             Interval(0, 10_000, "cN"),
             test_method_zh="GB/T 228.1-2021"),
    Property("pull_strength", "Bonding pull strength", "键合拉力", "gf",
             "wire pull (MIL-STD-883 method 2011)", False, Interval(0, 1000, "gf"),
             test_method_zh="引线拉力试验（MIL-STD-883 方法 2011）"),
    Property("elongation", "Elongation", "伸长率", "%", _TENSILE, True,
             Interval(0, 100, "%"),
             test_method_zh="GB/T 228.1-2021"),
    Property("tensile_strength", "Tensile strength", "抗拉强度", "MPa", _TENSILE, True,
             Interval(0, 5000, "MPa"),
             test_method_zh="GB/T 228.1-2021"),
    Property("shear_strength", "Joint shear strength", "接头剪切强度", "MPa",
             "die shear (MIL-STD-883 method 2019)", False, Interval(0, 1000, "MPa"),
             test_method_zh="芯片剪切试验（MIL-STD-883 方法 2019）"),
    Property("sintering_temp", "Sintering temperature", "烧结温度", "°C", "process window",
             False, Interval(20, 1200, "°C"),
             test_method_zh="工艺窗口"),
    Property("melting_point", "Melting point", "熔点", "°C", "DSC", False,
             Interval(20, 1500, "°C"),
             test_method_zh="差示扫描量热法（DSC）"),
    Property("solids", "Solid content", "固含量", "%", "loss on heating", False,
             Interval(0, 100, "%"),
             test_method_zh="加热失重法"),
    Property("viscosity", "Viscosity", "黏度", "Pa·s", "rotational viscometer", False,
             Interval(0, 10_000, "Pa·s"),
             test_method_zh="旋转黏度计法"),
    Property("au_concentration", "Gold concentration", "金浓度", "g/L", "AAS / ICP-OES",
             False, Interval(0, 100, "g/L"),
             test_method_zh="原子吸收光谱法／ICP-OES"),
    Property("free_cyanide", "Free cyanide", "游离氰化物", "g/L", "silver nitrate titration",
             False, Interval(0, 100, "g/L"),
             test_method_zh="硝酸银滴定法"),
    Property("ph", "pH", "pH 值", "", "pH meter", False, Interval(0, 14),
             test_method_zh="pH 计法"),
    Property("density", "Density", "密度", "g/cm³", "Archimedes", False,
             Interval(0.1, 25, "g/cm³"),
             test_method_zh="阿基米德排水法"),
    Property("grain_size", "Grain size", "晶粒尺寸", "µm", "EBSD / intercept method", False,
             Interval(0, 10_000, "µm"),
             test_method_zh="EBSD／截距法"),
    Property("hardness", "Hardness", "硬度", "HV", "Vickers (ISO 6507-1)", False,
             Interval(0, 2000, "HV"),
             test_method_zh="维氏硬度（ISO 6507-1）"),
    Property("contact_resistance", "Contact resistance", "接触电阻", "mΩ", "four-wire",
             False, Interval(0, 10_000, "mΩ"),
             test_method_zh="四线法"),
    Property("au_loading", "Gold loading", "载金量", "%", "ICP-OES", False,
             Interval(0, 100, "%"),
             test_method_zh="ICP-OES 法"),
    Property("conversion_t50", "Light-off temperature T50", "半转化温度 T50", "°C",
             "CO oxidation, fixed bed", False, Interval(-100, 800, "°C"),
             test_method_zh="CO 氧化活性评价（固定床）"),
)}
"""Every property a specification may give, by key."""


@dataclass(frozen=True)
class MaterialKind:
    """A kind of material: its key, names and the properties its specifications usually give
    (the first being the one the catalogue's chart shows)."""

    key: Kind
    name_en: str
    name_zh: str
    properties: tuple[str, ...]

    @property
    def name(self) -> str:
        """The name in the language in force."""
        return self.name_zh if is_chinese() else self.name_en


KINDS: dict[str, MaterialKind] = {k.key.value: k for k in (
    MaterialKind(Kind.SOLDER, "Gold and gold-alloy solders", "金及金合金焊料",
                 ("au_content", "sn_content", "melting_point", "impurities")),
    MaterialKind(Kind.SINTER_PASTE, "Low-temperature silver (gold) nano-sinter pastes",
                 "低温烧结纳米银（金）焊膏",
                 ("sintering_temp", "shear_strength", "solids", "viscosity", "particle_d50")),
    MaterialKind(Kind.BONDING_WIRE, "Gold (silver) bonding wires", "键合金（银）丝",
                 ("purity", "wire_diameter", "breaking_load", "elongation", "pull_strength")),
    MaterialKind(Kind.PLATING_SOLUTION, "Low- and no-cyanide gold plating solutions",
                 "低氰无氰镀金液", ("au_concentration", "free_cyanide", "ph", "density")),
    MaterialKind(Kind.NANO_POWDER, "Gold (silver) nano-powders", "纳米金（银）粉",
                 ("particle_d50", "purity", "specific_surface")),
    MaterialKind(Kind.TARGET, "High-purity targets and evaporation materials",
                 "高纯靶材及蒸发材料", ("purity", "impurities", "density", "grain_size")),
    MaterialKind(Kind.PV_PASTE, "Photovoltaic silver pastes", "光伏银浆",
                 ("sheet_resistance", "solids", "viscosity", "particle_d50")),
    MaterialKind(Kind.THICK_FILM_PASTE, "LTCC and MLCC gold pastes", "LTCC/MLCC 金浆",
                 ("resistivity", "solids", "viscosity", "sintering_temp")),
    MaterialKind(Kind.BIOMEDICAL_CONTACT, "Biomedical and contact materials",
                 "生物医用及电接触材料",
                 ("contact_resistance", "hardness", "au_content", "tensile_strength")),
    MaterialKind(Kind.CATALYST, "Gold catalysts", "金催化剂",
                 ("au_loading", "conversion_t50", "specific_surface", "particle_d50")),
)}
"""The material kinds of Column 3, by key."""


def nines(purity_pct: float) -> float:
    """Purity as the trade says it, in nines.

    Parameters
    ----------
    purity_pct : float
        Mass fraction of the metal, % (less than 100).

    Returns
    -------
    float
        ``−log10(1 − p/100)``: 99.99 % is 4 (4N), 99.999 % is 5 (5N).
    """
    return -math.log10(1.0 - purity_pct / 100.0)


@dataclass(frozen=True)
class Limit:
    """One property (``key``) of a specification: least and greatest acceptable values and
    target, in the property's unit (None where the specification gives none), and the test
    method."""

    key: str
    lower: float | None
    upper: float | None
    target: float | None
    test_method: str

    @property
    def unit(self) -> str:
        """The property's unit."""
        return PROPERTIES[self.key].unit


def check_kind(kind: str, source: str | None = None) -> MaterialKind:
    """The material kind of key ``kind``, or a :class:`ValidationError` naming the known
    ones."""
    if kind not in KINDS:
        raise ValidationError(Problem(
            _("unknown material kind %(kind)s: expected one of %(kinds)s", kind=repr(kind)[:80],
              kinds=", ".join(KINDS)), column="kind", source=source))
    return KINDS[kind]


def check_property(key: str, source: str | None = None, row: int | None = None,
                   column: str = "property") -> Property:
    """The property of key ``key``, or a :class:`ValidationError` naming the known ones."""
    if key not in PROPERTIES:
        raise ValidationError(Problem(
            _("unknown property %(key)s: expected one of %(keys)s", key=repr(key)[:80],
              keys=", ".join(PROPERTIES)), row=row, column=column, source=source))
    return PROPERTIES[key]


def _number(value: Any, name: str, prop: Property, source: str | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(Problem(
            _("expected a number, got %(value)s", value=repr(value)[:80]), column=name,
            source=source))
    prop.bounds.check(name, float(value), source)
    return float(value)


def make_limit(key: str, lower: Any = None, upper: Any = None, target: Any = None,
               unit: str | None = None, test_method: str | None = None,
               source: str | None = None) -> Limit:
    """A checked specification row.

    Parameters
    ----------
    key : str
        The property (:data:`PROPERTIES`).
    lower, upper, target : float or None
        Least, greatest and target values, in the property's unit; at least one limit.
    unit : str, optional
        The unit the values are in, when given: must be the property's.
    test_method : str, optional
        The test method; the property's usual one when not given (at most 120 characters).
    source : str, optional
        The file or form the row came from, for the messages.

    Raises
    ------
    ValidationError
        Unknown property, a unit other than the property's, a value that is not a number or
        out of the property's physical range, no limit, ``lower > upper``, or a target
        outside the limits: one message naming the property.
    """
    prop = check_property(key, source)
    if unit is not None and unit != prop.unit:
        raise ValidationError(Problem(
            _("%(key)s is given in %(expected)s, not %(unit)s", key=key,
              expected=repr(prop.unit), unit=repr(unit)[:40]), column=f"{key}.unit",
            source=source))
    low = _number(lower, f"{key}.min", prop, source)
    high = _number(upper, f"{key}.max", prop, source)
    aim = _number(target, f"{key}.target", prop, source)
    if low is None and high is None:
        raise ValidationError(Problem(_("%(key)s gives neither a minimum nor a maximum",
                                        key=key), column=key, source=source))
    if low is not None and high is not None and low > high:
        raise ValidationError(Problem(
            _("%(key)s: the minimum %(low)s is greater than the maximum %(high)s", key=key,
              low=low, high=high), column=key, source=source))
    if aim is not None and ((low is not None and aim < low) or (high is not None and aim > high)):
        raise ValidationError(Problem(
            _("%(key)s: the target %(target)s lies outside the limits", key=key, target=aim),
            column=f"{key}.target", source=source))
    method = (test_method or prop.method).strip()
    if len(method) > 120:
        raise ValidationError(Problem(_("expected at most 120 characters"),
                                      column=f"{key}.method", source=source))
    return Limit(key, low, high, aim, method)


MAX_PROPERTIES = 20
"""Most properties one specification gives."""


def parse_specification(doc: Any, source: str | None = None) -> tuple[Limit, ...]:
    """A specification from its document (``aurum materials capability --spec S.yaml``).

    Parameters
    ----------
    doc : mapping
        ``{property: {min, max, target, unit, method}}`` (each field optional, at least one
        of ``min`` and ``max``), or ``{"specification": {...}}``; at most
        :data:`MAX_PROPERTIES` properties.
    source : str, optional
        The file name, for the messages.

    Returns
    -------
    tuple of Limit
        In the document's order.
    """
    if isinstance(doc, Mapping) and isinstance(doc.get("specification"), Mapping):
        doc = doc["specification"]
    if not isinstance(doc, Mapping) or not doc:
        raise ValidationError(Problem(
            _("expected a mapping of properties to their min, max and target"), source=source))
    if len(doc) > MAX_PROPERTIES:
        raise ValidationError(Problem(_("at most %(n)s properties", n=MAX_PROPERTIES),
                                      source=source))
    limits = []
    for key, row in doc.items():
        if not isinstance(row, Mapping):
            raise ValidationError(Problem(_("expected a mapping with min, max and target"),
                                          column=str(key)[:80], source=source))
        extra = set(row) - {"min", "max", "target", "unit", "method"}
        if extra:
            raise ValidationError(Problem(
                _("unknown field %(field)s: expected min, max, target, unit or method",
                  field=repr(sorted(map(str, extra))[0])[:80]), column=str(key)[:80],
                source=source))
        method = row.get("method")
        limits.append(make_limit(str(key), row.get("min"), row.get("max"), row.get("target"),
                                 row.get("unit"), None if method is None else str(method),
                                 source))
    return tuple(limits)


class Conformity(StrEnum):
    """Where a measured value lies against a specification row."""

    CONFORMING = "conforming"
    BELOW = "below"
    ABOVE = "above"


def conformity(limit: Limit, value: float) -> Conformity:
    """Whether ``value`` (in the property's unit) meets ``limit``: the limits are
    inclusive."""
    if limit.lower is not None and value < limit.lower:
        return Conformity.BELOW
    if limit.upper is not None and value > limit.upper:
        return Conformity.ABOVE
    return Conformity.CONFORMING


BATCH_COLUMNS = ("batch", "property", "value")
"""The columns of a table of batch values (``aurum materials capability --batches``)."""


def read_batches(frame: pd.DataFrame, limits: Mapping[str, Limit], source: str | None = None
                 ) -> dict[str, list[tuple[str, list[float]]]]:
    """The measured values of a table of batches, per property and batch.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as text (:func:`aurum.core.tables.read_table`): ``batch``, ``property``,
        ``value`` (in the property's unit); a batch gives one row per value, several rows of
        one property making a subgroup; batches in production order.
    limits : mapping
        The specification (:func:`parse_specification`) by property: each row's property
        must be one of them.
    source : str, optional
        The file's name, for the messages.

    Returns
    -------
    dict
        ``{property: [(batch, [values])]}``, batches in the order they first appear.

    Raises
    ------
    ValidationError
        A missing column, an empty batch, a value that is not a finite number or out of the
        property's range, a property unknown or not in the specification: one problem per
        cell (row and column named).
    """
    frame = require_rows(with_columns(frame, BATCH_COLUMNS, source), source)
    batch = frame["batch"].astype(str).str.strip()
    prop = frame["property"].astype(str).str.strip()
    value = pd.to_numeric(frame["value"].astype(str).str.strip(), errors="coerce")
    problems = RowProblems(source)
    problems.flag(batch.eq(""), "batch", _("expected a batch number"))
    unknown = ~prop.isin(list(PROPERTIES))
    problems.flag(unknown, "property", _("unknown property {p!r}: expected one of %(keys)s",
                                         keys=", ".join(PROPERTIES)), p=prop)
    problems.flag(~unknown & ~prop.isin(list(limits)), "property", _(
        "property {p!r} is not in the specification"), p=prop)
    bad = ~np.isfinite(value.to_numpy(dtype=float))
    problems.flag(bad, "value", _("expected a number, got {v!r}"), v=frame["value"])
    ok = ~bad & ~unknown
    low = prop.map(lambda k: PROPERTIES[k].bounds.low if k in PROPERTIES else None)
    high = prop.map(lambda k: PROPERTIES[k].bounds.high if k in PROPERTIES else None)
    outside = ok & ((low.notna() & (value < low.astype(float)))
                    | (high.notna() & (value > high.astype(float))))
    problems.flag(outside, "value", _("{v} is outside the possible values of {p} ({u})"),
                  v=value, p=prop, u=prop.map(lambda k: PROPERTIES[k].unit if k in PROPERTIES
                                              else ""))
    if problems:
        raise ValidationError(problems)
    out: dict[str, dict[str, list[float]]] = {}
    for b, k, v in zip(batch, prop, value, strict=True):
        out.setdefault(k, {}).setdefault(b, []).append(float(v))
    return {k: list(by_batch.items()) for k, by_batch in out.items()}
