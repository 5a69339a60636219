"""Key material kept in the database, one lineage at a time.

The evaluator asks for a key's material through `get(key_arn)`; the first
request creates 32 random bytes. Material belongs to a lineage (a scenario and
all its forks and snapshots), so a fork decrypts its parent's ciphertexts and
an unrelated scenario with the same key id gets different material.
"""

from __future__ import annotations

import os

from django.db import IntegrityError, transaction

from playground.models import KeyMaterial

MATERIAL_BYTES = 32


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
        try:
            with transaction.atomic():
                KeyMaterial.objects.create(lineage=self.lineage, key_arn=key_arn, material=material)
        except IntegrityError:  # another request created it first: use theirs
            row = KeyMaterial.objects.get(lineage=self.lineage, key_arn=key_arn)
            return bytes(row.material)
        return material
