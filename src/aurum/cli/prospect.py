"""``aurum prospect``: mineral prospectivity mapping (weights of evidence, drilling targets)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from aurum.cli.common import FORMAT_OPTION, echo_json, pad
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

# Domain modules are imported inside the verbs: they load numpy, pandas, SciPy and the GIS
# stack, which ``aurum prospect --help`` should not pay for.
if TYPE_CHECKING:
    import numpy as np

    from aurum.prospect.wofe import WeightsTable, WeightsType

EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
NEW_FILE = click.Path(dir_okay=False, path_type=Path)
RESAMPLING_METHODS = ("nearest", "bilinear", "cubic", "cubic_spline", "lanczos", "average",
                      "mode", "gauss", "max", "min", "med", "q1", "q3", "sum", "rms")
"""The names of :data:`aurum.prospect.layers.RESAMPLING_METHODS` (rasterio's), written out:
reading them from rasterio loads numpy."""


class SpreadCommand(click.Command):
    """A command whose ``spread`` options take several values after one flag
    (``--evidence A.tif B.tif``) as well as the flag repeated (``--evidence A.tif --evidence
    B.tif``): the values are spread into repeated flags before click parses them."""

    def __init__(self, *args: Any, spread: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spread = tuple(spread)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        out: list[str] = []
        flag: str | None = None  # the spread flag whose values are being read
        has_value = False  # whether it got its first value already
        for i, arg in enumerate(args):
            if arg == "--":
                out.extend(args[i:])
                break
            if arg.startswith("-"):
                name, eq, _value = arg.partition("=")
                flag = name if name in self.spread else None
                has_value = bool(eq)
                out.append(arg)
            elif flag is not None and has_value:
                out.extend((flag, arg))
            else:
                out.append(arg)
                has_value = True
        return super().parse_args(ctx, out)


@click.group(name="prospect")
def prospect() -> None:
    """Mineral prospectivity: weights of evidence and drilling targets."""


@prospect.command("wofe", cls=SpreadCommand, spread=("--evidence", "--binary-threshold",
                                                     "--cumulative"))
@click.option("--evidence", multiple=True, required=True, type=EXISTING_FILE,
              help="Evidence GeoTIFFs (integer classes, or values split by a threshold); "
                   "several after one flag. Layer name = file name without extension.")
@click.option("--deposits", type=EXISTING_FILE, required=True,
              help="Known deposits: points (shapefile, GeoPackage...).")
@click.option("--binary-threshold", "thresholds", multiple=True, metavar="NAME=VALUE",
              help="Split layer NAME into <=VALUE and >VALUE (layer units); several allowed.")
@click.option("--cumulative", multiple=True, metavar="NAME=ascending|descending",
              help="Cumulative weights of layer NAME (ascending: small values favourable), "
                   "generalised at the maximum significant contrast.")
@click.option("--mask", type=EXISTING_FILE,
              help="Study-area raster (valid non-zero cells). Default: the whole grid.")
@click.option("--resampling", type=click.Choice(RESAMPLING_METHODS),
              help="Put rasters on other grids onto the first one's with this method; "
                   "without it they are refused.")
@click.option("--unit-area-km2", type=float, default=1.0, show_default=True,
              help="Unit cell: the area a deposit stands for, km².")
@click.option("--confidence", type=float, default=2.0, show_default=True,
              help="Studentised contrast a threshold or a layer must reach.")
@click.option("--out", type=NEW_FILE,
              help="Write the posterior probability, its standard deviation and confidence "
                   "(3 bands) to this GeoTIFF.")
@FORMAT_OPTION
def wofe(evidence: tuple[Path, ...], deposits: Path, thresholds: tuple[str, ...],
         cumulative: tuple[str, ...], mask: Path | None, resampling: str | None,
         unit_area_km2: float, confidence: float, out: Path | None, fmt: str) -> None:
    """Weights of evidence of each layer and the posterior probability of a deposit."""
    from aurum.prospect.layers import (
        read_deposits,
        read_layer,
        read_layers,
        study_area,
        write_raster,
    )
    from aurum.prospect.validation import raster_auc
    from aurum.prospect.wofe import conditional_independence, layer_weights, posterior

    layers = read_layers(evidence, resampling=resampling)
    grid = layers[0].grid
    mask_layer = (read_layer(mask, grid, resampling=resampling,
                             reference_name=evidence[0].name) if mask is not None else None)
    area = study_area(layers, mask_layer)
    points = read_deposits(deposits, grid, area)
    names = [layer.name for layer in layers]
    splits = {k: _number(k, v) for k, v in _pairs(thresholds, "--binary-threshold", names)}
    kinds = {k: _kind(k, v) for k, v in _pairs(cumulative, "--cumulative", names)}
    both = sorted(set(splits) & set(kinds))
    if both:
        raise ValidationError([Problem(_("a layer is either split by a threshold or "
                                         "cumulative, not both"), column=n) for n in both])
    tables, used = [], []
    for layer in layers:
        table, values = layer_weights(layer.values, area, points.cells, layer=layer.name,
                                      cell_area_km2=layer.grid.cell_area_km2,
                                      unit_cell_km2=unit_area_km2, confidence=confidence,
                                      threshold=splits.get(layer.name),
                                      kind=kinds.get(layer.name))
        tables.append(table)
        used.append(values)
    result = posterior(tables, used, area)
    if out is not None:
        write_raster(out, (result.probability, result.std, result.confidence), grid,
                     ("posterior_probability", "posterior_std", "posterior_confidence"))
    rows = [row for table in tables for row in _rows(table)]
    if fmt == "json":
        echo_json(rows)
        return
    for table in tables:
        _echo_table(table)
    ci = conditional_independence(result, len(points), cell_area_km2=grid.cell_area_km2,
                                  unit_cell_km2=unit_area_km2)
    click.echo(_("prior probability %(prior)s (%(deposits)s deposits, %(units)s unit cells of "
                 "%(unit)s km²)",
                 prior=format(tables[0].total_deposits / tables[0].total_area_units, ".6f"),
                 deposits=len(points), units=format(tables[0].total_area_units, ",.2f"),
                 unit=format(unit_area_km2, "g")))
    click.echo(_("posterior AUC %(auc)s",
                 auc=format(raster_auc(result.probability, area, points.cells), ".4f")))
    click.echo(_("conditional independence (Agterberg–Cheng): expected %(expected)s ± %(std)s "
                 "deposits, observed %(observed)s, ratio %(ratio)s, p = %(p)s",
                 expected=format(ci.expected, ".1f"), std=format(ci.std_expected, ".1f"),
                 observed=ci.observed, ratio=format(ci.ratio, ".3f"), p=format(ci.p_value, ".4f")))
    if out is not None:
        click.echo(_("posterior written to %(path)s", path=out))


def _rows(table: WeightsTable) -> list[dict[str, Any]]:
    s = table.stats
    return [{"layer": table.layer, "class": table.label(c), "w_plus": float(s.w_plus[i]),
             "s_w_plus": float(s.s_w_plus[i]), "w_minus": float(s.w_minus[i]),
             "s_w_minus": float(s.s_w_minus[i]), "contrast": float(s.contrast[i]),
             "studentized_contrast": float(s.studentized_contrast[i]),
             "deposits": int(table.deposits[i]), "area_km2": float(table.area_km2[i])}
            for i, c in enumerate(table.classes.tolist())]


def _echo_table(table: WeightsTable) -> None:
    click.echo(_("%(layer)s (%(kind)s, %(deposits)s deposits)", layer=table.layer,
                 kind=table.kind.value, deposits=table.total_deposits))
    heads = zip((_("class"), _("area km²"), _("deposits")), (12, 11, 8), strict=True)
    click.echo("  " + " ".join(pad(h, w, right=True) for h, w in heads)
               + f" {'W+':>8} {'s(W+)':>7} {'W-':>8} {'s(W-)':>7} {'C':>8} {'C/s(C)':>7}")
    for row in _rows(table):
        click.echo(f"  {row['class']!s:>12} {row['area_km2']:>11,.2f} {row['deposits']:>8} "
                   f"{row['w_plus']:>8.4f} {row['s_w_plus']:>7.4f} {row['w_minus']:>8.4f} "
                   f"{row['s_w_minus']:>7.4f} {row['contrast']:>8.4f} "
                   f"{row['studentized_contrast']:>7.2f}")
    if table.threshold_class is not None:
        click.echo("  " + _("generalised at %(threshold)s",
                            threshold=table.label(table.threshold_class)))
    if not table.significant:
        click.echo("  " + _("no class reaches a studentised contrast of %(confidence)s: the "
                            "layer adds nothing to the posterior",
                            confidence=format(table.confidence, "g")))


def _pairs(items: Sequence[str], flag: str, names: Sequence[str]) -> list[tuple[str, str]]:
    pairs, problems = [], []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            problems.append(Problem(_("%(flag)s expects NAME=VALUE, got %(item)r", flag=flag,
                                      item=item)))
        elif name not in names:
            problems.append(Problem(_("%(flag)s names layer %(name)r, which is not an evidence "
                                      "layer; layers: %(layers)s", flag=flag, name=name,
                                      layers=", ".join(names))))
        else:
            pairs.append((name, value))
    if problems:
        raise ValidationError(problems)
    return pairs


def _number(name: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValidationError(Problem(_("threshold %(value)r is not a number", value=value),
                                      column=name)) from None


def _kind(name: str, value: str) -> WeightsType:
    from aurum.prospect.wofe import WeightsType

    if value not in (WeightsType.ASCENDING, WeightsType.DESCENDING):
        raise ValidationError(Problem(_("cumulative type must be ascending or descending, got "
                                        "%(value)r", value=value), column=name))
    return WeightsType(value)


@prospect.command("targets")
@click.option("--prospectivity", type=EXISTING_FILE, required=True,
              help="Prospectivity GeoTIFF (e.g. the posterior written by 'prospect wofe').")
@click.option("--band", type=int, default=1, show_default=True, help="Band of the score.")
@click.option("--std-band", type=int, help="Band of its standard deviation, if any.")
@click.option("--threshold", type=float, help="Target cells score at least this.")
@click.option("--top-area", type=float,
              help="Or: target cells are the best fraction (0-1) of the study area.")
@click.option("--deposits", type=EXISTING_FILE, help="Known deposits, counted per target.")
@click.option("--unit-area-km2", type=float, default=1.0, show_default=True,
              help="Unit cell for the expected number of deposits, km².")
@click.option("--min-cells", type=int, default=1, show_default=True,
              help="Drop targets of fewer raster cells.")
@click.option("--out", type=NEW_FILE, required=True, help="GeoPackage to write.")
@FORMAT_OPTION
def targets(prospectivity: Path, band: int, std_band: int | None, threshold: float | None,
            top_area: float | None, deposits: Path | None, unit_area_km2: float,
            min_cells: int, out: Path, fmt: str) -> None:
    """High-prospectivity targets as polygons ranked for drilling (GeoPackage)."""
    import numpy as np

    from aurum.prospect.layers import grid_of, read_deposits
    from aurum.prospect.targets import cutoff_for_area, extract_targets, write_targets

    if (threshold is None) == (top_area is None):
        raise ValidationError(_("give exactly one of --threshold and --top-area"))
    grid = grid_of(prospectivity)
    score = _band(prospectivity, band)
    area = np.isfinite(score)
    std = _band(prospectivity, std_band) if std_band is not None else None
    cut = threshold if threshold is not None else cutoff_for_area(score, area, top_area or 0.0)
    points = read_deposits(deposits, grid, area) if deposits is not None else None
    found = extract_targets(score, grid, threshold=cut, area=area, std=std, deposits=points,
                            unit_cell_km2=unit_area_km2, min_cells=min_cells)
    write_targets(found, out)
    table = found.drop(columns="geometry").to_dict(orient="records")
    if fmt == "json":
        echo_json(table)
        return
    click.echo(_("%(count)s targets at prospectivity >= %(cut)s, written to %(path)s",
                 count=len(found), cut=format(cut, ".6g"), path=out))
    for row in table[:20]:
        click.echo(f"  #{row['rank']:<3} {row['area_km2']:>9,.2f} km²  "
                   + _("max %(max)s  expected deposits %(expected)s  known %(known)s",
                       max=format(row["max_prospectivity"], ".4g"),
                       expected=format(row["expected_deposits"], ".2f"),
                       known=row["known_deposits"]))


def _band(path: Path, band: int) -> np.ndarray:
    import numpy as np

    from aurum.prospect.layers import read_layer

    layer = read_layer(path, band=band)
    return np.where(layer.valid, layer.values.astype(float), np.nan)
