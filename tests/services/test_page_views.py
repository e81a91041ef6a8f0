"""The resource, pit and seismic pages do no numerical work on a repeat view of unchanged
data: their view models are computed once per data version (:mod:`aurum.services.cache`),
and a change of the data (a new statement or event, other economics) computes them again.
The plant pages read records stored when they are written
(tests/services/test_derived_views.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from aurum.seismic.catalog import write_quakeml
from aurum.services import cache, jobs, planning, resources, seismic
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.services.resources import ClassFigures
from aurum.store.db import transaction
from tests.factories import Registry
from tests.services.test_seismic import GRID, synthetic_catalogue


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """No view model of another test's data is kept (autouse: before the registry)."""
    cache.clear()
    yield
    cache.clear()


def counted(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """Replace ``module.name`` by a wrapper that counts its calls; the count list's length
    is the number of calls."""
    calls: list[int] = []
    original: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


# --- resources ---------------------------------------------------------------------------------

MODEL_PARAMETERS = {
    "grid": {"origin": [5.0, 5.0, -15.0], "size": [10.0, 10.0, 10.0], "count": [4, 4, 2]},
    "variogram": {"nugget": 0.1, "structures": [
        {"type": "spherical", "sill": 0.9, "ranges": [40, 40, 20]}]},
    "search": {"radii": [60, 60, 30], "min_samples": 2, "max_samples": 12,
               "max_per_hole": 4},
    "method": "ordinary"}
FIGURES = {c: ClassFigures(1_000.0, 2.0, 0.002) for c in resources.CLASSES}


def _publish_model(platform: Platform, actor: Actor, year: int) -> None:
    """A 4 x 4 x 2 block model of a mine with 32 composites in 8 holes, and its statement."""
    rng = np.random.default_rng(year)
    x, y, z = np.meshgrid(np.arange(5.0, 40, 10), np.arange(5.0, 40, 10), [-15.0, -5.0],
                          indexing="ij")
    blocks = pd.DataFrame({"x": x.ravel(), "y": y.ravel(), "z": z.ravel(),
                           "estimate": rng.uniform(0.5, 3.0, x.size), "tonnes": 2_700.0,
                           "resource_class": np.int8(1)})
    samples = pd.DataFrame({"x": rng.uniform(0, 40, 32), "y": rng.uniform(0, 40, 32),
                            "z": np.tile([-17.5, -12.5, -7.5, -2.5], 8),
                            "value": rng.lognormal(0.5, 0.4, 32),
                            "hole": np.repeat(np.arange(8), 4)})
    home = platform.settings.home
    with transaction(platform.sessions, actor.user_id) as s:
        model = resources.save_model(s, actor, home, "SD-A-01", f"{year} model", blocks,
                                     "ordinary", MODEL_PARAMETERS, "0" * 64, samples)
        resources.publish_statement(s, actor, "SD-A-01", year, FIGURES, 1.0, model.id)


def test_the_resource_page_computes_its_checks_once_per_model(
        platform: Platform, reg: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    home = platform.settings.home
    queue = jobs.JobQueue(platform)  # never used: the checks are stored with the model
    variograms = counted(monkeypatch, resources, "experimental_variogram")
    cross_validations = counted(monkeypatch, resources, "cross_validation")
    declusterings = counted(monkeypatch, resources, "cell_declustering")
    _publish_model(platform, reg.ent_a, 2024)
    # Three axes of experimental variogram, one cross-validation, one declustering: once,
    # when the model is saved; the page's views compute none.
    assert (len(variograms), len(cross_validations), len(declusterings)) == (3, 1, 1)
    with platform.sessions() as s:
        first = resources.site_view(s, reg.ent_a, home, queue, "SD-A-01")
        again = resources.site_view(s, reg.regulator, home, queue, "SD-A-01")
    assert (len(variograms), len(cross_validations), len(declusterings)) == (3, 1, 1)
    assert first.model is not None and again.model is not None
    assert again.model.checks is first.model.checks and first.model.checks is not None
    assert first.model.pending is None
    assert set(first.model.checks.swaths) == {"x", "y", "z"}
    assert first.model.checks.stats["naive_mean"] == pytest.approx(
        first.model.samples["value"].mean())  # type: ignore[index]
    assert first.statements["year"].tolist() == [2024]
    # A new statement on a new model is new data: its checks are computed when it is saved.
    _publish_model(platform, reg.ent_a, 2025)
    assert (len(variograms), len(cross_validations), len(declusterings)) == (6, 2, 2)
    with platform.sessions() as s:
        latest = resources.site_view(s, reg.ent_a, home, queue, "SD-A-01")
    assert (len(variograms), len(cross_validations), len(declusterings)) == (6, 2, 2)
    assert latest.statements["year"].tolist() == [2024, 2025]
    assert latest.model is not None and latest.model.checks is not first.model.checks


def test_the_pit_page_keeps_its_figures_per_model_and_economics(
        platform: Platform, reg: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    home = platform.settings.home
    _publish_model(platform, reg.ent_a, 2024)
    studies = counted(monkeypatch, planning, "pit_study")
    with platform.sessions() as s:
        model_id = planning.study_models(s, reg.ent_a)[0].id
        first = planning.pit_view(s, reg.ent_a, home, model_id, {})
        again = planning.pit_view(s, reg.regulator, home, model_id, {"recovery": None})
        dearer = planning.pit_view(s, reg.ent_a, home, model_id, {"price_cny_per_g": 900.0})
    assert len(studies) == 2 and again.figures is first.figures
    # The form shows the defaults where nothing was given.
    assert first.form == {"price_cny_per_g": 650.0, "recovery": 0.9,
                          "processing_cny_per_t": 120.0, "mining_cny_per_t": 25.0,
                          "slope_deg": 45.0, "min_mining_width_m": 40.0}
    assert dearer.form["price_cny_per_g"] == 900.0
    assert first.figures.final["factor"] == pytest.approx(1.0)
    assert dearer.figures.cutoff_lines["break-even (mill)"] < \
        first.figures.cutoff_lines["break-even (mill)"]


# --- seismic -----------------------------------------------------------------------------------


def _import_events(platform: Platform, actor: Actor, catalogue: pd.DataFrame, path: Path
                   ) -> None:
    write_quakeml(catalogue, path, GRID)
    with transaction(platform.sessions, actor.user_id) as s:
        seismic.configure(s, actor, "SD-A-01", grid=GRID)
        seismic.import_quakeml(s, actor, "SD-A-01", path)


def test_the_seismic_page_computes_its_statistics_once_per_catalogue_version(
        platform: Platform, reg: Registry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
        ) -> None:
    catalogue = synthetic_catalogue(n=120)
    _import_events(platform, reg.ent_a, catalogue.iloc[:100], tmp_path / "first.xml")
    statistics = counted(monkeypatch, seismic, "statistics")
    moving = counted(monkeypatch, seismic.stats, "moving_b_value")
    with platform.sessions() as s:
        first = seismic.site_view(s, reg.ent_a, "SD-A-01")
        again = seismic.site_view(s, reg.regulator, "SD-A-01")
    assert (len(statistics), len(moving)) == (1, 1)
    assert again.catalogue is first.catalogue
    # Two of every 50 events are blasts, left out of the statistics.
    assert (len(first.catalogue.events), first.catalogue.statistics.n_events) == (100, 98)
    # Another magnitude is another view of the same catalogue.
    with platform.sessions() as s:
        assert seismic.site_view(s, reg.ent_a, "SD-A-01", magnitude="ml").catalogue \
            .statistics.magnitude == "ml"
    assert len(statistics) == 2
    # A review changes no count but is a change: the statistics are computed again.
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        event_id = int(first.catalogue.events["id"].iloc[0])
        seismic.review(s, reg.ent_a, "SD-A-01", event_id, "reject")
    with platform.sessions() as s:
        reviewed = seismic.site_view(s, reg.ent_a, "SD-A-01")
    assert len(statistics) == 3
    assert (reviewed.catalogue.n_rejected, reviewed.catalogue.statistics.n_events) == (1, 97)
    # New events: computed again, over 120 events.
    _import_events(platform, reg.ent_a, catalogue, tmp_path / "all.xml")
    with platform.sessions() as s:
        latest = seismic.site_view(s, reg.ent_a, "SD-A-01")
    assert len(statistics) == 4 and len(latest.catalogue.events) == 120
