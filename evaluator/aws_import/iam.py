"""`aws iam` output: get-account-authorization-details, get-role, get-user,
get-role-policy (and get-user-policy, get-group-policy), get-policy-version."""

from __future__ import annotations

from evaluator.aws_import.builder import Builder, parse_arn, set_named_policy, tags_of
from evaluator.core.problems import pointer_join

_META = {"CreateDate", "UserId", "RoleId", "GroupId", "RoleLastUsed", "PasswordLastUsed"}
_META |= {"MaxSessionDuration", "Description", "InstanceProfileList"}


def authorization_details(b: Builder, out: dict) -> None:
    """Users, groups and roles with their inline and managed policies (default versions)."""
    managed = _managed_policies(b, out.get("Policies") or [])
    counts = {"user": 0, "group": 0, "role": 0}
    for i, group in enumerate(out.get("GroupDetailList") or []):
        ptr = pointer_join("/GroupDetailList", i)
        account = _account_of(group.get("Arn"))
        if account is None or not isinstance(group.get("GroupName"), str):
            b.warn("import.not_understood", "A group needs a GroupName and an Arn.", ptr)
            continue
        item = b.group(account, group["GroupName"])
        if (group.get("Path") or "/") != "/":
            b.warn("import.not_understood", "Group paths are not modelled.", ptr + "/Path")
        _inline(b, item, group.get("GroupPolicyList"), ptr + "/GroupPolicyList")
        _attached(b, item, group.get("AttachedManagedPolicies"), managed, ptr)
        b.unknown_fields(
            group,
            ptr,
            {"Path", "GroupName", "Arn", "GroupPolicyList", "AttachedManagedPolicies", *_META},
        )
        counts["group"] += 1
    for i, user in enumerate(out.get("UserDetailList") or []):
        ptr = pointer_join("/UserDetailList", i)
        found = _entity(b, "user", user, ptr)
        if found is None:
            continue
        item = found
        _inline(b, item, user.get("UserPolicyList"), ptr + "/UserPolicyList")
        _attached(b, item, user.get("AttachedManagedPolicies"), managed, ptr)
        groups = [g for g in user.get("GroupList") or [] if isinstance(g, str)]
        for g in groups:
            b.group(item["account"], g)
        if groups:
            item["groups"] = sorted(set(item.get("groups") or []) | set(groups))
        _boundary(b, item, user, managed, ptr)
        b.unknown_fields(
            user,
            ptr,
            {
                "Path",
                "UserName",
                "Arn",
                "UserPolicyList",
                "GroupList",
                "AttachedManagedPolicies",
                "PermissionsBoundary",
                "Tags",
                *_META,
            },
        )
        counts["user"] += 1
    for i, role in enumerate(out.get("RoleDetailList") or []):
        ptr = pointer_join("/RoleDetailList", i)
        found = _entity(b, "role", role, ptr)
        if found is None:
            continue
        item = found
        _trust(b, item, role, ptr)
        _inline(b, item, role.get("RolePolicyList"), ptr + "/RolePolicyList")
        _attached(b, item, role.get("AttachedManagedPolicies"), managed, ptr)
        _boundary(b, item, role, managed, ptr)
        b.unknown_fields(
            role,
            ptr,
            {
                "Path",
                "RoleName",
                "Arn",
                "AssumeRolePolicyDocument",
                "RolePolicyList",
                "AttachedManagedPolicies",
                "PermissionsBoundary",
                "Tags",
                *_META,
            },
        )
        counts["role"] += 1
    b.unknown_fields(
        out,
        "",
        {"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies", "IsTruncated"},
    )
    b.said(
        f"{counts['user']} users, {counts['group']} groups, {counts['role']} roles and "
        f"{len(managed)} managed policies (aws iam get-account-authorization-details)"
    )


def _account_of(arn: object) -> str | None:
    parts = parse_arn(arn)
    return parts[2] if parts and parts[0] == "iam" and parts[2] else None


def _entity(b: Builder, kind: str, obj: object, ptr: str) -> dict | None:
    name_field = "UserName" if kind == "user" else "RoleName"
    if not isinstance(obj, dict):
        b.warn("import.not_understood", f"A {kind} is an object.", ptr)
        return None
    account = _account_of(obj.get("Arn"))
    if account is None or not isinstance(obj.get(name_field), str):
        b.warn("import.not_understood", f"A {kind} needs a {name_field} and an Arn.", ptr)
        return None
    path = str(obj.get("Path") or "/")
    item = b.principal(kind, account, obj[name_field], path)
    tags = tags_of(obj.get("Tags"))
    if tags:
        item["tags"] = {**(item.get("tags") or {}), **tags}
    return item


def _trust(b: Builder, item: dict, role: dict, ptr: str) -> None:
    if "AssumeRolePolicyDocument" in role:
        trust = b.policy(role["AssumeRolePolicyDocument"], ptr + "/AssumeRolePolicyDocument")
        if trust is not None:
            item["trust_policy"] = trust


def _inline(b: Builder, owner: dict, items: object, ptr: str) -> None:
    for i, entry in enumerate(items if isinstance(items, list) else []):
        where = pointer_join(ptr, i)
        if not isinstance(entry, dict) or not isinstance(entry.get("PolicyName"), str):
            b.warn("import.not_understood", "An inline policy needs a PolicyName.", where)
            continue
        policy = b.policy(entry.get("PolicyDocument"), where + "/PolicyDocument")
        if policy is not None:
            set_named_policy(owner, entry["PolicyName"], policy)


