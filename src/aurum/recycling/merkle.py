"""The ledger's Merkle tree (RFC 6962, kept by RFC 9162): hashes, appends, proofs, checks.

A leaf is ``SHA-256(0x00 || entry)``, an inner node ``SHA-256(0x01 || left || right)``, the
root of an empty tree ``SHA-256("")``. A tree of ``n`` leaves is the sequence of its complete
subtrees (one per set bit of ``n``, largest first): that *frontier* is all an append needs,
so appending ``k`` entries hashes ``k`` leaves and at most ``k + log2(n)`` nodes whatever the
size of the log (:meth:`Frontier.extend`).

Why our own code: none of the project's dependencies implements RFC 9162 trees, and the
ledger needs what a stand-alone library would not give — batched appends from a frontier
kept in the database, proofs assembled from the subtree hashes the store keeps (as leaf
ranges, :func:`inclusion_ranges`), and the subtree proofs of the Merkle Tree Certificates
draft, checked by the same walk as RFC 9162's proofs. The
algorithms are the RFC's (§2.1.1 hashing, §2.1.3 inclusion, §2.1.4 consistency) and are
tested on the transparency-dev/merkle vectors. SHA-256 is hashlib's (OpenSSL, with the CPU's
SHA extensions where present); numba cannot call it, so batches go through C-level ``map``
and no Python bytecode runs per leaf or per node.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import methodcaller
from typing import cast

import numpy as np

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()

_digest = methodcaller("digest")
_NO_HASHES = np.empty((0, HASH_SIZE), np.uint8)


class ProofError(ValueError):
    """A proof does not prove what it claims (wrong size, wrong hash, wrong shape)."""


def leaf_hash(entry: bytes) -> bytes:
    """RFC 6962 leaf hash of one entry (its canonical bytes)."""
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 hash of an inner node from its two children's hashes."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def leaf_hashes(entries: Iterable[bytes]) -> np.ndarray:
    """Leaf hashes of many entries.

    Parameters
    ----------
    entries : iterable of bytes
        Canonical bytes of the entries, in log order.

    Returns
    -------
    numpy.ndarray
        Shape (n, 32), uint8: one hash per entry.
    """
    joined = b"".join(map(_digest, map(hashlib.sha256, map(LEAF_PREFIX.__add__, entries))))
    return np.frombuffer(joined, np.uint8).reshape(-1, HASH_SIZE)


def parent_layer(children: np.ndarray) -> np.ndarray:
    """Hashes of the parents of consecutive pairs of nodes (an odd last node is left out).

    Parameters
    ----------
    children : numpy.ndarray
        Shape (m, 32), uint8: nodes of one level, left to right, starting at an even index.

    Returns
    -------
    numpy.ndarray
        Shape (m // 2, 32), uint8.
    """
    pairs = len(children) // 2
    if pairs == 0:
        return _NO_HASHES
    buffer = np.empty((pairs, 1 + 2 * HASH_SIZE), np.uint8)
    buffer[:, 0] = NODE_PREFIX[0]
    buffer[:, 1:] = children[: 2 * pairs].reshape(pairs, 2 * HASH_SIZE)
    # Each row of the buffer is one node's input, handed to hashlib as a buffer.
    rows = cast(Iterable[bytes], buffer)
    joined = b"".join(map(_digest, map(hashlib.sha256, rows)))
    return np.frombuffer(joined, np.uint8).reshape(pairs, HASH_SIZE)


def _bit_ceil_log2(n: int) -> int:
    """Smallest L with 2**L >= n (n >= 1)."""
    return (n - 1).bit_length()


def _trailing_zeros(n: int) -> int:
    return (n & -n).bit_length() - 1


def complete_nodes(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees whose hashes make up ``MTH(D[start:end])``, left to right.

    Parameters
    ----------
    start, end : int
        Leaf range (0-based, end excluded) where ``start`` is a multiple of the largest power
        of two not above ``end - start`` — every range a proof refers to is of that form.

    Returns
    -------
    list of (level, index)
        Node ``(level, index)`` covers leaves ``[index * 2**level, (index + 1) * 2**level)``.
    """
    nodes = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, _trailing_zeros(start))
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold_nodes(hashes: Sequence[bytes]) -> bytes:
    """``MTH`` of a range from the hashes of its :func:`complete_nodes`, left to right."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def _path_ranges(level: int, index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges of the siblings met walking up from node (level, index) to the root of a
    tree of ``size`` leaves: a left sibling at each odd index, a right one at each even
    index that has one (RFC 9162 §2.1.3.1 paths, bottom up)."""
    ranges = []
    top = _bit_ceil_log2(size)
    while level < top:
        width = 1 << level
        if index & 1:
            ranges.append(((index - 1) * width, index * width))
        elif (index + 1) * width < size:
            ranges.append(((index + 1) * width, min((index + 2) * width, size)))
        index >>= 1
        level += 1
    return ranges


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose hashes form the inclusion proof of leaf ``index`` in a tree of
    ``size`` leaves (RFC 9162 §2.1.3.1), in proof order."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    return _path_ranges(0, index, size)


