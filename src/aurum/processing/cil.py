"""CIL/CIP circuits: a steady-state model of a series of leach and adsorption tanks.

Each tank is perfectly mixed; pulp flows from tank 1 to tank N, carbon is advanced
counter-currently through the tanks that hold carbon (fresh carbon enters the last of them,
loaded carbon leaves the first). A CIP circuit is the same series with no carbon in the
leach tanks.

Stated model (per tank n, residence time ``τ_n = V_n / Q_pulp``, h):

* **Leaching**, first order toward an unleachable residue ``G∞`` (g/t), with a rate that
  depends on the free cyanide: ``r = k_L (CN_n / CN_ref)^β (G_n − G∞)`` per t of solids and h;
  steady state gives ``G_n = (G_{n−1} + k τ G∞) / (1 + k τ)``.
* **Cyanide** in solution decays at first order ``k_CN`` (consumption by the ore, oxidation,
  volatilisation): ``CN_n = (Q_l CN_{n−1} + 1000 A_n) / (Q_l (1 + k_CN τ_n))`` with ``A_n`` the
  NaCN added to the tank (kg/h).
* **Adsorption**, Fleming's k–K rate law ``R = k (K C_n − Q_n)`` (g Au per t of carbon per h,
  ``C`` in mg/L, ``Q`` the carbon loading in g/t, ``K`` in (g/t)/(mg/L)), on the carbon
  inventory ``M_c = carbon concentration × V`` of the tank. With the leach grades known, the
  solution and carbon balances of all tanks are linear in ``C`` and ``Q``: one small linear
  solve gives the whole profile.

Calibration fits ``k_L``, ``G∞``, ``k``, ``K`` and ``k_CN`` (any subset) to surveyed tank
profiles by weighted least squares (``scipy.optimize.least_squares`` on the logarithms, which
keeps them > 0); the standard deviations come from the Jacobian at the optimum.

Units: solids in t/h, solution in m³/h (1 t/m³), carbon in t/h, volumes in m³, carbon
concentrations in g/L of pulp, grades in g/t, solution gold and cyanide in mg/L (= g/m³),
cyanide as NaCN, additions in kg/h, rates in 1/h.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import gettext

PROFILE_COLUMNS = ("solids_gpt", "solution_mg_l", "carbon_gpt", "cyanide_mg_l")
"""Columns of a tank survey (one row per tank, NaN = not measured)."""


@dataclass(frozen=True)
class TankSeries:
    """Operating conditions of a CIL/CIP tank series.

    Parameters
    ----------
    volume_m3 : numpy.ndarray
        Live pulp volume of each tank, m³.
    carbon_g_l : numpy.ndarray
        Carbon concentration of each tank, g/L of pulp (0 for a leach-only tank).
    cyanide_kg_h : numpy.ndarray
        NaCN added to each tank, kg/h.
    solids_t_h : float
        Dry solids feed, t/h.
    solution_m3_h : float
        Solution in the pulp, m³/h.
    carbon_t_h : float
        Carbon advanced, t/h (> 0 when a tank holds carbon).
    feed_solids_gpt : float
        Gold in the feed solids, g/t.
    feed_solution_mg_l : float
        Gold in the feed solution, mg/L.
    feed_cyanide_mg_l : float
        NaCN in the feed solution, mg/L.
    carbon_in_gpt : float
        Gold on the fresh (regenerated) carbon, g/t.
    solids_density_t_m3 : float
        Density of the dry solids, t/m³ (for the pulp volume flow).
    """

    volume_m3: np.ndarray
    carbon_g_l: np.ndarray
    cyanide_kg_h: np.ndarray
    solids_t_h: float
    solution_m3_h: float
    carbon_t_h: float
    feed_solids_gpt: float
    feed_solution_mg_l: float = 0.0
    feed_cyanide_mg_l: float = 0.0
    carbon_in_gpt: float = 0.0
    solids_density_t_m3: float = 2.7

    def __post_init__(self) -> None:
        for name in ("volume_m3", "carbon_g_l", "cyanide_kg_h"):
            object.__setattr__(self, name, np.atleast_1d(np.asarray(getattr(self, name),
                                                                     dtype=float)))
        problems = []
        n = len(self.volume_m3)
        for name in ("volume_m3", "carbon_g_l", "cyanide_kg_h"):
            arr = getattr(self, name)
            if arr.shape != (n,):
                problems.append(Problem(gettext("%(name)s: expected %(n)s values, one per tank, "
                                                "got %(got)s", name=name, n=n, got=arr.size),
                                        column=name))
            elif not (np.isfinite(arr) & (arr >= 0)).all():
                problems.append(Problem(gettext("%(name)s: expected finite numbers >= 0",
                                                name=name), column=name))
        if n and not (self.volume_m3 > 0).all():
            problems.append(Problem(gettext("volume_m3: every tank needs a volume > 0"),
                                    column="volume_m3"))
        for name in ("solids_t_h", "solution_m3_h", "solids_density_t_m3"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                problems.append(Problem(gettext("%(name)s = %(value)s: expected a number > 0",
                                                name=name, value=value),
                                        column=name))
        for name in ("carbon_t_h", "feed_solids_gpt", "feed_solution_mg_l",
                     "feed_cyanide_mg_l", "carbon_in_gpt"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value >= 0):
                problems.append(Problem(gettext("%(name)s = %(value)s: expected a number >= 0",
                                                name=name, value=value),
                                        column=name))
        if not problems and (self.carbon_g_l > 0).any() and self.carbon_t_h <= 0:
            problems.append(Problem(gettext("carbon_t_h: tanks hold carbon, so carbon must be "
                                            "advanced (> 0 t/h)"), column="carbon_t_h"))
        if problems:
            raise ValidationError(problems)

    @property
    def pulp_m3_h(self) -> float:
        """Pulp volume flow, m³/h."""
        return self.solids_t_h / self.solids_density_t_m3 + self.solution_m3_h

    @property
    def residence_h(self) -> np.ndarray:
        """Residence time of the pulp in each tank, h."""
        return self.volume_m3 / self.pulp_m3_h


@dataclass(frozen=True)
class Kinetics:
    """Rate constants of the tank model (module docstring).

    Parameters
    ----------
    leach_rate_per_h : float
        ``k_L``, 1/h, at the reference cyanide concentration.
    residue_gpt : float
        ``G∞``, unleachable gold in the solids, g/t.
    adsorption_rate_per_h : float
        Fleming's ``k``, 1/h.
    adsorption_constant : float
        Fleming's ``K``, (g/t on carbon) per (mg/L in solution).
    cyanide_decay_per_h : float
        ``k_CN``, first-order consumption of cyanide in solution, 1/h.
    cyanide_order : float
        ``β``, order of the leach rate in free cyanide (0: independent), dimensionless.
    cyanide_reference_mg_l : float
        ``CN_ref``, NaCN concentration at which the leach rate is ``k_L``, mg/L.
    """

    leach_rate_per_h: float
    residue_gpt: float
    adsorption_rate_per_h: float
    adsorption_constant: float
    cyanide_decay_per_h: float = 0.0
    cyanide_order: float = 0.0
    cyanide_reference_mg_l: float = 300.0

    def __post_init__(self) -> None:
        problems = [Problem(gettext("%(name)s = %(value)s: expected a finite number >= 0",
                                    name=f.name, value=getattr(self, f.name)),
                            column=f.name) for f in fields(self)
                    if not (np.isfinite(getattr(self, f.name)) and getattr(self, f.name) >= 0)]
        if not problems and self.cyanide_reference_mg_l <= 0:
            problems.append(Problem(gettext("cyanide_reference_mg_l: expected a number > 0"),
                                    column="cyanide_reference_mg_l"))
        if problems:
            raise ValidationError(problems)


@dataclass(frozen=True)
class TankProfile:
    """Steady state of a tank series.

    Parameters
    ----------
    residence_h : numpy.ndarray
        Residence time per tank, h.
    cyanide_mg_l : numpy.ndarray
        NaCN in solution per tank, mg/L.
    solids_gpt : numpy.ndarray
        Gold in the solids leaving each tank, g/t.
    solution_mg_l : numpy.ndarray
        Gold in solution per tank, mg/L.
    carbon_gpt : numpy.ndarray
        Gold on the carbon per tank, g/t (NaN where there is no carbon).
    loaded_carbon_gpt : float
        Gold on the carbon leaving the circuit, g/t.
    gold_in_g_h : float
        Gold entering (solids, solution, fresh carbon), g/h.
    gold_on_carbon_g_h : float
        Gold recovered on carbon (loaded − fresh), g/h.
    solids_loss_g_h, solution_loss_g_h : float
        Gold leaving in the tailings solids and solution, g/h.
    dissolution : float
        Fraction of the feed solids' gold leached (1 − G_N / G_0).
    recovery : float
        Gold recovered on carbon / gold in the feed solids and solution (fraction).
    cyanide_consumed_kg_t : float
        NaCN added minus NaCN gained by the solution, kg per t of solids.
    """

    residence_h: np.ndarray
    cyanide_mg_l: np.ndarray
    solids_gpt: np.ndarray
    solution_mg_l: np.ndarray
    carbon_gpt: np.ndarray
    loaded_carbon_gpt: float
    gold_in_g_h: float
    gold_on_carbon_g_h: float
    solids_loss_g_h: float
    solution_loss_g_h: float
    dissolution: float
    recovery: float
    cyanide_consumed_kg_t: float

    def to_frame(self) -> pd.DataFrame:
        """One row per tank: ``residence_h`` and the :data:`PROFILE_COLUMNS`."""
        return pd.DataFrame({"tank": np.arange(1, len(self.solids_gpt) + 1),
                             "residence_h": self.residence_h, "solids_gpt": self.solids_gpt,
                             "solution_mg_l": self.solution_mg_l,
                             "carbon_gpt": self.carbon_gpt,
                             "cyanide_mg_l": self.cyanide_mg_l})


def simulate(series: TankSeries, kinetics: Kinetics) -> TankProfile:
    """Steady-state profile of a tank series (model in the module docstring).

    Parameters
    ----------
    series : TankSeries
        Operating conditions (t/h, m³/h, m³, g/L, g/t, mg/L, kg/h).
    kinetics : Kinetics
        Rate constants (1/h, g/t, (g/t)/(mg/L)).

    Returns
    -------
    TankProfile
    """
    tau = series.residence_h
    n = len(tau)
    ql, qs, fc = series.solution_m3_h, series.solids_t_h, series.carbon_t_h
    # Cyanide and leaching proceed tank by tank downstream (a handful of tanks).
    cyanide = np.empty(n)
    solids = np.empty(n)
    cn_prev, g_prev = series.feed_cyanide_mg_l, series.feed_solids_gpt
    for i in range(n):
        cn_prev = (ql * cn_prev + 1000.0 * series.cyanide_kg_h[i]) \
            / (ql * (1.0 + kinetics.cyanide_decay_per_h * tau[i]))
        cyanide[i] = cn_prev
        rate = kinetics.leach_rate_per_h * (cn_prev / kinetics.cyanide_reference_mg_l) \
            ** kinetics.cyanide_order
        g_prev = (g_prev + rate * tau[i] * kinetics.residue_gpt) / (1.0 + rate * tau[i])
        solids[i] = g_prev
    leached = qs * (np.concatenate([[series.feed_solids_gpt], solids[:-1]]) - solids)  # g/h
    # Solution (n unknowns C) and carbon (one Q per carbon tank) balances: linear.
    carbon_tanks = np.flatnonzero(series.carbon_g_l > 0)
    nc = len(carbon_tanks)
    adsorb = kinetics.adsorption_rate_per_h * series.carbon_g_l * series.volume_m3 / 1000.0
    K = kinetics.adsorption_constant
    M = np.zeros((n + nc, n + nc))
    rhs = np.zeros(n + nc)
    q_index = {int(t): n + i for i, t in enumerate(carbon_tanks)}
    for i in range(n):
        M[i, i] = -(ql + adsorb[i] * K)
        if i:
            M[i, i - 1] = ql
        else:
            rhs[i] -= ql * series.feed_solution_mg_l
        rhs[i] -= leached[i]
        if i in q_index:
            M[i, q_index[i]] = adsorb[i]
    for k, t in enumerate(carbon_tanks):
        row = n + k
        M[row, t] = adsorb[t] * K
        M[row, row] = -(fc + adsorb[t])
        if k + 1 < nc:
            M[row, row + 1] = fc
        else:
            rhs[row] -= fc * series.carbon_in_gpt
    x = np.linalg.solve(M, rhs)
    solution = x[:n]
    carbon = np.full(n, np.nan)
    carbon[carbon_tanks] = x[n:]
    loaded = float(x[n]) if nc else series.carbon_in_gpt
    gold_solids_in = qs * series.feed_solids_gpt
    gold_solution_in = ql * series.feed_solution_mg_l
    on_carbon = fc * (loaded - series.carbon_in_gpt) if nc else 0.0
    feed_gold = gold_solids_in + gold_solution_in
    added = float(series.cyanide_kg_h.sum())
    gained = ql * (cyanide[-1] - series.feed_cyanide_mg_l) / 1000.0
    return TankProfile(
        residence_h=tau, cyanide_mg_l=cyanide, solids_gpt=solids, solution_mg_l=solution,
        carbon_gpt=carbon, loaded_carbon_gpt=loaded,
        gold_in_g_h=feed_gold + fc * series.carbon_in_gpt * (nc > 0),
        gold_on_carbon_g_h=on_carbon, solids_loss_g_h=qs * float(solids[-1]),
        solution_loss_g_h=ql * float(solution[-1]),
        dissolution=1.0 - float(solids[-1]) / series.feed_solids_gpt
        if series.feed_solids_gpt > 0 else float("nan"),
        recovery=on_carbon / feed_gold if feed_gold > 0 else float("nan"),
        cyanide_consumed_kg_t=(added - gained) / qs)


def what_if(series: TankSeries, kinetics: Kinetics,
            scenarios: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Run the model for variants of the operating conditions.

    Parameters
    ----------
    series : TankSeries
        Base case.
    kinetics : Kinetics
        Rate constants.
    scenarios : mapping
        Scenario name to the :class:`TankSeries` fields it changes, e.g.
        ``{"more carbon": {"carbon_g_l": [15] * 6}, "less feed": {"solids_t_h": 80.0}}``
        (units as in :class:`TankSeries`; longer residence = lower flows or larger volumes).

    Returns
    -------
    pandas.DataFrame
        One row per scenario, the base case first: ``residence_h`` (total), ``dissolution``,
        ``recovery``, ``tails_solids_gpt``, ``tails_solution_mg_l``, ``loaded_carbon_gpt``,
        ``soluble_loss_g_h``, ``cyanide_consumed_kg_t``.
    """
    rows = []
    for name, changes in {"base": {}, **scenarios}.items():
        profile = simulate(replace(series, **changes), kinetics)
        rows.append({"scenario": name, "residence_h": float(profile.residence_h.sum()),
                     "dissolution": profile.dissolution, "recovery": profile.recovery,
                     "tails_solids_gpt": float(profile.solids_gpt[-1]),
                     "tails_solution_mg_l": float(profile.solution_mg_l[-1]),
                     "loaded_carbon_gpt": profile.loaded_carbon_gpt,
                     "soluble_loss_g_h": profile.solution_loss_g_h,
                     "cyanide_consumed_kg_t": profile.cyanide_consumed_kg_t})
    return pd.DataFrame(rows)


