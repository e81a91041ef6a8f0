"""The ultimate pit as a maximum-weight closure, solved exactly as a minimum cut.

Picard (1976): a closed set of maximum value in a precedence graph is the source side of a
minimum s-t cut in the network where the source feeds every positive block (capacity = its
value), every negative block drains to the sink (capacity = −value) and each precedence
``i needs j`` is an arc i → j of infinite capacity.

The cut is found with Hochbaum's pseudoflow algorithm (Hochbaum 2008), highest-label variant
with FIFO buckets as in Hochbaum's own code, compiled with numba; MineFlow (Deutsch, Dağdelen &
Johnson 2022) is another pseudoflow specialised to pits. Every source and sink arc starts
saturated, so a block's excess is its value; a forest of trees is kept in which a tree whose
root has a positive excess is *strong*. The strong root of highest label looks, in its tree,
for an arc to a *weak* node one label lower, hangs its tree there and pushes its excess towards
the weak root, splitting the path where a reverse residual capacity is too small; when its tree
has no such arc its nodes are relabelled. When no block is left one label below the highest
strong roots, their trees can reach no weak node (a residual arc descends one label at most,
and every weak node lies below the gap): they are lifted out of play. The run stops when no
strong root is left, and the pit is read from the blocks with an excess.

Highest label rather than lowest (which this solver used before issue 16) for the length of
the push walks: in lowest-label order strong trees hang on weak trees that earlier merges
deepened, and a walk to the weak root grew as fast as the model (on ``bench_pit.py``'s models
of 10^5, 10^6 and 10^7 blocks, 7.6, 20.8 and 66 steps per merge: push steps went as n^1.5),
while in highest-label order it is 6.2, 9.9 and 18.6 (n^1.27, with the relabels, like
Hochbaum's code). Lifting holds for the nested pits below too: raising block values creates no
residual arc and turns no strong block weak, so a lifted tree can reach no weak block at any
higher value either, and the rest of the state stays a valid start.

Why our own code rather than a library: Hochbaum's C implementation carries an academic,
non-commercial licence, and no general max-flow library exploits what a closure network
allows. Here an arc outside the trees always has flow 0 (an infinite arc is never saturated,
so it only leaves a tree when its flow falls to 0), and the only residual arcs with flow are
tree arcs. So no reverse adjacency, arc capacity or arc flow is stored: the precedence lists
themselves are the arcs a node scans, and the flow of a tree arc is kept on its child node.
The solver's memory is the precedence indices (int32) plus about 80 bytes per block. An
earlier version, FIFO push-relabel with global relabelling on a full residual network, was
3–11× slower than Hochbaum's code and needed as much memory; ``benchmarks/bench_pit.py``
compares this one with Hochbaum's HPF, OR-Tools and networkx on the same inputs.

The inner loops are plain Python functions (``@_kernel``) compiled by numba on first need
(from its on-disk cache when this file is unchanged). A process that has not loaded them runs
problems of up to :data:`INTERPRETED_UP_TO` blocks + arcs interpreted instead: numba's import
and first call (about 0.5 s of CPU, SciPy's linear algebra included, which numba loads)
would cost a command line more than the whole solve of such a problem.

Capacities are integers: values are scaled by ``10**decimals`` and rounded, so the cut is
exact for the scaled values; the pit's value is then summed from the original ones. Of the
optimal pits (several when some closed sets are worth 0), the smallest is returned.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

SOLVER_BYTES_PER_BLOCK = 160
"""Bytes per block of a nested-pits solve: the forest (label, tree and amount records),
the label buckets, the scaled values and the pits read from it."""
SOLVER_BYTES_PER_ARC = 4
"""Bytes per precedence arc of a solve (its int32 copy of the block index), beside the
caller's precedences."""
INTERPRETED_UP_TO = 10_000
"""Blocks + precedence arcs up to which a process that has not loaded the compiled kernels
runs them as plain Python: numba's import and first call cost about 0.5 s even from its
cache, more than the interpreter needs for a problem of this size (MineLib's newman1, 1,060
blocks and 3,922 arcs: about 0.03 s)."""

