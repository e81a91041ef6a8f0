"""Synthetic drillholes through a Jiaodong-style fault-hosted gold vein, for the demo mines'
geological-block estimates (GB/T 17766-2020 categories, DZ/T 0205-2020 industrial indicators).

The analogy is the way the geological literature of north-west Jiaodong (Shandong) describes
the Jiaojia and Sanshandao deposits: gold in pyrite-sericite-quartz altered cataclasite
(破碎带蚀变岩型) along a gently dipping, NE-striking regional fault; the orebody is tabular,
strikes about 30–60° and dips 35–50° to the south-east, a few metres thick, with gold in ore
shoots that rake within the plane, barren lenses inside the altered zone, a weakly mineralised
sericite-altered halo on either side and the odd narrow quartz-sulphide veinlet in the walls.
Every number below is a plausible choice for such a vein, not a figure of either mine.

The vein (:class:`Vein`) is a centre surface (a plane of the seed's attitude, undulating by a
few metres) with a smoothly varying true thickness of 1–8 m. Grades in the vein are the ore
shoot's mean (high in the shoot, falling to a low-grade fringe at its margins) times lognormal
noise per sample; inside a barren lens, in the halo (1.5 m each side) and in the wall rock they
are low. It is drilled on exploration lines (勘探线) perpendicular to the strike, 50–70 m apart,
each line piercing the vein every 50–70 m down dip, with a core infilled at half those spacings
(the indicated and measured grids of DZ/T 0205-2020's exploration type II): the up-dip pierce
points by inclined holes from surface (``ZK`` line number, hole number; infill lines odd), the
deep ones by fans from footwall drill stations on the mine's 40 m levels (``KZK``). Holes
deviate a little (surveyed every 50 m from surface, 30 m underground, down to above the vein),
and are assayed in 1 m intervals through the vein and 3–6 m each side, a veinlet sampled on its
own, with a few unsampled (lost or unsplit) core runs.

Coordinates are a local mine grid: x east, y north, z elevation (surface about +40 m), m;
dips positive downward, as :func:`aurum.resources.drillholes.read_drillholes` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aurum.resources.desurvey import Trajectories, desurvey
from aurum.resources.orebody import orebody_normal

STRIKE_RANGE_DEG = (30.0, 60.0)
"""Strikes the demo veins take, degrees clockwise from north (right-hand rule)."""
DIP_RANGE_DEG = (35.0, 50.0)
"""Dips the demo veins take, degrees below the horizontal, towards strike + 90°."""
THICKNESS_RANGE_M = (1.0, 8.0)
"""Least and greatest true thickness of a vein, m."""
DENSITY_T_M3 = 2.7
"""Dry bulk density of the ore, t/m³ (altered granite cataclasite)."""
SURFACE_Z = 40.0
"""Mean elevation of the surface collars, m."""
LEVEL_M = 40.0
"""Vertical interval of the mine's levels, where the underground drill stations stand, m."""
SURFACE_DEPTH_M = 260.0
"""Pierce points deeper than this below the surface are drilled from underground, m."""
HALO_M = 1.5
"""Width of the sericite-altered halo on each side of the vein, m (true thickness)."""
SAMPLE_M = 1.0
"""Length of the routine assay intervals, m."""
GRADE_SIGMA = 0.8
"""Standard deviation of the log of a sample's grade about the local mean (gold's nugget)."""
_STEP_M = 0.05
"""Spacing of the points along a hole at which grades are averaged into a sample, m."""
_ZONE = {"vein": 0, "lens": 1, "halo": 2, "wall": 3, "veinlet": 4}
_MEAN_GPT = np.array([np.nan, 0.15, 0.3, 0.02, 15.0])
"""Mean grade of each zone but the vein (whose mean follows the ore shoot), g/t."""


