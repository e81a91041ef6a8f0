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


def build_network(values: np.ndarray, pred_ptr: np.ndarray, pred_idx: np.ndarray,
                  decimals: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                          int, int]:
    """The residual network in compressed form.

    Returns
    -------
    first, head, cap, rev, source, sink
        ``first[u]:first[u+1]`` are the arcs leaving node u; ``head`` their ends; ``cap``
        residual capacities (int64); ``rev`` each arc's reverse arc.
    """
    n = len(values)
    scaled = np.rint(np.asarray(values, dtype=np.float64) * 10.0**decimals).astype(np.int64)
    source, sink = n, n + 1
    pred_ptr = np.asarray(pred_ptr, dtype=np.int64)
    pred_idx = np.asarray(pred_idx, dtype=np.int64)
    n_prec = len(pred_idx)
    tails_prec = np.repeat(np.arange(n, dtype=np.int64), np.diff(pred_ptr))
    pos = np.flatnonzero(scaled > 0)
    neg = np.flatnonzero(scaled < 0)
    infinite = int(scaled[pos].sum()) + 1
    tails = np.concatenate([tails_prec, np.full(len(pos), source), neg])
    heads = np.concatenate([pred_idx, pos, np.full(len(neg), sink)])
    caps = np.concatenate([np.full(n_prec, infinite, dtype=np.int64), scaled[pos],
                           -scaled[neg]])
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
    return (first, all_head[order].astype(np.int64), all_cap[order].astype(np.int64),
            where[partner[order]], source, sink)


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
def _max_preflow(first: np.ndarray, head: np.ndarray, cap: np.ndarray, rev: np.ndarray,
                 source: int, sink: int) -> int:
    n_nodes = len(first) - 1
    height = np.zeros(n_nodes, dtype=np.int64)
    excess = np.zeros(n_nodes, dtype=np.int64)
    current = first[:-1].copy()
    bfs = np.empty(n_nodes, dtype=np.int64)
    active = np.zeros(n_nodes, dtype=np.bool_)
    fifo = np.empty(n_nodes, dtype=np.int64)
    for a in range(first[source], first[source + 1]):
        c = cap[a]
        if c > 0:
            v = head[a]
            cap[a] = 0
            cap[rev[a]] += c
            excess[v] += c
    _global_relabel(first, head, cap, rev, sink, n_nodes, height, bfs)
    height[source] = n_nodes
    # A circular FIFO of active nodes (each node at most once in it).
    q_head, q_len = 0, 0
    for u in range(n_nodes):
        if u != source and u != sink and excess[u] > 0 and height[u] < n_nodes:
            fifo[(q_head + q_len) % n_nodes] = u
            q_len += 1
            active[u] = True
    relabels = 0
    while q_len > 0:
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
        if relabels > n_nodes:
            # Heights drift far from distances; recompute them and restart the queue.
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
    return excess[sink]


@njit(cache=True)
def _source_side(first: np.ndarray, head: np.ndarray, cap: np.ndarray, rev: np.ndarray,
                 sink: int) -> np.ndarray:
    """Nodes that cannot reach the sink in the residual graph: the source side of the cut."""
    n_nodes = len(first) - 1
    reach = np.zeros(n_nodes, dtype=np.bool_)
    queue = np.empty(n_nodes, dtype=np.int64)
    reach[sink] = True
    queue[0] = sink
    lo, hi = 0, 1
    while lo < hi:
        u = queue[lo]
        lo += 1
        for a in range(first[u], first[u + 1]):
            v = head[a]
            if not reach[v] and cap[rev[a]] > 0:
                reach[v] = True
                queue[hi] = v
                hi += 1
    return ~reach


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
    first, head, cap, rev, source, sink = build_network(values, pred_ptr, pred_idx, decimals)
    _max_preflow(first, head, cap, rev, source, sink)
    in_pit = _source_side(first, head, cap, rev, sink)[: len(values)]
    return ClosureResult(in_pit, float(values[in_pit].sum()))
