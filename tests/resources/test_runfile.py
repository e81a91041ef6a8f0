"""The block file of an estimation run: written whole or not at all."""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
import pandas as pd

from aurum.core.grid import BlockGrid
from aurum.resources.estimate import EstimationResult
from aurum.resources.runfile import write_blocks

GRID = BlockGrid(origin=(5.0, 5.0, 2.5), size=(10.0, 10.0, 5.0), count=(2, 1, 1))
RESULT = EstimationResult(estimate=np.array([1.25, np.nan]), variance=np.array([0.5, np.nan]),
                          n_samples=np.array([4, 0]), slope=np.array([0.9, np.nan]),
                          efficiency=np.array([0.8, np.nan]))


def test_the_blocks_are_written_in_gslib_order_with_nothing_left_aside(tmp_path: Path) -> None:
    path = tmp_path / "out" / "blocks.csv"
    write_blocks(path, GRID, RESULT)
    frame = pd.read_csv(path)
    assert frame["x"].tolist() == [5.0, 15.0]
    assert frame["estimate"].tolist()[0] == 1.25
    assert np.isnan(frame["estimate"].tolist()[1])
    assert frame["n_samples"].tolist() == [4, 0]
    assert [p.name for p in path.parent.iterdir()] == ["blocks.csv"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

