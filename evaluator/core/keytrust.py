"""KMS's own key-trust rules: whether the key policy lets IAM policies count
(R2.2), which key an identifier names, which operations work across accounts,
AWS managed keys, and what a key policy must satisfy when it is saved
(R2.x, R4.4, R6.x)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Key, Scenario
from .policy import Policy
from .problems import Problem, pointer_join, problem

# Symmetric encryption and data keys: what needs key usage ENCRYPT_DECRYPT.
ENCRYPT_DECRYPT_OPS = frozenset(
    {
        "Encrypt",
        "Decrypt",
        "ReEncryptFrom",
        "ReEncryptTo",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
    }
)
# Operations that use key material: encryption, data keys, signing, MACs.
CRYPTO_OPS = ENCRYPT_DECRYPT_OPS | {
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "Sign",
    "Verify",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
    "GetPublicKey",
}
# R2.14: the only operations that work on a key in another account.
CROSS_ACCOUNT_OPS = CRYPTO_OPS | {
    "CreateGrant",
    "DescribeKey",
    "GetKeyRotationStatus",
    "ListGrants",
    "RetireGrant",
    "RevokeGrant",
}
# R2.21: permissions with no key resource, that only IAM policies can give.
IAM_ONLY_OPS = frozenset(
    {
        "CreateKey",
        "ListKeys",
        "ListAliases",
        "ListRetirableGrants",
        "GenerateRandom",
        "CreateCustomKeyStore",
        "ConnectCustomKeyStore",
        "DescribeCustomKeyStores",
        "DeleteCustomKeyStore",
        "DisconnectCustomKeyStore",
        "UpdateCustomKeyStore",
    }
)
# Key administration: authorized against one key like any key operation.
ADMIN_OPS = frozenset(
    {
        "PutKeyPolicy",
        "GetKeyPolicy",
        "ListKeyPolicies",
        "EnableKey",
        "DisableKey",
        "ScheduleKeyDeletion",
        "CancelKeyDeletion",
        "TagResource",
        "UntagResource",
        "ListResourceTags",
        "CreateAlias",
        "DeleteAlias",
        "UpdateAlias",
        "UpdateKeyDescription",
        "EnableKeyRotation",
        "DisableKeyRotation",
        "RotateKeyOnDemand",
        "ListKeyRotations",
        "ReplicateKey",
        "UpdatePrimaryRegion",
        "ImportKeyMaterial",
        "GetParametersForImport",
        "DeleteImportedKeyMaterial",
    }
)
# R2.15: operations whose KeyId may be an alias (name or ARN).
ALIAS_OK = (CRYPTO_OPS - {"DeriveSharedSecret"}) | {"DescribeKey"}
KNOWN_OPS = CROSS_ACCOUNT_OPS | IAM_ONLY_OPS | ADMIN_OPS
# Operations that carry an encryption context (R4.4).
CONTEXT_OPS = ENCRYPT_DECRYPT_OPS | {
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "CreateGrant",
}
# Operations with an encryption algorithm (R4.6).
ALGORITHM_OPS = ENCRYPT_DECRYPT_OPS

_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/(.+)$")
_IAM_ENTITY = re.compile(r"^arn:aws:iam::(\d{12}):(?:user|role)/.+$")
_ALIAS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias/.+)$")


@dataclass(frozen=True, slots=True)
class Resolution:
    key: Key | None
    alias: str | None  # the alias name used, for kms:RequestAlias (R4.7)
    detail: str
    rule: str = "R2.15"


def resolve_key(sc: Scenario, identifier: str, caller_account: str | None, op: str) -> Resolution:
    """Find the key an identifier names, as KMS does (R2.15)."""
    region = sc.region
    m = _KEY_ARN.match(identifier)
    if m:
        key = _find(sc, m.group(2), m.group(1), key_id=m.group(3))
        if key is None:
            return Resolution(None, None, f"No key {identifier} exists.")
        return Resolution(key, None, f"The key ARN names {key.arn}.")
    m = _ALIAS_ARN.match(identifier)
    if m:
        if op not in ALIAS_OK:
            return Resolution(None, None, f"{op} needs a key id or key ARN, not an alias.")
        key = _find(sc, m.group(2), m.group(1), alias=m.group(3))
        if key is None:
            return Resolution(None, m.group(3), f"No alias {identifier} exists.")
        return Resolution(key, m.group(3), f"The alias ARN points to {key.arn}.")
    if identifier.startswith("alias/"):
        if op not in ALIAS_OK:
            return Resolution(None, None, f"{op} needs a key id or key ARN, not an alias.")
        if caller_account is None:
            return Resolution(None, identifier, "A service principal must use a key ARN.")
        key = _find(sc, caller_account, region, alias=identifier)
        if key is None:
            return Resolution(
                None,
                identifier,
                f"An alias name is looked up in the caller's own account ({caller_account}) "
                f"and Region, and {identifier} is not there; use the alias ARN or key ARN "
                "to reach another account's key (R2.15).",
            )
        return Resolution(key, identifier, f"{identifier} in {caller_account} is {key.arn}.")
    if caller_account is None:  # a service principal: ids are unique in a scenario
        found = [k for k in sc.keys if k.id == identifier]
        key = found[0] if found else None
    else:
        key = _find(sc, caller_account, region, key_id=identifier)
    if key is None:
        other = [k for k in sc.keys if k.id == identifier]
        hint = (
            f" The key {other[0].arn} exists in another account: a bare key id is looked "
            "up in the caller's own account, so use the key ARN (R2.15)."
            if other
            else ""
        )
        return Resolution(None, None, f"No key {identifier} in {caller_account}.{hint}")
    return Resolution(key, None, f"Key id {identifier} in {caller_account} is {key.arn}.")


def _find(
    sc: Scenario, account: str, region: str, *, key_id: str = "", alias: str = ""
) -> Key | None:
    if key_id:
        return sc.key_by_id(account, region, key_id)
    return sc.key_by_alias(account, region, alias)


# R6.2-R6.4: the error each state gives, per kind of operation (section 12 point 11).
STATE_ERRORS: dict[str, tuple[str, str]] = {
    "Disabled": ("DisabledException", "is disabled"),
    "PendingDeletion": ("KMSInvalidStateException", "is pending deletion"),
    "PendingImport": ("KMSInvalidStateException", "is pending import"),
    "Unavailable": ("KMSInvalidStateException", "is unavailable"),
}
ANY_STATE_OPS = frozenset(
    {
        "DescribeKey",
        "GetKeyPolicy",
        "PutKeyPolicy",
        "ListGrants",
        "RetireGrant",
        "RevokeGrant",
        "ListResourceTags",
        "ListAliases",
        "DeleteAlias",
        "GetKeyRotationStatus",
    }
)


def state_error(key: Key, op: str) -> tuple[str, str] | None:
    """The error code and reason the key's state gives for `op`, or None (R6)."""
    state = key.state
    if op == "CancelKeyDeletion":  # R6.4: only a key pending deletion can be rescued
        if state != "PendingDeletion":
            return ("KMSInvalidStateException", f"The key {key.arn} is not pending deletion")
        return None
    if state == "Enabled" or op in ANY_STATE_OPS:
        return None
    if op == "CreateGrant" and state == "Unavailable":
        return None  # R6.3
    if op in ("EnableKey", "DisableKey") and state == "Disabled":
        return None
    if op == "ScheduleKeyDeletion" and state in ("Disabled", "Unavailable", "PendingImport"):
        return None
    found = STATE_ERRORS.get(state)
    if found is None:
        return None
    code, why = found
    if op not in CRYPTO_OPS and op != "CreateGrant" and state == "Disabled":
        return None  # administrative operations work on disabled keys
    return code, f"The key {key.arn} {why}"


