"""Atomic file writing: the old file or the new one, never half of one, nothing left aside."""

from __future__ import annotations

import stat
from pathlib import Path

import pandas as pd
import pytest

from aurum.core.files import write_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_bytes_replace_the_file_and_leave_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "blocks.csv"
    path.write_bytes(b"old")
    write_atomic(path, b"new content")
    assert path.read_bytes() == b"new content"
    assert [p.name for p in tmp_path.iterdir()] == ["blocks.csv"]


def test_a_writer_given_the_temporary_path_writes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "model.parquet"
    write_atomic(path, lambda tmp: pd.DataFrame({"x": [1.5, 2.5]}).to_parquet(tmp))
    assert pd.read_parquet(path)["x"].tolist() == [1.5, 2.5]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.parquet"]


def test_a_failing_writer_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path) -> None:
    path = tmp_path / "blocks.csv"
    path.write_bytes(b"old")

    def half_then_fail(tmp: Path) -> None:
        tmp.write_bytes(b"ha")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(path, half_then_fail)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["blocks.csv"]


def test_files_are_private_unless_another_mode_is_asked(tmp_path: Path) -> None:
    write_atomic(tmp_path / "secret", b"k")
    write_atomic(tmp_path / "shared", lambda tmp: tmp.write_text("s"), mode=0o644)
    assert _mode(tmp_path / "secret") == 0o600
    assert _mode(tmp_path / "shared") == 0o644
    assert (tmp_path / "shared").read_text() == "s"


def test_a_missing_directory_is_an_os_error_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "absent" / "f", b"x")
    assert list(tmp_path.iterdir()) == []