def _managed_policies(b: Builder, items: list) -> dict[str, tuple[str, dict]]:
    """Policy ARN -> (name, document of the default version)."""
    out: dict[str, tuple[str, dict]] = {}
    for i, entry in enumerate(items):
        ptr = pointer_join("/Policies", i)
        if not isinstance(entry, dict) or not isinstance(entry.get("Arn"), str):
            b.warn("import.not_understood", "A managed policy needs an Arn.", ptr)
            continue
        versions = entry.get("PolicyVersionList") or []
        default = next(
            (
                (j, v)
                for j, v in enumerate(versions)
                if isinstance(v, dict)
                and (
                    v.get("IsDefaultVersion") or v.get("VersionId") == entry.get("DefaultVersionId")
                )
            ),
            None,
        )
        if default is None:
            b.warn("import.not_understood", "No default version of this policy.", ptr)
            continue
        j, version = default
        policy = b.policy(version.get("Document"), pointer_join(ptr, "PolicyVersionList", j))
        if policy is not None:
            out[entry["Arn"]] = (entry.get("PolicyName") or entry["Arn"].rpartition("/")[2], policy)
    return out


def _attached(b: Builder, owner: dict, items: object, managed: dict, ptr: str) -> None:
    for i, entry in enumerate(items if isinstance(items, list) else []):
        where = pointer_join(ptr, "AttachedManagedPolicies", i)
        arn = entry.get("PolicyArn") if isinstance(entry, dict) else None
        if arn in managed:
            name, policy = managed[arn]
            set_named_policy(owner, name, policy)
        else:
            b.warn(
                "import.not_understood",
                f"Managed policy {arn} is attached but its document is not in the paste "
                "(add it with `aws iam get-policy-version`).",
                where,
            )


def _boundary(b: Builder, item: dict, obj: dict, managed: dict, ptr: str) -> None:
    boundary = obj.get("PermissionsBoundary")
    if not isinstance(boundary, dict):
        return
    arn = boundary.get("PermissionsBoundaryArn")
    if arn in managed:
        item["permissions_boundary"] = managed[arn][1]
    else:
        b.warn(
            "import.not_understood",
            f"Permissions boundary {arn}: its document is not in the paste "
            "(add it with `aws iam get-policy-version`, choosing this principal).",
            ptr + "/PermissionsBoundary",
        )


def get_entity(b: Builder, out: dict, kind: str) -> None:
    """get-role `{"Role": {...}}` or get-user `{"User": {...}}`."""
    field = "Role" if kind == "role" else "User"
    ptr = f"/{field}"
    obj = out[field]
    item = _entity(b, kind, obj, ptr)
    if item is None:
        return
    if kind == "role":
        _trust(b, item, obj, ptr)
    _boundary(b, item, obj, {}, ptr)
    b.said(f"{kind} {item['name']} (aws iam get-{kind})")
    known = {"Path", f"{field}Name", "Arn", "AssumeRolePolicyDocument", "Tags"}
    b.unknown_fields(obj, ptr, known | {"PermissionsBoundary", *_META})


def inline_policy(b: Builder, out: dict, kind: str) -> None:
    """get-role-policy / get-user-policy / get-group-policy: one inline policy by name."""
    name_field = {"role": "RoleName", "user": "UserName", "group": "GroupName"}[kind]
    owner = _owner_named(b, kind, out[name_field])
    if owner is None:
        account = b.first_account()
        owner = (
            b.group(account, out[name_field])
            if kind == "group"
            else b.principal(kind, account, out[name_field])
        )
        b.warn(
            "import.assumed",
            f"The output does not say which account {kind} {out[name_field]} is in: it was "
            f"put in {account} (change it in the panel, or paste get-{kind} first).",
            f"/{name_field}",
        )
    policy = b.policy(out.get("PolicyDocument"), "/PolicyDocument")
    if policy is None:
        return
    set_named_policy(owner, str(out.get("PolicyName") or "inline"), policy)
    b.said(f"inline policy {out.get('PolicyName')} of {kind} {out[name_field]} (get-{kind}-policy)")
    b.unknown_fields(out, "", {name_field, "PolicyName", "PolicyDocument"})


def _owner_named(b: Builder, kind: str, name: object) -> dict | None:
    target = b.target_of((kind,))
    if target is not None and target.get("name") == name:
        return target
    pool = b.doc.get("groups") if kind == "group" else b.doc.get("principals")
    matches = [
        p for p in pool or [] if p["name"] == name and (kind == "group" or p["type"] == kind)
    ]
    return matches[0] if matches else None


def policy_version(b: Builder, out: dict) -> None:
    """get-policy-version `{"PolicyVersion": {"Document": ...}}`: attached to the chosen node."""
    version = out["PolicyVersion"]
    policy = b.policy(version.get("Document"), "/PolicyVersion/Document")
    if policy is None:
        return
    owner = b.target_of(("user", "role", "group"))
    if owner is None:
        b.warn(
            "import.target",
            "get-policy-version does not say whose policy this is: choose the user, role "
            "or group it is attached to.",
            "/PolicyVersion",
        )
        return
    name = f"managed policy {version.get('VersionId') or ''}".strip()
    set_named_policy(owner, name, policy)
    b.said(f"policy version {version.get('VersionId')} (aws iam get-policy-version)")
    b.unknown_fields(
        version, "/PolicyVersion", {"Document", "VersionId", "IsDefaultVersion"} | _META
    )
