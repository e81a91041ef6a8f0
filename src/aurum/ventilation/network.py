"""The mine's airway network: Atkinson resistances, fans, natural ventilation and regulators,
solved by Hardy Cross and by Newton's method on the loop formulation.

Notation and formulas follow McPherson, *Subsurface Ventilation Engineering* (chapters 5 and 7):

- Square law: a branch drops ``p = R Q |Q|`` Pa (``R`` in N s²/m⁸, ``Q`` in m³/s, positive in
  the branch's direction).
- Atkinson friction: ``R = k L per / A³`` (``k`` friction factor, kg/m³, at the air density it
  was measured for; ``L`` length, m; ``per`` perimeter, m; ``A`` cross-section, m²).
- Shock losses: ``p_shock = X ρ u² / 2`` with ``u = Q / A``, i.e. the equivalent resistance
  ``R_shock = X ρ / (2 A²)`` added to the branch's.
- A fan adds ``p_fan(Q) = c0 + c1 Q + c2 Q²`` (or a tabulated curve) in the branch direction;
  natural ventilation adds a constant ``nvp`` Pa, or ``ρ g (z_from − z_to)`` when the branch
  gives its air column's density ``column_density`` and both junctions their elevations (the
  column's weight: summed round a loop this is the natural ventilating pressure of the loop).
- A branch's net loss is ``h(Q) = R Q|Q| − p_fan(Q) − nvp``; Kirchhoff: flows balance at every
  junction, ``Σ ± h = 0`` round every mesh. A fixed-flow branch (regulator) closes its mesh with
  the extra drop ``p_reg = −Σ ± h``, which must be ≥ 0: a regulator cannot push air.

Meshes are the fundamental loops of a spanning tree chosen, as McPherson recommends, with
fixed-flow and fan branches as chords (each then sits in one mesh only) and high resistances as
chords (faster convergence). Hardy Cross corrects one mesh at a time,
``ΔQ = −Σ ± h / Σ h'``; Newton corrects all at once with the sparse mesh Jacobian
``C diag(h') Cᵀ``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse as sp
from numba import njit
from scipy.sparse.csgraph import breadth_first_order, connected_components
from scipy.sparse.linalg import spsolve

from aurum.core.checks import Interval
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

__all__ = ["Branch", "Fan", "Network", "Solution", "atkinson_resistance", "shock_resistance",
           "solve"]

G = 9.80665
"""Standard gravity, m/s²."""

MAX_NODES = 50_000
"""Most junctions one network holds (a large mine model has a few thousand)."""
MAX_BRANCHES = 100_000
"""Most branches one network holds; the loop solve's memory grows with them."""
MAX_ITERATIONS = 10_000
"""Most iterations (Hardy Cross sweeps or Newton steps) a solve may be asked for."""
MAX_TABLE_POINTS = 100
"""Most points of a tabulated fan curve."""

RESISTANCES = Interval(0.0, 1e4, "N s2 m-8")
FLOWS = Interval(-1e4, 1e4, "m3/s")
PRESSURES = Interval(-1e6, 1e6, "Pa")
LENGTHS = Interval(0.0, 1e5, "m")
AREAS = Interval(1e-3, 1e4, "m2")
FRICTION_FACTORS = Interval(0.0, 1.0, "kg/m3")
SHOCK_FACTORS = Interval(0.0, 1e3, "")
DENSITIES = Interval(0.1, 10.0, "kg/m3")
ELEVATIONS = Interval(-2e4, 2e4, "m")
EFFICIENCIES = Interval(0.01, 1.0, "")
COEFFICIENTS = Interval(-1e9, 1e9, "")
TOLERANCES = Interval(1e-12, 1e3, "Pa")

_FLOW_BLOWUP = 1e6
"""Flow (m³/s) past which a solve has run away: no operating point exists."""
_SLOPE_FLOOR = 1e-9
"""Smallest mesh slope (Pa s/m³): a zero-resistance branch at zero flow keeps a solvable step."""


def atkinson_resistance(length_m: float, perimeter_m: float, area_m2: float,
                        friction_factor: float) -> float:
    """Atkinson frictional resistance ``R = k L per / A³``.

    Parameters
    ----------
    length_m : float
        Airway length ``L``, m.
    perimeter_m : float
        Perimeter ``per``, m.
    area_m2 : float
        Cross-section ``A``, m².
    friction_factor : float
        Atkinson friction factor ``k``, kg/m³.

    Returns
    -------
    float
        Resistance, N s²/m⁸.
    """
    return friction_factor * length_m * perimeter_m / area_m2**3


