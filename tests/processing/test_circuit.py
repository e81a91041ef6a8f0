"""Circuits from YAML: structure, boundaries, and clear messages on bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from aurum.cli import cli
from aurum.core.errors import ValidationError
from aurum.processing.circuit import (
    NodeKind,
    circuit_from_mapping,
    circuit_to_mapping,
    read_circuit,
)
from tests.processing.plants import gold_plant

SMALL = {
    "nodes": ["feed", {"name": "mill", "kind": "mill"}, "cil", "tails", "product"],
    "streams": [{"name": "s1", "from": "feed", "to": "mill"},
                {"name": "s2", "from": "mill", "to": "cil"},
                {"name": "s3", "from": "cil", "to": "tails"},
                {"name": "s4", "from": "cil", "to": "product"}],
    "measurements": {"s1": {"mass": [100.0, 2.0], "assays": {"Au": [3.0, 0.1]}},
                     "s3": {"assays": {"Au": [0.2, 0.02], "Ag": [1.0, 0.1]}},
                     "s4": None},
}


def write(tmp_path: Path, data: object, name: str = "circuit.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def problems_of(data: object, tmp_path: Path) -> str:
    with pytest.raises(ValidationError) as err:
        read_circuit(write(tmp_path, data))
    return "\n".join(str(p) for p in err.value.problems)


def test_structure(tmp_path: Path) -> None:
    circuit = read_circuit(write(tmp_path, SMALL))
    assert circuit.boundary_nodes == ("feed", "tails", "product")
    assert circuit.balance_nodes == ("mill", "cil")
    assert circuit.components == ("Au", "Ag")
    assert circuit.nodes[1].kind is NodeKind.MILL
    assert circuit.nodes[2].kind is NodeKind.CIL  # a plain name that is a kind
    assert circuit.nodes[0].kind is NodeKind.FEED
    np.testing.assert_array_equal(circuit.incidence().toarray(),
                                  [[1, -1, 0, 0], [0, 1, -1, -1]])
    mass, _, assays, assays_sd = circuit.measured_arrays()
    np.testing.assert_array_equal(mass, [100.0, np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(assays_sd[2], [0.02, 0.1])
    assert np.isnan(assays[0, 1])
    again = circuit_from_mapping(circuit_to_mapping(circuit))
    assert again.streams == circuit.streams and again.nodes == circuit.nodes


def test_stream_to_unknown_node(tmp_path: Path) -> None:
    data = dict(SMALL, streams=[*SMALL["streams"], {"name": "s5", "from": "cil", "to": "cip"}])
    text = problems_of(data, tmp_path)
    assert "circuit.yaml" in text and "streams.s5.to" in text
    assert "stream 's5' enters unknown node 'cip'" in text


@pytest.mark.parametrize(("field", "pair", "expected"), [
    ("mass", [100.0, 0.0], "mass (t) standard deviation 0: expected a number > 0"),
    ("mass", [100.0, -1.0], "standard deviation -1: expected a number > 0"),
    ("mass", [-5.0, 1.0], "mass (t) -5: expected a number >= 0"),
    ("Au", [1_500_000.0, 10.0], "Au assay (g/t) 1,500,000.00 is above 1,000,000 g/t"),
    ("Au", [3.0, 0.0], "Au assay (g/t) standard deviation 0"),
    ("Au", [3.0, ".1"], "expected [value, standard deviation] (two numbers)"),
    ("mass", [100.0], "expected [value, standard deviation]"),
])
def test_bad_measurement_names_file_stream_and_field(tmp_path: Path, field: str,
                                                     pair: list[object], expected: str) -> None:
    data = yaml.safe_load(yaml.safe_dump(SMALL))
    if field == "mass":
        data["measurements"]["s1"]["mass"] = pair
    else:
        data["measurements"]["s1"]["assays"][field] = pair
    text = problems_of(data, tmp_path)
    column = "measurements.s1.mass" if field == "mass" else f"measurements.s1.assays.{field}"
    assert f"circuit.yaml, column {column}: " in text
    assert "stream 's1'" in text and expected in text


def test_every_problem_is_listed(tmp_path: Path) -> None:
    data = yaml.safe_load(yaml.safe_dump(SMALL))
    data["measurements"]["s1"]["mass"] = [100.0, 0.0]
    data["measurements"]["s3"]["assays"]["Au"] = [2e6, 1.0]
    data["measurements"]["s9"] = {"mass": [1.0, 1.0]}
    data["nodes"].append("mill")
    with pytest.raises(ValidationError) as err:
        read_circuit(write(tmp_path, data))
    text = str(err.value)
    assert err.value.problems and len(err.value.problems) == 4
    assert "node 'mill' is defined more than once" in text
    assert "unknown stream 's9'" in text


def test_closed_loop_is_refused(tmp_path: Path) -> None:
    data = {"nodes": ["a", "b", "feed", "out", "mill"],
            "streams": [{"name": "ab", "from": "a", "to": "b"},
                        {"name": "ba", "from": "b", "to": "a"},
                        {"name": "f", "from": "feed", "to": "mill"},
                        {"name": "o", "from": "mill", "to": "out"}]}
    assert "nodes 'a', 'b' form a closed loop" in problems_of(data, tmp_path)


@pytest.mark.parametrize(("text", "expected"), [
    ("nodes: [a, b\n", "not valid YAML"),
    ("- just a list\n", "expected a mapping with 'nodes'"),
    ("nodes: []\nstreams: []\n", "expected a non-empty list of nodes"),
    ("nodes: [a, b]\nstreams: [{name: s, from: a}]\n", "expected a mapping with text 'name'"),
    ("nodes: [a, {name: b, kind: furnace}]\nstreams: [{name: s, from: a, to: b}]\n",
     "kind 'furnace' is not one of"),
    ("nodes: [a, b]\nstreams: [{name: s, from: a, to: b}]\nflows: 1\n", "unknown key 'flows'"),
    ("nodes: [a, b]\nstreams: [{name: s, from: a, to: b}]\n"
     "measurements: {s: {mass: [1, 1], grade: 2}}\n", "unknown field 'grade'"),
])
def test_malformed_documents(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        read_circuit(path)
    assert expected in str(err.value) and "bad.yaml" in str(err.value)


def test_cli_reports_bad_input_in_one_line_each(tmp_path: Path) -> None:
    data = yaml.safe_load(yaml.safe_dump(gold_plant(3)))
    data["streams"][0]["to"] = "ball_mill"
    data["measurements"]["bullion"]["assays"]["Au"] = [1_200_000.0, 900.0]
    data["measurements"]["ore"]["mass"][1] = 0
    path = write(tmp_path, data, "plant.yaml")
    run = CliRunner().invoke(cli, ["processing", "reconcile", str(path), "--format", "json"])
    assert run.exit_code == 2
    lines = [line for line in run.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 3
    assert any("plant.yaml" in line and "streams.ore.to" in line and "'ball_mill'" in line
               for line in lines)
    assert any("measurements.bullion.assays.Au" in line and "stream 'bullion'" in line
               for line in lines)
    assert any("measurements.ore.mass" in line and "standard deviation 0" in line
               for line in lines)
    missing = CliRunner().invoke(cli, ["processing", "reconcile", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "cannot read the file" in missing.output
