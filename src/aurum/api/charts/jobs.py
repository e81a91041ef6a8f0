"""The jobs page: how long each of the caller's jobs ran, coloured by how it ended."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aurum.api.charts.common import JOB_STATE_COLOURS, Figure, axis, base_layout
from aurum.api.labels import label
from aurum.core.i18n import _


def job_durations(rows: Sequence[dict[str, Any]]) -> Figure:
    """A bar per job (oldest left): its run time, s, coloured by state.

    Parameters
    ----------
    rows : sequence of dict
        ``id``, ``kind``, ``state`` and ``seconds`` (the run time so far, s; None before it
        starts) of each job.
    """
    data = []
    for state, colour in JOB_STATE_COLOURS.items():
        mine = [r for r in reversed(rows) if r["state"] == state]
        if mine:
            data.append({"type": "bar", "name": label(state), "marker": {"color": colour},
                         "x": [f"#{r['id']} {label(r['kind'])}" for r in mine],
                         "y": [r["seconds"] or 0.0 for r in mine]})
    return {"data": data, "layout": base_layout(
        _("Run time of your jobs") if rows else _("No job yet."),
        xaxis=axis(_("job")), yaxis=axis(_("run time (s)")), barmode="stack")}