def shock_resistance(shock_factor: float, area_m2: float, density_kgm3: float = 1.2) -> float:
    """Equivalent resistance of a shock loss ``X``: ``R = X ρ / (2 A²)``.

    Parameters
    ----------
    shock_factor : float
        Shock loss factor ``X`` (dimensionless, summed over bends and changes of area).
    area_m2 : float
        Cross-section the velocity is taken in, m².
    density_kgm3 : float
        Air density ``ρ``, kg/m³.

    Returns
    -------
    float
        Resistance, N s²/m⁸.
    """
    return shock_factor * density_kgm3 / (2.0 * area_m2**2)


@dataclass(frozen=True)
class Fan:
    """A fan's pressure–quantity curve in its branch's direction.

    Parameters
    ----------
    coefficients : tuple of float
        ``(c0, c1, c2)``: ``p = c0 + c1 Q + c2 Q²`` Pa with Q in m³/s; empty when tabulated.
    table : tuple of (float, float)
        ``(Q m³/s, p Pa)`` points in increasing Q; linear between them and beyond the ends.
    efficiency : float or None
        Fan (shaft) efficiency, 0–1, for the shaft power.
    """

    coefficients: tuple[float, ...] = ()
    table: tuple[tuple[float, float], ...] = ()
    efficiency: float | None = None

    def pressure(self, q: np.ndarray) -> np.ndarray:
        """Fan pressure, Pa, at flows ``q`` m³/s."""
        if self.coefficients:
            c0, c1, c2 = self.coefficients
            return c0 + c1 * q + c2 * q * q
        qs, ps = np.asarray(self.table).T
        slope = np.diff(ps) / np.diff(qs)
        k = np.clip(np.searchsorted(qs, q) - 1, 0, len(qs) - 2)
        return ps[k] + slope[k] * (q - qs[k])

    def slope(self, q: np.ndarray) -> np.ndarray:
        """``dp/dQ``, Pa s/m³, at flows ``q`` m³/s."""
        if self.coefficients:
            _c0, c1, c2 = self.coefficients
            return c1 + 2.0 * c2 * q
        qs, ps = np.asarray(self.table).T
        slope = np.diff(ps) / np.diff(qs)
        return slope[np.clip(np.searchsorted(qs, q) - 1, 0, len(qs) - 2)]

    def range(self) -> tuple[float, float]:
        """Flows (m³/s) the curve is valid over: the table's ends, or for a polynomial from the
        pressure peak (left of it the fan stalls) to free delivery (pressure 0)."""
        if self.table:
            return self.table[0][0], self.table[-1][0]
        c0, c1, c2 = self.coefficients
        peak = -c1 / (2 * c2) if c2 < 0 else 0.0
        if c2 < 0:
            free = (-c1 - np.sqrt(c1 * c1 - 4 * c2 * c0)) / (2 * c2) if c0 > 0 else peak
        elif c1 < 0:
            free = -c0 / c1
        else:
            free = float("inf")
        return max(peak, 0.0), float(free)

    def warnings(self, q: float) -> list[str]:
        """What is wrong with the operating point ``q`` m³/s (empty when it is on the curve)."""
        low, high = self.range()
        out = []
        if float(self.slope(np.array([q]))[0]) > 0:
            out.append("stall")
        if q < low - 1e-9 or q > high + 1e-9:
            out.append("beyond_curve")
        return out


@dataclass(frozen=True)
class Branch:
    """One airway between two junctions, flow positive from ``from_node`` to ``to_node``.

    Parameters
    ----------
    name : str
        Unique name.
    from_node, to_node : str
        Junction names.
    resistance : float
        Square-law resistance R, N s²/m⁸ (friction and shock).
    fan : Fan or None
        A fan (main or booster) in the branch.
    nvp : float
        Natural ventilation pressure in the branch direction, Pa.
    fixed_flow : float or None
        A regulated flow, m³/s: the branch's regulator adds the drop needed.
    """

    name: str
    from_node: str
    to_node: str
    resistance: float
    fan: Fan | None = None
    nvp: float = 0.0
    fixed_flow: float | None = None


