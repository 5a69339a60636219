"""Authorization of a KMS call: its request context, its policies, grants.

`authorize_kms` decides whether the caller may make the call: operations that
never work across accounts (R2.14), AWS managed keys (R2.17), then the key
policy, IAM, grants and guardrails over the request context (R4). kms.py runs
it before the key state and the operation itself; kms_ops.py runs it again for
the key policy lockout check (R2.6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .authorization import base_context, charge_for, decided_result, gather_policies
from .condition_values import ContextEntry
from .context import put_key
from .decide import ExtraAllow, PolicySet, authorize
from .grants import check_grants, child_grant_ok
from .keytrust import ALGORITHM_OPS, CONTEXT_OPS, CROSS_ACCOUNT_OPS
from .match import Request
from .model import Grant, GrantRequest, Key, NamedPolicy
from .policy import Policy
from .runtime import CallResult, Env, Identity, deny
from .trace import ContextValue, Step, Tracer

ASSUME_CROSS_OP = (
    "modelled assumption (section 12 point 16): an operation that never works across "
    "accounts gives AccessDeniedException"
)


@dataclass
class KmsCall:
    op: str
    key_id: str | None = None
    ciphertext: str | None = None
    encryption_context: Mapping[str, str] | None = None
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
    attempt_id: str | None = None  # a grant created by the attempt takes this id
    # Judge the call under this key policy instead of the key's own: the lockout
    # check asks what a new policy would allow, without touching the shared World.
    key_policy: Policy | None = None
    same_key: bool | None = None  # ReEncrypt: the destination is the source key (R4.13)
    tags: Mapping[str, str] | None = None  # TagResource / CreateKey
    tag_keys: tuple[str, ...] = ()  # UntagResource


def _base_context(env: Env, ident: Identity, key: Key) -> dict[str, ContextEntry]:
    """What every KMS call by this caller on this key carries; built once per run."""
    c = ident.caller
    cache_key = ("kms", c.arn, key.arn, *ident.context_key)
    found = env.cache.get(cache_key)
    if found is not None:
        return found
    ctx = base_context(env, ident, region=key.region, resource_account=key.account)
    put_key(ctx, "kms:CallerAccount", c.account, "the caller's account (R4.3)")
    for name, value in key_properties(env, key):
        put_key(ctx, name, value, "the key's properties (R4.9, R4.13)")
    put_key(ctx, "kms:ResourceAliases", list(key.aliases), "the key's aliases (R4.8)")
    for tag, value in key.tags.items():
        put_key(ctx, f"aws:ResourceTag/{tag}", value, "the key's tags (R4.14; IAM policies only)")
    env.cache[cache_key] = ctx
    return ctx


def key_properties(env: Env, key: Key) -> list[tuple[str, object]]:
    """The condition keys KMS fills from the key itself on every key resource
    operation (R4.9, R4.13). kms:MultiRegionKeyType exists only for multi-Region
    keys: the first key drawn with an mrk- id is the primary, later ones replicas."""
    props: list[tuple[str, object]] = [
        ("kms:KeySpec", key.spec),
        ("kms:CustomerMasterKeySpec", key.spec),  # deprecated name, same value (R4.9)
        ("kms:KeyUsage", key.usage),
        ("kms:CustomerMasterKeyUsage", key.usage),
        ("kms:KeyOrigin", key.origin),
        ("kms:MultiRegion", key.is_multi_region),
    ]
    if key.is_multi_region:
        first = next(
            (k for k in env.world.scenario.keys if k.id == key.id and k.account == key.account),
            key,
        )
        props.append(("kms:MultiRegionKeyType", "PRIMARY" if first is key else "REPLICA"))
    return props


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
    if call.same_key is not None and call.op in ("ReEncryptFrom", "ReEncryptTo"):
        put_key(
            ctx,
            "kms:ReEncryptOnSameKey",
            call.same_key,
            "the ReEncrypt request: is the destination key the source key? (R4.13)",
        )
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
    request_tags(ctx, call.op, call.tags, call.tag_keys)
    ctx.update(call.context)
    if call.via_service:
        # R1.21: network keys of the original request are not carried into FAS calls.
        for k in ("aws:sourcevpce", "aws:sourcevpc", "aws:vpcsourceip"):
            ctx.pop(k, None)
    return ctx


def request_tags(
    ctx: dict[str, ContextEntry],
    op: str,
    tags: Mapping[str, str] | None,
    tag_keys: tuple[str, ...],
) -> None:
    """aws:RequestTag/KEY and aws:TagKeys of a tagging call (R4.14)."""
    src = f"the {op} request's tags (R4.14)"
    if op in ("TagResource", "CreateKey") and tags is not None:
        for tag, value in tags.items():
            put_key(ctx, f"aws:RequestTag/{tag}", value, src)
        put_key(ctx, "aws:TagKeys", list(tags), src)
    elif op == "UntagResource":
        put_key(ctx, "aws:TagKeys", list(tag_keys), src)


def policy_set(
    env: Env, ident: Identity, key: Key, ctx: dict, op: str, key_policy: Policy | None = None
) -> PolicySet:
    vpce = ctx.get("aws:sourcevpce")
    ref = vpce.values[0] if vpce is not None and vpce.values else ""
    resource = key_policy if key_policy is not None else env.world.key_policy.get(key.arn)
    # The cache holds the policy it keys by id, so the id cannot be reused in this run.
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
        found = env.policy_sets[cache_key] = _policy_set(env, ident, key, ref, op, resource)
    else:
        charge_for(env, found)  # the set is reused, its statements are weighed again
    return found


def _policy_set(
    env: Env, ident: Identity, key: Key, ref: str, op: str, resource: Policy | None
) -> PolicySet:
    return gather_policies(
        env,
        ident,
        resource=resource,
        resource_required=True,  # R1.13, R2.2: the key policy is the gate
        resource_account=key.account,
        aws_managed=key.manager == "AWS",
        rcp_exempt="RCPs do not affect kms:RetireGrant (R1.10)." if op == "RetireGrant" else "",
        endpoint_ref=ref,
        endpoint_service="kms",
        resource_hides=("aws:resourcetag/",) if key.tags else (),
    )


def context_step(ctx: dict[str, ContextEntry], tr: Tracer) -> None:
    if tr.on:
        values = tuple(
            ContextValue(e.name or k, e.values, e.source) for k, e in sorted(ctx.items())
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
    context_step(ctx, tr)
    req = Request(c, f"kms:{op}", key.arn, key.account, ctx, env.memo)
    ps = policy_set(env, ident, key, ctx, op, call.key_policy)
    if op == "RetireGrant":
        # R3.15: kms:RetireGrant in a key policy has no effect; IAM delegates it
        # within the key's account, and the grant itself names who else may retire.
        ps = replace(ps, resource=None, resource_required=False)
    extra = None
    if op == "RetireGrant":
        # R3.15: the grant being retired says who may retire it; another grant's
        # RetireGrant operation covers only that other grant.
        extra = _retire_path(env, key, call, ident, tr)
    elif op not in ("RevokeGrant", "ListGrants"):  # R3.16: grants never give these
        extra = _grant_path(env, ident, key, call, op, tr)
    decided = authorize(req, ps, tr, extra=extra, identity_free=c.kind == "root")
    result = decided_result(env, decided, req, ps, "AccessDeniedException", key=key)
    if ps.resource_hides and ps.resource is not None and _reads_resource_tags(ps.resource):
        result.warnings.append(
            "aws:ResourceTag works for KMS keys in IAM policies only: the key policy's "
            "conditions on it see no tag (R4.14)"
        )
    if decided.authorization == "implicit_deny" and env.explain:
        waiting = _waiting_grant(env, ident, key, call, op)
        if waiting is not None:  # the one change that would work at once
            result.fixes.insert(
                0,
                f"Grant {waiting.id} would allow this but is not in effect yet: pass its grant "
                f"token {waiting.token} in grant_tokens, or wait for it to propagate (R3.10).",
            )
    return result


def _reads_resource_tags(policy: Policy) -> bool:
    return any(
        c.key_lc.startswith("aws:resourcetag/") for st in policy.statements for c in st.conditions
    )


def _waiting_grant(env: Env, ident: Identity, key: Key, call: KmsCall, op: str) -> Grant | None:
    """A grant that names the caller and fits, but has not propagated (R3.10)."""
    grants = [*key.grants, *env.new_grants.get(key.arn, [])]
    for chk in check_grants(grants, ident.caller, op, call.encryption_context, ()):
        if chk.kind is not None and chk.operation_ok and chk.constraint_ok and not chk.in_effect:
            return chk.grant
    return None


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
    g = best.grant
    return ExtraAllow(
        f"grant {g.id}", best.kind or "user", "R3.5", g.id, g.name or g.id, key.arn, g.pointer
    )


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
    # R3.15: a retiring principal that is an account (often another one than the
    # key's) lets that account's IAM policies delegate kms:RetireGrant; the key
    # policy has no say (the KMS guide, retiring and revoking grants).
    account = {c.account_root, c.account} if c.account else set()
    if grant.retiring and grant.retiring in account:
        return ExtraAllow(
            f"the retiring account of grant {grant.id}, through its IAM policies",
            "account",
            "R3.15",
        )
    if grant.grantee in account and "RetireGrant" in grant.operations:
        return ExtraAllow(
            f"grant {grant.id} to account {c.account} (it includes RetireGrant), through "
            "that account's IAM policies",
            "account",
            "R3.15",
        )
    return None
