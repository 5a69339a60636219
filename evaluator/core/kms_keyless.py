"""KMS calls with no key resource (CreateKey, ListKeys, GenerateRandom, ...):
only IAM policies can allow them, on Resource "*" (R2.21); a CreateKey policy
is then checked like a PutKeyPolicy one, lockout check included (R2.6, R2.7)."""

from __future__ import annotations

from .authorization import base_context, decided_result, gather_policies
from .context import put_key
from .decide import authorize
from .kms_auth import KmsCall, context_step
from .kms_ops import checked_policy, crypto_step, lockout_check
from .match import Request
from .model import Key
from .runtime import CallResult, Env, Identity, merge
from .trace import Tracer


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
        crypto_step(
            tr,
            "Default key policy",
            "Without a policy KMS attaches the default: the account principal may "
            "use kms:* and IAM policies take effect (R2.4).",
        )
        return result
    policy, failed = checked_policy(env, call, key, tr)
    if failed is not None:
        return merge(result, failed)
    assert policy is not None  # checked_policy gives a policy or a failure
    if not call.bypass:
        locked = lockout_check(env, ident, key, policy, tr)
        if locked is not None:
            return merge(result, locked)
    return result
