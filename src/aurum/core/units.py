"""Units of the gold industry and their conversion factors.

Masses of ore and waste are in tonnes (t), gold and silver production in kilograms (kg),
contained gold in resource statements in tonnes (t), grades in grams per tonne (g/t).
Conversions are written where they happen (``metal_g / G_PER_KG``) with these factors.
"""

from __future__ import annotations

GRAMS_PER_TROY_OUNCE = 31.1034768
"""Grams in one troy ounce (exact by definition), g/oz: gold prices are quoted per ounce."""
KG_PER_T = 1000.0
"""Kilograms per tonne, kg/t."""
G_PER_KG = 1000.0
"""Grams per kilogram, g/kg."""
