"""The geologist's drillhole check: uploaded collar, survey and assay files validated,
composited on one grade and its top cuts analysed, in the request or as a job whose result is
kept for its page (:mod:`aurum.services.resources` keeps the models and statements).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from aurum.core import i18n
from aurum.core.checks import MAX_DRILLHOLE_CHECKS_KEPT
from aurum.core.errors import NotFoundError, Problem, ValidationError
from aurum.core.files import write_atomic
from aurum.core.jsonsafe import finite
from aurum.resources.composite import log_probability, top_cut_analysis
from aurum.resources.drillholes import read_drillholes
from aurum.resources.samples import composite_samples
from aurum.services import derived, jobs
from aurum.services.auth import Actor


@dataclass(frozen=True)
class DrillholeCheck:
    """Uploaded drillholes composited on one grade (nothing stored).

    Attributes
    ----------
    samples : pandas.DataFrame
        Composites: hole, from, to (m), x, y, z (m), value.
    log_probability : pandas.DataFrame
        Length-weighted grades against normal scores.
    top_cut : pandas.DataFrame
        Metal removed by caps at the 90th to 99.5th percentiles.
    summary : dict
        ``holes``, ``intervals``, ``composites`` (counts), ``counts`` (the reader's
        counts) and ``grade`` (the column composited).
    problems : list of Problem
        What the reader found and left out, first 500.
    """

    samples: pd.DataFrame
    log_probability: pd.DataFrame
    top_cut: pd.DataFrame
    summary: dict[str, Any]
    problems: list[Problem]


TOP_CUT_PERCENTILES = (90, 95, 97.5, 99, 99.5)
"""Percentiles of the composite grades tried as top cuts (%)."""


def check_drillholes(collar: tuple[str, bytes], survey: tuple[str, bytes],
                     assay: tuple[str, bytes], grade: str, composite_m: float,
                     report: derived.Progress | None = None) -> DrillholeCheck:
    """Validate uploaded collar, survey and assay files (name, content), composite one grade
    (``composite_m`` m) and analyse its top cuts: the geologist's check before a model;
    ``report`` takes the progress (:data:`aurum.services.derived.Progress`).

    Raises
    ------
    ValidationError
        Files the reader refuses, or a grade or length it cannot composite.
    """
    with tempfile.TemporaryDirectory() as folder:
        # The files keep their names, so every message names the user's own file.
        paths = []
        for default, (name, content) in zip(("collar.csv", "survey.csv", "assay.csv"),
                                             (collar, survey, assay), strict=True):
            path = Path(folder) / name
            if path.exists():
                path = Path(folder) / default
            path.write_bytes(content)
            paths.append(path)
        try:
            db = read_drillholes(*paths)
            if report is not None:
                report(0.4, jobs.stored_text(i18n.lazy_gettext("compositing")))
            samples = composite_samples(db, grade.strip(), composite_m)
        except ValueError as exc:
            raise ValidationError(Problem(str(exc))) from exc
    if report is not None:
        report(0.8, jobs.stored_text(i18n.lazy_gettext("top cuts")))
    values = samples["value"].to_numpy()
    weights = (samples["to"] - samples["from"]).to_numpy()
    caps = np.unique(np.round(np.nanpercentile(values, TOP_CUT_PERCENTILES), 3))
    return DrillholeCheck(
        samples, log_probability(values, weights), top_cut_analysis(values, weights, caps),
        {"holes": int(db.collars["hole"].nunique()), "intervals": len(db.intervals),
         "composites": len(samples), "counts": db.report.counts(), "grade": grade},
        db.report.problems[:500])


# --- the drillhole check as a job -----------------------------------------------------------

DRILLHOLE_CHECKS = "drillhole-checks"
"""Folder of the data directory keeping the drillhole checks run as jobs, one JSON file per
job (at most :data:`aurum.core.checks.MAX_DRILLHOLE_CHECKS_KEPT`)."""
DRILLHOLE_FILES = ("collar", "survey", "assay")
"""The files of a drillhole check, as its job's parameters name them."""


