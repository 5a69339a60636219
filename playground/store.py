"""Working copies, their history, forks and snapshots.

Every change goes through `save`, which keeps the invariant that a working
copy's document is always a valid scenario: a change that would break it is
refused (after dropping what it merely left dangling, such as an attempt by a
deleted role), so the last valid state is never lost. Each save adds a
Revision; undo and redo move along them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from django.db import transaction

from playground import documents, engine
from playground.document_nodes import EditError
from playground.models import Revision, Snapshot, WorkingCopy, new_lineage_id

HISTORY_LIMIT = 50
MAX_DOCUMENT_BYTES = 512 * 1024  # stated on the import form and in errors
# The canvas draws every node and an access arrow for every (user or role, key)
# pair: past these it takes seconds (about 2 ms per arrow on a busy 2-core machine).
MAX_NODES = 200
MAX_ACCESS_ARROWS = 1000


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(wc: WorkingCopy, token: str | None) -> bool:
    if not token or not wc.edit_token_hash:
        return False
    return hmac.compare_digest(hash_token(token), wc.edit_token_hash)


def document_size(document: dict) -> int:
    return len(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode())


def check_size(document: dict) -> None:
    size = document_size(document)
    if size > MAX_DOCUMENT_BYTES:
        raise EditError(
            f"The scenario would be {size // 1024} KB; the limit is "
            f"{MAX_DOCUMENT_BYTES // 1024} KB. Nothing was changed."
        )


def node_count(document: dict) -> int:
    """Nodes the canvas draws: the organization's root and units, accounts, principals,
    groups, keys, buckets and VPC endpoints."""
    org = document.get("organization")
    units = (org.get("units") or []) if isinstance(org, dict) else []
    lists = ("accounts", "principals", "groups", "keys", "buckets", "vpc_endpoints")
    count = (1 + len(units) if isinstance(org, dict) else 0) + sum(
        len(v) for v in (document.get(name) for name in lists) if isinstance(v, list)
    )
    return count


def check_nodes(document: dict) -> None:
    count = node_count(document)
    if count > MAX_NODES:
        raise EditError(
            f"The scenario would have {count:,} nodes (accounts, users, roles, groups, keys, "
            f"buckets, ...); a scenario holds at most {MAX_NODES}. Nothing was changed."
        )
    principals, keys = (
        len(v) if isinstance(v, list) else 0
        for v in (document.get("principals"), document.get("keys"))
    )
    if principals * keys > MAX_ACCESS_ARROWS:
        raise EditError(
            f"The scenario would draw {principals * keys:,} access arrows ({principals} users "
            f"and roles x {keys} keys); a scenario draws at most {MAX_ACCESS_ARROWS:,}. "
            "Nothing was changed."
        )


def validated(document: dict) -> dict:
    """The document if it is a valid scenario (repaired if need be), else EditError.

    Valid means the loader accepts it and every policy compiles: a policy the
    evaluator cannot compile would stop every attempt from running.
    """
    check_size(document)
    check_nodes(document)
    result = engine.check(document)
    if result.ok:
        return document
    errors = [p for p in result.problems if p.is_error]
    repaired: dict | None = document
    for _ in range(2):  # dropping an attempt can leave a goal's task dangling in turn
        repaired = documents.repair(repaired, [p.pointer for p in result.problems if p.is_error])
        if repaired is None:
            break
        result = engine.check(repaired)
        if result.ok:
            return repaired
    first = errors[0]
    raise EditError(f"That change would break the scenario at {first.where()}: {first.message}")


@transaction.atomic
def create(document: dict, *, lineage: str | None = None, origin=None) -> tuple[WorkingCopy, str]:
    """A new working copy of `document` (started from `origin`, a Scenario) and its token."""
    document = validated(document)
    token = secrets.token_urlsafe(32)
    wc = WorkingCopy.objects.create(
        document=document,
        origin=origin,
        lineage=lineage or new_lineage_id(),
        edit_token_hash=hash_token(token),
        position=1,
    )
    Revision.objects.create(working_copy=wc, number=1, document=document)
    return wc, token


@transaction.atomic
def save(wc: WorkingCopy, document: dict, *, drafts: dict | None = None) -> WorkingCopy:
    """Store a new version of the document (validated) as the next revision."""
    document = validated(document)
    if drafts is not None:
        wc.drafts = drafts
    if document == wc.document:
        wc.save(update_fields=["drafts", "updated"])
        return wc
    Revision.objects.filter(working_copy=wc, number__gt=wc.position).delete()
    wc.diff_base = wc.position
    wc.position += 1
    Revision.objects.create(working_copy=wc, number=wc.position, document=document)
    Revision.objects.filter(working_copy=wc, number__lte=wc.position - HISTORY_LIMIT).delete()
    wc.document = document
    wc.save(update_fields=["document", "drafts", "position", "diff_base", "updated"])
    return wc


def save_drafts(wc: WorkingCopy, drafts: dict) -> None:
    wc.drafts = drafts
    wc.save(update_fields=["drafts", "updated"])


def can_undo(wc: WorkingCopy) -> bool:
    return Revision.objects.filter(working_copy=wc, number__lt=wc.position).exists()


def can_redo(wc: WorkingCopy) -> bool:
    return Revision.objects.filter(working_copy=wc, number__gt=wc.position).exists()


@transaction.atomic
def step_history(wc: WorkingCopy, direction: int) -> bool:
    """Undo (-1) or redo (+1). Drafts are dropped: they belong to the old text."""
    qs = Revision.objects.filter(working_copy=wc)
    if direction < 0:
        rev = qs.filter(number__lt=wc.position).order_by("-number").first()
    else:
        rev = qs.filter(number__gt=wc.position).order_by("number").first()
    if rev is None:
        return False
    wc.diff_base = wc.position
    wc.document = rev.document
    wc.position = rev.number
    wc.drafts = {}
    wc.save(update_fields=["document", "position", "drafts", "diff_base", "updated"])
    return True


def fork(document: dict, lineage: str, *, origin=None) -> tuple[WorkingCopy, str]:
    """A new working copy in the same lineage: it keeps the parent's key material."""
    return create(document, lineage=lineage, origin=origin)


def share(wc: WorkingCopy) -> Snapshot:
    return Snapshot.objects.create(lineage=wc.lineage, document=wc.document)
