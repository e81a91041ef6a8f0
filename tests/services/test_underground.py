"""A deep mine's stope plan made, stored and read back on a block model with a known optimum
(one rich box through three levels): the stopes are exactly the box's, their value the closed
form; the schedule respects its fill-cure rule and capacities; the fill balance sends every
tonne of tailings either to the stopes or to the facility; an uploaded BLOCKS.csv, a large
model as a job, the OMF solids; bad input stores nothing; the scope of every read and write."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import omf
import pandas as pd
import pytest
from sqlalchemy import func, select

from aurum.core.errors import NotFoundError, PermissionDenied, ValidationError
from aurum.services import backfill, jobs, processing, resources
from aurum.services import underground as service
from aurum.services import underground_views as views
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import StopePlan
from tests.factories import Registry

SITE = "SD-A-01"
SIZE_M = 10.0
COUNT = (12, 8, 9)
"""Blocks along x (the strike), y and z: three levels of three blocks."""
DENSITY = 2.7
BLOCK_T = SIZE_M**3 * DENSITY
RICH = (slice(2, 7), slice(3, 5))
"""The rich box: x blocks 2–6, y blocks 3–4, every z."""
RICH_GPT, LEAN_GPT = 8.0, 0.2
ECONOMICS = {"price_cny_g": 650.0, "recovery": 0.92, "mining_cost_cny_t": 260.0,
             "processing_cost_cny_t": 120.0}
FIELDS = ECONOMICS | {
    "strike_axis": "x", "length_min": 1, "length_max": 5, "width_min": 1, "width_max": 2,
    "level_height": 3, "pillar": 1, "sill_pillar": 0, "skin_m": 2.0, "exact": True,
    "start_period": "2027-01", "periods": 12, "ore_capacity_t": 200_000.0,
    "fill_capacity_m3": 80_000.0, "cure_periods": 1, "direction": "bottom_up",
    "discount_rate": 0.08, "level_interval_periods": 0, "recipe": "cemented_paste",
    "solids_mass_fraction": 0.75, "binder_fraction": 0.06, "bulk_density_t_m3": 2.0}


def rich_box_model() -> pd.DataFrame:
    """A block model (x, y, z centres in m, estimate g/t, tonnes t) of lean rock around the
    rich box, GSLIB order."""
    nx, ny, nz = COUNT
    k, j, i = np.meshgrid(np.arange(nz), np.arange(ny), np.arange(nx), indexing="ij")
    grade = np.full((nz, ny, nx), LEAN_GPT)
    grade[:, RICH[1], RICH[0]] = RICH_GPT
    return pd.DataFrame({"x": 5.0 + SIZE_M * i.ravel(), "y": 5.0 + SIZE_M * j.ravel(),
                         "z": -995.0 + SIZE_M * k.ravel(), "estimate": grade.ravel(),
                         "tonnes": BLOCK_T})


GRID = {"origin": [5.0, 5.0, -995.0], "size": [SIZE_M] * 3, "count": list(COUNT)}
"""The rich-box model's grid as a stored model's parameters keep it."""


def store_model(platform: Platform, reg: Registry) -> int:
    """The rich-box model stored for the mine, its id."""
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        model = resources.save_model(s, reg.ent_a, platform.settings.home, SITE, "rich box",
                                     rich_box_model(), "ordinary", {"grid": GRID}, "0" * 64)
        return model.id


def make_plan(platform: Platform, reg: Registry, **changes: object) -> StopePlan:
    fields = FIELDS | {"model_id": store_model(platform, reg)} | changes
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        plan = service.plan_from_fields(s, reg.ent_a, platform.settings.home, SITE, fields)
        s.expunge(plan)
        return plan


def rich_block_value() -> float:
    """A rich block's value if mined, CNY: the gold recovered at the price less the mining
    and processing of its tonnes."""
    e = ECONOMICS
    per_t = (RICH_GPT * e["recovery"] * e["price_cny_g"]
             - (e["mining_cost_cny_t"] + e["processing_cost_cny_t"]))
    return BLOCK_T * per_t


def waste_block_value() -> float:
    """A block of waste broken in a skin, CNY: the mining and processing of its tonnes."""
    return -BLOCK_T * (ECONOMICS["mining_cost_cny_t"] + ECONOMICS["processing_cost_cny_t"])


def test_the_plan_takes_the_rich_box_level_by_level(platform: Platform, reg: Registry) -> None:
    plan = make_plan(platform, reg)
    assert plan.version == 1 and plan.method == "exact" and plan.stopes == 3
    # 3 levels × (5 × 2 × 3) rich blocks, nothing else worth mining; a 2 m skin on 10 m
    # blocks is one whole block on each wall: 2 × 5 × 3 blocks of waste a stope.
    expected = 3 * 30 * (rich_block_value() + waste_block_value())
    assert plan.parameters["stopes"]["skin_blocks"] == 1
    assert plan.value_cny == pytest.approx(expected, rel=1e-9)
    assert plan.upper_bound_cny == pytest.approx(plan.value_cny, rel=1e-6)
    frames = service.plan_frames(platform.settings.home, plan)
    stopes = frames.stopes.sort_values("level")
    assert stopes[["i0", "i1", "j0", "j1"]].drop_duplicates().to_numpy().tolist() == [
        [2, 6, 3, 4]]
    assert stopes["k0"].tolist() == [0, 3, 6] and stopes["k1"].tolist() == [2, 5, 8]
    # Each stope's ore and void: 30 blocks and the 30 blocks of its skins.
    schedule = frames.schedule
    assert schedule["ore_t"].to_numpy() == pytest.approx(60 * BLOCK_T)
    assert schedule["void_m3"].to_numpy() == pytest.approx(60 * SIZE_M**3)
    assert frames.walls is None and plan.walls_path is None


def test_vein_shapes_keep_their_walls_per_slice(platform: Platform, reg: Registry) -> None:
    """Vein shapes on the rich box (its walls vertical): the same three stopes and value as
    the boxes, each slice's walls stored as the plan's fourth file under its hash, and the
    page's 3D solids drawn slice by slice (three slices a stope)."""
    plan = make_plan(platform, reg, shape="vein", max_wall_step=1)
    assert plan.stopes == 3 and plan.method == "exact"
    assert plan.value_cny == pytest.approx(3 * 30 * (rich_block_value() + waste_block_value()),
                                           rel=1e-9)
    assert plan.parameters["stopes"]["shape"] == "vein"
    home = platform.settings.home
    frames = service.plan_frames(home, plan)
    assert frames.walls is not None and len(frames.walls) == 9
    assert set(zip(frames.walls["j0"], frames.walls["j1"], strict=True)) == {(3, 4)}
    assert plan.walls_path is not None
    assert service.file_sha256(home / plan.walls_path) == plan.walls_sha256
    assert frames.schedule["ore_t"].to_numpy() == pytest.approx(60 * BLOCK_T)
    with platform.sessions() as s:
        view = views.site_plan_view(s, reg.ent_a, home, SITE)
        drawn = view.drawn
    assert len(drawn) == 9
    # Slice k of stope [2, 6] × [3, 4]: x 20–70 m, y 30–50 m, z 10 m from -1000 m.
    first = drawn.sort_values(["id", "k0"]).iloc[0]
    assert (first["x_min"], first["x_max"], first["y_min"], first["y_max"]) == (
        20.0, 70.0, 30.0, 50.0)
    assert first["z_max"] - first["z_min"] == pytest.approx(SIZE_M)


