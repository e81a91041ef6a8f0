"""The MPM-WofE reference data (Geoscience Australia, Cloncurry IOCG district), read once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from aurum.prospect.layers import Deposits, EvidenceLayer, read_deposits, read_layers, study_area

RESPONSE_LAYERS = ("Dist2Breccia", "Dist2Fault", "FaultDensity", "StratNo")


@dataclass(frozen=True)
class Reference:
    """One folder of the reference: its layers, study area and deposits."""

    folder: Path
    layers: list[EvidenceLayer]
    area: np.ndarray
    deposits: Deposits

    def layer(self, name: str) -> EvidenceLayer:
        return next(layer for layer in self.layers if layer.name == name)


def _reference(folder: Path, names: tuple[str, ...]) -> Reference:
    layers = read_layers([folder / f"{n}.tif" for n in names])
    area = study_area(layers)
    return Reference(folder, layers, area,
                     read_deposits(folder / "IOCG_Deposits.shp", layers[0].grid, area))


@pytest.fixture(scope="session")
def response(mpm: Path) -> Reference:
    """The four binary layers of ``CalculateResponse``."""
    return _reference(mpm / "CalculateResponse", RESPONSE_LAYERS)


@pytest.fixture(scope="session")
def weights_input(mpm: Path) -> Reference:
    """The multi-class layers of ``CalculateWeights`` (its Dist2Fault.tif is missing at the
    source)."""
    return _reference(mpm / "CalculateWeights", ("Dist2Breccia", "FaultDensity", "StratNo"))
