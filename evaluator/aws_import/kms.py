"""`aws kms` output: get-key-policy, describe-key, list-aliases, list-grants."""

from __future__ import annotations

from evaluator.aws_import.builder import Builder, parse_arn
from evaluator.core.problems import pointer_join

_IGNORED_METADATA = {
    "CreationDate",
    "Enabled",
    "DeletionDate",
    "ValidTo",
    "CloudHsmClusterId",
    "CustomKeyStoreId",
    "ExpirationModel",
    "EncryptionAlgorithms",
    "SigningAlgorithms",
    "KeyAgreementAlgorithms",
    "MacAlgorithms",
    "MultiRegionConfiguration",
    "PendingDeletionWindowInDays",
    "XksKeyConfiguration",
    "CurrentKeyMaterialId",
    "CustomerMasterKeySpec",
}


def key_policy(b: Builder, out: dict, policy: dict) -> None:
    """get-key-policy: `{"Policy": "<escaped JSON>", "PolicyName": "default"}`."""
    key = b.target_of(("key",)) or _key_named_in(b, policy) or b.only("keys")
    if key is None:
        account = _account_in(policy) or b.first_account()
        key = b.new_key(account, "/Policy")
    key["policy"] = policy
    b.said(f"key policy (aws kms get-key-policy) of key {key['id']}")
    b.unknown_fields(out, "", {"Policy", "PolicyName"})


def _key_named_in(b: Builder, policy: dict) -> dict | None:
    for statement in _statements(policy):
        resources = statement.get("Resource")
        for r in [resources] if isinstance(resources, str) else resources or []:
            parts = parse_arn(r)
            if parts and parts[0] == "kms" and parts[3].startswith("key/"):
                return b.find_key(parts[3][4:])
    return None


def _account_in(policy: dict) -> str | None:
    for statement in _statements(policy):
        principal = statement.get("Principal")
        aws = principal.get("AWS") if isinstance(principal, dict) else None
        for p in [aws] if isinstance(aws, str) else aws or []:
            parts = parse_arn(p)
            if parts and parts[3] == "root" and parts[2]:
                return parts[2]
            if isinstance(p, str) and p.isdigit() and len(p) == 12:
                return p
    return None


def _statements(policy: dict) -> list[dict]:
    s = policy.get("Statement")
    items = [s] if isinstance(s, dict) else s if isinstance(s, list) else []
    return [x for x in items if isinstance(x, dict)]


_STATES = {"Enabled", "Disabled", "PendingDeletion", "PendingImport", "Unavailable"}
_FIELDS = (
    ("KeyState", "state", "Enabled"),
    ("KeyManager", "manager", "CUSTOMER"),
    ("KeySpec", "spec", "SYMMETRIC_DEFAULT"),
    ("KeyUsage", "usage", "ENCRYPT_DECRYPT"),
    ("Origin", "origin", "AWS_KMS"),
)


def describe_key(b: Builder, out: dict) -> None:
    """describe-key: `{"KeyMetadata": {...}}` gives the key's real id, account, region, state."""
    meta = out["KeyMetadata"]
    ptr = "/KeyMetadata"
    parts = parse_arn(meta.get("Arn"))
    key_id = meta.get("KeyId")
    if not isinstance(key_id, str) or parts is None:
        b.warn("import.not_understood", "KeyMetadata has no KeyId and Arn.", ptr)
        return
    account = meta.get("AWSAccountId") or parts[2]
    key = b.key(key_id, account, parts[1], ptr)
    for field, ours, default in _FIELDS:
        value = meta.get(field)
        if not isinstance(value, str):
            continue
        if field == "KeyState" and value not in _STATES:
            b.warn(
                "import.not_understood", f"Key state {value} is not modelled.", ptr + "/KeyState"
            )
            continue
        if value == default:
            key.pop(ours, None)
        else:
            key[ours] = value
    if isinstance(meta.get("Description"), str) and meta["Description"]:
        key["description"] = meta["Description"]
    if parts[1] and parts[1] != b.region:
        key["region"] = parts[1]
    b.said(f"key {key_id} (aws kms describe-key)")
    b.unknown_fields(
        meta,
        ptr,
        {"KeyId", "Arn", "AWSAccountId", "Description", "MultiRegion", *_IGNORED_METADATA}
        | {f for f, _, _ in _FIELDS},
    )


