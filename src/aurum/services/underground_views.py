"""What a deep mine's stope plans show (issue 20): the planning page's view model, the index
of the deep mines and the stope solids as OMF, read from the plans
:mod:`aurum.services.underground` stored; nothing is computed but the drawing's geometry.
"""

from __future__ import annotations

import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum.core import i18n
from aurum.core.errors import Problem, ValidationError
from aurum.services import cache
from aurum.services import resources as resource_service
from aurum.services.auth import Actor
from aurum.services.underground import (
    MAX_PLANS_LISTED,
    MINE_ROLES,
    Economics,
    PlanFrames,
    mine_site,
    plan_frames,
    plans,
    readable_plan,
    stope_boxes,
)
from aurum.store.models import ResourceModel, Site, StopePlan


def stopes_omf(session: Session, actor: Actor, home: Path, site_code: str, plan_id: int
               ) -> bytes:
    """A plan's stope solids as an OMF (Open Mining Format v1) project: one surface of
    closed boxes (a vein shape's slices, each a box), with each face's stope id, period
    mined (−1 when unscheduled) and value (CNY), as mine planning packages read stope
    shapes.

    Raises
    ------
    ValidationError
        When the ``omf`` package is not installed.
    """
    try:
        import omf
    except ImportError as exc:
        raise ValidationError(Problem(i18n._("OMF export needs the omf package: "
                                             "pip install 'aurum[omf]'"))) from exc
    plan = readable_plan(session, actor, plan_id, site_code)
    frames = plan_frames(home, plan)
    # Vein shapes slice by slice (their walls file), boxes as they are.
    solids = stope_solids(plan, frames.schedule, frames.walls)
    vertices, triangles = box_mesh(solids)
    per_face = np.repeat(np.arange(len(solids)), 12)
    period = solids["period"].astype("Float64").fillna(-1.0).to_numpy(float)
    with warnings.catch_warnings(), tempfile.TemporaryDirectory() as folder:
        # omf 1.0's vector types predate numpy 2 (see aurum.resources.blockmodel.write_omf).
        warnings.simplefilter("ignore", DeprecationWarning)
        data = [omf.ScalarData(name=name, location="faces", array=values[per_face])
                for name, values in (("stope", solids["id"].to_numpy(float)),
                                     ("period", period),
                                     ("value_cny", solids["value_cny"].to_numpy(float)))]
        name = i18n._("stopes of plan %(id)s", id=plan_id)
        project = omf.Project(name=name, elements=[omf.SurfaceElement(
            name=name, geometry=omf.SurfaceGeometry(vertices=vertices, triangles=triangles),
            data=data)])
        project.validate()
        path = Path(folder) / "stopes.omf"
        omf.OMFWriter(project, str(path))
        return path.read_bytes()


BOX_FACES = np.array([[0, 2, 1], [0, 3, 2], [4, 5, 6], [4, 6, 7], [0, 1, 5], [0, 5, 4],
                      [1, 2, 6], [1, 6, 5], [2, 3, 7], [2, 7, 6], [3, 0, 4], [3, 4, 7]])
"""The 12 outward triangles of a box whose corners 0–3 are its floor counter-clockwise from
(x_min, y_min) seen from above and 4–7 its roof above them."""


