"""The session key: generated once, private, the same for racing workers."""

from __future__ import annotations

import os
import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from aurum.core.config import get_settings


def _key(home: str) -> str:
    os.environ["AURUM_HOME"] = home
    return get_settings().secret_key()


def test_racing_workers_share_one_private_key(tmp_path: Path) -> None:
    with ProcessPoolExecutor(4) as pool:
        keys = set(pool.map(_key, [str(tmp_path)] * 12))
    assert len(keys) == 1 and len(keys.pop()) >= 48
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.key"]


def test_environment_key_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURUM_HOME", str(tmp_path))
    monkeypatch.setenv("AURUM_SECRET_KEY", "from-the-vault")
    assert get_settings().secret_key() == "from-the-vault"
    assert not (tmp_path / "secret.key").exists()
