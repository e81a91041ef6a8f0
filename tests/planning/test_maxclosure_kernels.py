"""The pit solver's kernels run as plain Python on small problems (issue 16: a MineLib
``aurum pit ultimate`` of newman1's size starts neither numba nor SciPy) and compiled on large
ones, with the same pits; the cycle check of the precedences, in both forms."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aurum.core.errors import ValidationError
from aurum.planning import maxclosure
from aurum.planning.maxclosure import maximum_closure, nested_pits, precedence_cycle
from aurum.planning.minelib import check_acyclic, read_prec

FORMS = {"interpreted": lambda size: maxclosure.types.SimpleNamespace(**maxclosure._KERNELS),
         "compiled": lambda size: maxclosure._compiled()}


def _random_instance(rng: np.random.Generator, cycles: bool
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random precedences on up to 60 blocks (acyclic unless ``cycles``: then a block may
    need any other) and integer values."""
    n = int(rng.integers(1, 60))
    preds = [rng.integers(0, n if cycles else max(i, 1), size=int(rng.integers(0, 4)))
             for i in range(n)]
    preds = [np.unique(p[(p != i) & (cycles | (p < i))]) for i, p in enumerate(preds)]
    ptr = np.concatenate([[0], np.cumsum([len(p) for p in preds])])
    idx = np.concatenate(preds).astype(np.int64)
    return rng.integers(-20, 21, size=n).astype(float), ptr, idx


def test_interpreted_and_compiled_kernels_find_the_same_pits(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(20261206)
    cases = [_random_instance(rng, cycles=True) for _ in range(150)]
    factors = np.array([0.5, 1.0, 2.0])
    found: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for form, kernels in FORMS.items():
        monkeypatch.setattr(maxclosure, "_kernels", kernels)
        found[form] = []
        for values, ptr, idx in cases:
            revenue, cost = np.maximum(values, 0), np.maximum(-values, 0) + 1
            found[form].append((maximum_closure(values, ptr, idx, decimals=0).in_pit,
                                nested_pits(revenue, cost, ptr, idx, factors).first_pit))
    for (pit_a, nested_a), (pit_b, nested_b) in zip(*found.values(), strict=True):
        np.testing.assert_array_equal(pit_a, pit_b)
        np.testing.assert_array_equal(nested_a, nested_b)


@pytest.mark.parametrize("form", list(FORMS))
def test_precedence_cycle(monkeypatch: pytest.MonkeyPatch, form: str) -> None:
    monkeypatch.setattr(maxclosure, "_kernels", FORMS[form])
    rng = np.random.default_rng(7)
    for _ in range(100):  # acyclic by construction: block i needs only blocks below i
        _, ptr, idx = _random_instance(rng, cycles=False)
        assert precedence_cycle(ptr, idx).size == 0
    # 0 needs 1, 1 needs 2, 2 needs 3, 3 needs 1; 4 needs 0: the cycle is 1, 2, 3.
    ptr, idx = np.array([0, 1, 2, 3, 4, 5]), np.array([1, 2, 3, 1, 0])
    np.testing.assert_array_equal(precedence_cycle(ptr, idx), [1, 2, 3])
    with pytest.raises(ValidationError, match=r"cycle through blocks 1, 2, 3$"):
        check_acyclic(ptr, idx)
    # A block needing itself is named even when a longer cycle comes first.
    idx[4] = 4
    with pytest.raises(ValidationError, match="block 4 needs itself"):
        check_acyclic(ptr, idx)
    with pytest.raises(ValidationError, match="names block 5, which does not exist"):
        precedence_cycle(ptr, np.array([1, 2, 3, 1, 5]))
    ring = np.arange(1, 11) % 10  # block i needs i + 1, block 9 needs 0
    with pytest.raises(ValidationError, match=r"through blocks 0, 1, 2, 3, 4, 5, 6, 7 \.\.\."):
        check_acyclic(np.arange(11), ring)


def test_prec_file_problems_keep_their_rows(tmp_path: Path) -> None:
    bad = tmp_path / "bad.prec"
    bad.write_text("0 0\n1 x 0\n2 2 0\n3 1 -1\n\nEOF\n")
    with pytest.raises(ValidationError) as raised:
        read_prec(bad, 4)
    assert [(p.row, p.message) for p in raised.value.problems] == [
        (2, "expected integers, got '1 x 0'"),
        (3, "block 2 announces 2 predecessors but lists 1"),
        (4, "names block -1, which does not exist (blocks 0..3)")]


def test_prec_files_read_whole_or_line_by_line_agree(tmp_path: Path) -> None:
    """A sound file is read as one array; an EOF line sends it line by line: same result,
    whatever the order of the lines."""
    rng = np.random.default_rng(11)
    _, ptr, idx = _random_instance(rng, cycles=False)
    while len(ptr) < 20:
        _, ptr, idx = _random_instance(rng, cycles=False)
    lines = [" ".join(map(str, [i, ptr[i + 1] - ptr[i], *idx[ptr[i]:ptr[i + 1]]]))
             for i in range(len(ptr) - 1)]
    path = tmp_path / "x.prec"
    for text in ("\n".join(lines) + "\n", "\r\n".join(rng.permutation(lines)) + "\n\n",
                 "\n".join(lines[1:]) + "\nEOF\n"):
        path.write_text(text)
        read_ptr, read_idx = read_prec(path, len(ptr) - 1)
        expected_idx = idx if "EOF" not in text else idx[ptr[1]:]
        expected_ptr = ptr if "EOF" not in text else np.concatenate([[0], ptr[1:] - ptr[1]])
        np.testing.assert_array_equal(read_ptr, expected_ptr)
        np.testing.assert_array_equal(read_idx, expected_idx)


def test_a_small_minelib_run_starts_neither_numba_nor_scipy(shared_data: Path) -> None:
    folder = shared_data / "minelib" / "newman1"
    code = ("import sys\nfrom aurum.cli import cli\n"
            f"try: cli(['pit', 'ultimate', '--upit', {str(folder / 'newman1.upit')!r}, "
            f"'--prec', {str(folder / 'newman1.prec')!r}])\n"
            "except SystemExit as exc: assert exc.code in (0, None), exc.code\n"
            "print(' '.join(m for m in ('numba', 'scipy', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0].startswith("Newman1: ultimate pit of 1,059 of 1,060 blocks, value "
                             "26,086,899.03") and out[-1] == ""
