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
    # The public services of issue 22: a testing laboratory taking part in proficiency tests,
    # and a downstream user (electronics, aerospace, medical, PV) trialling and buying materials.
    LABORATORY = "laboratory"
    DOWNSTREAM = "downstream_user"


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

# Their official short names in Chinese, by English name: what pages in Chinese show (the English
# name stays the stored key, in CSV and JSON too).
PROVINCE_NAMES_ZH: dict[str, str] = {
    "Beijing": "北京", "Tianjin": "天津", "Hebei": "河北", "Shanxi": "山西",
    "Inner Mongolia": "内蒙古", "Liaoning": "辽宁", "Jilin": "吉林", "Heilongjiang": "黑龙江",
    "Shanghai": "上海", "Jiangsu": "江苏", "Zhejiang": "浙江", "Anhui": "安徽",
    "Fujian": "福建", "Jiangxi": "江西", "Shandong": "山东", "Henan": "河南", "Hubei": "湖北",
    "Hunan": "湖南", "Guangdong": "广东", "Guangxi": "广西", "Hainan": "海南",
    "Chongqing": "重庆", "Sichuan": "四川", "Guizhou": "贵州", "Yunnan": "云南",
    "Tibet": "西藏", "Shaanxi": "陕西", "Gansu": "甘肃", "Qinghai": "青海", "Ningxia": "宁夏",
    "Xinjiang": "新疆",
}

# Approximate geographic centres (lon, lat in degrees) for map views without a base map.
PROVINCE_CENTRES: dict[str, tuple[float, float]] = {
    "Beijing": (116.4, 40.2), "Tianjin": (117.3, 39.3), "Hebei": (115.5, 38.5),
    "Shanxi": (112.3, 37.6), "Inner Mongolia": (113.0, 43.5), "Liaoning": (122.6, 41.3),
    "Jilin": (126.2, 43.6), "Heilongjiang": (128.0, 47.6), "Shanghai": (121.5, 31.2),
    "Jiangsu": (119.5, 32.9), "Zhejiang": (120.2, 29.2), "Anhui": (117.2, 31.8),
    "Fujian": (118.2, 26.1), "Jiangxi": (115.7, 27.6), "Shandong": (118.3, 36.4),
    "Henan": (113.6, 33.9), "Hubei": (112.3, 30.9), "Hunan": (111.7, 27.6),
    "Guangdong": (113.4, 23.4), "Guangxi": (108.8, 23.8), "Hainan": (109.8, 19.2),
    "Chongqing": (107.8, 30.0), "Sichuan": (102.7, 30.6), "Guizhou": (106.9, 26.8),
    "Yunnan": (101.5, 24.9), "Tibet": (88.4, 31.5), "Shaanxi": (108.9, 35.2),
    "Gansu": (102.0, 37.5), "Qinghai": (96.0, 35.7), "Ningxia": (106.2, 37.3),
    "Xinjiang": (85.3, 41.6),
}
