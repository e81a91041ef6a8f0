"""Checkpoints of the ledger as C2SP signed notes, for witnesses outside the database.

A checkpoint (https://c2sp.org/tlog-checkpoint) is a note whose text is the log's origin line,
the tree size in decimal and the root hash in standard base64, each ending in a newline. A
signed note (https://c2sp.org/signed-note) is that text, a blank line, and one signature line
per signer: an em dash (U+2014), a space, the key name, a space, and the base64 of the 4-byte
key hash followed by the Ed25519 signature of the text (its final newline included). The key
hash is the first 4 bytes of ``SHA-256(key name || 0x0A || 0x01 || public key)``; a verifier
key is written ``<name>+<key hash, 8 hex digits>+<base64(0x01 || public key)>``, as Go's
``golang.org/x/mod/sumdb/note`` writes it, so any tool of that ecosystem checks our notes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from aurum.core.i18n import _
from aurum.recycling.merkle import HASH_SIZE
from aurum.recycling.sealing import TreeHeadSigner

ED25519 = b"\x01"
"""The signed-note algorithm byte of Ed25519."""
SIGNATURE_PREFIX = "\u2014 "
MAX_NOTE_CHARS = 65_536
"""Longest note accepted (a checkpoint with a few signatures is a few hundred characters)."""
MAX_NAME_CHARS = 255
"""Longest origin and key name kept (the witness stores them)."""
_KEY_NAME = re.compile(rf"[^\s+]{{1,{MAX_NAME_CHARS}}}")
# At most 18 digits: every size fits a signed 64-bit column.
_SIZE = re.compile(r"0|[1-9][0-9]{0,17}")


class CheckpointError(ValueError):
    """A note or key that is malformed, or a signature that does not verify."""


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint states about a log.

    Parameters
    ----------
    origin : str
        Unique name of the log (its first line).
    size : int
        Entries in the tree (leaves).
    root : bytes
        RFC 6962 root hash of those entries (32 bytes).
    """

    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        """The note text (what the signatures cover)."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


@dataclass(frozen=True)
class VerifierKey:
    """A public key under its name.

    Parameters
    ----------
    name : str
        Key name (no spaces, no ``+``).
    public_key : bytes
        Raw Ed25519 public key (32 bytes).
    """

    name: str
    public_key: bytes

    @property
    def key_hash(self) -> bytes:
        """The 4-byte key hash that signature lines carry."""
        return key_hash(self.name, self.public_key)

    def __str__(self) -> str:
        return (f"{self.name}+{self.key_hash.hex()}+"
                f"{base64.b64encode(ED25519 + self.public_key).decode()}")


def key_hash(name: str, public_key: bytes) -> bytes:
    """First 4 bytes of ``SHA-256(name || 0x0A || 0x01 || public key)``."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519 + public_key).digest()[:4]


def check_key_name(name: str) -> None:
    """Refuse a key name (and checkpoint origin) that is empty, longer than
    :data:`MAX_NAME_CHARS` or holds a space or a '+'."""
    if not _KEY_NAME.fullmatch(name):
        raise CheckpointError(_("key name %(name)s is empty, longer than %(most)s "
                                "characters or holds a space or a '+'",
                                name=repr(name[:80]), most=MAX_NAME_CHARS))


def parse_verifier_key(text: str) -> VerifierKey:
    """Read a verifier key ``<name>+<hash>+<base64(0x01 || key)>``.

    Raises
    ------
    CheckpointError
        When it is not of that form, not Ed25519, or its hash does not match its key.
    """
    name, _plus, rest = text.strip().partition("+")
    hash_hex, _plus, material = rest.partition("+")
    check_key_name(name)
    try:
        raw = base64.b64decode(material, validate=True)
        stated = bytes.fromhex(hash_hex) if len(hash_hex) == 8 else b""
    except (binascii.Error, ValueError):
        raw, stated = b"", b""
    if len(raw) != 33 or raw[:1] != ED25519 or len(stated) != 4:
        raise CheckpointError(_("expected a verifier key <name>+<8 hex digits>+<base64 of "
                                "0x01 and a 32-byte Ed25519 key>"))
    key = VerifierKey(name, raw[1:])
    if key.key_hash != stated:
        raise CheckpointError(_("verifier key %(name)s: the hash %(stated)s is not its key's "
                                "(%(hash)s)", name=name, stated=hash_hex,
                                hash=key.key_hash.hex()))
    return key


