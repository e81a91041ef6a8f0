"""Units of the gold industry and their conversions.

Masses of ore and waste are in tonnes (t), gold and silver production in kilograms (kg),
contained gold in resource statements in tonnes (t), grades in grams per tonne (g/t).
"""

from __future__ import annotations

GRAMS_PER_TROY_OUNCE = 31.1034768
KG_PER_T = 1000.0
G_PER_KG = 1000.0


def kg_to_t(kg: float) -> float:
    """Convert kilograms to tonnes."""
    return kg / KG_PER_T


def t_to_kg(t: float) -> float:
    """Convert tonnes to kilograms."""
    return t * KG_PER_T


def contained_metal_kg(ore_t: float, grade_gpt: float) -> float:
    """Metal contained in ore.

    Parameters
    ----------
    ore_t : float
        Ore mass, t.
    grade_gpt : float
        Grade, g/t.

    Returns
    -------
    float
        Contained metal, kg.
    """
    return ore_t * grade_gpt / G_PER_KG


def grams_to_troy_ounces(g: float) -> float:
    """Convert grams to troy ounces."""
    return g / GRAMS_PER_TROY_OUNCE
