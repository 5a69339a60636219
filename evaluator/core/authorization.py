"""The authorization step every service call shares: a request's global
context keys, every policy that takes part (the caller's side and the
resource's, with whether SCPs and RCPs apply at all), and the call's result
once `decide.authorize` has decided (warnings, and fixes for a denial)."""

from __future__ import annotations

from typing import Any

from .condition_values import ContextEntry
from .context import caller_keys, put_key, request_keys
from .decide import Level, Outcome, PolicySet
from .fixes import fixes_for
from .match import Caller, Request, principal_match, resource_applies, statements_for
from .memo import Memo
from .policy import Policy, Statement
from .runtime import CallResult, Env, Identity
from .world import World


def base_context(
    env: Env, ident: Identity, *, region: str, resource_account: str | None
) -> dict[str, ContextEntry]:
    """The global keys of a request: its own, then the caller's (built once per caller)."""
    w = env.world
    c = ident.caller
    common = env.cache.get(("request", region, resource_account or ""))
    if common is None:  # the same for every caller: built once per run
        common = request_keys(
            now=env.now,
            region=region,
            resource_account=resource_account,
            resource_org=w.org_id_of(resource_account),
        )
        env.cache[("request", region, resource_account or "")] = common
    ctx = dict(common)
    cache_key = ("caller", c.arn, *ident.context_key)  # session tags change the keys
    who = env.cache.get(cache_key)
    if who is None:
        org_path = w.org_path.get(c.account or "")
        who = caller_keys(
            c, tags=ident.principal_tags(), org_id=w.org_id_of(c.account), org_path=org_path
        )
        if ident.source_identity is not None:
            put_key(
                who, "aws:SourceIdentity", ident.source_identity, "the session's source identity"
            )
        env.cache[cache_key] = who
    ctx.update(who)
    return ctx


def gather_policies(
    env: Env,
    ident: Identity,
    *,
    resource: Policy | None = None,
    resource_required: bool = False,
    resource_account: str | None = None,
    aws_managed: bool = False,
    rcp_exempt: str = "",
    endpoint_ref: str = "",
    endpoint_service: str = "",
    resource_hides: tuple[str, ...] = (),
) -> PolicySet:
    """Every policy on one request: the caller's side (identity policies, boundary,
    session policies, SCPs) and the resource's (its policy, RCPs, endpoint)."""
    w = env.world
    c = ident.caller
    scps, scp_note = scp_levels(w, c)
    if rcp_exempt:
        rcps, rcp_note = None, rcp_exempt
    elif resource_account is None:
        rcps, rcp_note = None, ""
    else:
        rcps, rcp_note = rcp_levels(w, resource_account, c, aws_managed=aws_managed)
    arn = ident.entity.arn if ident.entity is not None else ""
    ps = PolicySet(
        identity=w.identity.get(arn, ()),
        boundary=w.boundary.get(arn),
        sessions=tuple(ident.sessions),
        resource=resource,
        resource_required=resource_required,
        scp_levels=scps,
        scp_note=scp_note,
        rcps=rcps,
        rcp_note=rcp_note,
        endpoint=w.endpoint_for(endpoint_ref, endpoint_service),
        endpoint_ref=endpoint_ref,
        resource_hides=resource_hides,
    )
    charge_for(env, ps)
    return ps


def charge_for(env: Env, ps: PolicySet) -> None:
    """Charge the budget for one authorization: one step, plus one per statement weighed."""
    weighed = (*ps.identity, ps.boundary, *ps.sessions, ps.resource, ps.endpoint)
    env.budget.charge(1 + sum(len(p.statements) for p in weighed if p is not None))


def decided_result(
    env: Env, decided: Outcome, req: Request, ps: PolicySet, denied: str, **fix_args: Any
) -> CallResult:
    """A call's result from its authorization: warnings always, fixes for a denial
    (unless the run is a batch that reports no explanations)."""
    allowed = decided.authorization == "allow"
    result = CallResult(
        decided.authorization,
        "Success" if allowed else denied,
        decided.reason,
        decided.rule,
        request=req,
        policies=ps,
        decided=decided,
    )
    result.warnings.extend(missing_key_warnings(req, ps))
    result.warnings.extend(decided.assumptions)
    if not allowed and env.explain:
        result.fixes = fixes_for(req, ps, decided, **fix_args)
    return result


