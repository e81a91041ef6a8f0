"""Fixtures of the seismic tests: the reference data folder and a synthetic mine array."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def seismic_data(shared_data: Path) -> Path:
    """``../shared/data/seismic`` (skips when absent)."""
    path = shared_data / "seismic"
    if not path.is_dir():
        pytest.skip("../shared/data/seismic is not beside the repository")
    return path
