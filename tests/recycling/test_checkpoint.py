"""Signed notes and checkpoints byte for byte as Go's golang.org/x/mod/sumdb/note writes them
(its published PeterNeumann example), and what a verifier refuses."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from aurum.core.config import get_settings
from aurum.recycling.checkpoint import (
    Checkpoint,
    CheckpointError,
    open_checkpoint,
    open_note,
    parse_checkpoint,
    parse_verifier_key,
    sign_checkpoint,
    sign_note,
    verifier_key,
)
from aurum.recycling.sealing import TreeHeadSigner
from aurum.services import recycling

# The example key and note of golang.org/x/mod/sumdb/note's tests and documentation.
VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
SKEY_MATERIAL = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
TEXT = ("If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n")
NOTE = (TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1F"
        "FYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")
PETER = TreeHeadSigner(base64.b64decode(SKEY_MATERIAL)[1:])


def test_notes_match_the_reference_implementation() -> None:
    assert str(verifier_key("PeterNeumann", PETER)) == VKEY
    assert sign_note(TEXT, "PeterNeumann", PETER) == NOTE
    assert open_note(NOTE, parse_verifier_key(VKEY)) == TEXT


def test_a_checkpoint_round_trips_and_a_changed_one_fails() -> None:
    signer = TreeHeadSigner(b"\x07" * 32)
    key = verifier_key("example.org/log", signer)
    note = sign_checkpoint(Checkpoint("example.org/log", 4368, b"\xaa" * 32), signer)
    assert note.split("\n")[:4] == ["example.org/log", "4368",
                                    base64.b64encode(b"\xaa" * 32).decode(), ""]
    assert open_checkpoint(note, key) == Checkpoint("example.org/log", 4368, b"\xaa" * 32)
    with pytest.raises(CheckpointError, match="does not verify"):
        open_checkpoint(note.replace("\n4368\n", "\n2368\n"), key)
    other = verifier_key("example.org/log", TreeHeadSigner(b"\x08" * 32))
    with pytest.raises(CheckpointError, match=r"carries no signature by example\.org/log"):
        open_checkpoint(note, other)


@pytest.mark.parametrize(("vkey", "message"), [
    ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "is not its key's"),
    ("PeterNeumann+c74f20a3+ApRc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "expected a"),
    ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "holds a space"),
])
def test_malformed_verifier_keys_are_refused(vkey: str, message: str) -> None:
    with pytest.raises(CheckpointError, match=message):
        parse_verifier_key(vkey)


def test_checkpoints_beyond_the_stored_bounds_are_refused() -> None:
    root = base64.b64encode(b"\xaa" * 32).decode()
    with pytest.raises(CheckpointError, match="at most 18 digits"):
        parse_checkpoint(f"example.org/log\n{2**63}\n{root}\n")
    with pytest.raises(CheckpointError, match="origin line \\(at most 255 characters\\)"):
        parse_checkpoint(f"{'x' * 256}\n1\n{root}\n")
    assert parse_checkpoint(f"example.org/log\n{10**18 - 1}\n{root}\nextension\n").size == (
        10**18 - 1)


@pytest.mark.parametrize(("note", "message"), [
    (TEXT, "a signed note is text, a blank line"),
    (NOTE.replace("\u2014", "--"), "malformed signature line"),
    (NOTE.replace("\n\n", "\n\x01\n\n"), "no control character"),
])
def test_malformed_notes_are_refused(note: str, message: str) -> None:
    with pytest.raises(CheckpointError, match=message):
        open_note(note, parse_verifier_key(VKEY))


def test_an_origin_with_a_space_is_refused_when_the_keys_load(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURUM_KEYS", str(tmp_path))
    monkeypatch.setenv("AURUM_LEDGER_ORIGIN", "recycler one/ledger")
    with pytest.raises(ValueError, match="AURUM_LEDGER_ORIGIN: key name 'recycler one/ledger' "
                                         "is empty, longer than 255 characters or holds a "
                                         "space or a '"):
        recycling.LedgerKeys.load(get_settings())
    monkeypatch.setenv("AURUM_LEDGER_ORIGIN", "recycler.example/ledger")
    keys = recycling.LedgerKeys.load(get_settings())
    assert str(keys.verifier).startswith("recycler.example/ledger+")
