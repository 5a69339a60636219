"""Combine what each policy says into one decision, rule by rule.

The arms follow AWS's evaluation logic in the order of R1.3; each cites the
rule it applies. Statement matching lives in `match.py`; KMS's key-trust
rule (R2.2: the key policy decides whether IAM policies count) in `keytrust.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import keytrust
from .match import PolicyResult, PrincipalKind, Request, evaluate_policy
from .policy import Policy
from .trace import Authorization, PolicyRef, Step, Tracer

# Principal forms in a resource policy that grant by themselves, without an
# identity-policy allow (R1.13, R1.14, R2.12). "account" only delegates (R1.19).
DIRECT_KINDS = frozenset({"user", "session", "any", "root", "service", "role"})


@dataclass(frozen=True, slots=True)
class Level:
    """One level of an SCP chain (root, unit or account) and its policies."""

    label: str
    target: str
    policies: tuple[Policy, ...]


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy that takes part in one request."""

    identity: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    sessions: tuple[Policy, ...] = ()
    resource: Policy | None = None
    # Key policies and trust policies must themselves allow (R1.13).
    resource_required: bool = False
    scp_levels: tuple[Level, ...] | None = None  # None: SCPs do not apply
    scp_note: str = ""
    rcps: tuple[Level, ...] | None = None
    rcp_note: str = ""
    endpoint: Policy | None = None
    endpoint_ref: str = ""
    owners: tuple[tuple[str, str], ...] = ()  # policy pointer -> owner label, for fixes
    # Condition-key prefixes the resource policy never sees (KMS: aws:ResourceTag/
    # works in IAM policies only, R4.14).
    resource_hides: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExtraAllow:
    """An allow path outside policies, e.g. a KMS grant (R3.5)."""

    label: str
    kind: PrincipalKind
    rule: str
    # The grant itself, so a decision it made can name it (Decision.determining).
    grant: str = ""  # its id
    name: str = ""  # its name, or its id
    owner: str = ""  # the key's ARN
    pointer: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    authorization: Authorization
    rule: str
    reason: str
    results: tuple[PolicyResult, ...]
    deny: tuple[PolicyResult, ...] = ()
    path: str = ""  # how an allow came about: direct, delegated, identity, grant
    extra: ExtraAllow | None = None  # the grant an allow on the grant path came through
    assumptions: tuple[str, ...] = ()  # section 12 decisions this outcome rests on


def _ref(policy: Policy) -> PolicyRef:
    return PolicyRef(policy.label, policy.owner, policy.name, policy.pointer, policy.owner)


def _policy_step(result: PolicyResult, title: str, rule: str, tr: Tracer) -> None:
    if not tr.on:
        return
    if result.denies:
        verdict, detail = "explicit_deny", f"{result.denies[0].label} denies"
    elif result.allows:
        verdict, detail = "allow", f"{result.allows[0][0].label} allows"
    else:
        verdict, detail = "implicit_deny", "no statement applies"
    tr.add(
        Step(
            kind="policy",
            title=title,
            verdict=verdict,
            detail=detail,
            rule=rule,
            policy=_ref(result.policy),
            statements=result.verdicts,
            nodes=(result.policy.owner,),
        )
    )


def _rule_step(tr: Tracer, title: str, verdict: str, detail: str, rule: str) -> None:
    if tr.on:
        tr.add(Step(kind="rule", title=title, verdict=verdict, detail=detail, rule=rule))


