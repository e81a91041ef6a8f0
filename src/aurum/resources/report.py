"""Grade–tonnage curves and Mineral Resource statements (JORC / NI 43-101 shaped).

A block is reported at a cut-off when its grade is at or above it. Blocks with a NaN grade or
tonnage (not estimated) are left out. Tonnes in t and Mt, grades in g/t, contained gold in kg,
t and troy ounces (:data:`aurum.core.units.GRAMS_PER_TROY_OUNCE` g each):
contained kg = t × g/t / 1000.

In a statement, Measured + Indicated is the row-by-row sum of the Measured and Indicated rows
and Total adds Inferred, so that the rows add up exactly; the grade of a combined row is its
contained metal divided by its tonnes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.core.units import G_PER_KG, GRAMS_PER_TROY_OUNCE, KG_PER_T
from aurum.resources.classify import ResourceClass
from aurum.resources.gbt17766 import RESOURCE_CODES, combined_label

T_PER_MT = 1e6

MEASURED_INDICATED = "Measured + Indicated"
TOTAL = "Total"
CATEGORIES = (ResourceClass.MEASURED.label, ResourceClass.INDICATED.label, MEASURED_INDICATED,
              ResourceClass.INFERRED.label, TOTAL)
"""Rows of a statement at each cut-off, in order."""
CATEGORY_CODES: dict[str, tuple[str, ...]] = {
    ResourceClass.MEASURED.label: ("measured",), ResourceClass.INDICATED.label: ("indicated",),
    MEASURED_INDICATED: ("measured", "indicated"), ResourceClass.INFERRED.label: ("inferred",),
    TOTAL: RESOURCE_CODES}
"""The GB/T 17766-2020 resource categories each row of a statement sums: the workbook names a
row by them (:func:`aurum.resources.gbt17766.combined_label`), the CRIRSCO names beside."""

LABELS = {"cutoff_gpt": "Cut-off (g/t Au)", "category": "Category", "tonnes_t": "Tonnes (t)",
          "tonnes_mt": "Tonnes (Mt)", "grade_gpt": "Grade (g/t Au)",
          "metal_kg": "Contained Au (kg)", "metal_t": "Contained Au (t)",
          "metal_oz": "Contained Au (oz)"}
"""Column headings of the Excel sheets."""

_FORMATS = {"cutoff_gpt": "0.00", "tonnes_t": "#,##0", "tonnes_mt": "0.000",
            "grade_gpt": "0.00", "metal_kg": "#,##0.0", "metal_t": "0.000",
            "metal_oz": "#,##0"}
_ADDITIVE = ("tonnes_t", "tonnes_mt", "metal_kg", "metal_t", "metal_oz")
STATEMENT_SHEET = "Resource statement"
GRADE_TONNAGE_SHEET = "Grade-tonnage"


def check_cutoffs(cutoffs: float | np.ndarray | list[float]) -> np.ndarray:
    """Cut-off grades as a 1-D array, g/t.

    Raises
    ------
    ValidationError
        No cut-off, or cut-offs that are not finite, >= 0 and strictly increasing.
    """
    values = np.atleast_1d(np.asarray(cutoffs, dtype=np.float64))
    if values.ndim != 1 or values.size == 0:
        message = _("give one or more cut-off grades, g/t")
    elif not (np.isfinite(values).all() and (values >= 0).all()):
        message = _("cut-off grades must be numbers >= 0 g/t, got %(cutoffs)s",
                    cutoffs=values.tolist())
    elif (np.diff(values) <= 0).any():
        message = _("cut-off grades must be strictly increasing, got %(cutoffs)s",
                    cutoffs=values.tolist())
    else:
        return values
    raise ValidationError(Problem(message, column="cutoff"))


def _sums_above(tonnes: np.ndarray, grade: np.ndarray, cutoffs: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Tonnes (t) and contained metal (g) of the blocks at or above each cut-off."""
    tonnes = np.asarray(tonnes, dtype=np.float64)
    grade = np.asarray(grade, dtype=np.float64)
    if tonnes.shape != grade.shape:
        raise ValueError(f"tonnes {tonnes.shape} and grade {grade.shape} differ in shape")
    known = np.isfinite(tonnes) & np.isfinite(grade)
    tonnes, grade = tonnes[known], grade[known]
    # Bin b holds the blocks at or above exactly b cut-offs; a block is reported at cut-off j
    # when its bin is above j, so reverse cumulative sums over bins 1..k give every cut-off.
    bins = np.searchsorted(cutoffs, grade, side="right")
    size = cutoffs.size + 1
    per_bin_t = np.bincount(bins, weights=tonnes, minlength=size)[1:]
    per_bin_g = np.bincount(bins, weights=tonnes * grade, minlength=size)[1:]
    return np.cumsum(per_bin_t[::-1])[::-1], np.cumsum(per_bin_g[::-1])[::-1]


