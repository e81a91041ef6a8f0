"""The ultimate pit as a maximum-weight closure, solved exactly as a minimum cut.

Picard (1976): a closed set of maximum value in a precedence graph is the source side of a
minimum s-t cut in the network where the source feeds every positive block (capacity = its
value), every negative block drains to the sink (capacity = −value) and each precedence
``i needs j`` is an arc i → j of infinite capacity. The pit's value is the sum of the positive
values minus the maximum flow.

The maximum flow is found by FIFO push-relabel (Goldberg & Tarjan 1988) with global
relabelling from the sink, compiled with numba; only the first phase (a maximum preflow) is
run, which already fixes the minimum cut. Capacities are integers: values are scaled by
``10**decimals`` and rounded, so the cut is exact for the scaled values and the pit's value is
then summed from the original ones. We wrote our own rather than binding a library because the
fastest published solver for this problem (Hochbaum's pseudoflow) carries an academic licence
and OR-Tools' max-flow needs the whole graph copied into its own structures; the comparison
with both is in ``benchmarks/bench_pit.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit


@dataclass(frozen=True)
class ClosureResult:
    """An optimal closure.

    Attributes
    ----------
    in_pit : numpy.ndarray
        Boolean per block: mined in the ultimate pit.
    value : float
        Sum of the values of the pit's blocks (the values' unit, e.g. USD).
    """

    in_pit: np.ndarray
    value: float

    @property
    def n_blocks(self) -> int:
        return int(self.in_pit.sum())


def build_network(source_caps: np.ndarray, sink_caps: np.ndarray, pred_ptr: np.ndarray,
                  pred_idx: np.ndarray, infinite: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int,
                             np.ndarray]:
    """The residual network in compressed form.

    Parameters
    ----------
    source_caps, sink_caps : numpy.ndarray
        Integer capacities of each block's arc from the source and to the sink; a negative
        value means the block has no such arc (a zero capacity keeps the arc, to be raised
        later by a parametric solve).
    infinite : int
        Capacity of the precedence arcs (larger than any cut).

    Returns
    -------
    first, head, cap, rev, source, sink, source_arc
        ``first[u]:first[u+1]`` are the arcs leaving node u; ``head`` their ends; ``cap``
        residual capacities (int64); ``rev`` each arc's reverse; ``source_arc`` the index of
        each block's source arc (-1 when none).
    """
    n = len(source_caps)
    source, sink = n, n + 1
    pred_ptr = np.asarray(pred_ptr, dtype=np.int64)
    pred_idx = np.asarray(pred_idx, dtype=np.int64)
    n_prec = len(pred_idx)
    tails_prec = np.repeat(np.arange(n, dtype=np.int64), np.diff(pred_ptr))
    fed = np.flatnonzero(source_caps >= 0)
    drained = np.flatnonzero(sink_caps >= 0)
    tails = np.concatenate([tails_prec, np.full(len(fed), source), drained])
    heads = np.concatenate([pred_idx, fed, np.full(len(drained), sink)])
    caps = np.concatenate([np.full(n_prec, infinite, dtype=np.int64), source_caps[fed],
                           sink_caps[drained]]).astype(np.int64)
    m = len(tails)
    # Every arc with its reverse (capacity 0), then grouped by tail.
    all_tail = np.concatenate([tails, heads])
    all_head = np.concatenate([heads, tails])
    all_cap = np.concatenate([caps, np.zeros(m, dtype=np.int64)])
    partner = np.concatenate([np.arange(m, 2 * m), np.arange(m)])
    order = np.argsort(all_tail, kind="stable")
    where = np.empty(2 * m, dtype=np.int64)
    where[order] = np.arange(2 * m)
    first = np.zeros(n + 3, dtype=np.int64)
    np.cumsum(np.bincount(all_tail, minlength=n + 2), out=first[1:])
    source_arc = np.full(n, -1, dtype=np.int64)
    source_arc[fed] = where[n_prec + np.arange(len(fed))]
    return (first, all_head[order].astype(np.int64), all_cap[order].astype(np.int64),
            where[partner[order]], source, sink, source_arc)


def _scaled(x: np.ndarray, decimals: int) -> np.ndarray:
    return np.rint(np.asarray(x, dtype=np.float64) * 10.0**decimals).astype(np.int64)


@njit(cache=True)
def _global_relabel(first: np.ndarray, head: np.ndarray, cap: np.ndarray, rev: np.ndarray,
                    sink: int, n_nodes: int, height: np.ndarray, queue: np.ndarray) -> None:
    """Exact distances to the sink in the residual graph (n_nodes where it cannot be
    reached)."""
    height[:] = n_nodes
    height[sink] = 0
    queue[0] = sink
    lo, hi = 0, 1
    while lo < hi:
        u = queue[lo]
        lo += 1
        for a in range(first[u], first[u + 1]):
            v = head[a]
            if height[v] == n_nodes and cap[rev[a]] > 0:
                height[v] = height[u] + 1
                queue[hi] = v
                hi += 1


@njit(cache=True)
def _saturate_source(first: np.ndarray, head: np.ndarray, cap: np.ndarray, rev: np.ndarray,
                     source: int, excess: np.ndarray) -> None:
    """Push the whole residual capacity of every source arc to its block."""
    for a in range(first[source], first[source + 1]):
        c = cap[a]
        if c > 0:
            cap[a] = 0
            cap[rev[a]] += c
            excess[head[a]] += c


@njit(cache=True)
def _push_relabel(first: np.ndarray, head: np.ndarray, cap: np.ndarray, rev: np.ndarray,
                  source: int, sink: int, height: np.ndarray, excess: np.ndarray) -> None:
    """Discharge every active node until none below height n is left (a maximum preflow).

    Starts from exact heights (global relabel), so it can continue a previous solve after
    source capacities grew (Gallo, Grigoriadis & Tarjan 1989).
    """
    n_nodes = len(first) - 1
    current = first[:-1].copy()
    bfs = np.empty(n_nodes, dtype=np.int64)
    active = np.zeros(n_nodes, dtype=np.bool_)
    fifo = np.empty(n_nodes, dtype=np.int64)
    q_head, q_len = 0, 0
    relabels = n_nodes + 1  # forces a global relabel before the first discharge
    while True:
        if relabels > n_nodes:
            # Heights drift from distances; recompute them and rebuild the queue.
            relabels = 0
            _global_relabel(first, head, cap, rev, sink, n_nodes, height, bfs)
            height[source] = n_nodes
            current[:] = first[:-1]
            q_head, q_len = 0, 0
            active[:] = False
            for w in range(n_nodes):
                if w != source and w != sink and excess[w] > 0 and height[w] < n_nodes:
                    fifo[(q_head + q_len) % n_nodes] = w
                    q_len += 1
                    active[w] = True
        if q_len == 0:
            return
        u = fifo[q_head]
        q_head = (q_head + 1) % n_nodes
        q_len -= 1
        active[u] = False
        while excess[u] > 0 and height[u] < n_nodes:
            a = current[u]
            if a == first[u + 1]:
                # Relabel: one above the lowest neighbour still reachable.
                low = n_nodes
                for b in range(first[u], first[u + 1]):
                    if cap[b] > 0 and height[head[b]] + 1 < low:
                        low = height[head[b]] + 1
                height[u] = low
                current[u] = first[u]
                relabels += 1
                continue
            v = head[a]
            if cap[a] > 0 and height[u] == height[v] + 1:
                delta = min(excess[u], cap[a])
                cap[a] -= delta
                cap[rev[a]] += delta
                excess[u] -= delta
                excess[v] += delta
                if v != sink and v != source and not active[v] and height[v] < n_nodes:
                    fifo[(q_head + q_len) % n_nodes] = v
                    q_len += 1
                    active[v] = True
            else:
                current[u] = a + 1


@njit(cache=True)
def _source_side(first: np.ndarray, head: np.ndarray, cap: np.ndarray, rev: np.ndarray,
                 sink: int) -> np.ndarray:
    """Nodes that cannot reach the sink in the residual graph: the source side of the cut
    (those the global relabel leaves at height n)."""
    n_nodes = len(first) - 1
    height = np.empty(n_nodes, dtype=np.int64)
    _global_relabel(first, head, cap, rev, sink, n_nodes, height,
                    np.empty(n_nodes, dtype=np.int64))
    return height == n_nodes


def maximum_closure(values: np.ndarray, pred_ptr: np.ndarray, pred_idx: np.ndarray,
                    decimals: int = 6) -> ClosureResult:
    """The closed set of maximum total value: the ultimate pit.

    Parameters
    ----------
    values : numpy.ndarray
        Value of mining each block (e.g. USD; negative for waste), shape (n,).
    pred_ptr, pred_idx : numpy.ndarray
        Precedences in compressed rows: block i needs the blocks
        ``pred_idx[pred_ptr[i]:pred_ptr[i+1]]`` (the blocks above it).
    decimals : int
        Decimal places the values are exact to (the flow is computed on integers).

    Returns
    -------
    ClosureResult
    """
    values = np.asarray(values, dtype=np.float64)
    scaled = _scaled(values, decimals)
    source_caps = np.where(scaled > 0, scaled, -1)
    sink_caps = np.where(scaled < 0, -scaled, -1)
    first, head, cap, rev, source, sink, _ = build_network(
        source_caps, sink_caps, pred_ptr, pred_idx, int(scaled[scaled > 0].sum()) + 1)
    n_nodes = len(first) - 1
    height = np.zeros(n_nodes, dtype=np.int64)
    excess = np.zeros(n_nodes, dtype=np.int64)
    _saturate_source(first, head, cap, rev, source, excess)
    _push_relabel(first, head, cap, rev, source, sink, height, excess)
    in_pit = _source_side(first, head, cap, rev, sink)[: len(values)]
    return ClosureResult(in_pit, float(values[in_pit].sum()))


@dataclass(frozen=True)
class NestedPits:
    """Pits nested by revenue factor.

    Attributes
    ----------
    factors : numpy.ndarray
        Revenue factors, ascending.
    first_pit : numpy.ndarray
        Per block, the index of the first factor whose pit contains it (-1: none).
    values : numpy.ndarray
        Value of each pit at its own factor (the values' unit).
    """

    factors: np.ndarray
    first_pit: np.ndarray
    values: np.ndarray

    def pit(self, k: int) -> np.ndarray:
        """Boolean pit of factor index k."""
        return (self.first_pit >= 0) & (self.first_pit <= k)


def nested_pits(revenue: np.ndarray, cost: np.ndarray, pred_ptr: np.ndarray,
                pred_idx: np.ndarray, factors: np.ndarray, decimals: int = 6) -> NestedPits:
    """Ultimate pits for a range of revenue factors from one parametric solve.

    The value of a block at factor f is ``f * revenue - cost``. As f grows only the source
    capacities grow, so each pit contains the previous one and the push-relabel state of one
    factor is a valid start for the next (Gallo, Grigoriadis & Tarjan 1989): the flow is
    carried forward, not recomputed per factor.

    Parameters
    ----------
    revenue : numpy.ndarray
        Revenue of each block at factor 1 (>= 0, e.g. CNY).
    cost : numpy.ndarray
        Cost of mining (and processing, where it pays) each block (>= 0, same unit).
    pred_ptr, pred_idx : numpy.ndarray
        Precedences in compressed rows (see :func:`maximum_closure`).
    factors : numpy.ndarray
        Revenue factors, ascending (e.g. 0.3 to 1.2).
    decimals : int
        Decimal places the revenues and costs are exact to.
    """
    revenue = np.asarray(revenue, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    factors = np.asarray(factors, dtype=np.float64)
    if (revenue < 0).any() or (cost < 0).any():
        raise ValueError("revenues and costs must be >= 0")
    if (np.diff(factors) <= 0).any():
        raise ValueError("revenue factors must increase")
    sink_caps = _scaled(cost, decimals)
    top = _scaled(factors[-1] * revenue, decimals)
    first, head, cap, rev, source, sink, source_arc = build_network(
        np.where(revenue > 0, 0, -1), np.where(sink_caps > 0, sink_caps, -1), pred_ptr,
        pred_idx, int(top.sum()) + 1)
    n = len(revenue)
    n_nodes = len(first) - 1
    height = np.zeros(n_nodes, dtype=np.int64)
    excess = np.zeros(n_nodes, dtype=np.int64)
    fed = source_arc >= 0
    given = np.zeros(n, dtype=np.int64)
    first_pit = np.full(n, -1, dtype=np.int64)
    values = np.empty(len(factors))
    for k, factor in enumerate(factors):
        wanted = _scaled(factor * revenue, decimals)
        cap[source_arc[fed]] += wanted[fed] - given[fed]
        given = wanted
        _saturate_source(first, head, cap, rev, source, excess)
        _push_relabel(first, head, cap, rev, source, sink, height, excess)
        pit = _source_side(first, head, cap, rev, sink)[:n]
        first_pit[pit & (first_pit < 0)] = k
        values[k] = float((factor * revenue[pit] - cost[pit]).sum())
    return NestedPits(factors, first_pit, values)