def authorize(
    req: Request,
    ps: PolicySet,
    tr: Tracer,
    *,
    extra: ExtraAllow | None = None,
    identity_free: bool = False,
) -> Outcome:
    """Decide one request. `identity_free`: the caller is implicitly allowed by
    IAM (the account root user, R1.5), so only guardrails and resource rules bind."""
    explain = tr.on
    caller = req.caller
    results: list[PolicyResult] = []

    def run(
        policy: Policy, title: str, rule: str, principal: bool = False, on: Request = req
    ) -> PolicyResult:
        r = evaluate_policy(policy, on, explain=explain, check_principal=principal)
        results.append(r)
        _policy_step(r, title, rule, tr)
        return r

    scp_levels: list[tuple[Level, list[PolicyResult]]] = []
    if ps.scp_levels is not None:
        for level in ps.scp_levels:
            level_results = [
                run(p, f"SCP '{p.name}' on {level.label}", "R1.6") for p in level.policies
            ]
            scp_levels.append((level, level_results))
    elif ps.scp_note:
        _rule_step(tr, "SCPs do not apply", "skip", ps.scp_note, "R1.7")
    rcp_results: list[PolicyResult] = []
    if ps.rcps is not None:
        for level in ps.rcps:
            for p in level.policies:
                rcp_results.append(run(p, f"RCP '{p.name}' on {level.label}", "R1.9", True))
    elif ps.rcp_note:
        _rule_step(tr, "RCPs do not apply", "skip", ps.rcp_note, "R1.10")
    endpoint = run(ps.endpoint, "VPC endpoint policy", "R1.20", True) if ps.endpoint else None
    resource = (
        run(ps.resource, ps.resource.label.capitalize(), "R1.13", True, _hidden(req, ps))
        if ps.resource
        else None
    )
    identity = [run(p, f"Identity policy '{p.name}'", "R1.2") for p in ps.identity]
    boundary = run(ps.boundary, "Permissions boundary", "R1.16") if ps.boundary else None
    sessions = [run(p, "Session policy", "R1.17") for p in ps.sessions]

    # R1.1 / R1.3 step 1: an explicit Deny in any policy wins.
    denying = tuple(r for r in results if r.denied)
    if denying:
        first = denying[0]
        stmt = first.denies[0]
        reason = (
            f"Explicit deny: {stmt.label} of the {first.policy.label} "
            f"({first.policy.owner}) denies {req.action}. A Deny beats every Allow."
        )
        _rule_step(tr, "An explicit Deny applies", "explicit_deny", reason, "R1.1")
        return Outcome("explicit_deny", "R1.1", reason, tuple(results), denying)

    # R1.4, R1.6-R1.8: every level of the SCP chain must allow.
    for level, level_results in scp_levels:
        if level.policies and not any(r.allowed for r in level_results):
            reason = (
                f"Guardrail: no SCP attached to {level.label} allows {req.action}, so the "
                "organization blocks it even though nothing says Deny (an implicit deny "
                "that no other policy can lift)."
            )
            _rule_step(tr, f"SCPs on {level.label} do not allow", "implicit_deny", reason, "R1.8")
            return Outcome("implicit_deny", "R1.8", reason, tuple(results))
    if scp_levels:
        _rule_step(tr, "Every SCP level allows", "pass", "SCP chain allows the action.", "R1.8")
    if rcp_results:
        _rule_step(
            tr, "RCPs allow", "pass", "RCPFullAWSAccess allows; no RCP Deny applies.", "R1.9"
        )

    # R1.20: a request through an endpoint needs the endpoint policy's allow too.
    if endpoint is not None and not endpoint.allowed:
        reason = f"The VPC endpoint policy of {ps.endpoint_ref} does not allow {req.action}."
        _rule_step(tr, "Endpoint policy does not allow", "implicit_deny", reason, "R1.20")
        return Outcome("implicit_deny", "R1.20", reason, tuple(results))

    # R1.16, R1.17: identity permissions are identity ∩ boundary ∩ session.
    boundary_ok = boundary is None or boundary.allowed
    session_ok = all(s.allowed for s in sessions)
    identity_allows = identity_free or any(r.allowed for r in identity)
    identity_path = identity_allows and boundary_ok and session_ok
    if caller.kind == "service":
        identity_path = False

    same_account = caller.account is None or caller.account == req.resource_account
    kinds = resource.allow_kinds() if resource is not None else set()

    def lifted(kind: PrincipalKind | None) -> bool:
        # R1.14: a role ARN is cut down by the role's boundary and session policy;
        # a user ARN, a session ARN or "*" (R1.15) is not.
        if kind == "role":
            return boundary_ok and session_ok
        return kind in DIRECT_KINDS

    direct = any(lifted(k) for k in kinds if k != "account")
    delegated = "account" in kinds or "root" in kinds
    # A grant to an account delegates to IAM (R3.7, section 12 point 6); one to a
    # user, role or session acts like a resource-policy grant (R3.9, point 7).
    grant_ok = extra is not None and (
        identity_path if extra.kind == "account" else lifted(extra.kind)
    )

    assumed = _assumptions(kinds, extra, boundary_ok and session_ok)
    outcome = _decide_paths(
        tr,
        req,
        ps,
        results,
        extra,
        resource,
        same_account,
        grant_ok,
        direct,
        delegated,
        identity_path,
        boundary_ok,
        session_ok,
        identity_allows,
    )
    return replace(outcome, assumptions=assumed) if assumed else outcome


def _hidden(req: Request, ps: PolicySet) -> Request:
    """The request as the resource policy sees it (without the keys it cannot read)."""
    if not ps.resource_hides:
        return req
    ctx = {k: v for k, v in req.context.items() if not k.startswith(ps.resource_hides)}
    return Request(req.caller, req.action, req.resource, req.resource_account, ctx, req.memo)


def _assumptions(kinds: set, extra: ExtraAllow | None, limits_ok: bool) -> tuple[str, ...]:
    out = []
    if "session" in kinds:
        out.append(
            "modelled assumption (R2.10, section 12 point 4): a session ARN in a "
            "resource policy names exactly that session"
        )
    if "role" in kinds and not limits_ok:
        out.append(
            "modelled assumption (R1.14, section 12 point 2): a policy naming a role ARN "
            "is limited by the role's permissions boundary and session policy"
        )
    if extra is not None and extra.kind == "account" and extra.rule == "R3.5":
        out.append(
            "modelled assumption (R3.7, section 12 point 6): a grant to an account "
            "needs an IAM allow, like an account principal"
        )
    if extra is not None and extra.kind == "role" and not limits_ok:
        out.append(
            "modelled assumption (R3.9, section 12 point 7): a grant to a role is "
            "limited by the role's boundary and session policy"
        )
    return tuple(out)


