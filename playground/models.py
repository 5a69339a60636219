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
    client = models.CharField(max_length=32, blank=True, default="")  # who shared a challenge
    # A shared challenge's document (store.snapshot_digest): sharing it again reuses the link.
    digest = models.CharField(max_length=64, blank=True, default="", db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["example_slug", "title", "id"]
        indexes = [models.Index(fields=["client", "created"], name="scenario_client_made")]

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
    `version` counts every change to `document` or `drafts` (undo and redo
    too) and never goes back: a write names the version it was made from and
    is refused if the copy moved on since (optimistic concurrency).
    `client` (a keyed hash of the creator's address) and `made_as` ("new"
    or "fork") feed the rate limits on creating and forking.
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
    version = models.PositiveIntegerField(default=1)
    client = models.CharField(max_length=32, blank=True, default="")
    made_as = models.CharField(max_length=8, blank=True, default="")  # "new" or "fork"
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["client", "made_as", "created"], name="copy_client_made")]

    def __str__(self) -> str:
        return f"working copy {self.id}"


class Revision(models.Model):
    working_copy = models.ForeignKey(
        WorkingCopy, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    document = models.JSONField()
    size = models.PositiveIntegerField(default=0)  # bytes of `document`, for the storage cap
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["working_copy", "number"], name="one_revision_number")
        ]
        ordering = ["number"]


class Snapshot(models.Model):
    """A frozen, read-only scenario behind a short share link.

    `digest` identifies the document: sharing the same document of the same
    lineage again gives the same snapshot (older duplicates keep digest "").
    """

    id = models.CharField(
        primary_key=True, max_length=SLUG_LENGTH, default=new_scenario_id, editable=False
    )
    lineage = models.CharField(max_length=32, db_index=True)
    document = models.JSONField()
    digest = models.CharField(max_length=64, blank=True, default="")
    client = models.CharField(max_length=32, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["lineage", "digest"],
                condition=~models.Q(digest=""),
                name="one_snapshot_per_document",
            )
        ]
        indexes = [models.Index(fields=["client", "created"], name="snapshot_client_made")]

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
