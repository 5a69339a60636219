"""Scenario documents as the canvas sees them: nodes, their refs, and edits.

A *node ref* names a thing on the canvas the way the evaluator's trace does:
an account id, a principal's or group's IAM ARN, a key ARN, a bucket ARN, a
VPC endpoint id, the organization root id or a unit id. SCPs and RCPs are
policy owners without a node of their own: `scp:NAME` and `rcp:NAME`.

Everything here works on plain JSON (dicts and lists) and never changes its
input: each edit returns a new document. Whether the result is a valid
scenario is for the caller to check (see store.save).
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

DEFAULT_REGION = "us-east-1"
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
_ACCOUNT_SEEDS = ("111122223333", "444455556666", "777788889999", "123456789012")


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


def blank_document() -> dict:
    return {
        "format": 1,
        "title": "Untitled scenario",
        "accounts": [{"id": _ACCOUNT_SEEDS[0], "name": "Account A"}],
    }


# ----------------------------------------------------------------------------- refs


def region_of(doc: dict) -> str:
    return doc.get("region") or DEFAULT_REGION


def principal_arn(p: dict) -> str:
    return f"arn:aws:iam::{p['account']}:{p['type']}{p.get('path') or '/'}{p['name']}"


def group_arn(g: dict) -> str:
    return f"arn:aws:iam::{g['account']}:group/{g['name']}"


def key_arn(doc: dict, k: dict) -> str:
    return f"arn:aws:kms:{k.get('region') or region_of(doc)}:{k['account']}:key/{k['id']}"


def bucket_arn(b: dict) -> str:
    return f"arn:aws:s3:::{b['name']}"


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


def _parts(pointer: str) -> list[str]:
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise EditError(f"not a JSON pointer: {pointer!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]


def get_pointer(doc: object, pointer: str) -> object:
    node = doc
    for part in _parts(pointer):
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise KeyError(pointer)
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node[part]
        else:
            raise KeyError(pointer)
    return node


def set_pointer(doc: object, pointer: str, value: object) -> None:
    if not pointer:
        raise EditError("cannot replace the whole document here")
    parent_pointer, _, raw_last = pointer.rpartition("/")
    parent = get_pointer(doc, parent_pointer)
    last = raw_last.replace("~1", "/").replace("~0", "~")
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
    kind = _owner_kind(doc, ref)
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


def org_policies_for(doc: dict, target: str) -> list[tuple[str, str, list[str]]]:
    """(ref, name, targets) of every SCP and RCP attached to `target`."""
    org = doc.get("organization") or {}
    out = []
    for which in ("scp", "rcp"):
        for item in org.get(f"{which}s") or []:
            if target in (item.get("targets") or []):
                out.append((f"{which}:{item['name']}", item["name"], item["targets"]))
    return out


def _owner_kind(doc: dict, ref: str) -> str | None:
    if ref.startswith(("scp:", "rcp:")):
        return ref[:3]
    node = find_node(doc, ref)
    return node.kind if node else None


def policy_text(value: object) -> str:
    """A policy as the editor shows it: a JSON string stays as typed."""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False)


# ----------------------------------------------------------------------------- adding


def copy_document(doc: dict) -> dict:
    return copy.deepcopy(doc)


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


def _unique(existing: set[str], base: str) -> str:
    if base not in existing:
        return base
    n = 2
    while f"{base}-{n}" in existing:
        n += 1
    return f"{base}-{n}"


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
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
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
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
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
        return _add_unit(doc, name)
    if not account:
        raise EditError("Choose the account the new node belongs to.")
    _check_account(doc, account)
    if kind in ("user", "role"):
        taken = {p["name"] for p in doc.get("principals") or [] if p["account"] == account}
        base = _iam_name(name or f"new-{kind}", kind)
        item = {"type": kind, "account": account, "name": _unique(taken, base), "policies": []}
        if kind == "role":
            item["trust_policy"] = default_trust_policy(account)
        doc.setdefault("principals", []).append(item)
        return doc, principal_arn(item)
    if kind == "group":
        taken = {g["name"] for g in doc.get("groups") or [] if g["account"] == account}
        item = {"account": account, "name": _unique(taken, _iam_name(name or "new-group", kind))}
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
        item = {"name": _unique(taken, (base or "bucket")[:55]), "account": account}
        doc.setdefault("buckets", []).append(item)
        return doc, bucket_arn(item)
    if kind == "endpoint":
        service = "s3" if name.lower() == "s3" else "kms"
        item = {"id": f"vpce-{secrets.token_hex(8)}", "account": account, "service": service}
        doc.setdefault("vpc_endpoints", []).append(item)
        return doc, item["id"]
    raise EditError(f"Cannot add a {kind!r}.")


def ensure_organization(doc: dict) -> dict:
    if not isinstance(doc.get("organization"), dict):
        accounts = doc.get("accounts") or []
        doc["organization"] = {
            "id": f"o-{secrets.token_hex(5)}",
            "root": DEFAULT_ROOT,
            "management_account": accounts[0]["id"] if accounts else None,
        }
        if doc["organization"]["management_account"] is None:
            del doc["organization"]["management_account"]
    return doc["organization"]


def _add_unit(doc: dict, name: str) -> tuple[dict, str]:
    org = ensure_organization(doc)
    units = org.setdefault("units", [])
    taken = {u["id"] for u in units}
    unit_id = _unique(taken, f"ou-{secrets.token_hex(4)}")
    units.append({"id": unit_id, "name": name or f"Unit {len(units) + 1}", "parent": org_root(doc)})
    return doc, unit_id


def add_org_policy(doc: dict, which: str, name: str, target: str) -> tuple[dict, str]:
    if which not in ("scp", "rcp"):
        raise EditError("Choose SCP or RCP.")
    doc = copy_document(doc)
    org = ensure_organization(doc)
    items = org.setdefault(f"{which}s", [])
    taken = {p["name"] for p in items}
    policy_name = _unique(taken, (name or f"New{which.upper()}").strip()[:100])
    if which == "scp":
        policy = {
            "Version": VERSION,
            "Statement": [{"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"}],
        }
    else:
        policy = {
            "Version": VERSION,
            "Statement": [
                {
                    "Sid": "DenyNothingYet",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "kms:*",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalAccount": "000000000000"}},
                }
            ],
        }
    items.append({"name": policy_name, "targets": [target], "policy": policy})
    return doc, f"{which}:{policy_name}"


def add_identity_policy(doc: dict, ref: str, name: str) -> dict:
    doc = copy_document(doc)
    found = owner_object(doc, ref)
    if found is None or _owner_kind(doc, ref) not in ("user", "role", "group"):
        raise EditError("Only users, roles and groups have identity policies.")
    _, obj = found
    policies = obj.setdefault("policies", [])
    taken = {p.get("name") for p in policies}
    policies.append(
        {
            "name": _unique(taken, (name or "Policy").strip()[:128]),
            "policy": empty_identity_policy(),
        }
    )
    return doc


def add_resource_policy(doc: dict, ref: str) -> dict:
    """Give a bucket or endpoint a policy, or a user/role a permissions boundary."""
    doc = copy_document(doc)
    found = owner_object(doc, ref)
    kind = _owner_kind(doc, ref)
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
    elif path in ("/permissions_boundary", "/policy") and _owner_kind(doc, ref) in (
        "user",
        "role",
        "bucket",
        "endpoint",
    ):
        obj.pop(path[1:], None)
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
    """A new document with the node renamed; returns it and the node's (new) ref."""
    doc = copy_document(doc)
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
        _replace_ref(doc, ref, new_ref)
    return doc, new_ref


