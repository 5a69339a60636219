"""Edits to what a scenario keeps in lists besides its nodes: a key's grants
and the attempts. Like documents.py, each edit returns a new document and
never changes its input."""

from __future__ import annotations

import secrets

from playground.document_nodes import EditError, copy_document, find_node, get_pointer


def _key(doc: dict, ref: str) -> dict:
    node = find_node(doc, ref)
    if node is None or node.kind != "key":
        raise EditError("No such key.")
    return get_pointer(doc, node.pointer)


def new_grant_id() -> str:
    return secrets.token_hex(8)


def save_grant(doc: dict, ref: str, grant: dict) -> dict:
    """The key `ref` with `grant` added, or in place of the grant with its id."""
    doc = copy_document(doc)
    grants = _key(doc, ref).setdefault("grants", [])
    index = next((i for i, g in enumerate(grants) if g["id"] == grant["id"]), None)
    if index is None:
        grants.append(grant)
    else:
        grants[index] = grant
    return doc


def delete_grant(doc: dict, ref: str, grant_id: str) -> dict:
    doc = copy_document(doc)
    key = _key(doc, ref)
    if not any(g["id"] == grant_id for g in key.get("grants") or []):
        raise EditError("This key has no such grant: nothing was deleted.")
    key["grants"] = [g for g in key.get("grants") or [] if g["id"] != grant_id]
    if not key["grants"]:
        del key["grants"]
    return doc


def attempt_index(doc: dict, attempt_id: str) -> int | None:
    return next((i for i, a in enumerate(doc.get("attempts") or []) if a["id"] == attempt_id), None)


def attempt(doc: dict, attempt_id: str) -> dict | None:
    index = attempt_index(doc, attempt_id) if attempt_id else None
    return None if index is None else doc["attempts"][index]


def put_attempt(doc: dict, entry: dict, replacing: str = "") -> tuple[dict, int]:
    """A new document with `entry` in place of the attempt `replacing` (or added
    at the end); returns it and the entry's index. An id another attempt has
    already is refused."""
    index = attempt_index(doc, replacing) if replacing else None
    if any(a["id"] == entry["id"] for i, a in enumerate(doc.get("attempts") or []) if i != index):
        raise EditError(f'There is already an attempt "{entry["id"]}".')
    doc = copy_document(doc)
    items = doc.setdefault("attempts", [])
    if index is None:
        items.append(entry)
        return doc, len(items) - 1
    items[index] = entry
    return doc, index


def delete_attempt(doc: dict, attempt_id: str) -> dict:
    if attempt_index(doc, attempt_id) is None:
        raise EditError(f'No attempt "{attempt_id}": nothing was deleted.')
    doc = copy_document(doc)
    doc["attempts"] = [a for a in doc.get("attempts") or [] if a["id"] != attempt_id]
    return doc
