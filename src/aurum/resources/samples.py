"""From a drillhole database to estimation samples: desurvey, composite by length, and the
``x, y, z, value, hole`` table that run files and the estimation service take."""

from __future__ import annotations

import pandas as pd

from aurum.core.i18n import _
from aurum.resources.composite import composite_by_length
from aurum.resources.desurvey import desurvey
from aurum.resources.drillholes import DrillholeDatabase

SAMPLE_COLUMNS = ("x", "y", "z", "value", "hole")


def composite_samples(db: DrillholeDatabase, grade: str, length: float,
                      domain: str | None = None) -> pd.DataFrame:
    """Composites of one grade at their 3D centres.

    Parameters
    ----------
    db : DrillholeDatabase
        Validated drillholes.
    grade : str
        Grade column to composite (e.g. ``AU``, g/t).
    length : float
        Composite length, in the drillholes' length unit (m).
    domain : str, optional
        Column whose changes composites never cross (lithology or domain code).

    Returns
    -------
    pandas.DataFrame
        ``x, y, z`` (centre), ``value`` (length-weighted grade), ``hole``, ``from``, ``to``;
        composites with no assayed length are left out.
    """
    if grade not in db.grades:
        raise ValueError(_("no grade %(grade)r; the assays have %(grades)s", grade=grade,
                           grades=", ".join(db.grades)))
    comp = composite_by_length(db.intervals, length, domain=domain, grades=[grade])
    located = desurvey(db.collars, db.surveys).locate(comp).dropna(subset=[grade])
    return located.rename(columns={grade: "value"})[[*SAMPLE_COLUMNS, "from", "to"]]
