"""Edits to a scenario's organization: units, SCPs and RCPs and their targets.

add_org_policy, set_org_targets and delete_org_policy return a new document,
as the edits in documents.py do; ensure_organization, add_unit and
drop_org_targets change the copy they are given (an edit's own copy).
"""

from __future__ import annotations

import secrets

from playground.document_nodes import (
    DEFAULT_ROOT,
    VERSION,
    EditError,
    copy_document,
    get_pointer,
    org_root,
    owner_object,
    unique_name,
)


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


def add_unit(doc: dict, name: str) -> tuple[dict, str]:
    org = ensure_organization(doc)
    units = org.setdefault("units", [])
    taken = {u["id"] for u in units}
    unit_id = unique_name(taken, f"ou-{secrets.token_hex(4)}")
    units.append({"id": unit_id, "name": name or f"Unit {len(units) + 1}", "parent": org_root(doc)})
    return doc, unit_id


def add_org_policy(doc: dict, which: str, name: str, target: str) -> tuple[dict, str]:
    if which not in ("scp", "rcp"):
        raise EditError("Choose SCP or RCP.")
    doc = copy_document(doc)
    org = ensure_organization(doc)
    items = org.setdefault(f"{which}s", [])
    taken = {p["name"] for p in items}
    policy_name = unique_name(taken, (name or f"New{which.upper()}").strip()[:100])
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


def org_policies_for(doc: dict, target: str) -> list[tuple[str, str, list[str]]]:
    """(ref, name, targets) of every SCP and RCP attached to `target`."""
    org = doc.get("organization") or {}
    out = []
    for which in ("scp", "rcp"):
        for item in org.get(f"{which}s") or []:
            if target in (item.get("targets") or []):
                out.append((f"{which}:{item['name']}", item["name"], item["targets"]))
    return out


def drop_org_targets(doc: dict, ids: set[str]) -> None:
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
