"""``aurum standards import|list`` (issue 22): the registry file imported whole, bad files
refused with one line per problem and nothing stored."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from click.testing import CliRunner

from aurum.cli import cli
from aurum.cli.standards import STATUSES, TAGS
from aurum.services.platform import Platform
from aurum.standards.lifecycle import PriorityArea, Status

SHIPPED = resources.files("aurum.standards").joinpath("data/gold_standards.yaml")


def test_the_choices_are_the_domain_keys() -> None:
    assert tuple(Status) == STATUSES and tuple(PriorityArea) == TAGS


def test_import_then_list(platform: Platform, tmp_path: Path) -> None:
    path = tmp_path / "gold_standards.yaml"
    path.write_bytes(SHIPPED.read_bytes())
    runner = CliRunner()
    r = runner.invoke(cli, ["standards", "import", str(path), "--format", "json"])
    assert r.exit_code == 0, r.output
    added = json.loads(r.stdout)["added"]
    assert "GB/T 4134-2021" in added and len(added) >= 25
    r = runner.invoke(cli, ["standards", "list", "--status", "withdrawn", "--format", "json"])
    listed = json.loads(r.stdout)["standards"]
    assert listed and all(s["status"] == "withdrawn" for s in listed)
    r = runner.invoke(cli, ["standards", "list", "--tag", "green_low_carbon"])
    assert r.exit_code == 0 and "HJ 943-2018" in r.stdout
    # The same file again: every number is already there, nothing added.
    r = runner.invoke(cli, ["standards", "import", str(path)])
    assert r.exit_code != 0 and "already in the registry" in r.stderr


def test_bad_files_are_refused_whole(platform: Platform, tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "bad.csv"
    bad.write_text("number,title_zh,status,tags\n"
                   "T/CGA 901-2026,好,published,deep_mining\n"
                   "GB/T 4134-21,坏,published,\n"
                   "GB/T 1-2020,,publishd,\n", encoding="utf-8")
    r = runner.invoke(cli, ["standards", "import", str(bad)])
    assert r.exit_code != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 3
    assert "bad.csv, row 3, column number" in lines[0]
    assert "bad.csv, row 4, column status" in lines[1]
    assert "bad.csv, row 4, column title_zh" in lines[2]
    r = runner.invoke(cli, ["standards", "list", "--format", "json"])
    assert json.loads(r.stdout)["standards"] == []
    for content, words in ((b"standards: [\n", "not a YAML file"),
                           (b"\xff\xfe", "not a YAML file")):
        path = tmp_path / "bad.yaml"
        path.write_bytes(content)
        r = runner.invoke(cli, ["standards", "import", str(path)])
        assert r.exit_code != 0 and words in r.stderr
    r = runner.invoke(cli, ["standards", "list", "--status", "valid"])
    assert r.exit_code != 0
