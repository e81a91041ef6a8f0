"""MineLib files (Espinoza, Goycoolea, Moreno & Newman 2013): ``.upit`` block values,
``.prec`` precedences and ``.sol`` solutions.

``NAME.upit``: header lines (``NAME:``, ``TYPE: UPIT``, ``NBLOCKS: n``,
``OBJECTIVE_FUNCTION:``) then ``id value`` per block; ``NAME.prec``: one line per block,
``id k p1 ... pk``, the k blocks that must be mined before it; ``NAME_upit.sol``: the ids of
the blocks of the optimal pit, one per line.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.planning.maxclosure import precedence_cycle


@dataclass(frozen=True)
class PitInstance:
    """Block values and precedences in compressed rows (block i needs
    ``pred_idx[pred_ptr[i]:pred_ptr[i+1]]``)."""

    name: str
    values: np.ndarray
    pred_ptr: np.ndarray
    pred_idx: np.ndarray

    @property
    def n_blocks(self) -> int:
        return len(self.values)

    @property
    def n_arcs(self) -> int:
        return len(self.pred_idx)


def _text(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise ValidationError(Problem(_("cannot read the file: %(error)s", error=exc),
                                      source=path.name)
                              ) from exc


def read_upit(path: str | Path) -> tuple[str, np.ndarray]:
    """Block values of a ``.upit`` file: (instance name, values indexed by block id)."""
    path = Path(path)
    lines = _text(path).splitlines()
    header: dict[str, str] = {}
    start = None
    for i, line in enumerate(lines):
        key, _colon, rest = line.partition(":")
        if key.strip().upper() == "OBJECTIVE_FUNCTION":
            start = i + 1
            break
        if rest:
            header[key.strip().upper()] = rest.strip()
    if start is None or "NBLOCKS" not in header:
        raise ValidationError(Problem(_("expected the header lines NBLOCKS: and "
                                        "OBJECTIVE_FUNCTION:"), source=path.name))
    n = int(header["NBLOCKS"])
    values = np.full(n, np.nan)
    problems: list[Problem] = []
    for row, line in enumerate(lines[start:], start=start + 1):
        parts = line.split()
        if not parts or parts[0].upper() == "EOF":
            continue
        try:
            block, value = int(parts[0]), float(parts[1])
        except (ValueError, IndexError):
            problems.append(Problem(_("expected 'block value', got %(line)r", line=line),
                                    row, None, path.name))
            continue
        if not 0 <= block < n:
            problems.append(Problem(_("block %(block)s outside 0..%(last)s (NBLOCKS %(n)s)",
                                      block=block, last=n - 1, n=n), row, None, path.name))
        elif not math.isfinite(value):
            problems.append(Problem(_("block %(block)s has no finite value (%(value)s)",
                                      block=block, value=parts[1]), row, None, path.name))
        else:
            values[block] = value
    missing = np.flatnonzero(np.isnan(values))
    if missing.size and not problems:
        problems.append(Problem(_("%(n)s blocks have no value, first %(first)s",
                                  n=missing.size, first=missing[0]), source=path.name))
    if problems:
        raise ValidationError(problems)
    return header.get("NAME", path.stem), values


def _integer_lines(text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The integers of a text and how many each non-empty line holds, read in one pass over
    the whole text; None when a word is not an integer (or the text not plain ASCII)."""
    data = np.frombuffer(text.encode(), dtype=np.uint8)
    space = (data == 32) | ((data >= 9) & (data <= 13))
    starts = np.flatnonzero(~space & np.concatenate(([True], space[:-1])))
    with warnings.catch_warnings():  # numpy warns, and will raise, at a word it cannot read
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            numbers = np.fromstring(text, dtype=np.int64, sep=" ")
        except ValueError:
            return None
    if len(numbers) != len(starts) or data.max(initial=0) > 127:
        return None
    return numbers, np.unique(np.cumsum(data == 10)[starts], return_counts=True)[1]