def box_mesh(boxes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The boxes ``x_min`` … ``z_max`` (m) as one triangle mesh: vertices (8 per box, m) and
    triangles (12 per box, vertex indices)."""
    x0, x1, y0, y1, z0, z1 = (boxes[c].to_numpy(float) for c in (
        "x_min", "x_max", "y_min", "y_max", "z_min", "z_max"))
    corners = np.stack([np.stack([x0, y0, z0], 1), np.stack([x1, y0, z0], 1),
                        np.stack([x1, y1, z0], 1), np.stack([x0, y1, z0], 1),
                        np.stack([x0, y0, z1], 1), np.stack([x1, y0, z1], 1),
                        np.stack([x1, y1, z1], 1), np.stack([x0, y1, z1], 1)], axis=1)
    offsets = 8 * np.arange(len(boxes))[:, None, None]
    return corners.reshape(-1, 3), (BOX_FACES[None, :, :] + offsets).reshape(-1, 3)


# --- the pages ----------------------------------------------------------------------------------

STOPE_SHOWN = ["id", "level", "i0", "i1", "j0", "j1", "k0", "k1", "ore_t", "value_cny",
               "void_m3", "month", "fill_month"]
"""The columns of the page's stope table."""
MAX_BLOCKS_DRAWN = 1_500
"""Blocks of positive value drawn under the stopes in 3D, at most (the richest): enough to
show where the value lies around the stopes; the model's outline shows its extent, and the
page stays light enough to draw at once (4,000 blocks made most of a 390 KB page)."""


@dataclass(frozen=True)
class SitePlanView:
    """A deep mine's planning page: its plans, the latest with its files, the block model
    under it, and what the reader may do; nothing computed.

    Attributes
    ----------
    site : Site
    plans : list of StopePlan
        Newest first.
    latest : StopePlan or None
    frames : PlanFrames or None
        The latest plan's stopes, schedule and balance.
    boxes : pandas.DataFrame or None
        The latest plan's stopes with their boxes (m), ore, value, void and months.
    blocks : pandas.DataFrame or None
        The richest blocks of the model planned (x, y, z in m, value CNY), when a stored
        model was planned.
    models : list of (int, str)
        The mine's stored models (id, name), newest first, for the form.
    can_write : bool
        Whether the reader may plan.
    """

    site: Site
    plans: list[StopePlan]
    latest: StopePlan | None
    frames: PlanFrames | None
    boxes: pd.DataFrame | None
    blocks: pd.DataFrame | None
    models: list[tuple[int, str]]
    can_write: bool

    @property
    def months(self) -> list[str]:
        """The latest plan's months (``YYYY-MM``), its first one month 1."""
        if self.frames is None:
            return []
        return [str(m) for m in self.frames.balance["month"]]

    @property
    def stope_rows(self) -> list[dict[str, Any]]:
        """The latest plan's stopes as its table shows them, by month mined."""
        if self.boxes is None:
            return []
        frame = self.boxes.sort_values(["period", "id"], na_position="last")
        shown = frame[STOPE_SHOWN].astype(object).where(frame[STOPE_SHOWN].notna(), None)
        return [{str(k): v for k, v in row.items()} for row in shown.to_dict("records")]

    @property
    def drawn(self) -> pd.DataFrame:
        """The latest plan's solids as the 3D chart draws them: a box stope as its box, a vein
        shape slice by slice (each slice's walls from the plan's walls file), each row with
        its stope's id, level, months, ore and value and its box ``x_min`` … ``z_max`` (m);
        empty without a plan."""
        if self.boxes is None or self.latest is None or self.frames is None:
            return pd.DataFrame()
        return stope_solids(self.latest, self.boxes, self.frames.walls)

    @property
    def model_box(self) -> dict[str, float] | None:
        """The extent of the grid the latest plan was made on, ``x_min`` … ``z_max`` (m,
        outer faces of its outer blocks), or None without a plan."""
        if self.latest is None:
            return None
        grid = self.latest.parameters["grid"]
        out = {}
        for axis, name in enumerate("xyz"):
            origin, size = float(grid["origin"][axis]), float(grid["size"][axis])
            out[f"{name}_min"] = origin - size / 2
            out[f"{name}_max"] = origin + (int(grid["count"][axis]) - 0.5) * size
        return out


def stope_solids(plan: StopePlan, stopes: pd.DataFrame, walls: pd.DataFrame | None
                 ) -> pd.DataFrame:
    """A plan's stopes as solids: ``stopes`` (one row per stope with ``id`` and its indices)
    as they are for boxes, or for vein shapes one row per slice (its stope's row with the
    slice's walls ``j0, j1`` and ``k0 = k1``), each with its box ``x_min`` … ``z_max`` (m)."""
    boxes = ["x_min", "x_max", "y_min", "y_max", "z_min", "z_max"]
    if walls is None or walls.empty:
        return stopes.drop(columns=boxes, errors="ignore").join(stope_boxes(plan, stopes))
    stope = stopes.set_index("id").loc[walls["id"].to_numpy()].reset_index()
    slices = stope.assign(j0=walls["j0"].to_numpy(), j1=walls["j1"].to_numpy(),
                          k0=walls["k"].to_numpy(), k1=walls["k"].to_numpy())
    return slices.drop(columns=boxes, errors="ignore").join(stope_boxes(plan, slices))


def _model_blocks(session: Session, actor: Actor, home: Path, plan: StopePlan
                  ) -> pd.DataFrame | None:
    """The richest blocks of a plan's model with their value as the plan priced them."""
    if plan.model_id is None or "economics" not in plan.parameters:
        return None
    model = resource_service.readable_model(session, actor, plan.model_id)

    def richest() -> pd.DataFrame:
        blocks = resource_service.load_blocks(session, actor, home, model.id)
        economics = Economics(**plan.parameters["economics"])
        # A model without tonnes (the demo's vein planning models): each block its volume at
        # the model's density, as the plan took it (aurum.services.underground._model_grid).
        tonnes = (blocks["tonnes"].to_numpy(float) if "tonnes" in blocks else np.full(
            len(blocks), float(np.prod(model.parameters["grid"]["size"]))
            * float(model.parameters.get("density_t_m3", 2.7))))
        value = economics.values(tonnes, blocks["estimate"].to_numpy(float))
        frame = blocks[["x", "y", "z"]].assign(value_cny=value)
        return frame[frame["value_cny"] > 0].nlargest(MAX_BLOCKS_DRAWN, "value_cny")
    return cache.cached(("stope-plan-blocks", str(home), plan.id, model.file_sha256), richest,
                        language_free=True)


def site_plan_view(session: Session, actor: Actor, home: Path, site_code: str
                   ) -> SitePlanView:
    """The planning page of a deep mine: reads the stored plans and the latest one's files
    (kept once read), computes nothing."""
    site = mine_site(session, actor, site_code)
    rows = plans(session, actor, site_code)
    latest = rows[0] if rows else None
    frames = boxes = blocks = None
    if latest is not None:
        frames = plan_frames(home, latest)
        boxes = pd.concat([frames.schedule, stope_boxes(latest, frames.schedule)], axis=1)
        blocks = _model_blocks(session, actor, home, latest)
    models = [(m.id, m.name) for m in session.scalars(
        select(ResourceModel).where(ResourceModel.site_id == site.id)
        .order_by(ResourceModel.id.desc()).limit(MAX_PLANS_LISTED))]
    return SitePlanView(site, rows, latest, frames, boxes, blocks, models,
                        actor.can_write_site(site))


DEEP_MINE_COLUMNS = ["code", "name", "province", "version", "stopes", "value_cny", "npv_cny",
                     "backfill_t", "created_at"]


def deep_mines_frame(session: Session, actor: Actor) -> pd.DataFrame:
    """The underground mines the reader may read, each with its latest plan's figures (none
    yet: None), by code (:data:`DEEP_MINE_COLUMNS`: value and NPV in CNY, backfill in t).

    Raises
    ------
    PermissionDenied
        A role outside :data:`~aurum.services.underground.MINE_ROLES`.
    """
    actor.require_role(*MINE_ROLES)
    sites = session.scalars(actor.where_visible(select(Site)).where(
        Site.mine_method == "underground").order_by(Site.code))
    latest = {p.site_id: p for p in session.scalars(
        select(StopePlan).where(StopePlan.id.in_(
            select(func.max(StopePlan.id)).group_by(StopePlan.site_id))))}
    rows = []
    for site in sites:
        plan = latest.get(site.id)
        rows.append({"code": site.code, "name": site.name, "province": site.province,
                     "version": plan.version if plan else None,
                     "stopes": plan.stopes if plan else None,
                     "value_cny": plan.value_cny if plan else None,
                     "npv_cny": plan.npv_cny if plan else None,
                     "backfill_t": (plan.summary.get("tailings_to_backfill_t")
                                    if plan else None),
                     "created_at": plan.created_at if plan else None})
    return pd.DataFrame(rows, columns=DEEP_MINE_COLUMNS)


FORM_DEFAULTS = {"price_cny_g": 650, "recovery": 0.92, "mining_cost_cny_t": 260,
                 "processing_cost_cny_t": 120, "strike_axis": "x",
                 "block_i_m": 10, "block_j_m": 10, "block_k_m": 10, "density_t_m3": 2.7,
                 "waste_value_cny": 0, "length_min": 1, "length_max": 3, "width_min": 1,
                 "width_max": 2, "level_height": 3, "pillar": 1, "sill_pillar": 0,
                 "skin_m": 0.5, "shape": "box", "max_wall_step": 1, "periods": 24,
                 "ore_capacity_t": 30000, "fill_capacity_m3": 12000, "cure_periods": 1,
                 "direction": "bottom_up", "discount_rate": 0.08, "level_interval_periods": 3,
                 "recipe": "cemented_paste", "solids_mass_fraction": 0.75,
                 "binder_fraction": 0.06, "bulk_density_t_m3": 2.0}
"""The plan form's first values (a Jiaodong-style deep gold mine, 2026 prices)."""


def form_defaults(view: SitePlanView) -> dict[str, Any]:
    """The plan form's values: the latest plan's fields when there is one (planned again
    with a change), else :data:`FORM_DEFAULTS` on the newest model from next month on."""
    values = dict(FORM_DEFAULTS)
    if view.models:
        values["model_id"] = view.models[0][0]
    values["start_period"] = (pd.Period.now("M") + 1).strftime("%Y-%m")
    plan = view.latest
    if plan is not None and "economics" in plan.parameters:
        p = plan.parameters
        values |= dict(p["economics"]) | {"model_id": plan.model_id,
                                          "strike_axis": p["strike_axis"]}
        values |= dict(p["schedule"])
        values |= {"recipe": p["recipe"]["kind"]} | {
            k: v for k, v in p["recipe"].items() if k != "kind"}
        stope = p["stopes"]
        values |= {"length_min": stope["length"][0], "length_max": stope["length"][1],
                   "width_min": stope["width"][0], "width_max": stope["width"][1],
                   "level_height": stope["level_height"], "pillar": stope["pillar"],
                   "sill_pillar": stope.get("sill_pillar", 0),
                   "skin_m": stope.get("skin_m", 0.0), "shape": stope.get("shape", "box"),
                   "max_wall_step": stope.get("max_wall_step", 1)}
    # A derived figure (the demo's fill capacity is the void its ore leaves) is offered to six
    # significant digits: a form is typed again, not read to the last bit.
    return {k: float(f"{v:.6g}") if isinstance(v, float) else v for k, v in values.items()}
