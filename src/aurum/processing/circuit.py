"""Plant circuits: nodes (unit operations), streams between them, and the stream measurements.

A circuit is a directed graph. A node with no incoming or no outgoing stream is a *boundary*
(the ore feed, the tailings dam, the bullion leaving the gold room, ...): nothing is balanced
there. Every other node obeys its balances: what flows in equals what flows out, for the
total mass and for every component (Au, Ag, ...) that is assayed somewhere in the circuit. A
unit whose inventory changes over the period (a stockpile, a surge tank) is balanced by a
stream to or from a boundary node standing for the change of inventory.

Units: stream masses in tonnes (or t/h, t/d: one unit for the whole circuit), assays in g/t
(ppm by mass; at most 1,000,000 g/t, pure metal), so that a stream carries mass × assay grams
of each component.

The YAML form::

    nodes: [feed, mill, {name: cil, kind: cil}, tails, product]
    streams:
      - {name: s1, from: feed, to: mill}
      - ...
    measurements:
      s1: {mass: [1000.0, 15.0], assays: {Au: [3.2, 0.1]}}   # [value, standard deviation]

A node is a name, or a mapping with ``name`` and ``kind`` (one of :class:`NodeKind`; a plain
name that is a kind, such as ``mill``, takes that kind). A stream may have a mass only, assays
only, or no measurement at all; every standard deviation is > 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import gettext

MAX_ASSAY_GPT = 1_000_000.0
"""An assay above 10^6 g/t would be more than pure metal."""


class NodeKind(StrEnum):
    """Kinds of unit operation (they label a node; the balances are the same for all)."""

    FEED = "feed"
    CRUSHER = "crusher"
    MILL = "mill"
    CYCLONE = "cyclone"
    GRAVITY = "gravity"
    FLOTATION = "flotation"
    LEACH = "leach"
    CIL = "cil"
    CIP = "cip"
    ELUTION = "elution"
    ELECTROWINNING = "electrowinning"
    SMELTING = "smelting"
    THICKENER = "thickener"
    TAILINGS = "tailings"
    STOCKPILE = "stockpile"
    PRODUCT = "product"
    JUNCTION = "junction"
    OTHER = "other"


_KINDS = frozenset(k.value for k in NodeKind)


@dataclass(frozen=True)
class Node:
    """A unit operation, or a boundary of the circuit.

    Parameters
    ----------
    name : str
        Unique name.
    kind : NodeKind
        What the unit is.
    """

    name: str
    kind: NodeKind = NodeKind.OTHER


@dataclass(frozen=True)
class Stream:
    """A stream of material from one node to another.

    Parameters
    ----------
    name : str
        Unique name.
    source : str
        Name of the node it leaves.
    target : str
        Name of the node it enters.
    """

    name: str
    source: str
    target: str


@dataclass(frozen=True)
class Measurement:
    """A measured value and its standard deviation (same unit: t for masses, g/t for assays).

    Parameters
    ----------
    value : float
        Measured value, t or g/t.
    sd : float
        Standard deviation of the measurement error, > 0, same unit as ``value``.
    """

    value: float
    sd: float


@dataclass(frozen=True)
class StreamMeasurements:
    """What was measured on one stream.

    Parameters
    ----------
    mass : Measurement or None
        Mass (t), or None when not measured.
    assays : mapping of str to Measurement
        Component name (``"Au"``, ``"Ag"``, ...) to its assay, g/t.
    """

    mass: Measurement | None = None
    assays: Mapping[str, Measurement] = field(default_factory=dict)


@dataclass(frozen=True)
class Circuit:
    """A plant circuit with its measurements, checked on construction.

    Parameters
    ----------
    nodes : tuple of Node
        Unit operations and boundaries.
    streams : tuple of Stream
        Streams between the nodes.
    measurements : mapping of str to StreamMeasurements
        Stream name to what was measured on it; unmeasured streams may be left out.
    source : str or None
        Where the circuit was read from (named in error messages).

    Raises
    ------
    ValidationError
        Listing every problem: duplicate names, a stream from or to an unknown node (or from a
        node to itself), measurements of an unknown stream, a standard deviation <= 0, a
        negative mass, an assay outside [0, 10^6] g/t, a group of nodes with no boundary.
    """

    nodes: tuple[Node, ...]
    streams: tuple[Stream, ...]
    measurements: Mapping[str, StreamMeasurements] = field(default_factory=dict)
    source: str | None = None

    def __post_init__(self) -> None:
        problems = _structure_problems(self) + _measurement_problems(self)
        if not problems:
            problems = _closed_loop_problems(self)
        if problems:
            raise ValidationError(problems)

    @property
    def stream_names(self) -> tuple[str, ...]:
        """Stream names, in the circuit's order."""
        return tuple(s.name for s in self.streams)

    @property
    def components(self) -> tuple[str, ...]:
        """Components assayed on at least one stream, in order of first appearance."""
        seen: dict[str, None] = {}
        for stream in self.streams:
            meas = self.measurements.get(stream.name)
            if meas is not None:
                seen.update(dict.fromkeys(meas.assays))
        return tuple(seen)

    @property
    def boundary_nodes(self) -> tuple[str, ...]:
        """Nodes with no incoming or no outgoing stream (no balance there)."""
        sources = {s.source for s in self.streams}
        targets = {s.target for s in self.streams}
        return tuple(n.name for n in self.nodes if n.name not in sources or n.name not in targets)

    @property
    def balance_nodes(self) -> tuple[str, ...]:
        """Nodes whose balances hold (every node that is not a boundary)."""
        boundary = set(self.boundary_nodes)
        return tuple(n.name for n in self.nodes if n.name not in boundary)

    def incidence(self) -> sparse.csr_array:
        """Balance matrix of the circuit: one row per balance node, one column per stream.

        Returns
        -------
        scipy.sparse.csr_array
            +1 where the stream enters the node, −1 where it leaves it (in − out = 0),
            shape (len(balance_nodes), len(streams)).
        """
        row_of = {name: i for i, name in enumerate(self.balance_nodes)}
        rows, cols, vals = [], [], []
        for j, stream in enumerate(self.streams):
            for node, sign in ((stream.target, 1.0), (stream.source, -1.0)):
                if node in row_of:
                    rows.append(row_of[node])
                    cols.append(j)
                    vals.append(sign)
        return sparse.csr_array((vals, (rows, cols)),
                                shape=(len(row_of), len(self.streams)))

    def measured_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The measurements as arrays, NaN where nothing was measured.

        Returns
        -------
        mass, mass_sd : numpy.ndarray
            Shape (n_streams,), t.
        assays, assays_sd : numpy.ndarray
            Shape (n_streams, n_components), g/t, components as :attr:`components`.
        """
        comps = self.components
        n = len(self.streams)
        mass = np.full(n, np.nan)
        mass_sd = np.full(n, np.nan)
        assays = np.full((n, len(comps)), np.nan)
        assays_sd = np.full((n, len(comps)), np.nan)
        col = {c: k for k, c in enumerate(comps)}
        for j, stream in enumerate(self.streams):
            meas = self.measurements.get(stream.name)
            if meas is None:
                continue
            if meas.mass is not None:
                mass[j], mass_sd[j] = meas.mass.value, meas.mass.sd
            for comp, m in meas.assays.items():
                assays[j, col[comp]], assays_sd[j, col[comp]] = m.value, m.sd
        return mass, mass_sd, assays, assays_sd


def _structure_problems(circuit: Circuit) -> list[Problem]:
    src = circuit.source
    problems: list[Problem] = []
    if not circuit.streams:
        problems.append(Problem(gettext("the circuit has no streams"), column="streams",
                                source=src))
    for kind, names in (("node", [n.name for n in circuit.nodes]),
                        ("stream", [s.name for s in circuit.streams])):
        for name in sorted({n for n in names if names.count(n) > 1}):
            twice = (gettext("node %(name)r is defined more than once", name=name)
                     if kind == "node" else
                     gettext("stream %(name)r is defined more than once", name=name))
            problems.append(Problem(twice, column=f"{kind}s", source=src))
    known = {n.name for n in circuit.nodes}
    for stream in circuit.streams:
        for key, node in (("from", stream.source), ("to", stream.target)):
            if node not in known:
                message = (gettext("stream %(stream)r leaves unknown node %(node)r; expected "
                                   "one of the nodes listed under 'nodes'", stream=stream.name,
                                   node=node) if key == "from" else
                           gettext("stream %(stream)r enters unknown node %(node)r; expected "
                                   "one of the nodes listed under 'nodes'", stream=stream.name,
                                   node=node))
                problems.append(Problem(
                    message,
                    column=f"streams.{stream.name}.{key}", source=src))
        if stream.source == stream.target:
            problems.append(Problem(gettext("stream %(stream)r leaves and enters the same node "
                                            "%(node)r", stream=stream.name,
                                            node=stream.source),
                                    column=f"streams.{stream.name}",
                                    source=src))
    streams = set(circuit.stream_names)
    for name in circuit.measurements:
        if name not in streams:
            problems.append(Problem(gettext("measurements given for unknown stream %(stream)r",
                                            stream=name),
                                    column=f"measurements.{name}", source=src))
    return problems


def _measurement_problems(circuit: Circuit) -> list[Problem]:
    problems: list[Problem] = []
    for name, meas in circuit.measurements.items():
        items: list[tuple[str, str, Measurement, float]] = []
        if meas.mass is not None:
            items.append(("mass", gettext("mass (t)"), meas.mass, np.inf))
        for comp, m in meas.assays.items():
            items.append((f"assays.{comp}", gettext("%(component)s assay (g/t)", component=comp),
                          m, MAX_ASSAY_GPT))
            if comp == "mass" or not comp:
                problems.append(Problem(gettext("stream %(stream)r: %(component)r cannot name a "
                                                "component", stream=name, component=comp),
                                        column=f"measurements.{name}.assays",
                                        source=circuit.source))
        for key, label, m, upper in items:
            where = f"measurements.{name}.{key}"
            if not (np.isfinite(m.value) and np.isfinite(m.sd)):
                message = gettext("%(what)s [%(value)s, %(sd)s]: expected finite numbers",
                                  what=label, value=m.value, sd=m.sd)
            elif m.sd <= 0:
                message = gettext("%(what)s standard deviation %(sd)s: expected a number > 0",
                                  what=label, sd=format(m.sd, "g"))
            elif m.value < 0:
                message = gettext("%(what)s %(value)s: expected a number >= 0", what=label,
                                  value=format(m.value, "g"))
            elif m.value > upper:
                message = gettext("%(what)s %(value)s is above %(upper)s g/t (pure metal); "
                                  "was the unit g/t?", what=label, value=format(m.value, ",.2f"),
                                  upper=format(upper, ",.0f"))
            else:
                continue
            problems.append(Problem(gettext("stream %(stream)r: %(problem)s", stream=name,
                                            problem=message), column=where,
                                    source=circuit.source))
    return problems


def _closed_loop_problems(circuit: Circuit) -> list[Problem]:
    """Groups of connected nodes with no boundary: their balances are dependent (nothing
    enters or leaves), so such a circuit cannot be reconciled."""
    index = {n.name: i for i, n in enumerate(circuit.nodes)}
    src = [index[s.source] for s in circuit.streams]
    dst = [index[s.target] for s in circuit.streams]
    n = len(circuit.nodes)
    graph = sparse.coo_array((np.ones(len(src)), (src, dst)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    boundary = np.zeros(n, dtype=bool)
    boundary[[index[b] for b in circuit.boundary_nodes]] = True
    touched = np.zeros(n, dtype=bool)
    touched[src + dst] = True
    closed = np.setdiff1d(labels[touched], labels[boundary])
    return [Problem(gettext("nodes %(nodes)s form a closed loop: no stream comes from or goes "
                            "to a boundary node", nodes=", ".join(
                                repr(circuit.nodes[i].name)
                                for i in np.flatnonzero(labels == group))),
                    column="streams", source=circuit.source) for group in closed]


# ---------------------------------------------------------------------------------------------
# YAML


def read_circuit(path: str | Path) -> Circuit:
    """Read a circuit from a YAML file (format in the module docstring).

    Parameters
    ----------
    path : str or Path
        The YAML file; masses in t (or one rate unit), assays in g/t.

    Returns
    -------
    Circuit

    Raises
    ------
    ValidationError
        Naming the file, the stream and the field of every problem.
    """
    path = Path(path)
    source = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationError(Problem(gettext("cannot read the file: %(error)s",
                                              error=exc.strerror), source=source)) from exc
    except yaml.YAMLError as exc:
        raise ValidationError(Problem(gettext("not valid YAML: %(error)s", error=exc),
                                      source=source)) from exc
    return circuit_from_mapping(data, source=source)


def circuit_from_mapping(data: Any, source: str | None = None) -> Circuit:
    """Build a circuit from the parsed YAML document (or an equivalent dictionary).

    Parameters
    ----------
    data : Any
        Mapping with ``nodes``, ``streams`` and optionally ``measurements``.
    source : str or None
        Name of the input, for messages.

    Returns
    -------
    Circuit

    Raises
    ------
    ValidationError
        When the document does not have the expected shape, or the circuit is invalid.
    """
    problems: list[Problem] = []

    def bad(message: str, where: str) -> None:
        problems.append(Problem(message, column=where, source=source))

    if not isinstance(data, Mapping):
        raise ValidationError(Problem(gettext("expected a mapping with 'nodes', 'streams' and "
                                              "'measurements'"), source=source))
    unknown = sorted(set(map(str, data)) - {"nodes", "streams", "measurements"})
    for key in unknown:
        bad(gettext("unknown key %(key)r; expected 'nodes', 'streams', 'measurements'",
                    key=key), key)
    nodes = [_node(item, i, bad) for i, item in enumerate(_listed(data, "nodes", bad))]
    streams = [_stream(item, i, bad) for i, item in enumerate(_listed(data, "streams", bad))]
    raw = data.get("measurements") or {}
    measurements: dict[str, StreamMeasurements] = {}
    if not isinstance(raw, Mapping):
        bad(gettext("expected a mapping of stream name to its measurements"), "measurements")
    else:
        for name, item in raw.items():
            parsed = _stream_measurements(str(name), item, bad)
            if parsed is not None:
                measurements[str(name)] = parsed
    if problems:
        raise ValidationError(problems)
    return Circuit(tuple(n for n in nodes if n is not None),
                   tuple(s for s in streams if s is not None), measurements, source)


def _listed(data: Mapping[str, Any], key: str, bad: Any) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        bad(gettext("expected a non-empty list of %(key)s", key=key), key)
        return []
    return value


def _node(item: Any, i: int, bad: Any) -> Node | None:
    if isinstance(item, str):
        return Node(item, NodeKind(item) if item in _KINDS else NodeKind.OTHER)
    if isinstance(item, Mapping) and isinstance(item.get("name"), str):
        kind = item.get("kind", NodeKind.OTHER)
        if not isinstance(kind, str) or kind not in _KINDS:
            bad(gettext("node %(node)r: kind %(kind)r is not one of %(known)s",
                        node=item["name"], kind=kind,
                        known=", ".join(k.value for k in NodeKind)),
                f"nodes.{item['name']}.kind")
            return None
        return Node(item["name"], NodeKind(kind))
    bad(gettext("node %(node)s: expected a name or a mapping with 'name' (and 'kind')",
                node=i + 1), "nodes")
    return None


def _stream(item: Any, i: int, bad: Any) -> Stream | None:
    if isinstance(item, Mapping) and all(isinstance(item.get(k), str)
                                         for k in ("name", "from", "to")):
        return Stream(item["name"], item["from"], item["to"])
    name = item.get("name") if isinstance(item, Mapping) else None
    bad(gettext("stream %(stream)r: expected a mapping with text 'name', 'from' and 'to'",
                stream=name or i + 1),
        f"streams.{name}" if name else "streams")
    return None


def _stream_measurements(name: str, item: Any, bad: Any) -> StreamMeasurements | None:
    where = f"measurements.{name}"
    if item is None:
        return StreamMeasurements()
    if not isinstance(item, Mapping):
        bad(gettext("stream %(stream)r: expected a mapping with 'mass' and/or 'assays'",
                    stream=name), where)
        return None
    for key in sorted(set(map(str, item)) - {"mass", "assays"}):
        bad(gettext("stream %(stream)r: unknown field %(key)r; expected 'mass' or 'assays'",
                    stream=name, key=key),
            f"{where}.{key}")
    mass = None
    if item.get("mass") is not None:
        mass = _pair(item["mass"], gettext("stream %(stream)r: mass", stream=name),
                     f"{where}.mass", bad)
    assays: dict[str, Measurement] = {}
    raw = item.get("assays") or {}
    if not isinstance(raw, Mapping):
        bad(gettext("stream %(stream)r: expected 'assays' to map component names to "
                    "[value, sd]", stream=name),
            f"{where}.assays")
    else:
        for comp, pair in raw.items():
            m = _pair(pair, gettext("stream %(stream)r: %(component)s assay", stream=name,
                                    component=comp), f"{where}.assays.{comp}", bad)
            if m is not None:
                assays[str(comp)] = m
    return StreamMeasurements(mass, assays)


def _pair(value: Any, label: str, where: str, bad: Any) -> Measurement | None:
    if (isinstance(value, list | tuple) and len(value) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
        return Measurement(float(value[0]), float(value[1]))
    bad(gettext("%(what)s: expected [value, standard deviation] (two numbers), got %(value)r",
                what=label, value=value), where)
    return None


def circuit_to_mapping(circuit: Circuit) -> dict[str, Any]:
    """The YAML form of a circuit, a dict of ``nodes``, ``streams`` and ``measurements``
    (masses in t, assays in g/t; inverse of :func:`circuit_from_mapping`)."""
    measurements: dict[str, Any] = {}
    for name, meas in circuit.measurements.items():
        entry: dict[str, Any] = {}
        if meas.mass is not None:
            entry["mass"] = [meas.mass.value, meas.mass.sd]
        if meas.assays:
            entry["assays"] = {c: [m.value, m.sd] for c, m in meas.assays.items()}
        measurements[name] = entry
    return {"nodes": [{"name": n.name, "kind": n.kind.value} for n in circuit.nodes],
            "streams": [{"name": s.name, "from": s.source, "to": s.target}
                        for s in circuit.streams],
            "measurements": measurements}
