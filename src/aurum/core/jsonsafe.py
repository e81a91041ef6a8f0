"""JSON without NaN: a missing figure is null, never the invalid token NaN."""

from __future__ import annotations

import math
from typing import Any


def finite(obj: Any) -> Any:
    """A copy of nested dicts and lists with NaN and infinities replaced by None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite(v) for v in obj]
    return obj
