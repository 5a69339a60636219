"""The closed sets of values a scenario document (format 1) may use.

The contract is /shared/spec/scenario-format.md. The typed model (model.py)
spells the same sets as `Literal` types; the loader checks documents against
these tuples, and tests/evaluator/test_scenario_schema.py keeps the JSON Schema
in step with them.
"""

from __future__ import annotations

from typing import Literal

FORMAT = 1
DEFAULT_REGION = "us-east-1"
DEFAULT_ROOT = "r-root"

PrincipalType = Literal["user", "role"]
KeyState = Literal["Enabled", "Disabled", "PendingDeletion", "PendingImport", "Unavailable"]
KeyManager = Literal["CUSTOMER", "AWS"]
KeyOrigin = Literal["AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"]
Algorithm = Literal["AES256", "aws:kms"]
EndpointService = Literal["kms", "s3"]
ConstraintKind = Literal["subset", "equals"]

PRINCIPAL_TYPES: tuple[str, ...] = ("user", "role")
KEY_STATES: tuple[str, ...] = (
    "Enabled",
    "Disabled",
    "PendingDeletion",
    "PendingImport",
    "Unavailable",
)
KEY_MANAGERS: tuple[str, ...] = ("CUSTOMER", "AWS")
KEY_ORIGINS: tuple[str, ...] = ("AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")
ALGORITHMS: tuple[str, ...] = ("AES256", "aws:kms")
ENDPOINT_SERVICES: tuple[str, ...] = ("kms", "s3")
AUTHORIZATIONS: tuple[str, ...] = ("allow", "deny", "implicit_deny", "explicit_deny")
OUTCOMES: tuple[str, ...] = (
    "Success",
    "AccessDeniedException",
    "AccessDenied",
    "DisabledException",
    "KMSInvalidStateException",
    "NotFoundException",
    "InvalidCiphertextException",
    "IncorrectKeyException",
    "InvalidKeyUsageException",
    "MalformedPolicyDocumentException",
    "InvalidGrantTokenException",
    "ValidationException",
    # Not in the contract's list, but what KMS returns for a key policy over 32 KB (R2.8).
    "LimitExceededException",
    # Alias operations (an addition to format 1): what KMS returns for an alias name
    # that is taken, and for one that is malformed or reserved (alias/aws/...).
    "AlreadyExistsException",
    "InvalidAliasNameException",
)
EXPECTATIONS: tuple[str, ...] = AUTHORIZATIONS + OUTCOMES
# The two kinds of deny an attempt's authorization can be ("deny" expects either).
DENY_AUTHORIZATIONS: tuple[str, ...] = ("implicit_deny", "explicit_deny")
# The outcome codes that say "not authorized" (KMS's and S3/STS's spelling); any
# other failure is the service refusing an authorized call.
DENIAL_OUTCOMES: frozenset[str] = frozenset({"AccessDeniedException", "AccessDenied"})


def is_denial(outcome: str) -> bool:
    """Is this outcome code an authorization failure (rather than success or a service error)?"""
    return outcome in DENIAL_OUTCOMES


# An attempt's members: the contract's, then the project's own notes on a case.
ATTEMPT_FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "principal",
    "assume",
    "action",
    "resource",
    "destination",
    "via_service",
    "encryption_context",
    "plaintext",
    "ciphertext",
    "grant",
    "grant_id",
    "grant_tokens",
    "policy",
    "bypass_policy_lockout_safety_check",
    "context",
    "expect",
)
# The project's optional additions to format 1 (docs/scenario-format.md): not contract
# members, so forms that edit the contract's fields keep them as they are.
ATTEMPT_ADDITIONS: tuple[str, ...] = ("tags", "tag_keys", "alias")
ATTEMPT_NOTE_FIELDS: tuple[str, ...] = ("rule", "note")
# The operations a KMS grant can allow (the GrantOperation values of the KMS API).
GRANT_OPERATIONS: tuple[str, ...] = (
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
)
# The grant operations of a symmetric encryption key whose calls the playground
# models (no data key pairs): what the grant forms offer.
MODELLED_GRANT_OPERATIONS: tuple[str, ...] = (
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
)
# Which encryption context a grant constraint compares (R3.11, R3.12).
GRANT_CONSTRAINTS: tuple[ConstraintKind, ...] = ("subset", "equals")
