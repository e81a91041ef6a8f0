"""The real Babbitt drillholes through the Chinese standards' chain (issue 19): single-hole
delineation with a Cu cut-off, geological blocks in the vertical longitudinal projection, the
kriging check, and — published for two years through the service — the annual reserve report.

Babbitt (Duluth Complex, Minnesota) is a disseminated Cu–Ni deposit near the Complex's basal
contact, which dips gently to the south-east; its files are in feet. They are converted to
metres (× 0.3048) so that thicknesses, areas and tonnes are in the units the standards use.
Grades stay in per cent Cu: the chain is unit-agnostic in its grade, so "metal (kg)" below is
tonnes × grade / 1000 in the grade's unit, not kilograms of copper.

The industrial indicators chosen for copper (stated, not from a standard): cut-off 0.2 % Cu,
minimum industrial grade 0.3 % Cu, minimum mining thickness 3 m (one 10 ft sample), maximum
internal waste 6 m (one 10 ft sample of waste is joined, two are not). The holes cut several
stacked orebodies; the block method estimates one orebody at a time, and the basal one is
taken: each hole's deepest industrial intercept.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aurum.resources.blockcheck import kriging_check
from aurum.resources.delineate import intercept_table
from aurum.resources.drillholes import read_drillholes
from aurum.resources.geoblocks import GeoBlocks, geological_blocks
from aurum.resources.indicators import IndustrialIndicators

FT = 0.3048
"""Metres in a foot."""
INDICATORS = IndustrialIndicators(cutoff_gpt=0.2, min_industrial_gpt=0.3, min_thickness_m=3.0,
                                  max_waste_m=6.0)
DENSITY_T_M3 = 2.9
"""Bulk density of the mineralised troctolite, t/m³ (a plausible value, stated)."""
CELL_M = 40.0
"""Kriging cells of 40 m: about the mean drill spacing (43 m), a few thousand cells."""
KRIGED_WITHIN_PCT = {"tonnes_pct": 20.0, "grade_pct": 10.0, "metal_pct": 30.0}
"""The kriging check's totals lie within these per cent of the blocks' (found: tonnes +15.5,
grade +6.9, metal +23.5). Not closer, dense as the drilling is: the basal orebody's thickness
ranges from 3 m to well over 100 m between neighbouring holes, and kriging spreads the thick
intercepts over their neighbours' cells while a block keeps its own hole's thickness."""


def _metres(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    collar = pd.read_csv(folder / "collar_BABBITT.csv", dtype={"BHID": str})
    survey = pd.read_csv(folder / "survey_BABBITT.csv", dtype={"BHID": str})
    assay = pd.read_csv(folder / "assay_BABBITT.csv", dtype={"BHID": str})
    collar[["XCOLLAR", "YCOLLAR", "ZCOLLAR"]] *= FT
    survey["AT"] *= FT
    assay[["FROM", "TO"]] *= FT
    return collar, survey, assay


def _basal(intercepts: pd.DataFrame) -> pd.DataFrame:
    """Each hole's deepest industrial intercept."""
    industrial = intercepts[intercepts["category"] == "industrial"]
    return industrial.sort_values("z").groupby("hole", sort=False).head(1)


def _attitude(points: np.ndarray) -> tuple[float, float]:
    """Strike and dip (degrees, right-hand rule) of the least-squares plane through points."""
    normal = np.linalg.svd(points - points.mean(axis=0))[2][-1]
    normal *= np.sign(normal[2])
    return (float(np.degrees(np.arctan2(-normal[1], normal[0])) % 360.0),
            float(np.degrees(np.arccos(normal[2]))))


@pytest.fixture(scope="module")
def babbitt(shared_data: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return _metres(shared_data / "drillholes" / "babbitt")


def test_babbitt_blocks_and_their_kriging_check(
        babbitt: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    db = read_drillholes(*babbitt)
    # The mid-points do not depend on the attitude: the plane is fitted to them first.
    strike, dip = _attitude(_basal(intercept_table(db, "CU", INDICATORS))[
        ["x", "y", "z"]].to_numpy())
    # The basal contact strikes north-east and dips gently to the south-east.
    assert 40.0 < strike < 65.0 and 5.0 < dip < 25.0
    strike, dip = round(strike), round(dip)
    intercepts = intercept_table(db, "CU", INDICATORS, strike, dip)
    basal = _basal(intercepts)
    assert len(basal) > 350
    assert (basal["grade"] >= INDICATORS.min_industrial_gpt).all()
    blocks = geological_blocks(basal, strike, dip, DENSITY_T_M3)
    _check_blocks(blocks, basal, dip)
    check = kriging_check(basal, blocks, DENSITY_T_M3, cell_m=CELL_M)
    cells = check.cells
    tonnes = float((cells["area_m2"] * cells["thickness_h_m"]).sum()) * DENSITY_T_M3
    assert check.tonnes == pytest.approx(tonnes, rel=1e-9)
    assert check.metal_kg == pytest.approx(check.tonnes * check.grade / 1000, rel=1e-9)
    # Both methods cover the same outline.
    assert cells["area_m2"].sum() == pytest.approx(blocks.blocks["area_m2"].sum(), rel=1e-6)
    for key, within in KRIGED_WITHIN_PCT.items():
        assert abs(check.differences[key]) < within, (key, check.differences)
    assert check.differences["metal_pct"] == pytest.approx(
        100 * (check.metal_kg / blocks.metal_kg - 1), rel=1e-9)


def _check_blocks(blocks: GeoBlocks, intercepts: pd.DataFrame, dip: float) -> None:
    """Every block's tonnes are area × horizontal thickness × density and its metal tonnes ×
    grade; the categories add up to the total."""
    frame = blocks.blocks
    assert set(frame["hole"]) == set(intercepts["hole"])
    true = intercepts.set_index("hole")["true_thickness_m"]
    np.testing.assert_allclose(frame["thickness_h_m"],
                               true.loc[frame["hole"]] / np.sin(np.radians(dip)), rtol=1e-6)
    np.testing.assert_allclose(frame["tonnes"],
                               frame["area_m2"] * frame["thickness_h_m"] * DENSITY_T_M3,
                               rtol=1e-9)
    np.testing.assert_allclose(frame["metal_kg"], frame["tonnes"] * frame["grade"] / 1000,
                               rtol=1e-9)
    assert blocks.tonnes == pytest.approx(frame["tonnes"].sum(), rel=1e-9)
    assert blocks.metal_kg == pytest.approx(frame["metal_kg"].sum(), rel=1e-9)
    assert blocks.grade == pytest.approx(1000 * blocks.metal_kg / blocks.tonnes, rel=1e-9)
    by_category = blocks.by_category().set_index("category")
    assert set(by_category.index) <= {"measured", "indicated", "inferred"}
    for column in ("tonnes", "metal_kg"):
        assert by_category[column].sum() == pytest.approx(getattr(blocks, column), rel=1e-9)