_KERNELS: dict[str, Callable[..., Any]] = {}


def _kernel(func: Callable[..., Any]) -> Callable[..., Any]:
    """Register a function of the solver's inner loops. It stays a plain Python function
    here; :func:`_compiled` gives its numba version."""
    _KERNELS[func.__name__] = func
    return func


@functools.cache
def _compiled() -> types.SimpleNamespace:
    """The kernels compiled by numba (from its on-disk cache when the module is unchanged).

    Each is compiled from a copy of the function whose globals name the compiled versions of
    the others, so that kernels calling kernels stay in machine code, while the module's own
    names keep the plain functions."""
    from numba import njit

    namespace = dict(globals())
    for name, func in _KERNELS.items():
        copy = types.FunctionType(func.__code__, namespace, name, func.__defaults__)
        copy.__qualname__, copy.__module__ = func.__qualname__, func.__module__
        namespace[name] = njit(cache=True)(copy)
    return types.SimpleNamespace(**{name: namespace[name] for name in _KERNELS})


def _kernels(size: int) -> types.SimpleNamespace:
    """The kernels to run on a problem of ``size`` blocks + arcs: compiled once the process
    has them or the problem is too big to interpret, plain Python otherwise."""
    if size > INTERPRETED_UP_TO or _compiled.cache_info().currsize:
        return _compiled()
    return types.SimpleNamespace(**_KERNELS)


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


def _scaled(x: np.ndarray, decimals: int) -> np.ndarray:
    """Values in units of ``10**-decimals`` as int64, refused when their positive sum (the
    largest excess a block can gather) would not fit."""
    scaled = np.rint(np.asarray(x, dtype=np.float64) * 10.0**decimals)
    if scaled[scaled > 0].sum() >= 2.0**62:
        raise ValidationError(Problem(_("values × 10^%(decimals)s: the positive ones sum "
                                        "beyond what int64 holds; give fewer decimals",
                                        decimals=decimals)))
    return scaled.astype(np.int64)


@_kernel
def _compact_indices(ptr: np.ndarray, idx: np.ndarray, n: int,
                     out: np.ndarray) -> tuple[int, int]:
    """Copy idx into ``out`` while checking the rows: (0, 0) when sound, (1, row) at the first
    offset that falls, (2, block) at the first block id outside 0..n-1."""
    for i in range(n):
        if ptr[i + 1] < ptr[i]:
            return 1, i
    for a in range(len(idx)):
        j = idx[a]
        if j < 0 or j >= n:
            return 2, j
        out[a] = j
    return 0, 0


@_kernel
def _find_cycle(ptr: np.ndarray, idx: np.ndarray, cycle: np.ndarray) -> int:
    """Write the blocks of one cycle of the precedences into ``cycle``; returns how many
    (0: none). A block that needs itself is looked for first, then a depth-first search
    follows the arcs and stops at the first arc back to a block on its path."""
    n = len(ptr) - 1
    for i in range(n):
        for a in range(ptr[i], ptr[i + 1]):
            if idx[a] == i:
                cycle[0] = i
                return 1
    state = np.zeros(n, dtype=np.int8)  # 0 unseen, 1 on the path, 2 done
    path = np.empty(n, dtype=idx.dtype)
    cursor = np.empty(n, dtype=np.int64)
    for start in range(n):
        if state[start] != 0:
            continue
        depth = 0
        path[0] = start
        cursor[0] = ptr[start]
        state[start] = 1
        while depth >= 0:
            u = path[depth]
            a = cursor[depth]
            if a == ptr[u + 1]:
                state[u] = 2
                depth -= 1
                continue
            cursor[depth] = a + 1
            j = idx[a]
            if state[j] == 0:
                depth += 1
                path[depth] = j
                cursor[depth] = ptr[j]
                state[j] = 1
            elif state[j] == 1:
                first = depth
                while path[first] != j:
                    first -= 1
                cycle[:depth + 1 - first] = path[first:depth + 1]
                return depth + 1 - first
    return 0


