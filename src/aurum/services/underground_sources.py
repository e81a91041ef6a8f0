"""The block values of a deep mine's stope plan (:mod:`aurum.services.underground`): how a
resource model's blocks become CNY (:class:`Economics`), the two sources of values (a stored
model, an uploaded ``BLOCKS.csv``) and the grid a plan is made on, with the value and tonnes
of a block of waste broken in a skin."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from aurum.core.checks import GOLD_PRICES, RECOVERIES, UNIT_COSTS
from aurum.core.errors import Problem, ValidationError
from aurum.core.grid import BlockGrid

__all__ = ["Economics", "ModelSource", "PlanGrid", "UploadSource", "problems_of"]


def problems_of(check: Callable[[], object]) -> list[Problem]:
    """The problems ``check`` raises (none when it passes)."""
    try:
        check()
    except ValidationError as exc:
        return list(exc.problems)
    return []


@dataclass(frozen=True)
class Economics:
    """How a block of a resource model becomes a value in CNY if it is mined.

    Parameters
    ----------
    price_cny_g : float
        Gold price, CNY/g.
    recovery : float
        Process recovery, fraction.
    mining_cost_cny_t : float
        Mining cost per tonne broken (ore and dilution), CNY/t.
    processing_cost_cny_t : float
        Processing cost per tonne milled (ore and dilution), CNY/t.

    Dilution is no fraction here: the walls' skins are blocks of waste (module docstring),
    each worth :meth:`waste_value`.
    """

    price_cny_g: float
    recovery: float
    mining_cost_cny_t: float
    processing_cost_cny_t: float

    def problems(self) -> list[Problem]:
        """One problem per field out of its bounds."""
        checks = [(GOLD_PRICES, "price_cny_g"), (RECOVERIES, "recovery"),
                  (UNIT_COSTS, "mining_cost_cny_t"), (UNIT_COSTS, "processing_cost_cny_t")]
        found = []
        for bounds, name in checks:
            found += problems_of(partial(bounds.check, name, getattr(self, name)))
        return found

    def waste_value(self, tonnes: float) -> float:
        """The value of a block of waste of ``tonnes`` (t) broken in a skin, CNY: the cost of
        mining and processing it, negative."""
        return -tonnes * (self.mining_cost_cny_t + self.processing_cost_cny_t)

    def values(self, tonnes: np.ndarray, grade_gpt: np.ndarray) -> np.ndarray:
        """The value of each block if it is mined, CNY: its gold recovered at the price less
        the mining and processing of its tonnes; an unestimated block
        (NaN grade) is rock at no grade.

        Parameters
        ----------
        tonnes : numpy.ndarray
            Tonnes of each block, t.
        grade_gpt : numpy.ndarray
            Gold grade of each block, g/t.
        """
        grade = np.nan_to_num(np.asarray(grade_gpt, dtype=float), nan=0.0)
        cost = self.mining_cost_cny_t + self.processing_cost_cny_t
        return np.asarray(tonnes, float) * (grade * self.recovery * self.price_cny_g - cost)


@dataclass(frozen=True)
class ModelSource:
    """Block values from a stored resource model of the mine: ``model_id``, the
    :class:`Economics`, and the model axis along the strike (``x`` or ``y``)."""

    model_id: int
    economics: Economics
    strike_axis: str = "x"


@dataclass(frozen=True)
class UploadSource:
    """Block values uploaded as ``BLOCKS.csv`` (``i, j, k, value`` in CNY on a full grid):
    ``content`` and ``name`` of the file, the block size (m along i, j, k) and the rock
    density (t/m³) that give each stope its tonnes and void, and the value of a block of
    waste in a skin (CNY per block, at most 0)."""

    content: bytes
    name: str
    block_size_m: tuple[float, float, float]
    density_t_m3: float
    waste_value_cny: float = 0.0


@dataclass(frozen=True)
class PlanGrid:
    """The grid of a plan's values (i along strike, j across, k up), per-block tonnes, and
    the tonnes (t) and value (CNY) of a block of waste broken in a skin."""

    values: np.ndarray
    tonnes: np.ndarray
    grid: BlockGrid
    strike_axis: str
    waste_tonnes: float
    waste_value: float

    @property
    def block_volume_m3(self) -> float:
        return float(np.prod(self.grid.size))

    @property
    def across_m(self) -> float:
        """A block's size across the strike (along j), m."""
        return float(self.grid.size[0 if self.strike_axis == "y" else 1])

    def skin_blocks(self, skin_m: float) -> int:
        """A skin of ``skin_m`` metres as whole blocks across: the least number that covers
        it (a tolerance of 1e-9 block keeps 2.5 m on 2.5 m blocks one block)."""
        return max(math.ceil(skin_m / self.across_m - 1e-9), 0)
