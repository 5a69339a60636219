"""Loader sections: accounts, the organization (units, SCPs, RCPs), groups, principals."""

from __future__ import annotations

import re
from typing import cast

from evaluator.core.loader_reader import Reader, got
from evaluator.core.model import Account, Group, Organization, OrgPolicy, OrgUnit, Principal
from evaluator.core.problems import pointer_join
from evaluator.core.vocabulary import DEFAULT_ROOT, PRINCIPAL_TYPES, PrincipalType

_IAM_PATH = re.compile(r"/(?:[\x21-\x7e]*/)?")


def read_accounts(
    r: Reader, top: dict[str, object], has_org: bool, root: str
) -> tuple[Account, ...]:
    items = r.array(top, "accounts", "", required=True)
    if "accounts" in top and isinstance(top["accounts"], list) and not items:
        r.add("scenario.value", "/accounts", "must list at least one account")
    out = []
    for item, ptr in items:
        o = r.obj(item, ptr, ("id", "name", "in_organization", "parent"))
        if o is None:
            continue
        account_id = r.string(o, "id", ptr, required=True) or ""
        id_ptr = pointer_join(ptr, "id")
        if account_id and not r.account_id(account_id, id_ptr):
            r.account_ids.add(account_id)
        else:
            r.once(r.account_ids, account_id, id_ptr, f'account "{account_id}" is listed twice')
        member = r.boolean(o, "in_organization", ptr, has_org)
        if member and "in_organization" in o and not has_org:
            r.add(
                "scenario.value",
                pointer_join(ptr, "in_organization"),
                "the scenario has no organization to be in",
            )
        parent = r.string(o, "parent", ptr)
        if parent is not None and not member:
            r.add(
                "scenario.value",
                pointer_join(ptr, "parent"),
                "only an account in the organization has a parent",
            )
            parent = None
        elif member and parent is None:
            parent = root
        out.append(Account(account_id, r.string(o, "name", ptr), member, parent, ptr))
    return tuple(out)


def read_organization(
    r: Reader, value: object, accounts: tuple[Account, ...]
) -> Organization | None:
    ptr = "/organization"
    o = r.obj(value, ptr, ("id", "root", "management_account", "units", "scps", "rcps"))
    if o is None:
        return None
    org_id = r.string(o, "id", ptr, required=True) or ""
    root = r.string(o, "root", ptr) or DEFAULT_ROOT
    management = None
    if "management_account" in o:
        management = r.account_ref(o, "management_account", ptr)

    units: list[OrgUnit] = []
    unit_ids: set[str] = set()
    for item, uptr in r.array(o, "units", ptr):
        u = r.obj(item, uptr, ("id", "name", "parent"))
        if u is None:
            continue
        unit_id = r.string(u, "id", uptr, required=True) or ""
        if unit_id in unit_ids or unit_id == root:
            r.add("scenario.duplicate", pointer_join(uptr, "id"), f'id "{unit_id}" is used twice')
        unit_ids.add(unit_id)
        parent = r.string(u, "parent", uptr, required=True) or root
        units.append(OrgUnit(unit_id, r.string(u, "name", uptr), parent, uptr))
    containers = unit_ids | {root}
    for unit in units:
        if unit.parent not in containers:
            r.add(
                "scenario.reference",
                pointer_join(unit.pointer, "parent"),
                f'no unit or root "{unit.parent}" in the organization',
            )
    _unit_cycles(r, units, root)

    for account in accounts:
        if account.parent is not None and account.parent not in containers:
            r.add(
                "scenario.reference",
                pointer_join(account.pointer, "parent"),
                f'no unit or root "{account.parent}" in the organization',
            )

    members = {a.id for a in accounts if a.in_organization}
    targets = containers | members
    scps = _org_policies(r, o, "scps", ptr, targets, "service control policy")
    rcps = _org_policies(r, o, "rcps", ptr, targets, "resource control policy")
    return Organization(org_id, root, management, tuple(units), scps, rcps, ptr)


