"""Hypocentre and origin time from P and S picks, in the mine's local grid.

Method: a global grid search over a box (the stations' box with a margin by default) on the
sum of absolute residuals, the origin time eliminated at every node (weighted median of
observed minus predicted times); then an octree search (the cells of highest likelihood ×
volume split into eight, round after round, down to a metre); then a weighted least-squares
refinement of (x, y, z, t0) with SciPy's ``least_squares`` (robust soft-L1 loss by default)
from the best cell, and from the best cell of a second basin when there is one (the mirror
solutions of a nearly flat array). Travel times of the coarse grid are computed once per
locator and reused for every event; the misfit over the nodes is one numba kernel (no
Python loop over nodes). The search is written here because ObsPy has no locator, and
NonLinLoc is an external program working through files.

Outputs per event: position, origin time, RMS residual, residual per pick, covariance and
an error ellipsoid at a chosen confidence, azimuthal gap. Station corrections (s, per
station and phase) estimated from calibration blasts of known position are added to the
predicted times.

Conventions: times in seconds from any common epoch (POSIX seconds when they come from
miniSEED or QuakeML); coordinates in metres, ``z`` up; weights in [0, 1].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from scipy.stats import chi2

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.seismic._tables import Table, read_table
from aurum.seismic.inventory import Inventory
from aurum.seismic.velocity import PHASES, HomogeneousModel, VelocityModel, travel_times

PICK_COLUMNS = ["event", "station", "phase", "time", "weight"]
"""Columns of a picks frame: event id, station code, ``P``/``S``, time (s), weight (0–1)."""

EVENT_COLUMNS = ["event", "x", "y", "z", "t0", "rms", "n_picks", "n_stations", "gap_deg",
                 "semi_major_m", "semi_intermediate_m", "semi_minor_m", "major_azimuth_deg",
                 "major_plunge_deg", "horizontal_std_m", "vertical_std_m", "t0_std_s"]
"""Columns of a located-events frame (m, s, degrees)."""

SECOND_BASIN_RATIO = 1.5
"""A second basin is refined too when its best misfit is within this factor of the best."""
RESIDUAL_COLUMNS = ["event", "station", "phase", "time", "weight", "predicted", "residual"]


@dataclass(frozen=True)
class SearchVolume:
    """A box of the grid where hypocentres are searched.

    Parameters
    ----------
    lower, upper : tuple of float
        Opposite corners (x, y, z), m.
    """

    lower: tuple[float, float, float]
    upper: tuple[float, float, float]

    def __post_init__(self) -> None:
        if any(hi <= lo for lo, hi in zip(self.lower, self.upper, strict=True)):
            raise ValidationError(Problem(_("search volume upper corner %(upper)s must "
                                            "exceed lower corner %(lower)s (m)",
                                            upper=self.upper, lower=self.lower)))

    @classmethod
    def around(cls, positions: np.ndarray, margin_m: float | None = None) -> SearchVolume:
        """The stations' bounding box widened by a margin on every side.

        Parameters
        ----------
        positions : numpy.ndarray
            Station coordinates, shape (n, 3), m.
        margin_m : float, optional
            Margin, m; default half the largest side of the box, at least 100 m.
        """
        lo, hi = positions.min(axis=0), positions.max(axis=0)
        margin = max(0.5 * float((hi - lo).max()), 100.0) if margin_m is None else margin_m
        return cls(tuple(map(float, lo - margin)), tuple(map(float, hi + margin)))  # type: ignore[arg-type]

    def grid(self, n_nodes: int) -> tuple[np.ndarray, float]:
        """A regular grid of about ``n_nodes`` nodes filling the box: nodes (n, 3) and
        spacing, m."""
        lo, hi = np.asarray(self.lower), np.asarray(self.upper)
        spacing = float(np.prod(hi - lo) / n_nodes) ** (1.0 / 3.0)
        axes = [np.linspace(a, b, max(int(np.ceil((b - a) / spacing)) + 1, 2))
                for a, b in zip(lo, hi, strict=True)]
        nodes = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
        return nodes, spacing


@dataclass(frozen=True)
class LocateSettings:
    """How events are located.

    Parameters
    ----------
    min_stations : int
        Fewest distinct stations with a usable pick (4: three coordinates and a time).
    pick_std_s : float
        A priori standard error of a pick of weight 1, s; the covariance uses the larger of
        it and the a posteriori residual scatter.
    confidence : float
        Probability content of the error ellipsoid (0.68: one sigma in 3D terms).
    coarse_nodes : int
        Nodes of the global search grid.
    finest_spacing_m : float
        The octree stops splitting cells at this size, m.
    octree_iterations : int
        Rounds of octree splitting.
    octree_split : int
        Cells split per round.
    loss : str
        Loss of the least-squares refinement (SciPy names: ``linear``, ``soft_l1``,
        ``huber``...), scaled by ``pick_std_s``; the robust default limits the pull of a
        wrong pick.
    """

    min_stations: int = 4
    pick_std_s: float = 0.001
    confidence: float = 0.68
    coarse_nodes: int = 20_000
    finest_spacing_m: float = 1.0
    octree_iterations: int = 40
    octree_split: int = 16
    loss: str = "soft_l1"


@dataclass(frozen=True)
class ErrorEllipsoid:
    """Confidence ellipsoid of a hypocentre.

    Parameters
    ----------
    semi_axes : numpy.ndarray
        Semi-axis lengths, largest first, m.
    axes : numpy.ndarray
        Unit vectors of the axes as columns (x east, y north, z up), shape (3, 3).
    confidence : float
        Probability content.
    """

    semi_axes: np.ndarray
    axes: np.ndarray
    confidence: float

    @property
    def major_azimuth_deg(self) -> float:
        """Azimuth of the major axis, degrees clockwise from grid north (0–180)."""
        v = self.axes[:, 0]
        return float(np.degrees(np.arctan2(v[0], v[1])) % 180.0)

    @property
    def major_plunge_deg(self) -> float:
        """Plunge of the major axis below the horizontal, degrees (0–90)."""
        v = self.axes[:, 0]
        return float(np.degrees(np.arcsin(min(abs(v[2]), 1.0))))


@dataclass(frozen=True)
class Hypocentre:
    """A located event.

    Parameters
    ----------
    event : object
        Event id.
    position : numpy.ndarray
        (x, y, z), m.
    t0 : float
        Origin time, s.
    rms : float
        Root mean square of the residuals of the weighted picks, s.
    residuals : pandas.DataFrame
        One row per pick used: station, phase, time, weight, predicted and residual (s).
    covariance : numpy.ndarray
        Covariance of (x, y, z, t0), m² and s².
    ellipsoid : ErrorEllipsoid
        Confidence ellipsoid of the position.
    gap_deg : float
        Largest azimuthal gap between stations seen from the epicentre, degrees.
    """

    event: object
    position: np.ndarray
    t0: float
    rms: float
    residuals: pd.DataFrame
    covariance: np.ndarray
    ellipsoid: ErrorEllipsoid
    gap_deg: float

    def row(self) -> dict[str, object]:
        """The event as a row of :data:`EVENT_COLUMNS`."""
        e = self.ellipsoid
        var = np.diag(self.covariance)
        return {"event": self.event, "x": float(self.position[0]),
                "y": float(self.position[1]), "z": float(self.position[2]), "t0": self.t0,
                "rms": self.rms, "n_picks": len(self.residuals),
                "n_stations": int(self.residuals["station"].nunique()),
                "gap_deg": self.gap_deg, "semi_major_m": float(e.semi_axes[0]),
                "semi_intermediate_m": float(e.semi_axes[1]),
                "semi_minor_m": float(e.semi_axes[2]), "major_azimuth_deg": e.major_azimuth_deg,
                "major_plunge_deg": e.major_plunge_deg,
                "horizontal_std_m": float(np.sqrt(var[0] + var[1])),
                "vertical_std_m": float(np.sqrt(var[2])), "t0_std_s": float(np.sqrt(var[3]))}


@dataclass
class LocationResult:
    """Located events of a batch with the problems met.

    Parameters
    ----------
    events : pandas.DataFrame
        :data:`EVENT_COLUMNS`, one row per located event.
    residuals : pandas.DataFrame
        :data:`RESIDUAL_COLUMNS`, one row per pick used.
    problems : list of Problem
        Picks or events left out, and why.
    """

    events: pd.DataFrame
    residuals: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


@numba.njit(cache=True)
def _node_misfit(tt: np.ndarray, column: np.ndarray, t_obs: np.ndarray,
                 w: np.ndarray) -> np.ndarray:
    """Weighted sum of absolute residuals at every node, the origin time eliminated (the
    weighted median of observed minus predicted times). L1, not L2: one wrong pick moves a
    grid search's answer far less."""
    n_nodes = tt.shape[0]
    n = t_obs.size
    out = np.empty(n_nodes)
    half = 0.5 * w.sum()
    r = np.empty(n)
    rs = np.empty(n)
    ws = np.empty(n)
    for i in range(n_nodes):
        for k in range(n):
            r[k] = t_obs[k] - tt[i, column[k]]
            # insertion sort of (residual, weight): a few dozen picks, no allocation
            j = k
            while j > 0 and rs[j - 1] > r[k]:
                rs[j] = rs[j - 1]
                ws[j] = ws[j - 1]
                j -= 1
            rs[j] = r[k]
            ws[j] = w[k]
        acc = 0.0
        t0 = rs[n - 1]
        for k in range(n):
            acc += ws[k]
            if acc >= half:
                t0 = rs[k]
                break
        m = 0.0
        for k in range(n):
            m += w[k] * abs(r[k] - t0)
        out[i] = m
    return out


