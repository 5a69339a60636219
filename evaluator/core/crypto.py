"""Real envelope encryption: AES-256-GCM blobs that name their key.

Key material comes in from outside (a `KeyMaterial` store) and never leaves
this module in any result: only ciphertext blobs and data keys do.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"KPG1"
Random = Callable[[int], bytes]


class KeyMaterial(Protocol):
    """Where 256-bit key material lives; the web app keeps it in the database."""

    def get(self, key_arn: str) -> bytes: ...


@dataclass
class MemoryMaterial:
    """Material for one run, created on first use (the command line's store)."""

    rng: Random = os.urandom
    keys: dict[str, bytes] = field(default_factory=dict)

    def get(self, key_arn: str) -> bytes:
        if key_arn not in self.keys:
            self.keys[key_arn] = self.rng(32)
        return self.keys[key_arn]


class CiphertextError(Exception):
    """The blob is not one of ours, or it was tampered with."""


def _aad(key_arn: str, context: Mapping[str, str] | None) -> bytes:
    # The encryption context is bound as associated data; order is irrelevant (R9.3).
    canon = json.dumps(dict(sorted((context or {}).items())), separators=(",", ":"))
    return MAGIC + key_arn.encode() + b"\0" + canon.encode()


_CIPHERS: dict[bytes, AESGCM] = {}


def _cipher(material: bytes) -> AESGCM:
    """One AESGCM object per key (its key schedule is worth keeping for a batch)."""
    found = _CIPHERS.get(material)
    if found is None:
        if len(_CIPHERS) > 1024:
            _CIPHERS.clear()
        found = _CIPHERS[material] = AESGCM(material)
    return found


def encrypt(
    material: bytes, key_arn: str, plaintext: bytes, context: Mapping[str, str] | None, rng: Random
) -> str:
    nonce = rng(12)
    sealed = _cipher(material).encrypt(nonce, plaintext, _aad(key_arn, context))
    arn = key_arn.encode()
    blob = MAGIC + len(arn).to_bytes(2, "big") + arn + nonce + sealed
    return base64.b64encode(blob).decode()


def blob_key(ciphertext: str) -> str:
    """The key ARN a blob names (symmetric blobs carry it, R9.2)."""
    try:
        raw = base64.b64decode(ciphertext, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CiphertextError("The ciphertext is not valid base64.") from exc
    if len(raw) < 6 or raw[:4] != MAGIC:
        raise CiphertextError("The ciphertext blob was not produced by KMS.")
    size = int.from_bytes(raw[4:6], "big")
    try:
        return raw[6 : 6 + size].decode()
    except UnicodeDecodeError as exc:
        raise CiphertextError("The ciphertext blob is damaged.") from exc


def decrypt(material: bytes, ciphertext: str, context: Mapping[str, str] | None) -> bytes:
    key_arn = blob_key(ciphertext)
    raw = base64.b64decode(ciphertext)
    start = 6 + len(key_arn.encode())
    nonce, sealed = raw[start : start + 12], raw[start + 12 :]
    try:
        return _cipher(material).decrypt(nonce, sealed, _aad(key_arn, context))
    except (InvalidTag, ValueError) as exc:
        raise CiphertextError(
            "Authentication failed: the encryption context differs from the one used to "
            "encrypt, or the blob was changed."
        ) from exc


def local_encrypt(data_key: bytes, text: bytes, rng: Random) -> str:
    """What an application does with a data key: encrypt locally (envelope)."""
    nonce = rng(12)
    return base64.b64encode(nonce + AESGCM(data_key).encrypt(nonce, text, None)).decode()


def local_decrypt(data_key: bytes, blob: str) -> bytes:
    raw = base64.b64decode(blob)
    return AESGCM(data_key).decrypt(raw[:12], raw[12:], None)
