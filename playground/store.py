"""Working copies, their history, forks and snapshots.

Every change goes through `save`, which keeps the invariant that a working
copy's document is always a valid scenario: a change that would break it is
refused (after dropping what it merely left dangling, such as an attempt by a
deleted role), so the last valid state is never lost. Each save adds a
Revision; undo and redo move along them.

Every write is conditional on the version it was made from (`_write`), so
two writers never silently overwrite each other: one wins, the other gets
Conflict. A copy's storage (document, drafts, undo history) is capped.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from playground import documents, engine
from playground.document_nodes import EditError
from playground.models import Revision, Scenario, Snapshot, WorkingCopy, new_lineage_id

HISTORY_LIMIT = 50
MAX_DOCUMENT_BYTES = 512 * 1024  # stated on the import form and in errors
# The access matrix weighs each (user or role, key) pair a key policy opens to the
# caller's account: past these a save takes seconds (bench/web.py has 400 nodes).
MAX_NODES = 500
MAX_ACCESS_ARROWS = 20_000


class Conflict(Exception):
    """The working copy changed since the version a write was made from."""

    message = (
        "This working copy was changed elsewhere (in another tab or window) after this page"
        " was loaded, so your change was not applied. Reload to see the latest version."
    )


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
            f"The scenario would pair {principals * keys:,} callers with keys ({principals} users "
            f"and roles x {keys} keys); a scenario pairs at most {MAX_ACCESS_ARROWS:,}. "
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


def create(
    document: dict,
    *,
    lineage: str | None = None,
    origin=None,
    client: str = "",
    made_as: str = "new",
) -> tuple[WorkingCopy, str]:
    """A new working copy of `document` (started from `origin`, a Scenario) and its token.

    `client` and `made_as` ("new" or "fork") are what the rate limits count.
    """
    document = validated(document)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        wc = WorkingCopy.objects.create(
            document=document,
            origin=origin,
            lineage=lineage or new_lineage_id(),
            edit_token_hash=hash_token(token),
            position=1,
            client=client,
            made_as=made_as,
        )
        Revision.objects.create(
            working_copy=wc, number=1, document=document, size=document_size(document)
        )
    return wc, token


def _write(wc: WorkingCopy, **fields) -> None:
    """Change the copy's row only if it is still at `wc.version` (one atomic UPDATE).

    Two writers made from the same version: the database lets exactly one
    through; the other gets Conflict and nothing of it is applied.
    """
    now = timezone.now()
    changed = WorkingCopy.objects.filter(pk=wc.pk, version=wc.version).update(
        version=F("version") + 1, updated=now, **fields
    )
    if changed != 1:
        raise Conflict()
    for name, value in fields.items():
        setattr(wc, name, value)
    wc.version += 1
    wc.updated = now


@contextmanager
def _changing(wc: WorkingCopy):
    """A transaction; if it fails, `wc` is put back as it was read (nothing was stored)."""
    names = ("document", "drafts", "position", "diff_base", "version")
    before = {name: getattr(wc, name) for name in names}
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for name, value in before.items():
            setattr(wc, name, value)
        raise


def save(wc: WorkingCopy, document: dict, *, drafts: dict | None = None) -> WorkingCopy:
    """Store a new version of the document (validated) as the next revision.

    Conflict if the copy changed since `wc` was read; EditError if the
    document is not valid or would not fit in the storage cap.
    """
    document = validated(document)  # before the transaction: no lock held while checking
    drafts = wc.drafts if drafts is None else drafts
    with _changing(wc):
        if document == wc.document:
            if drafts != wc.drafts:
                _write(wc, drafts=drafts)
                _fit_storage(wc)
            return wc
        position = wc.position + 1
        _write(wc, document=document, drafts=drafts, position=position, diff_base=wc.position)
        revisions = Revision.objects.filter(working_copy=wc)
        revisions.filter(number__gte=position).delete()  # the redo branch is gone
        size = document_size(document)  # once: the revision's and the copy's own
        Revision.objects.create(working_copy=wc, number=position, document=document, size=size)
        revisions.filter(number__lte=position - HISTORY_LIMIT).delete()
        _fit_storage(wc, size)
    return wc


def save_drafts(wc: WorkingCopy, drafts: dict) -> None:
    with _changing(wc):
        _write(wc, drafts=drafts)
        _fit_storage(wc)


def stored_bytes(wc: WorkingCopy, document_bytes: int | None = None) -> int:
    """What the copy takes: its document (`document_bytes` when the caller has
    measured it), drafts and every revision kept for undo."""
    history = Revision.objects.filter(working_copy=wc).aggregate(total=Sum("size"))["total"]
    if document_bytes is None:
        document_bytes = document_size(wc.document)
    return document_bytes + document_size(wc.drafts) + (history or 0)


def _fit_storage(wc: WorkingCopy, document_bytes: int | None = None) -> None:
    """Keep the copy under the storage cap: drop the oldest undo steps, else refuse."""
    limit = settings.COPY_STORAGE_LIMIT_KB * 1024
    over = stored_bytes(wc, document_bytes) - limit
    if over <= 0:
        return
    old = Revision.objects.filter(working_copy=wc, number__lt=wc.position).order_by("number")
    drop = []
    for number, size in old.values_list("number", "size"):
        if over <= 0:
            break
        drop.append(number)
        over -= size
    if over > 0:
        raise EditError(
            f"This working copy would take more than its {settings.COPY_STORAGE_LIMIT_KB:,} KB"
            " of storage (the scenario, its drafts and its undo history). Nothing was changed."
        )
    Revision.objects.filter(working_copy=wc, number__in=drop).delete()


def can_undo(wc: WorkingCopy) -> bool:
    return Revision.objects.filter(working_copy=wc, number__lt=wc.position).exists()


def can_redo(wc: WorkingCopy) -> bool:
    return Revision.objects.filter(working_copy=wc, number__gt=wc.position).exists()


def step_history(wc: WorkingCopy, direction: int) -> bool:
    """Undo (-1) or redo (+1). Drafts are dropped: they belong to the old text."""
    qs = Revision.objects.filter(working_copy=wc)
    if direction < 0:
        rev = qs.filter(number__lt=wc.position).order_by("-number").first()
    else:
        rev = qs.filter(number__gt=wc.position).order_by("number").first()
    if rev is None:
        return False
    with _changing(wc):
        _write(wc, document=rev.document, position=rev.number, drafts={}, diff_base=wc.position)
    return True


def fork(document: dict, lineage: str, *, origin=None, client: str = "") -> tuple[WorkingCopy, str]:
    """A new working copy in the same lineage: it keeps the parent's key material."""
    return create(document, lineage=lineage, origin=origin, client=client, made_as="fork")


