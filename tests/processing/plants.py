"""Circuits shared by the processing tests: the reference CIL gold plant of
:mod:`aurum.processing.examples` with its true values."""

from __future__ import annotations

from aurum.processing.examples import (
    BARREN_CARBON_AU,
    BARREN_ELUATE_AU,
    BULLION_AU,
    CARBON_T,
    CIL_TAILS_AU,
    CIRCULATING_LOAD,
    ELUANT_AU,
    ELUATE_T,
    GRAVITY_CONC_T,
    GRAVITY_RECOVERY,
    NODES,
    ORE_AU,
    ORE_T,
    PRECISION,
    SLAG_AU,
    SLAG_T,
    SLUDGE_T,
    STREAMS,
    gold_plant,
    true_values,
)

__all__ = [
    "BARREN_CARBON_AU", "BARREN_ELUATE_AU", "BULLION_AU", "CARBON_T", "CIL_TAILS_AU",
    "CIRCULATING_LOAD", "ELUANT_AU", "ELUATE_T", "GRAVITY_CONC_T", "GRAVITY_RECOVERY", "NODES",
    "ORE_AU", "ORE_T", "PRECISION", "SLAG_AU", "SLAG_T", "SLUDGE_T", "STREAMS", "gold_plant",
    "true_values",
]