def read_prec(path: str | Path, n_blocks: int) -> tuple[np.ndarray, np.ndarray]:
    """Precedences of a ``.prec`` file in compressed rows, checked: every block named exists
    and the precedences have no cycle."""
    path = Path(path)
    text = _text(path)
    # A sound file is read as one array (reading line by line cost 0.1–0.2 s on kd's 14,153
    # lines, more than its solve); a file that is not, or has an EOF line or a block twice,
    # is read line by line below, which words its problems row by row.
    parsed = _integer_lines(text)
    if parsed is not None:
        numbers, counts = parsed
        first = np.cumsum(counts) - counts
        blocks = numbers[first]
        announced = np.where(counts > 1, numbers[np.minimum(first + 1, len(numbers) - 1)], -1)
        if len(numbers) and (announced == counts - 2).all() and numbers.min() >= 0 \
                and numbers.max() < n_blocks and np.bincount(blocks).max() == 1:
            order = np.argsort(blocks)
            lengths = announced[order]
            ptr = np.zeros(n_blocks + 1, dtype=np.int64)
            ptr[blocks + 1] = announced
            np.cumsum(ptr, out=ptr)
            idx = numbers[np.repeat(first[order] + 2 - (np.cumsum(lengths) - lengths), lengths)
                          + np.arange(ptr[-1])]
            check_acyclic(ptr, idx, path.name)
            return ptr, idx
    lists: list[list[int]] = [[]] * n_blocks
    problems: list[Problem] = []
    for row, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts or parts[0].upper() == "EOF":
            continue
        try:
            nums = list(map(int, parts))
        except ValueError:
            problems.append(Problem(_("expected integers, got %(line)r", line=line), row,
                                    None, path.name))
            continue
        block, k = nums[0], nums[1] if len(nums) > 1 else -1
        if k != len(nums) - 2:
            problems.append(Problem(_("block %(block)s announces %(k)s predecessors but "
                                      "lists %(listed)s", block=block, k=k,
                                      listed=len(nums) - 2), row, None, path.name))
            continue
        if min(nums) < 0 or max(nums) >= n_blocks:
            bad = next(b for b in nums if not 0 <= b < n_blocks)
            problems.append(Problem(_("names block %(block)s, which does not exist "
                                      "(blocks 0..%(last)s)", block=bad, last=n_blocks - 1),
                                    row, None, path.name))
            continue
        lists[block] = nums[2:]
    if problems:
        raise ValidationError(problems)
    ptr = np.zeros(n_blocks + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, lists), dtype=np.int64, count=n_blocks), out=ptr[1:])
    idx = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(ptr[-1]))
    check_acyclic(ptr, idx, path.name)
    return ptr, idx


def check_acyclic(ptr: np.ndarray, idx: np.ndarray, source: str | None = None) -> None:
    """Refuse precedences with a cycle (blocks that each need the other first)."""
    members = precedence_cycle(ptr, idx)
    if members.size == 1:
        raise ValidationError(Problem(_("block %(block)s needs itself", block=int(members[0])),
                                      source=source))
    if members.size:
        raise ValidationError(Problem(
            _("the precedences have a cycle through blocks %(blocks)s",
              blocks=", ".join(map(str, members[:8])) + (" ..." if members.size > 8 else "")),
            source=source))


def read_instance(upit: str | Path, prec: str | Path) -> PitInstance:
    """A MineLib ultimate-pit instance."""
    name, values = read_upit(upit)
    ptr, idx = read_prec(prec, len(values))
    return PitInstance(name, values, ptr, idx)


def read_solution(path: str | Path, n_blocks: int) -> np.ndarray:
    """A ``.sol`` file as a boolean pit."""
    ids = np.loadtxt(path, dtype=np.int64, ndmin=1)
    pit = np.zeros(n_blocks, dtype=bool)
    pit[ids] = True
    return pit


def is_closed(in_pit: np.ndarray, ptr: np.ndarray, idx: np.ndarray) -> bool:
    """Whether every block of the pit has all its predecessors in the pit."""
    rows = np.repeat(np.arange(len(in_pit)), np.diff(ptr))
    return bool(np.all(~in_pit[rows] | in_pit[idx]))