FITTABLE = ("leach_rate_per_h", "residue_gpt", "adsorption_rate_per_h", "adsorption_constant",
            "cyanide_decay_per_h")


@dataclass(frozen=True)
class Calibration:
    """Rate constants fitted to plant surveys.

    Parameters
    ----------
    kinetics : Kinetics
        The fitted constants (the others as given).
    sd : dict of str to float
        Standard deviation of each fitted constant (its unit).
    chi2 : float
        Weighted sum of squared residuals at the optimum (dimensionless).
    n_observations : int
        Survey values used.
    residuals : pandas.DataFrame
        Per survey, tank and quantity: ``observed``, ``model``, ``sd``, ``residual``
        (in sd units).
    """

    kinetics: Kinetics
    sd: dict[str, float]
    chi2: float
    n_observations: int
    residuals: pd.DataFrame = field(repr=False)


def calibrate(surveys: Sequence[tuple[TankSeries, pd.DataFrame]], initial: Kinetics,
              fit: Sequence[str] = FITTABLE[:4],
              relative_sd: Mapping[str, float] | None = None) -> Calibration:
    """Fit rate constants to surveyed tank profiles by weighted least squares.

    Parameters
    ----------
    surveys : sequence of (TankSeries, pandas.DataFrame)
        The operating conditions of each survey and its measured profile: one row per tank,
        columns among :data:`PROFILE_COLUMNS` (g/t, mg/L, g/t, mg/L), NaN = not measured.
    initial : Kinetics
        Starting values (and the values of the constants not fitted).
    fit : sequence of str
        Constants to fit, among :data:`FITTABLE`.
    relative_sd : mapping, optional
        Relative standard deviation of each measured quantity (default 5 % for every one;
        a floor of 1 % of the column's mean keeps near-zero values from dominating).

    Returns
    -------
    Calibration

    Raises
    ------
    ValidationError
        When a constant is not fittable, a survey has the wrong number of rows or an
        unknown column, or there are fewer observations than constants.
    """
    problems = [Problem(gettext("cannot fit %(name)r; expected some of %(known)s", name=name,
                                known=", ".join(FITTABLE)),
                        column=name) for name in fit if name not in FITTABLE]
    rel = {c: 0.05 for c in PROFILE_COLUMNS} | dict(relative_sd or {})
    observed, sds, where = [], [], []
    for k, (series, frame) in enumerate(surveys):
        if len(frame) != len(series.volume_m3):
            problems.append(Problem(gettext("survey %(survey)s: %(rows)s rows for %(tanks)s tanks",
                                            survey=k + 1, rows=len(frame),
                                            tanks=len(series.volume_m3)), row=k + 1))
            continue
        unknown = set(frame.columns) - set(PROFILE_COLUMNS) - {"tank"}
        problems += [Problem(gettext("survey %(survey)s: unknown column %(column)r; expected "
                                     "%(known)s", survey=k + 1, column=c,
                                     known=", ".join(PROFILE_COLUMNS)),
                             row=k + 1, column=str(c))
                     for c in sorted(unknown)]
        for col in PROFILE_COLUMNS:
            if col not in frame.columns:
                continue
            values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
            ok = np.isfinite(values)
            floor = 0.01 * float(np.abs(values[ok]).mean()) if ok.any() else 0.0
            for t in np.flatnonzero(ok):
                observed.append(values[t])
                sds.append(max(rel[col] * abs(values[t]), floor, 1e-12))
                where.append((k, int(t), col))
    if not problems and len(observed) < len(fit):
        problems.append(Problem(gettext("%(values)s survey values for %(constants)s constants: "
                                        "expected at least as many values as constants",
                                        values=len(observed), constants=len(fit))))
    if problems:
        raise ValidationError(problems)
    obs, sd = np.array(observed), np.array(sds)

    def model(theta: np.ndarray) -> np.ndarray:
        kinetics = replace(initial, **dict(zip(fit, map(float, np.exp(theta)), strict=True)))
        frames = [simulate(series, kinetics).to_frame() for series, _ in surveys]
        return np.array([frames[k][col].iloc[t] for k, t, col in where])

    start = np.log(np.maximum([getattr(initial, name) for name in fit], 1e-9))
    result = least_squares(lambda th: (model(th) - obs) / sd, start, method="trf",
                           x_scale="jac")
    constants = [float(v) for v in np.exp(result.x)]
    cov = np.linalg.pinv(result.jac.T @ result.jac)
    fitted = replace(initial, **dict(zip(fit, constants, strict=True)))
    predicted = model(result.x)
    residuals = pd.DataFrame({"survey": [k + 1 for k, _, _ in where],
                              "tank": [t + 1 for _, t, _ in where],
                              "quantity": [c for _, _, c in where], "observed": obs,
                              "model": predicted, "sd": sd, "residual": (predicted - obs) / sd})
    return Calibration(fitted, {name: float(v * np.sqrt(cov[i, i]))
                                for i, (name, v) in enumerate(zip(fit, constants, strict=True))},
                       float(np.sum(result.fun ** 2)), len(obs), residuals)


