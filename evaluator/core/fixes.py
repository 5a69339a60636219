"""Concrete fixes for a denial, worded as a user would act on them."""

from __future__ import annotations

from .decide import Outcome, PolicySet
from .match import PolicyResult, Request, principal_match, statement_applies
from .policy import Policy, Statement


def _where(policy: Policy) -> str:
    return f"the {policy.label} of {policy.owner}" if policy.owner else f"the {policy.label}"


def _deny_fixes(decided: Outcome) -> list[str]:
    out = []
    for result in decided.deny:
        for stmt in result.denies:
            out.append(
                f"Remove or narrow the Deny in {stmt.label} of {_where(result.policy)} "
                f"(at {stmt.pointer}): it matches this request, and a Deny beats every Allow."
            )
    return out


def _near_misses(policy: Policy, req: Request) -> list[tuple[Statement, str]]:
    """Allow statements that name the caller but fail on action, resource or condition."""
    out = []
    for stmt in policy.statements:
        if not stmt.is_allow:
            continue
        if stmt.principal is not None and principal_match(stmt.principal, req.caller) is None:
            continue
        ok, _ = statement_applies(stmt, req, policy.variables, check_principal=False)
        if ok:
            continue
        hit = any(m.match(req.action) for m in stmt.action_matchers)
        if hit == stmt.not_action:
            out.append((stmt, "action"))
            continue
        failing = [c for c in stmt.conditions if not c.test(req.context, req.lookup)]
        out.append(
            (stmt, "condition:" + ",".join(c.key for c in failing) if failing else "resource")
        )
    return out


def fixes_for(req: Request, ps: PolicySet, decided: Outcome, *, key=None) -> list[str]:
    if decided.authorization == "explicit_deny":
        return _deny_fixes(decided)
    fixes: list[str] = []
    caller = req.caller
    who = caller.role_arn or caller.arn
    res = ps.resource
    same = caller.account is None or caller.account == req.resource_account
    if decided.rule == "R1.8":
        return [
            f"Allow {req.action} in an SCP attached at each level of the organization above "
            f"account {caller.account} (every level must allow; R1.8)."
        ]
    if decided.rule == "R1.20":
        return [f"Allow {req.action} in the VPC endpoint policy of {ps.endpoint_ref} (R1.20)."]
    if key is not None and key.manager == "AWS":
        # R2.17: an AWS managed key's policy cannot be edited.
        return [
            f"{key.arn} is an AWS managed key: its policy cannot change, and it serves only "
            f"account {key.account} through its AWS service. Make the call through that "
            "service (via_service), or encrypt with a customer managed key whose policy you "
            "control (R2.17)."
        ]
    results = {r.policy.pointer: r for r in decided.results}
    res_result: PolicyResult | None = results.get(res.pointer) if res is not None else None
    if res is not None:
        for stmt, why in _near_misses(res, req):
            if why == "action":
                named_as = principal_match(stmt.principal, caller) if stmt.principal else None
                whom = (
                    f"trusts account {caller.account} (IAM policies must allow too)"
                    if named_as in ("account", "any")
                    else f"already names {who}"
                )
                fixes.append(
                    f"Add {req.action} to {stmt.label} of {_where(res)} "
                    f"(at {stmt.actions_pointer}), which {whom}."
                )
            elif why.startswith("condition:"):
                fixes.append(
                    f"Make the request satisfy the condition on {why[10:]} in {stmt.label} of "
                    f"{_where(res)}, or relax that condition (at {stmt.pointer}/Condition)."
                )
    named = res_result is not None and res_result.allowed
    if res is not None and ps.resource_required and not named and not fixes:
        fixes.append(
            f"Add a statement to {_where(res)} that allows {who} to call {req.action}, e.g. "
            f'{{"Effect": "Allow", "Principal": {{"AWS": "{who}"}}, "Action": "{req.action}", '
            f'"Resource": "*"}}.'
        )
    if not same and res is not None and not named and not ps.resource_required:
        fixes.append(
            f"Allow {who} (or account {caller.account}) to call {req.action} in {_where(res)}; "
            "across accounts the resource owner must allow too (R1.18)."
        )
    identity_allows = any(results[p.pointer].allowed for p in ps.identity if p.pointer in results)
    if caller.kind not in ("root", "service") and not identity_allows:
        kinds = res_result.allow_kinds() if res_result is not None else set()
        if not same or "account" in kinds or not ps.resource_required:
            fixes.append(
                f"Add an identity policy to {who} that allows {req.action} on {req.resource}"
                + (
                    " (across accounts the caller's own account must allow too; R2.13)."
                    if not same
                    else "."
                )
            )
    limits = []
    if ps.boundary is not None:
        b = results.get(ps.boundary.pointer)
        if b is not None and not b.allowed:
            limits.append(f"Allow {req.action} in the permissions boundary of {who} (R1.16).")
    for s in ps.sessions:
        r = results.get(s.pointer)
        if r is not None and not r.allowed:
            limits.append(f"Allow {req.action} in the session policy passed to AssumeRole (R1.17).")
    # When the resource policy already names the role, the limit is the whole story.
    fixes = (
        limits + fixes
        if res_result is not None and "role" in res_result.allow_kinds()
        else (fixes + limits)
    )
    if not fixes:
        fixes.append(f"Allow {req.action} for {who} in {_where(res) if res else 'a policy'}.")
    return fixes
