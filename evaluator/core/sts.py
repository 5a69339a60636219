"""STS AssumeRole: trust policy, the caller's own permission, ExternalId,
session policies and role chaining (R7)."""

from __future__ import annotations

from dataclasses import replace

from .authorization import base_context, decided_result, gather_policies
from .condition_values import ContextEntry
from .context import put_key
from .decide import authorize
from .match import Request
from .model import NamedPolicy
from .policy import Policy, parse_policy
from .problems import Problem
from .runtime import CallResult, Env, Identity
from .trace import Step, Tracer
from .world import DEFAULT_SESSION


def assume_role(
    env: Env,
    ident: Identity,
    role_arn: str,
    *,
    external_id: str | None,
    session_name: str | None,
    session_policy: NamedPolicy | None,
    extra: dict[str, ContextEntry],
    tr: Tracer,
) -> tuple[CallResult, Identity | None, list[Problem]]:
    """The AssumeRole call, the session it starts (None when refused), and the problems
    of the session policy, which is compiled only now (the shared World stays as built)."""
    w = env.world
    c = ident.caller
    role = w.scenario.role_by_arn(role_arn)
    if role is None:
        reason = f"No role {role_arn} exists in the scenario."
        return CallResult("implicit_deny", "AccessDenied", reason, "R7.1"), None, []
    name = session_name or DEFAULT_SESSION
    ctx = base_context(env, ident, region=w.scenario.region, resource_account=role.account)
    put_key(ctx, "sts:ExternalId", external_id, "the AssumeRole request's ExternalId (R7.5)")
    put_key(ctx, "sts:RoleSessionName", name, "the AssumeRole request")
    ctx.update(extra)
    ps = gather_policies(
        env,
        ident,
        resource=w.trust.get(role.arn),
        resource_required=True,  # R1.13: a trust policy must itself allow (R7.1)
        resource_account=role.account,  # R7.10: STS supports RCPs
    )
    req = Request(c, "sts:AssumeRole", role.arn, role.account, ctx, env.memo)
    child = tr.child()
    decided = authorize(req, ps, child, identity_free=c.kind == "root")
    if decided.authorization == "allow" and c.kind == "user" and ps.boundary is not None:
        # Section 12 point 13 (R7.4): naming the user in the trust policy does not
        # lift the user's own permissions boundary.
        bres = next((r for r in decided.results if r.policy is ps.boundary), None)
        if bres is not None and not bres.allowed:
            decided = replace(
                decided,
                authorization="implicit_deny",
                rule="R7.4",
                reason="Implicit deny: the trust policy names the user, but the user's "
                "permissions boundary does not allow sts:AssumeRole (modelled assumption, R7.4).",
            )
    result = decided_result(env, decided, req, ps, "AccessDenied")
    auth, reason, rule = decided.authorization, decided.reason, decided.rule
    if auth != "allow" and external_id is None and _mentions_external_id(ps.resource):
        result.fixes.insert(0, "Pass the ExternalId the trust policy requires (R7.5).")
    new: Identity | None = None
    probs: list[Problem] = []
    if auth == "allow":
        sessions: tuple[Policy, ...] = ()
        if session_policy is not None:
            compiled, probs = parse_policy(
                session_policy.document,
                kind="session",
                pointer=session_policy.pointer,
                name="session policy",
                owner=f"session {name}",
            )
            if compiled is not None:
                sessions = (compiled,)
        caller = w.session_of(role, name, chained=c.kind == "role_session")
        new = Identity(caller, role, sessions)
        result.output = {"session": caller.arn}
    if tr.on:
        detail = reason if auth != "allow" else f"Session {new.caller.arn if new else ''} begins."
        if new is not None and c.kind == "role_session":
            detail += " Role chaining caps the session at one hour (R7.8)."
        tr.add(
            Step(
                kind="assume",
                title=f"{c.arn} assumes {role.arn}",
                verdict=auth,
                detail=detail,
                rule=rule or "R7.1",
                children=tuple(child.steps),
                nodes=(c.ref, role.arn),
            )
        )
    return result, new, probs


def _mentions_external_id(policy: Policy | None) -> bool:
    if policy is None:
        return False
    return any(c.key_lc == "sts:externalid" for s in policy.statements for c in s.conditions)