@dataclass(frozen=True)
class CyanideBalance:
    """Cyanide used by a plant over a period, as NaCN per t of ore.

    Parameters
    ----------
    added_kg_t : float
        NaCN added, kg/t.
    consumed_kg_t : float
        Consumed in the leach (added − left in the tailings solution), kg/t.
    destroyed_kg_t : float
        Destroyed by detoxification (tailings solution − discharge), kg/t.
    discharged_kg_t : float
        Left in the detoxified discharge, kg/t.
    destruction_efficiency : float
        Destroyed / in the tailings solution (fraction; NaN when there was none).
    """

    added_kg_t: float
    consumed_kg_t: float
    destroyed_kg_t: float
    discharged_kg_t: float
    destruction_efficiency: float


def cyanide_balance(ore_t: float, added_kg: float, tails_solution_m3: float,
                    tails_cyanide_mg_l: float, discharge_cyanide_mg_l: float) -> CyanideBalance:
    """Cyanide consumed in leaching and destroyed in detoxification, per t of ore.

    Parameters
    ----------
    ore_t : float
        Ore treated in the period, t.
    added_kg : float
        NaCN added in the period, kg.
    tails_solution_m3 : float
        Solution leaving with the tailings (to detoxification), m³.
    tails_cyanide_mg_l : float
        NaCN in the tailings solution before detoxification, mg/L.
    discharge_cyanide_mg_l : float
        NaCN after detoxification, mg/L.

    Returns
    -------
    CyanideBalance

    Raises
    ------
    ValidationError
        On negative or non-finite inputs, zero ore, more cyanide in the tailings than was
        added, or more after detoxification than before.
    """
    values = {"ore_t": ore_t, "added_kg": added_kg, "tails_solution_m3": tails_solution_m3,
              "tails_cyanide_mg_l": tails_cyanide_mg_l,
              "discharge_cyanide_mg_l": discharge_cyanide_mg_l}
    problems = [Problem(gettext("%(name)s = %(value)s: expected a finite number >= 0", name=k,
                                value=v), column=k)
                for k, v in values.items() if not (np.isfinite(v) and v >= 0)]
    if not problems and ore_t <= 0:
        problems.append(Problem(gettext("ore_t = 0: expected the ore treated (t) > 0"),
                                column="ore_t"))
    in_tails = tails_solution_m3 * tails_cyanide_mg_l / 1000.0  # g/m³ × m³ = g → kg
    discharged = tails_solution_m3 * discharge_cyanide_mg_l / 1000.0
    if not problems and in_tails > added_kg:
        problems.append(Problem(gettext("the tailings solution holds %(held)s kg NaCN, more "
                                        "than the %(added)s kg added",
                                        held=format(in_tails, ",.1f"),
                                        added=format(added_kg, ",.1f")), column="added_kg"))
    if not problems and discharge_cyanide_mg_l > tails_cyanide_mg_l:
        problems.append(Problem(gettext("discharge_cyanide_mg_l = %(after)s exceeds the "
                                        "%(before)s mg/L before detoxification",
                                        after=format(discharge_cyanide_mg_l, "g"),
                                        before=format(tails_cyanide_mg_l, "g")),
                                column="discharge_cyanide_mg_l"))
    if problems:
        raise ValidationError(problems)
    return CyanideBalance(added_kg / ore_t, (added_kg - in_tails) / ore_t,
                          (in_tails - discharged) / ore_t, discharged / ore_t,
                          (in_tails - discharged) / in_tails if in_tails > 0 else float("nan"))


