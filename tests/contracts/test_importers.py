"""Every importer refuses a file with one bad row whole: the refusal names the file, the row
and the field, and no table and no file of the data directory changes.

An importer is a service function or a command-line verb that reads a user's file (CSV, XLSX,
YAML, Parquet) into the database. They are listed in :data:`IMPORTERS`; each case writes a
file of good rows with one bad cell and says where that cell is. A command-line verb that
takes a file is either an importer here or in :data:`NOT_IMPORTERS` with the reason, so that
a new importer cannot be added without its case
(:func:`test_every_verb_reading_a_file_is_registered`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import openpyxl
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from aurum.cli import cli
from aurum.core.errors import ValidationError
from aurum.seismic.catalog import IMS_COLUMNS
from aurum.services import (
    processing,
    recycling,
    reporting,
    resources,
    safety,
    seismic,
    standards,
    trade,
)
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.api.test_resources_api import SPEC, _samples_csv
from tests.contracts import snapshot
from tests.factories import GOOD_ROW, Registry, report_csv
from tests.recycling.helpers import purchase, write_csv
from tests.services.test_processing import _accounts, _waste

MINE, PLANT = "SD-A-01", "SD-A-02"


@dataclass(frozen=True)
class BadFile:
    """A file of good rows with one bad cell, and where that cell is (the header is row 1)."""

    path: Path
    row: int
    column: str


@dataclass(frozen=True)
class Importer:
    """One way a user's file reaches the database.

    Attributes
    ----------
    name : str
        The service function or the command-line verb (``aurum <group> <verb>``).
    write : callable
        Writes the bad file into a folder.
    load : callable
        Imports the file as its user would; the refusal's text (every problem, one a line).
    prepare : callable, optional
        What must be stored before (a purchase to correct).
    defect : str, optional
        A known breach of the contract, to fix: the case is expected to fail until then.
    """

    name: str
    write: Callable[[Path], BadFile]
    load: Callable[[Platform, Registry, Path], str]
    prepare: Callable[[Platform, Registry], None] | None = None
    defect: str | None = None

    @property
    def verb(self) -> str | None:
        return self.name.removeprefix("aurum ") if self.name.startswith("aurum ") else None


def _refusal(call: Callable[[], object]) -> str:
    """The problems of the :class:`ValidationError` ``call`` raises, one a line."""
    with pytest.raises(ValidationError) as refused:
        call()
    return "\n".join(map(str, refused.value.problems))


def _as(platform: Platform, actor: Actor, call: Callable[..., object]) -> str:
    """The refusal of ``call(session)`` in the actor's transaction."""
    def run() -> None:
        with transaction(platform.sessions, actor.user_id) as s:
            call(s)
    return _refusal(run)


def _command(*args: str) -> Callable[[Platform, Registry, Path], str]:
    """A command-line verb run on the file (``{file}`` in ``args``) against the test
    database; its error output."""
    def load(platform: Platform, reg: Registry, path: Path) -> str:
        result = CliRunner().invoke(cli, [a.format(file=path) for a in args])
        assert result.exit_code != 0, result.output
        return result.stderr
    return load


# --- the bad files -----------------------------------------------------------------------------


def _reports_csv(folder: Path) -> BadFile:
    rows = [{**GOOD_ROW, "period": "2024-Q1"}, {**GOOD_ROW, "period": "2024-Q2",
                                                   "silver_kg": "about 120"},
            {**GOOD_ROW, "period": "2024-Q3"}]
    path = folder / "reports.csv"
    path.write_bytes(report_csv(rows))
    return BadFile(path, 3, "silver_kg")


def _reports_xlsx(folder: Path) -> BadFile:
    csv = _reports_csv(folder)
    path = folder / "reports.xlsx"
    pd.read_csv(csv.path, dtype=str).to_excel(path, index=False)
    return BadFile(path, csv.row, csv.column)


def _accounts_csv(folder: Path) -> BadFile:
    frame = _accounts()
    frame.loc[1, "tailings_g"] = -5.0
    path = folder / "accounts.csv"
    frame.to_csv(path, index=False)
    return BadFile(path, 3, "tailings_g")


def _waste_csv(folder: Path) -> BadFile:
    frame = _waste().astype({"generated_t": object})
    frame.loc[2, "generated_t"] = "lots"
    path = folder / "waste.csv"
    frame.to_csv(path, index=False)
    return BadFile(path, 4, "generated_t")


def _purchases_csv(folder: Path) -> BadFile:
    rows = [purchase(), purchase(amount_cny="abc"), purchase(shop="S-2")]
    return BadFile(write_csv(folder / "purchases.csv", rows), 3, "amount_cny")


def _replacement_csv(folder: Path) -> BadFile:
    return BadFile(write_csv(folder / "replacement.csv", [purchase(gross_weight_g="heavy")]),
                   2, "gross_weight_g")


HEAD = ["Serial Date", "Date", "Time of day", "Data-logger number",
        "Time from zero time (hr)", "Distance (ft)", "BP1 cell pressure (psi)",
        "SP1 cell pressure (psi)"]
