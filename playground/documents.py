"""Edits to a scenario document: add, rename, move and delete nodes, set policies.

Nodes are named by their refs (see document_nodes.py); organization edits are
in document_org.py. Everything here works on plain JSON (dicts and lists) and
never changes its input: each edit returns a new document. Whether the result
is a valid scenario is for the caller to check (see store.save).
"""

from __future__ import annotations

import re
import secrets
import uuid

import evaluator
from playground.document_nodes import (
    VERSION,
    EditError,
    bucket_arn,
    copy_document,
    find_node,
    find_node_at,
    get_pointer,
    group_arn,
    iter_nodes,
    key_arn,
    owner_kind,
    owner_object,
    policy_slots,
    principal_arn,
    set_pointer,
    unique_name,
)
from playground.document_org import add_org_policy as add_org_policy  # re-exported: lived here
from playground.document_org import add_unit, drop_org_targets
from playground.document_org import org_policies_for as org_policies_for  # re-exported: lived here
from playground.identifiers import follow, renamed_refs

_ACCOUNT_SEEDS = ("111122223333", "444455556666", "777788889999", "123456789012")


# ----------------------------------------------------------------------------- adding


def blank_document() -> dict:
    return {
        "format": 1,
        "title": "Untitled scenario",
        "accounts": [{"id": _ACCOUNT_SEEDS[0], "name": "Account A"}],
    }


def _check_account(doc: dict, account: str) -> None:
    if not any(a["id"] == account for a in doc.get("accounts") or []):
        raise EditError(f"There is no account {account}.")


def _iam_name(name: str, what: str) -> str:
    name = name.strip()
    if not re.fullmatch(r"[\w+=,.@-]{1,64}", name, re.ASCII):
        raise EditError(
            f"A {what} name is 1 to 64 letters, digits or the characters + = , . @ _ -."
        )
    return name


def new_account_id(doc: dict) -> str:
    used = {a["id"] for a in doc.get("accounts") or []}
    for seed in _ACCOUNT_SEEDS:
        if seed not in used:
            return seed
    n = 100000000000
    while str(n) in used:
        n += 111111111
    return str(n)


def default_trust_policy(account: str) -> dict:
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "TrustAccount",
                "Effect": "Allow",
                "Principal": {"AWS": evaluator.root_arn(account)},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def default_key_policy(account: str) -> dict:
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "EnableIAMPolicies",
                "Effect": "Allow",
                "Principal": {"AWS": evaluator.root_arn(account)},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


def empty_identity_policy() -> dict:
    return {"Version": VERSION, "Statement": []}


def add_node(doc: dict, kind: str, name: str, account: str | None) -> tuple[dict, str]:
    """A new document with one more node; returns it and the new node's ref."""
    doc = copy_document(doc)
    name = (name or "").strip()
    if kind == "account":
        account_id = new_account_id(doc)
        doc.setdefault("accounts", []).append(
            {"id": account_id, "name": name or f"Account {len(doc['accounts']) + 1}"}
        )
        return doc, account_id
    if kind == "unit":
        return add_unit(doc, name)
    if not account:
        raise EditError("Choose the account the new node belongs to.")
    _check_account(doc, account)
    if kind in ("user", "role"):
        taken = {p["name"] for p in doc.get("principals") or [] if p["account"] == account}
        base = _iam_name(name or f"new-{kind}", kind)
        item = {"type": kind, "account": account, "name": unique_name(taken, base), "policies": []}
        if kind == "role":
            item["trust_policy"] = default_trust_policy(account)
        doc.setdefault("principals", []).append(item)
        return doc, principal_arn(item)
    if kind == "group":
        taken = {g["name"] for g in doc.get("groups") or [] if g["account"] == account}
        item = {
            "account": account,
            "name": unique_name(taken, _iam_name(name or "new-group", kind)),
        }
        item["policies"] = []
        doc.setdefault("groups", []).append(item)
        return doc, group_arn(item)
    if kind == "key":
        item = {"id": str(uuid.uuid4()), "account": account}
        if name:
            alias = re.sub(r"[^A-Za-z0-9/_-]+", "-", name).strip("-") or "key"
            item["aliases"] = [f"alias/{alias}"]
        item["policy"] = default_key_policy(account)
        doc.setdefault("keys", []).append(item)
        return doc, key_arn(doc, item)
    if kind == "bucket":
        taken = {b["name"] for b in doc.get("buckets") or []}
        base = re.sub(r"[^a-z0-9.-]+", "-", (name or "new-bucket").lower()).strip("-.")
        item = {"name": unique_name(taken, (base or "bucket")[:55]), "account": account}
        doc.setdefault("buckets", []).append(item)
        return doc, bucket_arn(item)
    if kind == "endpoint":
        service = "s3" if name.lower() == "s3" else "kms"
        item = {"id": f"vpce-{secrets.token_hex(8)}", "account": account, "service": service}
        doc.setdefault("vpc_endpoints", []).append(item)
        return doc, item["id"]
    raise EditError(f"Cannot add a {kind!r}.")