def verifier_key(name: str, signer: TreeHeadSigner) -> VerifierKey:
    """The verifier key of ``signer`` under ``name`` (to publish beside the checkpoints)."""
    check_key_name(name)
    return VerifierKey(name, signer.public_key)


def sign_note(text: str, name: str, signer: TreeHeadSigner) -> str:
    """The signed note of ``text`` (which ends in a newline), signed by ``signer`` as
    ``name``."""
    check_key_name(name)
    if not text.endswith("\n") or "\n\n" in text:
        raise CheckpointError(_("a note text ends in a newline and holds no blank line"))
    signature = signer.sign_message(text.encode("utf-8"))
    blob = base64.b64encode(key_hash(name, signer.public_key) + signature).decode()
    return f"{text}\n{SIGNATURE_PREFIX}{name} {blob}\n"


def sign_checkpoint(checkpoint: Checkpoint, signer: TreeHeadSigner) -> str:
    """The checkpoint as a note signed under its origin as key name."""
    return sign_note(checkpoint.text(), checkpoint.origin, signer)


def open_note(note: str, key: VerifierKey) -> str:
    """The text of a signed note, once a signature by ``key`` on it has verified.

    Signatures by other keys are ignored (a note may carry a witness's cosignature too).

    Raises
    ------
    CheckpointError
        When the note is malformed or too long, carries no signature by ``key``, or that
        signature does not verify.
    """
    if len(note) > MAX_NOTE_CHARS:
        raise CheckpointError(_("a note has at most %(most)s characters, not %(chars)s",
                                most=MAX_NOTE_CHARS, chars=len(note)))
    if any(c < " " and c != "\n" for c in note) or not note.endswith("\n"):
        raise CheckpointError(_("a note holds no control character but newlines and ends "
                                "in a newline"))
    split = note.rfind("\n\n")
    if split < 0:
        raise CheckpointError(_("a signed note is text, a blank line, then signature lines"))
    text, lines = note[:split + 1], note[split + 2:-1].split("\n")
    found = False
    for line in lines:
        name, _space, blob = line.removeprefix(SIGNATURE_PREFIX).rpartition(" ")
        try:
            raw = base64.b64decode(blob, validate=True)
        except binascii.Error:
            raw = b""
        if not line.startswith(SIGNATURE_PREFIX) or not _KEY_NAME.fullmatch(name) \
                or len(raw) < 5:
            raise CheckpointError(_("malformed signature line %(line)s", line=repr(line[:80])))
        if name != key.name or raw[:4] != key.key_hash:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(key.public_key).verify(raw[4:],
                                                                      text.encode("utf-8"))
        except (InvalidSignature, ValueError) as exc:
            raise CheckpointError(_("the signature of %(name)s (%(hash)s) does not verify: "
                                    "the note was changed or signed by another key",
                                    name=key.name, hash=key.key_hash.hex())) from exc
        found = True
    if not found:
        raise CheckpointError(_("the note carries no signature by %(name)s (%(hash)s)",
                                name=key.name, hash=key.key_hash.hex()))
    return text


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a checkpoint's note text (origin, size, base64 root; extension lines ignored).

    Raises
    ------
    CheckpointError
        When a line is missing or malformed.
    """
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or not 0 < len(lines[0]) <= MAX_NAME_CHARS:
        raise CheckpointError(_("a checkpoint is an origin line (at most %(most)s "
                                "characters), a tree size line and a root hash line",
                                most=MAX_NAME_CHARS))
    if not _SIZE.fullmatch(lines[1]):
        raise CheckpointError(_("tree size %(size)s is not a decimal number of at most 18 "
                                "digits", size=repr(lines[1][:40])))
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error:
        root = b""
    if len(root) != HASH_SIZE:
        raise CheckpointError(_("root hash %(root)s is not %(bytes)s bytes in base64",
                                root=repr(lines[2][:60]), bytes=HASH_SIZE))
    return Checkpoint(lines[0], int(lines[1]), root)


def open_checkpoint(note: str, key: VerifierKey) -> Checkpoint:
    """The checkpoint of a signed note, once its signature by ``key`` has verified."""
    return parse_checkpoint(open_note(note, key))