def _columns(tonnes_t: np.ndarray, metal_g: np.ndarray) -> dict[str, np.ndarray]:
    grade = np.divide(metal_g, tonnes_t, out=np.full(tonnes_t.shape, np.nan),
                      where=tonnes_t > 0)
    metal_kg = metal_g / G_PER_KG
    return {"tonnes_t": tonnes_t, "tonnes_mt": tonnes_t / T_PER_MT, "grade_gpt": grade,
            "metal_kg": metal_kg, "metal_t": metal_kg / KG_PER_T,
            "metal_oz": metal_g / GRAMS_PER_TROY_OUNCE}


def grade_tonnage(tonnes: np.ndarray, grade: np.ndarray,
                  cutoffs: float | np.ndarray | list[float]) -> pd.DataFrame:
    """Grade–tonnage table: what lies at or above each cut-off.

    Parameters
    ----------
    tonnes : numpy.ndarray
        Tonnes per block, t.
    grade : numpy.ndarray
        Grade per block, g/t.
    cutoffs : array_like
        Cut-off grades, g/t, strictly increasing.

    Returns
    -------
    pandas.DataFrame
        One row per cut-off: ``cutoff_gpt`` (g/t), ``tonnes_t`` (t), ``tonnes_mt`` (Mt),
        ``grade_gpt`` (mean grade, g/t; NaN when no block), ``metal_kg``, ``metal_t`` and
        ``metal_oz`` (contained gold, kg, t and troy oz).

    Notes
    -----
    No sort of the blocks: each block is binned between the sorted cut-offs (binary search),
    tonnes and metal are summed per bin, and reverse cumulative sums over the bins give every
    cut-off at once, O(n log k) for n blocks and k cut-offs.
    """
    values = check_cutoffs(cutoffs)
    return pd.DataFrame({"cutoff_gpt": values,
                         **_columns(*_sums_above(tonnes, grade, values))})


@dataclass(frozen=True, eq=False)
class ResourceStatement:
    """A Mineral Resource statement.

    Attributes
    ----------
    table : pandas.DataFrame
        Five rows per cut-off (:data:`CATEGORIES`) with the columns ``cutoff_gpt``,
        ``category`` and those of :func:`grade_tonnage`.
    effective_date : datetime.date
        Date at which the resource is stated.
    """

    table: pd.DataFrame
    effective_date: date

    @property
    def cutoffs(self) -> tuple[float, ...]:
        """Cut-off grades, g/t."""
        return tuple(float(c) for c in self.table["cutoff_gpt"].unique())

    @property
    def notes(self) -> list[str]:
        """Notes printed above the table: effective date, cut-offs and units."""
        cutoffs = ", ".join(f"{c:g}" for c in self.cutoffs)
        return [
            f"Mineral Resource statement, effective date {self.effective_date.isoformat()}.",
            f"Reported at cut-off grade(s) of {cutoffs} g/t Au: blocks with a grade at or "
            "above the cut-off.",
            "Tonnes in t and Mt; grade in g/t Au; contained gold in kg, t and troy ounces "
            f"(1 oz = {GRAMS_PER_TROY_OUNCE} g).",
            f"{MEASURED_INDICATED} is the sum of the Measured and Indicated rows, {TOTAL} adds "
            "Inferred; the grade of a combined row is its contained gold over its tonnes.",
        ]

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """Write the table (machine-readable column names, floats written exactly)."""
        self.table.to_csv(path, index=False)

    def to_excel(self, path: str | os.PathLike[str],
                 grade_tonnage: pd.DataFrame | None = None) -> None:
        """Write an Excel workbook.

        The sheet ``Resource statement`` holds the notes (effective date, cut-offs, units),
        a blank row and the table; the sheet ``Grade-tonnage``, when a grade–tonnage table is
        given, holds that table from its first row. Column headings are :data:`LABELS`; a
        row's category is named by its GB/T 17766-2020 categories in the reader's language,
        the CRIRSCO names beside (:data:`CATEGORY_CODES`).

        Parameters
        ----------
        path : path-like
            The ``.xlsx`` file.
        grade_tonnage : pandas.DataFrame, optional
            Table from :func:`grade_tonnage`.
        """
        notes = self.notes
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            named = self.table.assign(category=[combined_label(CATEGORY_CODES[c])
                                                for c in self.table["category"]])
            _write_sheet(writer, STATEMENT_SHEET, named, start=len(notes) + 1)
            for row, note in enumerate(notes, start=1):
                writer.sheets[STATEMENT_SHEET].cell(row=row, column=1, value=note)
            if grade_tonnage is not None:
                _write_sheet(writer, GRADE_TONNAGE_SHEET, grade_tonnage, start=0)