def test_a_skin_in_metres_is_whole_blocks(platform: Platform, reg: Registry) -> None:
    """0 m is no skin; 0.5, 2.5 and 10 m on 10 m blocks one block; 10.5 m two."""
    grid = service.PlanGrid(np.zeros((1, 1, 1)), np.zeros((1, 1, 1)),
                            service.BlockGrid((5.0, 5.0, 5.0), (10.0, 10.0, 10.0), (1, 1, 1)),
                            "x", BLOCK_T, waste_block_value())
    assert [grid.skin_blocks(m) for m in (0.0, 0.5, 2.5, 10.0, 10.5)] == [0, 1, 1, 1, 2]


def test_the_schedule_respects_the_fill_cycle_and_capacities(platform: Platform,
                                                             reg: Registry) -> None:
    plan = make_plan(platform, reg)
    frames = service.plan_frames(platform.settings.home, plan)
    timeline = frames.schedule.sort_values("level")
    periods = timeline["period"].astype(int).tolist()
    # Bottom up: a stope above waits until the one below was mined, filled and cured
    # (1 month mined, 1 filled, 1 curing: 3 months apart at least).
    assert all(b - a >= 2 + FIELDS["cure_periods"] for a, b in pairwise(periods))
    assert (timeline["fill_period"] == timeline["period"] + 1).all()
    assert timeline["month"].iloc[0] == f"2027-{periods[0]:02d}"
    mined = timeline.groupby("period")["ore_t"].sum()
    assert (mined <= FIELDS["ore_capacity_t"] + 1e-6).all()
    balance = frames.balance
    assert len(balance) == FIELDS["periods"] and balance["month"].iloc[0] == "2027-01"
    assert (balance["fill_m3"] <= FIELDS["fill_capacity_m3"] + 1e-6).all()
    # The tailings of each month are the ore milled, and all go somewhere.
    produced = np.zeros(FIELDS["periods"])
    np.add.at(produced, timeline["period"].to_numpy(int) - 1, timeline["ore_t"].to_numpy())
    assert balance["tailings_produced_t"].to_numpy() == pytest.approx(produced)
    assert (balance["tailings_to_backfill_t"] + balance["tailings_to_facility_t"]).to_numpy(
    ) == pytest.approx(produced)
    filled = timeline[timeline["fill_period"] <= FIELDS["periods"]]["void_m3"].sum()
    assert balance["fill_m3"].sum() == pytest.approx(filled)
    # The NPV discounts each stope's value to the month it is mined (8 per cent a year).
    value = timeline["value_cny"].to_numpy()
    assert plan.npv_cny <= value.sum() and plan.npv_cny >= value.sum() * 1.08 ** -1.0


