"""STS AssumeRole: trust policy, the caller's own permission, ExternalId,
session policies and role chaining (R7)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .authorization import base_context, decided_result, gather_policies
from .condition_values import ContextEntry
from .context import put_key
from .decide import Outcome, PolicySet, authorize
from .match import Caller, Request
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
    tags: Mapping[str, str] | None = None,
    transitive_tag_keys: tuple[str, ...] = (),
    source_identity: str | None = None,
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
    _session_request_keys(ctx, tags, transitive_tag_keys, source_identity)
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
    if decided.authorization == "allow":
        decided, req = _session_permissions(
            req, ps, decided, child, c, tags, source_identity, ident
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
        # Transitive tags of the calling session pass on; new session tags join them
        # (IAM user guide, chaining roles with session tags).
        inherited = {k: v for k, v in ident.session_tags.items() if k in ident.transitive}
        new = Identity(
            caller,
            role,
            sessions,
            session_tags={**inherited, **(tags or {})},
            transitive=tuple(dict.fromkeys([*ident.transitive, *transitive_tag_keys])),
            source_identity=ident.source_identity or source_identity,
        )
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


def _session_request_keys(
    ctx: dict[str, ContextEntry],
    tags: Mapping[str, str] | None,
    transitive: tuple[str, ...],
    source_identity: str | None,
) -> None:
    """The AssumeRole request's session-tag and source-identity keys."""
    src = "the AssumeRole request's session tags"
    for key, value in (tags or {}).items():
        put_key(ctx, f"aws:RequestTag/{key}", value, src)
    if tags:
        put_key(ctx, "aws:TagKeys", list(tags), src)
    if transitive:
        put_key(ctx, "sts:TransitiveTagKeys", list(transitive), src)
    put_key(ctx, "sts:SourceIdentity", source_identity, "the AssumeRole request's SourceIdentity")


def _session_permissions(
    req: Request,
    ps: PolicySet,
    decided: Outcome,
    tr: Tracer,
    caller: Caller,
    tags: Mapping[str, str] | None,
    source_identity: str | None,
    ident: Identity,
) -> tuple[Outcome, Request]:
    """Passing session tags needs sts:TagSession, setting a source identity
    sts:SetSourceIdentity, each allowed like sts:AssumeRole itself (trust policy,
    and the caller's own policies across accounts); a source identity, once set,
    cannot change (IAM user guide: session tags; monitoring role actions)."""
    if source_identity is not None and ident.source_identity not in (None, source_identity):
        return replace(
            decided,
            authorization="implicit_deny",
            rule="R7.8",
            reason=f"Implicit deny: the session already has source identity "
            f"{ident.source_identity}, which cannot change during role chaining.",
        ), req
    needed = []
    if tags:
        needed.append("sts:TagSession")
    if source_identity is not None:
        needed.append("sts:SetSourceIdentity")
    for action in needed:
        sub = Request(caller, action, req.resource, req.resource_account, req.context, req.memo)
        out = authorize(sub, ps, tr, identity_free=caller.kind == "root")
        own = [r for r in out.results if r.policy in ps.identity]
        # Chained or cross-account: the caller's own policies must allow it too.
        needs_own = caller.kind == "role_session" or caller.account != req.resource_account
        if (
            out.authorization == "allow"
            and action == "sts:SetSourceIdentity"
            and needs_own
            and caller.kind != "root"
            and not any(r.allowed for r in own)
        ):
            out = replace(
                out,
                authorization="implicit_deny",
                reason="Implicit deny: setting a source identity from a role session "
                "or across accounts needs sts:SetSourceIdentity in the caller's own "
                "policies as well as in the trust policy.",
            )
        if out.authorization != "allow":
            what = "session tags" if action == "sts:TagSession" else "a source identity"
            return replace(
                out,
                reason=out.reason.replace("Implicit deny:", f"Implicit deny ({action}):", 1)
                + f" AssumeRole with {what} needs {action} as well.",
            ), sub
    return decided, req


def _mentions_external_id(policy: Policy | None) -> bool:
    if policy is None:
        return False
    return any(c.key_lc == "sts:externalid" for s in policy.statements for c in s.conditions)
