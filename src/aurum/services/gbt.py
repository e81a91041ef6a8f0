"""The Chinese standards of the trade on a mine's drillholes (issue 19): its industrial
indicators (工业指标, DZ/T 0205-2020) as versions, and its geological-block estimates
(垂直纵投影地质块段法) by GB/T 17766-2020 category with their kriging check, stored and
published as the year's resource statement.

Every read and write checks the scope here: a site the actor may not read is "not found",
one it reads but may not write is refused (:class:`~aurum.core.errors.PermissionDenied`).

An estimate runs in the request, synchronously, because its input is bounded before anything
is read: each file at most :data:`aurum.core.checks.MAX_GBT_FILE_BYTES` and
:data:`aurum.core.tables.MAX_ROWS` rows, at most :data:`aurum.core.checks.MAX_GBT_HOLES`
holes, the kriging check's grid at most :data:`aurum.core.checks.MAX_KRIGING_CELLS` cells.
Measured on one shared core (reading, delineation, blocks, kriging): 100 holes in 0.5 s, 500
holes (2.3 MiB of assays) in 1.1 s, 1,200 holes (3.5 MiB, 120,000 assay rows) in 2.2 s; the
bounds keep the worst case within a few seconds, so a job's bookkeeping (queue, progress,
cancel) would cost more than it saves.
"""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum import __version__
from aurum.core import i18n
from aurum.core.checks import (
    EXTRAPOLATIONS,
    INDICATOR_GRADES,
    INDICATOR_THICKNESSES,
    MAX_GBT_ESTIMATES_LISTED,
    MAX_GBT_FILE_BYTES,
    MAX_GBT_HOLES,
    MAX_GRADE_COLUMN_CHARS,
    MAX_INDICATOR_REASON_CHARS,
    MAX_OUTLINE_VERTICES,
    ORE_DENSITIES,
    YEARS,
)
from aurum.core.errors import NotFoundError, Problem, ValidationError
from aurum.core.files import file_sha256, write_atomic
from aurum.core.jsonsafe import finite
from aurum.core.tables import RowProblems, read_table, require_rows, with_columns
from aurum.resources.blockcheck import explain, kriging_check
from aurum.resources.delineate import intercept_table
from aurum.resources.drillholes import DrillholeDatabase, read_drillholes
from aurum.resources.gbt17766 import RESOURCE_CODES, category_label
from aurum.resources.geoblocks import GeoBlocks, geological_blocks
from aurum.resources.indicators import IndustrialIndicators, reference_indicators
from aurum.resources.orebody import check_attitude
from aurum.services import registry
from aurum.services import resources as resource_service
from aurum.services.auth import Actor
from aurum.store.models import BlockEstimate, IndustrialIndicatorVersion, ResourceStatement, Site

REFERENCE_SOURCE = "DZ/T 0205-2020 reference"
"""The source of indicators taken from the standard's reference values."""
ENTERPRISE_SOURCE = "enterprise"
"""The source of indicators a mine set itself (its approved indicators)."""
HALF_SPACING = "half_spacing"
"""The extrapolation rule beyond the outer pierce points: half the drill spacing."""
INDICATOR_FIELDS = ("cutoff_gpt", "min_industrial_gpt", "min_thickness_m", "max_waste_m",
                    "min_metre_grade")
"""The five industrial indicators, as :class:`IndustrialIndicators` names them."""
DRILLHOLE_FILES = ("collar.csv", "survey.csv", "assay.csv")
"""The names the uploaded drillhole files are read (and named in messages) under."""
OUTLINE_FILE = "outline.csv"
"""The name of an uploaded outline (columns u, v, m in the projection)."""
FOLDER = "gbt"
"""Folder of the data directory holding the estimates' files, one folder per site."""


# --- industrial indicators ------------------------------------------------------------------


def indicator_versions(session: Session, actor: Actor, site_code: str
                       ) -> list[IndustrialIndicatorVersion]:
    """Every version of a mine's industrial indicators, newest first."""
    site = registry.get_site(session, actor, site_code)
    return _versions(session, site)