def test_plans_are_versions_and_read_back(platform: Platform, reg: Registry) -> None:
    first = make_plan(platform, reg)
    second = make_plan(platform, reg, direction="top_down", exact=False)
    assert (first.version, second.version) == (1, 2)
    home = platform.settings.home
    with platform.sessions() as s:
        assert [p.version for p in service.plans(s, reg.auditor, SITE)] == [2, 1]
        table = service.stope_table(s, reg.regulator_sd, home, SITE, first.id)
        assert list(table.columns) == service.STOPE_COLUMNS and len(table) == 3
        # Boxes in m: x blocks 2–6 of 10 m from 0 m, z levels from −1000 m.
        assert table["x_min"].unique().tolist() == [20.0]
        assert table["x_max"].unique().tolist() == [70.0]
        assert sorted(table["z_min"].tolist()) == [-1000.0, -970.0, -940.0]
        view = views.site_plan_view(s, reg.ent_a, home, SITE)
        assert view.latest is not None and view.latest.version == 2 and view.can_write
        assert view.blocks is not None and len(view.blocks) == 5 * 2 * 9
        assert len(view.months) == 12 and len(view.stope_rows) == 3
        assert views.form_defaults(view)["direction"] == "top_down"
        mines = views.deep_mines_frame(s, reg.regulator)
        assert mines.set_index("code").loc[SITE, "version"] == 2
        detail = service.plan_detail(s, reg.ent_a, home, SITE, first.id)
        assert len(detail["schedule"]) == 3 and len(detail["balance"]) == 12