@dataclass(frozen=True)
class Network:
    """Junctions (with optional elevations z, m) and branches.

    Parameters
    ----------
    nodes : tuple of str
        Junction names.
    branches : tuple of Branch
        The airways.
    elevations : mapping of str to float
        Elevation z (m, up) of the junctions that give one.
    """

    nodes: tuple[str, ...]
    branches: tuple[Branch, ...]
    elevations: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, doc: Any, source: str | None = None) -> Network:
        """The network of a NETWORK.yaml document, every problem named by branch and field.

        Parameters
        ----------
        doc : mapping
            ``{"nodes": [name | {name, z}], "branches": [{name, from, to, resistance | (length,
            perimeter, area, friction_factor [, shock_factor, density]), fan: {coefficients:
            [c0, c1, c2] | table: [[Q, p], ...], efficiency}, nvp | column_density,
            fixed_flow}]}``; ``density`` is the air's in the shock loss, ``column_density`` the
            mean density of the air column whose weight drives the branch;
            units m, m², kg/m³, m³/s, Pa, N s²/m⁸.
        source : str, optional
            File name for the messages.

        Raises
        ------
        ValidationError
            Listing every problem found.
        """
        problems: list[Problem] = []

        def bad(message: str, where: str | None = None, column: str | None = None) -> None:
            text = message if where is None else _("%(where)s: %(problem)s", where=where,
                                                   problem=message)
            problems.append(Problem(text, column=column, source=source))

        if not isinstance(doc, Mapping) or not isinstance(doc.get("nodes"), list) or \
                not isinstance(doc.get("branches"), list):
            raise ValidationError(Problem(_("expected a mapping with the lists 'nodes' and "
                                            "'branches'"), source=source))
        if len(doc["nodes"]) > MAX_NODES or len(doc["branches"]) > MAX_BRANCHES:
            raise ValidationError(Problem(_(
                "expected at most %(nodes)s nodes and %(branches)s branches",
                nodes=MAX_NODES, branches=MAX_BRANCHES), source=source))
        nodes: list[str] = []
        elevations: dict[str, float] = {}
        for k, entry in enumerate(doc["nodes"], start=1):
            name = entry.get("name") if isinstance(entry, Mapping) else entry
            if not isinstance(name, str) or not name:
                bad(_("node %(k)s: expected a name or {name, z}", k=k), column="nodes")
                continue
            if name in nodes:
                bad(_("duplicate node name"), name, "name")
            nodes.append(name)
            if isinstance(entry, Mapping) and entry.get("z") is not None and \
                    _checked(ELEVATIONS, entry["z"], name, "z", bad):
                elevations[name] = float(entry["z"])
        branches: list[Branch] = []
        names: set[str] = set()
        known = set(nodes)
        for k, entry in enumerate(doc["branches"], start=1):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
                bad(_("branch %(k)s: expected a mapping with a name", k=k), column="branches")
                continue
            branch = _branch(entry, known, elevations, bad)
            if entry["name"] in names:
                bad(_("duplicate branch name"), entry["name"], "name")
            names.add(entry["name"])
            if branch is not None:
                branches.append(branch)
        if problems:
            raise ValidationError(problems)
        network = cls(tuple(nodes), tuple(branches), elevations)
        network.check(source)
        return network

    def check(self, source: str | None = None) -> None:
        """Refuse a network in parts: name the junctions cut off from the first one's part.

        Parameters
        ----------
        source : str, optional
            File name for the message.
        """
        index = {n: i for i, n in enumerate(self.nodes)}
        unknown = sorted({n for b in self.branches for n in (b.from_node, b.to_node)}
                         - index.keys())
        if unknown:
            raise ValidationError(Problem(_("unknown nodes %(nodes)s", nodes=", ".join(unknown)),
                                          source=source))
        if not self.branches:
            raise ValidationError(Problem(_("expected at least one branch"), source=source))
        frm, to = self._ends(index)
        graph = sp.coo_matrix((np.ones(len(frm)), (frm, to)),
                              shape=(len(self.nodes),) * 2).tocsr()
        _count, label = connected_components(graph, directed=False)
        cut = [n for n, lab in zip(self.nodes, label, strict=True) if lab != label[0]]
        if cut:
            raise ValidationError(Problem(_(
                "the network is in parts: nodes %(nodes)s are not connected to %(first)s",
                nodes=", ".join(cut[:20]) + (" …" if len(cut) > 20 else ""),
                first=self.nodes[0]), source=source))

    def _ends(self, index: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
        frm = np.array([index[b.from_node] for b in self.branches], dtype=np.int64)
        to = np.array([index[b.to_node] for b in self.branches], dtype=np.int64)
        return frm, to


def _checked(interval: Interval, value: Any, where: str, column: str, bad: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not np.isfinite(value) or not interval.contains(value):
        bad(_("%(field)s: expected %(expected)s, got %(value)s", field=column,
              expected=interval.describe(), value=repr(value)), where, column)
        return False
    return True


def _branch(entry: Mapping[str, Any], known: set[str], elevations: Mapping[str, float],
            bad: Any) -> Branch | None:
    """One branch of the document, or None after reporting its problems through ``bad``."""
    name = entry["name"]
    ok = True
    for end in ("from", "to"):
        if entry.get(end) not in known:
            bad(_("%(end)s: unknown node %(node)s", end=end, node=repr(entry.get(end))),
                name, end)
            ok = False
    geometry = ("length", "perimeter", "area", "friction_factor")
    if "resistance" in entry:
        if isinstance(entry["resistance"], (int, float)) and entry["resistance"] < 0:
            bad(_("resistance: expected a resistance of at least 0 N s2 m-8, got %(value)s",
                  value=entry["resistance"]), name, "resistance")
            ok = False
        elif _checked(RESISTANCES, entry["resistance"], name, "resistance", bad):
            resistance = float(entry["resistance"])
        else:
            ok = False
    elif all(g in entry for g in geometry):
        checks = (LENGTHS, LENGTHS, AREAS, FRICTION_FACTORS)
        if all([_checked(c, entry[g], name, g, bad) for c, g in zip(checks, geometry,
                                                                     strict=True)]):
            resistance = atkinson_resistance(*(float(entry[g]) for g in geometry))
        else:
            ok = False
    else:
        bad(_("expected a resistance, or length, perimeter, area and friction_factor"), name,
            "resistance")
        ok = False
    if ok and "shock_factor" in entry:
        density = entry.get("density", 1.2)
        if "area" in entry and _checked(SHOCK_FACTORS, entry["shock_factor"], name,
                                        "shock_factor", bad) and \
                _checked(DENSITIES, density, name, "density", bad) and \
                _checked(AREAS, entry["area"], name, "area", bad):
            resistance += shock_resistance(float(entry["shock_factor"]), float(entry["area"]),
                                           float(density))
        else:
            bad(_("a shock_factor needs the branch's area"), name, "shock_factor")
            ok = False
    nvp = 0.0
    if "nvp" in entry:
        ok = _checked(PRESSURES, entry["nvp"], name, "nvp", bad) and ok
        nvp = float(entry["nvp"]) if ok else 0.0
    elif "column_density" in entry:
        ends = (str(entry.get("from")), str(entry.get("to")))
        if not all(e in elevations for e in ends):
            bad(_("a column density needs the elevations z of both its nodes"), name,
                "column_density")
            ok = False
        elif _checked(DENSITIES, entry["column_density"], name, "column_density", bad):
            nvp = float(entry["column_density"]) * G * (elevations[ends[0]]
                                                         - elevations[ends[1]])
    fixed = entry.get("fixed_flow")
    if fixed is not None and not _checked(FLOWS, fixed, name, "fixed_flow", bad):
        ok = False
    fan = _fan(entry["fan"], name, bad) if "fan" in entry else None
    if not ok or ("fan" in entry and fan is None):
        return None
    return Branch(name, entry["from"], entry["to"], resistance, fan, nvp,
                  None if fixed is None else float(fixed))


def _fan(spec: Any, name: str, bad: Any) -> Fan | None:
    if not isinstance(spec, Mapping) or ("coefficients" in spec) == ("table" in spec):
        bad(_("fan: expected {coefficients: [c0, c1, c2]} or {table: [[Q, p], ...]}"), name,
            "fan")
        return None
    efficiency = spec.get("efficiency")
    if efficiency is not None and not _checked(EFFICIENCIES, efficiency, name, "efficiency",
                                               bad):
        return None
    if "coefficients" in spec:
        c = spec["coefficients"]
        if not isinstance(c, list) or len(c) != 3 or not all(
                [_checked(COEFFICIENTS, v, name, "fan.coefficients", bad) for v in c]):
            if isinstance(c, list) and len(c) != 3:
                bad(_("fan.coefficients: expected three numbers [c0, c1, c2]"), name,
                    "fan.coefficients")
            return None
        return Fan(coefficients=tuple(float(v) for v in c), efficiency=efficiency)
    table = spec["table"]
    if not isinstance(table, list) or not 2 <= len(table) <= MAX_TABLE_POINTS or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(v, (int, float)) and
                                                        np.isfinite(v) for v in p)
            for p in table) or not all(a[0] < b[0] for a, b in pairwise(table)):
        bad(_("fan.table: expected 2 to %(n)s [Q, p] points in increasing Q",
              n=MAX_TABLE_POINTS), name, "fan.table")
        return None
    return Fan(table=tuple((float(q), float(p)) for q, p in table), efficiency=efficiency)


