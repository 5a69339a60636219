"""What a KMS call does once it is authorized: cryptography, grants, key policies.

kms.py runs `perform` after authorization and the key state checks. The checks
of a new key policy (its form, the lockout check) serve PutKeyPolicy here and
CreateKey in kms_keyless.py.
"""

from __future__ import annotations

import base64
import json

from . import crypto
from .grants import GRANT_OPERATIONS
from .keytrust import key_policy_checks
from .kms_auth import KmsCall, authorize_kms
from .model import Grant, Key
from .policy import Policy, parse_policy
from .runtime import CallResult, Env, Identity, fail
from .trace import NULL_TRACER, Step, Tracer

MAX_PLAINTEXT = 4096  # R9.4


def perform(env: Env, ident: Identity, key: Key, call: KmsCall, tr: Tracer) -> CallResult:
    op = call.op
    ok = CallResult("allow", "Success", f"kms:{op} succeeded.")
    ec = call.encryption_context
    if op == "Encrypt":
        text = (call.plaintext or "").encode()
        if len(text) > MAX_PLAINTEXT:
            return fail(
                "ValidationException",
                f"Encrypt takes at most {MAX_PLAINTEXT} bytes of plaintext; this is "
                f"{len(text)} (R9.4).",
                tr,
                "R9.4",
            )
        blob = crypto.encrypt(env.material.get(key.arn), key.arn, text, ec, env.rng)
        ok.output = {"ciphertext": blob, "key": key.arn}
        crypto_step(
            tr,
            "Encrypt with AES-256-GCM",
            "The plaintext is encrypted under the key's material; the encryption "
            "context is bound as associated data and the blob names the key (R9.3).",
        )
    elif op.startswith("GenerateDataKey"):
        data_key = env.rng(32)
        blob = crypto.encrypt(env.material.get(key.arn), key.arn, data_key, ec, env.rng)
        ok.output = {"ciphertext": blob, "key": key.arn}
        crypto_step(
            tr,
            "Generate a data key",
            "KMS makes a fresh 256-bit data key and returns it encrypted under the KMS "
            "key (R9.1)."
            + (
                ""
                if op == "GenerateDataKey"
                else " Without plaintext: only the encrypted copy returns."
            ),
        )
        if op == "GenerateDataKey":
            ok.output["data_key"] = base64.b64encode(data_key).decode()
            if call.plaintext is not None:
                local = crypto.local_encrypt(data_key, call.plaintext.encode(), env.rng)
                ok.output["local_ciphertext"] = local
                crypto_step(
                    tr,
                    "Envelope: encrypt locally with the data key",
                    "The application encrypts its text with the plaintext data key, "
                    "keeps the encrypted data key beside the ciphertext and forgets "
                    "the plaintext key.",
                )
    elif op in ("Decrypt", "ReEncryptFrom"):
        if call.ciphertext is None:
            ok.output = {"key": key.arn}
            ok.reason = "Authorized; no ciphertext was given, so nothing was decrypted."
            return ok
        try:
            plain = crypto.decrypt(env.material.get(key.arn), call.ciphertext, ec)
        except crypto.CiphertextError as exc:
            return fail("InvalidCiphertextException", f"{exc} (R9.3)", tr, "R9.3")
        crypto_step(
            tr,
            "Decrypt with AES-256-GCM",
            "The blob names its key; the encryption context matched the one bound "
            "at encryption (R9.2, R9.3).",
        )
        ok.output = {"key": key.arn}
        if call.data_key is not None or call.local_ciphertext is not None:
            ok.output["data_key"] = base64.b64encode(plain).decode()
            if call.local_ciphertext:
                text = crypto.local_decrypt(plain, call.local_ciphertext)
                ok.output["plaintext"] = text.decode(errors="replace")
                crypto_step(
                    tr,
                    "Envelope: decrypt locally with the data key",
                    "The decrypted data key opens the locally encrypted text.",
                )
        else:
            ok.output["plaintext"] = plain.decode(errors="replace")
        ok.plaintext = plain
    elif op == "CreateGrant":
        return _create_grant(env, key, call, tr)
    elif op == "RetireGrant" or op == "RevokeGrant":
        grants = env.new_grants.get(key.arn, [])
        known = [g.id for g in (*key.grants, *grants)]
        if call.grant_id not in known:
            return fail("NotFoundException", f"No grant {call.grant_id} on {key.arn}.", tr, "R3.15")
        env.new_grants[key.arn] = [g for g in grants if g.id != call.grant_id]
        ok.output = {"grant_id": call.grant_id}
    elif op == "PutKeyPolicy":
        return _put_key_policy(env, ident, key, call, tr)
    else:
        ok.output = {"key": key.arn}
    return ok