# R2.8: printable ASCII, Latin-1 supplement, tab, LF and CR.
def _printable(ch: str) -> bool:
    o = ord(ch)
    return ch in "\t\n\r" or 0x20 <= o <= 0x7E or 0xA1 <= o <= 0xFF


def key_policy_checks(
    policy: Policy | None, text: str, pointer: str, sc: Scenario | None = None
) -> list[Problem]:
    """What KMS checks when a key policy is saved, beyond the policy language:
    characters (R2.8), principals that must exist (R2.8) and ForAllValues on
    kms:EncryptionContext:<key> (R4.4)."""
    probs: list[Problem] = []
    if sc is not None and policy is not None:
        drawn = {a.id for a in sc.accounts}
        for stmt in policy.statements:
            spec = stmt.principal or stmt.not_principal
            for arn in sorted(spec.aws if spec else ()):
                m = _IAM_ENTITY.match(arn)
                if m and m.group(1) in drawn and sc.principal_by_arn(arn) is None:
                    probs.append(
                        problem(
                            "policy.principal_form",
                            f"{arn} does not exist, and KMS only accepts principals it can "
                            "see (R2.8).",
                            spec.pointer if spec else pointer,
                        )
                    )
    bad = sorted(
        {
            ch
            for ch in text + "".join(_strings(policy.source if policy else None))
            if not _printable(ch)
        }
    )
    if bad:
        shown = ", ".join(f"U+{ord(c):04X}" for c in bad[:5])
        probs.append(
            problem(
                "policy.unprintable",
                f"A key policy may only contain printable ASCII, Latin-1 and tab/CR/LF; "
                f"found {shown} (R2.8).",
                pointer,
            )
        )
    for stmt in policy.statements if policy else ():
        for clause in stmt.conditions:
            if clause.set_op == "ForAllValues" and clause.key_lc.startswith(
                "kms:encryptioncontext:"
            ):
                probs.append(
                    problem(
                        "condition.for_all_values_context",
                        f"ForAllValues with {clause.key} is overly permissive and KMS "
                        "rejects it (OverlyPermissiveCondition); use a plain operator "
                        "(R4.4).",
                        clause.pointer,
                    )
                )
    return probs