@dataclass(frozen=True)
class Solution:
    """A solved network.

    Attributes
    ----------
    flows, pressure_drops : dict of str to float
        Per branch: flow, m³/s (positive in the branch direction), and ``R Q|Q|``, Pa.
    fans : dict of str to (float, float)
        Per fan branch: (flow m³/s, fan pressure Pa).
    fan_warnings : dict of str to list of str
        Fans whose operating point is in ``"stall"`` or ``"beyond_curve"``.
    regulators : dict of str to float
        Per fixed-flow branch: the extra drop its regulator adds, Pa.
    node_pressures : dict of str to float
        Ventilating pressure at each junction relative to the first, Pa.
    reversals : list of str
        Branches whose flow runs against their direction.
    iterations : int
        Hardy Cross sweeps or Newton steps taken.
    max_residual_pa : float
        Largest mesh closure ``|Σ ± (h + p_reg)|``, Pa.
    max_node_imbalance_m3s : float
        Largest junction imbalance, m³/s.
    method : str
        ``"newton"`` or ``"hardy_cross"``.
    """

    flows: dict[str, float]
    pressure_drops: dict[str, float]
    fans: dict[str, tuple[float, float]]
    fan_warnings: dict[str, list[str]]
    regulators: dict[str, float]
    node_pressures: dict[str, float]
    reversals: list[str]
    iterations: int
    max_residual_pa: float
    max_node_imbalance_m3s: float
    method: str
    efficiencies: dict[str, float | None] = field(default_factory=dict)

    def fan_power_kw(self) -> dict[str, tuple[float, float | None]]:
        """Per fan: air power ``Q p`` and shaft power ``Q p / η`` (None without η), kW."""
        out: dict[str, tuple[float, float | None]] = {}
        for name, (q, p) in self.fans.items():
            air = q * p / 1000.0
            eta = self.efficiencies.get(name)
            out[name] = (air, None if eta is None else air / eta)
        return out

    def annual_energy_cost(self, price_cny_per_kwh: float, hours_per_year: float = 8760.0
                           ) -> dict[str, float]:
        """Per fan: a year's energy cost, CNY, at the shaft power (air power without η).

        Parameters
        ----------
        price_cny_per_kwh : float
            Electricity price, CNY/kWh.
        hours_per_year : float
            Running hours a year, h.
        """
        return {name: (shaft if shaft is not None else air) * hours_per_year * price_cny_per_kwh
                for name, (air, shaft) in self.fan_power_kw().items()}


