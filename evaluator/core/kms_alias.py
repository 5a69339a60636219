"""KMS alias operations: CreateAlias, UpdateAlias, DeleteAlias (an addition to format 1).

KMS authorizes each one on the alias, through the caller's IAM policies (an
alias has no policy of its own), and on every key the call touches, through
that key's policy and the IAM policies it delegates to; all in the caller's own
account and Region (KMS developer guide, controlling access to aliases). The
call is judged, not applied: the scenario's aliases stay as drawn.
"""

from __future__ import annotations

from dataclasses import replace

from .authorization import base_context, decided_result, gather_policies
from .decide import authorize
from .keytrust import resolve_key, state_error
from .kms_auth import KmsCall, authorize_kms, context_step
from .match import Request
from .model import Key
from .runtime import CallResult, Env, Identity
from .trace import Step, Tracer

ALIAS_OPS = frozenset({"CreateAlias", "UpdateAlias", "DeleteAlias"})
NOT_APPLIED = (
    "alias operations are judged, not applied: later attempts still see the aliases as drawn"
)


def alias_call(env: Env, ident: Identity, call: KmsCall, alias: str, tr: Tracer) -> CallResult:
    sc = env.world.scenario
    c = ident.caller
    op = call.op
    if c.account is None:
        return CallResult(
            "implicit_deny",
            "AccessDeniedException",
            "A service principal has no aliases: they belong to an account.",
            "R2.16",
        )
    if alias.lower().startswith("alias/aws/"):
        return CallResult(
            "implicit_deny",
            "InvalidAliasNameException",
            f"{alias}: the alias/aws/ prefix is reserved for AWS managed keys.",
            "R2.16",
        )
    target: Key | None = None
    if op != "DeleteAlias":
        found = resolve_key(sc, call.key_id or "", c.account, op)
        _step(tr, "Find the target key", "pass" if found.key else "fail", found.detail, "R2.15")
        if found.key is None:
            return CallResult("implicit_deny", "NotFoundException", found.detail, "R2.15")
        target = found.key
    region = target.region if target is not None else sc.region
    alias_arn = f"arn:aws:kms:{region}:{c.account}:{alias}"
    current = sc.key_by_alias(c.account, region, alias)
    if op != "CreateAlias" and current is None:
        reason = f"No alias {alias} in account {c.account}, {region} (R2.15)."
        _step(tr, "Find the alias", "fail", reason, "R2.15")
        return CallResult("implicit_deny", "NotFoundException", reason, "R2.15")
    result = _on_alias(env, ident, call, alias_arn, region, tr)
    keys: list[Key] = []
    for k in (current if op != "CreateAlias" else None, target):
        if k is not None and all(k.arn != seen.arn for seen in keys):
            keys.append(k)  # UpdateAlias: the key the alias points to, then the new one
    for key in keys:
        if not result.ok:
            break
        which = "the key the alias points to" if key is current else "the target key"
        child = tr.child()
        res = authorize_kms(env, ident, key, replace(call, key_id=key.arn), None, child)
        _nested(tr, f"kms:{op} on {which} {key.arn}", res, child, key.arn)
        res.warnings = result.warnings + res.warnings
        result = res
    if not result.ok:
        return result
    result.warnings.append(NOT_APPLIED)
    if op == "CreateAlias" and current is not None:
        reason = f"{alias} already names {current.arn} in {c.account}, {region}."
        return _refuse(result, "AlreadyExistsException", reason, tr, "R2.16")
    for key in keys:
        err = state_error(key, op)
        if err is not None:
            return _refuse(result, err[0], err[1] + f"; kms:{op} is refused (R6.4).", tr, "R6.4")
    result.reason = f"Allowed: kms:{op} on {alias_arn} and on every key it touches."
    result.output = {"alias": alias_arn, **({"key": target.arn} if target else {})}
    return result


def _on_alias(
    env: Env, ident: Identity, call: KmsCall, alias_arn: str, region: str, tr: Tracer
) -> CallResult:
    """The alias side: only the caller's IAM policies (and guardrails) can allow it."""
    c = ident.caller
    ctx = base_context(env, ident, region=region, resource_account=c.account)
    ctx.update(call.context)
    child = tr.child()
    context_step(ctx, child)
    ps = gather_policies(env, ident, resource_account=c.account)
    req = Request(c, f"kms:{call.op}", alias_arn, c.account, ctx, env.memo)
    decided = authorize(req, ps, child, identity_free=c.kind == "root")
    result = decided_result(env, decided, req, ps, "AccessDeniedException")
    _nested(tr, f"kms:{call.op} on the alias {alias_arn} (IAM policies)", result, child, "")
    return result


def _refuse(result: CallResult, code: str, reason: str, tr: Tracer, rule: str) -> CallResult:
    """Authorized, but the service refuses (the name is taken, the key's state)."""
    _step(tr, code, "error", reason, rule)
    result.outcome, result.reason, result.rule = code, reason, rule
    return result


def _step(tr: Tracer, title: str, verdict: str, detail: str, rule: str) -> None:
    if tr.on:
        tr.add(Step(kind="key", title=title, verdict=verdict, detail=detail, rule=rule))


def _nested(tr: Tracer, title: str, result: CallResult, child: Tracer, node: str) -> None:
    if tr.on:
        tr.add(
            Step(
                kind="nested",
                title=title,
                verdict=result.authorization,
                detail=result.reason,
                rule=result.rule or "R2.16",
                children=tuple(child.steps),
                nodes=(node,) if node else (),
            )
        )
