"""``aurum materials``: shelf products of high-end gold and silver materials.

Contract relied on by scripts: ``aurum materials capability --batches B.csv --spec S.yaml
[--format json]``. B.csv has ``batch, property, value`` (one row per measured value; several
rows of a batch and property make a subgroup; batches in production order); S.yaml maps each
property to ``{min, max, target, unit, method}``. Prints, per property of the specification
the batches give, ``{"unit", "lower", "upper", "chart", "n_batches", "n_values", "mean",
"sigma_within", "sigma_overall", "cp", "cpk", "pp", "ppk", "beyond"}`` under ``"properties"``
(indices null where undefined; ``beyond`` the batches beyond their control limits). No server
or database; nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from aurum.cli.common import FORMAT_OPTION, echo_json, echo_table, fixed
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _


@click.group(name="materials")
def materials() -> None:
    """Shelf products: specifications, batch consistency (control charts, Cp/Cpk)."""


@materials.command("capability")
@click.option("--batches", "batches_file", required=True, metavar="B.csv",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="batch, property, value (one row per measured value).")
@click.option("--spec", "spec_file", required=True, metavar="S.yaml",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The specification: property: {min, max, target, unit, method}.")
@FORMAT_OPTION
def capability(batches_file: Path, spec_file: Path, fmt: str) -> None:
    """Control chart and Cp, Cpk, Pp, Ppk per property of the specification, from the
    batches' measured values (I-MR for one value per batch, X-bar R up to 10, X-bar S
    above)."""
    import yaml

    # Imported here: pandas and scipy are not loaded by ``aurum materials --help``.
    from aurum.core.tables import read_table
    from aurum.materials.catalogue import parse_specification, read_batches
    from aurum.materials.spc import MIN_SUBGROUPS, process_capability

    try:
        doc = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValidationError(Problem(_("not a YAML file: %(error)s", error=str(exc).split(
            "\n")[0]), source=spec_file.name)) from exc
    limits = {lim.key: lim for lim in parse_specification(doc, source=spec_file.name)}
    values = read_batches(read_table(batches_file, batches_file.name), limits,
                          source=batches_file.name)
    report: dict[str, dict[str, Any]] = {}
    for key, lim in limits.items():
        given = values.get(key, [])
        entry: dict[str, Any] = {
            "unit": lim.unit, "lower": lim.lower, "upper": lim.upper, "chart": None,
            "n_batches": len(given), "n_values": sum(len(v) for _b, v in given), "mean": None,
            "sigma_within": None, "sigma_overall": None, "cp": None, "cpk": None, "pp": None,
            "ppk": None, "beyond": []}
        if len(given) >= MIN_SUBGROUPS:
            cap = process_capability([v for _b, v in given], lim.lower, lim.upper, key)
            entry.update(chart=cap.chart.kind, mean=cap.mean, sigma_within=cap.sigma_within,
                         sigma_overall=cap.sigma_overall, cp=cap.cp, cpk=cap.cpk, pp=cap.pp,
                         ppk=cap.ppk, beyond=[given[i][0] for i in cap.chart.beyond])
        report[key] = entry
    if fmt == "json":
        echo_json({"properties": report})
        return
    header = (_("property"), _("unit"), _("batches"), _("chart"), _("mean"), "Cp", "Cpk", "Pp",
              "Ppk")
    rows = [header] + [(key, e["unit"], str(e["n_batches"]), e["chart"] or "—",
                        fixed(e["mean"], 4), *(fixed(e[k], 3) for k in ("cp", "cpk", "pp", "ppk")))
                       for key, e in report.items()]
    echo_table(rows, right=lambda i: i > 1)
    for key, e in report.items():
        if e["beyond"]:
            click.echo(_("%(key)s: batches beyond the control limits: %(batches)s", key=key,
                         batches=", ".join(e["beyond"])))
