"""The criteria for major accident hazards (矿安〔2022〕88号), read from versioned data.

The table lives in ``aurum/safety/data/major_hazard_criteria.yaml`` so that its wording and
clause numbers can be reviewed, and a revised standard shipped, without touching the register.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

CRITERIA_FILE = "major_hazard_criteria.yaml"


class Facility(StrEnum):
    """The three kinds of facility the criteria cover."""

    UNDERGROUND = "underground"
    OPEN_PIT = "open_pit"
    TAILINGS = "tailings"


@dataclass(frozen=True)
class Criterion:
    """One item of the criteria.

    Parameters
    ----------
    id : str
        Stable identifier, e.g. ``TF-07``.
    facility : Facility
        Kind of facility the item applies to.
    clause : str
        Part and item of the standard, e.g. ``三（七）``.
    zh, en : str
        Short summary in Chinese and its English gloss.
    """

    id: str
    facility: Facility
    clause: str
    zh: str
    en: str

    def citation(self, document: str) -> str:
        return f"{document} {self.clause}"


@dataclass(frozen=True)
class HazardCriteria:
    """The criteria table, validated.

    Parameters
    ----------
    version : str
        Version of the data file.
    document : str
        Document number of the standard (矿安〔2022〕88号).
    title_zh, title_en : str
        Title of the standard.
    items : Mapping[str, Criterion]
        Criteria by id, in the standard's order.
    """

    version: str
    document: str
    title_zh: str
    title_en: str
    items: Mapping[str, Criterion]

    def get(self, criterion_id: str) -> Criterion:
        """The criterion with that id; :class:`ValidationError` naming the known ones if none."""
        try:
            return self.items[criterion_id]
        except KeyError:
            raise ValidationError(Problem(_(
                "unknown criterion %(criterion)r: expected an id of %(document)s such as "
                "%(examples)s", criterion=criterion_id, document=self.document,
                examples=", ".join(list(self.items)[:3])), column="criterion")) from None

    def for_facility(self, facility: Facility | str) -> list[Criterion]:
        facility = Facility(facility)
        return [c for c in self.items.values() if c.facility is facility]


@functools.cache
def load_criteria() -> HazardCriteria:
    """The shipped criteria table (read and validated once per process)."""
    text = resources.files("aurum.safety").joinpath("data", CRITERIA_FILE).read_text("utf-8")
    return parse_criteria(yaml.safe_load(text), source=CRITERIA_FILE)


def parse_criteria(document: Mapping[str, Any], source: str | None = None) -> HazardCriteria:
    """Validate a criteria document (the YAML's structure) and build the table.

    Raises
    ------
    ValidationError
        One problem per entry with a missing field, an unknown facility or a repeated id.
    """
    problems: list[Problem] = []
    items: dict[str, Criterion] = {}
    for n, entry in enumerate(document.get("criteria") or [], start=1):
        missing = [k for k in ("id", "facility", "clause", "zh", "en") if not entry.get(k)]
        if missing:
            problems.append(Problem(_("criteria entry %(n)s: missing %(fields)s", n=n,
                                      fields=", ".join(missing)), source=source))
            continue
        if entry["facility"] not in Facility.__members__.values():
            problems.append(Problem(_("criteria entry %(n)s: unknown facility %(facility)r",
                                      n=n, facility=entry["facility"]), source=source))
            continue
        if entry["id"] in items:
            problems.append(Problem(_("criteria entry %(n)s: id %(id)r repeated", n=n,
                                      id=entry["id"]), source=source))
            continue
        items[entry["id"]] = Criterion(str(entry["id"]), Facility(entry["facility"]),
                                       str(entry["clause"]), str(entry["zh"]),
                                       str(entry["en"]))
    source_block = document.get("source") or {}
    if not items:
        problems.append(Problem(_("no criteria in the document"), source=source))
    if problems:
        raise ValidationError(problems)
    return HazardCriteria(str(document.get("version", "")), str(source_block.get("document", "")),
                          str(source_block.get("title_zh", "")),
                          str(source_block.get("title_en", "")), MappingProxyType(items))
