"""Keys at work: personal data sealed with AES-256-GCM, sellers named by a keyed hash, tree
heads and checkpoints (:mod:`aurum.recycling.checkpoint`) signed with Ed25519. The keys are
passed in; where they are kept is the service's business
(:meth:`aurum.core.config.Settings.key_bytes`).

One 32-byte master key yields, through HKDF-SHA256 with distinct labels, the encryption key
and the HMAC key, so that a seller's pseudonym (HMAC-SHA256 of the document type and number)
never reveals the number and cannot be recomputed without the key. Every sealed value is
bound to what it belongs to (associated data), so a ciphertext copied onto another row does
not open.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import pandas as pd
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_SIZE = 12
_AEAD_LABEL = b"aurum recycling personal data AES-256-GCM v1"
_HMAC_LABEL = b"aurum recycling seller identity HMAC-SHA256 v1"


class SealError(ValueError):
    """A sealed value does not open with this key and context (changed, moved or other key)."""


def _derive(master: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(master)


def key_id(key: bytes) -> str:
    """A short public name of a key (first 8 bytes of its SHA-256, hex)."""
    return hashlib.sha256(key).hexdigest()[:16]


@dataclass(frozen=True)
class PersonalDataKeys:
    """Encryption and pseudonymisation keys derived from one master key.

    Parameters
    ----------
    master : bytes
        32 random bytes.
    """

    master: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.master) != 32:
            raise ValueError("the personal-data key must have 32 bytes")

    @property
    def key_id(self) -> str:
        """Public name of the master key (stored beside what it sealed)."""
        return key_id(self.master)

    @property
    def _aead(self) -> AESGCM:
        return AESGCM(_derive(self.master, _AEAD_LABEL))

    @property
    def _hmac_key(self) -> bytes:
        return _derive(self.master, _HMAC_LABEL)

    def seal(self, text: str, context: str) -> bytes:
        """Encrypt ``text``; ``context`` (e.g. ``seller:<hash>:name``) must be given again to
        open it. Returns nonce || ciphertext || tag."""
        nonce = os.urandom(NONCE_SIZE)
        return nonce + self._aead.encrypt(nonce, text.encode("utf-8"), context.encode("utf-8"))

    def seal_many(self, texts: pd.Series, contexts: pd.Series) -> list[bytes]:
        """:meth:`seal` of each text with its context."""
        aead = self._aead
        nonces = [os.urandom(NONCE_SIZE) for _ in range(len(texts))]
        return list(map(bytes.__add__, nonces, map(
            aead.encrypt, nonces, texts.astype(str).str.encode("utf-8"),
            contexts.astype(str).str.encode("utf-8"))))

    def open(self, sealed: bytes, context: str) -> str:
        """Decrypt a value sealed with this key and context.

        Raises
        ------
        SealError
            When the key, the context or the bytes are not those it was sealed with.
        """
        try:
            plain = self._aead.decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:],
                                       context.encode("utf-8"))
        except (InvalidTag, ValueError) as exc:
            raise SealError("sealed value does not open (other key, other row, or changed)"
                            ) from exc
        return plain.decode("utf-8")

    def identity_hashes(self, id_types: pd.Series, id_numbers: pd.Series) -> np.ndarray:
        """Keyed hashes (HMAC-SHA256, hex) of normalised ``type:number`` pairs.

        Parameters
        ----------
        id_types, id_numbers : pandas.Series of str
            Document types and normalised numbers.
        """
        messages = (id_types.astype(str) + ":" + id_numbers.astype(str)).str.encode("utf-8")
        digests = map(hmac.digest, repeat(self._hmac_key), messages, repeat("sha256"))
        return np.array(list(map(bytes.hex, digests)), dtype=object)

    def text_hash(self, text: str) -> str:
        """Keyed hash (hex) of a free text, e.g. a seller's statement of origin."""
        return hmac.digest(self._hmac_key, b"text:" + text.encode("utf-8"), "sha256").hex()


def tree_head_message(size: int, root: bytes, timestamp_ms: int) -> bytes:
    """The bytes signed for a tree head: RFC 6962 §3.5 ``TreeHeadSignature`` (version v1,
    signature type tree_hash, timestamp in ms since the epoch, tree size, root hash)."""
    return struct.pack(">BBQQ", 0, 1, timestamp_ms, size) + root


@dataclass(frozen=True)
class TreeHeadSigner:
    """Ed25519 signer of tree heads.

    Parameters
    ----------
    seed : bytes
        32-byte private key.
    """

    seed: bytes = field(repr=False)

    @property
    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def public_key(self) -> bytes:
        """Raw 32-byte public key, to publish beside the tree heads."""
        return self._private.public_key().public_bytes(serialization.Encoding.Raw,
                                                       serialization.PublicFormat.Raw)

    @property
    def key_id(self) -> str:
        """Public name of the key."""
        return key_id(self.public_key)

    def sign(self, size: int, root: bytes, timestamp_ms: int) -> bytes:
        """Signature (64 bytes) of a tree head."""
        return self._private.sign(tree_head_message(size, root, timestamp_ms))

    def sign_message(self, message: bytes) -> bytes:
        """Signature (64 bytes) of any message, e.g. a checkpoint's note text."""
        return self._private.sign(message)


def verify_tree_head(public_key: bytes, size: int, root: bytes, timestamp_ms: int,
                     signature: bytes) -> bool:
    """Whether ``signature`` is the key's signature of this tree head."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, tree_head_message(size, root, timestamp_ms))
    except (InvalidSignature, ValueError):
        return False
    return True