def test_stope_solids_read_back_from_omf(platform: Platform, reg: Registry,
                                       tmp_path: Path) -> None:
    plan = make_plan(platform, reg)
    with platform.sessions() as s:
        data = views.stopes_omf(s, reg.ent_a, platform.settings.home, SITE, plan.id)
    path = tmp_path / "stopes.omf"
    path.write_bytes(data)
    project = omf.OMFReader(str(path)).get_project()
    surface = project.elements[0]
    assert len(surface.geometry.vertices) == 8 * 3
    assert len(surface.geometry.triangles) == 12 * 3
    values = {d.name: np.asarray(d.array) for d in surface.data}
    assert sorted(set(values["stope"].tolist())) == [1.0, 2.0, 3.0]
    # The box of x 20–70 m, y 30–50 m: its vertices span it.
    vertices = np.asarray(surface.geometry.vertices)
    assert vertices[:, 0].min() == 20.0 and vertices[:, 0].max() == 70.0
    assert vertices[:, 1].min() == 30.0 and vertices[:, 1].max() == 50.0
    # Vein shapes: each stope's three slices a closed box, their faces named by the stope.
    vein = make_plan(platform, reg, shape="vein", max_wall_step=1)
    with platform.sessions() as s:
        data = views.stopes_omf(s, reg.ent_a, platform.settings.home, SITE, vein.id)
    path.write_bytes(data)
    surface = omf.OMFReader(str(path)).get_project().elements[0]
    assert len(surface.geometry.triangles) == 12 * 9
    stope = np.asarray(next(d.array for d in surface.data if d.name == "stope"))
    assert np.bincount(stope.astype(int)).tolist() == [0, 36, 36, 36]


def _blocks_csv(values: np.ndarray, drop: int | None = None) -> bytes:
    i, j, k = np.meshgrid(*(np.arange(n) for n in values.shape), indexing="ij")
    frame = pd.DataFrame({"i": i.ravel(), "j": j.ravel(), "k": k.ravel(),
                          "value": values.ravel()})
    if drop is not None:
        frame = frame.drop(index=drop)
    return frame.to_csv(index=False).encode()


def test_an_uploaded_blocks_file(platform: Platform, reg: Registry) -> None:
    values = np.full((6, 4, 3), -100.0)
    values[1:4, 1:3, :] = 1000.0
    fields = {k: v for k, v in FIELDS.items() if k not in ECONOMICS} | {
        "block_i_m": 5.0, "block_j_m": 5.0, "block_k_m": 5.0, "density_t_m3": 2.5,
        "length_max": 3}
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        plan = service.plan_from_fields(s, reg.ent_a, platform.settings.home, SITE, fields,
                                        ("BLOCKS.csv", _blocks_csv(values)))
        assert plan.model_id is None and plan.stopes == 1
        assert plan.value_cny == pytest.approx(3 * 2 * 3 * 1000.0)
        assert plan.parameters["source"] == "upload"
    # A missing block: one message naming the file and what is missing; nothing stored.
    with pytest.raises(ValidationError) as refused, transaction(
            platform.sessions, reg.ent_a.user_id) as s:
        service.plan_from_fields(s, reg.ent_a, platform.settings.home, SITE, fields,
                                 ("BLOCKS.csv", _blocks_csv(values, drop=5)))
    assert all(p.source == "BLOCKS.csv" for p in refused.value.problems)
    with platform.sessions() as s:
        assert s.scalar(select(func.count()).select_from(StopePlan)) == 1


def test_bad_parameters_are_named_and_nothing_is_stored(platform: Platform,
                                                        reg: Registry) -> None:
    model_id = store_model(platform, reg)
    bad = FIELDS | {"model_id": model_id, "length_min": 4, "length_max": 2,
                    "cure_periods": -1, "start_period": "2027-13", "binder_fraction": 0.5}
    with pytest.raises(ValidationError) as refused, transaction(
            platform.sessions, reg.ent_a.user_id) as s:
        service.plan_from_fields(s, reg.ent_a, platform.settings.home, SITE, bad)
    named = {p.column for p in refused.value.problems}
    assert {"length", "cure_periods", "start_period", "binder_fraction"} <= named
    with platform.sessions() as s:
        assert s.scalar(select(func.count()).select_from(StopePlan)) == 0


