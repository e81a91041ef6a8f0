"""Plant circuits by version: a circuit saved with a survey is reconciled on saving and the
result kept with it (:mod:`aurum.processing.reconcile`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum.core.errors import (
    NotFoundError,
    Problem,
    ValidationError,
)
from aurum.core.i18n import _
from aurum.core.jsonsafe import finite
from aurum.processing.circuit import circuit_from_mapping, circuit_to_mapping
from aurum.processing.reconcile import ALPHA, Reconciliation, reconcile
from aurum.services import registry
from aurum.services.auth import Actor
from aurum.services.processing import records
from aurum.services.processing.common import _month
from aurum.store.models import (
    PlantCircuit,
)


def save_circuit(session: Session, actor: Actor, site_code: str, name: str,
                 mapping: Mapping[str, Any], period: str | None = None,
                 note: str | None = None, source: str | None = None,
                 alpha: float = ALPHA) -> PlantCircuit:
    """Save a new version of a plant's circuit; reconcile it when it carries a survey.

    Parameters
    ----------
    site_code : str
        The plant.
    name : str
        Name of the circuit (``"CIL"``, ``"flotation"``); versions count per name.
    mapping : mapping
        Nodes, streams and measurements as in ``aurum processing reconcile`` (masses in t or
        t/d, assays in g/t).
    period : str, optional
        Month of the survey, ``YYYY-MM``.
    note : str, optional
        What changed.
    source : str, optional
        File name for the messages.
    alpha : float
        Significance level of the gross-error tests.

    Raises
    ------
    ValidationError
        On a bad circuit (unknown node, sd <= 0, unobservable system, ...); nothing is saved.
    """
    site = registry.get_writable_site(session, actor, site_code)
    name = name.strip()
    if not name:
        raise ValidationError(Problem(_("a circuit needs a name"), column="name",
                                      source=source))
    problems: list[Problem] = []
    label = _month(period, problems, None, source) if period else None
    if problems:
        raise ValidationError(problems)
    circuit = circuit_from_mapping(mapping, source)
    result = None
    if circuit.measurements:
        result = reconciliation_document(reconcile(circuit, alpha=alpha))
    version = (session.scalar(select(func.max(PlantCircuit.version)).where(
        PlantCircuit.site_id == site.id, PlantCircuit.name == name)) or 0) + 1
    saved = PlantCircuit(site_id=site.id, name=name, version=version, period=label,
                         definition=finite(circuit_to_mapping(circuit)),
                         reconciliation=result, note=note, created_by=actor.user_id or None)
    session.add(saved)
    session.flush()
    records.refresh(session, [site.id])
    return saved


def reconciliation_document(result: Reconciliation) -> dict[str, Any]:
    """A reconciliation as stored with its circuit: the contract JSON (``summary``) and every
    measured or estimated variable (``variables``: stream, field, measured, estimate, sds in t
    or g/t, measurement test and gross-error flag)."""
    frame = result.measurements_frame()
    return finite({"summary": result.as_dict(),
                   "variables": frame.astype(object).where(frame.notna(), None)
                   .to_dict(orient="records")})


def circuits(session: Session, actor: Actor, site_code: str) -> list[PlantCircuit]:
    """Every circuit version of a site, by name then version."""
    site = registry.get_site(session, actor, site_code)
    return list(session.scalars(select(PlantCircuit).where(PlantCircuit.site_id == site.id)
                                .order_by(PlantCircuit.name, PlantCircuit.version)))


def get_circuit(session: Session, actor: Actor, circuit_id: int) -> PlantCircuit:
    """One circuit version the actor may read."""
    circuit = session.get(PlantCircuit, circuit_id)
    if circuit is None or not actor.can_read_site(circuit.site):
        raise NotFoundError(_("no circuit %(id)s", id=circuit_id))
    return circuit
