"""Every column of every table has a header a person reads (issue 17): each field of each row
model (:class:`aurum.api.schemas.Row` and its subclasses) is a key of
:data:`aurum.api.labels.columns.COLUMNS`, so an Excel sheet never falls back to the machine key.

The row models come from the schema package itself: a new table is covered as soon as its row
model exists.
"""

from __future__ import annotations

import importlib
import pkgutil

import aurum.api.schemas
from aurum.api.labels.columns import COLUMNS
from aurum.api.schemas import Row


def _row_models() -> list[type[Row]]:
    """Every subclass of :class:`Row`, at any depth, once each schema module is imported."""
    for module in pkgutil.iter_modules(aurum.api.schemas.__path__):
        importlib.import_module(f"{aurum.api.schemas.__name__}.{module.name}")
    found: list[type[Row]] = []
    pending = list(Row.__subclasses__())
    while pending:
        model = pending.pop()
        found.append(model)
        pending.extend(model.__subclasses__())
    return found


def test_every_field_of_every_row_model_has_a_header() -> None:
    models = _row_models()
    assert len(models) > 20  # the schema modules were found
    missing = sorted({f"{model.__name__}.{name}" for model in models
                      for name in model.model_fields if name not in COLUMNS})
    assert not missing, f"fields without a header in aurum.api.labels.columns: {missing}"