def missing_key_warnings(req: Request, ps: PolicySet) -> list[str]:
    """Condition keys that applicable statements read but the request lacks."""
    out: list[str] = []
    ctx = req.context
    for policy in (*ps.identity, *ps.sessions, ps.resource, ps.boundary, ps.endpoint):
        if policy is None:
            continue
        for stmt, key_lc, msg in _watched_for(req, policy):
            if key_lc in ctx or msg in out:
                continue
            if not resource_applies(stmt, req, policy.variables):
                continue  # nor about this resource (e.g. a key statement on an alias call)
            out.append(msg)
    return out


def _watched_for(req: Request, policy: Policy) -> tuple[tuple[Statement, str, str], ...]:
    """The watched keys of statements about this caller, once per run, caller,
    policy and action (which statements name a caller is fixed)."""
    memo = req.memo
    asked = (id(policy), req.action, req.caller.arn)
    found = memo.warnable.get(asked)
    if found is None:
        caller = req.caller
        found = memo.warnable[asked] = tuple(
            w
            for w in _watched_keys(memo, policy, req.action)
            if w[0].principal is None or principal_match(w[0].principal, caller) is not None
        )
    return found


def _watched_keys(
    memo: Memo, policy: Policy, action: str
) -> tuple[tuple[Statement, str, str], ...]:
    """Keys whose absence is worth a warning, per policy and action (once per run)."""
    key = (id(policy), action)
    found = memo.warnings.get(key)
    if found is not None:
        return found
    keys: list[tuple[Statement, str, str]] = []
    for stmt in statements_for(memo, policy, action):
        for clause in stmt.conditions:
            if clause.if_exists or clause.base == "Null":
                continue
            if clause.key_lc.startswith("kms:encryptioncontext:"):
                continue  # absent context pairs are normal, not an omission
            msg = (
                f"condition key {clause.key} is not in the request; {stmt.label} of the "
                f"{policy.label} ({policy.owner}) treats it as absent"
            )
            keys.append((stmt, clause.key_lc, msg))
    memo.hold(policy)
    memo.warnings[key] = found = tuple(keys)
    return found


# ----------------------------------------------------------------------------- guardrails


def scp_levels(w: World, caller: Caller) -> tuple[tuple[Level, ...] | None, str]:
    """The caller's SCP chain, or why SCPs do not apply (R1.6, R1.7)."""
    if w.org is None:
        return None, ""
    if caller.kind == "service":
        return None, "A service principal is not in a member account; SCPs do not apply."
    if not w.in_org(caller.account):
        return None, f"Account {caller.account} is outside the organization (R1.7)."
    if w.is_management(caller.account):
        return None, f"Account {caller.account} is the management account (R1.7)."
    if caller.service_linked:
        return None, "Service-linked roles are not restricted by SCPs (R1.7)."
    return w.scp_chain.get(caller.account or ""), ""


def rcp_levels(
    w: World, resource_account: str | None, caller: Caller, *, aws_managed: bool = False
) -> tuple[tuple[Level, ...] | None, str]:
    """The resource owner's RCP chain, or why RCPs do not apply (R1.9, R1.10)."""
    if w.org is None or not w.org.rcps:
        return None, ""
    if not w.in_org(resource_account):
        return None, ""
    if w.is_management(resource_account):
        return None, "Resources in the management account are exempt from RCPs (R1.10)."
    if caller.service_linked:
        return None, "Calls by service-linked roles are exempt from RCPs (R1.10)."
    if aws_managed:
        return None, "AWS managed keys are exempt from RCPs (R1.10, R2.17)."
    return w.rcp_chain.get(resource_account or ""), ""