def snapshot_digest(document: dict) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def existing_snapshot(wc: WorkingCopy) -> Snapshot | None:
    """The snapshot already made of this document in this lineage, if any."""
    digest = snapshot_digest(wc.document)
    return Snapshot.objects.filter(lineage=wc.lineage, digest=digest).first()


def share(wc: WorkingCopy, *, client: str = "") -> Snapshot:
    """A snapshot of the document; the same document and lineage give the same one."""
    found = existing_snapshot(wc)
    if found is not None:
        return found
    digest = snapshot_digest(wc.document)
    try:
        with transaction.atomic():
            return Snapshot.objects.create(
                lineage=wc.lineage, document=wc.document, digest=digest, client=client
            )
    except IntegrityError:  # the same share, made at the same moment by another request
        return Snapshot.objects.get(lineage=wc.lineage, digest=digest)


def existing_challenge(document: dict) -> Scenario | None:
    """The challenge already shared with this very document, if any."""
    digest = snapshot_digest(document)
    return Scenario.objects.filter(digest=digest, is_example=False).order_by("created").first()


def share_challenge(document: dict, *, client: str = "") -> Scenario:
    """A challenge of the document; the same document gives the same one."""
    found = existing_challenge(document)
    if found is not None:
        return found
    title = (document.get("title") or "Challenge")[:200]
    digest = snapshot_digest(document)
    return Scenario.objects.create(title=title, document=document, client=client, digest=digest)
