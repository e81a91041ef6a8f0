"""Compositing and top-cut analysis against hand-computed values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from aurum.resources.composite import composite_by_length, log_probability, top_cut_analysis
from aurum.resources.drillholes import read_drillholes


def intervals(rows: list[tuple[str, float, float, float]], domain: list[str] | None = None
              ) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["hole", "from", "to", "AU"])
    return frame if domain is None else frame.assign(zone=domain)


def table(composites: pd.DataFrame, columns: tuple[str, ...] = ("from", "to", "AU")
          ) -> list[list[float]]:
    return composites[list(columns)].to_numpy(dtype=float).tolist()


UNALIGNED = intervals([("A", 0, 3, 1.0), ("A", 3, 7, 2.0), ("A", 7, 12, 4.0)])


def test_unaligned_boundaries_short_residual_merged() -> None:
    got = composite_by_length(UNALIGNED, 5.0)
    # 0–5: (3·1 + 2·2)/5; the 2 m residual (< 2.5 m) joins the one above: 5–12: (2·2 + 5·4)/7.
    np.testing.assert_allclose(table(got), [[0, 5, 7 / 5], [5, 12, 24 / 7]], rtol=1e-12)
    assert got["length"].tolist() == [5.0, 7.0]
    assert got["AU_sampled"].tolist() == [5.0, 7.0]


def test_unaligned_boundaries_short_residual_dropped() -> None:
    got = composite_by_length(UNALIGNED, 5.0, residual="drop")
    np.testing.assert_allclose(table(got), [[0, 5, 7 / 5], [5, 10, 16 / 5]], rtol=1e-12)


@pytest.mark.parametrize("residual", ["merge", "drop"])
def test_long_residual_kept_either_way(residual: str) -> None:
    frame = intervals([("A", 0, 3, 1.0), ("A", 3, 7, 2.0), ("A", 7, 12.5, 4.0)])
    got = composite_by_length(frame, 5.0, residual=residual)
    # The 2.5 m residual is exactly half the composite length: kept as its own composite.
    np.testing.assert_allclose(table(got), [[0, 5, 7 / 5], [5, 10, 16 / 5], [10, 12.5, 4.0]],
                               rtol=1e-12)


def test_min_residual_is_a_parameter() -> None:
    got = composite_by_length(UNALIGNED, 5.0, min_residual=0.4)   # 2 m ≥ 0.4 × 5 m: kept
    np.testing.assert_allclose(table(got), [[0, 5, 7 / 5], [5, 10, 16 / 5], [10, 12, 4.0]],
                               rtol=1e-12)


def test_gap_ends_a_run() -> None:
    frame = intervals([("A", 0, 4, 1.0), ("A", 6, 10, 3.0), ("B", 0, 4, 5.0)])
    got = composite_by_length(frame, 4.0)
    assert got["hole"].tolist() == ["A", "A", "B"]
    np.testing.assert_allclose(table(got), [[0, 4, 1.0], [6, 10, 3.0], [0, 4, 5.0]])


@pytest.mark.parametrize(("residual", "expected"), [
    ("merge", [[0, 6, 1.0], [6, 10, 2.0], [10, 11, 3.0]]),
    ("drop", [[0, 5, 1.0], [6, 10, 2.0]]),
])
def test_domain_change_ends_a_run(residual: str, expected: list[list[float]]) -> None:
    frame = intervals([("A", 0, 6, 1.0), ("A", 6, 10, 2.0), ("A", 10, 11, 3.0)],
                      domain=["ox", "fr", "tr"])
    got = composite_by_length(frame, 5.0, domain="zone", residual=residual)
    # ox 0–6: 0–5 plus a 1 m residual; fr 6–10: one 4 m run (≥ 2.5 m); tr 10–11: a 1 m run.
    np.testing.assert_allclose(table(got), expected)
    assert got["zone"].tolist() == ["ox", "fr", "tr"][:len(expected)]


def test_missing_grades_weigh_nothing() -> None:
    frame = intervals([("A", 0, 2, np.nan), ("A", 2, 5, 3.0), ("A", 5, 10, np.nan)])
    got = composite_by_length(frame, 5.0)
    np.testing.assert_allclose(table(got, ("from", "to", "AU", "AU_sampled")),
                               [[0, 5, 3.0, 3.0], [5, 10, np.nan, 0.0]])


def test_metal_is_conserved_when_nothing_is_dropped() -> None:
    rng = np.random.default_rng(7)
    rows = []
    for hole in ("C", "A", "B"):
        depth = 0.0
        for _ in range(200):
            depth += rng.choice([0.0, 0.0, 0.0, 3.7])            # occasional gaps
            step = rng.uniform(0.3, 4.0)
            rows.append((hole, depth, depth + step, rng.lognormal(0.0, 1.0)))
            depth += step
    frame = intervals(rows, domain=list(rng.choice(["ox", "fr"], size=len(rows), p=[.2, .8])))
    frame.loc[rng.choice(len(frame), 40, replace=False), "AU"] = np.nan
    shuffled = frame.sample(frac=1.0, random_state=3)
    got = composite_by_length(shuffled, 2.5, domain="zone")
    length = frame["to"] - frame["from"]
    metal = (frame["AU"] * length).sum()
    assert (got["AU"] * got["AU_sampled"]).sum() == pytest.approx(metal, rel=1e-12)
    assert got["AU_sampled"].sum() == pytest.approx(length[frame["AU"].notna()].sum(),
                                                    rel=1e-12)
    assert got["length"].sum() == pytest.approx(length.sum(), rel=1e-12)
    assert got["length"].max() < 2.5 * 1.5 + 1e-9
    assert got["hole"].unique().tolist() == shuffled["hole"].unique().tolist()


def test_bad_parameters() -> None:
    with pytest.raises(ValueError, match="composite length must be > 0"):
        composite_by_length(UNALIGNED, 0.0)
    with pytest.raises(ValueError, match="residual must be 'merge' or 'drop'"):
        composite_by_length(UNALIGNED, 5.0, residual="keep")


def test_top_cut_by_hand() -> None:
    values, weights = [10.0, 1.0, 3.0, 2.0, np.nan], [1.0, 1.0, 2.0, 1.0, 4.0]
    got = top_cut_analysis(values, weights, [5.0, 3.0, 20.0]).set_index("cap")
    # Uncapped: mean 19/5 = 3.8, variance 50.8/5 = 10.16. Capped at 5: mean 14/5 = 2.8,
    # variance 8.8/5 = 1.76, metal removed 5/19.
    row = got.loc[5.0]
    assert row["n_capped"] == 1
    assert row["mean_before"] == pytest.approx(3.8)
    assert row["mean_after"] == pytest.approx(2.8)
    assert row["cv_before"] == pytest.approx(np.sqrt(10.16) / 3.8)
    assert row["cv_after"] == pytest.approx(np.sqrt(1.76) / 2.8)
    assert row["metal_removed_pct"] == pytest.approx(100 * 5 / 19)
    assert got.loc[3.0, "n_capped"] == 1                    # a value equal to the cap stays
    assert got.loc[20.0, "n_capped"] == 0 and got.loc[20.0, "metal_removed_pct"] == 0.0


def test_top_cut_matches_brute_force() -> None:
    rng = np.random.default_rng(11)
    v, w = rng.lognormal(0.0, 1.2, 2000), rng.uniform(0.5, 3.0, 2000)
    caps = np.array([1.0, 3.0, 8.0, 30.0])
    got = top_cut_analysis(v, w, caps)
    for cap, row in zip(caps, got.itertuples(), strict=True):
        c = np.minimum(v, cap)
        mean = np.average(c, weights=w)
        cv = np.sqrt(np.average((c - mean) ** 2, weights=w)) / mean
        assert row.n_capped == (v > cap).sum()
        assert row.mean_after == pytest.approx(mean, rel=1e-12)
        assert row.cv_after == pytest.approx(cv, rel=1e-9)
        assert row.metal_removed_pct == pytest.approx(100 * (1 - (c @ w) / (v @ w)), rel=1e-9)


def test_log_probability_plotting_positions() -> None:
    got = log_probability([4.0, 1.0, np.nan, 3.0, 2.0])
    assert got["value"].tolist() == [1.0, 2.0, 3.0, 4.0]
    np.testing.assert_allclose(got["cumulative"], [0.125, 0.375, 0.625, 0.875])
    np.testing.assert_allclose(got["normal_score"], norm.ppf([0.125, 0.375, 0.625, 0.875]))
    weighted = log_probability([2.0, 1.0], [1.0, 3.0])
    np.testing.assert_allclose(weighted["cumulative"], [1.5 / 4, 3.5 / 4])


def test_babbitt_copper_composites(shared_data: Path) -> None:
    folder = shared_data / "drillholes" / "babbitt"
    db = read_drillholes(folder / "collar_BABBITT.csv", folder / "survey_BABBITT.csv",
                         folder / "assay_BABBITT.csv")
    # Babbitt depths are in feet: 10 ft composites, the most common sample length.
    got = composite_by_length(db.intervals, 10.0, grades=["CU"])
    raw = pd.read_csv(folder / "assay_BABBITT.csv")
    length = raw["TO"] - raw["FROM"]
    assayed = raw["CU"].notna()
    mean = (raw["CU"] * length)[assayed].sum() / length[assayed].sum()
    assert mean == pytest.approx(0.36379, abs=1e-5)
    assert np.average(got["CU"].fillna(0.0), weights=got["CU_sampled"]) == pytest.approx(
        mean, rel=1e-10)
    # Babbitt has no gap, so each hole is one run: floor(span / 10) composites, one more when
    # the residual is at least 5 ft.
    span = raw.groupby("BHID")["TO"].max() - raw.groupby("BHID")["FROM"].min()
    full = np.floor(span / 10.0 + 1e-9)
    expected = np.maximum(full + ((span - 10.0 * full) >= 5.0 - 1e-9), 1).sum()
    assert len(got) == expected == 54_189
    assert got["length"].between(5.0, 15.0).all()
    cut = top_cut_analysis(got["CU"], got["CU_sampled"], [2.0])
    capped = np.minimum(got["CU"], 2.0)
    sampled = got["CU"].notna()
    assert cut.loc[0, "n_capped"] == (got["CU"] > 2.0).sum()
    assert cut.loc[0, "mean_after"] == pytest.approx(
        np.average(capped[sampled], weights=got["CU_sampled"][sampled]), rel=1e-10)