@dataclass
class _System:
    """The network as arrays: meshes of a spanning tree and each branch's law."""

    network: Network
    r: np.ndarray
    nvp: np.ndarray
    fans: list[tuple[int, Fan]]
    meshes: sp.csr_matrix          # chords × branches, ±1
    fixed_chords: np.ndarray       # rows of ``meshes`` whose chord has a fixed flow
    free_chords: np.ndarray
    q_fixed: np.ndarray            # the fixed chords' flows
    incidence: sp.csr_matrix       # nodes × branches, +1 out, −1 in
    tree: np.ndarray               # bool per branch
    chord_branch: np.ndarray       # branch index of each mesh's chord
    curves: tuple[np.ndarray, ...]  # the fans as arrays for the compiled sweep (:func:`_curves`)

    def loss(self, q: np.ndarray) -> np.ndarray:
        h = self.r * q * np.abs(q) - self.nvp
        for k, fan in self.fans:
            h[k] -= fan.pressure(q[k:k + 1])[0]
        return h

    def slope(self, q: np.ndarray) -> np.ndarray:
        d = 2.0 * self.r * np.abs(q)
        for k, fan in self.fans:
            d[k] -= fan.slope(q[k:k + 1])[0]
        return d


def _system(network: Network) -> _System:
    index = {n: i for i, n in enumerate(network.nodes)}
    frm, to = network._ends(index)
    branches = network.branches
    nb, nn = len(branches), len(network.nodes)
    r = np.array([b.resistance for b in branches])
    fixed = np.array([b.fixed_flow is not None for b in branches])
    has_fan = np.array([b.fan is not None for b in branches])
    # Kruskal with the tree taking low resistances first and fans, then fixed flows, last:
    # those become chords, each in one mesh (McPherson 7.3.2, mesh selection).
    scale = r.max() if r.max() > 0 else 1.0
    weight = r / scale + 2.0 * has_fan + 4.0 * fixed
    parent = np.arange(nn)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return int(i)

    tree = np.zeros(nb, dtype=bool)
    for k in np.argsort(weight, kind="stable"):
        a, b = root(frm[k]), root(to[k])
        if a != b:
            parent[a] = b
            tree[k] = True
    _contradictions(network, tree, fixed, frm, to, nn)
    incidence = sp.csr_matrix((np.r_[np.ones(nb), -np.ones(nb)],
                               (np.r_[frm, to], np.r_[np.arange(nb), np.arange(nb)])),
                              shape=(nn, nb))
    chords = np.flatnonzero(~tree)
    meshes = _meshes(incidence, tree, chords, nn)
    return _System(network, r, np.array([b.nvp for b in branches]),
                   [(k, b.fan) for k, b in enumerate(branches) if b.fan is not None],
                   meshes, np.flatnonzero(fixed[chords]), np.flatnonzero(~fixed[chords]),
                   np.array([branches[c].fixed_flow for c in chords[fixed[chords]]],
                            dtype=float),
                   incidence, tree, chords, _curves(branches))


