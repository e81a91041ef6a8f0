"""What a person reads for a machine key: a state, a kind, a role, a category.

Machine keys (``overdue``, ``regulator``, ``waste_tailings_used_backfill_t``) are interfaces
and stay as they are in JSON and CSV; pages show their label in the reader's language through
the ``label`` template filter. Each area declares its labels in a module of this package
(``LABELS: dict[str, LazyProxy]``, messages made with :func:`aurum.core.i18n.lazy_gettext`),
so one key has one label everywhere; :func:`label` looks a key up in all of them.
"""

from __future__ import annotations

import importlib
import pkgutil
from enum import Enum
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _labels() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for module in pkgutil.iter_modules(__path__):
        merged.update(importlib.import_module(f"{__name__}.{module.name}").LABELS)
    return merged


def label(key: Any) -> str:
    """The label of ``key`` in the current language; a key without one is shown with its
    underscores as spaces (a value that is data, such as a code, passes through)."""
    if key is None:
        return ""
    text = str(key.value if isinstance(key, Enum) else key)
    found = _labels().get(text)
    return str(found) if found is not None else text.replace("_", " ")


def column(key: str) -> str:
    """The header of a table column in the current language (:mod:`.columns`); a key
    without one as :func:`aurum.core.tables.readable` writes it."""
    from aurum.api.labels.columns import COLUMNS
    from aurum.core.tables import readable

    found = COLUMNS.get(key)
    return str(found) if found is not None else str(readable(key))