def is_valid_subtree(start: int, end: int) -> bool:
    """Whether ``[start, end)`` is a subtree in the sense of the Merkle Tree Certificates
    draft: not empty, and ``start`` a multiple of the smallest power of two >= its size."""
    return 0 <= start < end and start % (1 << _bit_ceil_log2(end - start)) == 0


def consistency_ranges(start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges of the proof that subtree ``[start, end)`` is part of the tree of ``size``
    leaves, in proof order; ``start = 0`` gives RFC 9162's consistency proof from tree size
    ``end`` to tree size ``size`` (§2.1.4.1).

    Parameters
    ----------
    start, end : int
        The subtree (:func:`is_valid_subtree`), or ``0`` and the older tree size.
    size : int
        Size of the newer tree (>= end).
    """
    if not is_valid_subtree(start, end) or end > size:
        raise ValueError(f"[{start}, {end}) is not a subtree of a tree of {size}")
    if start == 0 and end == size:
        return []
    top = _bit_ceil_log2(end - start)
    if end - start == 1 << top:
        return _path_ranges(top, start >> top, size)
    seed = _trailing_zeros(end)
    return [(end - (1 << seed), end), *_path_ranges(seed, (end >> seed) - 1, size)]


def _walk(level: int, index: int, size: int, seed: bytes, proof: Sequence[bytes],
          subtree_top: int) -> tuple[bytes, bytes]:
    """Chain ``proof`` from node (level, index) to the root of a tree of ``size`` leaves.

    Returns the root and the hash of the subtree whose root is at level ``subtree_top`` on
    the same path, built from the left siblings below that level only (for a consistency
    proof: the older tree, whose right border the path follows).
    """
    subtree, root = seed, seed
    hashes = iter(proof)
    top = _bit_ceil_log2(size)
    while level < top:
        if index & 1:
            sibling = next(hashes, None)
            if sibling is None:
                raise ProofError("proof too short")
            root = node_hash(sibling, root)
            if level < subtree_top:
                subtree = node_hash(sibling, subtree)
        elif (index + 1) << level < size:
            sibling = next(hashes, None)
            if sibling is None:
                raise ProofError("proof too short")
            root = node_hash(root, sibling)
        index >>= 1
        level += 1
    if next(hashes, None) is not None:
        raise ProofError("proof too long")
    return subtree, root


def _check_hashes(*hashes: bytes) -> None:
    if any(len(h) != HASH_SIZE for h in hashes):
        raise ProofError(f"every hash must have {HASH_SIZE} bytes")


def _check_root(computed: bytes, expected: bytes, what: str) -> None:
    if computed != expected:
        raise ProofError(f"the proof does not lead to the {what}")


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes],
                     root: bytes) -> None:
    """Check that ``leaf`` is leaf ``index`` of the tree of ``size`` leaves with ``root``.

    Parameters
    ----------
    index, size : int
        Leaf index (0-based) and tree size (leaves).
    leaf : bytes
        Leaf hash (32 bytes).
    proof : sequence of bytes
        Inclusion proof, lowest sibling first.
    root : bytes
        Expected root hash.

    Raises
    ------
    ProofError
        When the proof is malformed or does not lead to ``root``.
    """
    verify_subtree_inclusion(index, 0, size, leaf, proof, root)


def verify_subtree_inclusion(index: int, start: int, end: int, leaf: bytes,
                             proof: Sequence[bytes], subtree_root: bytes) -> None:
    """Check that ``leaf`` is leaf ``index`` of the subtree ``[start, end)`` with hash
    ``subtree_root`` (Merkle Tree Certificates draft; ``start = 0`` is plain inclusion).

    Raises
    ------
    ProofError
        When the subtree or the index is invalid, or the proof does not lead to the hash.
    """
    if not is_valid_subtree(start, end):
        raise ProofError(f"[{start}, {end}) is not a valid subtree")
    if not start <= index < end:
        raise ProofError(f"leaf {index} is outside [{start}, {end})")
    _check_hashes(leaf, subtree_root, *proof)
    _, root = _walk(0, index - start, end - start, leaf, proof, 0)
    _check_root(root, subtree_root, "root")


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes,
                       root2: bytes) -> None:
    """Check that the tree of ``size1`` leaves with ``root1`` is a prefix of the tree of
    ``size2`` leaves with ``root2`` (RFC 9162 §2.1.4.2).

    Raises
    ------
    ProofError
        When ``size1`` is 0 or above ``size2``, or the proof does not lead to both roots.
    """
    if size1 <= 0:
        raise ProofError("a consistency proof from an empty tree proves nothing")
    verify_subtree_consistency(0, size1, size2, proof, root1, root2)


def verify_subtree_consistency(start: int, end: int, size: int, proof: Sequence[bytes],
                               subtree_root: bytes, root: bytes) -> None:
    """Check that the subtree ``[start, end)`` with hash ``subtree_root`` is part of the tree
    of ``size`` leaves with ``root`` (Merkle Tree Certificates draft; ``start = 0`` is an RFC
    9162 consistency proof from tree size ``end``).

    Raises
    ------
    ProofError
        When the subtree is invalid or beyond ``size``, or the proof does not lead to both.
    """
    if start == end and 0 <= end <= size:
        # An empty subtree is part of every tree; its hash is the empty root.
        if proof:
            raise ProofError("an empty subtree needs an empty proof")
        _check_root(subtree_root, EMPTY_ROOT, "empty root")
        return
    if not is_valid_subtree(start, end) or end > size:
        raise ProofError(f"[{start}, {end}) is not a valid subtree of a tree of {size}")
    if start == 0 and end == size:
        # Equal trees: the roots are compared as given, whatever they hold.
        if proof:
            raise ProofError("equal trees need an empty proof")
        _check_root(subtree_root, root, "same root")
        return
    _check_hashes(subtree_root, root, *proof)
    top = _bit_ceil_log2(end - start)
    if end - start == 1 << top:
        level, seed, rest = top, subtree_root, proof
    elif proof:
        level, seed, rest = _trailing_zeros(end), proof[0], proof[1:]
    else:
        raise ProofError("empty proof")
    subtree, new_root = _walk(level, (end - 1) >> level, size, seed, rest, top)
    _check_root(subtree, subtree_root, "subtree root")
    _check_root(new_root, root, "root")


@dataclass(frozen=True)
class Frontier:
    """The complete subtrees of a tree: all an append needs.

    Parameters
    ----------
    size : int
        Number of leaves.
    hashes : tuple of bytes
        One hash per set bit of ``size``, highest level (leftmost subtree) first.
    """

    size: int = 0
    hashes: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if len(self.hashes) != self.size.bit_count():
            raise ValueError(f"a tree of {self.size} leaves has {self.size.bit_count()} "
                             f"complete subtrees, not {len(self.hashes)}")

    def levels(self) -> list[int]:
        """Levels of the complete subtrees, highest first."""
        return [b for b in range(self.size.bit_length() - 1, -1, -1) if self.size >> b & 1]

    def root(self) -> bytes:
        """Root hash of the tree (``EMPTY_ROOT`` when empty)."""
        return fold_nodes(self.hashes) if self.hashes else EMPTY_ROOT

    def to_bytes(self) -> bytes:
        """The hashes, concatenated (for storage beside ``size``)."""
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, blob: bytes) -> Frontier:
        """Inverse of :meth:`to_bytes`."""
        return cls(size, tuple(blob[i:i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)))

    def extend(self, leaves: np.ndarray) -> tuple[Frontier, dict[int, tuple[int, np.ndarray]]]:
        """Append leaves.

        Parameters
        ----------
        leaves : numpy.ndarray
            Shape (k, 32), uint8: leaf hashes of the new entries, in order.

        Returns
        -------
        frontier : Frontier
            Frontier of the tree of ``size + k`` leaves.
        new_nodes : dict
            ``level -> (first index, hashes (m, 32))`` of every node completed by the
            append, level 0 (the leaves) included.
        """
        old = dict(zip(self.levels(), self.hashes, strict=True))
        new_size = self.size + len(leaves)
        new_nodes: dict[int, tuple[int, np.ndarray]] = {}
        last: dict[int, bytes] = {}
        layer, first, level = np.asarray(leaves, np.uint8), self.size, 0
        while len(layer):
            new_nodes[level] = (first, layer)
            last[level] = layer[-1].tobytes()
            if first & 1:
                # The left sibling of the first new node is the old frontier's node here.
                left = np.frombuffer(old[level], np.uint8).reshape(1, HASH_SIZE)
                layer, first = np.vstack((left, layer)), first - 1
            layer, first, level = parent_layer(layer), first >> 1, level + 1
        hashes = tuple(last.get(b, old.get(b, b"")) for b in range(new_size.bit_length() - 1,
                                                                     -1, -1)
                       if new_size >> b & 1)
        return Frontier(new_size, hashes), new_nodes


@dataclass
class MerkleTree:
    """A whole tree held in memory, level by level (complete nodes only): for the verifier,
    which recomputes every hash, and for tests.

    Parameters
    ----------
    leaves : numpy.ndarray
        Shape (n, 32), uint8: leaf hashes in log order.
    """

    leaves: np.ndarray
    layers: list[np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        self.layers = [np.asarray(self.leaves, np.uint8).reshape(-1, HASH_SIZE)]
        while len(self.layers[-1]) > 1:
            self.layers.append(parent_layer(self.layers[-1]))

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self.layers[0])

    def node(self, level: int, index: int) -> bytes:
        """Hash of the complete node ``(level, index)``."""
        return self.layers[level][index].tobytes()

    def range_hash(self, start: int, end: int) -> bytes:
        """``MTH(D[start:end])`` for a range of the form :func:`complete_nodes` takes."""
        return fold_nodes([self.node(lv, i) for lv, i in complete_nodes(start, end)])

    def root(self, size: int | None = None) -> bytes:
        """Root of the tree of the first ``size`` leaves (default: all)."""
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError(f"no tree of size {size} in a log of {self.size}")
        return self.range_hash(0, size) if size else EMPTY_ROOT

    def frontier(self, size: int | None = None) -> Frontier:
        """Frontier of the tree of the first ``size`` leaves (default: all)."""
        size = self.size if size is None else size
        hashes, start = [], 0
        for level in Frontier(size, (b"",) * size.bit_count()).levels():
            hashes.append(self.node(level, start >> level))
            start += 1 << level
        return Frontier(size, tuple(hashes))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Inclusion proof of leaf ``index`` in the tree of the first ``size`` leaves."""
        size = self.size if size is None else size
        return [self.range_hash(a, b) for a, b in inclusion_ranges(index, size)]

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        """Consistency proof from tree size ``size1`` to ``size2`` (default: all)."""
        size2 = self.size if size2 is None else size2
        return [self.range_hash(a, b) for a, b in consistency_ranges(0, size1, size2)]