def precedence_cycle(pred_ptr: np.ndarray, pred_idx: np.ndarray) -> np.ndarray:
    """The blocks of one cycle of the precedences (blocks that each need the next first, the
    last the first), ascending; empty when there is none. A block that needs itself is
    reported before longer cycles.

    Parameters
    ----------
    pred_ptr, pred_idx : numpy.ndarray
        Precedences in compressed rows (see :func:`maximum_closure`), checked as there.
    """
    n = len(pred_ptr) - 1
    ptr, idx = _checked_precedences(n, pred_ptr, pred_idx)  # the search trusts them
    cycle = np.empty(n, dtype=idx.dtype)
    count = _kernels(n + len(idx))._find_cycle(ptr, idx, cycle)
    return np.sort(cycle[:count])


def _checked_precedences(n: int, pred_ptr: np.ndarray, pred_idx: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
    """The precedences as the solver reads them (ptr int64, idx int32 when the block ids fit),
    refused with a clear message when they do not describe n blocks."""
    ptr = np.asarray(pred_ptr)
    idx = np.asarray(pred_idx)
    if ptr.ndim != 1 or len(ptr) != n + 1 or ptr.dtype.kind not in "iu":
        raise ValidationError(Problem(_("pred_ptr: expected %(n)s integer offsets (blocks + 1), "
                                        "got shape %(shape)s of %(dtype)s", n=n + 1,
                                        shape=ptr.shape, dtype=ptr.dtype)))
    if idx.ndim != 1 or not (idx.dtype.kind in "iu" or idx.size == 0):
        raise ValidationError(Problem(_("pred_idx: expected integer block ids, got shape "
                                        "%(shape)s of %(dtype)s", shape=idx.shape,
                                        dtype=idx.dtype)))
    ptr = ptr.astype(np.int64, copy=False)
    compact = np.empty(len(idx), dtype=np.int32 if n < 2**31 else np.int64)
    kind, where = (1, -1)
    if ptr[0] == 0 and ptr[-1] == len(idx):
        kind, where = _kernels(n + len(idx))._compact_indices(
            ptr, idx.astype(np.int64, copy=False), n, compact)
    if kind == 1:
        if where >= 0:
            message = _("pred_ptr: expected offsets rising from 0 to len(pred_idx) = %(n)s, "
                        "got %(first)s … %(last)s, falling at row %(row)s", n=len(idx),
                        first=ptr[0], last=ptr[-1], row=where)
        else:
            message = _("pred_ptr: expected offsets rising from 0 to len(pred_idx) = %(n)s, "
                        "got %(first)s … %(last)s", n=len(idx), first=ptr[0], last=ptr[-1])
        raise ValidationError(Problem(message))
    if kind == 2:
        raise ValidationError(Problem(_("pred_idx: names block %(block)s, which does not exist "
                                        "(blocks 0..%(last)s)", block=where, last=n - 1)))
    return ptr, compact


# The forest of the pseudoflow algorithm, one record per block in ``tree`` (int32 while block
# ids fit; the fields a visit reads share a cache line) and ``amount`` (int64). PARENT is -1
# at a root. The arc to the parent is a precedence either way round: UP = 1 when the child
# needs the parent (pushing towards the root follows the infinite arc), 0 when the parent
# needs the child (pushing towards the root lowers that arc's flow, kept in FLOW). Children
# form a doubly linked list (FIRST_CHILD, NEXT_SIB, PREV_SIB); NEXT_SCAN is the depth-first
# cursor; strong roots wait in FIFO buckets by label (BUCKET_NEXT). CURRENT and END delimit
# the precedence arcs still to scan at the block's label. A block lifted out of play has the
# label len(bucket_head) - 1, above any a relabel reaches.
PARENT, FIRST_CHILD, NEXT_SIB, PREV_SIB, NEXT_SCAN, BUCKET_NEXT, UP = range(7)
EXCESS, FLOW, CURRENT, END = range(4)


@_kernel
def _attach(u: int, p: int, tree: np.ndarray) -> None:
    b = tree[p, FIRST_CHILD]
    tree[u, PARENT] = p
    tree[u, NEXT_SIB] = b
    tree[u, PREV_SIB] = -1
    if b != -1:
        tree[b, PREV_SIB] = u
    tree[p, FIRST_CHILD] = u


@_kernel
def _detach(u: int, tree: np.ndarray) -> None:
    a, b = tree[u, PREV_SIB], tree[u, NEXT_SIB]
    if a == -1:
        tree[tree[u, PARENT], FIRST_CHILD] = b
    else:
        tree[a, NEXT_SIB] = b
    if b != -1:
        tree[b, PREV_SIB] = a
    tree[u, PARENT] = -1


@_kernel
def _add_strong_root(u: int, highest: int, label: np.ndarray, tree: np.ndarray,
                     bucket_head: np.ndarray, bucket_tail: np.ndarray) -> int:
    """Queue root u at its label; returns the highest strong label. A piece split off a
    lifted tree (when values rise) stays out of play, unqueued."""
    ell = label[u]
    if ell == len(bucket_head) - 1:
        return highest
    tree[u, BUCKET_NEXT] = -1
    if bucket_head[ell] == -1:
        bucket_head[ell] = u
    else:
        tree[bucket_tail[ell], BUCKET_NEXT] = u
    bucket_tail[ell] = u
    return max(highest, ell)


@_kernel
def _push_excess(start: int, highest: int, label: np.ndarray, tree: np.ndarray,
                 amount: np.ndarray, bucket_head: np.ndarray, bucket_tail: np.ndarray) -> int:
    """Push the excess of ``start`` towards its root, splitting the tree below every arc whose
    reverse capacity (its flow) is too small; the pieces cut off become strong roots.
    Returns the highest strong label."""
    cur = start
    before = 1
    while amount[cur, EXCESS] > 0 and tree[cur, PARENT] != -1:
        p = tree[cur, PARENT]
        before = amount[p, EXCESS]
        e = amount[cur, EXCESS]
        if tree[cur, UP] == 1:
            amount[cur, FLOW] += e
        elif amount[cur, FLOW] >= e:
            amount[cur, FLOW] -= e
        else:
            e = amount[cur, FLOW]
            amount[cur, FLOW] = 0
            _detach(cur, tree)
            highest = _add_strong_root(cur, highest, label, tree, bucket_head, bucket_tail)
        amount[p, EXCESS] += e
        amount[cur, EXCESS] -= e
        cur = p
    if amount[cur, EXCESS] > 0 and before <= 0:  # a weak root turned strong
        highest = _add_strong_root(cur, highest, label, tree, bucket_head, bucket_tail)
    return highest


@_kernel
def _merge(weak: int, strong: int, tree: np.ndarray, amount: np.ndarray) -> None:
    """Hang the tree of ``strong`` under ``weak`` by the arc strong → weak (strong needs
    weak), re-rooting it at ``strong``: the path to its old root is reversed."""
    cur, new_parent, new_up, new_flow = strong, weak, 1, 0
    while True:
        old_parent, old_up, old_flow = tree[cur, PARENT], tree[cur, UP], amount[cur, FLOW]
        if old_parent != -1:
            _detach(cur, tree)
        _attach(cur, new_parent, tree)
        tree[cur, UP] = new_up
        amount[cur, FLOW] = new_flow
        if old_parent == -1:
            return
        cur, new_parent, new_up, new_flow = old_parent, cur, 1 - old_up, old_flow


@_kernel
def _find_weak(u: int, want: int, idx: np.ndarray, label: np.ndarray,
               amount: np.ndarray) -> int:
    """A block that u needs with label ``want`` (-1: none), from u's current arc on.

    Only u's own precedence arcs need scanning: every other residual arc of u is a tree arc,
    whose other end is in u's strong tree. An arc passed over keeps a label >= u's (labels
    are valid and only grow) until u is relabelled, which resets the current arc."""
    end = amount[u, END]
    a = amount[u, CURRENT]
    while a < end:
        j = idx[a]
        if label[j] == want:
            amount[u, CURRENT] = a + 1
            return j
        a += 1
    amount[u, CURRENT] = end
    return -1


@_kernel
def _relabel_unless_child(u: int, ptr: np.ndarray, label: np.ndarray,
                          label_count: np.ndarray, tree: np.ndarray,
                          amount: np.ndarray) -> None:
    """Move u's depth-first cursor to its next child of the same label; with none left,
    relabel u."""
    ell = label[u]
    c = tree[u, NEXT_SCAN]
    while c != -1 and label[c] != ell:
        c = tree[c, NEXT_SIB]
    tree[u, NEXT_SCAN] = c
    if c == -1:
        label_count[ell] -= 1
        label_count[ell + 1] += 1
        label[u] = ell + 1
        amount[u, CURRENT] = ptr[u]


@_kernel
def _lift(root: int, label: np.ndarray, label_count: np.ndarray, tree: np.ndarray) -> None:
    """Give every block of root's tree the label that puts it out of play."""
    out = len(label_count) - 1
    u = root
    tree[u, NEXT_SCAN] = tree[u, FIRST_CHILD]
    label_count[label[u]] -= 1
    label[u] = out
    while u != -1:
        while tree[u, NEXT_SCAN] != -1:
            c = tree[u, NEXT_SCAN]
            tree[u, NEXT_SCAN] = tree[c, NEXT_SIB]
            u = c
            tree[u, NEXT_SCAN] = tree[u, FIRST_CHILD]
            label_count[label[u]] -= 1
            label[u] = out
        u = tree[u, PARENT]


@_kernel
def _pseudoflow(ptr: np.ndarray, idx: np.ndarray, label: np.ndarray, tree: np.ndarray,
                amount: np.ndarray, bucket_head: np.ndarray, bucket_tail: np.ndarray,
                label_count: np.ndarray, highest: int) -> int:
    """Process strong roots, highest label first, lifting out of play the trees above an
    empty label, until no strong root is left. Returns the highest strong label (0).

    The state can be carried on after excesses were raised (a parametric solve): labels stay
    valid, since raising an excess creates no residual arc between blocks."""
    while True:
        if bucket_head[0] != -1:  # weak roots turned strong: label 1 is valid for any root
            u = bucket_head[0]
            bucket_head[0] = -1
            while u != -1:
                after = tree[u, BUCKET_NEXT]
                label_count[0] -= 1
                label_count[1] += 1
                label[u] = 1
                highest = _add_strong_root(u, highest, label, tree, bucket_head, bucket_tail)
                u = after
        while highest > 0 and bucket_head[highest] == -1:
            highest -= 1
        if highest == 0:
            return highest
        if label_count[highest - 1] == 0:  # a gap below the highest strong roots
            while bucket_head[highest] != -1:
                root = bucket_head[highest]
                bucket_head[highest] = tree[root, BUCKET_NEXT]
                _lift(root, label, label_count, tree)
            continue
        root = bucket_head[highest]
        bucket_head[highest] = tree[root, BUCKET_NEXT]
        want = highest - 1
        # Depth first over the root's subtree of label `highest`: the first block with an arc
        # to label `highest - 1` merges; a block whose same-label children are all done is
        # relabelled (the root last, to highest + 1, where it is queued again).
        tree[root, NEXT_SCAN] = tree[root, FIRST_CHILD]
        u = root
        weak = _find_weak(u, want, idx, label, amount)
        if weak == -1:
            _relabel_unless_child(u, ptr, label, label_count, tree, amount)
        while weak == -1 and u != -1:
            while tree[u, NEXT_SCAN] != -1:
                c = tree[u, NEXT_SCAN]
                tree[u, NEXT_SCAN] = tree[c, NEXT_SIB]
                u = c
                tree[u, NEXT_SCAN] = tree[u, FIRST_CHILD]
                weak = _find_weak(u, want, idx, label, amount)
                if weak != -1:
                    break
                _relabel_unless_child(u, ptr, label, label_count, tree, amount)
            if weak != -1:
                break
            u = tree[u, PARENT]
            if u != -1:
                _relabel_unless_child(u, ptr, label, label_count, tree, amount)
        if weak != -1:
            _merge(weak, u, tree, amount)
            highest = _push_excess(root, highest, label, tree, amount, bucket_head, bucket_tail)
        else:
            highest = _add_strong_root(root, highest, label, tree, bucket_head, bucket_tail)


@_kernel
def _raise_excess(delta: np.ndarray, highest: int, label: np.ndarray, tree: np.ndarray,
                  amount: np.ndarray, bucket_head: np.ndarray, bucket_tail: np.ndarray) -> int:
    """Add ``delta`` (>= 0) to the excesses: at a root directly, elsewhere pushed to the
    root as after a merge (only roots hold excess). Returns the highest strong label."""
    for v in range(len(delta)):
        if delta[v] <= 0:
            continue
        before = amount[v, EXCESS]
        amount[v, EXCESS] += delta[v]
        if tree[v, PARENT] != -1:
            highest = _push_excess(v, highest, label, tree, amount, bucket_head, bucket_tail)
        elif before <= 0 < amount[v, EXCESS]:
            highest = _add_strong_root(v, highest, label, tree, bucket_head, bucket_tail)
    return highest


@_kernel
def _smallest_pit(ptr: np.ndarray, idx: np.ndarray, tree: np.ndarray,
                  amount: np.ndarray) -> np.ndarray:
    """Blocks reachable from a positive excess by residual arcs: the smallest optimal pit.

    Residual arcs of a block: the (infinite) arcs to the blocks it needs, and the reverse of
    tree arcs with flow: to the parent when the parent needs it, to a child that needs it."""
    n = len(amount)
    in_pit = np.zeros(n, dtype=np.bool_)
    queue = np.empty(n, dtype=tree.dtype)
    hi = 0
    for v in range(n):
        if amount[v, EXCESS] > 0:
            in_pit[v] = True
            queue[hi] = v
            hi += 1
    lo = 0
    while lo < hi:
        u = queue[lo]
        lo += 1
        for a in range(ptr[u], ptr[u + 1]):
            j = idx[a]
            if not in_pit[j]:
                in_pit[j] = True
                queue[hi] = j
                hi += 1
        p = tree[u, PARENT]
        if p != -1 and tree[u, UP] == 0 and amount[u, FLOW] > 0 and not in_pit[p]:
            in_pit[p] = True
            queue[hi] = p
            hi += 1
        c = tree[u, FIRST_CHILD]
        while c != -1:
            if tree[c, UP] == 1 and amount[c, FLOW] > 0 and not in_pit[c]:
                in_pit[c] = True
                queue[hi] = c
                hi += 1
            c = tree[c, NEXT_SIB]
    return in_pit


@_kernel
def _initial_forest(excess: np.ndarray, ptr: np.ndarray, label: np.ndarray, tree: np.ndarray,
                    amount: np.ndarray, bucket_head: np.ndarray, bucket_tail: np.ndarray,
                    label_count: np.ndarray) -> None:
    """Every block its own tree; strong (label 1, queued in block order) where its value is
    positive, weak (label 0) elsewhere."""
    tree[:] = -1
    bucket_head[:] = -1
    bucket_tail[:] = -1
    label_count[:] = 0
    for u in range(len(excess)):
        tree[u, UP] = 0
        amount[u, EXCESS] = excess[u]
        amount[u, FLOW] = 0
        amount[u, CURRENT] = ptr[u]
        amount[u, END] = ptr[u + 1]
        label[u] = 1 if excess[u] > 0 else 0
        label_count[label[u]] += 1
        if label[u] == 1:
            _add_strong_root(u, 1, label, tree, bucket_head, bucket_tail)


class _Pseudoflow:
    """The pseudoflow state of a closure problem: solved, then raised and solved again."""

    def __init__(self, excess: np.ndarray, ptr: np.ndarray, idx: np.ndarray):
        n = len(excess)
        self.kernels = _kernels(n + len(idx))
        node = np.int32 if n < 2**31 - 2 else np.int64
        self.ptr, self.idx = ptr, idx
        self.label = np.empty(n, dtype=node)
        self.tree = np.empty((n, 8), dtype=node)
        self.amount = np.empty((n, 4), dtype=np.int64)
        # Relabels stay <= n: n blocks leave some label below n empty, and the strong roots
        # above such a gap are lifted out of play, to label n + 1.
        self.bucket_head = np.empty(n + 2, dtype=node)
        self.bucket_tail = np.empty(n + 2, dtype=node)
        self.label_count = np.empty(n + 2, dtype=np.int64)
        self.kernels._initial_forest(excess, ptr, self.label, self.tree, self.amount,
                                     self.bucket_head, self.bucket_tail, self.label_count)
        self.highest = 1

    def solve(self) -> np.ndarray:
        """Run to the minimum cut; the smallest optimal pit (boolean per block)."""
        self.highest = self.kernels._pseudoflow(self.ptr, self.idx, self.label, self.tree,
                                                self.amount, self.bucket_head, self.bucket_tail,
                                                self.label_count, self.highest)
        return self.kernels._smallest_pit(self.ptr, self.idx, self.tree, self.amount)

    def raise_excess(self, delta: np.ndarray) -> None:
        """Add ``delta`` (>= 0, scaled) to the blocks' values."""
        self.highest = self.kernels._raise_excess(delta, self.highest, self.label, self.tree,
                                                  self.amount, self.bucket_head,
                                                  self.bucket_tail)


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
        Decimal places the values are exact to (the cut is computed on integers: the values
        in units of ``10**-decimals``).

    Returns
    -------
    ClosureResult
        The smallest of the optimal pits.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or not np.isfinite(values).all():
        raise ValidationError(Problem(_("values: expected one finite value per block")))
    ptr, idx = _checked_precedences(len(values), pred_ptr, pred_idx)
    in_pit = _Pseudoflow(_scaled(values, decimals), ptr, idx).solve()
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

    The value of a block at factor f is ``f * revenue - cost``. As f grows only the blocks'
    excesses grow, which keeps the pseudoflow state of one factor a valid start for the next
    (Hochbaum 2008): labels only rise over the whole range, so the work is shared rather than
    repeated (13 factors on 216,000 blocks: 2–3 times the time of the largest pit alone,
    against 6 times for independent solves). Each pit is the smallest optimal one at its factor,
    so each contains the one before.

    Parameters
    ----------
    revenue : numpy.ndarray
        Revenue of each block at factor 1 (>= 0, e.g. CNY).
    cost : numpy.ndarray
        Cost of mining (and processing, where it pays) each block (>= 0, same unit).
    pred_ptr, pred_idx : numpy.ndarray
        Precedences in compressed rows (see :func:`maximum_closure`).
    factors : numpy.ndarray
        Revenue factors, ascending (e.g. 0.3 to 1.2; dimensionless).
    decimals : int
        Decimal places the revenues and costs are exact to.
    """
    revenue = np.asarray(revenue, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    factors = np.asarray(factors, dtype=np.float64)
    if revenue.shape != cost.shape or revenue.ndim != 1:
        raise ValidationError(Problem(_("revenue and cost: expected one of each per block, got "
                                        "shapes %(revenue)s and %(cost)s",
                                        revenue=revenue.shape, cost=cost.shape)))
    if not (np.isfinite(revenue).all() and np.isfinite(cost).all()) \
            or (revenue < 0).any() or (cost < 0).any():
        raise ValidationError(Problem(_("revenue and cost: expected finite values >= 0")))
    if factors.ndim != 1 or not len(factors) or (np.diff(factors) <= 0).any() \
            or not np.isfinite(factors).all():
        raise ValidationError(Problem(_("factors: expected increasing revenue factors, got "
                                        "%(factors)s", factors=factors.tolist())))
    ptr, idx = _checked_precedences(len(revenue), pred_ptr, pred_idx)
    _scaled(factors[-1] * revenue, decimals)  # refused here if the largest factor overflows
    given = _scaled(factors[0] * revenue, decimals)
    solver = _Pseudoflow(given - _scaled(cost, decimals), ptr, idx)
    first_pit = np.full(len(revenue), -1, dtype=np.int64)
    values = np.empty(len(factors))
    for k, factor in enumerate(factors):
        if k:
            wanted = _scaled(factor * revenue, decimals)
            solver.raise_excess(wanted - given)
            given = wanted
        pit = solver.solve()
        first_pit[pit & (first_pit < 0)] = k
        values[k] = float((factor * revenue[pit] - cost[pit]).sum())
    return NestedPits(factors, first_pit, values)
