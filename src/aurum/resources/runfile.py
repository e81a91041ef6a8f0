"""Estimation run files (RUN.yaml): read and check them, load the samples, run, write the blocks.

```
samples: PATH.csv            # columns x, y, z, value and optionally hole
grid: {origin: [x0, y0, z0], size: [dx, dy, dz], count: [nx, ny, nz]}  # origin = first centre
variogram: {nugget: 0.2, structures: [{type: spherical, sill: 0.8, ranges: [50, 40, 10],
            angles: [45, 10, -5]}]}
search: {radii: [500, 500, 500], angles: [0, 0, 0], min_samples: 1, max_samples: 50,
         max_per_octant: 0, max_per_hole: 0}
method: ordinary             # ordinary | simple (with mean:) | idw (with power:)
discretisation: [1, 1, 1]
output: PATH.csv             # x, y, z, estimate, variance, n_samples in GSLIB order
```

Relative paths are read from the run file's folder. Samples with an empty value are left out
(and counted); any other bad cell refuses the run with its row and column. The output is
written to a temporary file and renamed into place, so a failed run leaves no half file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import yaml

from aurum.core.errors import Problem, ValidationError
from aurum.core.files import write_atomic
from aurum.core.grid import BlockGrid
from aurum.core.i18n import _
from aurum.core.tables import read_csv
from aurum.resources.estimate import EstimationResult, Method, SearchNeighbourhood, estimate
from aurum.resources.variogram import VariogramModel

SAMPLE_COLUMNS = ("x", "y", "z", "value")


@dataclass(frozen=True)
class Samples:
    """Point samples: coordinates (m), values, optional integer hole ids."""

    xyz: np.ndarray
    values: np.ndarray
    holes: np.ndarray | None
    skipped: int = 0


def _numbers(value: Any, n: int, kind: type, key: str, problems: list[Problem],
             source: str, positive: bool = False) -> tuple[Any, ...]:
    ok = (isinstance(value, list | tuple) and len(value) == n
          and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
          and (kind is float or all(float(v).is_integer() for v in value)))
    if not ok:
        expected = (_("expected %(n)s integers, got %(value)r") if kind is int
                    else _("expected %(n)s numbers, got %(value)r"))
        problems.append(Problem(expected % {"n": n, "value": value}, column=key,
                                source=source))
        return (kind(1),) * n
    if positive and any(v <= 0 for v in value):
        problems.append(Problem(_("expected values > 0, got %(value)r", value=value), column=key,
                                source=source))
    return tuple(kind(v) for v in value)


@dataclass(frozen=True)
class EstimationSettings:
    """The estimation part of a run file (no paths)."""

    grid: BlockGrid
    model: VariogramModel | None
    search: SearchNeighbourhood
    method: Method
    mean: float | None
    power: float
    discretisation: tuple[int, int, int]


def parse_settings(doc: Any, source: str, required: tuple[str, ...] = ("grid", "search")
                   ) -> EstimationSettings:
    """Check the estimation keys of a run document; every problem is reported at once.

    Raises
    ------
    ValidationError
        Missing keys, wrong shapes, unknown method, bad variogram or search.
    """
    if not isinstance(doc, dict):
        raise ValidationError(Problem(_("expected a mapping of keys"), source=source))
    src = source
    problems = [Problem(_("missing key"), column=key, source=src)
                for key in required if key not in doc]
    method_name = str(doc.get("method", "ordinary")).lower()
    if method_name not in {m.value for m in Method}:
        problems.append(Problem(_("expected ordinary, simple or idw, got %(method)r",
                                  method=method_name),
                                column="method", source=src))
        method_name = "ordinary"
    method = Method(method_name)
    grid_doc = doc.get("grid") or {}
    origin = _numbers(grid_doc.get("origin"), 3, float, "grid.origin", problems, src)
    size = _numbers(grid_doc.get("size"), 3, float, "grid.size", problems, src, positive=True)
    count = _numbers(grid_doc.get("count"), 3, int, "grid.count", problems, src, positive=True)
    s = doc.get("search") or {}
    radii = _numbers(s.get("radii"), 3, float, "search.radii", problems, src, positive=True)
    angles = _numbers(s.get("angles", [0, 0, 0]), 3, float, "search.angles", problems, src)
    disc = _numbers(doc.get("discretisation", [1, 1, 1]), 3, int, "discretisation", problems,
                    src, positive=True)
    limits = {k: s.get(k, d) for k, d in (("min_samples", 1), ("max_samples", 32),
                                          ("max_per_octant", 0), ("max_per_hole", 0))}
    for key, value in limits.items():
        if not isinstance(value, int) or value < 0:
            problems.append(Problem(_("expected a whole number >= 0, got %(value)r",
                                      value=value),
                                    column=f"search.{key}", source=src))
    model = None
    if method is not Method.IDW:
        if "variogram" not in doc:
            problems.append(Problem(_("kriging needs a variogram"), column="variogram",
                                    source=src))
        else:
            try:
                model = VariogramModel.from_dict(doc["variogram"] or {}, src)
            except ValidationError as exc:
                problems += exc.problems
    mean = doc.get("mean")
    if method is Method.SIMPLE and not isinstance(mean, int | float):
        problems.append(Problem(_("simple kriging needs the mean"), column="mean",
                                source=src))
    power = doc.get("power", 2.0)
    if not isinstance(power, int | float) or power <= 0:
        problems.append(Problem(_("expected a power > 0, got %(power)r", power=power),
                                column="power",
                                source=src))
    if problems:
        raise ValidationError(problems)
    try:
        search = SearchNeighbourhood(radii, angles, **limits)
        grid = BlockGrid(origin, size, count)
    except ValueError as exc:
        raise ValidationError(Problem(str(exc), source=src)) from exc
    return EstimationSettings(grid, model, search, method,
                              None if mean is None else float(mean), float(power), disc)


@dataclass(frozen=True)
class EstimationRun:
    """A checked run file: where the samples are, the settings, where the blocks go."""

    source: Path
    samples: Path
    settings: EstimationSettings
    output: Path


def read_run(path: str | Path) -> EstimationRun:
    """Read and check a run file; every problem is reported at once.

    Raises
    ------
    ValidationError
        Missing keys, wrong shapes, unknown method, bad variogram or search.
    """
    path = Path(path)
    src = str(path)
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ValidationError(Problem(_("cannot read the run file: %(error)s", error=exc),
                                      source=src)) from exc
    missing = [Problem(_("missing key"), column=key, source=src)
               for key in ("samples", "output") if isinstance(doc, dict) and key not in doc]
    try:
        settings = parse_settings(doc, src)
    except ValidationError as exc:
        raise ValidationError(missing + exc.problems) from exc
    if missing:
        raise ValidationError(missing)
    base = path.parent
    return EstimationRun(path, base / str(doc["samples"]), settings, base / str(doc["output"]))


def read_samples(path: str | Path | BinaryIO, source: str | None = None) -> Samples:
    """Read a samples CSV (x, y, z in m, value, optional hole) from a path or an open file.

    Raises
    ------
    ValidationError
        Missing columns or non-numeric cells, each named by row and column.
    """
    if isinstance(path, str | Path):
        path = Path(path)
    src = source or str(path)
    frame = read_csv(path, src, "samples", dtype=str, keep_default_na=False)
    frame.columns = [c.strip().lower() for c in frame.columns]
    missing = [c for c in SAMPLE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValidationError([Problem(_("missing column"), row=1, column=c, source=src)
                               for c in missing])
    problems: list[Problem] = []
    numbers = {}
    for col in SAMPLE_COLUMNS:
        raw = frame[col].str.strip()
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() & raw.ne("") | ~np.isfinite(num.fillna(0))
        if col != "value":
            bad |= raw.eq("")
        for i in np.flatnonzero(bad.to_numpy())[:50]:
            problems.append(Problem(_("expected a number, got %(value)r", value=raw.iat[i]),
                                    int(i) + 2, col, src))
        numbers[col] = num.to_numpy(dtype=float)
    if problems:
        raise ValidationError(problems)
    keep = ~np.isnan(numbers["value"])
    if not keep.any():
        raise ValidationError(Problem(_("no sample has a value"), column="value",
                                      source=src))
    holes = None
    if "hole" in frame.columns:
        holes = pd.factorize(frame["hole"].str.strip())[0][keep]
    xyz = np.column_stack([numbers[c] for c in ("x", "y", "z")])[keep]
    return Samples(xyz, numbers["value"][keep], holes, int((~keep).sum()))


def write_blocks(path: Path, grid: BlockGrid, result: EstimationResult) -> None:
    """Write the blocks (GSLIB order) atomically: temporary file, then rename."""
    centres = grid.centres()
    frame = pd.DataFrame({"x": centres[:, 0], "y": centres[:, 1], "z": centres[:, 2],
                          "estimate": result.estimate, "variance": result.variance,
                          "n_samples": result.n_samples})
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False, float_format="%.8g",
                                                na_rep=""))


def execute(run: EstimationRun, progress: Callable[[int, int], None] | None = None
            ) -> dict[str, Any]:
    """Run an estimation file end to end; return the summary
    ``{"blocks", "estimated", "mean", "seconds"}`` (mean of the estimated blocks)."""
    samples = read_samples(run.samples)
    cfg = run.settings
    if cfg.search.max_per_hole and samples.holes is None:
        raise ValidationError(Problem(_("max_per_hole needs a 'hole' column in the samples"),
                                      column="search.max_per_hole", source=str(run.source)))
    t0 = time.perf_counter()
    result = estimate(samples.xyz, samples.values, cfg.grid, cfg.search, cfg.method,
                      cfg.model, cfg.mean, cfg.power, cfg.discretisation, samples.holes,
                      progress=progress)
    seconds = time.perf_counter() - t0
    write_blocks(run.output, cfg.grid, result)
    estimated = result.estimate[~np.isnan(result.estimate)]
    return {"blocks": cfg.grid.n_blocks, "estimated": int(estimated.size),
            "mean": float(estimated.mean()) if estimated.size else None,
            "seconds": round(seconds, 3), "samples": int(samples.values.size),
            "samples_skipped": samples.skipped, "output": str(run.output)}