def find_node_at(doc: dict, pointer: str) -> Node:
    return next(n for n in iter_nodes(doc) if n.pointer == pointer)


def _replace_ref(doc: dict, old: str, new: str) -> None:
    """Follow a renamed node: its layout position and the attempts that name it."""
    layout = doc.get("layout")
    if isinstance(layout, dict) and old in layout:
        layout[new] = layout.pop(old)
    for attempt in doc.get("attempts") or []:
        for field in ("principal", "resource", "destination"):
            if attempt.get(field) == old:
                attempt[field] = new
        for step in attempt.get("assume") or []:
            if step.get("role") == old:
                step["role"] = new


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
        _drop_org_targets(doc, {ref})
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
        _drop_org_targets(doc, {ref})
        layout.pop(ref, None)
        return doc
    collection, index = node.pointer[1:].split("/")
    del doc[collection][int(index)]
    layout.pop(ref, None)
    return doc


def _drop_org_targets(doc: dict, ids: set[str]) -> None:
    org = doc.get("organization")
    if not isinstance(org, dict):
        return
    for which in ("scps", "rcps"):
        kept = []
        for item in org.get(which) or []:
            item["targets"] = [t for t in item.get("targets") or [] if t not in ids]
            if item["targets"]:
                kept.append(item)
        if which in org:
            org[which] = kept


def org_targets(doc: dict) -> list[tuple[str, str]]:
    """(id, label) of what an SCP or RCP can attach to: the root, units, member accounts."""
    root = org_root(doc)
    if root is None:
        return []
    org = doc["organization"]
    units = [(u["id"], f"Unit {u.get('name') or u['id']}") for u in org.get("units") or []]
    accounts = [
        (a["id"], f"Account {a.get('name') or a['id']} ({a['id']})")
        for a in doc.get("accounts") or []
        if a.get("in_organization") is not False
    ]
    return [(root, "Root (every account)"), *units, *accounts]


def set_org_targets(doc: dict, ref: str, targets: list[str]) -> dict:
    """Attach an SCP or RCP to exactly `targets` (in the organization's order)."""
    found = owner_object(doc, ref) if ref.startswith(("scp:", "rcp:")) else None
    if found is None:
        raise EditError("No such SCP or RCP.")
    allowed = [t for t, _ in org_targets(doc)]
    unknown = [t for t in targets if t not in allowed]
    if unknown:
        raise EditError(f"{unknown[0]} is not the root, a unit or a member account.")
    if not targets:
        raise EditError("Attach the policy somewhere, or delete it.")
    doc = copy_document(doc)
    get_pointer(doc, found[0])["targets"] = [t for t in allowed if t in targets]
    return doc


def delete_org_policy(doc: dict, ref: str) -> dict:
    doc = copy_document(doc)
    found = owner_object(doc, ref)
    if found is None or not ref.startswith(("scp:", "rcp:")):
        raise EditError("No such SCP or RCP.")
    pointer, _ = found
    _, _, which, index = pointer.split("/")
    del doc["organization"][which][int(index)]
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
    memberships: list[tuple[int, int]] = []
    for pointer in error_pointers:
        if m := re.match(r"/attempts/(\d+)(/|$)", pointer):
            attempts_to_drop.add(int(m.group(1)))
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
    return doc
