"""Vocabulary of the industry registry: organisations, sites and their kinds.

Kept here (not in ``store``) so that the KPI engine, the demo generator and the database
models share one definition.
"""

from __future__ import annotations

from enum import StrEnum


class OrgType(StrEnum):
    """Kind of organisation."""

    MINING = "mining"
    PROCESSING = "processing"
    SMELTING_REFINING = "smelting_refining"
    RECYCLING = "recycling"
    NEW_MATERIALS = "new_materials"
    GROUP = "group"


class SiteKind(StrEnum):
    """Kind of site: a mine, a plant or a tailings facility."""

    MINE = "mine"
    PLANT = "plant"
    TAILINGS = "tailings"


class MineMethod(StrEnum):
    """Mining method of a mine."""

    OPEN_PIT = "open_pit"
    UNDERGROUND = "underground"
    COMBINED = "combined"


class PlantType(StrEnum):
    """Kind of plant; the first three carry the plan's minimum scale for new builds."""

    PROCESSING_PLANT = "processing_plant"
    HEAP_LEACH = "heap_leach"
    CONCENTRATE_SMELTER = "concentrate_smelter"
    REFINERY = "refinery"


class SiteStatus(StrEnum):
    """Operating status of a site."""

    PLANNED = "planned"
    CONSTRUCTION = "construction"
    OPERATING = "operating"
    SUSPENDED = "suspended"
    CLOSED = "closed"


def site_type(kind: SiteKind | str, plant_type: PlantType | str | None) -> str:
    """The ``site_type`` code used in KPI tables: ``mine``, ``tailings`` or the plant type."""
    kind = SiteKind(kind)
    if kind is SiteKind.PLANT:
        if plant_type is None:
            raise ValueError("a plant needs a plant type")
        return PlantType(plant_type).value
    return kind.value


SITE_TYPES: tuple[str, ...] = (SiteKind.MINE.value, *(p.value for p in PlantType))

# The 31 provincial-level divisions of mainland China, by their English names.
PROVINCES: tuple[str, ...] = (
    "Beijing", "Tianjin", "Hebei", "Shanxi", "Inner Mongolia", "Liaoning", "Jilin",
    "Heilongjiang", "Shanghai", "Jiangsu", "Zhejiang", "Anhui", "Fujian", "Jiangxi", "Shandong",
    "Henan", "Hubei", "Hunan", "Guangdong", "Guangxi", "Hainan", "Chongqing", "Sichuan",
    "Guizhou", "Yunnan", "Tibet", "Shaanxi", "Gansu", "Qinghai", "Ningxia", "Xinjiang",
)
