"""What the playground stores.

Scenario      a saved scenario document: the examples gallery (loadexamples) and
              the challenges made by "Share as challenge"
WorkingCopy   one person's editable copy of a document, with its undo history
Revision      one version of a working copy's document (undo/redo walk these)
Snapshot      an immutable copy frozen by "Share", opened at /s/<id>
KeyMaterial   the secret key material of one KMS key within one lineage

A *lineage* is a scenario and every fork and snapshot made from it: they share
key material, so a fork's old ciphertexts still decrypt. Key material is only
ever read by the evaluator on the server; no page, export or log shows it.
"""

from __future__ import annotations

import secrets
import string

from django.db import models

SLUG_ALPHABET = string.ascii_letters + string.digits
SLUG_LENGTH = 10


def new_scenario_id() -> str:
    """A short random id for share links: 10 letters/digits (~59 bits)."""
    return "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_LENGTH))


def new_lineage_id() -> str:
    return secrets.token_urlsafe(16)


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
        ordering = ["example_slug", "title", "id"]

    def __str__(self) -> str:
        return self.title or self.id

    @property
    def summary(self) -> str:
        value = self.document.get("summary") if isinstance(self.document, dict) else None
        return value if isinstance(value, str) else ""


class WorkingCopy(models.Model):
    """An editable document. Only the browser holding its edit token may change it.

    `document` is always a valid scenario (the last valid state); policy text
    that is not valid yet is kept in `drafts`, keyed by "node-ref|path".
    `position` is the number of the Revision that `document` equals.
    """

    id = models.CharField(
        primary_key=True, max_length=SLUG_LENGTH, default=new_scenario_id, editable=False
    )
    lineage = models.CharField(max_length=32, default=new_lineage_id, db_index=True)
    document = models.JSONField()
    drafts = models.JSONField(default=dict, blank=True)
    # The revision the last edit, undo or redo came from: the decision diff
    # compares this revision's verdicts with that one's. Verdicts themselves are
    # never stored (playground/verdicts.py computes them for the revision shown).
    diff_base = models.PositiveIntegerField(null=True, blank=True)
    edit_token_hash = models.CharField(max_length=64)
    position = models.PositiveIntegerField(default=0)
    # The example or challenge it was started from: its goals, and the access it began with.
    origin = models.ForeignKey(
        Scenario, null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"working copy {self.id}"


class Revision(models.Model):
    working_copy = models.ForeignKey(
        WorkingCopy, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    document = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["working_copy", "number"], name="one_revision_number")
        ]
        ordering = ["number"]


class Snapshot(models.Model):
    """A frozen, read-only scenario behind a short share link."""

    id = models.CharField(
        primary_key=True, max_length=SLUG_LENGTH, default=new_scenario_id, editable=False
    )
    lineage = models.CharField(max_length=32, db_index=True)
    document = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"snapshot {self.id}"


class KeyMaterial(models.Model):
    """32 random bytes per (lineage, key ARN). Never rendered, exported or logged."""

    lineage = models.CharField(max_length=32)
    key_arn = models.CharField(max_length=300)
    material = models.BinaryField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lineage", "key_arn"], name="one_material_per_key")
        ]

    def __repr__(self) -> str:  # keep the bytes out of any debug output
        return f"<KeyMaterial {self.lineage} {self.key_arn}>"

    __str__ = __repr__
