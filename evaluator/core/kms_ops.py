"""What a KMS call does once it is authorized: cryptography, grants, key policies.

kms.py runs `perform` after authorization and the key state checks. CreateKey
is here too: it has no key to resolve, so it authorizes itself (R2.21).
"""

from __future__ import annotations

import base64
import json

from . import crypto
from .context import put_key
from .decide import authorize
from .grants import GRANT_OPERATIONS
from .keytrust import key_policy_checks
from .kms_auth import KmsCall, authorize_kms, context_step, fail, request_tags
from .match import Request
from .model import Grant, Key
from .policy import Policy, parse_policy
from .runtime import CallResult, Env, Identity, base_context, decided_result, gather_policies
from .trace import NULL_TRACER, Step, Tracer

MAX_PLAINTEXT = 4096  # R9.4


def merge(auth: CallResult, done: CallResult) -> CallResult:
    """The authorization's result, carrying the operation's outcome and output."""
    auth.outcome = done.outcome
    if done.outcome != "Success":
        auth.reason = done.reason
        auth.rule = done.rule
    auth.output.update(done.output)
    return auth


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
        _crypto_step(
            tr,
            "Encrypt with AES-256-GCM",
            "The plaintext is encrypted under the key's material; the encryption "
            "context is bound as associated data and the blob names the key (R9.3).",
        )
    elif op.startswith("GenerateDataKey"):
        data_key = env.rng(32)
        blob = crypto.encrypt(env.material.get(key.arn), key.arn, data_key, ec, env.rng)
        ok.output = {"ciphertext": blob, "key": key.arn}
        _crypto_step(
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
                _crypto_step(
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
        _crypto_step(
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
                _crypto_step(
                    tr,
                    "Envelope: decrypt locally with the data key",
                    "The decrypted data key opens the locally encrypted text.",
                )
        else:
            ok.output["plaintext"] = plain.decode(errors="replace")
        ok.output["_plain_bytes"] = plain
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


def _crypto_step(tr: Tracer, title: str, detail: str) -> None:
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
    _crypto_step(
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


def _checked_policy(
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


def _lockout_check(env: Env, ident: Identity, key: Key, policy: Policy, tr: Tracer):
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
    _crypto_step(
        tr,
        "Lockout safety check passes",
        "Under the new policy the caller could still call kms:PutKeyPolicy (R2.6).",
    )
    return None


def _put_key_policy(env: Env, ident: Identity, key: Key, call: KmsCall, tr: Tracer) -> CallResult:
    policy, failed = _checked_policy(env, call, key, tr)
    if failed is not None or policy is None:
        return failed  # type: ignore[return-value]
    if not call.bypass:
        locked = _lockout_check(env, ident, key, policy, tr)
        if locked is not None:
            return locked
    return CallResult(
        "allow",
        "Success",
        "kms:PutKeyPolicy succeeded; the scenario keeps its "
        "drawn policy, so later attempts still use it.",
        output={"key": key.arn},
    )


def iam_only_call(env: Env, ident: Identity, call: KmsCall, tr: Tracer) -> CallResult:
    """Operations with no key resource (kms:CreateKey, kms:ListKeys, ...): only IAM
    policies can allow them, on Resource "*" (R2.21). For CreateKey a given policy
    is then checked like PutKeyPolicy, lockout check included (R2.6, R2.7)."""
    w = env.world
    c = ident.caller
    ctx = base_context(env, ident, region=w.scenario.region, resource_account=c.account)
    if call.op == "CreateKey":
        src = "the CreateKey request's default (R4.1)"
        put_key(ctx, "kms:BypassPolicyLockoutSafetyCheck", call.bypass, "the CreateKey request")
        put_key(ctx, "kms:KeySpec", "SYMMETRIC_DEFAULT", src)
        put_key(ctx, "kms:KeyUsage", "ENCRYPT_DECRYPT", src)
        put_key(ctx, "kms:KeyOrigin", "AWS_KMS", src)
        put_key(ctx, "kms:MultiRegion", False, src)
        request_tags(ctx, "CreateKey", call.tags, ())
    ctx.update(call.context)
    context_step(ctx, tr)
    ps = gather_policies(env, ident)  # IAM only: no resource policy, no RCP (R2.21)
    req = Request(c, f"kms:{call.op}", "*", c.account, ctx, env.memo)
    decided = authorize(req, ps, tr, identity_free=c.kind == "root")
    result = decided_result(env, decided, req, ps, "AccessDeniedException")
    if decided.authorization != "allow" or call.op != "CreateKey":
        return result
    key = Key(id="new-key", account=c.account or "", region=w.scenario.region)
    if call.policy is None:
        _crypto_step(
            tr,
            "Default key policy",
            "Without a policy KMS attaches the default: the account principal may "
            "use kms:* and IAM policies take effect (R2.4).",
        )
        return result
    policy, failed = _checked_policy(env, call, key, tr)
    if failed is not None or policy is None:
        return merge(result, failed)  # type: ignore[arg-type]
    if not call.bypass:
        locked = _lockout_check(env, ident, key, policy, tr)
        if locked is not None:
            return merge(result, locked)
    return result