def _curves(branches: tuple[Branch, ...]) -> tuple[np.ndarray, ...]:
    """Every branch's fan as arrays: kind (0 none, 1 polynomial, 2 table), the coefficients,
    and the table's first point and count in the flat ``(Q, p)`` arrays."""
    nb = len(branches)
    kind = np.zeros(nb, dtype=np.int64)
    coef = np.zeros((nb, 3))
    start = np.zeros(nb, dtype=np.int64)
    count = np.zeros(nb, dtype=np.int64)
    points: list[tuple[float, float]] = []
    for k, b in enumerate(branches):
        if b.fan is None:
            continue
        if b.fan.coefficients:
            kind[k] = 1
            coef[k] = b.fan.coefficients
        else:
            kind[k], start[k], count[k] = 2, len(points), len(b.fan.table)
            points.extend(b.fan.table)
    table = np.array(points, dtype=float).reshape(-1, 2)
    return kind, coef, start, count, table[:, 0].copy(), table[:, 1].copy()


def _meshes(incidence: sp.csr_matrix, tree: np.ndarray, chords: np.ndarray,
            nn: int) -> sp.csr_matrix:
    """Fundamental mesh of each chord: the chord plus its tree path back, oriented with it.

    The tree is rooted; each node's path to the root is held as its parent branch, so a mesh
    is the two root paths of the chord's ends minus their common part."""
    tb = np.flatnonzero(tree)
    inc = incidence[:, tb].tocoo()
    frm = np.empty(len(tb), dtype=np.int64)
    to = np.empty(len(tb), dtype=np.int64)
    frm[inc.col[inc.data > 0]] = inc.row[inc.data > 0]
    to[inc.col[inc.data < 0]] = inc.row[inc.data < 0]
    adjacency = sp.coo_matrix((np.ones(len(tb)), (frm, to)), shape=(nn, nn)).tocsr()
    order, pred = breadth_first_order(adjacency, 0, directed=False)
    depth = np.zeros(nn, dtype=np.int64)
    up_branch = np.full(nn, -1)
    up_sign = np.zeros(nn)
    lookup = {(int(a), int(b)): (int(k), 1.0) for k, a, b in zip(tb, frm, to, strict=True)}
    lookup.update({(int(b), int(a)): (int(k), -1.0) for k, a, b in zip(tb, frm, to,
                                                                        strict=True)})
    for node in order[1:]:
        depth[node] = depth[pred[node]] + 1
        # Walking up from ``node`` to its parent: +1 when the branch runs node → parent.
        up_branch[node], up_sign[node] = lookup[(int(node), int(pred[node]))]
    full = incidence.tocsc()
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for m, c in enumerate(chords):
        col = full[:, c]
        a = int(col.indices[col.data > 0][0])   # chord runs a → b; loop returns b → a
        b = int(col.indices[col.data < 0][0])
        path_b: list[tuple[int, float]] = []
        path_a: list[tuple[int, float]] = []
        while a != b:
            if depth[b] >= depth[a]:
                path_b.append((up_branch[b], up_sign[b]))
                b = int(pred[b])
            else:
                path_a.append((up_branch[a], -up_sign[a]))
                a = int(pred[a])
        entries = [(int(c), 1.0), *path_b, *path_a]
        rows.append(np.full(len(entries), m))
        cols.append(np.array([e[0] for e in entries]))
        vals.append(np.array([e[1] for e in entries]))
    if not rows:
        return sp.csr_matrix((0, incidence.shape[1]))
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(len(chords), incidence.shape[1]))


def _contradictions(network: Network, tree: np.ndarray, fixed: np.ndarray, frm: np.ndarray,
                    to: np.ndarray, nn: int) -> None:
    """Refuse fixed flows the tree could not leave as chords: a cut of fixed flows only, which
    over-determines them (in series, or every branch of a junction fixed)."""
    forced = np.flatnonzero(tree & fixed)
    if not len(forced):
        return
    # The free branches' parts: a cut made only of fixed branches separates two of them.
    free = ~fixed
    graph = sp.coo_matrix((np.ones(free.sum()), (frm[free], to[free])), shape=(nn, nn))
    _n, label = connected_components(graph, directed=False)
    k = forced[0]
    side = label == label[frm[k]]
    cut = [j for j in np.flatnonzero(fixed) if side[frm[j]] != side[to[j]]]
    net = sum(float(network.branches[j].fixed_flow or 0.0) * (1 if side[frm[j]] else -1)
              for j in cut)
    names = ", ".join(network.branches[j].name for j in cut)
    if abs(net) > 1e-9:
        raise ValidationError(Problem(_(
            "fixed flows contradict each other: %(names)s are every path across one cut of the "
            "network yet do not balance (net %(net)s m3/s leaving it)", names=names,
            net=f"{net:.6g}")))
    raise ValidationError(Problem(_(
        "fixed flows %(names)s fix the same airflow twice (they are every path across one cut "
        "of the network): fix the flow of one of them only", names=names)))


def _initial(system: _System) -> np.ndarray:
    """Mesh flows to start from: fixed chords at their flows, free chords at 1 m³/s."""
    q = np.ones(system.meshes.shape[0])
    q[system.fixed_chords] = system.q_fixed
    return q


