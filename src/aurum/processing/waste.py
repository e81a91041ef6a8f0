"""Solid waste of gold plants: the ledger of generation, storage and utilisation, and the
utilisation rate aggregated per plant, enterprise or nation.

A ledger row is one waste type of one plant in one period:

* ``generated_t`` in the period, ``opening_stock_t`` in storage at its start;
* utilised by route: ``utilised_backfill_t``, ``utilised_building_materials_t``,
  ``utilised_metal_recovery_t``, ``utilised_other_t`` (missing = 0), of which
  ``utilised_from_stock_t`` came out of the storage of earlier periods;
* ``disposed_t``: placed for good (tailings dam, landfill), not utilised;
* the closing stock follows: ``opening + generated − utilised − disposed``;
* ``detox_status`` of cyanide residue (HJ 943-2018, *Technical specification for pollution
  control of cyanide leaching residue in gold industry*): ``untreated`` or ``detoxified``.

Types: ``tailings``, ``cyanide_residue``, ``waste_rock``, ``other``; routes: ``backfill``,
``building_materials``, ``metal_recovery``, ``other`` (the keys of the statistical report).

Rules checked (every problem listed with its spreadsheet row and column): numbers >= 0; a
known type and status; utilised <= generated + opening stock; utilised from stock <= opening
stock and <= utilised; a closing stock >= 0; one row per plant, period and type; cyanide
residue used for backfill or building materials must be ``detoxified`` (HJ 943-2018 requires
de-cyanidation before those uses; untreated residue is a hazardous waste).

Two rates are given. ``utilisation_rate = utilised / generated`` is the plan's 35 % indicator
as :mod:`aurum.industry.kpi` computes it from the statistical reports (which carry no
"utilised from stock" figure), so a ledger and the reports it feeds give the same number.
``comprehensive_utilisation_rate = utilised / (generated + utilised from stock)`` is the
definition of China's environmental statistics (综合利用率): waste taken out of old storage
counts on both sides, so it stays <= 100 %. They differ only where old stock is used.

Units: tonnes (t), rates as fractions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from aurum.core.errors import Problem, ValidationError, shown_cell
from aurum.core.i18n import _, lazy_gettext

WASTE_TYPES = ("tailings", "cyanide_residue", "waste_rock", "other")
ROUTES = ("backfill", "building_materials", "metal_recovery", "other")
DETOX_STATUSES = ("untreated", "detoxified")
ROUTE_COLUMNS = tuple(f"utilised_{r}_t" for r in ROUTES)
TONNE_COLUMNS = ("generated_t", "opening_stock_t", *ROUTE_COLUMNS, "utilised_from_stock_t",
                 "disposed_t")
KEY_COLUMNS = ("plant", "period", "waste_type")
LEVELS = {"plant": ["enterprise", "plant"], "enterprise": ["enterprise"], "nation": []}
"""Grouping columns of each aggregation level (a plant belongs to one enterprise)."""
_DETOX_ROUTES = ("utilised_backfill_t", "utilised_building_materials_t")
_ROUTE_NAMES = {"utilised_backfill_t": lazy_gettext("backfill"),
                "utilised_building_materials_t": lazy_gettext("building materials")}
"""The routes of :data:`_DETOX_ROUTES` as a problem names them."""
_TOLERANCE = 1e-9


def validate_ledger(frame: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """Check a waste ledger and complete it.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``enterprise``, ``plant``, ``period``, ``waste_type``, ``generated_t``,
        ``opening_stock_t`` (t); optional: the utilisation routes, ``utilised_from_stock_t``,
        ``disposed_t`` (t, missing = 0), ``detox_status``.
    source : str or None
        File name for the messages.

    Returns
    -------
    pandas.DataFrame
        A copy with every tonnage column as float, ``detox_status`` filled (empty where not
        given), and ``utilised_t`` and ``closing_stock_t`` (t) added.

    Raises
    ------
    ValidationError
        Listing every problem (spreadsheet row: header = 1, first data row = 2).
    """
    problems: list[Problem] = []

    def bad(rows: np.ndarray, column: str, messages: Sequence[str] | str) -> None:
        for k, i in enumerate(rows):
            text = messages if isinstance(messages, str) else messages[k]
            problems.append(Problem(text, row=int(i) + 2, column=column, source=source))

    out = frame.copy()
    required = ("enterprise", "plant", "period", "waste_type", "generated_t", "opening_stock_t")
    missing = [c for c in required if c not in out.columns]
    if missing:
        raise ValidationError([Problem(_("missing column %(column)r", column=c), column=c,
                                       source=source)
                               for c in missing])
    for col in TONNE_COLUMNS:
        raw = out[col] if col in out.columns else pd.Series(0.0, index=out.index)
        values = pd.to_numeric(raw, errors="coerce")
        blank = raw.isna()
        if col not in required:
            values = values.where(~blank, 0.0)
        invalid = values.isna() | ~np.isfinite(values.fillna(0.0)) | (values < 0)
        bad(np.flatnonzero(invalid.to_numpy()), col,
            [_("%(cell)s: expected tonnes, a number >= 0", cell=shown_cell(raw.iloc[i]))
             for i in np.flatnonzero(invalid.to_numpy())])
        out[col] = values.astype(float)
    types = out["waste_type"].astype(str)
    unknown = ~types.isin(WASTE_TYPES)
    bad(np.flatnonzero(unknown.to_numpy()), "waste_type",
        [_("'%(value)s': expected one of %(known)s", value=types.iloc[i],
           known=", ".join(WASTE_TYPES))
         for i in np.flatnonzero(unknown.to_numpy())])
    status = (out["detox_status"] if "detox_status" in out.columns
              else pd.Series("", index=out.index)).fillna("").astype(str)
    wrong = (status != "") & ~status.isin(DETOX_STATUSES)
    bad(np.flatnonzero(wrong.to_numpy()), "detox_status",
        [_("'%(value)s': expected one of %(known)s (or blank)", value=status.iloc[i],
           known=", ".join(DETOX_STATUSES))
         for i in np.flatnonzero(wrong.to_numpy())])
    out["detox_status"] = status
    duplicated = out.duplicated(list(KEY_COLUMNS), keep="first")
    bad(np.flatnonzero(duplicated.to_numpy()), "waste_type",
        _("a second row for the same plant, period and waste type"))
    if problems:
        raise ValidationError(problems)

    tol = _TOLERANCE * (out["generated_t"] + out["opening_stock_t"] + 1.0)
    out["utilised_t"] = out[list(ROUTE_COLUMNS)].sum(axis=1)
    available = out["generated_t"] + out["opening_stock_t"]
    over = out["utilised_t"] > available + tol
    bad(np.flatnonzero(over.to_numpy()), "utilised_t",
        [_("%(type)s utilised %(utilised)s t exceeds generated + opening stock %(available)s t",
           type=t, utilised=format(u, ",.1f"), available=format(a, ",.1f"))
         for t, u, a in zip(types[over], out["utilised_t"][over], available[over],
                            strict=True)])
    from_stock = out["utilised_from_stock_t"]
    over_stock = from_stock > out["opening_stock_t"] + tol
    bad(np.flatnonzero(over_stock.to_numpy()), "utilised_from_stock_t",
        [_("%(from_stock)s t utilised from stock exceeds the opening stock %(stock)s t",
           from_stock=format(f, ",.1f"), stock=format(s, ",.1f"))
         for f, s in zip(from_stock[over_stock], out["opening_stock_t"][over_stock],
                         strict=True)])
    over_used = (from_stock > out["utilised_t"] + tol) & ~over_stock
    bad(np.flatnonzero(over_used.to_numpy()), "utilised_from_stock_t",
        [_("%(from_stock)s t utilised from stock exceeds the %(utilised)s t utilised",
           from_stock=format(f, ",.1f"), utilised=format(u, ",.1f"))
         for f, u in zip(from_stock[over_used], out["utilised_t"][over_used], strict=True)])
    out["closing_stock_t"] = available - out["utilised_t"] - out["disposed_t"]
    negative = (out["closing_stock_t"] < -tol) & ~over
    bad(np.flatnonzero(negative.to_numpy()), "disposed_t",
        [_("utilised + disposed %(used)s t exceed generated + opening stock %(available)s t",
           used=format(u + d, ",.1f"), available=format(a, ",.1f"))
         for u, d, a in zip(out["utilised_t"][negative], out["disposed_t"][negative],
                            available[negative], strict=True)])
    residue = types == "cyanide_residue"
    for col in _DETOX_ROUTES:
        untreated = residue & (out[col] > 0) & (status != "detoxified")
        bad(np.flatnonzero(untreated.to_numpy()), col,
            [_("cyanide residue used for %(route)s (%(tonnes)s t) must be detoxified first "
               "(HJ 943-2018); detox_status is %(status)r", route=_ROUTE_NAMES[col],
               tonnes=format(v, ",.1f"), status=s or "blank")
             for v, s in zip(out[col][untreated], status[untreated], strict=True)])
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise ValidationError(problems)
    out["closing_stock_t"] = out["closing_stock_t"].clip(lower=0.0)
    return out


def utilisation(ledger: pd.DataFrame, level: str = "plant",
                by: Sequence[str] = ("period",)) -> pd.DataFrame:
    """Tonnages and utilisation rate aggregated per plant, enterprise or nation.

    Parameters
    ----------
    ledger : pandas.DataFrame
        A ledger as :func:`validate_ledger` returns it (t).
    level : {"plant", "enterprise", "nation"}
        Aggregation level.
    by : sequence of str
        Further grouping columns, e.g. ``("period",)`` (default), ``("period",
        "waste_type")``, or ``()`` for all periods together.

    Returns
    -------
    pandas.DataFrame
        One row per group: the summed tonnage columns (t), ``utilised_t``,
        ``closing_stock_t``, ``utilisation_rate`` = utilised / generated (the plan's
        indicator; NaN when nothing was generated), ``comprehensive_utilisation_rate`` =
        utilised / (generated + utilised from stock) (fractions), and per route its share of
        the utilised tonnes (``share_<route>``).

    Raises
    ------
    ValidationError
        On an unknown level or grouping column.
    """
    if level not in LEVELS:
        raise ValidationError(_("level %(level)r: expected one of %(known)s", level=level,
                                known=", ".join(LEVELS)))
    keys = [*LEVELS[level], *by]
    unknown = [k for k in keys if k not in ledger.columns]
    if unknown:
        raise ValidationError([Problem(_("cannot group by missing column %(column)r", column=k),
                                       column=k) for k in unknown])
    sums = [*TONNE_COLUMNS, "utilised_t", "closing_stock_t"]
    grouped = (ledger.groupby(keys, sort=True, dropna=False)[sums].sum().reset_index()
               if keys else ledger[sums].sum().to_frame().T)
    generated = grouped["generated_t"]
    grouped["utilisation_rate"] = (grouped["utilised_t"] / generated).where(generated > 0)
    base = generated + grouped["utilised_from_stock_t"]
    grouped["comprehensive_utilisation_rate"] = (grouped["utilised_t"] / base).where(base > 0)
    for route, col in zip(ROUTES, ROUTE_COLUMNS, strict=True):
        grouped[f"share_{route}"] = (grouped[col] / grouped["utilised_t"]).where(
            grouped["utilised_t"] > 0)
    return grouped