@dataclass(frozen=True)
class Vein:
    """A tabular vein in a local grid.

    Positions in the vein's frame: ``p`` along the strike, ``q`` down the dip (both in the
    plane of the attitude, from :attr:`origin`), ``w`` along the upward normal (towards the
    hanging wall), m.

    Attributes
    ----------
    origin : numpy.ndarray
        ``(3,)`` x, y, z of the frame's origin, m: the up-dip south-western corner of the
        drilled part.
    strike_deg, dip_deg : float
        Attitude of the mean plane, degrees (right-hand rule).
    length_m, depth_m : float
        Extent of the drilled part along the strike and down the dip, m.
    thickness_waves, centre_waves : numpy.ndarray
        ``(k, 4)`` amplitude (1, m), wavenumbers along p and q (rad/m) and phase (rad) of the
        cosines that make the thickness and the centre surface's offset from the plane.
    shoot : numpy.ndarray
        Ore shoot: centre p, q (m), half-widths along and across its rake (m), rake from the
        strike (rad), peak mean grade and fringe mean grade (g/t).
    lenses : numpy.ndarray
        ``(m, 6)`` barren lenses: centre p, q (m), radii along p and q (m), thickness (m) and
        position across the vein (−1 hanging-wall side to 1 footwall side).
    """

    origin: np.ndarray
    strike_deg: float
    dip_deg: float
    length_m: float
    depth_m: float
    thickness_waves: np.ndarray
    centre_waves: np.ndarray
    shoot: np.ndarray
    lenses: np.ndarray

    def frame(self) -> np.ndarray:
        """``(3, 3)`` unit vectors along the strike, down the dip and along the upward normal
        (rows), x east, y north, z up."""
        s, d = np.radians(self.strike_deg), np.radians(self.dip_deg)
        along = np.array([np.sin(s), np.cos(s), 0.0])
        down = np.array([np.cos(d) * np.cos(s), -np.cos(d) * np.sin(s), -np.sin(d)])
        return np.vstack([along, down, orebody_normal(self.strike_deg, self.dip_deg)])

    def coordinates(self, xyz: np.ndarray) -> np.ndarray:
        """``(n, 3)`` p, q, w (m) of points ``xyz`` (``(n, 3)``, m)."""
        return (np.asarray(xyz, float) - self.origin) @ self.frame().T

    def position(self, p: np.ndarray, q: np.ndarray, w: np.ndarray | float = 0.0) -> np.ndarray:
        """``(n, 3)`` x, y, z (m) of vein-frame positions p, q, w (m)."""
        pqw = np.column_stack(np.broadcast_arrays(np.asarray(p, float), np.asarray(q, float),
                                                  np.asarray(w, float)))
        return self.origin + pqw @ self.frame()

    def thickness_m(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """True thickness at vein-frame positions p, q (m), m; within
        :data:`THICKNESS_RANGE_M`."""
        low, high = THICKNESS_RANGE_M
        return 0.5 * (low + high) + 0.5 * (high - low) * _waves(self.thickness_waves, p, q)

    def centre_m(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Offset w of the vein's centre surface from the mean plane at p, q (m), m."""
        return _waves(self.centre_waves, p, q)

    def mean_grade_gpt(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Mean gold grade of the vein at p, q (m), g/t: the ore shoot's trend."""
        pc, qc, half_along, half_across, rake, peak, fringe = self.shoot
        dp, dq = np.asarray(p, float) - pc, np.asarray(q, float) - qc
        r_along = (dp * np.cos(rake) + dq * np.sin(rake)) / half_along
        r_across = (-dp * np.sin(rake) + dq * np.cos(rake)) / half_across
        return fringe + (peak - fringe) * np.exp(-0.5 * (r_along ** 2 + r_across ** 2))

    def lens_m(self, p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Barren lens at p, q (m): its thickness (m, 0 outside every lens) and the offset of
        its middle from the vein's centre surface along w (m)."""
        p, q = np.asarray(p, float), np.asarray(q, float)
        thick, offset = np.zeros(p.shape), np.zeros(p.shape)
        room = self.thickness_m(p, q) - 1.5
        for pc, qc, rp, rq, t, where in self.lenses:
            inside = ((p - pc) / rp) ** 2 + ((q - qc) / rq) ** 2 <= 1.0
            t_here = np.clip(np.minimum(t, room), 0.0, None)
            thick = np.where(inside, t_here, thick)
            offset = np.where(inside, -where * 0.5 * (room - t_here), offset)
        return thick, offset


def _waves(waves: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Sum of cosines ``a · cos(kp·p + kq·q + φ)``: within ±Σa."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    total = np.zeros(np.broadcast(p, q).shape)
    for a, kp, kq, phase in waves:
        total = total + a * np.cos(kp * p + kq * q + phase)
    return total


def _wave_set(rng: np.random.Generator, n: int, amplitude: float,
              wavelengths_m: tuple[float, float]) -> np.ndarray:
    """``n`` cosines of random directions and wavelengths whose amplitudes sum to
    ``amplitude``."""
    a = rng.uniform(0.5, 1.0, n)
    a *= amplitude / a.sum()
    k = 2 * np.pi / rng.uniform(*wavelengths_m, n)
    theta = rng.uniform(0, np.pi, n)
    return np.column_stack([a, k * np.cos(theta), k * np.sin(theta), rng.uniform(0, 2 * np.pi, n)])


@dataclass(frozen=True)
class _Layout:
    """The drilling of a vein: ``lines`` exploration lines ``line_m`` apart along the strike,
    each piercing the vein every ``step_m`` down the dip (``per_line`` times), and a core
    infilled at half those spacings where the ore shoot is."""

    line_m: float
    step_m: float
    lines: int
    per_line: int

    def lattice(self, shoot_p: float, shoot_q: float) -> np.ndarray:
        """``(n, 2)`` indices (k, m) of the pierce points on the half-spacing lattice, at
        p = k · line_m / 2 and q = m · step_m / 2, line by line: the grid (k and m even), less
        the deepest point of each outer line, and the infilled core, 2 × 2 of the grid's
        cells around the shoot's centre (p, q in m)."""
        core_line = int(np.clip(np.round(shoot_p / self.line_m) - 1, 1, self.lines - 2))
        core_row = int(np.clip(np.round(shoot_q / self.step_m) - 1, 1, self.per_line - 2))
        k_grid, m_grid = np.meshgrid(np.arange(2, 2 * self.lines + 1),
                                     np.arange(2, 2 * self.per_line + 1), indexing="ij")
        k, m = k_grid.ravel(), m_grid.ravel()
        grid = (k % 2 == 0) & (m % 2 == 0)
        # Outer lines are shorter: the drilling follows the ore shoot.
        grid &= ~(np.isin(k, (2, 2 * self.lines)) & (m == 2 * self.per_line))
        core = ((k >= 2 * core_line) & (k <= 2 * core_line + 4)
                & (m >= 2 * core_row) & (m <= 2 * core_row + 4))
        return np.column_stack([k, m])[grid | core]


def _layout(seed: int) -> _Layout:
    """The drilling of a seed's vein: 5–7 lines 50–70 m apart of 5–6 pierce points 50–70 m
    apart (indicated spacing, DZ/T 0205-2020 exploration type II, with room for the holes'
    deviation), and the core at 25–35 m (measured): 39–57 holes."""
    rng = np.random.default_rng([seed, 18])
    return _Layout(float(rng.choice([50.0, 60.0, 70.0])), float(rng.choice([50.0, 60.0, 70.0])),
                   int(rng.integers(5, 8)), int(rng.integers(5, 7)))


def vein_model(seed: int) -> Vein:
    """The vein of a seed (the same seed gives the same vein).

    Parameters
    ----------
    seed : int
        Seed of the generator (≥ 0).

    Returns
    -------
    Vein
        Its attitude within :data:`STRIKE_RANGE_DEG` and :data:`DIP_RANGE_DEG`; the drilled
        part as :func:`vein_drillholes` drills it.
    """
    rng = np.random.default_rng([seed, 19])
    strike = round(float(rng.uniform(*STRIKE_RANGE_DEG)), 1)
    dip = round(float(rng.uniform(*DIP_RANGE_DEG)), 1)
    layout = _layout(seed)
    length = (layout.lines + 1) * layout.line_m
    depth = (layout.per_line + 1) * layout.step_m
    # Thickness waves are normalised to ±1 (the range is applied in thickness_m); centre
    # waves are metres of offset.
    thickness = _wave_set(rng, 3, 1.0, (250.0, 600.0))
    centre = _wave_set(rng, 2, float(rng.uniform(1.5, 3.0)), (150.0, 400.0))
    shoot = np.array([rng.uniform(0.35, 0.65) * length, rng.uniform(0.35, 0.65) * depth,
                      rng.uniform(0.45, 0.6) * max(length, depth),
                      rng.uniform(0.25, 0.35) * max(length, depth),
                      np.radians(rng.uniform(30.0, 60.0)), rng.uniform(4.0, 6.5),
                      rng.uniform(1.0, 1.6)])
    n_lenses = int(rng.integers(2, 5))
    lenses = np.column_stack([rng.uniform(0.1, 0.9, n_lenses) * length,
                              rng.uniform(0.1, 0.9, n_lenses) * depth,
                              rng.uniform(40.0, 90.0, n_lenses), rng.uniform(30.0, 70.0, n_lenses),
                              rng.uniform(0.8, 3.5, n_lenses), rng.uniform(-1.0, 1.0, n_lenses)])
    origin = np.array([500.0, 800.0, SURFACE_Z - 80.0])
    return Vein(origin, strike, dip, length, depth, thickness, centre, shoot, lenses)


def vein_attitude(seed: int) -> tuple[float, float]:
    """Strike and dip of a seed's vein, degrees (right-hand rule), as a geologist would state
    them for its geological blocks.

    Parameters
    ----------
    seed : int
        Seed of the generator (≥ 0).
    """
    vein = vein_model(seed)
    return vein.strike_deg, vein.dip_deg


@dataclass(frozen=True)
class _Plan:
    """Planned holes: name, collar (m), azimuth and dip (degrees), depth of the planned
    pierce point (m), survey interval (m)."""

    names: list[str]
    collars: np.ndarray
    azimuth: np.ndarray
    dip: np.ndarray
    pierce_m: np.ndarray
    survey_m: np.ndarray


def _plan(vein: Vein, layout: _Layout, rng: np.random.Generator) -> _Plan:
    """Surface holes to the up-dip half of the pierce points (to :data:`SURFACE_DEPTH_M` at
    most), footwall fans of up to three holes to the others, line by line; line numbers are
    the half-spacing lattice's (main lines even, infill lines odd)."""
    names: list[str] = []
    collars, targets = [], []
    frame = vein.frame()
    lattice = layout.lattice(*vein.shoot[:2])
    half_depth = (layout.per_line + 1) // 2 * layout.step_m
    for line in np.unique(lattice[:, 0]):
        q = lattice[lattice[:, 0] == line, 1] * layout.step_m / 2
        target = vein.position(np.full(q.size, line * layout.line_m / 2), q)
        # Surface holes first, as a mine drills before it has developed its levels.
        shallow = (q <= half_depth) & (target[:, 2] > SURFACE_Z - SURFACE_DEPTH_M)
        for hole_no, t in enumerate(target[shallow], start=1):
            dip = np.radians(rng.uniform(60.0, 80.0))
            azimuth = np.radians(vein.strike_deg + 270.0 + rng.uniform(-3.0, 3.0))
            surface = SURFACE_Z + rng.uniform(-8.0, 8.0)
            along = (surface - t[2]) / np.sin(dip)
            h = np.array([np.cos(dip) * np.sin(azimuth), np.cos(dip) * np.cos(azimuth),
                          -np.sin(dip)])
            names.append(f"ZK{line:02d}{hole_no:02d}")
            collars.append(t - along * h)
            targets.append(t)
        deep = target[~shallow]
        for k, group in enumerate(np.array_split(deep, max(1, int(np.ceil(len(deep) / 3))))):
            if not len(group):
                continue
            station = group.mean(axis=0) - rng.uniform(35.0, 55.0) * frame[2]
            station[2] = LEVEL_M * np.round(station[2] / LEVEL_M)
            for j, t in enumerate(group):
                names.append(f"KZK{line:02d}{k + 1}{j + 1}")
                collars.append(station)
                targets.append(t)
    collar, target = np.array(collars), np.array(targets)
    vector = target - collar
    along = np.linalg.norm(vector, axis=1)
    azimuth = np.degrees(np.arctan2(vector[:, 0], vector[:, 1])) % 360.0
    dip = np.degrees(np.arcsin(-vector[:, 2] / along))
    survey = np.where([n.startswith("ZK") for n in names], 50.0, 30.0)
    return _Plan(names, collar, azimuth, dip, along, survey)


def _surveys(plan: _Plan, rng: np.random.Generator) -> pd.DataFrame:
    """Stations from the collar to above the planned pierce point, with the hole's drift
    (surface holes flatten a little and turn with the bit; short fans barely move)."""
    rows = []
    for i, name in enumerate(plan.names):
        at = np.arange(0.0, max(plan.pierce_m[i] - 25.0, 1.0), plan.survey_m[i])
        drift = plan.survey_m[i] / 50.0
        dip = plan.dip[i] + np.cumsum(np.r_[0.0, rng.normal(-0.4, 0.5, at.size - 1) * drift])
        az = plan.azimuth[i] + np.cumsum(np.r_[0.0, rng.normal(0.3, 0.7, at.size - 1) * drift])
        rows.append(pd.DataFrame({"BHID": name, "AT": at, "AZ": np.round(az % 360.0, 1),
                                  "DIP": np.round(dip, 1)}))
    return pd.concat(rows, ignore_index=True)


def _zones(vein: Vein, xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Zone code (:data:`_ZONE`, veinlets aside) and vein mean grade (g/t) at points."""
    p, q, w = vein.coordinates(xyz).T
    d = w - vein.centre_m(p, q)
    half = 0.5 * vein.thickness_m(p, q)
    lens_t, lens_at = vein.lens_m(p, q)
    zone = np.full(len(p), _ZONE["wall"])
    zone[np.abs(d) <= half + HALO_M] = _ZONE["halo"]
    zone[np.abs(d) <= half] = _ZONE["vein"]
    zone[(zone == _ZONE["vein"]) & (np.abs(d - lens_at) < 0.5 * lens_t)] = _ZONE["lens"]
    return zone, vein.mean_grade_gpt(p, q)


def _pieces(top: float, bottom: float, veinlet: tuple[float, float] | None,
            gaps: np.ndarray) -> np.ndarray:
    """``(n, 2)`` from, to (m) of a hole's samples: 1 m intervals from ``floor(top)`` to
    ``ceil(bottom)``, the veinlet cut out on its own, the samples starting at ``gaps`` (m)
    left out."""
    edges = np.arange(np.floor(top), np.ceil(bottom) + SAMPLE_M / 2, SAMPLE_M)
    if veinlet is not None:
        edges = np.unique(np.round(np.r_[edges, veinlet], 2))
    pieces = np.column_stack([edges[:-1], edges[1:]])
    return pieces[~np.isin(pieces[:, 0], gaps)]


def vein_drillholes(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Collar, survey and assay tables of the drilling of a seed's vein (:func:`vein_model`).

    Parameters
    ----------
    seed : int
        Seed of the generator (≥ 0): the same seed gives the same tables.

    Returns
    -------
    tuple of pandas.DataFrame
        ``collar`` (``BHID, XCOLLAR, YCOLLAR, ZCOLLAR``, m), ``survey`` (``BHID, AT, AZ, DIP``:
        depth m, azimuth and dip degrees, dip positive downward) and ``assay`` (``BHID, FROM,
        TO`` m, ``AU`` g/t), the headers and conventions of ``aurum resources drillholes``;
        39–57 holes. Gaps between assay intervals are unsampled core (the reader warns of them).
    """
    vein = vein_model(seed)
    rng = np.random.default_rng([seed, 20])
    plan = _plan(vein, _layout(seed), rng)
    collar = pd.DataFrame({"BHID": plan.names, "XCOLLAR": np.round(plan.collars[:, 0], 2),
                           "YCOLLAR": np.round(plan.collars[:, 1], 2),
                           "ZCOLLAR": np.round(plan.collars[:, 2], 2)})
    survey = _surveys(plan, rng)
    paths = desurvey(collar.set_axis(["hole", "x", "y", "z"], axis=1),
                     survey.set_axis(["hole", "at", "az", "dip"], axis=1))
    # Where each hole crosses the vein: points every 0.2 m within 60 m of the planned pierce.
    scan = np.arange(-60.0, 60.0, 0.2)
    depth = np.clip(plan.pierce_m[:, None] + scan, 0.0, None)
    holes = np.repeat(np.asarray(plan.names, dtype=object), scan.size)
    zone, _ = _zones(vein, paths.positions(holes, depth.ravel()))
    inside = (zone.reshape(depth.shape) <= _ZONE["lens"])
    rows = []
    for i, name in enumerate(plan.names):
        hit = depth[i][inside[i]]
        top = max(0.0, hit.min() - rng.uniform(3.0, 6.0))
        bottom = hit.max() + rng.uniform(3.0, 6.0)
        veinlet = None
        if rng.random() < 0.2:
            start = round(float(hit.min() - rng.uniform(4.0, 10.0)), 1)
            if start > 1.0:
                veinlet = (start, round(start + float(rng.choice([0.3, 0.4, 0.5, 0.6])), 1))
                top = min(top, start - 1.0)
        # Unsampled runs: lost or unsplit core in the walls, away from the vein.
        starts = np.arange(np.floor(top), np.ceil(bottom), SAMPLE_M)
        wall = starts[(starts < hit.min() - 2.0) | (starts > hit.max() + 2.0)]
        gaps = rng.choice(wall, size=min(wall.size, int(rng.integers(0, 3))), replace=False)
        pieces = _pieces(top, bottom, veinlet, gaps)
        rows.append((name, pieces, veinlet))
    names = np.concatenate([np.full(len(pc), n, dtype=object) for n, pc, _ in rows])
    pieces = np.vstack([pc for _, pc, _ in rows])
    grade = _grades(vein, paths, names, pieces, {n: v for n, _, v in rows if v}, rng)
    assay = pd.DataFrame({"BHID": names, "FROM": pieces[:, 0], "TO": pieces[:, 1],
                          "AU": grade})
    return collar, survey, assay


def _grades(vein: Vein, paths: Trajectories, names: np.ndarray, pieces: np.ndarray,
            veinlets: dict[str, tuple[float, float]], rng: np.random.Generator) -> np.ndarray:
    """Grade of each sample (g/t): the mean over points every :data:`_STEP_M` along it of its
    zone's grade, each zone's noise drawn once per sample."""
    length = pieces[:, 1] - pieces[:, 0]
    count = np.maximum(1, np.round(length / _STEP_M)).astype(int)
    owner = np.repeat(np.arange(len(pieces)), count)
    offset = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
    depth = pieces[owner, 0] + (offset + 0.5) * length[owner] / count[owner]
    zone, mean = _zones(vein, paths.positions(names[owner], depth))
    for hole, (start, end) in veinlets.items():
        zone[(names[owner] == hole) & (depth >= start) & (depth < end)] = _ZONE["veinlet"]
    noise = rng.lognormal(-0.5 * GRADE_SIGMA ** 2, GRADE_SIGMA, (len(pieces), len(_ZONE)))
    level = np.where(zone == _ZONE["vein"], mean, _MEAN_GPT[zone])
    point = level * noise[owner, zone]
    return np.round(np.maximum(np.bincount(owner, point) / count, 0.01), 2)
