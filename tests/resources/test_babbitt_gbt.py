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
stacked orebodies; the block method estimates one orebody at a time: each hole's thickest
industrial intercept, the rule by which aurum.services.gbt makes its blocks. The attitude is the
least-squares plane through those intercepts' mid-points: the mineralised zone follows the
Complex's basal contact, striking north-east and dipping gently to the south-east.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aurum.resources.blockcheck import kriging_check
from aurum.resources.delineate import intercept_table
from aurum.resources.drillholes import DrillholeDatabase, read_drillholes
from aurum.resources.geoblocks import GeoBlocks, geological_blocks
from aurum.resources.indicators import IndustrialIndicators
from aurum.resources.orebody import project
from aurum.services import gbt, reserve_report
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.factories import Registry

FT = 0.3048
"""Metres in a foot."""
INDICATORS = IndustrialIndicators(cutoff_gpt=0.2, min_industrial_gpt=0.3, min_thickness_m=3.0,
                                  max_waste_m=6.0)
DENSITY_T_M3 = 2.9
"""Bulk density of the mineralised troctolite, t/m³ (a plausible value, stated)."""
CELL_M = 40.0
"""Kriging cells of 40 m: about the mean drill spacing (43 m), a few thousand cells."""
KRIGED_WITHIN_PCT = {"tonnes_pct": 10.0, "grade_pct": 10.0, "metal_pct": 15.0}
"""The kriging check's totals lie within these per cent of the blocks' (found: tonnes +6.1,
grade +4.0, metal +10.4). Not closer, dense as the drilling is: the orebody's thickness ranges
from 3 m to well over 100 m between neighbouring holes, and kriging spreads the thick
intercepts over their neighbours' cells while a block keeps its own hole's thickness."""
SITE = "SD-A-01"
"""The test registry's underground mine, standing in for Babbitt."""
FIRST_YEAR_SHARE = 0.7
"""The holes drilled by the end of 2024: the south-western 70 per cent along the strike; 2025
steps out to the north-east."""


