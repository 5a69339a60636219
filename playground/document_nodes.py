"""Scenario documents as the canvas sees them: node refs, nodes, policy slots.

A *node ref* names a thing on the canvas the way the evaluator's trace does:
an account id, a principal's or group's IAM ARN, a key ARN, a bucket ARN, a
VPC endpoint id, the organization root id or a unit id. SCPs and RCPs are
policy owners without a node of their own: `scp:NAME` and `rcp:NAME`.

Everything here reads plain JSON (dicts and lists). The edits are in
documents.py (nodes and their policies) and document_org.py (the organization).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import evaluator

DEFAULT_REGION = evaluator.vocabulary.DEFAULT_REGION
DEFAULT_ROOT = "r-root"
VERSION = "2012-10-17"

NODE_KINDS = ("user", "role", "group", "key", "bucket", "endpoint")
ADDABLE_KINDS = ("account", *NODE_KINDS, "unit")
KIND_LABELS = {
    "account": "Account",
    "user": "IAM user",
    "role": "IAM role",
    "group": "IAM group",
    "key": "KMS key",
    "bucket": "S3 bucket",
    "endpoint": "VPC endpoint",
    "root": "Organization root",
    "unit": "Organizational unit",
    "scp": "SCP",
    "rcp": "RCP",
}


class EditError(ValueError):
    """An edit that cannot be made; the message is for the user."""


@dataclass(frozen=True, slots=True)
class Node:
    ref: str
    kind: str
    label: str
    account: str | None
    pointer: str  # where the node's object sits in the document


@dataclass(frozen=True, slots=True)
class Slot:
    """One policy of a node: where it is, which kind of policy, how to show it."""

    ref: str  # the owner's node ref (or scp:/rcp: ref)
    path: str  # JSON pointer inside the owner's object, e.g. /policies/0/policy
    kind: str  # check_policy kind: identity, trust, key, ...
    label: str
    removable: bool = False

    @property
    def draft_key(self) -> str:
        return draft_key(self.ref, self.path)


def draft_key(ref: str, path: str) -> str:
    return f"{ref}|{path}"


# ----------------------------------------------------------------------------- refs


def region_of(doc: dict) -> str:
    return doc.get("region") or DEFAULT_REGION


# The ARNs of document entries, spelled by the evaluator's builders.


def principal_arn(p: dict) -> str:
    return evaluator.principal_arn(p["account"], p["type"], p["name"], p.get("path") or "/")


def group_arn(g: dict) -> str:
    return evaluator.group_arn(g["account"], g["name"])


def key_arn(doc: dict, k: dict) -> str:
    return evaluator.key_arn(k.get("region") or region_of(doc), k["account"], k["id"])


def bucket_arn(b: dict) -> str:
    return evaluator.bucket_arn(b["name"])


def key_label(k: dict) -> str:
    aliases = k.get("aliases") or []
    if aliases:
        return aliases[0].removeprefix("alias/")
    return k.get("description") or k["id"][:8]


def org_root(doc: dict) -> str | None:
    org = doc.get("organization")
    return (org.get("root") or DEFAULT_ROOT) if isinstance(org, dict) else None


def iter_nodes(doc: dict) -> Iterator[Node]:
    """Every node of the canvas, accounts first, in document order."""
    org = doc.get("organization")
    if isinstance(org, dict):
        yield Node(org_root(doc), "root", "Root", None, "/organization")
        for i, u in enumerate(org.get("units") or []):
            yield Node(u["id"], "unit", u.get("name") or u["id"], None, f"/organization/units/{i}")
    for i, a in enumerate(doc.get("accounts") or []):
        yield Node(a["id"], "account", a.get("name") or a["id"], a["id"], f"/accounts/{i}")
    for i, p in enumerate(doc.get("principals") or []):
        yield Node(principal_arn(p), p["type"], p["name"], p["account"], f"/principals/{i}")
    for i, g in enumerate(doc.get("groups") or []):
        yield Node(group_arn(g), "group", g["name"], g["account"], f"/groups/{i}")
    for i, k in enumerate(doc.get("keys") or []):
        yield Node(key_arn(doc, k), "key", key_label(k), k["account"], f"/keys/{i}")
    for i, b in enumerate(doc.get("buckets") or []):
        yield Node(bucket_arn(b), "bucket", b["name"], b["account"], f"/buckets/{i}")
    for i, e in enumerate(doc.get("vpc_endpoints") or []):
        yield Node(e["id"], "endpoint", e["id"], e["account"], f"/vpc_endpoints/{i}")


def find_node(doc: dict, ref: str) -> Node | None:
    return next((n for n in iter_nodes(doc) if n.ref == ref), None)


def find_node_at(doc: dict, pointer: str) -> Node:
    return next(n for n in iter_nodes(doc) if n.pointer == pointer)


def owner_object(doc: dict, ref: str) -> tuple[str, dict] | None:
    """(pointer, object) of a node or an scp:/rcp: policy owner."""
    kind, _, name = ref.partition(":")
    if kind in ("scp", "rcp") and not ref.startswith("arn:"):
        org = doc.get("organization") or {}
        for i, item in enumerate(org.get(f"{kind}s") or []):
            if item.get("name") == name:
                return f"/organization/{kind}s/{i}", item
        return None
    node = find_node(doc, ref)
    if node is None:
        return None
    return node.pointer, get_pointer(doc, node.pointer)


# ----------------------------------------------------------------------------- pointers


def get_pointer(doc: object, pointer: str) -> object:
    """The value at `pointer`; KeyError if there is none."""
    if pointer and not pointer.startswith("/"):
        raise EditError(f"not a JSON pointer: {pointer!r}")
    return evaluator.value_at(doc, pointer)


def set_pointer(doc: object, pointer: str, value: object) -> None:
    if not pointer:
        raise EditError("cannot replace the whole document here")
    parent_pointer, _, raw_last = pointer.rpartition("/")
    parent = get_pointer(doc, parent_pointer)
    (last,) = evaluator.pointer_parts("/" + raw_last)
    if isinstance(parent, list):
        parent[int(last)] = value
    elif isinstance(parent, dict):
        parent[last] = value
    else:
        raise KeyError(pointer)


# ----------------------------------------------------------------------------- policy slots


def policy_slots(doc: dict, ref: str) -> list[Slot]:
    """The policies a node (or an SCP/RCP) carries, in the order a panel shows them."""
    found = owner_object(doc, ref)
    if found is None:
        return []
    _, obj = found
    kind = owner_kind(doc, ref)
    slots: list[Slot] = []
    if kind in ("scp", "rcp"):
        return [Slot(ref, "/policy", kind, f"{KIND_LABELS[kind]} {obj.get('name', '')}")]
    if kind == "role":
        slots.append(Slot(ref, "/trust_policy", "trust", "Trust policy"))
    if kind in ("user", "role", "group"):
        for i, item in enumerate(obj.get("policies") or []):
            name = item.get("name") or f"policy {i + 1}"
            slots.append(Slot(ref, f"/policies/{i}/policy", "identity", name, removable=True))
    if kind in ("user", "role") and "permissions_boundary" in obj:
        slots.append(
            Slot(ref, "/permissions_boundary", "boundary", "Permissions boundary", removable=True)
        )
    if kind == "key":
        slots.append(Slot(ref, "/policy", "key", "Key policy"))
    if kind in ("bucket", "endpoint") and "policy" in obj:
        label = "Bucket policy" if kind == "bucket" else "Endpoint policy"
        slots.append(Slot(ref, "/policy", kind, label, removable=True))
    return slots


def owner_kind(doc: dict, ref: str) -> str | None:
    if ref.startswith(("scp:", "rcp:")):
        return ref[:3]
    node = find_node(doc, ref)
    return node.kind if node else None


def group_names(doc: dict, account: str | None) -> list[str]:
    """The groups a user of `account` may join (those of its own account)."""
    return [g["name"] for g in doc.get("groups") or [] if g["account"] == account]


def policy_text(value: object) -> str:
    """A policy as the editor shows it: a JSON string stays as typed."""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False)


# ----------------------------------------------------------------------------- helpers for edits


def copy_document(doc: dict) -> dict:
    # A document is plain JSON: a JSON round trip copies it several times faster
    # than deepcopy (which matters at a few hundred nodes, on every edit).
    return json.loads(json.dumps(doc))


def unique_name(existing: set[str], base: str) -> str:
    if base not in existing:
        return base
    n = 2
    while f"{base}-{n}" in existing:
        n += 1
    return f"{base}-{n}"