def what_if_from_mapping(data: Any, source: str | None = None
                         ) -> tuple[TankSeries, Kinetics, dict[str, dict[str, Any]]]:
    """Read a what-if run: ``series`` (the :class:`TankSeries` fields), ``kinetics`` (the
    :class:`Kinetics` fields) and optional ``scenarios`` (name → changed series fields).

    Parameters
    ----------
    data : Any
        The parsed YAML or JSON document (units as in :class:`TankSeries` and
        :class:`Kinetics`: m³, g/L, kg/h, t/h, m³/h, g/t, mg/L, 1/h).
    source : str, optional
        File name for the messages.

    Raises
    ------
    ValidationError
        Naming every unknown, missing or bad key.
    """
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise ValidationError(Problem(gettext("expected a mapping with series, kinetics and "
                                              "scenarios"), source=source))
    known = {f.name for f in fields(TankSeries)}

    def section(key: str, cls: type[Any], allowed: set[str]) -> dict[str, Any]:
        part = data.get(key)
        if not isinstance(part, Mapping):
            problems.append(Problem(gettext("%(key)s: expected a mapping of %(kind)s fields",
                                            key=key, kind=cls.__name__),
                                    column=key, source=source))
            return {}
        problems.extend(Problem(gettext("%(key)s: unknown field (expected one of %(known)s)",
                                        key=".".join((key, str(k))),
                                        known=", ".join(sorted(allowed))),
                                column=f"{key}.{k}",
                                source=source) for k in part if k not in allowed)
        return {k: v for k, v in part.items() if k in allowed}

    series_kw = section("series", TankSeries, known)
    kinetics_kw = section("kinetics", Kinetics, {f.name for f in fields(Kinetics)})
    scenarios: dict[str, dict[str, Any]] = {}
    for name, changes in (data.get("scenarios") or {}).items():
        if not isinstance(changes, Mapping):
            problems.append(Problem(gettext("%(key)s: expected a mapping of series fields",
                                            key="scenarios." + str(name)),
                                    column=f"scenarios.{name}", source=source))
            continue
        problems.extend(Problem(gettext("%(key)s: unknown series field",
                                        key=".".join(("scenarios", str(name), str(k)))),
                                column=f"scenarios.{name}.{k}", source=source)
                        for k in changes if k not in known)
        scenarios[str(name)] = dict(changes)
    if problems:
        raise ValidationError(problems)
    try:
        series, kinetics = TankSeries(**series_kw), Kinetics(**kinetics_kw)
        for changes in scenarios.values():
            replace(series, **changes)  # a bad scenario is refused before any is run
    except TypeError as exc:
        raise ValidationError(Problem(gettext("missing field: %(error)s", error=exc),
                                      source=source)) from exc
    except ValidationError as exc:
        raise ValidationError([Problem(p.message, column=p.column, source=source)
                               for p in exc.problems]) from exc
    return series, kinetics, scenarios
