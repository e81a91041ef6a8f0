"""Proficiency testing of the gold metrology and testing centre (issue 22): reference
materials, rounds, the laboratories' results and each round's statistics.

Who does what:

- the centre's work (registering reference materials, opening and closing rounds) is done
  by an administrator or a national regulator (:data:`ORGANISERS`, a regulator with no
  province);
- a laboratory (an organisation of type ``laboratory``) submits its own results while a
  round is open, through its enterprise users (an administrator may enter them for it).
  Results are a ledger: a second submission is a new entry superseding the first, never an
  update;
- closing a round computes its statistics (:func:`aurum.metrology.scores.evaluate`: the
  reference material's certified value or Algorithm A's consensus, σ_pt by the round's
  rule, z, z′, ζ, E_n and flags) from the results current then, stored with the newest
  entry they include; pages and the API read them, nothing is computed on a read;
- administrators, regulators and auditors see laboratories by name; a laboratory sees the
  others by their participant code (``P01``…, in the order they first submitted) and
  itself by name; a laboratory's history is readable by itself and by the readers (a
  provincial regulator: the laboratories of its province).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, get_args

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum import __version__
from aurum.core import i18n
from aurum.core.checks import Interval
from aurum.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    Problem,
    ValidationError,
)
from aurum.core.jsonsafe import finite
from aurum.industry.registry import OrgType
from aurum.metrology.scores import FLAGS, SIGMA_PT_RULES, evaluate, z_prime_advised
from aurum.services.auth import Actor, Role
from aurum.store.models import (
    MetrologyReferenceMaterial,
    MetrologyResult,
    MetrologyRound,
    MetrologyStatistics,
    Organisation,
)

Method = Literal["fire_assay", "icp_oes", "icp_ms", "aas", "xrf"]
METHODS: tuple[str, ...] = get_args(Method)
"""Assay methods a round is run for (fire assay with gravimetric finish, ICP-OES, ICP-MS,
atomic absorption, X-ray fluorescence)."""
OPEN, CLOSED = "open", "closed"
READERS = frozenset({Role.ADMIN, Role.REGULATOR, Role.AUDITOR})
"""Who sees every laboratory by name."""
PAGE_ROLES = READERS | {Role.ENTERPRISE}
"""Who opens the metrology pages."""
VALUES = Interval(-1e9, 1e9)
"""A result or a certified value, in its unit."""
UNCERTAINTIES = Interval(0.0, 1e9)
"""A standard or expanded uncertainty, in its unit."""
COVERAGE = Interval(1.0, 10.0)
"""A coverage factor k."""
SIGMA_VALUES = Interval(1e-9, 1e9)
"""A fixed σ_pt (the round's unit) or a percentage of the assigned value (%)."""
MAX_CODE, MAX_NAME, MAX_NOTE, MAX_SHORT = 32, 200, 500, 64
"""Longest code, name, note and matrix/analyte texts, characters."""
MAX_ROUNDS_LISTED = 500
"""Rounds the index lists, at most (the newest)."""
MAX_MATERIALS_LISTED = 1000
"""Reference materials the registry lists, at most (by code)."""


def is_organiser(actor: Actor) -> bool:
    """Whether ``actor`` does the centre's work: an administrator or a national regulator."""
    return actor.role is Role.ADMIN or (actor.role is Role.REGULATOR and actor.province is None)


def _require_organiser(actor: Actor) -> None:
    if not is_organiser(actor):
        raise PermissionDenied(i18n._("the metrology centre's work needs an administrator or "
                                      "a national regulator"))


def _require_page_role(actor: Actor) -> None:
    actor.require_role(*PAGE_ROLES)


def _text(value: str | None, column: str, longest: int, problems: list[Problem],
          optional: bool = False) -> str | None:
    text = (value or "").strip()
    if optional and not text:
        return None
    if not text or len(text) > longest:
        problems.append(Problem(i18n._("expected a text of 1 to %(n)s characters", n=longest),
                                column=column))
    return text


def _number(value: float | None, column: str, bounds: Interval, problems: list[Problem],
            optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if value is None or not isinstance(value, int | float) or not math.isfinite(value) \
            or not bounds.contains(value):
        problems.append(Problem(i18n._("expected %(what)s, got %(value)s",
                                       what=bounds.describe(), value=repr(value)),
                                column=column))
        return None
    return float(value)


# --- reference materials -------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialSpec:
    """A reference material as registered (values in ``unit``; ``expanded_uncertainty``
    at coverage factor ``coverage_factor``)."""

    code: str
    name: str
    name_zh: str | None
    matrix: str
    analyte: str
    unit: str
    certified_value: float
    expanded_uncertainty: float
    coverage_factor: float
    producer: str
    note: str = ""


def create_reference_material(session: Session, actor: Actor, spec: MaterialSpec
                              ) -> MetrologyReferenceMaterial:
    """Register a reference material (organisers only).

    Raises
    ------
    PermissionDenied
        Not an organiser.
    ValidationError
        Every problem of ``spec`` (a code already used, a negative uncertainty, ...).
    """
    _require_organiser(actor)
    problems: list[Problem] = []
    code = _text(spec.code, "code", MAX_CODE, problems)
    fields = {"name": _text(spec.name, "name", MAX_NAME, problems),
              "name_zh": _text(spec.name_zh, "name_zh", MAX_NAME, problems, optional=True),
              "matrix": _text(spec.matrix, "matrix", MAX_SHORT, problems),
              "analyte": _text(spec.analyte, "analyte", MAX_SHORT, problems),
              "unit": _text(spec.unit, "unit", 16, problems),
              "producer": _text(spec.producer, "producer", MAX_NAME, problems),
              "note": (spec.note or "").strip()[:MAX_NOTE],
              "certified_value": _number(spec.certified_value, "certified_value", VALUES,
                                         problems),
              "expanded_uncertainty": _number(spec.expanded_uncertainty,
                                              "expanded_uncertainty", UNCERTAINTIES, problems),
              "coverage_factor": _number(spec.coverage_factor, "coverage_factor", COVERAGE,
                                         problems)}
    if code and session.scalar(select(MetrologyReferenceMaterial.id).where(
            MetrologyReferenceMaterial.code == code)) is not None:
        problems.append(Problem(i18n._("reference material %(code)s exists already",
                                       code=repr(code)), column="code"))
    if problems:
        raise ValidationError(problems)
    row = MetrologyReferenceMaterial(code=code, created_by=actor.user_id or None, **fields)
    session.add(row)
    session.flush()
    return row


def reference_materials(session: Session, actor: Actor) -> list[MetrologyReferenceMaterial]:
    """The reference materials by code, at most :data:`MAX_MATERIALS_LISTED` (the registry
    is public to the page roles)."""
    _require_page_role(actor)
    return list(session.scalars(select(MetrologyReferenceMaterial)
                                .order_by(MetrologyReferenceMaterial.code)
                                .limit(MAX_MATERIALS_LISTED)))


def material_record(row: MetrologyReferenceMaterial) -> dict[str, Any]:
    """A reference material as the API gives it: its standard uncertainty ``u`` = U / k."""
    return {"code": row.code, "name": row.name, "matrix": row.matrix, "analyte": row.analyte,
            "unit": row.unit, "certified_value": row.certified_value,
            "expanded_uncertainty": row.expanded_uncertainty,
            "coverage_factor": row.coverage_factor,
            "u": row.expanded_uncertainty / row.coverage_factor, "producer": row.producer,
            "note": row.note}


# --- rounds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundSpec:
    """A round as opened: ``reference_material`` a code, or None for a consensus value;
    ``sigma_pt_value`` the fixed σ_pt (``unit``) or the percentage (%) its rule needs."""

    code: str
    name: str
    name_zh: str | None
    analyte: str
    unit: str
    method: str
    matrix: str
    reference_material: str | None
    sigma_pt_rule: str
    sigma_pt_value: float | None
    opens_on: date
    closes_on: date


def create_round(session: Session, actor: Actor, spec: RoundSpec) -> MetrologyRound:
    """Open a proficiency-test round (organisers only).

    Raises
    ------
    PermissionDenied
        Not an organiser.
    ValidationError
        Every problem: a code already used, an unknown method, rule or reference material,
        a reference material of another unit, a σ_pt value missing for its rule, closing
        before opening.
    """
    _require_organiser(actor)
    problems: list[Problem] = []
    code = _text(spec.code, "code", MAX_CODE, problems)
    fields: dict[str, Any] = {
        "name": _text(spec.name, "name", MAX_NAME, problems),
        "name_zh": _text(spec.name_zh, "name_zh", MAX_NAME, problems, optional=True),
        "analyte": _text(spec.analyte, "analyte", MAX_SHORT, problems),
        "unit": _text(spec.unit, "unit", 16, problems),
        "matrix": _text(spec.matrix, "matrix", MAX_SHORT, problems)}
    if spec.method not in METHODS:
        problems.append(Problem(i18n._("expected one of %(options)s", options=", ".join(
            METHODS)), column="method"))
    if spec.sigma_pt_rule not in SIGMA_PT_RULES:
        problems.append(Problem(i18n._("expected one of %(options)s", options=", ".join(
            SIGMA_PT_RULES)), column="sigma_pt_rule"))
    sigma_value = None
    if spec.sigma_pt_rule != "robust_sd":
        sigma_value = _number(spec.sigma_pt_value, "sigma_pt_value", SIGMA_VALUES, problems)
    if spec.closes_on < spec.opens_on:
        problems.append(Problem(i18n._("the round closes (%(end)s) before it opens "
                                       "(%(start)s)", end=spec.closes_on, start=spec.opens_on),
                                column="closes_on"))
    material = None
    if spec.reference_material:
        material = session.scalar(select(MetrologyReferenceMaterial).where(
            MetrologyReferenceMaterial.code == spec.reference_material))
        if material is None:
            problems.append(Problem(i18n._("no reference material %(code)s",
                                           code=repr(spec.reference_material)),
                                    column="reference_material"))
        elif material.unit != fields["unit"]:
            problems.append(Problem(i18n._("the reference material is certified in %(rm)s, "
                                           "the round reports in %(unit)s", rm=material.unit,
                                           unit=fields["unit"]), column="unit"))
    if code and session.scalar(select(MetrologyRound.id).where(MetrologyRound.code == code)
                               ) is not None:
        problems.append(Problem(i18n._("round %(code)s exists already", code=repr(code)),
                                column="code"))
    if problems:
        raise ValidationError(problems)
    row = MetrologyRound(code=code, method=spec.method, sigma_pt_rule=spec.sigma_pt_rule,
                         sigma_pt_value=sigma_value, opens_on=spec.opens_on,
                         closes_on=spec.closes_on, status=OPEN,
                         reference_material_id=material.id if material else None,
                         created_by=actor.user_id or None, **fields)
    session.add(row)
    session.flush()
    return row


def get_round(session: Session, actor: Actor, code: str) -> MetrologyRound:
    """A round by code (rounds are public to the page roles), else NotFoundError."""
    _require_page_role(actor)
    row = session.scalar(select(MetrologyRound).where(MetrologyRound.code == code))
    if row is None:
        raise NotFoundError(i18n._("no proficiency-test round %(code)s", code=repr(code)))
    return row


def rounds(session: Session, actor: Actor) -> list[MetrologyRound]:
    """The rounds, the latest to close first (at most :data:`MAX_ROUNDS_LISTED`)."""
    _require_page_role(actor)
    return list(session.scalars(select(MetrologyRound).order_by(
        MetrologyRound.closes_on.desc(), MetrologyRound.code).limit(MAX_ROUNDS_LISTED)))


def round_record(row: MetrologyRound) -> dict[str, Any]:
    """A round as the API lists it (its statistics' summary when closed)."""
    stats = row.statistics
    return {"code": row.code, "name": row.name, "analyte": row.analyte, "unit": row.unit,
            "method": row.method, "matrix": row.matrix,
            "reference_material": row.reference_material.code if row.reference_material
            else None, "sigma_pt_rule": row.sigma_pt_rule,
            "sigma_pt_value": row.sigma_pt_value, "opens_on": row.opens_on,
            "closes_on": row.closes_on, "status": row.status,
            "participants": None if stats is None else stats.n_results,
            "flags": None if stats is None else flag_counts(stats.scores)}


def flag_counts(scores: list[dict[str, Any]]) -> dict[str, int]:
    """How many laboratories hold each z flag in a round's stored scores."""
    return {f: sum(1 for s in scores if s["flag"] == f) for f in FLAGS}


# --- results -------------------------------------------------------------------------------


def _laboratory(session: Session, actor: Actor, lab_code: str | None) -> Organisation:
    """The laboratory ``actor`` submits for: ``lab_code``, or its own when it has one."""
    if lab_code is None:
        own = [] if actor.org_ids is None else list(session.scalars(
            select(Organisation).where(Organisation.id.in_(actor.org_ids),
                                       Organisation.org_type == OrgType.LABORATORY.value)))
        if len(own) != 1:
            raise ValidationError(Problem(i18n._("name the laboratory the result is for"),
                                          column="lab"))
        return own[0]
    org = session.scalar(select(Organisation).where(Organisation.code == lab_code))
    if org is None or not actor.can_read_owner(org.id, org.province):
        raise NotFoundError(i18n._("no laboratory %(code)s", code=repr(lab_code)))
    if org.org_type != OrgType.LABORATORY.value:
        raise ValidationError(Problem(i18n._("%(code)s is not a testing laboratory",
                                             code=repr(lab_code)), column="lab"))
    return org


def current_results(session: Session, round_id: int) -> list[MetrologyResult]:
    """A round's current results: each laboratory's newest entry, in the order the
    laboratories first submitted."""
    entries = list(session.scalars(select(MetrologyResult).where(
        MetrologyResult.round_id == round_id).order_by(MetrologyResult.id)))
    first: dict[int, int] = {}
    newest: dict[int, MetrologyResult] = {}
    for e in entries:
        first.setdefault(e.org_id, e.id)
        newest[e.org_id] = e
    return sorted(newest.values(), key=lambda e: first[e.org_id])


def submit_result(session: Session, actor: Actor, round_code: str, value: float,
                  uncertainty: float | None = None, lab_code: str | None = None
                  ) -> MetrologyResult:
    """Append a laboratory's result to an open round; a later one supersedes it.

    Parameters
    ----------
    session : Session
        Open session (the caller commits).
    actor : Actor
        A user of the laboratory (or an administrator).
    round_code : str
        The round.
    value : float
        The result, in the round's unit.
    uncertainty : float, optional
        Its standard uncertainty u(x), same unit.
    lab_code : str, optional
        The laboratory; the actor's own by default.

    Raises
    ------
    NotFoundError
        No such round, or a laboratory the actor may not read.
    PermissionDenied
        A laboratory the actor may not write for.
    ConflictError
        The round is closed.
    ValidationError
        A value or uncertainty out of bounds, or an organisation that is no laboratory.
    """
    row = get_round(session, actor, round_code)
    lab = _laboratory(session, actor, lab_code)
    if not actor.can_write_owner(lab.id):
        raise PermissionDenied(i18n._("only the laboratory's own users submit its results"))
    if row.status != OPEN:
        raise ConflictError(i18n._("round %(code)s is closed", code=row.code))
    problems: list[Problem] = []
    x = _number(value, "value", VALUES, problems)
    u = _number(uncertainty, "uncertainty", UNCERTAINTIES, problems, optional=True)
    if problems:
        raise ValidationError(problems)
    previous = session.scalar(select(MetrologyResult).where(
        MetrologyResult.round_id == row.id, MetrologyResult.org_id == lab.id)
        .order_by(MetrologyResult.id.desc()).limit(1))
    entry = MetrologyResult(round_id=row.id, org_id=lab.id, value=x, uncertainty=u,
                            supersedes_id=previous.id if previous else None,
                            created_by=actor.user_id or None)
    session.add(entry)
    session.flush()
    return entry


def close_round(session: Session, actor: Actor, round_code: str) -> MetrologyStatistics:
    """Close a round and store its statistics (module docstring), organisers only.

    Raises
    ------
    PermissionDenied
        Not an organiser.
    ConflictError
        The round is closed already.
    ValidationError
        Too few results for Algorithm A where the round needs it, or σ_pt not positive.
    """
    _require_organiser(actor)
    row = get_round(session, actor, round_code)
    if row.status != OPEN:
        raise ConflictError(i18n._("round %(code)s is closed", code=row.code))
    results = current_results(session, row.id)
    if not results:
        raise ValidationError(Problem(i18n._("round %(code)s has no results", code=row.code)))
    material = row.reference_material
    codes = _participants(len(results))
    try:
        evaluation = evaluate(
            codes, np.array([r.value for r in results]),
            np.array([np.nan if r.uncertainty is None else r.uncertainty for r in results]),
            assigned=material.certified_value if material else None,
            u_assigned=material.expanded_uncertainty / material.coverage_factor
            if material else None, sigma_pt_rule=row.sigma_pt_rule,
            sigma_pt_value=row.sigma_pt_value)
    except ValidationError as exc:
        raise ValidationError([Problem(p.message, p.row, p.column, row.code)
                               for p in exc.problems]) from exc
    robust = evaluation.robust
    scores = [{"org_id": r.org_id, "participant": s.lab, "value": s.value,
               "uncertainty": s.uncertainty, "z": s.z, "z_prime": s.z_prime, "zeta": s.zeta,
               "en": s.en, "flag": s.flag, "z_prime_flag": s.z_prime_flag,
               "zeta_flag": s.zeta_flag, "en_flag": s.en_flag}
              for r, s in zip(results, evaluation.labs, strict=True)]
    stats = MetrologyStatistics(
        round_id=row.id, data_version=max(r.id for r in results), source=evaluation.source,
        assigned_value=evaluation.assigned_value, u_assigned=evaluation.u_assigned,
        robust_mean=None if robust is None else robust.x_star,
        robust_sd=None if robust is None else robust.s_star, sigma_pt=evaluation.sigma_pt,
        n_results=len(results), iterations=None if robust is None else robust.iterations,
        converged=None if robust is None else robust.converged, scores=finite(scores),
        code_version=__version__)
    session.add(stats)
    row.status = CLOSED
    session.flush()
    return stats


# --- views ---------------------------------------------------------------------------------


def sees_names(actor: Actor) -> bool:
    """Whether ``actor`` sees every laboratory by name (else by participant code)."""
    return actor.role in READERS


def _names(session: Session, org_ids: set[int]) -> dict[int, Organisation]:
    if not org_ids:
        return {}
    return {o.id: o for o in session.scalars(select(Organisation).where(
        Organisation.id.in_(org_ids)))}


def _participants(n: int) -> list[str]:
    """The participant codes of a round's ``n`` laboratories, in the order they first
    submitted: ``P01``, ``P02``…"""
    return [f"P{k:02d}" for k in range(1, n + 1)]


def shown_scores(session: Session, actor: Actor, stats: MetrologyStatistics
                 ) -> list[dict[str, Any]]:
    """A round's stored scores as ``actor`` may see them (:func:`_as_seen`)."""
    return _as_seen(session, actor, stats.scores)


def received_results(session: Session, actor: Actor, current: list[MetrologyResult]
                     ) -> list[dict[str, Any]]:
    """An open round's current results (:func:`current_results`) as ``actor`` may see them
    (:func:`_as_seen`, with the codes the round's scores will carry): ``value`` and
    ``uncertainty`` in the round's unit, no scores. A laboratory sees only its own: it may
    still submit, and no participant's result may steer another's before the round
    closes."""
    rows = [{"org_id": r.org_id, "participant": p, "value": r.value,
             "uncertainty": r.uncertainty}
            for r, p in zip(current, _participants(len(current)), strict=True)]
    if not sees_names(actor):
        rows = [r for r in rows if actor.org_ids is not None and r["org_id"] in actor.org_ids]
    return _as_seen(session, actor, rows)


def _as_seen(session: Session, actor: Actor, rows: list[dict[str, Any]]
             ) -> list[dict[str, Any]]:
    """Rows of laboratories (``org_id``, ``participant``…) as ``actor`` may see them: ``lab``
    the laboratory's code and ``name`` its name for the readers and for the laboratory
    itself, else the participant code; ``own`` marks the actor's laboratory; ``org_id``
    left out."""
    orgs = _names(session, {s["org_id"] for s in rows})
    named = sees_names(actor)
    out = []
    for s in rows:
        own = actor.org_ids is not None and s["org_id"] in actor.org_ids
        org = orgs.get(s["org_id"])
        show = (named or own) and org is not None
        out.append({k: v for k, v in s.items() if k != "org_id"} | {
            "lab": org.code if show and org else s["participant"],
            "name": org.name if show and org else s["participant"], "own": own})
    return out


@dataclass(frozen=True)
class RoundView:
    """What a round's page shows: the round, its reference material, its statistics with
    the scores as the actor may see them, the actor's own current results while it is open,
    how many laboratories have submitted, what the actor may do, and while it is open the
    results received so far as the actor may see them (:func:`received_results`)."""

    round: MetrologyRound
    material: MetrologyReferenceMaterial | None
    statistics: MetrologyStatistics | None
    scores: list[dict[str, Any]]
    own_results: list[MetrologyResult]
    submitted: int
    can_submit: bool
    can_close: bool
    received: list[dict[str, Any]] = field(default_factory=list)

    @property
    def z_prime_advised(self) -> bool:
        """Whether the assigned value's uncertainty is large enough (u > 0.3 σ_pt) that
        ISO 13528 advises reading z′ rather than z."""
        s = self.statistics
        return s is not None and z_prime_advised(s.u_assigned, s.sigma_pt)


def round_view(session: Session, actor: Actor, code: str) -> RoundView:
    """A round's page (:class:`RoundView`), read from the store."""
    row = get_round(session, actor, code)
    stats = row.statistics
    current = current_results(session, row.id) if stats is None else []
    own_labs = [] if actor.org_ids is None else list(session.scalars(select(Organisation.id)
                .where(Organisation.id.in_(actor.org_ids),
                       Organisation.org_type == OrgType.LABORATORY.value)))
    own = [r for r in current if r.org_id in own_labs]
    can_submit = row.status == OPEN and (actor.role is Role.ADMIN or (
        actor.role is Role.ENTERPRISE and bool(own_labs)))
    return RoundView(row, row.reference_material, stats,
                     [] if stats is None else shown_scores(session, actor, stats), own,
                     len(current) if stats is None else stats.n_results, can_submit,
                     row.status == OPEN and is_organiser(actor),
                     received_results(session, actor, current))


def round_detail(session: Session, actor: Actor, code: str) -> dict[str, Any]:
    """A round with its statistics (when closed) as the API gives it."""
    view = round_view(session, actor, code)
    s = view.statistics
    return round_record(view.round) | {"statistics": None if s is None else {
        "data_version": s.data_version, "source": s.source,
        "assigned_value": s.assigned_value, "u_assigned": s.u_assigned,
        "robust_mean": s.robust_mean, "robust_sd": s.robust_sd, "sigma_pt": s.sigma_pt,
        "n_results": s.n_results, "iterations": s.iterations, "converged": s.converged,
        "code_version": s.code_version, "computed_at": s.created_at,
        "labs": view.scores}}


def result_record(row: MetrologyResult) -> dict[str, Any]:
    """A result entry as the API gives it."""
    return {"id": row.id, "lab": row.laboratory.code, "value": row.value,
            "uncertainty": row.uncertainty, "supersedes": row.supersedes_id,
            "created_at": row.created_at}


def readable_laboratory(session: Session, actor: Actor, code: str) -> Organisation:
    """A laboratory whose history ``actor`` may read: its own users, and the readers (a
    provincial regulator within its province); else NotFoundError."""
    _require_page_role(actor)
    org = session.scalar(select(Organisation).where(
        Organisation.code == code, Organisation.org_type == OrgType.LABORATORY.value))
    if org is None or not actor.can_read_owner(org.id, org.province) or (
            actor.role is Role.ENTERPRISE and actor.org_ids is None):
        raise NotFoundError(i18n._("no laboratory %(code)s", code=repr(code)))
    return org


def lab_history(session: Session, actor: Actor, code: str) -> tuple[Organisation,
                                                                     list[dict[str, Any]]]:
    """A laboratory and its scores in every closed round, oldest first: ``round``,
    ``name``, ``method``, ``unit``, ``closes_on``, ``participant``, ``value``, ``z``,
    ``z_prime``, ``zeta``, ``en``, ``flag``, ``assigned_value``, ``sigma_pt``."""
    org = readable_laboratory(session, actor, code)
    rounds_in = session.scalars(
        select(MetrologyRound).join(MetrologyStatistics)
        .where(MetrologyRound.id.in_(select(MetrologyResult.round_id).where(
            MetrologyResult.org_id == org.id)))
        .order_by(MetrologyRound.closes_on, MetrologyRound.code))
    history = []
    for r in rounds_in:
        stats = r.statistics
        mine = next((s for s in stats.scores if s["org_id"] == org.id), None) if stats else None
        if stats is None or mine is None:
            continue
        history.append({"round": r.code, "name": r.name, "method": r.method, "unit": r.unit,
                        "closes_on": r.closes_on, "participant": mine["participant"],
                        "value": mine["value"], "z": mine["z"], "z_prime": mine["z_prime"],
                        "zeta": mine["zeta"], "en": mine["en"], "flag": mine["flag"],
                        "assigned_value": stats.assigned_value, "sigma_pt": stats.sigma_pt})
    return org, history


def laboratories(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The laboratories ``actor`` may read the history of, with how many rounds they took
    part in: ``code``, ``name``, ``province``, ``rounds``."""
    _require_page_role(actor)
    if actor.role is Role.ENTERPRISE and actor.org_ids is None:
        return []
    stmt = (select(Organisation, func.count(func.distinct(MetrologyResult.round_id)))
            .outerjoin(MetrologyResult, MetrologyResult.org_id == Organisation.id)
            .where(Organisation.org_type == OrgType.LABORATORY.value)
            .group_by(Organisation.id).order_by(Organisation.code))
    condition = actor.owner_condition(Organisation.id, Organisation.province)
    if condition is not None:
        stmt = stmt.where(condition)
    return [{"code": o.code, "name": o.name, "province": o.province, "rounds": n}
            for o, n in session.execute(stmt)]