def _strings(value: object) -> list[str]:
    """Every key and string in a JSON value (control characters hide in escapes)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def lockout_risk(policy: Policy, pointer: str) -> list[Problem]:
    """A key policy that lets nobody call kms:PutKeyPolicy locks the key for good
    (R2.5); KMS refuses it unless the lockout safety check is bypassed (R2.6)."""
    for stmt in policy.statements:
        names_someone = stmt.not_principal is not None or (
            stmt.principal is not None and (stmt.principal.any or bool(stmt.principal.aws))
        )
        covers = any(m.match("kms:PutKeyPolicy") for m in stmt.action_matchers)
        if stmt.is_allow and names_someone and covers != stmt.not_action:
            return []
    return [
        problem(
            "policy.lockout_risk",
            "No statement lets anyone call kms:PutKeyPolicy, so once saved nobody could change "
            "this policy again (R2.5). KMS refuses such a policy unless "
            "BypassPolicyLockoutSafetyCheck is set (R2.6).",
            pointer_join(pointer, "Statement"),
        )
    ]


# R2.2: an IAM policy can allow use of a key only where the key policy lets it,
# normally by naming the account (R2.3). A trust policy gates roles the same way
# (R7.1). `decide.py` calls these for every policy set whose resource policy is
# required; a policy that names the caller itself is R1.14, decided there.
def iam_takes_effect(delegated: bool, identity_path: bool) -> bool:
    """R2.2: the key policy delegates to the account and IAM allows."""
    return delegated and identity_path


def delegated_how(label: str) -> str:
    return f"the {label} trusts the account and an identity policy allows"


def untrusted_reason(
    label: str,
    caller_arn: str,
    action: str,
    delegated: bool,
    identity_path: bool,
    identity_allows: bool,
    limits: str,
) -> str:
    """Why a required key (or trust) policy leaves the request implicitly denied."""
    if delegated and not identity_path:
        return (
            f"Implicit deny: the {label} delegates to the account, but no identity policy "
            f"of {caller_arn} allows {action} (R2.2)." + limits
        )
    if identity_allows:
        return (
            f"Implicit deny: an identity policy allows {action}, but the {label} "
            "neither names the caller nor delegates to its account, so IAM policies "
            "cannot take effect (R2.2, R1.13)."
        )
    return f"Implicit deny: no statement of the {label} allows {action} for the caller."