def add_identity_policy(doc: dict, ref: str, name: str) -> dict:
    doc = copy_document(doc)
    found = owner_object(doc, ref)
    if found is None or owner_kind(doc, ref) not in ("user", "role", "group"):
        raise EditError("Only users, roles and groups have identity policies.")
    _, obj = found
    policies = obj.setdefault("policies", [])
    taken = {p.get("name") for p in policies}
    policies.append(
        {
            "name": unique_name(taken, (name or "Policy").strip()[:128]),
            "policy": empty_identity_policy(),
        }
    )
    return doc


def add_resource_policy(doc: dict, ref: str) -> dict:
    """Give a bucket or endpoint a policy, or a user/role a permissions boundary."""
    doc = copy_document(doc)
    found = owner_object(doc, ref)
    kind = owner_kind(doc, ref)
    if found is None:
        raise EditError("No such node.")
    _, obj = found
    if kind in ("user", "role"):
        obj.setdefault(
            "permissions_boundary",
            {
                "Version": VERSION,
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            },
        )
    elif kind in ("bucket", "endpoint"):
        obj.setdefault("policy", {"Version": VERSION, "Statement": []})
    else:
        raise EditError("This node takes no optional policy.")
    return doc


def remove_slot(doc: dict, ref: str, path: str) -> dict:
    doc = copy_document(doc)
    found = owner_object(doc, ref)
    if found is None:
        raise EditError("No such node.")
    _, obj = found
    if m := re.fullmatch(r"/policies/(\d+)/policy", path):
        policies = obj.get("policies") or []
        if int(m.group(1)) < len(policies):
            del policies[int(m.group(1))]
            return doc
    elif path in ("/permissions_boundary", "/policy") and owner_kind(doc, ref) in (
        "user",
        "role",
        "bucket",
        "endpoint",
    ):
        if path[1:] not in obj:
            raise EditError("There is no such policy: nothing was removed.")
        del obj[path[1:]]
        return doc
    raise EditError("That policy cannot be removed.")


def set_policy(doc: dict, ref: str, path: str, value: object) -> dict:
    doc = copy_document(doc)
    found = owner_object(doc, ref)
    if found is None:
        raise EditError("No such node.")
    if path not in {s.path for s in policy_slots(doc, ref)}:
        raise EditError("No such policy on this node.")
    pointer, _ = found
    set_pointer(doc, pointer + path, value)
    return doc


# ----------------------------------------------------------------------------- rename, delete


def rename(doc: dict, ref: str, name: str) -> tuple[dict, str]:
    """A new document with the node renamed; returns it and the node's (new) ref.

    Every reference to the node follows: its layout position, the attempts and
    policies that name its ARN (see identifiers.follow).
    """
    before, doc = doc, copy_document(doc)
    node = find_node(doc, ref)
    if node is None:
        raise EditError("No such node.")
    obj = get_pointer(doc, node.pointer)
    name = name.strip()
    if not name:
        raise EditError("A name cannot be empty.")
    if node.kind in ("account", "unit"):
        obj["name"] = name[:100]
        return doc, ref
    if node.kind == "root":
        raise EditError("The organization root keeps its name.")
    if node.kind in ("user", "role", "group"):
        obj["name"] = _iam_name(name, node.kind)
    elif node.kind == "key":
        alias = "alias/" + (re.sub(r"[^A-Za-z0-9/_-]+", "-", name).strip("-") or "key")
        obj["aliases"] = [alias, *(obj.get("aliases") or [])[1:]]
        return doc, ref
    elif node.kind == "bucket":
        new = re.sub(r"[^a-z0-9.-]+", "-", name.lower()).strip("-.")[:63]
        if len(new) < 3:
            raise EditError("A bucket name is 3 to 63 lowercase letters, digits, dots or dashes.")
        obj["name"] = new
    elif node.kind == "endpoint":
        if not re.fullmatch(r"vpce-[0-9a-z]{1,32}", name):
            raise EditError("A VPC endpoint id looks like vpce-0123abcd.")
        obj["id"] = name
    new_ref = find_node_at(doc, node.pointer).ref
    if new_ref != ref:
        doc = follow(before, doc)
    return doc, new_ref


def edit_node(doc: dict, ref: str, apply) -> tuple[dict, str]:
    """A new document with `apply(obj, doc)` run on the node's object (a property
    form's apply); identifiers it changed are followed everywhere. Returns it and
    the node's (new) ref."""
    node = find_node(doc, ref)
    if node is None:
        raise EditError("No such node.")
    new = copy_document(doc)
    apply(get_pointer(new, node.pointer), new)
    new = follow(doc, new)  # a new id, region or path: references follow
    return new, find_node_at(new, node.pointer).ref


