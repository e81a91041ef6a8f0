"""The one table reader's limits and the exports' inert cells (issue 14, findings 7 and 10)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from aurum.cli import cli
from aurum.core import tables
from aurum.core.errors import MAX_PROBLEMS, Problem, ValidationError
from aurum.core.tables import (
    for_export,
    inert_text,
    read_csv,
    read_excel,
    read_table,
    readable,
    safe_filename,
    significant,
)


def _bomb(unpacked: int) -> bytes:
    """An xlsx-shaped zip whose one member inflates to ``unpacked`` bytes of zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * unpacked)
    return buf.getvalue()


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_from_its_directory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A small limit keeps the test fast; the check is the same at 100 MiB.
    monkeypatch.setattr(tables, "MAX_UNPACKED_BYTES", 2**20)
    data = _bomb(3 * 2**20)
    assert len(data) < 10_000  # a few KB on the wire
    parsed: list[object] = []
    monkeypatch.setattr(pd, "read_excel", lambda *a, **k: parsed.append(a))
    with pytest.raises(ValidationError) as err:
        read_table(data, "bomb.xlsx")
    assert str(err.value) == "bomb.xlsx: the file unpacks to 3 MiB; the limit is 1 MiB"
    assert parsed == []  # refused before the parser saw a byte


def test_an_archive_of_too_many_members_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "MAX_ARCHIVE_MEMBERS", 3)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for i in range(4):
            archive.writestr(f"part{i}.txt", b"x")
    with pytest.raises(ValidationError, match="the archive holds 4 files; the limit is 3"):
        tables.open_archive(buf.getvalue(), "many.zip")


def test_a_table_beyond_the_row_limit_is_refused_while_reading(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "MAX_ROWS", 5)
    six = b"a,b\n" + b"1,2\n" * 6
    with pytest.raises(ValidationError) as err:
        read_csv(six, "big.csv")
    assert str(err.value) == ("big.csv: the table has more than 5 data rows, the limit of one "
                              "file; split it")
    assert read_csv(b"a,b\n" + b"1,2\n" * 5, "ok.csv")["a"].tolist() == [1] * 5
    book = io.BytesIO()
    pd.DataFrame({"a": range(6)}).to_excel(book, index=False)
    with pytest.raises(ValidationError, match="more than 5 data rows"):
        read_excel(book.getvalue(), "big.xlsx")


def test_unreadable_files_are_named_with_the_readers_words() -> None:
    with pytest.raises(ValidationError, match=r"^empty.csv: cannot read the samples: "):
        read_csv(b"", "empty.csv", "samples")
    with pytest.raises(ValidationError, match=r"^x.xlsx: cannot read the workbook: "):
        read_excel(b"not a zip", "x.xlsx")
    with pytest.raises(ValidationError, match=r"expected a \.csv or \.xlsx file"):
        read_table(b"a\n1\n", "x.pdf")


@pytest.mark.parametrize(("given", "kept"), [
    ("..", "upload.csv"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\q1.xlsx", "q1.xlsx"),
    ("q1\x00\r\n.csv", "q1.csv"),
    (".hidden.csv", "hidden.csv"),
    ("", "upload.csv"),
    (None, "upload.csv"),
    ("报表.csv", "报表.csv"),
])
def test_file_names_from_clients_become_safe_base_names(given: str | None, kept: str) -> None:
    assert safe_filename(given, "upload.csv") == kept


def test_long_file_names_are_cut_to_255_bytes_keeping_the_extension() -> None:
    name = safe_filename("a" * 300 + ".xlsx", "upload.csv")
    assert name == "a" * 250 + ".xlsx" and len(name.encode()) == 255
    wide = safe_filename("矿" * 100 + ".csv", "upload.csv")  # 3 bytes a character
    assert wide == "矿" * 83 + ".csv" and len(wide.encode()) == 253


def test_problem_lists_keep_the_first_hundred_and_count_the_rest() -> None:
    err = ValidationError(Problem("expected a number", row=i + 2, column="gold_kg")
                          for i in range(244_485))
    assert len(err.problems) == MAX_PROBLEMS == 100
    assert err.problems[-1].row == 101 and err.omitted == 244_385
    assert str(err).startswith("244485 problems: row 2, column gold_kg: expected a number; ")
    assert str(err).endswith("(and 244480 more)")
    assert ValidationError("one").omitted == 0


@pytest.mark.parametrize(("cell", "shown"), [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+SUM(A1)", "'+SUM(A1)"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("-3.5", "-3.5"),
    ("+1e3", "+1e3"),
    ("Shaft 2 = wet", "Shaft 2 = wet"),
    (-3.5, -3.5),
])
def test_cells_that_would_be_formulas_are_quoted(cell: object, shown: object) -> None:
    assert inert_text(cell) == shown


def test_numbers_are_rounded_to_twelve_significant_digits() -> None:
    values = significant(np.array([0.1 + 0.2, 23.799999999999997, 1 / 3, -1234567.891,
                                   np.nan, 0.0]))
    assert values[:4].tolist() == [0.3, 23.8, 0.333333333333, -1234567.891]
    assert np.isnan(values[4]) and values[5] == 0.0


def test_exports_are_inert_and_rounded_and_csv_keeps_machine_keys() -> None:
    frame = pd.DataFrame({"title": ["=HYPERLINK(\"http://evil\")", "roof fall"],
                          "gold_kg": [0.1 + 0.2, -3.5], "year": [2024, 2025]})
    csv = for_export(frame).to_csv(index=False)
    assert csv.splitlines() == ["title,gold_kg,year",
                                '"\'=HYPERLINK(""http://evil"")",0.3,2024',
                                "roof fall,-3.5,2025"]
    assert frame["title"][0].startswith("=")  # the caller's frame is left as it was


@pytest.mark.parametrize(("key", "header"), [
    ("daily_capacity_t", "Daily capacity (t)"), ("solid_waste_utilisation_pct",
                                                  "Solid waste utilisation (%)"),
    ("site", "Site"), ("Contained gold (kg)", "Contained gold (kg)"), ("v1", "V1"),
])
def test_excel_headers_are_readable(key: str, header: str) -> None:
    assert readable(key) == header


def test_the_command_line_prints_the_first_hundred_problems_and_counts_the_rest(
        tmp_path: Path) -> None:
    from aurum.industry.kpi import KPI_COLUMNS

    path = tmp_path / "reports.csv"
    rows = [f"2024,E1,Shandong,S{i},mine,800,300000,lots,400,50,1000,300" for i in range(150)]
    path.write_text("\n".join([",".join(KPI_COLUMNS), *rows]) + "\n")
    result = CliRunner().invoke(cli, ["kpi", "--reports", str(path), "--as-of", "2024"])
    lines = result.stderr.splitlines()
    assert result.exit_code == 2 and len(lines) == 101
    assert lines[0].startswith("error: reports.csv, row 2, column gold_kg: ")
    assert lines[-1] == "error: … and 50 more problems"