def _gap_deg(epicentre: np.ndarray, stations: np.ndarray) -> float:
    az = np.sort(np.degrees(np.arctan2(stations[:, 0] - epicentre[0],
                                       stations[:, 1] - epicentre[1])) % 360.0)
    if az.size < 2:
        return 360.0
    return float(np.max(np.diff(np.append(az, az[0] + 360.0))))


class Locator:
    """Locates events recorded by one set of stations through one velocity model.

    Parameters
    ----------
    inventory : Inventory
        Station positions, m.
    model : HomogeneousModel or LayeredModel
        Velocities, m/s.
    volume : SearchVolume, optional
        Where to search; default :meth:`SearchVolume.around` the stations.
    settings : LocateSettings, optional
        Search and error settings.
    corrections : pandas.DataFrame, optional
        Station corrections: ``station, phase, correction`` (s, added to predicted times),
        as :func:`station_corrections` returns them.
    """

    def __init__(self, inventory: Inventory, model: VelocityModel,
                 volume: SearchVolume | None = None, settings: LocateSettings | None = None,
                 corrections: pd.DataFrame | None = None):
        if not inventory.stations:
            raise ValidationError(Problem(_("no station to locate with")))
        self.inventory = inventory
        self.model = model
        self.settings = settings or LocateSettings()
        self.codes = inventory.codes
        self.positions = inventory.positions()
        self.volume = volume or SearchVolume.around(self.positions)
        self._index = {c: i for i, c in enumerate(self.codes)}
        n = len(self.codes)
        self._correction = np.zeros(2 * n)
        if corrections is not None:
            for station, phase, correction in corrections[
                    ["station", "phase", "correction"]].itertuples(index=False, name=None):
                if station in self._index and str(phase).upper() in PHASES:
                    col = self._index[str(station)] + n * PHASES.index(str(phase).upper())
                    self._correction[col] = float(correction)
        self._nodes: np.ndarray | None = None
        self._table: np.ndarray | None = None
        self._spacing = 0.0

    def _times(self, nodes: np.ndarray) -> np.ndarray:
        """Predicted times (travel time + correction) of every (station, phase) column, s."""
        tt = np.hstack([travel_times(self.model, ph, nodes, self.positions) for ph in PHASES])
        return tt + self._correction

    def _coarse(self) -> tuple[np.ndarray, np.ndarray]:
        if self._nodes is None or self._table is None:
            self._nodes, self._spacing = self.volume.grid(self.settings.coarse_nodes)
            self._table = np.ascontiguousarray(self._times(self._nodes))
        return self._nodes, self._table

    def _columns(self, picks: pd.DataFrame) -> np.ndarray:
        n = len(self.codes)
        return np.array([self._index[s] + n * PHASES.index(p)
                         for s, p in zip(picks["station"], picks["phase"], strict=True)],
                        dtype=np.int64)

    def locate(self, event: object, picks: pd.DataFrame) -> Hypocentre:
        """Locate one event from its checked picks.

        Parameters
        ----------
        event : object
            Event id.
        picks : pandas.DataFrame
            ``station, phase, time`` (s) and ``weight`` (0–1) of the event; stations known
            to the inventory, phases ``P``/``S``, weights > 0, at least
            ``settings.min_stations`` stations (see :meth:`locate_all`, which checks).

        Returns
        -------
        Hypocentre
        """
        column = self._columns(picks)
        t_obs = np.array(picks["time"], dtype=float)
        w = np.array(picks["weight"], dtype=float)
        t_ref = float(t_obs.min())
        t_rel = t_obs - t_ref  # keeps the misfit sums well conditioned for POSIX times
        lo, hi = np.asarray(self.volume.lower), np.asarray(self.volume.upper)
        starts = self._octree(column, t_rel, w, lo, hi)

        def predicted(p: np.ndarray) -> np.ndarray:
            return self._times(p[:3].reshape(1, 3))[0, column] + p[3]

        sqrt_w = np.sqrt(w)
        fits = []
        for start in starts:
            t0_start = float(np.average(t_rel - self._times(start.reshape(1, 3))[0, column],
                                        weights=w))
            fits.append(least_squares(
                lambda p: sqrt_w * (t_rel - predicted(p)), np.append(start, t0_start),
                jac=lambda p: -sqrt_w[:, None] * self._gradient(p, column, predicted),
                loss=self.settings.loss, f_scale=self.settings.pick_std_s,
                x_scale=np.array([10.0, 10.0, 10.0, 1e-3]),
                bounds=(np.append(lo, -np.inf), np.append(hi, np.inf))))
        fit = min(fits, key=lambda f: f.cost)
        p = fit.x
        pred = predicted(p)
        residual = t_rel - pred
        rms = float(np.sqrt(np.average(residual ** 2, weights=w)))
        covariance = self._covariance(self._gradient(p, column, predicted), residual, w)
        ellipsoid = _ellipsoid(covariance[:3, :3], self.settings.confidence)
        table_out = picks[["station", "phase", "time", "weight"]].reset_index(drop=True)
        table_out = table_out.assign(predicted=pred + t_ref, residual=residual)
        used = self.positions[np.unique(column % len(self.codes))]
        return Hypocentre(event, p[:3].copy(), float(p[3] + t_ref), rms, table_out,
                          covariance, ellipsoid, _gap_deg(p[:2], used))

    def _octree(self, column: np.ndarray, t_rel: np.ndarray, w: np.ndarray, lo: np.ndarray,
                hi: np.ndarray) -> list[np.ndarray]:
        """Starting points of the refinement: the coarse grid, then repeated splitting of the
        cells of highest likelihood × volume into 8 (an octree search, as NonLinLoc's), down
        to ``finest_spacing_m``. Returns the best cell and, when its misfit is comparable,
        the best cell of another basin (more than two coarse spacings away)."""
        nodes, table = self._coarse()
        n0, k = len(nodes), self.settings.octree_split
        capacity = n0 + 8 * k * self.settings.octree_iterations
        centres = np.empty((capacity, 3))
        centres[:n0] = nodes
        sizes = np.zeros(capacity)
        sizes[:n0] = self._spacing
        misfit = np.full(capacity, np.inf)  # a split cell or an empty slot: never chosen
        misfit[:n0] = _node_misfit(table, column, t_rel, w)
        n = n0
        children = np.array([[i, j, k] for i in (-1, 1) for j in (-1, 1) for k in (-1, 1)],
                            float) / 4.0
        sw = float(w.sum())
        log_size = np.log(np.maximum(sizes, 1e-300))
        for _step in range(self.settings.octree_iterations):
            # Laplace likelihood; its scale: the a priori pick error, or the best fit's own
            # mean absolute residual
            scale = max(self.settings.pick_std_s, float(misfit[:n].min()) / sw)
            score = -misfit[:n] / scale + 3.0 * log_size[:n]
            top = np.argpartition(-score, k)[:k] if n > k else np.arange(n)
            top = top[(sizes[top] / 2.0 >= self.settings.finest_spacing_m)
                      & np.isfinite(misfit[top])]
            if top.size == 0:
                break
            new = np.clip((centres[top, None, :] + children[None, :, :]
                           * sizes[top, None, None]).reshape(-1, 3), lo, hi)
            m = len(new)
            centres[n:n + m] = new
            sizes[n:n + m] = np.repeat(sizes[top] / 2.0, 8)
            log_size[n:n + m] = np.log(sizes[n:n + m])
            misfit[n:n + m] = _node_misfit(np.ascontiguousarray(self._times(new)), column,
                                           t_rel, w)
            misfit[top] = np.inf
            n += m
        centres, misfit = centres[:n], misfit[:n]
        i = int(np.argmin(misfit))
        far = np.flatnonzero(np.linalg.norm(centres - centres[i], axis=1) > 2.0 * self._spacing)
        starts = [centres[i]]
        if far.size:
            j = far[int(np.argmin(misfit[far]))]
            if misfit[j] <= SECOND_BASIN_RATIO * misfit[i]:
                starts.append(centres[j])
        return starts

    def _gradient(self, p: np.ndarray, column: np.ndarray,
                  predicted: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Derivatives of the predicted times by (x, y, z, t0): in closed form for a
        homogeneous model, by central differences through layers."""
        if isinstance(self.model, HomogeneousModel):
            n = len(self.codes)
            offset = p[:3] - self.positions[column % n]
            distance = np.maximum(np.linalg.norm(offset, axis=1), 1e-9)
            slowness = np.where(column < n, 1.0 / self.model.vp, 1.0 / self.model.vs)
            return np.column_stack((offset * (slowness / distance)[:, None],
                                    np.ones(column.size)))
        steps = np.array([0.01, 0.01, 0.01, 1e-6])
        jac = np.empty((column.size, 4))
        for k in range(4):  # 4 parameters, not a loop over data
            dp = np.zeros(4)
            dp[k] = steps[k]
            jac[:, k] = (predicted(p + dp) - predicted(p - dp)) / (2.0 * steps[k])
        return jac

    def _covariance(self, jac: np.ndarray, residual: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Covariance of (x, y, z, t0) from the derivatives at the solution, scaled by the
        larger of the a priori pick variance and the residuals' own."""
        wn = w / w.mean()
        dof = residual.size - 4
        variance = self.settings.pick_std_s ** 2
        if dof > 0:
            variance = max(variance, float(np.sum(wn * residual ** 2)) / dof)
        normal = jac.T @ (wn[:, None] * jac)
        return variance * np.linalg.pinv(normal)

    def check_picks(self, picks: pd.DataFrame, source: str = "picks"
                    ) -> tuple[dict[object, pd.DataFrame], list[Problem]]:
        """Split picks by event, leaving out what cannot be used, with a problem for each.

        Parameters
        ----------
        picks : pandas.DataFrame
            ``event, station, phase, time`` (s) and optionally ``weight`` (0–1, default 1).
        source : str
            Name of the picks' origin, for the messages.

        Returns
        -------
        usable : dict
            Event id → its usable picks.
        problems : list of Problem
            Picks at a station missing from the inventory, unknown phases, times that are
            not numbers, zero weights, repeated (station, phase) picks (the first is kept),
            events with picks at fewer than ``settings.min_stations`` stations.
        """
        frame = picks.copy()
        if "weight" not in frame.columns:
            frame["weight"] = 1.0
        frame["station"] = frame["station"].astype(str).str.strip()
        frame["phase"] = frame["phase"].astype(str).str.strip().str.upper()
        frame["time"] = pd.to_numeric(frame["time"], errors="coerce")
        frame["weight"] = pd.to_numeric(frame["weight"], errors="coerce")
        frame["_row"] = np.arange(len(frame)) + 2
        problems: list[Problem] = []

        def drop(mask: pd.Series, message: Callable[[dict[Any, Any]], str],
                 column: str) -> None:
            nonlocal frame
            for r in frame[mask].to_dict("records"):
                problems.append(Problem(_("event %(event)s: %(problem)s; pick left out",
                                          event=r["event"], problem=message(r)),
                                        row=int(r["_row"]), column=column, source=source))
            frame = frame[~mask]

        drop(~frame["station"].isin(self._index), lambda r: _(
            "station %(station)r is not in the inventory", station=r["station"]), "station")
        drop(~frame["phase"].isin(PHASES), lambda r: _(
            "phase %(phase)r is not P or S", phase=r["phase"]), "phase")
        drop(~np.isfinite(frame["time"]), lambda r: _("time is not a number (s)"), "time")
        drop(~(frame["weight"] > 0), lambda r: _("weight %(weight)s is not > 0",
                                                 weight=r["weight"]), "weight")
        drop(frame.duplicated(["event", "station", "phase"]), lambda r: _(
            "second %(phase)s pick at station %(station)s", phase=r["phase"],
            station=r["station"]), "phase")
        usable: dict[object, pd.DataFrame] = {}
        for event, rows in frame.groupby("event", sort=False):
            n = rows["station"].nunique()
            if n < self.settings.min_stations:
                problems.append(Problem(_(
                    "event %(event)s: picks at %(n)s station(s), at least %(needed)s needed "
                    "to locate; event skipped", event=event, n=n,
                    needed=self.settings.min_stations), source=source))
                continue
            usable[event] = rows.drop(columns="_row").reset_index(drop=True)
        return usable, problems

    def locate_all(self, picks: pd.DataFrame, source: str = "picks",
                   progress: Callable[[int, int], None] | None = None) -> LocationResult:
        """Locate every event of a picks frame; bad picks and events are reported, not fatal.

        Parameters
        ----------
        picks : pandas.DataFrame
            ``event, station, phase, time`` (s), optional ``weight`` (0–1).
        source : str
            Name of the picks' origin, for the messages.
        progress : callable, optional
            Called as ``progress(done, total)`` after each event.

        Returns
        -------
        LocationResult
        """
        usable, problems = self.check_picks(picks, source)
        rows, residuals = [], []
        for i, (event, event_picks) in enumerate(usable.items()):
            try:
                hypo = self.locate(event, event_picks)
            except (np.linalg.LinAlgError, ValueError) as exc:
                problems.append(Problem(_("event %(event)s: location failed (%(error)s)",
                                          event=event, error=exc),
                                        source=source))
                continue
            rows.append(hypo.row())
            table = hypo.residuals.copy()
            table["event"] = np.full(len(table), event, dtype=object)
            residuals.append(table)
            if progress is not None:
                progress(i + 1, len(usable))
        events = pd.DataFrame(rows, columns=EVENT_COLUMNS)
        res = (pd.concat(residuals, ignore_index=True)[RESIDUAL_COLUMNS] if residuals
               else pd.DataFrame(columns=RESIDUAL_COLUMNS))
        return LocationResult(events, res, problems)


def _ellipsoid(covariance_xyz: np.ndarray, confidence: float) -> ErrorEllipsoid:
    values, vectors = np.linalg.eigh(0.5 * (covariance_xyz + covariance_xyz.T))
    order = np.argsort(values)[::-1]
    scale = chi2.ppf(confidence, 3)
    return ErrorEllipsoid(np.sqrt(np.clip(values[order], 0.0, None) * scale),
                          vectors[:, order], confidence)


def read_picks_csv(table: Table) -> tuple[pd.DataFrame, str]:
    """Picks from a CSV file: ``event, station, phase, time`` (s), optional ``weight``.

    Parameters
    ----------
    table : path or DataFrame
        The file or an equivalent frame.

    Returns
    -------
    picks : pandas.DataFrame
        The picks (``time`` float s; rows with bad values are kept here and reported by
        :meth:`Locator.check_picks`, so one bad row does not stop the batch).
    source : str
        File name for messages.
    """
    frame, source = read_table(table, ["event", "station", "phase", "time"], what=_("picks"))
    frame["time"] = pd.to_numeric(frame["time"], errors="coerce")
    if "weight" in frame.columns:
        frame["weight"] = pd.to_numeric(frame["weight"], errors="coerce")
    return frame, source


def station_corrections(picks: pd.DataFrame, blasts: pd.DataFrame, inventory: Inventory,
                        model: VelocityModel) -> pd.DataFrame:
    """Station corrections from calibration blasts of known position.

    The correction of a (station, phase) is the weighted mean, over blasts, of observed minus
    predicted arrival time; when a blast's firing time is not given (column ``t0`` absent or
    NaN), it is taken as the weighted mean of observed minus travel time over that blast's
    picks, so its corrections are relative (they sum to zero per blast).

    Parameters
    ----------
    picks : pandas.DataFrame
        ``event, station, phase, time`` (s), optional ``weight``.
    blasts : pandas.DataFrame
        ``event, x, y, z`` (m) and optionally ``t0`` (s, firing time).
    inventory : Inventory
        Station positions, m.
    model : HomogeneousModel or LayeredModel
        Velocities, m/s.

    Returns
    -------
    pandas.DataFrame
        ``station, phase, correction`` (s), ``n`` (blasts used), ``std`` (s).
    """
    blasts = blasts.drop_duplicates("event").reset_index(drop=True)
    frame = picks.merge(blasts.reset_index(names="_blast"), on="event", how="inner")
    frame["phase"] = frame["phase"].astype(str).str.strip().str.upper()
    frame = frame[frame["station"].isin(inventory.codes) & frame["phase"].isin(PHASES)].copy()
    if frame.empty:
        raise ValidationError(Problem(_("no P or S pick of a calibration blast at a known "
                                        "station")))
    weight = np.array(frame["weight"], float) if "weight" in frame else np.ones(len(frame))
    xyz = blasts[["x", "y", "z"]].to_numpy(float)
    station_index = {c: i for i, c in enumerate(inventory.codes)}
    blast_row = np.array(frame["_blast"], dtype=np.int64)
    station_col = np.array([station_index[c] for c in frame["station"]], dtype=np.int64)
    tables = {ph: travel_times(model, ph, xyz, inventory.positions()) for ph in PHASES}
    travel = np.where(np.array(frame["phase"] == "P"), tables["P"][blast_row, station_col],
                      tables["S"][blast_row, station_col])
    frame["delay"] = np.array(frame["time"], float) - travel
    frame["w"] = weight
    t0 = frame["t0"] if "t0" in frame else pd.Series(np.nan, index=frame.index)
    mean_delay = (frame["delay"] * frame["w"]).groupby(frame["event"]).transform("sum") \
        / frame["w"].groupby(frame["event"]).transform("sum")
    frame["residual"] = frame["delay"] - t0.fillna(mean_delay)
    frame["wr"] = frame["w"] * frame["residual"]
    out = frame.groupby(["station", "phase"], sort=True).agg(
        wr=("wr", "sum"), w=("w", "sum"), n=("event", "nunique"),
        std=("residual", "std")).reset_index()
    out["correction"] = out["wr"] / out["w"]
    return out[["station", "phase", "correction", "n", "std"]]
