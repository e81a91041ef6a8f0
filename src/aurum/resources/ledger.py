"""The reserve ledger: why a mine's resources changed from one statement to the next.

The change in contained gold between two year-end statements is split the way resource
reconciliations are reported (a waterfall):

``closing = opening - depletion + exploration + economic + re_estimation``

* **depletion**: gold in the ore mined during the year (from the production reports);
* **exploration**: gold, at the previous cut-off, in blocks the current model estimates and
  the previous one did not (new drilling extended the model);
* **economic**: the effect of the cut-off change, on the current model (current model at the
  new cut-off minus the current model at the old cut-off);
* **re_estimation**: what remains (new data inside the old volume, new parameters): the
  balancing item, so the waterfall always closes exactly.

Both models are on the same block grid; blocks are compared one to one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ModelAtCutoff:
    """A block model seen at a cut-off.

    Parameters
    ----------
    tonnes : numpy.ndarray
        Ore tonnes per block, t.
    grade : numpy.ndarray
        Gold grade per block, g/t; NaN where not estimated.
    cutoff : float
        Cut-off grade, g/t.
    """

    tonnes: np.ndarray
    grade: np.ndarray
    cutoff: float

    def metal_t(self, cutoff: float | None = None, mask: np.ndarray | None = None) -> float:
        """Contained gold above a cut-off (default: the model's own), t."""
        c = self.cutoff if cutoff is None else cutoff
        g = np.nan_to_num(self.grade, nan=-np.inf)
        keep = g >= c
        if mask is not None:
            keep &= mask
        return float((self.tonnes[keep] * self.grade[keep]).sum() / 1e6)

    @property
    def estimated(self) -> np.ndarray:
        return ~np.isnan(self.grade)


@dataclass(frozen=True)
class Waterfall:
    """Contained gold movements between two statements, t."""

    opening: float
    depletion: float
    exploration: float
    economic: float
    re_estimation: float
    closing: float

    def as_rows(self) -> list[tuple[str, float]]:
        """(step, t) in waterfall order, depletion negative."""
        return [("opening", self.opening), ("depletion", -self.depletion),
                ("exploration", self.exploration), ("economic", self.economic),
                ("re_estimation", self.re_estimation), ("closing", self.closing)]


def reserve_waterfall(previous: ModelAtCutoff, current: ModelAtCutoff,
                      depletion_t: float) -> Waterfall:
    """Attribute the change in contained gold between two models (see module docstring).

    Parameters
    ----------
    previous, current : ModelAtCutoff
        Last year's and this year's model, on the same grid.
    depletion_t : float
        Gold in the ore mined during the year, t.
    """
    if previous.tonnes.shape != current.tonnes.shape:
        raise ValueError("the two models must be on the same block grid")
    opening = previous.metal_t()
    closing = current.metal_t()
    new_blocks = current.estimated & ~previous.estimated
    exploration = current.metal_t(previous.cutoff, new_blocks)
    economic = current.metal_t() - current.metal_t(previous.cutoff)
    re_estimation = closing - opening + depletion_t - exploration - economic
    return Waterfall(opening, depletion_t, exploration, economic, re_estimation, closing)
