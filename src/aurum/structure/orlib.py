"""The OR-Library capacitated facility-location format (Beasley 1988), read for the
single-source problem.

A file holds ``J I`` (facilities, customers); J lines ``capacity fixed_cost``; the I demands;
then J rows of I numbers, ``c_ji`` = the cost of serving *all* of customer i's demand from
facility j (the numbers may wrap over several lines: they are read as one stream). This is
the layout of the ``sscflp_or`` instances p1 … p36 (Guastaroba & Speranza's use of the cap
sets) with their optima in a file ``os``, one value a line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.structure.consolidation import Instance

MAX_FACILITIES = 2_000
MAX_CUSTOMERS = 20_000
"""Largest instance the reader takes (the cap sets are at most 100 × 1000)."""


def read_orlib(path: str | Path) -> Instance:
    """Read one OR-Library capacitated facility-location file.

    Parameters
    ----------
    path : str or Path
        The instance file.

    Returns
    -------
    Instance
        Capacities and demands in the file's units, fixed costs and assignment costs in its
        money unit (``assignment_cost[j, i]`` serves all of customer i from facility j).

    Raises
    ------
    ValidationError
        When the file is not of this format, is larger than :data:`MAX_FACILITIES` ×
        :data:`MAX_CUSTOMERS`, or holds a negative number.
    """
    source = Path(path).name
    try:
        numbers = np.array(Path(path).read_text().split(), dtype=float)
    except ValueError as exc:
        raise ValidationError(Problem(_("expected numbers only: %(error)s", error=str(exc)),
                                      source=source)) from exc
    if numbers.size < 2:
        raise ValidationError(Problem(_("expected 'facilities customers' on the first line"),
                                      source=source))
    j, i = int(numbers[0]), int(numbers[1])
    if not (0 < j <= MAX_FACILITIES and 0 < i <= MAX_CUSTOMERS):
        raise ValidationError(Problem(
            _("expected 1 to %(j)s facilities and 1 to %(i)s customers, got %(got)s",
              j=MAX_FACILITIES, i=MAX_CUSTOMERS, got=f"{j} × {i}"), source=source))
    expected = 2 + 2 * j + i + j * i
    if numbers.size != expected:
        raise ValidationError(Problem(
            _("expected %(expected)s numbers for %(j)s facilities and %(i)s customers, "
              "got %(got)s", expected=expected, j=j, i=i, got=numbers.size), source=source))
    if (numbers < 0).any() or not np.isfinite(numbers).all():
        raise ValidationError(Problem(_("expected no negative or missing number"),
                                      source=source))
    head = numbers[2:2 + 2 * j].reshape(j, 2)
    demand = numbers[2 + 2 * j:2 + 2 * j + i]
    cost = numbers[2 + 2 * j + i:].reshape(j, i)
    return Instance(capacity=head[:, 0].copy(), fixed_cost=head[:, 1].copy(), demand=demand,
                    assignment_cost=cost)


def read_optima(path: str | Path) -> tuple[float, ...]:
    """The published optimal values, one a line (the ``os`` file), in instance order.

    Parameters
    ----------
    path : str or Path
        The file of optima.

    Returns
    -------
    tuple of float
        Optimal costs, in the instances' money unit.
    """
    return tuple(float(line) for line in Path(path).read_text().split())