def _metres(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    collar = pd.read_csv(folder / "collar_BABBITT.csv", dtype={"BHID": str})
    survey = pd.read_csv(folder / "survey_BABBITT.csv", dtype={"BHID": str})
    assay = pd.read_csv(folder / "assay_BABBITT.csv", dtype={"BHID": str})
    collar[["XCOLLAR", "YCOLLAR", "ZCOLLAR"]] *= FT
    survey["AT"] *= FT
    assay[["FROM", "TO"]] *= FT
    # The 70 survey stations at a placeholder depth of 90,000 ft lie below their holes: the
    # service refuses a file with errors, so they are dropped as a user would before uploading.
    bottom = assay.groupby("BHID")["TO"].max()
    survey = survey[survey["AT"] <= survey["BHID"].map(bottom).fillna(np.inf)]
    return collar, survey, assay


def _main(intercepts: pd.DataFrame) -> pd.DataFrame:
    """Each hole's thickest industrial intercept (of two as thick, the larger metre-grade)."""
    industrial = intercepts[intercepts["category"] == "industrial"]
    return industrial.sort_values(["true_thickness_m", "metre_grade"], ascending=False,
                                  kind="stable").drop_duplicates("hole")


def _attitude(points: np.ndarray) -> tuple[float, float]:
    """Strike and dip (degrees, right-hand rule) of the least-squares plane through points."""
    normal = np.linalg.svd(points - points.mean(axis=0))[2][-1]
    normal *= np.sign(normal[2])
    return (float(np.degrees(np.arctan2(-normal[1], normal[0])) % 360.0),
            float(np.degrees(np.arccos(normal[2]))))


def _fitted_attitude(db: DrillholeDatabase) -> tuple[float, float]:
    """The least-squares attitude, rounded to whole degrees. The thickness (which picks each
    hole's intercept) is the length × |hole · normal|; holes near vertical through a gently
    dipping zone rank alike with or without the attitude, so the plane is fitted to the
    intercepts ranked by length, then checked: it strikes north-east and dips gently
    south-east."""
    strike, dip = _attitude(_main(intercept_table(db, "CU", INDICATORS))[
        ["x", "y", "z"]].to_numpy())
    assert 40.0 < strike < 65.0 and 5.0 < dip < 25.0
    return round(strike), round(dip)


@pytest.fixture(scope="module")
def babbitt(shared_data: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return _metres(shared_data / "drillholes" / "babbitt")


def test_babbitt_blocks_and_their_kriging_check(
        babbitt: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    db = read_drillholes(*babbitt)
    # The mid-points do not depend on the attitude: the plane is fitted to them first.
    strike, dip = _fitted_attitude(db)
    intercepts = intercept_table(db, "CU", INDICATORS, strike, dip)
    main = _main(intercepts)
    assert len(main) > 350
    assert (main["grade"] >= INDICATORS.min_industrial_gpt).all()
    blocks = geological_blocks(main, strike, dip, DENSITY_T_M3)
    _check_blocks(blocks, main, dip)
    check = kriging_check(main, blocks, DENSITY_T_M3, cell_m=CELL_M)
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


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def test_babbitt_published_for_two_years_makes_the_annual_report(
        babbitt: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], platform: Platform,
        reg: Registry) -> None:
    collar, survey, assay = babbitt
    strike, dip = _fitted_attitude(read_drillholes(collar, survey, assay))
    u, _ = project(collar["XCOLLAR"], collar["YCOLLAR"], collar["ZCOLLAR"], strike)
    first = collar["BHID"][u <= np.quantile(u, FIRST_YEAR_SHARE)]
    drilled = {2024: [frame[frame["BHID"].isin(first)] for frame in babbitt],
               2025: list(babbitt)}
    totals = {}
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        gbt.set_indicators(s, reg.ent_a, SITE, INDICATORS.as_dict(), "copper indicators, "
                           "stated for the test")
        for year, frames in drilled.items():
            estimate = gbt.estimate_blocks(
                s, reg.ent_a, platform.settings.home, SITE, year, *map(_csv, frames), "CU",
                strike, dip, DENSITY_T_M3)
            gbt.publish_block_estimate(s, reg.ent_a, estimate.id, "test estimate")
            totals[year] = {r["category"]: r for r in estimate.totals["by_category"]}
            # The stored totals are their categories'; the kriging check was made.
            assert sum(r["tonnes"] for r in totals[year].values()) == pytest.approx(
                estimate.totals["tonnes"], rel=1e-9)
            assert "differences" in estimate.kriging
    with platform.sessions() as s:
        table = reserve_report.build(s, reg.ent_a, platform.settings.home, SITE, 2025).table
    codes = ("measured", "indicated", "inferred")
    for quantity, key in (("ore_t", "tonnes"), ("metal_kg", "metal_kg")):
        # Opening and closing are the two published estimates, category by category.
        for code in codes:
            assert table.loc[code, f"opening_{quantity}"] == pytest.approx(
                totals[2024][code][key], rel=1e-9, abs=1e-6)
            assert table.loc[code, f"closing_{quantity}"] == pytest.approx(
                totals[2025][code][key], rel=1e-9, abs=1e-6)
        # Every row closes; the total is the sum of its categories.
        closes = (table[f"opening_{quantity}"] - table[f"mined_{quantity}"]
                  - table[f"lost_{quantity}"] + table[f"exploration_{quantity}"]
                  + table[f"re_estimation_{quantity}"])
        np.testing.assert_allclose(closes, table[f"closing_{quantity}"], rtol=1e-9)
        np.testing.assert_allclose(table.loc["resources_total"].filter(like=quantity),
                                   table.loc[list(codes)].filter(like=quantity).sum(),
                                   rtol=1e-9)
    # The step-out drilling adds ore.
    assert table.loc["resources_total", "closing_ore_t"] > table.loc[
        "resources_total", "opening_ore_t"]