def _unit_cycles(r: Reader, units: list[OrgUnit], root: str) -> None:
    parents = {u.id: u.parent for u in units}
    for unit in units:
        seen = [unit.id]
        parent = unit.parent
        while parent in parents and parent != root:
            if parent == unit.id:
                loop = " -> ".join([*seen, unit.id])
                r.add(
                    "scenario.value",
                    pointer_join(unit.pointer, "parent"),
                    f"units form a cycle and never reach the root: {loop}",
                )
                break
            if parent in seen:
                break  # a cycle further up; reported at its own units
            seen.append(parent)
            parent = parents[parent]


def _org_policies(
    r: Reader, o: dict[str, object], name: str, pointer: str, targets: set[str], label: str
) -> tuple[OrgPolicy, ...]:
    out = []
    for item, ptr in r.array(o, name, pointer):
        p = r.obj(item, ptr, ("name", "targets", "policy"))
        if p is None:
            continue
        policy_name = r.string(p, "name", ptr, required=True) or ""
        attached = r.strings(p, "targets", ptr, required=True)
        for i, target in enumerate(attached):
            if target not in targets:
                r.add(
                    "scenario.reference",
                    pointer_join(ptr, "targets", i),
                    f'"{target}" is not the root, a unit or a member account of the organization',
                )
        document = r.policy(p, "policy", ptr, policy_name or label, required=True)
        if document is not None:
            out.append(OrgPolicy(policy_name, attached, document.document, ptr))
    return tuple(out)


def read_groups(r: Reader, top: dict[str, object]) -> tuple[Group, ...]:
    out = []
    seen: set[tuple[str, str]] = set()
    for item, ptr in r.array(top, "groups", ""):
        g = r.obj(item, ptr, ("account", "name", "policies"))
        if g is None:
            continue
        account = r.account_ref(g, "account", ptr)
        name = r.iam_name(g, ptr)
        r.once(
            seen,
            (account, name),
            pointer_join(ptr, "name"),
            f'group "{name}" is listed twice in account {account}',
        )
        out.append(Group(account, name, r.named_policies(g, "policies", ptr), ptr))
    return tuple(out)


def read_principals(
    r: Reader, top: dict[str, object], groups: tuple[Group, ...]
) -> tuple[Principal, ...]:
    group_names = {(g.account, g.name) for g in groups}
    out = []
    seen: set[tuple[str, str, str]] = set()
    known = (
        "type",
        "account",
        "name",
        "path",
        "policies",
        "permissions_boundary",
        "trust_policy",
        "tags",
        "groups",
    )
    for item, ptr in r.array(top, "principals", ""):
        p = r.obj(item, ptr, known)
        if p is None:
            continue
        kind = r.choice(p, "type", ptr, PRINCIPAL_TYPES, None)
        account = r.account_ref(p, "account", ptr)
        name = r.iam_name(p, ptr)
        path = r.string(p, "path", ptr) or "/"
        if not _IAM_PATH.fullmatch(path):
            r.add(
                "scenario.value",
                pointer_join(ptr, "path"),
                f"an IAM path starts and ends with / (got {got(path)})",
            )
        # IAM names are unique per account whatever the path, so this is
        # stricter than comparing ARNs and keeps session ARNs unambiguous.
        r.once(
            seen,
            (account, kind, name),
            pointer_join(ptr, "name"),
            f'{kind} "{name}" is listed twice in account {account}',
        )
        trust = r.policy(p, "trust_policy", ptr, "trust policy")
        if trust is not None and kind != "role":
            r.add("scenario.value", trust.pointer, "only a role has a trust policy")
        member_of = r.strings(p, "groups", ptr)
        if "groups" in p and kind != "user":
            r.add("scenario.value", pointer_join(ptr, "groups"), "only a user is in groups")
        elif kind == "user":
            for i, group in enumerate(member_of):
                if (account, group) not in group_names:
                    r.add(
                        "scenario.reference",
                        pointer_join(ptr, "groups", i),
                        f'no group "{group}" in account {account} (see groups)',
                    )
        out.append(
            Principal(
                type=cast(PrincipalType, kind),
                account=account,
                name=name,
                path=path,
                policies=r.named_policies(p, "policies", ptr),
                permissions_boundary=r.policy(
                    p, "permissions_boundary", ptr, "permissions boundary"
                ),
                trust_policy=trust,
                tags=r.string_map(p, "tags", ptr) or {},
                groups=member_of,
                pointer=ptr,
            )
        )
    return tuple(out)