def _versions(session: Session, site: Site) -> list[IndustrialIndicatorVersion]:
    return list(session.scalars(select(IndustrialIndicatorVersion).where(
        IndustrialIndicatorVersion.site_id == site.id).order_by(
            IndustrialIndicatorVersion.version.desc())))


def _indicators_of(version: IndustrialIndicatorVersion) -> IndustrialIndicators:
    return IndustrialIndicators.from_mapping({k: getattr(version, k) for k in INDICATOR_FIELDS})


def _reference(site: Site) -> IndustrialIndicators:
    """DZ/T 0205-2020's reference values for the mine's mining method (an open pit's own,
    the underground ones otherwise)."""
    return reference_indicators("open_pit" if site.mine_method == "open_pit"
                                else "underground")


def _current(session: Session, site: Site
             ) -> tuple[IndustrialIndicators, IndustrialIndicatorVersion | None]:
    versions = _versions(session, site)
    if not versions:
        return _reference(site), None
    return _indicators_of(versions[0]), versions[0]


def current_indicators(session: Session, actor: Actor, site_code: str) -> IndustrialIndicators:
    """A mine's industrial indicators in force: its newest version, or DZ/T 0205-2020's
    reference values for its mining method when it has set none."""
    return _current(session, registry.get_site(session, actor, site_code))[0]