"""The header of a NIOSH borehole pressure-cell workbook (see tests/safety/test_sensors.py)."""


def _pressure_cells_xlsx(folder: Path) -> BadFile:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (HEAD, [45200.5, None, None, 1, 0, 0, 1000, 10],
                [45200.75, None, None, 1, 6, 0, "broken", 11],
                [45201.0, None, None, 1, 12, 0, 1010, 12]):
        sheet.append(row)
    path = folder / "cells.xlsx"
    book.save(path)
    return BadFile(path, 3, "BP1")


def _composites_csv(folder: Path) -> BadFile:
    frame = pd.read_csv(io.BytesIO(_samples_csv()))
    frame["value"] = frame["value"].astype(object)
    frame.loc[4, "value"] = "n/a?"
    path = folder / "composites.csv"
    frame.to_csv(path, index=False)
    (folder / "spec.yaml").write_text(yaml.safe_dump(SPEC))
    return BadFile(path, 6, "value")


def _ims_parquet(folder: Path) -> BadFile:
    frame = pd.DataFrame({column: [1.0, 2.0, 3.0] for column in IMS_COLUMNS})
    frame["Date"] = ["2010-10-01T01:00:00", "not a time", "2010-10-01T03:00:00"]
    frame["Imported Tag"] = "Manual"
    path = folder / "events.parquet"
    frame.to_parquet(path, index=False)
    return BadFile(path, 3, "Date")


# --- the importers -----------------------------------------------------------------------------


def _records(record: Callable[..., object]) -> Callable[[Platform, Registry, Path], str]:
    """A plant-records service as the API calls it on an upload
    (:func:`processing.read_records`)."""
    def load(platform: Platform, reg: Registry, path: Path) -> str:
        return _as(platform, reg.ent_a, lambda s: record(
            s, reg.ent_a, processing.read_records(path.read_bytes(), path.name),
            source=path.name))
    return load


def _stored_purchase(platform: Platform, reg: Registry) -> None:
    keys = recycling.LedgerKeys.load(platform.settings)
    with transaction(platform.sessions, reg.admin.user_id) as s:
        recycling.record_purchases(s, reg.admin, keys, [purchase()])


def _ledger_keys(platform: Platform) -> recycling.LedgerKeys:
    return recycling.LedgerKeys.load(platform.settings)


def _customs_csv(folder: Path) -> BadFile:
    path = folder / "customs.csv"
    path.write_text("hs_code,partner,customs_district,month,quantity_kg,value_usd\n"
                    "71081200,CH,上海海关,2025-01,1200,96000000\n"
                    "71081200,AU,上海海关,2025-01,-5,400000\n", encoding="utf-8")
    return BadFile(path, 3, "quantity_kg")


def _standards_csv(folder: Path) -> BadFile:
    path = folder / "standards.csv"
    path.write_text("number,title_zh,status\nT/CGA 901-2026,甲,published\n"
                    "GB/T 4134-21,乙,published\nT/CGA 903-2026,丙,published\n",
                    encoding="utf-8")
    return BadFile(path, 3, "number")


IMPORTERS = (
    Importer("reporting.import_file (CSV)", _reports_csv, lambda p, reg, path: _as(
        p, reg.ent_a, lambda s: reporting.import_file(s, reg.ent_a, path.read_bytes(),
                                                      path.name))),
    Importer("reporting.import_file (XLSX)", _reports_xlsx, lambda p, reg, path: _as(
        p, reg.ent_a, lambda s: reporting.import_file(s, reg.ent_a, path.read_bytes(),
                                                      path.name))),
    Importer("processing.record_accounts", _accounts_csv, _records(processing.record_accounts)),
    Importer("aurum processing accounts import", _accounts_csv,
             _command("processing", "accounts", "import", "{file}")),
    Importer("processing.record_waste", _waste_csv, _records(processing.record_waste)),
    Importer("aurum processing waste import", _waste_csv,
             _command("processing", "waste", "import", "{file}")),
    Importer("recycling.record_purchases", _purchases_csv, lambda p, reg, path: _as(
        p, reg.admin, lambda s: recycling.record_purchases(
            s, reg.admin, _ledger_keys(p), recycling.PurchaseFile(path.name,
                                                                  path.read_bytes())))),
    Importer("aurum recycling append", _purchases_csv,
             _command("recycling", "append", "--file", "{file}")),
    Importer("recycling.record_correction", _replacement_csv, lambda p, reg, path: _as(
        p, reg.admin, lambda s: recycling.record_correction(
            s, reg.admin, _ledger_keys(p), 0, "mistyped weight",
            recycling.PurchaseFile(path.name, path.read_bytes()))), _stored_purchase),
    Importer("aurum recycling correct", _replacement_csv,
             _command("recycling", "correct", "0", "--reason", "mistyped weight", "--file",
                      "{file}"), _stored_purchase),
    Importer("safety.import_pressure_cells", _pressure_cells_xlsx, lambda p, reg, path: _as(
        p, reg.ent_a, lambda s: safety.import_pressure_cells(s, reg.ent_a, path, MINE))),
    Importer("aurum sensors import-pressure-cells", _pressure_cells_xlsx,
             _command("sensors", "import-pressure-cells", "{file}", "--site", MINE)),
    Importer("resources.estimate_from_files", _composites_csv, lambda p, reg, path: _as(
        p, reg.ent_a, lambda s: resources.estimate_from_files(
            s, reg.ent_a, p.settings.home, "spec.yaml",
            (path.parent / "spec.yaml").read_bytes(), path.name, path.read_bytes()))),
    Importer("seismic.import_upload (IMS Parquet)", _ims_parquet, lambda p, reg, path: _as(
        p, reg.ent_a, lambda s: seismic.import_upload(s, reg.ent_a, MINE, path.name,
                                                      path.read_bytes(), rules=[]))),
    Importer("trade.import_customs", _customs_csv, lambda p, reg, path: _as(
        p, reg.regulator, lambda s: trade.import_customs(s, reg.regulator, path.read_bytes(),
                                                         path.name))),
    Importer("aurum trade import-customs", _customs_csv,
             _command("trade", "import-customs", "{file}")),
    Importer("standards.import_file", _standards_csv, lambda p, reg, path: _as(
        p, reg.admin, lambda s: standards.import_file(s, reg.admin, path.read_bytes(),
                                                      path.name))),
    Importer("aurum standards import", _standards_csv,
             _command("standards", "import", "{file}")),
)
"""Every importer, by the name a reader looks for."""

