"""``aurum vent solve``: the command-line contract scripts rely on, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from aurum.cli import cli

NETWORK: dict[str, Any] = {
    "nodes": ["surface", {"name": "dc500", "z": -500}, "l500a", "l500b",
              {"name": "rr500", "z": -500}, "fanhouse"],
    "branches": [
        {"name": "dc_0_500", "from": "surface", "to": "dc500", "resistance": 0.0021},
        {"name": "x500_in", "from": "dc500", "to": "l500a", "resistance": 0.03},
        {"name": "stope500", "from": "l500a", "to": "l500b", "resistance": 0.2},
        {"name": "x500_out", "from": "l500b", "to": "rr500", "resistance": 0.06,
         "fixed_flow": 22},
        {"name": "drive500", "from": "dc500", "to": "rr500", "resistance": 0.15},
        {"name": "rr_500_0", "from": "rr500", "to": "fanhouse", "resistance": 0.0035,
         "nvp": 150},
        {"name": "main_fan", "from": "fanhouse", "to": "surface", "resistance": 0.0004,
         "fan": {"coefficients": [2500.0, -1.0, -0.1]}},
    ]}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, doc: object, name: str = "network.yaml") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_json_contract(tmp_path: Path) -> None:
    path = write(tmp_path, NETWORK)
    code, out, err = run("vent", "solve", str(path), "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {"branches", "fans", "regulators", "iterations", "max_residual_pa"}
    resistances = {b["name"]: b["resistance"] for b in NETWORK["branches"]}
    assert set(result["branches"]) == set(resistances)
    for name, branch in result["branches"].items():
        assert set(branch) == {"flow_m3s", "pressure_drop_pa"}
        q = branch["flow_m3s"]
        assert branch["pressure_drop_pa"] == pytest.approx(resistances[name] * q * abs(q))
    assert result["branches"]["x500_out"]["flow_m3s"] == 22
    fan = result["fans"]["main_fan"]
    assert set(fan) == {"flow_m3s", "pressure_pa"}
    q = fan["flow_m3s"]
    assert fan["pressure_pa"] == pytest.approx(2500.0 - q - 0.1 * q * q)
    # The fan's pressure and the shaft's natural 150 Pa are taken by the drops of the open
    # route; the regulated route closes the same loop with its regulator's extra drop.
    drops = {n: b["pressure_drop_pa"] for n, b in result["branches"].items()}
    around = drops["dc_0_500"] + drops["rr_500_0"] + drops["main_fan"]
    assert around + drops["drive500"] == pytest.approx(fan["pressure_pa"] + 150, abs=1e-3)
    regulated = drops["x500_in"] + drops["stope500"] + drops["x500_out"]
    assert result["regulators"]["x500_out"] == pytest.approx(drops["drive500"] - regulated,
                                                             abs=1e-3)
    assert result["regulators"]["x500_out"] > 0
    assert result["max_residual_pa"] < 1e-6 and result["iterations"] >= 1
    # The group's own name and Hardy Cross give the same answer.
    code, out, _err = run("ventilation", "solve", str(path), "--format", "json",
                          "--method", "hardy-cross")
    assert code == 0
    cross = json.loads(out)
    assert cross["branches"]["drive500"]["flow_m3s"] == pytest.approx(
        result["branches"]["drive500"]["flow_m3s"], rel=1e-6)


def test_text_output(tmp_path: Path) -> None:
    code, out, err = run("vent", "solve", str(write(tmp_path, NETWORK)))
    assert code == 0, err
    assert "main_fan" in out and "regulator x500_out" in out


@pytest.mark.parametrize(("doc", "message"), [
    ({"nodes": ["a"], "branches": [{"name": "b", "from": "a", "to": "z", "resistance": 1}]},
     "b: to: unknown node 'z'"),
    ({"nodes": ["a", "b"], "branches": [{"name": "x", "from": "a", "to": "b",
                                         "resistance": -1}]}, "resistance of at least 0"),
    ({"nodes": ["a", "b"], "branches": [
        {"name": "f", "from": "a", "to": "b", "resistance": 0,
         "fan": {"coefficients": [500, 0, 0.5]}},
        {"name": "m", "from": "b", "to": "a", "resistance": 0.1}]}, "no operating point"),
    ("nodes: [a\n", "not a YAML file"),
    ([1, 2], "expected a mapping with the lists 'nodes' and 'branches'"),
])
def test_bad_input_one_clear_line(tmp_path: Path, doc: object, message: str) -> None:
    code, out, err = run("vent", "solve", str(write(tmp_path, doc)), "--format", "json")
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err and ("network.yaml" in err or "no operating point" in err)
