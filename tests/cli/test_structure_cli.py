"""``aurum structure consolidate``: the command-line contract, checked against an
enumeration of every plan of a small region, and bad input one clear message each."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from aurum.cli import cli

MINES = [("M1", 0, 0, 120), ("M2", 8, 3, 200), ("M3", 30, 2, 90), ("M4", 28, 12, 260),
         ("M5", 14, 20, 150)]
PLANTS = [("P1", 2, 1, 400, 9000, 60, "true"), ("P2", 29, 6, 450, 12000, 55, "false"),
          ("P3", 15, 12, 800, 20000, 40, "false")]
C = 1.8


def write(tmp_path: Path, mines: list[tuple] = MINES, plants: list[tuple] = PLANTS,
          mine_header: str = "mine,x_km,y_km,ore_tpd",
          plant_header: str = "plant,x_km,y_km,capacity_tpd,fixed_cny_per_day,"
                              "processing_cny_per_t,existing") -> list[str]:
    m, p = tmp_path / "mines.csv", tmp_path / "plants.csv"
    m.write_text("\n".join([mine_header, *(",".join(map(str, r)) for r in mines)]) + "\n")
    p.write_text("\n".join([plant_header, *(",".join(map(str, r)) for r in plants)]) + "\n")
    return ["structure", "consolidate", "--mines", str(m), "--plants", str(p),
            "--transport-cny-per-tkm", str(C)]


def brute_force() -> float:
    """Least cost over every assignment of the mines to the plants (3^5 plans)."""
    best = math.inf
    for plan in itertools.product(range(len(PLANTS)), repeat=len(MINES)):
        load = [0.0] * len(PLANTS)
        cost = 0.0
        for (_, x, y, ore), j in zip(MINES, plan, strict=True):
            _, px, py, _, _, processing, _ = PLANTS[j]
            load[j] += ore
            cost += ore * (C * math.hypot(x - px, y - py) + processing)
        if all(load[j] <= PLANTS[j][3] for j in range(len(PLANTS))):
            best = min(best, cost + sum(PLANTS[j][4] for j in set(plan)))
    return best


def test_json_contract_is_the_least_cost_plan(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [*write(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer) == {"cost_cny_per_day", "open", "assignment", "gap"}
    assert answer["gap"] == 0.0
    assert answer["cost_cny_per_day"] == pytest.approx(brute_force(), rel=1e-9)
    assert set(answer["assignment"]) == {m[0] for m in MINES}
    assert set(answer["assignment"].values()) == set(answer["open"])


def test_text_output_names_every_mine(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, write(tmp_path))
    assert result.exit_code == 0, result.output
    assert all(m[0] in result.stdout for m in MINES)


def test_plan_floors_leave_out_small_candidates(tmp_path: Path) -> None:
    plants = [*PLANTS, ("P4", 0, 0, 300, 10, 1, "false")]
    result = CliRunner().invoke(cli, [*write(tmp_path, plants=plants), "--plan-floors",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "P4" not in json.loads(result.stdout)["open"]


@pytest.mark.parametrize(("mines", "plants", "headers", "message"), [
    ([*MINES, ("BIG", 0, 0, 900)], PLANTS, {}, "BIG sends 900.0 t/d, more than any plant"),
    (MINES, [("P1", 2, 1, 400, -5, 60, "true"), *PLANTS[1:]], {},
     "costs must not be negative"),
    (MINES, PLANTS, {"mine_header": "mine,x_km,y_km,ore"}, "missing required column 'ore_tpd'"),
    ([*MINES, ("M1", 1, 1, 10)], PLANTS, {}, "duplicate id 'M1'"),
])
def test_bad_input_one_clear_message(tmp_path: Path, mines: list[tuple], plants: list[tuple],
                                     headers: dict[str, str], message: str) -> None:
    result = CliRunner().invoke(cli, [*write(tmp_path, mines, plants, **headers),
                                      "--format", "json"])
    assert result.exit_code != 0
    assert message in result.stderr
    assert result.stdout == ""


def test_negative_transport_cost_is_refused(tmp_path: Path) -> None:
    args = write(tmp_path)
    args[-1] = "-1"
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0
    assert "must not be negative" in result.stderr
