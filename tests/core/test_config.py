"""Keys: kept outside the data directory, generated once, private, the same for racing
workers; an older install's key in the data directory still used (with a warning)."""

from __future__ import annotations

import logging
import os
import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from aurum.core.config import get_settings


def _key(home: str, keys: str) -> str:
    os.environ["AURUM_HOME"] = home
    os.environ["AURUM_KEYS"] = keys
    return get_settings().secret_key()


def test_racing_workers_share_one_private_key(tmp_path: Path) -> None:
    home, keys = tmp_path / "data", tmp_path / "keys"
    with ProcessPoolExecutor(4) as pool:
        found = set(pool.map(_key, [str(home)] * 12, [str(keys)] * 12))
    assert len(found) == 1 and len(found.pop()) >= 48
    assert stat.S_IMODE((keys / "secret.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    assert sorted(p.name for p in keys.iterdir()) == ["secret.key"]
    assert not home.exists()


def test_environment_key_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURUM_HOME", str(tmp_path))
    monkeypatch.setenv("AURUM_KEYS", str(tmp_path / "keys"))
    monkeypatch.setenv("AURUM_SECRET_KEY", "from-the-vault")
    monkeypatch.setenv("AURUM_LEDGER_SIGNING_KEY", "ab" * 32)
    settings = get_settings()
    assert settings.secret_key() == "from-the-vault"
    assert settings.key_bytes("ledger-signing", "AURUM_LEDGER_SIGNING_KEY") == b"\xab" * 32
    assert not (tmp_path / "keys").exists() and not (tmp_path / "secret.key").exists()


def test_keys_default_to_the_user_configuration_not_the_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURUM_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("AURUM_KEYS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    key = get_settings().key_bytes("ledger-signing", "AURUM_LEDGER_SIGNING_KEY_UNSET")
    path = tmp_path / "config" / "aurum" / "keys" / "ledger-signing.key"
    assert bytes.fromhex(path.read_text()) == key and len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not (tmp_path / "data").exists()


def test_an_older_installs_key_in_the_data_directory_is_used_with_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    home, keys = tmp_path / "data", tmp_path / "keys"
    home.mkdir()
    (home / "ledger-signing.key").write_text("cd" * 32 + "\n")
    monkeypatch.setenv("AURUM_HOME", str(home))
    monkeypatch.setenv("AURUM_KEYS", str(keys))
    with caplog.at_level(logging.WARNING, logger="aurum.core.config"):
        key = get_settings().key_bytes("ledger-signing", "AURUM_LEDGER_SIGNING_KEY_UNSET")
    assert key == b"\xcd" * 32
    assert [r.getMessage() for r in caplog.records] == [
        f"using the key {home / 'ledger-signing.key'} from the data directory; move it to "
        f"{keys / 'ledger-signing.key'} (mode 0600) or set AURUM_KEYS: keys kept beside the "
        "data leave with every copy of it"]
    assert not keys.exists()