def _drillhole_owner(session: Session, actor: Actor, home: Path, params: Mapping[str, Any]
                     ) -> jobs.Owner:
    # Nothing of anybody's data is read or stored: the check is the submitter's own.
    for key in DRILLHOLE_FILES:
        jobs.read_input(home, params[key]["digest"])  # refused now if not kept
    return (min(actor.org_ids) if actor.org_ids else None), actor.province


def _drillhole_payload(check: DrillholeCheck) -> dict[str, Any]:
    """The JSON form of :class:`DrillholeCheck` (read back by :func:`_drillhole_of_payload`)."""
    return finite({"samples": derived.encode_frame(check.samples),
                   "log_probability": derived.encode_frame(check.log_probability),
                   "top_cut": derived.encode_frame(check.top_cut),
                   "summary": check.summary,
                   "problems": [p.as_dict() for p in check.problems]})


def _drillhole_of_payload(payload: dict[str, Any]) -> DrillholeCheck:
    return DrillholeCheck(
        derived.decode_frame(payload["samples"]), derived.decode_frame(payload["log_probability"]),
        derived.decode_frame(payload["top_cut"]), payload["summary"],
        [Problem(p["message"], p["row"], p["column"], p["source"]) for p in payload["problems"]])


def _keep_check(home: Path, job_id: int, check: DrillholeCheck) -> None:
    """Store a check as ``home/drillhole-checks/<job id>.json``, the oldest beyond
    :data:`aurum.core.checks.MAX_DRILLHOLE_CHECKS_KEPT` deleted."""
    folder = home / DRILLHOLE_CHECKS
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / f"{job_id}.json", json.dumps(_drillhole_payload(check)).encode())
    kept = sorted(folder.glob("*.json"), key=lambda path: int(path.stem))
    for old in kept[:-MAX_DRILLHOLE_CHECKS_KEPT]:
        old.unlink(missing_ok=True)  # removed by a concurrent job


def stored_check(session: Session, actor: Actor, home: Path, job_id: int) -> DrillholeCheck:
    """The drillhole check a job stored.

    Raises
    ------
    NotFoundError
        No such job visible to ``actor``, not a drillhole check, or its check not stored
        (not done yet, or deleted as one of the oldest).
    """
    job = jobs.status(session, actor, job_id)
    path = home / DRILLHOLE_CHECKS / f"{job_id}.json"
    if job.kind != DRILLHOLE_CHECK_JOB.name or not path.is_file():
        raise NotFoundError(i18n._("no drillhole check %(id)s", id=job_id))
    return _drillhole_of_payload(json.loads(path.read_bytes()))


def _drillhole_job(context: jobs.JobContext, params: Mapping[str, Any]) -> dict[str, Any]:
    context.report(0.0, jobs.stored_text(i18n.lazy_gettext("reading the drillholes")), now=True)
    collar, survey, assay = ((params[key]["name"], jobs.read_input(context.home,
                                                                   params[key]["digest"]))
                             for key in DRILLHOLE_FILES)
    check = check_drillholes(collar, survey, assay, params["grade"],
                             float(params["composite"]),
                             lambda fraction, message: context.report(fraction, message,
                                                                      now=True))
    _keep_check(context.home, context.job_id, check)
    return {"summary": check.summary,
            "url": f"/resources/drillholes?job={context.job_id}"}


DRILLHOLE_CHECK_JOB = jobs.register(jobs.JobKind("drillhole_check", _drillhole_owner,
                                                 _drillhole_job))
"""Uploaded drillholes checked, composited and top-cut as the drillholes page does:
``collar``, ``survey`` and ``assay``, CSV files kept by :func:`aurum.services.jobs.put_input`,
each as ``{"digest", "name"}``, ``grade`` (the column composited) and ``composite`` (the
length, m); the check is kept for its page, ``/resources/drillholes?job=<id>``."""