NOT_IMPORTERS = {
    "kpi": "computes indicators from a report file; stores nothing",
    "planning ultimate": "solves a pit from files into an output file; stores nothing",
    "processing cil": "simulates a run file; stores nothing",
    "processing reconcile": "reconciles a circuit file; stores nothing",
    "prospect targets": "ranks targets from rasters into an output file; stores nothing",
    "prospect wofe": "weights of evidence from rasters into an output file; stores nothing",
    "recycling checkpoint": "writes a checkpoint file out of the ledger; reads none",
    "recycling verify": "checks the ledger against checkpoint files; stores nothing",
    "resources drillholes": "composites drillhole files into an output file; stores nothing",
    "resources delineate": "delineates drillhole files into an intercept file; stores nothing",
    "resources geoblocks": "estimates blocks from an intercept file into an output file; "
                           "stores nothing",
    "resources reserve-report": "writes a report file out of the stored statements; reads "
                                "none",
    "resources estimate": "estimates a model from a run file into output files; stores "
                          "nothing",
    "safety status": "evaluates a hazard register file; stores nothing",
    "seismic bvalue": "fits a magnitude file; stores nothing",
    "materials capability": "computes control charts and Cp/Cpk from batch and "
                            "specification files; stores nothing",
    "metrology pt": "scores a results file; stores nothing",
    "seismic detect": "detects events in waveform files; stores nothing",
    "seismic locate": "locates events from pick and station files; stores nothing",
    "structure consolidate": "plans a region from mine and plant files; stores nothing",
    "underground optimise": "optimises stopes from a block file into an output file; "
                            "stores nothing",
    "ventilation solve": "solves a network file; stores nothing",
}
"""Command-line verbs that take a file but write nothing into the database, and why."""


def _verbs(group: click.Group, ctx: click.Context) -> Iterator[tuple[str, click.Command]]:
    """Every verb under ``group`` by its full name (``processing accounts import``)."""
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        sub = click.Context(command, parent=ctx, info_name=name)
        if isinstance(command, click.Group):
            yield from ((f"{name} {verb}", c) for verb, c in _verbs(command, sub))
        else:
            yield name, command


def test_every_verb_reading_a_file_is_registered() -> None:
    registered = {i.verb for i in IMPORTERS} | set(NOT_IMPORTERS)
    with_files = {verb for verb, command in _verbs(cli, click.Context(cli, info_name="aurum"))
                  if any(isinstance(p.type, click.Path | click.File) for p in command.params)}
    assert with_files - registered == set(), (
        "a verb reads a file: add it to IMPORTERS (with its bad file) or to NOT_IMPORTERS")
    assert registered - {None} - with_files == set(), "registered verbs that no longer exist"


@pytest.mark.parametrize("importer", [
    pytest.param(i, id=i.name, marks=[pytest.mark.xfail(strict=True, reason=i.defect)]
                 if i.defect else []) for i in IMPORTERS])
def test_a_file_with_one_bad_row_is_refused_whole(platform: Platform, reg: Registry,
                                                  importer: Importer, tmp_path: Path) -> None:
    if importer.prepare is not None:
        importer.prepare(platform, reg)
    bad = importer.write(tmp_path)
    before = snapshot.state(platform)
    refusal = importer.load(platform, reg, bad.path)
    assert f"{bad.path.name}, row {bad.row}, column {bad.column}" in refusal, refusal
    assert snapshot.changed(before, snapshot.state(platform)) == []
