"""The Merkle tree against transparency-dev/merkle's RFC 6962 / RFC 9162 vectors: every
happy path accepted, every tampered proof rejected; our proofs equal the published ones."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from aurum.recycling import merkle
from aurum.recycling.merkle import Frontier, MerkleTree, ProofError

# The eight leaves of the RFC 6962 reference tests (transparency-dev/merkle testonly).
RFC_LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f")]


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _vectors(shared_data: Path, kind: str) -> list[tuple[str, dict[str, object]]]:
    folder = shared_data / "merkle" / kind
    if not folder.is_dir():
        pytest.skip(f"no {folder}")
    return [(str(p.relative_to(folder)), json.loads(p.read_text()))
            for p in sorted(folder.rglob("*.json"))]


def _outcome(check: object, *args: object) -> bool:
    """True when the check raises (the proof is refused)."""
    try:
        check(*args)  # type: ignore[operator]
    except ProofError:
        return True
    return False


def test_hasher_vectors() -> None:
    # README of the vectors: empty tree e3b0c442…7852b855, leaf of empty input
    # 6e340b9c…617afa01d, leaf of "L123456" 395aa064…39252b4d56.
    assert merkle.EMPTY_ROOT.hex() == ("e3b0c44298fc1c149afbf4c8996fb924"
                                       "27ae41e4649b934ca495991b7852b855")
    empty_leaf = merkle.leaf_hash(b"").hex()
    assert empty_leaf.startswith("6e340b9c") and empty_leaf.endswith("617afa01d")
    named = merkle.leaf_hash(b"L123456").hex()
    assert named.startswith("395aa064") and named.endswith("39252b4d56")
    assert merkle.node_hash(b"N123", b"N456") == hashlib.sha256(b"\x01N123N456").digest()


@pytest.mark.parametrize("kind", ["inclusion", "subtreeinclusion"])
def test_inclusion_vectors(shared_data: Path, kind: str) -> None:
    cases = _vectors(shared_data, kind)
    for name, v in cases:
        proof = [_b64(p) for p in v["proof"] or []]  # type: ignore[attr-defined]
        if kind == "inclusion":
            refused = _outcome(merkle.verify_inclusion, v["leafIdx"], v["treeSize"],
                               _b64(v["leafHash"]), proof, _b64(v["root"]))
        else:
            refused = _outcome(merkle.verify_subtree_inclusion, v["leafIdx"], v["start"],
                               v["end"], _b64(v["leafHash"]), proof, _b64(v["root"]))
        assert refused == v["wantErr"], f"{kind}/{name}: {v['desc']}"
    assert sum(not v["wantErr"] for _, v in cases) >= 6
    assert sum(bool(v["wantErr"]) for _, v in cases) >= 90


@pytest.mark.parametrize("kind", ["consistency", "subtreeconsistency"])
def test_consistency_vectors(shared_data: Path, kind: str) -> None:
    cases = _vectors(shared_data, kind)
    for name, v in cases:
        proof = [_b64(p) for p in v["proof"] or []]  # type: ignore[attr-defined]
        if kind == "consistency":
            refused = _outcome(merkle.verify_consistency, v["size1"], v["size2"], proof,
                               _b64(v["root1"]), _b64(v["root2"]))
        else:
            refused = _outcome(merkle.verify_subtree_consistency, v["start"], v["end"],
                               v["size"], proof, _b64(v["root1"]), _b64(v["root2"]))
        assert refused == v["wantErr"], f"{kind}/{name}: {v['desc']}"
    assert sum(not v["wantErr"] for _, v in cases) >= 6


def test_our_proofs_are_the_published_ones(shared_data: Path) -> None:
    tree = MerkleTree(merkle.leaf_hashes(RFC_LEAVES))
    for kind in ("inclusion", "consistency"):
        for name, v in _vectors(shared_data, kind):
            # Folders 0-4 are proofs in the tree of RFC_LEAVES; the others use other leaves.
            if v["wantErr"] or not name[0].isdigit():
                continue
            proof = [_b64(p) for p in v["proof"] or []]  # type: ignore[attr-defined]
            if kind == "inclusion":
                assert tree.root(v["treeSize"]) == _b64(v["root"]), name  # type: ignore[arg-type]
                assert tree.inclusion_proof(v["leafIdx"], v["treeSize"]) == proof, name  # type: ignore[arg-type]
            else:
                assert tree.root(v["size1"]) == _b64(v["root1"]), name  # type: ignore[arg-type]
                assert tree.consistency_proof(v["size1"], v["size2"]) == proof, name  # type: ignore[arg-type]


def _random_leaves(n: int, seed: int = 7) -> np.ndarray:
    return merkle.leaf_hashes(np.random.default_rng(seed).bytes(24 * n)[24 * i:24 * i + 24]
                              for i in range(n))


def test_every_proof_of_small_trees_verifies_and_tampering_fails() -> None:
    tree = MerkleTree(_random_leaves(21))
    for size in range(1, 22):
        root = tree.root(size)
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            merkle.verify_inclusion(index, size, tree.node(0, index), proof, root)
            if proof:
                bad = [*proof[:-1], bytes(32)]
                with pytest.raises(ProofError):
                    merkle.verify_inclusion(index, size, tree.node(0, index), bad, root)
        for size1 in range(1, size + 1):
            proof = tree.consistency_proof(size1, size)
            merkle.verify_consistency(size1, size, proof, tree.root(size1), root)
            with pytest.raises(ProofError):
                merkle.verify_consistency(size1, size, proof, tree.root(size1 - 1), root)


def test_subtree_consistency_beyond_the_first_leaf() -> None:
    tree = MerkleTree(_random_leaves(13))
    for start, end in ((8, 13), (8, 12), (4, 7), (12, 13), (8, 10)):
        for size in range(end, 14):
            ranges = merkle.consistency_ranges(start, end, size)
            proof = [tree.range_hash(a, b) for a, b in ranges]
            merkle.verify_subtree_consistency(start, end, size, proof,
                                              tree.range_hash(start, end), tree.root(size))
            with pytest.raises(ProofError):
                merkle.verify_subtree_consistency(start, end, size, proof,
                                                  tree.range_hash(start, end - 1)
                                                  if end - start > 1 else bytes(32),
                                                  tree.root(size))


def test_frontier_appends_match_the_whole_tree() -> None:
    leaves = _random_leaves(300)
    tree = MerkleTree(leaves)
    frontier, stored = Frontier(), {}
    rng = np.random.default_rng(3)
    done = 0
    while done < len(leaves):
        k = int(rng.integers(1, 40))
        frontier, nodes = frontier.extend(leaves[done:done + k])
        done = min(done + k, len(leaves))
        assert frontier.size == done and frontier.root() == tree.root(done)
        for level, (first, hashes) in nodes.items():
            for i, h in enumerate(hashes):
                stored[(level, first + i)] = h.tobytes()
        again = Frontier.from_bytes(frontier.size, frontier.to_bytes())
        assert again == frontier
    # Every complete node was emitted exactly where the whole tree has it.
    expected = {(lv, i): tree.node(lv, i) for lv, layer in enumerate(tree.layers)
                for i in range(len(layer))}
    assert stored == expected
    assert Frontier().root() == merkle.EMPTY_ROOT


def test_ranges_refuse_what_is_not_a_tree() -> None:
    with pytest.raises(ValueError, match="not in a tree"):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ValueError, match="not a subtree"):
        merkle.consistency_ranges(3, 5, 8)
    with pytest.raises(ValueError, match="complete subtrees"):
        Frontier(3, (bytes(32),))
