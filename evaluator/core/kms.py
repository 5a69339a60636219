"""The KMS service model: one call, from key lookup to real cryptography.

Pipeline (section 10, section 12 point 12): resolve the key (R2.15), refuse
operations that never work across accounts (R2.14), authorize (key policy,
IAM, grants, guardrails), then key state (R6), key usage, and cryptography
(R9).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, replace

from . import crypto
from .conditions import ContextEntry
from .context import display_name, put_key
from .decide import ExtraAllow, PolicySet, authorize
from .grants import GRANT_OPERATIONS, check_grants, child_grant_ok
from .keytrust import (
    ALGORITHM_OPS,
    CONTEXT_OPS,
    CROSS_ACCOUNT_OPS,
    ENCRYPT_DECRYPT_OPS,
    key_policy_checks,
    resolve_key,
    state_error,
)
from .match import Request
from .policy import Policy, parse_policy
from .runtime import CallResult, Env, Identity, base_context, decided_result
from .scenario import Grant, GrantRequest, Key, NamedPolicy
from .trace import NULL_TRACER, ContextValue, Step, Tracer

MAX_PLAINTEXT = 4096  # R9.4
ASSUME_AUTHZ_FIRST = (
    "modelled assumption (R6.6, section 12 point 12): authorization is decided before the "
    "key state, so a denied caller gets AccessDeniedException whatever the state"
)
ASSUME_PENDING = (
    "modelled assumption (R6.2, section 12 point 11): a key pending deletion gives "
    "KMSInvalidStateException"
)
ASSUME_CROSS_OP = (
    "modelled assumption (section 12 point 16): an operation that never works across "
    "accounts gives AccessDeniedException"
)


@dataclass
class KmsCall:
    op: str
    key_id: str | None = None
    ciphertext: str | None = None
    encryption_context: dict[str, str] | None = None
    via_service: str | None = None
    context: dict[str, ContextEntry] = field(default_factory=dict)
    grant_tokens: tuple[str, ...] = ()
    plaintext: str | None = None
    destination: str | None = None
    grant: GrantRequest | None = None
    grant_id: str | None = None
    policy: NamedPolicy | None = None
    bypass: bool = False
    data_key: bytes | None = None  # for ciphertext produced earlier by a data key
    local_ciphertext: str | None = None


def deny(code: str, reason: str, tr: Tracer, rule: str | None, auth: str = "implicit_deny"):
    if tr.on:
        tr.add(Step(kind="error", title=code, verdict=auth, detail=reason, rule=rule))
    return CallResult(auth, code, reason, rule)


def fail(code: str, reason: str, tr: Tracer, rule: str | None) -> CallResult:
    """An authorized call that the service still refuses (state, usage, crypto)."""
    if tr.on:
        tr.add(Step(kind="error", title=code, verdict="error", detail=reason, rule=rule))
    return CallResult("allow", code, reason, rule)


def _base_context(env: Env, ident: Identity, key: Key) -> dict[str, ContextEntry]:
    """What every KMS call by this caller on this key carries; built once per run."""
    c = ident.caller
    cache_key = ("kms", c.arn, key.arn)
    found = env.cache.get(cache_key)
    if found is not None:
        return found
    ctx = base_context(env, ident, region=key.region, resource_account=key.account)
    put_key(ctx, "kms:CallerAccount", c.account, "the caller's account (R4.3)")
    put_key(ctx, "kms:KeySpec", key.spec, "the key's properties (R4.9)")
    put_key(ctx, "kms:KeyUsage", key.usage, "the key's properties (R4.9)")
    put_key(ctx, "kms:KeyOrigin", key.origin, "the key's properties (R4.9)")
    put_key(ctx, "kms:ResourceAliases", list(key.aliases), "the key's aliases (R4.8)")
    env.cache[cache_key] = ctx
    return ctx


def kms_context(env: Env, ident: Identity, key: Key, call: KmsCall, alias: str | None):
    """The request context of a KMS call, each key with where it came from (R4)."""
    ctx = dict(_base_context(env, ident, key))
    src = "the KMS request"
    if call.via_service:
        put_key(
            ctx, "kms:ViaService", call.via_service, "the service calling for the principal (R4.2)"
        )
        put_key(ctx, "aws:ViaAWSService", True, "a forward access session (R1.21)")
        service = call.via_service.split(".")[0] + ".amazonaws.com"
        put_key(ctx, "aws:CalledVia", [service], "a forward access session (R1.21)")
    if call.op in CONTEXT_OPS and call.encryption_context:
        for k, v in call.encryption_context.items():
            put_key(ctx, f"kms:EncryptionContext:{k}", v, "the request's encryption context (R4.4)")
        put_key(
            ctx,
            "kms:EncryptionContextKeys",
            list(call.encryption_context),
            "the request's encryption context (R4.5)",
        )
    if call.op in ALGORITHM_OPS and key.spec == "SYMMETRIC_DEFAULT":
        put_key(ctx, "kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT", "the algorithm used (R4.6)")
    if alias:
        put_key(ctx, "kms:RequestAlias", alias, "the alias in the request (R4.7)")
    if call.op in ("CreateGrant", "ListGrants", "RevokeGrant"):
        put_key(
            ctx,
            "kms:GrantIsForAWSResource",
            bool(call.via_service),
            "true only when an AWS service calls for the principal (R4.10)",
        )
    if call.op == "CreateGrant" and call.grant is not None:
        g = call.grant
        put_key(ctx, "kms:GranteePrincipal", g.grantee, "the CreateGrant request (R4.12)")
        put_key(ctx, "kms:RetiringPrincipal", g.retiring, "the CreateGrant request (R4.12)")
        put_key(ctx, "kms:GrantOperations", list(g.operations), "the CreateGrant request (R4.11)")
        if g.constraints is not None:
            kind = (
                "EncryptionContextEquals"
                if g.constraints.kind == "equals"
                else "EncryptionContextSubset"
            )
            put_key(ctx, "kms:GrantConstraintType", kind, "the CreateGrant request (R4.12)")
    if call.op == "PutKeyPolicy":
        put_key(ctx, "kms:BypassPolicyLockoutSafetyCheck", call.bypass, src)
    ctx.update(call.context)
    if call.via_service:
        # R1.21: network keys of the original request are not carried into FAS calls.
        for k in ("aws:sourcevpce", "aws:sourcevpc", "aws:vpcsourceip"):
            ctx.pop(k, None)
    return ctx


def policy_set(env: Env, ident: Identity, key: Key, ctx: dict, op: str) -> PolicySet:
    vpce = ctx.get("aws:sourcevpce")
    ref = vpce.values[0] if vpce is not None and vpce.values else ""
    resource = env.world.key_policy.get(key.arn)  # swapped during the lockout check
    cache_key = (
        ident.caller.arn,
        key.arn,
        op == "RetireGrant",
        ref,
        id(resource),
        id(ident.sessions),
    )
    found = env.policy_sets.get(cache_key)
    if found is None:
        found = env.policy_sets[cache_key] = _policy_set(env, ident, key, ref, op)
    return found


def _policy_set(env: Env, ident: Identity, key: Key, ref: str, op: str) -> PolicySet:
    w = env.world
    c = ident.caller
    scps, scp_note = w.scp_levels(c)
    rcps, rcp_note = w.rcp_levels(key.account, c, aws_managed=key.manager == "AWS")
    if op == "RetireGrant":
        rcps, rcp_note = None, "RCPs do not affect kms:RetireGrant (R1.10)."
    endpoint = None
    if ref:
        ep = next((e for e in w.scenario.vpc_endpoints if e.id == ref), None)
        if ep is not None and ep.service == "kms":
            endpoint = w.endpoint_policy.get(ref)
    arn = ident.entity.arn if ident.entity is not None else ""
    return PolicySet(
        identity=w.identity.get(arn, ()),
        boundary=w.boundary.get(arn),
        sessions=tuple(ident.sessions),
        resource=w.key_policy.get(key.arn),
        resource_required=True,  # R1.13, R2.2: the key policy is the gate
        scp_levels=scps,
        scp_note=scp_note,
        rcps=rcps,
        rcp_note=rcp_note,
        endpoint=endpoint,
        endpoint_ref=ref,
    )


def _context_step(ctx: dict[str, ContextEntry], tr: Tracer) -> None:
    if tr.on:
        values = tuple(
            ContextValue(display_name(k), e.values, e.source) for k, e in sorted(ctx.items())
        )
        tr.add(
            Step(
                kind="context",
                title="Request context",
                verdict="info",
                detail="The condition keys this request carries and where each comes from.",
                context=values,
                rule="R4",
            )
        )


def authorize_kms(
    env: Env,
    ident: Identity,
    key: Key,
    call: KmsCall,
    alias: str | None,
    tr: Tracer,
    *,
    action: str | None = None,
) -> CallResult:
    """Authorization alone: key policy, IAM, grants and guardrails."""
    op = action or call.op
    c = ident.caller
    # R2.14 / section 12 point 16: some operations never work across accounts.
    if c.account is not None and c.account != key.account and op not in CROSS_ACCOUNT_OPS:
        res = deny(
            "AccessDeniedException",
            f"kms:{op} cannot be used on a key in another account; permissions for it "
            "have no effect across accounts (R2.14).",
            tr,
            "R2.14",
        )
        res.warnings.append(ASSUME_CROSS_OP)
        return res
    if key.manager == "AWS":
        # R2.17: an AWS managed key serves only its own account, through its service.
        if op == "PutKeyPolicy":
            return deny(
                "AccessDeniedException",
                "The policy of an AWS managed key cannot be changed (R2.17).",
                tr,
                "R2.17",
            )
        if c.account != key.account:
            return deny(
                "AccessDeniedException",
                f"{key.arn} is an AWS managed key: only principals of {key.account} can "
                "use it, so it cannot be used across accounts (R2.17).",
                tr,
                "R2.17",
            )
    ctx = kms_context(env, ident, key, call, alias)
    _context_step(ctx, tr)
    req = Request(c, f"kms:{op}", key.arn, key.account, ctx)
    ps = policy_set(env, ident, key, ctx, op)
    if op == "RetireGrant":
        # R3.15: kms:RetireGrant in a key policy has no effect; IAM delegates it
        # within the key's account, and the grant itself names who else may retire.
        ps = replace(ps, resource=None, resource_required=False)
    extra = None
    if op not in ("RevokeGrant", "ListGrants"):  # R3.16: grants never give these
        extra = _grant_path(env, ident, key, call, op, tr)
    if op == "RetireGrant":
        retire = _retire_path(env, key, call, ident, tr)
        if retire is not None:
            extra = retire
    decided = authorize(req, ps, tr, extra=extra, identity_free=c.kind == "root")
    return decided_result(env, decided, req, ps, "AccessDeniedException", key=key)


def _grant_path(env: Env, ident: Identity, key: Key, call: KmsCall, op: str, tr: Tracer):
    grants = [*key.grants, *env.new_grants.get(key.arn, [])]
    if not grants:
        return None
    checks = check_grants(grants, ident.caller, op, call.encryption_context, call.grant_tokens)
    usable = []
    for chk in checks:
        ok = chk.usable
        if ok and op == "CreateGrant" and call.grant is not None:
            ok, why = child_grant_ok(chk.grant, call.grant.operations, call.grant.constraints)
            if tr.on:
                tr.add(
                    Step(
                        kind="grant",
                        title=f"Grant {chk.grant.id} gives CreateGrant",
                        verdict="pass" if ok else "fail",
                        detail=why,
                        rule="R3.14",
                    )
                )
        if tr.on:
            tr.add(
                Step(
                    kind="grant",
                    title=f"Grant {chk.grant.id}",
                    verdict="pass" if ok else "fail",
                    detail=chk.detail,
                    rule="R3.5",
                    nodes=(key.arn,),
                )
            )
        if ok:
            usable.append(chk)
    if not usable:
        return None
    best = sorted(usable, key=lambda g: g.kind != "session" and g.kind != "user")[0]
    return ExtraAllow(f"grant {best.grant.id}", best.kind or "user", "R3.5")


def _retire_path(env: Env, key: Key, call: KmsCall, ident: Identity, tr: Tracer):
    grants = [*key.grants, *env.new_grants.get(key.arn, [])]
    grant = next((g for g in grants if g.id == call.grant_id), None)
    if grant is None:
        return None
    c = ident.caller
    names = {c.arn, c.role_arn or ""}
    # R3.15: the retiring principal, or the grantee when the grant includes RetireGrant.
    if grant.retiring and grant.retiring in names:
        return ExtraAllow(f"the retiring principal of grant {grant.id}", "user", "R3.15")
    if grant.grantee in names and "RetireGrant" in grant.operations:
        return ExtraAllow(f"grant {grant.id} (it includes RetireGrant)", "user", "R3.15")
    return None


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
        return _merge(result, fail(err[0], err[1] + f"; kms:{op} is refused (R6.2).", tr, "R6.2"))
    if op in ENCRYPT_DECRYPT_OPS and key.usage != "ENCRYPT_DECRYPT":
        return _merge(
            result,
            fail(
                "InvalidKeyUsageException",
                f"{key.arn} has key usage {key.usage}; kms:{op} needs ENCRYPT_DECRYPT (R6.5).",
                tr,
                "R6.5",
            ),
        )
    if op.startswith("GenerateDataKey") and key.spec != "SYMMETRIC_DEFAULT":
        return _merge(
            result,
            fail(
                "InvalidKeyUsageException",
                f"Data keys need a symmetric key; {key.arn} is {key.spec}.",
                tr,
                "R6.5",
            ),
        )
    if named is not None and named.key is not None and named.key.arn != key.arn:
        return _merge(
            result,
            fail(
                "IncorrectKeyException",
                f"The ciphertext was made under {key.arn}, not under the "
                f"KeyId {call.key_id} (R9.2).",
                tr,
                "R9.2",
            ),
        )
    return _merge(result, _perform(env, ident, key, call, tr))


def _resolve(env: Env, identifier: str, account: str | None, op: str):  # noqa: ANN202
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


def _merge(auth: CallResult, done: CallResult) -> CallResult:
    auth.outcome = done.outcome
    if done.outcome != "Success":
        auth.reason = done.reason
        auth.rule = done.rule
    auth.output.update(done.output)
    return auth


def _perform(env: Env, ident: Identity, key: Key, call: KmsCall, tr: Tracer) -> CallResult:
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
    gid = f"g{len(existing) + 1:02d}-" + env.rng(6).hex()
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


def _lockout_check(env: Env, ident: Identity, key: Key, policy: Policy, tr: Tracer):  # noqa: ANN202
    """R2.6, section 12 point 3: under the new policy (with the caller's own IAM
    policies) could the caller still call kms:PutKeyPolicy?"""
    old = env.world.key_policy.get(key.arn)
    env.world.key_policy[key.arn] = policy
    try:
        probe = authorize_kms(env, ident, key, KmsCall("PutKeyPolicy"), None, NULL_TRACER)
    finally:
        if old is None:
            del env.world.key_policy[key.arn]
        else:
            env.world.key_policy[key.arn] = old
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


def create_key(env: Env, ident: Identity, call: KmsCall, tr: Tracer) -> CallResult:
    """kms:CreateKey: an IAM-only permission (R2.21); a given policy is checked
    like PutKeyPolicy, lockout check included (R2.6, R2.7)."""
    w = env.world
    c = ident.caller
    ctx = base_context(env, ident, region=w.scenario.region, resource_account=c.account)
    put_key(ctx, "kms:BypassPolicyLockoutSafetyCheck", call.bypass, "the CreateKey request")
    put_key(ctx, "kms:KeySpec", "SYMMETRIC_DEFAULT", "the CreateKey request's default (R4.1)")
    put_key(ctx, "kms:KeyUsage", "ENCRYPT_DECRYPT", "the CreateKey request's default (R4.1)")
    put_key(ctx, "kms:KeyOrigin", "AWS_KMS", "the CreateKey request's default (R4.1)")
    ctx.update(call.context)
    _context_step(ctx, tr)
    scps, scp_note = w.scp_levels(c)
    arn = ident.entity.arn if ident.entity is not None else ""
    ps = PolicySet(
        identity=w.identity.get(arn, ()),
        boundary=w.boundary.get(arn),
        sessions=tuple(ident.sessions),
        scp_levels=scps,
        scp_note=scp_note,
    )
    req = Request(c, "kms:CreateKey", "*", c.account, ctx)
    decided = authorize(req, ps, tr, identity_free=c.kind == "root")
    result = decided_result(env, decided, req, ps, "AccessDeniedException")
    if decided.authorization != "allow":
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
        return _merge(result, failed)  # type: ignore[arg-type]
    if not call.bypass:
        locked = _lockout_check(env, ident, key, policy, tr)
        if locked is not None:
            return _merge(result, locked)
    return result
