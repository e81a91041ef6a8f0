"""The cache of view models keeps what it computed, within its bounds in entries and bytes,
and keeps nothing of a computation that failed."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from aurum.services import cache


@pytest.fixture(autouse=True)
def empty() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def test_a_key_is_computed_once_and_the_oldest_goes_first(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    computed: list[str] = []

    def value(name: str) -> str:
        computed.append(name)
        return name.upper()

    assert [cache.cached(k, lambda k=k: value(k)) for k in ("a", "b", "a")] == ["A", "B", "A"]
    assert computed == ["a", "b"]
    cache.cached("c", lambda: value("c"))  # "b" is now the least recently used: it goes
    cache.cached("a", lambda: value("a"))
    cache.cached("b", lambda: value("b"))
    assert computed == ["a", "b", "c", "b"]


def test_the_bytes_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_BYTES", 20_000)
    calls: list[int] = []

    def array(n: int) -> np.ndarray:
        calls.append(n)
        return np.zeros(n)

    cache.cached(1, lambda: array(1_000))   # 8,000 bytes
    cache.cached(2, lambda: array(1_500))   # 12,000 bytes: 20,000 in all, kept
    cache.cached(3, lambda: array(5_000))   # 40,000 bytes: beyond the bound, not kept
    cache.cached(1, lambda: array(1_000))
    cache.cached(3, lambda: array(5_000))
    assert calls == [1_000, 1_500, 5_000, 5_000]
    assert cache.nbytes({"a": np.zeros(10), "b": [np.zeros(5)]}) > 120


def test_a_failed_computation_leaves_nothing_behind() -> None:
    def refuse() -> int:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        cache.cached("k", refuse)
    assert cache._IN_FLIGHT == {} and cache.cached("k", lambda: 1) == 1