def test_scope_of_plans(platform: Platform, reg: Registry) -> None:
    plan = make_plan(platform, reg)
    home = platform.settings.home
    fields = FIELDS | {"model_id": plan.model_id}
    with platform.sessions() as s:
        with pytest.raises(NotFoundError):
            service.plans(s, reg.ent_b, SITE)
        with pytest.raises(NotFoundError):
            service.readable_plan(s, reg.ent_b, plan.id)
        with pytest.raises(NotFoundError):  # a plan read through another site
            service.stope_table(s, reg.admin, home, "GS-B-01", plan.id)
        with pytest.raises(NotFoundError):
            views.site_plan_view(s, reg.ent_b, home, SITE)
        assert SITE not in set(views.deep_mines_frame(s, reg.ent_b)["code"])
    for actor, error in ((reg.ent_b, NotFoundError), (reg.auditor, PermissionDenied),
                         (reg.regulator, PermissionDenied)):
        with pytest.raises(error), transaction(platform.sessions, actor.user_id) as s:
            service.plan_from_fields(s, actor, home, SITE, fields)


def test_a_large_model_is_planned_by_a_job(platform: Platform, reg: Registry,
                                           queue: jobs.JobQueue,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "INLINE_PLAN_BLOCKS", 100)  # the test model is "large"
    fields = FIELDS | {"model_id": store_model(platform, reg)}
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        job = service.plan_or_submit(s, reg.ent_a, platform.settings.home, queue, SITE, fields)
    assert isinstance(job, jobs.JobView) and job.kind == "stope_plan"
    with queue.running():
        done = jobs.wait(platform.sessions, job.id, timeout_s=120)
    assert done.state == "done", done.message
    assert done.result is not None and done.result["url"] == f"/underground/{SITE}"
    with platform.sessions() as s:
        assert [p.stopes for p in service.plans(s, reg.ent_a, SITE)] == [3]
    # Another enterprise may not queue a plan of the mine.
    with pytest.raises(NotFoundError), transaction(platform.sessions, reg.ent_b.user_id) as s:
        jobs.submit(s, reg.ent_b, queue, "stope_plan", fields | {"site": SITE})


def test_economics_of_a_block() -> None:
    e = service.Economics(**ECONOMICS)
    values = e.values(np.array([BLOCK_T, BLOCK_T]), np.array([RICH_GPT, np.nan]))
    assert values[0] == pytest.approx(rich_block_value())
    # An unestimated block is rock at no grade: its cost only.
    assert values[1] == pytest.approx(-BLOCK_T * 380.0)
    # A block of waste in a skin: the same cost, as the skins price it.
    assert e.waste_value(BLOCK_T) == pytest.approx(-BLOCK_T * 380.0)


def test_the_plans_backfill_is_booked_into_the_waste_ledger(platform: Platform,
                                                            reg: Registry) -> None:
    plan = make_plan(platform, reg)
    balance = service.plan_frames(platform.settings.home, plan).balance
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        backfill.book_backfill(s, reg.ent_a, SITE, balance, "the stope plan's backfill")
    with platform.sessions() as s:
        ledger = processing.waste_ledger(s, reg.ent_a, [SITE]).set_index("period")
    booked = balance[balance["tailings_to_backfill_t"] > 0].set_index("month")
    # Each month's tailings to the stopes are the ledger's backfill, the rest disposed of.
    assert ledger.loc[booked.index, "utilised_backfill_t"].to_numpy() == pytest.approx(
        booked["tailings_to_backfill_t"].to_numpy())
    assert ledger.loc[booked.index, "generated_t"].to_numpy() == pytest.approx(
        booked["tailings_produced_t"].to_numpy())
    assert ledger["utilised_backfill_t"].sum() == pytest.approx(
        plan.summary["tailings_to_backfill_t"])