def crypto_step(tr: Tracer, title: str, detail: str) -> None:
    if tr.on:
        tr.add(Step(kind="crypto", title=title, verdict="pass", detail=detail, rule="R9"))


def _create_grant(env: Env, key: Key, call: KmsCall, tr: Tracer) -> CallResult:
    g = call.grant
    if g is None:
        return fail("ValidationException", "CreateGrant needs a `grant`.", tr, "R3.2")
    bad = [op for op in g.operations if op not in GRANT_OPERATIONS]
    if not g.operations or bad:
        return fail(
            "ValidationException",
            f"Grant operations {bad or '[]'} are not valid grant operations (R3.4).",
            tr,
            "R3.4",
        )
    if key.spec != "SYMMETRIC_DEFAULT" and any(
        o.startswith("GenerateDataKey") for o in g.operations
    ):
        return fail(
            "ValidationException",
            "A grant for an asymmetric key cannot include data key operations (R3.4).",
            tr,
            "R3.4",
        )
    existing = env.new_grants.setdefault(key.arn, [])
    # The attempt's id names the grant, so a later attempt can pass its token
    # ("token-" + id) or retire it by id; a call with no attempt gets a fresh id.
    gid = call.attempt_id or f"g{len(existing) + 1:02d}-" + env.rng(6).hex()
    grant = Grant(
        id=gid,
        grantee=g.grantee,
        retiring=g.retiring,
        operations=tuple(g.operations),
        constraints=g.constraints,
        name=None,
        propagated=False,
        pointer="",
    )
    existing.append(grant)
    crypto_step(
        tr,
        "Grant created",
        f"Grant {gid} for {g.grantee}; it takes effect everywhere within minutes, or "
        f"at once with its grant token {grant.token} (R3.10).",
    )
    return CallResult(
        "allow",
        "Success",
        "kms:CreateGrant succeeded.",
        output={"grant_id": gid, "grant_token": grant.token},
    )


def checked_policy(
    env: Env, call: KmsCall, key: Key, tr: Tracer
) -> tuple[Policy | None, CallResult | None]:
    """What KMS checks when a key policy is saved (R2.8, R4.4)."""
    if call.policy is None:
        return None, fail("ValidationException", f"{call.op} needs a `policy`.", tr, "R2.8")
    doc = call.policy.document
    text = doc if isinstance(doc, str) else json.dumps(doc, indent=2, ensure_ascii=False)
    if len(text.encode()) > 32768:
        return None, fail(
            "LimitExceededException",
            f"The key policy is {len(text.encode())} bytes; the limit is 32768 (R2.8).",
            tr,
            "R2.8",
        )
    policy, probs = parse_policy(
        doc, kind="key", pointer=call.policy.pointer, name="new key policy", owner=key.arn
    )
    probs = [p for p in probs if p.code != "policy.too_large"]
    probs += key_policy_checks(policy, text, call.policy.pointer, env.world.scenario)
    errors = [p for p in probs if p.is_error]
    if errors or policy is None:
        return None, fail(
            "MalformedPolicyDocumentException",
            "KMS rejects the new key policy: " + "; ".join(p.message for p in errors),
            tr,
            "R2.8",
        )
    return policy, None


def lockout_check(env: Env, ident: Identity, key: Key, policy: Policy, tr: Tracer):
    """R2.6, section 12 point 3: under the new policy (with the caller's own IAM
    policies) could the caller still call kms:PutKeyPolicy?"""
    probe = authorize_kms(
        env, ident, key, KmsCall("PutKeyPolicy", key_policy=policy), None, NULL_TRACER
    )
    if probe.authorization != "allow":
        return fail(
            "MalformedPolicyDocumentException",
            "The new key policy will not allow you to update the key policy in the "
            "future (lockout safety check, R2.6); pass bypass_policy_lockout_safety_check"
            " to force it.",
            tr,
            "R2.6",
        )
    crypto_step(
        tr,
        "Lockout safety check passes",
        "Under the new policy the caller could still call kms:PutKeyPolicy (R2.6).",
    )
    return None


def _put_key_policy(env: Env, ident: Identity, key: Key, call: KmsCall, tr: Tracer) -> CallResult:
    policy, failed = checked_policy(env, call, key, tr)
    if failed is not None:
        return failed
    assert policy is not None  # checked_policy gives a policy or a failure
    if not call.bypass:
        locked = lockout_check(env, ident, key, policy, tr)
        if locked is not None:
            return locked
    return CallResult(
        "allow",
        "Success",
        "kms:PutKeyPolicy succeeded; the scenario keeps its "
        "drawn policy, so later attempts still use it.",
        output={"key": key.arn},
    )
