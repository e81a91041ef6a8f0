"""Weights of evidence against Geoscience Australia's published MPM-WofE tables and rasters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio

from aurum.prospect.validation import raster_auc, rate_curve, threshold_table
from aurum.prospect.wofe import (
    TABLE_COLUMNS,
    WeightsTable,
    WeightsType,
    binary_split,
    conditional_independence,
    generalise,
    layer_weights,
    posterior,
    weights_from_counts,
    weights_table,
)
from tests.prospect.conftest import RESPONSE_LAYERS, Reference

STATS = ("WPLUS", "S_WPLUS", "WMINUS", "S_WMINUS", "CONTRAST", "S_CONTRAST", "STUDC")
# The tables print 15 significant digits; our sums of cell areas differ from R's by
# round-off (2e-11 km² over 31,311 km²), which W- near the end of a cumulative table
# (d close to N) amplifies to 2e-11.
RTOL, ATOL = 1e-9, 1e-9


def _table(ref: Reference, name: str, kind: WeightsType | str) -> WeightsTable:
    layer = ref.layer(name)
    return weights_table(layer.values, ref.area, ref.deposits.cells, layer=name, kind=kind,
                         cell_area_km2=layer.grid.cell_area_km2, unit_cell_km2=1.0,
                         confidence=2.0)


def _assert_same(ours: pd.DataFrame, published: pd.DataFrame) -> None:
    assert len(ours) == len(published)
    for column in TABLE_COLUMNS:
        np.testing.assert_allclose(ours[column].to_numpy(float),
                                   published[column].to_numpy(float), rtol=RTOL, atol=ATOL,
                                   err_msg=column)


@pytest.mark.parametrize(("name", "kind", "suffix"), [
    ("Dist2Breccia", "ascending", "CA"),
    ("FaultDensity", "descending", "CD"),
    ("StratNo", "categorical", "CT"),
])
def test_calculate_weights_tables(weights_input: Reference, name: str, kind: str,
                                  suffix: str) -> None:
    table = _table(weights_input, name, kind)
    published = pd.read_csv(weights_input.folder / f"{name}_{suffix}.csv")
    _assert_same(table.to_frame(), published)
    assert table.total_deposits == 258
    assert table.total_area_units == pytest.approx(31_311.33, abs=1e-6)


def test_generalisation_thresholds(weights_input: Reference) -> None:
    # GEN_CLASS 2 runs to 34.4 km (Dist2Breccia) and down to class 3 (FaultDensity) in the
    # published tables: the rows of maximum contrast.
    assert _table(weights_input, "Dist2Breccia", "ascending").threshold_class == 34_400
    assert _table(weights_input, "FaultDensity", "descending").threshold_class == 3
    assert _table(weights_input, "StratNo", "categorical").threshold_class is None


def test_dist2fault_table_from_its_own_counts(mpm: Path) -> None:
    # Dist2Fault.tif of CalculateWeights is missing at the source: its published table is
    # recomputed from the class areas and deposit counts it prints.
    published = pd.read_csv(mpm / "CalculateWeights" / "Dist2Fault_CA.csv")
    stats = weights_from_counts(published["AREA_UNITS"].to_numpy(),
                                published["NO_POINTS"].to_numpy(),
                                published["CLASS_AREA"].sum(), 258)
    ours = [stats.w_plus, stats.s_w_plus, stats.w_minus, stats.s_w_minus, stats.contrast,
            stats.s_contrast, stats.studentized_contrast]
    for column, values in zip(STATS, ours, strict=True):
        np.testing.assert_allclose(values, published[column], rtol=RTOL, atol=ATOL,
                                   err_msg=column)
    gen_class, weight, w_std = generalise(WeightsType.ASCENDING,
                                          published["CLASS"].to_numpy(), stats, 2.0)
    np.testing.assert_array_equal(gen_class, published["GEN_CLASS"])
    np.testing.assert_allclose(weight, published["WEIGHT"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(w_std, published["W_STD"], rtol=RTOL, atol=ATOL)


def test_unit_cell_area_is_a_setting(response: Reference) -> None:
    """With the raster cell (0.01 km²) as unit cell, areas count cells and the weights are
    those of the cell counts; the 1 km² unit of the reference gives the published ones."""
    layer = response.layer("Dist2Breccia")
    fine = weights_table(layer.values, response.area, response.deposits.cells,
                         layer=layer.name, cell_area_km2=0.01, unit_cell_km2=0.01)
    cells = np.array([np.count_nonzero(layer.values == c) for c in (1, 2)])
    np.testing.assert_allclose(fine.area_units, cells, rtol=1e-12)
    expected = weights_from_counts(cells, fine.deposits, cells.sum(), 258)
    np.testing.assert_allclose(fine.stats.w_plus, expected.w_plus, rtol=1e-12)
    coarse = _table(response, "Dist2Breccia", "categorical")
    assert coarse.stats.w_plus[1] == pytest.approx(0.436128227601915, rel=1e-12)
    assert fine.stats.w_plus[1] != pytest.approx(coarse.stats.w_plus[1], rel=1e-6)


def test_success_and_prediction_rate(response: Reference) -> None:
    """Weights from every other deposit; the map is then tested on the deposits it was
    trained on (success rate) and on the others (prediction rate)."""
    train = response.deposits.subset(slice(0, None, 2))
    held_out = response.deposits.subset(slice(1, None, 2))
    tables = [weights_table(response.layer(n).values, response.area, train.cells, layer=n,
                            cell_area_km2=0.01) for n in RESPONSE_LAYERS]
    result = posterior(tables, [response.layer(n).values for n in RESPONSE_LAYERS],
                       response.area)
    success = rate_curve(result.probability, response.area, train.cells)
    prediction = rate_curve(result.probability, response.area, held_out.cells)
    assert len(train) + len(held_out) == 258
    for curve in (success, prediction):
        assert curve.deposit_fraction[-1] == pytest.approx(1.0)
        assert len(curve.score) == len(np.unique(result.condition))
        assert 0.6 < curve.auc < 0.8
    # the best 20 % of the area holds close to half of the deposits, trained on or not
    assert 0.35 < prediction.captured_at(0.2) < 0.65


@pytest.mark.parametrize("name", RESPONSE_LAYERS)
def test_calculate_response_tables(response: Reference, name: str) -> None:
    published = pd.read_csv(response.folder / f"{name}_CT.csv")
    _assert_same(_table(response, name, "categorical").to_frame(), published)


def test_breccia_5km_published_figures(response: Reference, weights_input: Reference) -> None:
    """W+ 0.4361 (s 0.0701), W- -0.8756 (s 0.1389), C 1.3117, C/s(C) 8.43: from the binary
    map, and from the distance map split at 5,000 m."""
    binary = _table(response, "Dist2Breccia", "categorical")
    distance = weights_input.layer("Dist2Breccia")
    codes, labels = binary_split(distance.values, 5000)
    split = weights_table(codes, weights_input.area, weights_input.deposits.cells,
                          layer="Dist2Breccia", cell_area_km2=distance.grid.cell_area_km2,
                          labels=labels)
    studied, classes = layer_weights(distance.values, weights_input.area,
                                     weights_input.deposits.cells, layer="Dist2Breccia",
                                     cell_area_km2=distance.grid.cell_area_km2, threshold=5000)
    np.testing.assert_array_equal(classes, codes)
    for table in (binary, split, studied):
        inside = int(np.flatnonzero(table.classes == 2)[0])
        s = table.stats
        assert table.deposits[inside] == 206
        assert round(float(s.w_plus[inside]), 4) == 0.4361
        assert round(float(s.s_w_plus[inside]), 4) == 0.0701
        assert round(float(s.w_minus[inside]), 4) == -0.8756
        assert round(float(s.s_w_minus[inside]), 4) == 0.1389
        assert round(float(s.contrast[inside]), 4) == 1.3117
        assert round(float(s.studentized_contrast[inside]), 2) == 8.43
    assert split.label(2) == studied.label(2) == "<=5000"


def test_layer_weights_cumulative(weights_input: Reference) -> None:
    # The published descending table, its classes labelled as cumulative ranges.
    layer = weights_input.layer("FaultDensity")
    table, classes = layer_weights(layer.values, weights_input.area,
                                   weights_input.deposits.cells, layer="FaultDensity",
                                   cell_area_km2=layer.grid.cell_area_km2, kind="descending")
    published = pd.read_csv(weights_input.folder / "FaultDensity_CD.csv")
    _assert_same(table.to_frame(), published)
    assert classes is layer.values
    assert table.threshold_class == 3 and table.label(3) == ">=3"


@pytest.fixture(scope="module")
def four_layer(response: Reference) -> tuple[Reference, object]:
    tables = [_table(response, name, "categorical") for name in RESPONSE_LAYERS]
    return response, posterior(tables, [response.layer(n).values for n in RESPONSE_LAYERS],
                               response.area)


@pytest.mark.parametrize(("band", "published"), [
    ("probability", "PosteriorProbability"),
    ("std", "PosteriorProbability_StdDev"),
    ("confidence", "PosteriorProbability_Conf"),
])
def test_posterior_rasters(four_layer: tuple[Reference, object], band: str,
                           published: str) -> None:
    ref, result = four_layer
    with rasterio.open(ref.folder / f"{published}.tif") as src:
        expected = src.read(1)
    ours = getattr(result, band)
    # published as float32: 6e-8 relative resolution
    np.testing.assert_allclose(ours, expected, rtol=2e-7)
    assert np.isfinite(ours).all()


def test_auc_of_the_four_layer_posterior(four_layer: tuple[Reference, object],
                                         mpm: Path) -> None:
    ref, result = four_layer
    table = pd.read_csv(mpm / "CalculateAUC" / "IOCG_PostProb_AUC.csv")
    published_auc = float(table["AUC"].iloc[0])
    auc = raster_auc(result.probability, ref.area, ref.deposits.cells)
    assert auc == pytest.approx(0.7145, abs=0.001)
    assert auc == pytest.approx(published_auc, abs=1e-12)
    assert int(table["N"].iloc[0]) == len(ref.deposits) + int(ref.area.sum()) - len(
        np.unique(ref.deposits.cells))
    ours = threshold_table(result.probability, ref.area, ref.deposits.cells,
                           table["thresholds.thresholds"].to_numpy())
    np.testing.assert_array_equal(ours["true_positives"], table["thresholds.true.positives"])
    np.testing.assert_array_equal(ours["true_negatives"], table["thresholds.true.negatives"])
    np.testing.assert_allclose(ours["sensitivity"], table["thresholds.sensitivity"],
                               rtol=1e-12)
    np.testing.assert_allclose(ours["specificity"], table["thresholds.specificity"],
                               rtol=1e-12)


def test_auc_of_the_published_posterior_raster(response: Reference, mpm: Path) -> None:
    with rasterio.open(mpm / "CalculateAUC" / "PosteriorProbability.tif") as src:
        published = src.read(1)
    assert raster_auc(published, response.area, response.deposits.cells) == pytest.approx(
        0.714467740807205, abs=1e-12)


def test_conditional_independence(four_layer: tuple[Reference, object]) -> None:
    ref, result = four_layer
    ci = conditional_independence(result, len(ref.deposits), cell_area_km2=0.01)
    # 16 unique conditions; the four maps overlap (breccia, faults and fault density are
    # related), so the model predicts more deposits than there are: T > N.
    assert len(np.unique(result.condition)) == 16
    assert ci.expected > ci.observed == 258
    assert ci.ratio == pytest.approx(258 / ci.expected)
    assert ci.p_value < 0.01


def test_conditional_independence_closed_forms(response: Reference) -> None:
    """One binary layer is conditionally independent of itself: its posterior is d / b in each
    class, so T = N exactly. The same layer twice counts the evidence twice: T > N."""
    table = _table(response, "Dist2Fault", "categorical")
    values = response.layer("Dist2Fault").values
    one = posterior([table], [values], response.area)
    ci = conditional_independence(one, 258, cell_area_km2=0.01)
    assert ci.expected == pytest.approx(258, rel=1e-9)
    assert ci.z == pytest.approx(0.0, abs=1e-8)
    twice = conditional_independence(posterior([table, table], [values, values],
                                                response.area), 258, cell_area_km2=0.01)
    assert twice.ratio < 0.85
