"""The KMS service model: one call, from key lookup to real cryptography.

Pipeline (section 10, section 12 point 12): resolve the key (R2.15), refuse
operations that never work across accounts (R2.14), authorize (key policy,
IAM, grants, guardrails), then key state (R6), key usage, and cryptography
(R9).

The pipeline is this module; authorization is in kms_auth.py and the
operations in kms_ops.py.
"""

from __future__ import annotations

from . import crypto
from .keytrust import ENCRYPT_DECRYPT_OPS, resolve_key, state_error
from .kms_auth import KmsCall, authorize_kms
from .kms_ops import perform
from .runtime import CallResult, Env, Identity, deny, fail, merge
from .trace import Step, Tracer

# The key usage each operation needs (R6.5: otherwise InvalidKeyUsageException).
USAGE_OF = {
    **dict.fromkeys(ENCRYPT_DECRYPT_OPS, "ENCRYPT_DECRYPT"),
    "Sign": "SIGN_VERIFY",
    "Verify": "SIGN_VERIFY",
    "GenerateMac": "GENERATE_VERIFY_MAC",
    "VerifyMac": "GENERATE_VERIFY_MAC",
    "DeriveSharedSecret": "KEY_AGREEMENT",
}
ASSUME_AUTHZ_FIRST = (
    "modelled assumption (R6.6, section 12 point 12): authorization is decided before the "
    "key state, so a denied caller gets AccessDeniedException whatever the state"
)
ASSUME_PENDING = (
    "modelled assumption (R6.2, section 12 point 11): a key pending deletion gives "
    "KMSInvalidStateException"
)


def kms_call(env: Env, ident: Identity, call: KmsCall, tr: Tracer) -> CallResult:
    sc = env.world.scenario
    c = ident.caller
    op = call.op
    blob_arn = None
    if call.ciphertext is not None and op in ("Decrypt", "ReEncryptFrom"):
        try:
            blob_arn = crypto.blob_key(call.ciphertext)
        except crypto.CiphertextError as exc:
            return deny("InvalidCiphertextException", str(exc), tr, "R6.5")
    identifier = blob_arn or call.key_id
    if identifier is None:
        return CallResult(
            "implicit_deny",
            "ValidationException",
            "The request names no key (KeyId is required).",
            "R2.15",
        )
    res = _resolve(env, identifier, c.account, op)
    if tr.on:
        tr.add(
            Step(
                kind="key",
                title="Find the key",
                verdict="pass" if res.key else "fail",
                detail=res.detail,
                rule=res.rule,
                nodes=(res.key.arn,) if res.key else (),
            )
        )
    if res.key is None:
        code = "InvalidCiphertextException" if blob_arn else "NotFoundException"
        return CallResult("implicit_deny", code, res.detail, res.rule)
    key = res.key
    alias = res.alias
    named = None
    if blob_arn and call.key_id:
        named = resolve_key(sc, call.key_id, c.account, op)
        if named.key is None:
            return deny("NotFoundException", named.detail, tr, "R2.15")
        alias = named.alias
    bad_tokens = [t for t in call.grant_tokens if not _token_known(env, t)]
    if bad_tokens:
        return deny(
            "InvalidGrantTokenException",
            f"Grant token {bad_tokens[0]} is not a valid grant token (R3.10).",
            tr,
            "R3.10",
        )

    result = authorize_kms(env, ident, key, call, alias, tr)
    err = state_error(key, op)
    if result.authorization != "allow":
        if err is not None:
            result.warnings.append(ASSUME_AUTHZ_FIRST)
        return result
    # Section 12 point 12: the key state is checked only for an authorized caller.
    if err is not None:
        if key.state == "PendingDeletion":
            result.warnings.append(ASSUME_PENDING)
        return merge(result, fail(err[0], err[1] + f"; kms:{op} is refused (R6.2).", tr, "R6.2"))
    needed = USAGE_OF.get(op)
    if needed is not None and key.usage != needed:
        return merge(
            result,
            fail(
                "InvalidKeyUsageException",
                f"{key.arn} has key usage {key.usage}; kms:{op} needs {needed} (R6.5).",
                tr,
                "R6.5",
            ),
        )
    if op.startswith("GenerateDataKey") and key.spec != "SYMMETRIC_DEFAULT":
        return merge(
            result,
            fail(
                "InvalidKeyUsageException",
                f"Data keys need a symmetric key; {key.arn} is {key.spec}.",
                tr,
                "R6.5",
            ),
        )
    if named is not None and named.key is not None and named.key.arn != key.arn:
        return merge(
            result,
            fail(
                "IncorrectKeyException",
                f"The ciphertext was made under {key.arn}, not under the "
                f"KeyId {call.key_id} (R9.2).",
                tr,
                "R9.2",
            ),
        )
    return merge(result, perform(env, ident, key, call, tr))


def _resolve(env: Env, identifier: str, account: str | None, op: str):
    """resolve_key, remembered for the run (the scenario does not change)."""
    cache_key = (identifier, account, op)
    found = env.resolved.get(cache_key)
    if found is None:
        found = env.resolved[cache_key] = resolve_key(env.world.scenario, identifier, account, op)
    return found


def _token_known(env: Env, token: str) -> bool:
    for key in env.world.scenario.keys:
        for g in [*key.grants, *env.new_grants.get(key.arn, [])]:
            if g.token == token:
                return True
    return False