def solve(network: Network, method: str = "newton", tol_pa: float = 1e-6,
          max_iterations: int = 500) -> Solution:
    """Airflows, pressure drops, fan duties and regulator drops of a network.

    Parameters
    ----------
    network : Network
        The checked network.
    method : {"newton", "hardy_cross"}
        Newton on the mesh formulation (sparse), or Hardy Cross mesh by mesh.
    tol_pa : float
        Largest mesh closure accepted, Pa.
    max_iterations : int
        Most Newton steps or Hardy Cross sweeps.

    Returns
    -------
    Solution

    Raises
    ------
    ValidationError
        An unknown method, a fan curve that never meets the system (no operating point), a
        regulator that would have to push air, contradicting fixed flows.
    """
    if method not in ("newton", "hardy_cross"):
        raise ValidationError(Problem(_("method: expected newton or hardy_cross, got %(m)s",
                                        m=repr(method))))
    TOLERANCES.check("tol_pa", tol_pa)
    Interval(1, MAX_ITERATIONS).check("max_iterations", max_iterations)
    system = _system(network)
    q = _initial(system)
    run = _newton if method == "newton" else _hardy_cross
    q, iterations, status = run(system, q, tol_pa, max_iterations)
    flows = system.meshes.T @ q
    if status != "converged":
        fans = [b.name for b in network.branches if b.fan is not None]
        # Flows running away, or no step lowering the closure error, mean that no flow
        # balances the fans; a solve merely slow to settle says so instead.
        if fans and status == "diverged":
            raise ValidationError(Problem(_(
                "no operating point: the curve of fan %(fans)s never meets the system's "
                "resistance curve", fans=", ".join(fans))))
        raise ValidationError(Problem(_("the network did not converge to %(tol)s Pa in "
                                        "%(n)s iterations", tol=tol_pa, n=max_iterations)))
    return _solution(system, q, flows, iterations, method)


def _newton(system: _System, q: np.ndarray, tol: float, limit: int
            ) -> tuple[np.ndarray, int, str]:
    """Damped Newton steps on the free meshes' flows: ``(q, steps, status)``, the status
    ``"converged"``, ``"limit"`` or ``"diverged"`` (running away, or no step descends)."""
    free = system.free_chords
    c_free = system.meshes[free]
    c_t = system.meshes.T.tocsr()
    for iteration in range(limit + 1):
        flows = c_t @ q
        residual = c_free @ system.loss(flows)
        worst = float(np.abs(residual).max()) if len(residual) else 0.0
        if worst <= tol:
            return q, iteration, "converged"
        if not np.isfinite(worst) or np.abs(flows).max() > _FLOW_BLOWUP:
            return q, iteration, "diverged"
        if iteration == limit:
            break
        d = np.maximum(system.slope(flows), 0.0) + _SLOPE_FLOOR
        jac = (c_free @ sp.diags(d) @ c_free.T).tocsc()
        step = spsolve(jac, -residual)
        # Damped: halve the step until the closure error falls (square law: usually one try).
        norm = float(np.linalg.norm(residual))
        for _try in range(30):
            trial = q.copy()
            trial[free] += step
            new = c_free @ system.loss(c_t @ trial)
            if float(np.linalg.norm(new)) < norm:
                break
            step = step / 2
        else:
            return q, iteration, "diverged"
        q = trial
    return q, limit, "limit"


def _hardy_cross(system: _System, q: np.ndarray, tol: float, limit: int
                 ) -> tuple[np.ndarray, int, str]:
    """Hardy Cross sweeps, mesh by mesh: ``(q, sweeps, status)`` as :func:`_newton`'s."""
    meshes = system.meshes.tocsr()
    flows = meshes.T @ q
    kind, coef, start, count, tq, tp = system.curves
    sweeps, code = _sweeps(meshes.indptr, meshes.indices, meshes.data.astype(float),
                           system.free_chords.astype(np.int64), system.r, system.nvp,
                           kind, coef, start, count, tq, tp, flows, q, tol, limit,
                           _FLOW_BLOWUP, _SLOPE_FLOOR)
    return q, sweeps, ("converged", "limit", "diverged")[code]


@njit(cache=True)
def _fan_at(k: int, q: float, kind: np.ndarray, coef: np.ndarray, start: np.ndarray,
            count: np.ndarray, tq: np.ndarray, tp: np.ndarray) -> tuple[float, float]:
    """Fan pressure (Pa) and slope (Pa s/m³) of branch ``k`` at ``q`` m³/s, as :class:`Fan`."""
    if kind[k] == 1:
        return coef[k, 0] + coef[k, 1] * q + coef[k, 2] * q * q, coef[k, 1] + 2 * coef[k, 2] * q
    if kind[k] == 0:
        return 0.0, 0.0
    j = start[k]
    last = start[k] + count[k] - 2
    while j < last and q >= tq[j + 1]:
        j += 1
    slope = (tp[j + 1] - tp[j]) / (tq[j + 1] - tq[j])
    return tp[j] + slope * (q - tq[j]), slope


