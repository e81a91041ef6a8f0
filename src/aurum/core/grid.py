"""Regular block grids shared by resource models and pit optimisation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BlockGrid:
    """A regular grid of blocks, GSLIB style.

    Parameters
    ----------
    origin : tuple of float
        Centre of the first block (x, y, z), m.
    size : tuple of float
        Block size along x, y, z, m.
    count : tuple of int
        Number of blocks along x, y, z.
    """

    origin: tuple[float, float, float]
    size: tuple[float, float, float]
    count: tuple[int, int, int]

    def __post_init__(self) -> None:
        if any(s <= 0 for s in self.size):
            raise ValueError(f"block sizes must be > 0 m, got {self.size}")
        if any(n < 1 for n in self.count):
            raise ValueError(f"block counts must be >= 1, got {self.count}")

    @property
    def n_blocks(self) -> int:
        nx, ny, nz = self.count
        return nx * ny * nz

    def centres(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Block centres in GSLIB order (x fastest, then y, then z), shape (n, 3), m.

        Parameters
        ----------
        start, stop : int
            Range of block indices, for chunked work on large grids.
        """
        stop = self.n_blocks if stop is None else stop
        index = np.arange(start, stop, dtype=np.int64)
        nx, ny, _ = self.count
        ix, iy, iz = index % nx, (index // nx) % ny, index // (nx * ny)
        o, s = np.asarray(self.origin), np.asarray(self.size)
        return np.column_stack((o[0] + ix * s[0], o[1] + iy * s[1], o[2] + iz * s[2]))

    def discretisation(self, points: tuple[int, int, int]) -> np.ndarray:
        """Offsets of the discretisation points from a block centre, shape (n, 3), m.

        Parameters
        ----------
        points : tuple of int
            Points along x, y, z (1, 1, 1 = point kriging at the centre).
        """
        axes = [(np.arange(n) + 0.5) / n * s - s / 2 for n, s in zip(points, self.size,
                                                                   strict=True)]
        gx, gy, gz = np.meshgrid(*axes, indexing="ij")
        return np.column_stack((gx.ravel(order="F"), gy.ravel(order="F"),
                                gz.ravel(order="F")))
