"""Every table the API or a page shows can be fetched as JSON, CSV or Excel; a page's long
table is shown a page at a time, sorted, searched and filtered on the server
(:func:`table_page`, drawn by the ``data_table`` macro of ``macros.html``)."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from fastapi import Request, Response
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticError

from aurum.api.labels import column, label
from aurum.api.labels.regulator import province
from aurum.core.checks import MAX_SEARCH_CHARS, TABLE_PAGES, TABLE_ROWS, SearchText, TablePageNumber
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.core.tables import for_export

TableFormat = Literal["json", "csv", "xlsx"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEYS_SHEET = "keys"
"""The Excel sheet that pairs each header with its machine key."""


def table_responses(row: type[Any], description: str = "The table") -> dict[int | str, Any]:
    """OpenAPI ``responses`` of a table route: JSON rows of model ``row``, CSV or Excel.

    Parameters
    ----------
    row : type of :class:`aurum.api.schemas.Row`
        The model of one row of the JSON form.
    description : str
        What the table holds.
    """
    return {200: {"model": list[row],  # type: ignore[valid-type]
                  "description": f"{description} (``format=json``; CSV or Excel with "
                                 "``format=csv`` or ``format=xlsx``)",
                  "content": {"text/csv": {}, XLSX: {}}}}


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """JSON-ready rows: NaN as null, dates as ISO text."""
    return list(json.loads(frame.to_json(orient="records", date_format="iso")))


def display_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows for a page: times to the minute (UTC), dates without a time."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            times = out[col].dt.tz_convert("UTC") if out[col].dt.tz else out[col]
            midnight = (times.dropna().dt.normalize() == times.dropna()).all()
            out[col] = times.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M")
        elif out[col].dtype == object and out[col].map(
                lambda v: isinstance(v, date)).any():
            out[col] = out[col].map(lambda v: v.isoformat() if isinstance(v, date) else v)
    return records(out)


def tabular(frame: pd.DataFrame, fmt: TableFormat, name: str) -> Response:
    """Render a frame in the requested format (a download for CSV and Excel).

    CSV and Excel cells are made inert and numbers rounded (:func:`aurum.core.tables.
    for_export`); the Excel sheet, read by people, has headers in the reader's language
    (:func:`aurum.api.labels.column`) and a second sheet naming each header's machine key,
    while JSON and CSV keep the machine keys programs read.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, with units in the column names.
    fmt : {"json", "csv", "xlsx"}
        Output format.
    name : str
        File name without extension.
    """
    if fmt == "csv":
        return Response(for_export(frame).to_csv(index=False),
                        media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if fmt == "xlsx":
        buf = io.BytesIO()
        out = frame.copy()
        for col in out.select_dtypes(include=["datetimetz"]).columns:
            out[col] = out[col].dt.tz_localize(None)  # Excel has no time zones
        out = for_export(out)
        keys = [str(c) for c in out.columns]
        out.columns = [column(k) for k in keys]
        with pd.ExcelWriter(buf, engine="openpyxl") as writer:
            out.to_excel(writer, index=False, sheet_name=name[:31])
            # The machine key of each header, for a reader who also has the CSV or the API.
            pd.DataFrame({_("Column"): list(out.columns), _("Machine key"): keys}).to_excel(
                writer, index=False, sheet_name=KEYS_SHEET)
        return Response(buf.getvalue(), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return Response(json.dumps(records(frame), ensure_ascii=False),
                    media_type="application/json")


# --- a page's table: a page of rows, sorted, searched and filtered on the server --------------

UNIT_DIGITS = (("_pct", 1), ("_gpt", 2), ("_kg", 1), ("_g", 2), ("_cny", 2), ("_tpd", 0),
               ("_t_per_day", 0), ("_t", 1), ("_m", 1))
"""Decimals a number column shows, by the unit suffix of its key (first match): a percentage
to 0.1 %, a grade to 0.01 g/t, gold to 0.1 kg or 0.01 g, money to the fen, a capacity in whole
t/d, a tonnage to 0.1 t, a length to 0.1 m. Other numbers show two decimals; whole numbers and
columns reaching :data:`WHOLE_FROM` show none (ore tonnes, not gold tonnes)."""

WHOLE_FROM = 10_000.0
"""A number column whose largest magnitude reaches this shows no decimals."""


@dataclass(frozen=True)
class Col:
    """A column of a page's table.

    Parameters
    ----------
    key : str
        Its machine key in the frame; the header is :func:`aurum.api.labels.column` of it
        (with the unit).
    kind : str
        ``""``: from the values (a number, yes/no, or text); ``"label"``: a machine key shown
        by its label (``"label:prefix_"``: by the label of the prefixed key, where the key
        alone names something else, as a standard's level ``enterprise``); ``"province"``: a
        province in the reader's language; ``"link:/prefix/"``: text linking to the prefix
        followed by the value.
    digits : int, optional
        Decimals of a number column; by default from its unit (:data:`UNIT_DIGITS`).
    choices : bool
        Whether the table offers a filter (a select of the column's values) on it.
    """

    key: str
    kind: str = ""
    digits: int | None = None
    choices: bool = False


@dataclass(frozen=True)
class Spec:
    """A page's table: its columns, its name (test id and export file name), the prefix of
    its query parameters (the second table of a page takes one, say ``missing_``) and the
    page's parameters its links drop (``transient``: what one click on a row showed)."""

    name: str
    columns: tuple[Col, ...]
    prefix: str = ""
    transient: tuple[str, ...] = ()


class TableQuery(BaseModel):
    """What the reader asked of a page's table: the page (1-based), the column sorted on and
    its direction, the search text and the value of each filter; ``format`` asks for the
    whole selection as a file instead of a page."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    page: TablePageNumber = 1
    sort: SearchText | None = None
    desc: bool = False
    q: SearchText = ""
    format: TableFormat | None = None
    filters: dict[str, SearchText] = {}


def _expected(field: str) -> str:
    if field == "page":
        return TABLE_PAGES.describe()
    if field == "desc":
        return _("true or false")
    if field == "format":
        return _("json, csv or xlsx")
    return _("at most %(n)s characters", n=MAX_SEARCH_CHARS)


def table_query(request: Request, spec: Spec) -> TableQuery:
    """The table's query parameters of a request (named with the table's prefix).

    Raises
    ------
    aurum.core.errors.ValidationError
        A page outside 1 … :data:`aurum.core.checks.MAX_TABLE_PAGE`, a search or filter
        longer than :data:`aurum.core.checks.MAX_SEARCH_CHARS`, a sort on no column of the
        table, an unknown format.
    """
    params = request.query_params
    raw: dict[str, Any] = {name: params[spec.prefix + name]
                           for name in ("page", "sort", "desc", "q", "format")
                           if params.get(spec.prefix + name)}
    raw["filters"] = {c.key: params[spec.prefix + c.key] for c in spec.columns
                      if c.choices and params.get(spec.prefix + c.key)}
    try:
        query = TableQuery.model_validate(raw)
    except PydanticError as exc:
        raise ValidationError([Problem(_("expected %(expected)s", expected=_expected(
            str(e["loc"][0]))), column=spec.prefix + str(e["loc"][-1])) for e in exc.errors()]
        ) from None
    keys = [c.key for c in spec.columns]
    if query.sort is not None and query.sort not in keys:
        raise ValidationError(Problem(_("expected one of the columns %(columns)s",
                                        columns=", ".join(keys)), column=spec.prefix + "sort"))
    return query


@dataclass(frozen=True)
class Header:
    """A column as the table macro draws it: its header, how its cells read, the link that
    sorts on it and its ``aria-sort`` (None when the table is not sorted on it)."""

    key: str
    title: str
    kind: str
    digits: int
    link: str
    href: str
    aria: str | None


@dataclass(frozen=True)
class Filter:
    """A select of a table's search form: its parameter, the value chosen and the options
    (value, text)."""

    param: str
    title: str
    value: str
    options: list[tuple[str, str]]


@dataclass
class TablePage:
    """One page of a page's table (:func:`table_page`), with the links that move through it;
    ``selected`` is the whole filtered and sorted selection the exports hold."""

    name: str
    headers: list[Header]
    rows: list[dict[str, object]]
    selected: pd.DataFrame
    query: TableQuery
    filters: list[Filter]
    page: int
    pages: int
    first: int
    last: int
    total: int
    links: dict[str, str | None]
    hidden: list[tuple[str, str]]
    search_param: str

    @property
    def search_limit(self) -> int:
        """Longest search the box takes (characters, :data:`MAX_SEARCH_CHARS`)."""
        return MAX_SEARCH_CHARS

    @property
    def narrowed(self) -> bool:
        """Whether a search or a filter narrows the rows."""
        return bool(self.query.q or self.query.filters)

    def download(self) -> Response:
        """The whole selection in the format asked (:func:`tabular`)."""
        return tabular(self.selected, self.query.format or "csv", self.name)


def _is_bool(series: pd.Series) -> bool:
    values = series.dropna()
    return pd.api.types.is_bool_dtype(series) or (
        len(values) > 0 and bool(values.map(lambda v: isinstance(v, bool | np.bool_)).all()))


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _digits(col: Col, series: pd.Series) -> int:
    if col.digits is not None:
        return col.digits
    values = series.dropna().astype(float)
    if pd.api.types.is_integer_dtype(series) or values.empty or (
            (values == values.round()).all() or values.abs().max() >= WHOLE_FROM):
        return 0
    return next((d for suffix, d in UNIT_DIGITS if col.key.endswith(suffix)), 2)


def _kind(col: Col, series: pd.Series) -> str:
    if col.kind in ("label", "province") or col.kind.startswith("label:"):
        return col.kind
    if col.kind.startswith("link:"):
        return "link"
    if _is_bool(series):
        return "yesno"
    return "number" if _is_number(series) else "text"


def _shown(series: pd.Series, kind: str) -> pd.Series:
    """The text a reader sees for each value of a text column (labels and provinces in the
    reader's language), for the search and the sort."""
    text = series.astype("string")
    if kind == "province":
        text = text.map({v: province(v) for v in text.dropna().unique()}, na_action="ignore")
    elif kind.startswith("label"):
        prefix = kind.partition(":")[2]
        text = text.map({v: label(prefix + v) for v in text.dropna().unique()},
                        na_action="ignore")
    return text.astype("string")


def _url(request: Request, changes: Mapping[str, str | None], drop: tuple[str, ...] = ()
         ) -> str:
    """The current page with the parameters in ``changes`` set (None drops one) and those
    in ``drop`` left out."""
    kept = [(k, v) for k, v in request.query_params.multi_items()
            if k not in changes and k not in drop]
    kept += [(k, v) for k, v in changes.items() if v is not None]
    return f"{request.url.path}?{urlencode(kept)}" if kept else request.url.path


def _order(series: pd.Series, kind: str) -> pd.Series:
    """What a column sorts by: numbers (and codes that are all numbers) as numbers, times as
    times, yes before no, text as the reader sees it whatever its case."""
    numbers = pd.to_numeric(series, errors="coerce")
    if kind == "number" or (kind in ("text", "link")
                            and numbers.notna().sum() == series.notna().sum()):
        return numbers
    if kind == "yesno":
        return series.astype(float)
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    return _shown(series, kind).str.casefold()


def _search(frame: pd.DataFrame, kinds: dict[str, str], q: str) -> pd.DataFrame:
    """The rows one of whose text columns shows ``q`` (any case)."""
    needle = q.casefold()
    found = pd.Series(False, index=frame.index)
    for key, kind in kinds.items():
        if kind in ("text", "province", "link") or kind.startswith("label"):
            found |= _shown(frame[key], kind).str.casefold().str.contains(
                needle, regex=False).fillna(False).astype(bool)
    return frame[found]


def _filter(frame: pd.DataFrame, col: Col, kind: str, param: str, value: str) -> Filter:
    values = sorted(str(v) for v in frame[col.key].dropna().unique())
    shown = _shown(pd.Series(values, dtype=object), kind).tolist()
    return Filter(param, column(col.key), value, list(zip(values, shown, strict=True)))


def table_page(request: Request, frame: pd.DataFrame | Sequence[Mapping[str, Any]],
               spec: Spec) -> TablePage:
    """The page of ``frame`` the request asks for: rows filtered (the table's selects),
    searched (``q``: a case-insensitive substring of the text shown in any text column),
    sorted (``sort``, ``desc``: numbers as numbers, labels as read, missing values last) and
    cut to :data:`aurum.core.checks.TABLE_ROWS` rows.

    Parameters
    ----------
    request : Request
        The page's request, whose query holds the table's parameters (:func:`table_query`).
    frame : pandas.DataFrame or sequence of mappings
        Every row the reader may see, in the table's default order, with at least the
        columns of ``spec`` (rows as mappings: a router builds no frames).
    spec : Spec
        The table.
    """
    query = table_query(request, spec)
    p = spec.prefix
    if not isinstance(frame, pd.DataFrame):
        frame = pd.DataFrame(list(frame))
    # An empty selection may come without its columns: it shows as an empty table.
    frame = frame.reindex(columns=[*frame.columns,
                                   *(c.key for c in spec.columns if c.key not in frame)])
    kinds = {c.key: _kind(c, frame[c.key]) for c in spec.columns}
    filters = [_filter(frame, c, kinds[c.key], p + c.key, query.filters.get(c.key, ""))
               for c in spec.columns if c.choices]
    selected = frame
    for key, value in query.filters.items():
        selected = selected[selected[key].astype("string") == value]
    if query.q:
        selected = _search(selected, kinds, query.q)
    if query.sort is not None:
        order = _order(selected[query.sort], kinds[query.sort]).reset_index(drop=True)
        selected = selected.iloc[order.sort_values(ascending=not query.desc,
                                                   na_position="last", kind="stable").index]
    total = len(selected)
    pages = max(1, -(-total // TABLE_ROWS))
    start = (query.page - 1) * TABLE_ROWS
    headers = []
    for c in spec.columns:
        aria = (None if query.sort != c.key else "descending" if query.desc
                else "ascending")
        headers.append(Header(
            c.key, column(c.key), kinds[c.key],
            _digits(c, frame[c.key]) if kinds[c.key] == "number" else 0,
            c.kind.removeprefix("link:") if c.kind.startswith("link:") else "",
            _url(request, {p + "sort": c.key, p + "page": None, p + "format": None,
                           p + "desc": "true" if aria == "ascending" else None},
                 spec.transient), aria))
    own = {p + "q", p + "page", p + "format", *(f.param for f in filters)}
    at = {p + "format": None} | dict.fromkeys(spec.transient)
    links = {
        "previous": _url(request, at | {p + "page": str(min(query.page - 1, pages))})
        if query.page > 1 else None,
        "next": _url(request, at | {p + "page": str(query.page + 1)})
        if query.page < pages else None,
        "cleared": _url(request, at | dict.fromkeys(own)),
        "csv": _url(request, at | {p + "page": None, p + "format": "csv"}),
        "xlsx": _url(request, at | {p + "page": None, p + "format": "xlsx"})}
    rows = selected.iloc[start:start + TABLE_ROWS]  # all columns: a row's cells may use more
    return TablePage(
        name=spec.name, headers=headers, rows=display_records(rows) if len(rows) else [],
        selected=selected, query=query, filters=filters, page=query.page, pages=pages,
        first=start + 1 if len(rows) else 0, last=start + len(rows), total=total,
        links=links, hidden=[(k, v) for k, v in request.query_params.multi_items()
                             if k not in own and k not in spec.transient],
        search_param=p + "q")