@njit(cache=True)
def _sweeps(indptr: np.ndarray, indices: np.ndarray, signs: np.ndarray, free: np.ndarray,
            r: np.ndarray, nvp: np.ndarray, kind: np.ndarray, coef: np.ndarray,
            start: np.ndarray, count: np.ndarray, tq: np.ndarray, tp: np.ndarray,
            flows: np.ndarray, q: np.ndarray, tol: float, limit: int, blowup: float,
            floor: float) -> tuple[int, int]:
    """Hardy Cross in place on ``flows`` and ``q``: ``(sweeps, 0 converged | 1 limit | 2
    diverged)``; each sweep corrects the free meshes in turn, then checks every closure."""
    for sweep in range(1, limit + 1):
        for m in free:
            closure = 0.0
            slope = 0.0
            for i in range(indptr[m], indptr[m + 1]):
                k = indices[i]
                f = flows[k]
                p, dp = _fan_at(k, f, kind, coef, start, count, tq, tp)
                closure += signs[i] * (r[k] * f * abs(f) - nvp[k] - p)
                slope += 2.0 * r[k] * abs(f) - dp
            delta = -closure / (max(slope, 0.0) + floor)
            q[m] += delta
            for i in range(indptr[m], indptr[m + 1]):
                flows[indices[i]] += signs[i] * delta
        # Converged when every mesh closes after the sweep, not while it was being corrected.
        worst = 0.0
        for m in free:
            closure = 0.0
            for i in range(indptr[m], indptr[m + 1]):
                k = indices[i]
                f = flows[k]
                p, _dp = _fan_at(k, f, kind, coef, start, count, tq, tp)
                closure += signs[i] * (r[k] * f * abs(f) - nvp[k] - p)
            worst = max(worst, abs(closure))
        if worst <= tol:
            return sweep, 0
        if not np.isfinite(worst) or np.abs(flows).max() > blowup:
            return sweep, 2
    return limit, 1


def _solution(system: _System, q: np.ndarray, flows: np.ndarray, iterations: int,
              method: str) -> Solution:
    network = system.network
    names = [b.name for b in network.branches]
    h = system.loss(flows)
    closure = system.meshes @ h
    extra = np.zeros(len(names))
    regulators: dict[str, float] = {}
    for m in system.fixed_chords:
        k = int(system.chord_branch[m])
        drop = -float(closure[m])
        if drop < -1e-9 * max(1.0, abs(float(closure[m]))) - 1e-6:
            raise ValidationError(Problem(_(
                "regulator %(name)s would have to push air (%(p)s Pa): it needs a booster fan, "
                "not a regulator", name=names[k], p=f"{drop:.1f}")))
        extra[k] = max(drop, 0.0)
        regulators[names[k]] = float(extra[k])
    total = h + extra
    residual = np.abs(system.meshes @ total)
    pressures = _node_pressures(system, total)
    fans: dict[str, tuple[float, float]] = {}
    warnings: dict[str, list[str]] = {}
    for k, fan in system.fans:
        p = float(fan.pressure(flows[k:k + 1])[0])
        fans[names[k]] = (float(flows[k]), p)
        if found := fan.warnings(float(flows[k])):
            warnings[names[k]] = found
    scale = max(1e-9, float(np.abs(flows).max()))
    return Solution(
        flows=dict(zip(names, flows.tolist(), strict=True)),
        pressure_drops=dict(zip(names, (system.r * flows * np.abs(flows)).tolist(),
                                strict=True)),
        fans=fans, fan_warnings=warnings, regulators=regulators,
        node_pressures=dict(zip(network.nodes, pressures.tolist(), strict=True)),
        reversals=[n for n, f in zip(names, flows, strict=True) if f < -1e-9 * scale],
        iterations=iterations,
        max_residual_pa=float(residual.max()) if len(residual) else 0.0,
        max_node_imbalance_m3s=float(np.abs(system.incidence @ flows).max()),
        method=method,
        efficiencies={names[k]: fan.efficiency for k, fan in system.fans})


def _node_pressures(system: _System, total: np.ndarray) -> np.ndarray:
    """Junction pressures relative to the first, from tree branches: ``p_to = p_from − loss``."""
    tb = np.flatnonzero(system.tree)
    sub = system.incidence[:, tb]
    # Tree incidence minus the reference row is square and non-singular.
    a = sub[1:, :].T.tocsc()
    n = system.incidence.shape[0]
    out = np.zeros(n)
    if n > 1:
        out[1:] = spsolve(a, total[tb])
    return out