def edit_scenario(doc: dict, apply) -> dict:
    """A new document with `apply(doc)` run on it (the scenario form's apply)."""
    new = copy_document(doc)
    apply(new)
    return follow(doc, new)  # a new region moves the ARNs of its keys


def drafts_renamed(drafts: dict, renames: dict[str, str]) -> dict:
    """Drafts are keyed by their node's ref (ref|path): they stay with a renamed node."""
    out = {}
    for key, text in drafts.items():
        ref, sep, path = key.partition("|")
        out[renames.get(ref, ref) + sep + path] = text
    return out


def drafts_after(drafts: dict, before: dict, after: dict) -> dict:
    """The drafts of `before` keyed for `after`, whose nodes may have new refs."""
    return drafts_renamed(drafts, renamed_refs(before, after))


def draft_set(drafts: dict, key: str, text: str | None) -> dict:
    """`drafts` with the draft `key` (ref|path) set to `text`, or dropped for None."""
    out = {k: v for k, v in drafts.items() if k != key}
    if text is not None:
        out[key] = text
    return out


def drafts_without(drafts: dict, ref: str) -> dict:
    """The drafts of every node but `ref` (its policy paths shift when one is removed)."""
    return {key: text for key, text in drafts.items() if not key.startswith(f"{ref}|")}


def delete_node(doc: dict, ref: str) -> dict:
    doc = copy_document(doc)
    node = find_node(doc, ref)
    if node is None:
        raise EditError("No such node.")
    layout = doc.get("layout") if isinstance(doc.get("layout"), dict) else {}
    if node.kind == "account":
        if len(doc["accounts"]) == 1:
            raise EditError("A scenario keeps at least one account.")
        gone = {n.ref for n in iter_nodes(doc) if n.account == ref}
        doc["accounts"] = [a for a in doc["accounts"] if a["id"] != ref]
        for field in ("principals", "groups", "keys", "buckets", "vpc_endpoints"):
            if field in doc:
                doc[field] = [x for x in doc[field] if x.get("account") != ref]
        for r in gone | {ref}:
            layout.pop(r, None)
        drop_org_targets(doc, {ref})
        return doc
    if node.kind == "root":
        doc.pop("organization", None)
        for a in doc.get("accounts") or []:
            a.pop("parent", None)
            a.pop("in_organization", None)
        return doc
    if node.kind == "unit":
        org = doc["organization"]
        unit = next(u for u in org["units"] if u["id"] == ref)
        org["units"] = [u for u in org["units"] if u["id"] != ref]
        for u in org["units"]:
            if u.get("parent") == ref:
                u["parent"] = unit["parent"]
        for a in doc.get("accounts") or []:
            if a.get("parent") == ref:
                a["parent"] = unit["parent"]
        drop_org_targets(doc, {ref})
        layout.pop(ref, None)
        return doc
    collection, index = node.pointer[1:].split("/")
    del doc[collection][int(index)]
    layout.pop(ref, None)
    return doc


def move_node(doc: dict, ref: str, x: float, y: float) -> dict:
    if find_node(doc, ref) is None:
        raise EditError("No such node.")
    doc = copy_document(doc)
    layout = doc.get("layout")
    if not isinstance(layout, dict):
        layout = doc["layout"] = {}
    layout[ref] = {"x": round(x), "y": round(y)}
    return doc


def repair(doc: dict, error_pointers: list[str]) -> dict | None:
    """Drop what an edit left dangling (attempts on a deleted role, ...), or None.

    Called with the pointers of the loader's errors; returns a repaired copy
    when every error sits somewhere that can simply be dropped.
    """
    doc = copy_document(doc)
    attempts_to_drop: set[int] = set()
    tasks_to_drop: set[int] = set()
    memberships: list[tuple[int, int]] = []
    for pointer in error_pointers:
        if m := re.match(r"/attempts/(\d+)(/|$)", pointer):
            attempts_to_drop.add(int(m.group(1)))
        elif m := re.fullmatch(r"/goals/tasks/(\d+)/attempt", pointer):
            tasks_to_drop.add(int(m.group(1)))  # a task on a deleted attempt
        elif m := re.fullmatch(r"/principals/(\d+)/groups/(\d+)", pointer):
            memberships.append((int(m.group(1)), int(m.group(2))))
        else:
            return None
    for pi, gi in sorted(memberships, reverse=True):
        del doc["principals"][pi]["groups"][gi]
    if attempts_to_drop:
        doc["attempts"] = [
            a for i, a in enumerate(doc.get("attempts") or []) if i not in attempts_to_drop
        ]
    if tasks_to_drop:
        goals = doc["goals"]
        goals["tasks"] = [t for i, t in enumerate(goals["tasks"]) if i not in tasks_to_drop]
        if not goals["tasks"]:
            del doc["goals"]
    return doc