def list_aliases(b: Builder, out: dict) -> None:
    """list-aliases: each alias joins the key it targets, when that key is in the scenario."""
    added = 0
    for i, alias in enumerate(out.get("Aliases") or []):
        ptr = pointer_join("/Aliases", i)
        if not isinstance(alias, dict) or not isinstance(alias.get("AliasName"), str):
            b.warn("import.not_understood", "An alias needs an AliasName.", ptr)
            continue
        target = alias.get("TargetKeyId")
        key = b.find_key(target) if isinstance(target, str) else None
        if key is None:
            if isinstance(target, str) and not alias["AliasName"].startswith("alias/aws/"):
                b.warn(
                    "import.not_understood",
                    f"{alias['AliasName']} points at key {target}, which is not in the "
                    "scenario (paste its describe-key first).",
                    ptr,
                )
            continue
        aliases = key.setdefault("aliases", [])
        if alias["AliasName"] not in aliases:
            aliases.append(alias["AliasName"])
            added += 1
    b.said(f"{added} alias{'es' if added != 1 else ''} (aws kms list-aliases)")


_CONSTRAINTS = {
    "EncryptionContextSubset": "encryption_context_subset",
    "EncryptionContextEquals": "encryption_context_equals",
}


def list_grants(b: Builder, out: dict) -> None:
    """list-grants: grantee, retiring principal, operations and constraints on each key."""
    count = 0
    for i, grant in enumerate(out.get("Grants") or []):
        ptr = pointer_join("/Grants", i)
        if not isinstance(grant, dict) or not isinstance(grant.get("GrantId"), str):
            b.warn("import.not_understood", "A grant needs a GrantId.", ptr)
            continue
        key = _grant_key(b, grant.get("KeyId"), ptr)
        if key is None:
            continue
        item: dict = {
            "id": grant["GrantId"],
            "grantee": grant.get("GranteePrincipal", ""),
            "operations": [op for op in grant.get("Operations") or [] if isinstance(op, str)],
        }
        if grant.get("Name"):
            item["name"] = grant["Name"]
        if grant.get("RetiringPrincipal"):
            item["retiring"] = grant["RetiringPrincipal"]
        constraints = grant.get("Constraints") or {}
        for theirs, ours in _CONSTRAINTS.items():
            if isinstance(constraints.get(theirs), dict):
                item["constraints"] = {ours: constraints[theirs]}
        b.unknown_fields(constraints, ptr + "/Constraints", set(_CONSTRAINTS))
        grants = key.setdefault("grants", [])
        index = next((j for j, g in enumerate(grants) if g["id"] == item["id"]), None)
        if index is None:
            grants.append(item)
        else:
            grants[index] = item
        _ensure_grantee(b, item["grantee"])
        count += 1
        b.unknown_fields(
            grant,
            ptr,
            {
                "KeyId",
                "GrantId",
                "Name",
                "CreationDate",
                "GranteePrincipal",
                "RetiringPrincipal",
                "IssuingAccount",
                "Operations",
                "Constraints",
            },
        )
    b.said(f"{count} grant{'s' if count != 1 else ''} (aws kms list-grants)")


def _grant_key(b: Builder, key_ref: object, ptr: str) -> dict | None:
    if isinstance(key_ref, str):
        key = b.key_from_arn(key_ref, ptr + "/KeyId") or b.find_key(key_ref)
        if key is not None:
            return key
    key = b.target_of(("key",)) or b.only("keys")
    if key is None:
        b.warn("import.target", "Which key do these grants belong to? Choose it.", ptr + "/KeyId")
    return key


def _ensure_grantee(b: Builder, grantee: str) -> None:
    # A grant to a role or user names it by ARN; draw it so attempts can use the grant.
    parts = parse_arn(grantee)
    if parts and parts[0] == "iam" and parts[3].startswith(("user/", "role/")):
        b.principal_from_arn(grantee)
