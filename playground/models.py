from __future__ import annotations

import secrets
import string

from django.db import models

SLUG_ALPHABET = string.ascii_letters + string.digits
SLUG_LENGTH = 10


def new_scenario_id() -> str:
    """A short random id for share links: 10 letters/digits (~59 bits)."""
    return "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_LENGTH))


class Scenario(models.Model):
    """A saved scenario document (format: shared spec, scenario-format.md)."""

    id = models.CharField(
        primary_key=True, max_length=SLUG_LENGTH, default=new_scenario_id, editable=False
    )
    title = models.CharField(max_length=200, blank=True, default="")
    document = models.JSONField()
    is_example = models.BooleanField(default=False)
    example_slug = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title or self.id