def test_the_form_offers_a_derived_figure_to_six_significant_digits() -> None:
    from types import SimpleNamespace

    from aurum.services.underground_views import form_defaults
    plan = SimpleNamespace(model_id=7, parameters={
        "economics": {"price_cny_g": 650.0}, "strike_axis": "x",
        "schedule": {"fill_capacity_m3": 110888.88888888888, "periods": 15},
        "recipe": {"kind": "cemented_paste", "binder_fraction": 0.06},
        "stopes": {"length": [2, 10], "width": [1, 4], "level_height": 10, "pillar": 1}})
    values = form_defaults(SimpleNamespace(models=[(7, "vein")], latest=plan))  # type: ignore[arg-type]
    assert values["fill_capacity_m3"] == 110889.0 and values["periods"] == 15
    assert values["binder_fraction"] == 0.06 and values["model_id"] == 7


def test_the_demo_plans_fill_months_are_its_balances(platform: Platform, reg: Registry) -> None:
    """The demo's plan (its vein model and fields): the stopes the table fills in a month are
    the fill the balance places that month, and the fill-balance chart draws that fill's
    tailings in that month (to backfill, and beyond the month's own tailings when the plant
    produced too few), so the table and the chart name the same months."""
    from aurum.api.charts.underground import fill_balance_chart
    from aurum.demo.seed import underground as demo
    from aurum.demo.seed.resources import mine_seed
    from aurum.underground.backfill import FillRecipe

    blocks, parameters = demo.vein_blocks(mine_seed(0), 1200.0)
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        model = resources.save_model(s, reg.ent_a, platform.settings.home, SITE, "vein",
                                     blocks, "vein_model", parameters, "0" * 64)
        fields = demo.PLAN_FIELDS | {"model_id": model.id, "max_wall_step": 2,
                                     "ore_capacity_t": 150_000.0, "fill_capacity_m3": 60_000.0}
        plan = service.plan_from_fields(s, reg.ent_a, platform.settings.home, SITE, fields,
                                        time_limit_s=demo.SCHEDULE_SECONDS)
        frames = service.plan_frames(platform.settings.home, plan)
    recipe = FillRecipe("cemented_paste", 0.75, 0.06, 2.0)
    stopes, balance = frames.schedule, frames.balance.set_index("month")
    filled = stopes.dropna(subset=["fill_month"]).groupby("fill_month")["void_m3"].sum()
    assert len(filled) >= 2
    # Every fill month of the table is the balance's, with the same void, and no other.
    placed = balance["fill_m3"][balance["fill_m3"] > 0]
    assert list(placed.index) == list(filled.index)
    assert placed.to_numpy() == pytest.approx(filled.to_numpy())
    # A stope is filled the month after it is mined, before its fill cures.
    mined = stopes.dropna(subset=["period"])
    assert (mined["fill_period"] == mined["period"] + 1).all()
    assert (mined["cure_end_period"] > mined["fill_period"]).all()
    figure = fill_balance_chart(balance.reset_index().to_dict("records"), "fill")
    bars = {t["name"]: dict(zip(t["x"], t["y"], strict=True))
            for t in figure["data"] if t["type"] == "bar"}
    to_backfill, beyond = (bars["tailings to backfill (t)"],
                           bars["fill's tailings beyond the month's production (t)"])
    assert any(beyond.values())  # a fill month without tailings of its own (the walk's case)
    drawn = {m: to_backfill[m] + beyond[m] for m in to_backfill if to_backfill[m] + beyond[m]}
    assert list(drawn) == list(filled.index)
    assert list(drawn.values()) == pytest.approx(
        list(filled.to_numpy() * recipe.tailings_t_m3), abs=1.0)