def _write_sheet(writer: pd.ExcelWriter, name: str, table: pd.DataFrame, start: int) -> None:
    """A table with labelled headings and number formats from row ``start`` (0-based)."""
    table.rename(columns=LABELS).to_excel(writer, sheet_name=name, startrow=start, index=False)
    sheet = writer.sheets[name]
    for column, key in enumerate(table.columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = 20
        if key in _FORMATS:
            for row in range(start + 2, start + 2 + len(table)):
                sheet.cell(row=row, column=column).number_format = _FORMATS[key]


def resource_statement(tonnes: np.ndarray, grade: np.ndarray, resource_class: np.ndarray,
                       cutoffs: float | np.ndarray | list[float], effective_date: date
                       ) -> ResourceStatement:
    """Resource statement at one or more cut-offs.

    ``tonnes`` (t), ``grade`` (g/t) and ``cutoffs`` (g/t) are as in :func:`grade_tonnage`.

    Parameters
    ----------
    resource_class : numpy.ndarray
        :class:`~aurum.resources.classify.ResourceClass` code per block; Unclassified blocks
        are left out.
    effective_date : datetime.date
        Date at which the resource is stated.

    Returns
    -------
    ResourceStatement
    """
    values = check_cutoffs(cutoffs)
    resource_class = np.asarray(resource_class)
    tonnes = np.asarray(tonnes, dtype=np.float64)
    grade = np.asarray(grade, dtype=np.float64)
    measured, indicated, inferred = (
        cls.label for cls in (ResourceClass.MEASURED, ResourceClass.INDICATED,
                              ResourceClass.INFERRED))
    sums = {label: _sums_above(tonnes[resource_class == code], grade[resource_class == code],
                               values)
            for code, label in ((ResourceClass.MEASURED, measured),
                                (ResourceClass.INDICATED, indicated),
                                (ResourceClass.INFERRED, inferred))}
    combinations = ((MEASURED_INDICATED, measured, indicated),
                    (TOTAL, MEASURED_INDICATED, inferred))
    for combined, first, second in combinations:
        sums[combined] = (sums[first][0] + sums[second][0], sums[first][1] + sums[second][1])
    columns = {label: _columns(*sums[label]) for label in CATEGORIES}
    # Every column that adds up is the sum of the parts' columns, so that the rows add up
    # exactly in each unit, not only in t and g.
    for combined, first, second in combinations:
        columns[combined].update({key: columns[first][key] + columns[second][key]
                                  for key in _ADDITIVE})
    # Rows: cut-off by cut-off, the categories in order under each.
    table = pd.DataFrame({"cutoff_gpt": np.repeat(values, len(CATEGORIES)),
                          "category": np.tile(CATEGORIES, values.size),
                          **{key: np.column_stack([columns[c][key] for c in CATEGORIES]).ravel()
                             for key in columns[TOTAL]}})
    return ResourceStatement(table, effective_date)
