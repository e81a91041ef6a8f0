"""Canonical JSON of ledger entries: one byte string per entry, the same on every machine.

Entries hold only objects, arrays, strings, integers, booleans and null — quantities are
decimal strings with a fixed number of places (``"60000.00"``), never floats. For that
subset, keys sorted by code point, no whitespace, UTF-8 and JSON's minimal escapes are
exactly the JSON Canonicalization Scheme (RFC 8785), so any JCS implementation recomputes
the same bytes, hence the same leaf hashes.

Bulk entries (purchases) are written column by column (:func:`object_column`) rather than
object by object: the verifier rebuilds 10^6 bodies from stored rows, and :func:`canonical`
on each would be a Python loop per transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd


def _check(value: Any, path: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: keys must be strings, got {key!r}")
            _check(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check(item, f"{path}[{i}]")
        return
    raise TypeError(f"{path}: {type(value).__name__} is not allowed in a ledger entry "
                    "(write quantities as decimal strings)")


def canonical(entry: Mapping[str, Any]) -> bytes:
    """The canonical bytes of one entry.

    Parameters
    ----------
    entry : mapping
        Strings, integers, booleans, None, lists and mappings only.

    Raises
    ------
    TypeError
        When the entry holds a float or another type outside the canonical subset.
    """
    _check(entry, "entry")
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


Column = pd.Series | np.ndarray | Sequence[Any]
"""Values of one member over many entries."""


def _objects(values: Column) -> np.ndarray:
    return np.asarray(values, dtype=object)


def timestamp_text(instants: Column) -> np.ndarray:
    """Instants (timezone-aware, or naive UTC as SQLite returns them) in entry form: UTC,
    microseconds, ``Z`` (e.g. ``2025-08-04T02:00:00.000000Z``)."""
    utc = pd.to_datetime(pd.Series(instants), utc=True).dt.tz_localize(None)
    text = np.datetime_as_string(utc.to_numpy("datetime64[us]"), unit="us")
    return _objects(np.char.add(text, "Z"))


def decimal(value: float, places: int) -> str:
    """One quantity as :func:`decimal_text` writes it."""
    return str(decimal_text(np.array([value]), places)[0])


def decimal_text(values: Column, places: int) -> np.ndarray:
    """Non-negative quantities as decimal strings with ``places`` decimals (exact: the
    values are first rounded to integers of 10**-places units).

    Parameters
    ----------
    values : array-like of float
        Quantities (g, ‰, CNY…).
    places : int
        Decimal places (3 for g, 3 for ‰, 2 for CNY).
    """
    scale = 10 ** places
    units = np.rint(np.asarray(values, float) * scale).astype(np.int64)
    whole = np.char.add((units // scale).astype(str), ".")
    return _objects(np.char.add(whole, np.char.zfill((units % scale).astype(str), places)))


def string_fragment(values: Column, trusted: bool = False) -> np.ndarray:
    """JSON text of each string (``null`` for a missing one).

    Parameters
    ----------
    values : array-like
        Strings or missing values.
    trusted : bool
        The strings need no escaping (hex digests, timestamps, decimal text): they are only
        quoted. Otherwise each distinct value is encoded once and mapped.
    """
    text = _objects(values)
    missing = pd.isna(text)
    if trusted:
        out = '"' + np.where(missing, "", text).astype(object) + '"'
    else:
        codes, uniques = pd.factorize(text)
        encoded = np.array([*(json.dumps(str(u), ensure_ascii=False) for u in uniques),
                            "null"], dtype=object)
        out = encoded[codes]
    out[missing] = "null"
    return out


def integer_fragment(values: Column) -> np.ndarray:
    """JSON text of nullable integers (``null`` for a missing one)."""
    numbers = _objects(values)
    missing = pd.isna(numbers)
    out = _objects(np.where(missing, 0, numbers).astype(np.int64).astype(str))
    out[missing] = "null"
    return out


def object_column(fragments: Mapping[str, np.ndarray | str]) -> np.ndarray:
    """Canonical bytes of many objects from the JSON text of their members.

    Parameters
    ----------
    fragments : mapping
        Key -> JSON text of the value: an object array (one per entry) or one str for all.

    Returns
    -------
    numpy.ndarray
        One ``bytes`` object per entry.
    """
    keys = sorted(fragments)
    sizes = {len(v) for v in fragments.values() if isinstance(v, np.ndarray)}
    if len(sizes) != 1:
        raise ValueError("every member needs one value per entry")
    text = np.full(sizes.pop(), "{", dtype=object)
    for i, key in enumerate(keys):
        text = text + (("," if i else "") + json.dumps(key) + ":") + fragments[key]
    return _objects(list(map(str.encode, text + "}")))
