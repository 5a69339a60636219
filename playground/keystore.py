"""Key material kept in the database, one lineage at a time.

The evaluator asks for a key's material through `get(key_arn)`; the first
request creates 32 random bytes. Material belongs to a lineage (a scenario and
all its forks and snapshots), so a fork decrypts its parent's ciphertexts and
an unrelated scenario with the same key id gets different material.

A GET or HEAD never writes (ReadsWriteNothing): material such a request
needs and nobody made yet is made for that request only, so its trace is
consistent in itself; the first write that needs it (running an attempt)
stores it for good.
"""

from __future__ import annotations

import os
from contextvars import ContextVar

from django.db import IntegrityError, transaction

from playground.models import KeyMaterial

MATERIAL_BYTES = 32
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_read_only: ContextVar[bool] = ContextVar("key_material_read_only", default=False)


class ReadsWriteNothing:
    """Middleware: key material is not stored while a GET (or HEAD) is answered."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        token = _read_only.set(request.method in SAFE_METHODS)
        try:
            return self.get_response(request)
        finally:
            _read_only.reset(token)


class DbKeyMaterial:
    """The evaluator's KeyMaterial protocol, backed by KeyMaterial rows."""

    def __init__(self, lineage: str) -> None:
        self.lineage = lineage
        self._cache: dict[str, bytes] | None = None

    def __repr__(self) -> str:
        return f"<DbKeyMaterial lineage={self.lineage}>"

    def _loaded(self) -> dict[str, bytes]:
        if self._cache is None:
            rows = KeyMaterial.objects.filter(lineage=self.lineage).values_list(
                "key_arn", "material"
            )
            self._cache = {arn: bytes(material) for arn, material in rows}
        return self._cache

    def get(self, key_arn: str) -> bytes:
        cache = self._loaded()
        if key_arn not in cache:
            cache[key_arn] = self._create(key_arn)
        return cache[key_arn]

    def _create(self, key_arn: str) -> bytes:
        material = os.urandom(MATERIAL_BYTES)
        if _read_only.get():
            return material
        try:
            with transaction.atomic():
                KeyMaterial.objects.create(lineage=self.lineage, key_arn=key_arn, material=material)
        except IntegrityError:  # another request created it first: use theirs
            row = KeyMaterial.objects.get(lineage=self.lineage, key_arn=key_arn)
            return bytes(row.material)
        return material
