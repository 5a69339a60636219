"""What one evaluation run carries: the compiled world, time, randomness,
key material, and what earlier attempts produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .budget import Budget
from .condition_values import ContextEntry
from .context import caller_keys, request_keys
from .crypto import KeyMaterial, Random
from .decide import Outcome, PolicySet
from .fixes import fixes_for
from .match import Caller, Request, principal_match, statements_for
from .memo import Memo
from .model import Grant, Principal
from .policy import Policy, Statement
from .problems import Problem
from .trace import Authorization, Step
from .world import World


@dataclass
class Env:
    world: World
    now: datetime
    material: KeyMaterial
    rng: Random
    trace: bool
    explain: bool = True  # build fixes for denials (a batch without traces skips them)
    produced: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Grants created by CreateGrant attempts earlier in the run, per key ARN.
    new_grants: dict[str, list[Grant]] = field(default_factory=dict)
    # Context built once per (caller, resource) for the whole run.
    cache: dict[tuple[str, ...], dict[str, ContextEntry]] = field(default_factory=dict)
    policy_sets: dict[tuple[object, ...], PolicySet] = field(default_factory=dict)
    resolved: dict[tuple[object, ...], Any] = field(default_factory=dict)
    # Answers about compiled policies this run works out once (never stored on them).
    memo: Memo = field(default_factory=Memo)
    # Problems found while running (session policies), reported with this run's results.
    problems: list[Problem] = field(default_factory=list)
    # The request's budget: charged per attempt, AssumeRole hop and authorization.
    budget: Budget = field(default_factory=Budget)


@dataclass(frozen=True, slots=True)
class Identity:
    """A caller and the policies that go with it."""

    caller: Caller
    entity: Principal | None
    sessions: tuple = ()  # session policies (compiled) of the current session

    @property
    def account(self) -> str | None:
        return self.caller.account


@dataclass
class CallResult:
    """One service call's answer (a KMS call, an S3 request, an AssumeRole)."""

    authorization: Authorization
    outcome: str
    reason: str
    rule: str | None = None
    fixes: list[str] = field(default_factory=list)
    output: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    # What the authorization rested on, for building fixes.
    request: Request | None = None
    policies: PolicySet | None = None
    decided: Outcome | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "Success"


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
    who = env.cache.get(("caller", c.arn))
    if who is None:
        tags = ident.entity.tags if ident.entity is not None else None
        org_path = w.org_path.get(c.account or "")
        who = caller_keys(c, tags=tags, org_id=w.org_id_of(c.account), org_path=org_path)
        env.cache[("caller", c.arn)] = who
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
) -> PolicySet:
    """Every policy on one request: the caller's side (identity policies, boundary,
    session policies, SCPs) and the resource's (its policy, RCPs, endpoint)."""
    w = env.world
    c = ident.caller
    scps, scp_note = w.scp_levels(c)
    if rcp_exempt:
        rcps, rcp_note = None, rcp_exempt
    elif resource_account is None:
        rcps, rcp_note = None, ""
    else:
        rcps, rcp_note = w.rcp_levels(resource_account, c, aws_managed=aws_managed)
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
        for stmt, key_lc, msg in _watched_keys(req.memo, policy, req.action):
            if key_lc in ctx or msg in out:
                continue
            if stmt.principal is not None and principal_match(stmt.principal, req.caller) is None:
                continue  # the statement is not about this caller
            out.append(msg)
    return out


def _watched_keys(
    memo: Memo, policy: Policy, action: str
) -> tuple[tuple[Statement, str, str], ...]:
    """Keys whose absence is worth a warning, per policy and action (once per run)."""
    per = memo.of(memo.warnings, policy)
    found = per.get(action)
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
    per[action] = found = tuple(keys)
    return found