def set_indicators(session: Session, actor: Actor, site_code: str,
                   values: Mapping[str, float | None], reason: str
                   ) -> IndustrialIndicatorVersion:
    """Record a new version of a mine's industrial indicators (versions are never changed).

    Parameters
    ----------
    values : mapping
        ``cutoff_gpt`` and ``min_industrial_gpt`` (the grade column's unit, g/t for gold),
        ``min_thickness_m`` and ``max_waste_m`` (m), optionally ``min_metre_grade`` (m × the
        grade unit; None for minimum industrial grade × minimum thickness).
    reason : str
        Why they change (an approval, a new study), at most
        :data:`aurum.core.checks.MAX_INDICATOR_REASON_CHARS` characters.

    Raises
    ------
    NotFoundError
        A site the actor may not read.
    PermissionDenied
        A site it reads but may not write.
    ValidationError
        One problem per bad field (a cut-off above the minimum industrial grade among them).
    """
    site = registry.get_writable_site(session, actor, site_code)
    problems = _bounded_indicators(values)
    reason = reason.strip()
    if not reason or len(reason) > MAX_INDICATOR_REASON_CHARS:
        problems.append(Problem(i18n._("expected a reason of 1 to %(limit)s characters",
                                       limit=MAX_INDICATOR_REASON_CHARS), column="reason"))
    try:
        indicators = IndustrialIndicators.from_mapping(
            {k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        # One problem per field: the bounds' first, then the rules between the fields.
        named = {p.column for p in problems}
        problems += [p for p in exc.problems if p.column not in named]
    if problems:
        raise ValidationError(problems)
    version = (session.scalar(select(func.max(IndustrialIndicatorVersion.version)).where(
        IndustrialIndicatorVersion.site_id == site.id)) or 0) + 1
    row = IndustrialIndicatorVersion(site_id=site.id, version=version, source=ENTERPRISE_SOURCE,
                                     reason=reason, created_by=actor.user_id,
                                     **indicators.as_dict())
    session.add(row)
    session.flush()
    return row


def _bounded_indicators(values: Mapping[str, Any]) -> list[Problem]:
    """The indicators' bounds (:data:`~aurum.core.checks.INDICATOR_GRADES`,
    :data:`~aurum.core.checks.INDICATOR_THICKNESSES`) on the values given; the rules between
    them are :class:`IndustrialIndicators`'s."""
    problems = [Problem(i18n._("unknown field; expected one of %(fields)s",
                               fields=", ".join(INDICATOR_FIELDS)), column=str(k))
                for k in values if k not in INDICATOR_FIELDS]
    for name in INDICATOR_FIELDS:
        value = values.get(name)
        if value is None or isinstance(value, str):
            continue  # missing or text: from_mapping names it
        bounds = INDICATOR_THICKNESSES if name.endswith("_m") else INDICATOR_GRADES
        problems += _problems_of(lambda b=bounds, n=name, v=value: b.check(n, v))
    return problems


def _problems_of(check: Any) -> list[Problem]:
    """The problems a check raises, none when it passes: every field is checked before any
    refusal, so that one answer names them all."""
    try:
        check()
    except ValidationError as exc:
        return list(exc.problems)
    return []


# --- geological-block estimates -------------------------------------------------------------


def _extrapolation(value: str | float) -> tuple[Literal["half_spacing"] | float, list[Problem]]:
    """The extrapolation rule: ``half_spacing`` or a fixed distance (m)."""
    if isinstance(value, str) and value.strip() == HALF_SPACING:
        return "half_spacing", []
    try:
        distance = float(value)
    except ValueError:
        return "half_spacing", [Problem(
            i18n._("expected %(rule)s or a distance in m, got %(value)s", rule=HALF_SPACING,
                   value=repr(value)), column="extrapolation")]
    return distance, _problems_of(lambda: EXTRAPOLATIONS.check("extrapolation", distance))


def _sizes(files: Mapping[str, bytes | None]) -> list[Problem]:
    return [Problem(i18n._("the file is larger than %(limit)s MiB", limit=MAX_GBT_FILE_BYTES
                           // 2**20), source=name)
            for name, content in files.items()
            if content is not None and len(content) > MAX_GBT_FILE_BYTES]


def _read_holes(collar: bytes, survey: bytes, assay: bytes) -> DrillholeDatabase:
    """The uploaded drillholes, refused whole on any error (every one named by file, row and
    column); a gap between intervals is kept (waste, rule 1 of the delineation)."""
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / name for name in DRILLHOLE_FILES]
        for path, content in zip(paths, (collar, survey, assay), strict=True):
            path.write_bytes(content)
        try:
            db = read_drillholes(*paths, strict=True)
        except ValueError as exc:  # what the reader refuses beyond its rows
            raise ValidationError(Problem(str(exc))) from exc
    holes = int(db.collars["hole"].nunique())
    if holes > MAX_GBT_HOLES:
        raise ValidationError(Problem(
            i18n._("%(holes)s holes; one estimate takes at most %(limit)s", holes=holes,
                   limit=MAX_GBT_HOLES), source=DRILLHOLE_FILES[0]))
    if holes == 0:
        raise ValidationError(Problem(i18n._("the file has no data rows"),
                                      source=DRILLHOLE_FILES[0]))
    return db


def _read_outline(content: bytes) -> np.ndarray:
    """An outline (columns u, v in m, a closed polygon without its first vertex repeated) as
    an (n, 2) array."""
    frame = with_columns(require_rows(read_table(content, OUTLINE_FILE), OUTLINE_FILE),
                         ("u", "v"), OUTLINE_FILE)
    found = RowProblems(OUTLINE_FILE)
    numbers = {}
    for column in ("u", "v"):
        numbers[column] = pd.to_numeric(frame[column], errors="coerce")
        found.flag(~np.isfinite(numbers[column].to_numpy(dtype=float)), column,
                   i18n._("expected a number (m), got {value!r}"), value=frame[column])
    if len(frame) < 3:
        found.append(Problem(i18n._("an outline needs at least 3 vertices, got %(n)s",
                                    n=len(frame)), source=OUTLINE_FILE))
    if len(frame) > MAX_OUTLINE_VERTICES:
        found.append(Problem(i18n._("%(n)s vertices; an outline takes at most %(limit)s",
                                    n=len(frame), limit=MAX_OUTLINE_VERTICES),
                             source=OUTLINE_FILE))
    if found:
        raise ValidationError(found)
    return np.column_stack([numbers["u"].to_numpy(float), numbers["v"].to_numpy(float)])


def _inputs_digest(*contents: bytes | None) -> str:
    """SHA-256 of the uploaded files, each length-prefixed (no two sets hash alike)."""
    digest = hashlib.sha256()
    for content in contents:
        data = content or b""
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def _by_category(blocks: GeoBlocks) -> list[dict[str, Any]]:
    """Tonnes (t), grade (grade unit) and metal (kg) of each resource category, every
    category listed (none of one: 0 t, no grade)."""
    found = {str(r["category"]): r for r in blocks.by_category().to_dict("records")}
    rows: list[dict[str, Any]] = []
    for code in RESOURCE_CODES:
        row = found.get(code)
        if row is not None and float(row["tonnes"]) > 0:
            rows.append({"category": code, "tonnes": float(row["tonnes"]),
                         "grade": float(row["grade"]), "metal_kg": float(row["metal_kg"])})
        else:
            rows.append({"category": code, "tonnes": 0.0, "grade": None, "metal_kg": 0.0})
    return rows


def _main_orebody(intercepts: pd.DataFrame) -> pd.DataFrame:
    """The intercepts the blocks are made from: each hole's thickest industrial intercept (the
    main orebody's; of two as thick, the larger metre-grade) and the low-grade ones. A hole's
    other industrial intercepts (a veinlet kept by its metre-grade, the orebody's part beyond a
    barren lens thicker than the maximum internal waste, a stacked orebody) stay in the stored
    intercept table and make no block: the block method estimates one orebody at a time."""
    industrial = intercepts[intercepts["category"] == "industrial"]
    ranked = industrial.sort_values(["true_thickness_m", "metre_grade"], ascending=False,
                                    kind="stable")
    kept = ranked.drop_duplicates("hole").index
    return intercepts[intercepts.index.isin(kept) | (intercepts["category"] != "industrial")]


def _kriging(intercepts: pd.DataFrame, blocks: GeoBlocks, density_t_m3: float
             ) -> dict[str, Any]:
    """The kriging check as stored, language-neutral so that its page reads in its reader's
    language (:func:`kriging_record`): its figures, the differences (per cent) and the facts
    its explanation is made of; or what refused it when it could not be made (too few pierce
    points to krige), in each of the platform's languages (the refusal's messages are made
    with the numbers they name, so it is made once per language; it stops before kriging)."""
    try:
        check = kriging_check(intercepts, blocks, density_t_m3)
    except ValidationError:
        refused = {}
        for locale in i18n.LOCALES:
            with i18n.using(locale):
                try:
                    kriging_check(intercepts, blocks, density_t_m3)
                except ValidationError as exc:
                    refused[locale] = [str(p) for p in exc.problems]
        return {"refused": refused}
    return finite({"tonnes": float(check.tonnes), "grade": float(check.grade),
                   "metal_kg": float(check.metal_kg), "cells": len(check.cells),
                   "differences": {k: float(v) for k, v in check.differences.items()},
                   "facts": check.facts})


def kriging_record(kriging: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A stored kriging check as a reader reads it: its figures with the explanation, or the
    refusal, in the current language."""
    if kriging is None:
        return None
    out = {k: v for k, v in kriging.items() if k != "facts"}
    if "facts" in kriging:
        out["explanation"] = explain(kriging["facts"])
    if "refused" in kriging:
        refused = kriging["refused"]
        out["refused"] = refused.get(i18n.current(), refused.get(i18n.default_locale(), []))
    return out


def _write_parquet(frame: pd.DataFrame, path: Path) -> str:
    """Write ``frame`` aside and rename it into place; its SHA-256."""
    write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return file_sha256(path)


def _blocks_frame(blocks: GeoBlocks) -> pd.DataFrame:
    """The blocks with each one's polygon (u and v of its vertices, m) as list columns."""
    return blocks.blocks.assign(
        polygon_u=[np.asarray(p, float)[:, 0].tolist() for p in blocks.polygons],
        polygon_v=[np.asarray(p, float)[:, 1].tolist() for p in blocks.polygons])


def estimate_blocks(session: Session, actor: Actor, home: Path, site_code: str, year: int,
                    collar: bytes, survey: bytes, assay: bytes, grade: str, strike_deg: float,
                    dip_deg: float, density_t_m3: float, outline: bytes | None = None,
                    extrapolation: str | float = HALF_SPACING) -> BlockEstimate:
    """Delineate a mine's orebody hole by hole with its industrial indicators in force, make
    its geological blocks in the vertical longitudinal projection, check them by kriging and
    store it all (a new version of the year's estimate; nothing is stored on a refusal).

    Parameters
    ----------
    home : Path
        The data directory (AURUM_HOME); the intercepts and blocks go to
        ``home/gbt/SITE/`` as Parquet.
    year : int
        Year of the estimate.
    collar, survey, assay : bytes
        The drillholes as ``aurum resources drillholes`` reads them (CSV; dip positive down).
    grade : str
        The assay column delineated (its unit is the indicators' grade unit).
    strike_deg, dip_deg : float
        The orebody's attitude, degrees, by the right-hand rule (dips towards strike + 90°).
    density_t_m3 : float
        Ore density, t/m³.
    outline : bytes, optional
        The orebody outline (CSV: u, v in m in the projection); drawn from the pierce points
        by ``extrapolation`` when not given.
    extrapolation : str or float
        ``half_spacing``, or a fixed distance beyond the outer pierce points, m.

    Raises
    ------
    NotFoundError, PermissionDenied
        A site the actor may not read, or may not write.
    ValidationError
        Every problem of the arguments and files, each naming its file, row and field.
    """
    site = registry.get_writable_site(session, actor, site_code)
    rule, problems = _extrapolation(extrapolation)
    problems += _sizes(dict(zip(DRILLHOLE_FILES, (collar, survey, assay), strict=True))
                       | {OUTLINE_FILE: outline})
    problems += _problems_of(lambda: YEARS.check("year", year))
    problems += _problems_of(lambda: ORE_DENSITIES.check("density_t_m3", density_t_m3))
    problems += _problems_of(lambda: check_attitude(strike_deg, dip_deg))
    grade = grade.strip()
    if not grade or len(grade) > MAX_GRADE_COLUMN_CHARS:
        problems.append(Problem(i18n._("expected a grade column name of 1 to %(limit)s "
                                       "characters", limit=MAX_GRADE_COLUMN_CHARS),
                                column="grade"))
    if problems:
        raise ValidationError(problems)
    db = _read_holes(collar, survey, assay)
    if grade not in db.grades:
        raise ValidationError(Problem(
            i18n._("no grade column %(grade)s; expected one of %(columns)s", grade=repr(grade),
                   columns=", ".join(db.grades)), column="grade", source=DRILLHOLE_FILES[2]))
    shape = _read_outline(outline) if outline is not None else None
    indicators, version = _current(session, site)
    intercepts = intercept_table(db, grade, indicators, strike_deg, dip_deg)
    if not (intercepts["category"] == "industrial").any():
        raise ValidationError(Problem(
            i18n._("no hole has an industrial intercept of %(grade)s with the indicators in "
                   "force (cut-off %(cutoff)s, minimum industrial grade %(industrial)s)",
                   grade=grade, cutoff=indicators.cutoff_gpt,
                   industrial=indicators.min_industrial_gpt),
            column="grade", source=DRILLHOLE_FILES[2]))
    main = _main_orebody(intercepts)
    blocks = geological_blocks(main, strike_deg, dip_deg, density_t_m3, outline=shape,
                               extrapolation=rule)
    kriging = _kriging(main, blocks, density_t_m3)
    folder = home / FOLDER / site.code
    folder.mkdir(parents=True, exist_ok=True)
    stem = uuid.uuid4().hex
    intercepts_path, blocks_path = (folder / f"{stem}.intercepts.parquet",
                                    folder / f"{stem}.blocks.parquet")
    number = (session.scalar(select(func.max(BlockEstimate.version)).where(
        BlockEstimate.site_id == site.id, BlockEstimate.year == year)) or 0) + 1
    row = BlockEstimate(
        site_id=site.id, year=year, version=number,
        indicators_version=version.version if version is not None else None,
        indicators=indicators.as_dict(), grade_column=grade, strike_deg=float(strike_deg),
        dip_deg=float(dip_deg), density_t_m3=float(density_t_m3), extrapolation=str(rule),
        outline=np.asarray(blocks.outline, float).tolist(),
        inputs_sha256=_inputs_digest(collar, survey, assay, outline),
        code_version=__version__,
        totals=finite({"tonnes": float(blocks.tonnes), "grade": float(blocks.grade),
                       "metal_kg": float(blocks.metal_kg),
                       "by_category": _by_category(blocks)}),
        kriging=kriging,
        intercepts_path=str(intercepts_path.relative_to(home)),
        intercepts_sha256=_write_parquet(intercepts, intercepts_path),
        blocks_path=str(blocks_path.relative_to(home)),
        blocks_sha256=_write_parquet(_blocks_frame(blocks), blocks_path),
        created_by=actor.user_id)
    session.add(row)
    session.flush()
    return row


def readable_estimate(session: Session, actor: Actor, estimate_id: int) -> BlockEstimate:
    """A stored estimate ``actor`` may read.

    Raises
    ------
    NotFoundError
        No such estimate, or one of a site the actor may not read (the same answer).
    """
    estimate = session.get(BlockEstimate, estimate_id)
    if estimate is None or not actor.can_read_site(estimate.site):
        raise NotFoundError(i18n._("no block estimate %(id)s", id=estimate_id))
    return estimate


def estimates(session: Session, actor: Actor, site_code: str) -> list[BlockEstimate]:
    """A mine's estimates, newest first (at most
    :data:`aurum.core.checks.MAX_GBT_ESTIMATES_LISTED`)."""
    site = registry.get_site(session, actor, site_code)
    return list(session.scalars(select(BlockEstimate).where(
        BlockEstimate.site_id == site.id).order_by(BlockEstimate.id.desc()).limit(
            MAX_GBT_ESTIMATES_LISTED)))


def _read(home: Path, relative: str, sha256: str) -> pd.DataFrame:
    path = home / relative
    if not path.exists() or file_sha256(path) != sha256:
        raise ValidationError(i18n._("the file %(path)s is missing or was changed after it "
                                     "was recorded", path=relative))
    return pd.read_parquet(path)


def estimate_frames(home: Path, estimate: BlockEstimate) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An estimate's intercepts and blocks (with their polygons) read from its files, after
    checking each still has its recorded hash."""
    return (_read(home, estimate.intercepts_path, estimate.intercepts_sha256),
            _read(home, estimate.blocks_path, estimate.blocks_sha256))


def publish_block_estimate(session: Session, actor: Actor, estimate_id: int, reason: str
                           ) -> ResourceStatement:
    """Publish an estimate's figures by category as its year's resource statement
    (:func:`aurum.services.resources.publish_statement`, which feeds the year-end report):
    tonnes, grade (g/t) and gold (t) of the measured (探明), indicated (控制) and inferred
    (推断) resources, at the cut-off of the indicators it was made with.

    Raises
    ------
    NotFoundError, PermissionDenied
        An estimate the actor may not read, or whose site it may not write.
    ValidationError
        A reason empty or longer than :data:`aurum.core.checks.MAX_INDICATOR_REASON_CHARS`.
    """
    estimate = readable_estimate(session, actor, estimate_id)
    site = registry.get_writable_site(session, actor, estimate.site.code)
    reason = reason.strip()
    if not reason or len(reason) > MAX_INDICATOR_REASON_CHARS:
        raise ValidationError(Problem(i18n._("expected a reason of 1 to %(limit)s characters",
                                             limit=MAX_INDICATOR_REASON_CHARS), column="reason"))
    rows = {r["category"]: r for r in estimate.totals["by_category"]}
    figures = {c: resource_service.ClassFigures(float(rows[c]["tonnes"]), rows[c]["grade"],
                                                float(rows[c]["metal_kg"]) / 1000.0)
               for c in RESOURCE_CODES}
    with i18n.using(i18n.default_locale()):
        basis = i18n._("geological blocks, estimate %(id)s (%(year)s v%(version)s): %(reason)s",
                       id=estimate.id, year=estimate.year, version=estimate.version,
                       reason=reason)
    return resource_service.publish_statement(
        session, actor, site.code, estimate.year, figures,
        float(estimate.indicators["cutoff_gpt"]), reason=basis)


# --- the page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EstimateView:
    """A stored estimate as its page shows it.

    Attributes
    ----------
    estimate : BlockEstimate
        The record (totals by category, kriging check, provenance).
    intercepts : pandas.DataFrame
        The intercept table (见矿工程一览表), ``aurum.resources.delineate.INTERCEPT_COLUMNS``.
    blocks : pandas.DataFrame
        The blocks (hole, u, v, area_m2, thickness_h_m, tonnes, grade, metal_kg, category) with
        their polygons (``polygon_u``, ``polygon_v``, m).
    """

    estimate: BlockEstimate
    intercepts: pd.DataFrame
    blocks: pd.DataFrame

    @property
    def intercept_rows(self) -> pd.DataFrame:
        """The intercept table as the page shows it: the grade as ``orebody_grade`` (a
        page's ``grade`` column is a tailings facility's)."""
        return self.intercepts.rename(columns={"grade": "orebody_grade"})

    @property
    def resources(self) -> list[dict[str, Any]]:
        """The resource table (矿石量, 平均品位, 金属量) by category with its total: ore (t),
        grade (grade unit), metal (kg). Resources of several categories add up; reserves
        are never among them (GB/T 17766-2020)."""
        totals = self.estimate.totals
        rows = [r | {"label": category_label(r["category"])} for r in totals["by_category"]]
        return [*rows, {"category": "total", "label": i18n._("Total resources"),
                        "tonnes": totals["tonnes"], "grade": totals["grade"],
                        "metal_kg": totals["metal_kg"]}]

    @property
    def kriging(self) -> dict[str, Any]:
        """The kriging check in the reader's language (:func:`kriging_record`)."""
        return kriging_record(self.estimate.kriging) or {}

    @property
    def comparison(self) -> list[dict[str, Any]]:
        """The block method's ore (t), grade and metal (kg) beside the kriging check's, with
        the difference in per cent; empty when the check could not be made."""
        kriging, totals = self.estimate.kriging or {}, self.estimate.totals
        if "tonnes" not in kriging:
            return []
        differences = kriging.get("differences", {})
        return [{"quantity": name, "blocks": totals[key], "kriging": kriging[key],
                 "difference_pct": differences.get(pct), "digits": digits}
                for name, key, pct, digits in (
                    (i18n._("Ore (t)"), "tonnes", "tonnes_pct", 0),
                    (i18n._("Mean grade (g/t)"), "grade", "grade_pct", 2),
                    (i18n._("Metal (kg)"), "metal_kg", "metal_pct", 1))]

    @property
    def extrapolation(self) -> str:
        """The estimate's extrapolation rule in words: half the drill spacing, or its
        distance (m)."""
        rule = self.estimate.extrapolation
        if rule == HALF_SPACING:
            return i18n._("half the drill spacing")
        return i18n._("%(value)s m", value=i18n.format_number(float(rule), 1))


@dataclass(frozen=True)
class GbtSiteView:
    """A mine's page of the Chinese standards: its indicators and their versions, its
    estimates and the latest one; nothing computed.

    Attributes
    ----------
    site : Site
    indicators : IndustrialIndicators
        In force (the newest version, or the reference values).
    source : str
        Where they come from: :data:`REFERENCE_SOURCE` or :data:`ENTERPRISE_SOURCE`.
    versions : list of IndustrialIndicatorVersion
        Newest first.
    estimates : list of BlockEstimate
        Newest first.
    latest : EstimateView or None
    can_write : bool
        Whether the reader may set indicators, estimate and publish.
    """

    site: Site
    indicators: IndustrialIndicators
    source: str
    versions: list[IndustrialIndicatorVersion]
    estimates: list[BlockEstimate]
    latest: EstimateView | None
    can_write: bool

    @property
    def version_rows(self) -> list[dict[str, Any]]:
        """The versions as the page's table shows them, newest first, each with its minimum
        metre-grade in words (:meth:`metre_grade_text`)."""
        return [indicator_record(v) | {"created_at": f"{v.created_at:%Y-%m-%d %H:%M}",
                                       "metre_grade": self.metre_grade_text(_indicators_of(v))}
                for v in self.versions]

    @staticmethod
    def metre_grade_text(indicators: IndustrialIndicators) -> str:
        """The minimum metre-grade with its unit (m·g/t), in the reader's language: the one
        set, or the default derived from the minimum industrial grade × the minimum thickness,
        marked as derived."""
        value = i18n.format_number(indicators.metre_grade_floor, 2)
        if indicators.min_metre_grade is not None:
            return i18n._("%(value)s m·g/t", value=value)
        return i18n._("%(value)s m·g/t, derived: minimum industrial grade × minimum thickness",
                      value=value)

    @property
    def categories(self) -> dict[str, str]:
        """Each resource category's name in the reader's language (GB/T with CRIRSCO)."""
        return {code: category_label(code) for code in RESOURCE_CODES}


def site_view(session: Session, actor: Actor, home: Path, site_code: str) -> GbtSiteView:
    """The page of a mine's industrial indicators and geological-block estimates: reads the
    stored records and the latest estimate's files, computes nothing."""
    site = registry.get_site(session, actor, site_code)
    indicators, version = _current(session, site)
    rows = estimates(session, actor, site_code)
    latest = None
    if rows:
        latest = EstimateView(rows[0], *estimate_frames(home, rows[0]))
    return GbtSiteView(site, indicators,
                       version.source if version is not None else REFERENCE_SOURCE,
                       _versions(session, site), rows, latest, actor.can_write_site(site))


def estimate_record(estimate: BlockEstimate) -> dict[str, Any]:
    """An estimate's record as the API gives it (its files' contents left out)."""
    return {"id": estimate.id, "site": estimate.site.code, "year": estimate.year,
            "version": estimate.version, "indicators_version": estimate.indicators_version,
            "indicators": estimate.indicators, "grade_column": estimate.grade_column,
            "strike_deg": estimate.strike_deg, "dip_deg": estimate.dip_deg,
            "density_t_m3": estimate.density_t_m3, "extrapolation": estimate.extrapolation,
            "inputs_sha256": estimate.inputs_sha256, "code_version": estimate.code_version,
            "totals": estimate.totals, "kriging": kriging_record(estimate.kriging),
            "created_at": estimate.created_at}


def indicator_record(version: IndustrialIndicatorVersion) -> dict[str, Any]:
    """A version of a mine's indicators as the API gives it."""
    return {"version": version.version, "source": version.source, "reason": version.reason,
            "created_at": version.created_at} | {k: getattr(version, k)
                                                 for k in INDICATOR_FIELDS}


def current_record(session: Session, actor: Actor, site_code: str) -> dict[str, Any]:
    """A mine's indicators in force with every version, as the API gives them."""
    site = registry.get_site(session, actor, site_code)
    indicators, version = _current(session, site)
    return {"site": site.code, "current": indicators.as_dict(),
            "source": version.source if version is not None else REFERENCE_SOURCE,
            "version": version.version if version is not None else None,
            "versions": [indicator_record(v) for v in _versions(session, site)]}



def writable_site(session: Session, actor: Actor, site_code: str) -> Site:
    """A mine whose indicators and estimates ``actor`` may write (asked by a page before it
    reads what was typed, so that a reader who may not write is refused as such).

    Raises
    ------
    NotFoundError, PermissionDenied
        A site the actor may not read, or may not write.
    """
    return registry.get_writable_site(session, actor, site_code)


def estimate_detail(session: Session, actor: Actor, home: Path, site_code: str,
                    estimate_id: int) -> dict[str, Any]:
    """An estimate of a mine with its intercepts, blocks and outline, as the API gives it.

    Raises
    ------
    NotFoundError
        No such estimate of that site visible to ``actor``.
    """
    estimate = readable_estimate(session, actor, estimate_id)
    if estimate.site.code != site_code:
        raise NotFoundError(i18n._("no block estimate %(id)s", id=estimate_id))
    intercepts, blocks = estimate_frames(home, estimate)
    return estimate_record(estimate) | {
        "intercepts": finite(intercepts.to_dict("records")),
        "blocks": finite([r | {"polygon_u": list(map(float, r["polygon_u"])),
                               "polygon_v": list(map(float, r["polygon_v"]))}
                          for r in blocks.to_dict("records")]),
        "outline": estimate.outline or []}