def _decide_paths(
    tr: Tracer,
    req: Request,
    ps: PolicySet,
    results: list[PolicyResult],
    extra: ExtraAllow | None,
    resource: PolicyResult | None,
    same_account: bool,
    grant_ok: bool,
    direct: bool,
    delegated: bool,
    identity_path: bool,
    boundary_ok: bool,
    session_ok: bool,
    identity_allows: bool,
) -> Outcome:
    """R1.13/R1.14 (same account), R1.18/R2.13 (across accounts), R3.5 (grants)."""
    if same_account:
        if grant_ok and extra is not None:
            return replace(
                _allow(tr, req, results, extra.rule, f"allowed through {extra.label}", "grant"),
                extra=extra,
            )
        # `direct` and `delegated` come from the resource result's kinds, so it exists.
        if direct and resource is not None:
            how = "names the caller directly" if not identity_path else "names the caller"
            return _allow(tr, req, results, "R1.14", f"the {resource.policy.label} {how}", "direct")
        if ps.resource_required:
            # R2.2: the key policy (or trust policy) decides whether IAM may allow.
            if resource is not None and keytrust.iam_takes_effect(delegated, identity_path):
                return _allow(
                    tr,
                    req,
                    results,
                    "R2.2",
                    keytrust.delegated_how(resource.policy.label),
                    "delegated",
                )
        elif identity_path:
            return _allow(tr, req, results, "R1.13", "an identity policy allows", "identity")
    else:
        # R1.18, R2.13: both accounts must allow, unless a grant names the caller (R3.6).
        if grant_ok and extra is not None:
            return replace(
                _allow(tr, req, results, extra.rule, f"allowed through {extra.label}", "grant"),
                extra=extra,
            )
        if (direct or delegated) and identity_path:
            return _allow(
                tr,
                req,
                results,
                "R1.18",
                "the resource policy trusts the caller's account or the caller, and the "
                "caller's own account allows it",
                "cross-account",
            )
    reason = _implicit_reason(
        req,
        ps,
        resource,
        identity_path,
        boundary_ok,
        session_ok,
        same_account,
        direct,
        delegated,
        identity_allows,
    )
    rule = "R1.18" if not same_account else ("R2.2" if ps.resource_required else "R1.1")
    _rule_step(tr, "No policy allows the request", "implicit_deny", reason, rule)
    return Outcome("implicit_deny", rule, reason, tuple(results))


def _allow(
    tr: Tracer, req: Request, results: list[PolicyResult], rule: str, how: str, path: str
) -> Outcome:
    reason = f"Allowed: {how}, and no policy denies {req.action}."
    _rule_step(tr, "The request is allowed", "allow", reason, rule)
    return Outcome("allow", rule, reason, tuple(results), path=path)


def _implicit_reason(
    req: Request,
    ps: PolicySet,
    resource: PolicyResult | None,
    identity_path: bool,
    boundary_ok: bool,
    session_ok: bool,
    same_account: bool,
    direct: bool,
    delegated: bool,
    identity_allows: bool,
) -> str:
    label = ps.resource.label if ps.resource else "resource policy"
    if not same_account:
        if not (direct or delegated):
            return (
                f"Implicit deny: across accounts the {label} in {req.resource_account} must "
                f"allow {req.caller.account} or the caller, and it does not (R1.18)."
            )
        return (
            f"Implicit deny: the {label} lets {req.caller.account} in, but across accounts "
            "the caller's own identity policies must also allow the action (R2.13)."
            + _limits(identity_allows, boundary_ok, session_ok)
        )
    if (
        resource is not None
        and "role" in resource.allow_kinds()
        and not (boundary_ok and session_ok)
    ):
        which = "permissions boundary" if not boundary_ok else "session policy"
        return (
            f"Implicit deny: the {label} names the role {req.caller.role_arn}, but a policy "
            f"naming a role ARN is cut down by the role's {which}, which does not allow "
            f"{req.action} (R1.14)."
        )
    if ps.resource_required:
        limits = _limits(identity_allows, boundary_ok, session_ok)
        return keytrust.untrusted_reason(
            label, req.caller.arn, req.action, delegated, identity_path, identity_allows, limits
        )
    if resource is not None and resource.allowed:
        return (
            "Implicit deny: the resource policy names the role, but "
            + _limits(identity_allows, boundary_ok, session_ok).strip()
        )
    return f"Implicit deny: no policy allows {req.action} on {req.resource}." + _limits(
        identity_allows, boundary_ok, session_ok
    )


def _limits(identity_allows: bool, boundary_ok: bool, session_ok: bool) -> str:
    if identity_allows and not boundary_ok:
        return " The permissions boundary does not allow it (R1.16)."
    if identity_allows and not session_ok:
        return " The session policy does not allow it (R1.17)."
    if not identity_allows:
        return " No identity policy allows it."
    return ""
