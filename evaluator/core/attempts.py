"""One attempt, run: assume roles, dispatch the action to its service, and turn
the call's result into the attempt's result (decision, trace, output)."""

from __future__ import annotations

import json

from . import crypto
from .context import attempt_keys
from .decide import Outcome
from .keytrust import IAM_ONLY_OPS, KNOWN_OPS, resolve_key
from .kms import kms_call
from .kms_alias import ALIAS_OPS, alias_call
from .kms_auth import KmsCall
from .kms_keyless import iam_only_call
from .match import Caller
from .model import Attempt
from .runtime import CallResult, Env, Identity
from .s3 import s3_operation
from .sts import assume_role
from .trace import AttemptResult, Decision, Determining, Step, Tracer
from .vocabulary import AUTHORIZATIONS, DENY_AUTHORIZATIONS, is_denial


def expectation_holds(expect: str | None, authorization: str, outcome: str) -> bool | None:
    if expect is None:
        return None
    if expect == "deny":
        return authorization in DENY_AUTHORIZATIONS
    if expect in AUTHORIZATIONS:  # "deny" is handled above
        return authorization == expect
    return outcome == expect


def run_attempt(env: Env, attempt: Attempt, tr: Tracer) -> AttemptResult:
    try:
        caller, entity = env.world.caller(attempt.principal)
    except LookupError:
        return _finish(
            attempt,
            CallResult(
                "implicit_deny", "ValidationException", f"Unknown principal {attempt.principal}."
            ),
            tr,
            [],
        )
    ident = Identity(caller, entity, ())
    extra = attempt_keys(attempt.context)
    if tr.on:
        tr.add(
            Step(
                kind="request",
                title=f"{attempt.action} by {caller.arn}",
                verdict="info",
                detail=_describe(attempt, caller),
                nodes=(caller.ref,),
            )
        )
    warnings: list[str] = []
    for step in attempt.assume:
        env.budget.charge()
        res, new, probs = assume_role(
            env,
            ident,
            step.role,
            external_id=step.external_id,
            session_name=step.session_name,
            session_policy=step.session_policy,
            extra=extra,
            tr=tr,
            tags=step.tags,
            transitive_tag_keys=step.transitive_tag_keys,
            source_identity=step.source_identity,
        )
        warnings.extend(res.warnings)
        env.problems.extend(probs)
        if new is None:
            return _finish(attempt, res, tr, warnings)  # a denied step stops the chain
        ident = new
    result = dispatch(env, ident, attempt, extra, tr)
    warnings.extend(result.warnings)
    _remember(env, attempt, result)
    return _finish(attempt, result, tr, warnings)


def dispatch(env: Env, ident: Identity, attempt: Attempt, extra, tr: Tracer) -> CallResult:
    action = attempt.action
    service, _, name = action.partition(":")
    service = service.lower()
    if service == "kms":
        return _kms_attempt(env, ident, attempt, name, extra, tr)
    if service == "s3":
        return s3_operation(
            env,
            ident,
            f"s3:{name}",
            attempt.resource or "",
            attempt.destination,
            extra,
            attempt.encryption_context,
            tr,
        )
    if service == "sts" and name.lower() in ("assumerole", "assumerolewithwebidentity"):
        ext = attempt.context.get("sts:ExternalId")
        res, _, _ = assume_role(
            env,
            ident,
            attempt.resource or "",
            external_id=ext if isinstance(ext, str) else None,
            session_name=None,
            session_policy=None,
            extra=extra,
            tr=tr,
        )
        return res
    res = CallResult(
        "implicit_deny", "ValidationException", f"{action} is not an action the playground models."
    )
    res.warnings.append(
        f"action {action} is not modelled (only KMS, S3 object and sts:AssumeRole actions are)"
    )
    return res


_CANONICAL = {op.lower(): op for op in KNOWN_OPS}  # action names ignore case (R5.3)
_OPS = {
    "reencrypt": "ReEncryptFrom",
    "reencryptfrom": "ReEncryptFrom",
    "reencryptto": "ReEncryptFrom",
}


def _kms_attempt(env: Env, ident: Identity, attempt: Attempt, name: str, extra, tr) -> CallResult:
    op = _OPS.get(name.lower()) or _CANONICAL.get(name.lower(), name)
    ciphertext = attempt.ciphertext
    data_key = local = None
    if attempt.ciphertext_from:
        made = env.produced.get(attempt.ciphertext_from, {})
        ciphertext = made.get("ciphertext")
        local = made.get("local_ciphertext")
        data_key = b"" if "data_key" in made else None
        if ciphertext is None:
            return CallResult(
                "implicit_deny",
                "ValidationException",
                f"Attempt {attempt.ciphertext_from} produced no ciphertext.",
            )
    call = KmsCall(
        op,
        key_id=attempt.resource,
        ciphertext=ciphertext,
        encryption_context=attempt.encryption_context,
        via_service=attempt.via_service,
        context=extra,
        grant_tokens=attempt.grant_tokens,
        plaintext=attempt.plaintext,
        destination=attempt.destination,
        grant=attempt.grant,
        grant_id=attempt.grant_id,
        policy=attempt.policy,
        bypass=attempt.bypass_policy_lockout_safety_check,
        data_key=data_key,
        local_ciphertext=local,
        attempt_id=attempt.id,
        tags=attempt.tags,
        tag_keys=attempt.tag_keys,
    )
    if op in ALIAS_OPS:
        return alias_call(env, ident, call, attempt.alias or "", tr)
    if op in IAM_ONLY_OPS:
        return iam_only_call(env, ident, call, tr)
    if op == "ReEncryptFrom":
        return _reencrypt(env, ident, call, attempt, tr)
    result = kms_call(env, ident, call, tr)
    if op not in KNOWN_OPS:
        result.warnings.append(
            f"kms:{op} is not a KMS operation the playground knows; it was authorized as a "
            "plain operation on the key, with no effect of its own"
        )
    return result


def _reencrypt(env: Env, ident: Identity, call: KmsCall, attempt: Attempt, tr: Tracer):
    """R9.5: ReEncryptFrom on the source key, ReEncryptTo on the destination."""
    call.same_key = _same_key(env, ident, call, attempt.destination)
    child = tr.child()
    source = kms_call(env, ident, call, child)
    _nest(tr, "Source key: kms:ReEncryptFrom (R9.5)", source, child)
    if not source.ok:
        return source
    plain = source.plaintext
    dest_call = KmsCall(
        "ReEncryptTo",
        key_id=attempt.destination,
        encryption_context=attempt.encryption_context,
        via_service=attempt.via_service,
        context=call.context,
        grant_tokens=call.grant_tokens,
        same_key=call.same_key,
    )
    child = tr.child()
    dest = kms_call(env, ident, dest_call, child)
    _nest(tr, "Destination key: kms:ReEncryptTo (R9.5)", dest, child)
    key = dest.output.get("key")
    if dest.ok and plain is not None and key:
        dest.output["ciphertext"] = crypto.encrypt(
            env.material.get(key), key, plain, attempt.encryption_context, env.rng
        )
    dest.warnings = source.warnings + dest.warnings
    return dest


def _same_key(env: Env, ident: Identity, call: KmsCall, destination: str | None) -> bool | None:
    """kms:ReEncryptOnSameKey (R4.13): do the source and destination name one key?
    None when either cannot be found (the call then fails on its own)."""
    source = call.key_id
    if call.ciphertext is not None:
        try:
            source = crypto.blob_key(call.ciphertext)
        except crypto.CiphertextError:
            return None
    if source is None or destination is None:
        return None
    sc = env.world.scenario
    account = ident.caller.account
    src = resolve_key(sc, source, account, "ReEncryptFrom").key
    dst = resolve_key(sc, destination, account, "ReEncryptTo").key
    if src is None or dst is None:
        return None
    return src.arn == dst.arn


def _nest(tr: Tracer, title: str, result: CallResult, child: Tracer) -> None:
    if tr.on:
        tr.add(
            Step(
                kind="nested",
                title=title,
                verdict=result.authorization,
                detail=result.reason,
                rule="R9.5",
                children=tuple(child.steps),
            )
        )


def _remember(env: Env, attempt: Attempt, result: CallResult) -> None:
    env.produced[attempt.id] = result.output


def _describe(attempt: Attempt, caller: Caller) -> str:
    parts = [f"{caller.arn} calls {attempt.action}"]
    if attempt.resource:
        parts.append(f"on {attempt.resource}")
    if attempt.via_service:
        parts.append(f"through {attempt.via_service}")
    if attempt.encryption_context:
        context = json.dumps(dict(attempt.encryption_context), ensure_ascii=False)
        parts.append(f"with encryption context {context}")
    if attempt.assume:
        parts.append("after assuming " + " then ".join(s.role for s in attempt.assume))
    return " ".join(parts) + "."


def _finish(attempt: Attempt, result: CallResult, tr: Tracer, warnings: list[str]) -> AttemptResult:
    auth = result.authorization
    outcome = result.outcome
    reason = result.reason
    if outcome != "Success" and auth == "allow":
        reason = f"Authorized, but the service refused: {reason}"
    decision = Decision(
        auth,
        outcome,
        reason,
        tuple(result.fixes),
        result.rule,
        determining_of(result.decided) if tr.on else (),
    )
    if tr.on:
        verdict = auth if outcome == "Success" or is_denial(outcome) else "error"
        detail = reason + ("\nFix: " + "\nFix: ".join(result.fixes) if result.fixes else "")
        tr.add(
            Step(
                kind="decision",
                title=_headline(auth, outcome),
                verdict=verdict,
                detail=detail,
                rule=result.rule,
            )
        )
    seen: list[str] = []
    for w in warnings:
        if w not in seen:
            seen.append(w)
    return AttemptResult(
        id=attempt.id,
        title=attempt.title or "",
        action=attempt.action,
        authorization=auth,
        outcome=outcome,
        expect=attempt.expect,
        passed=expectation_holds(attempt.expect, auth, outcome),
        warnings=tuple(seen),
        trace=tuple(tr.steps) if tr.on else (),
        decision=decision,
        output=result.output,
    )


def determining_of(decided: Outcome | None) -> tuple[Determining, ...]:
    """The Deny statements that won, or for an allow the Allow statements that let in
    (through a grant: the grant, and for a grant to an account the IAM allows, R3.7)."""
    if decided is None:
        return ()
    out: list[Determining] = []
    results = decided.results
    if decided.authorization == "explicit_deny":
        picked = [(r.policy, st) for r in decided.deny for st in r.denies]
    elif decided.authorization == "allow":
        g = decided.extra if decided.path == "grant" else None
        if g is not None and g.grant:
            out.append(
                Determining("Allow", f"grant '{g.grant}'", "grant", g.name, g.owner, g.pointer)
            )
            # A grant to a user or role lets in by itself (R3.9); to an account, with IAM.
            results = tuple(
                r for r in results if g.kind == "account" and r.policy.kind == "identity"
            )
        picked = [(r.policy, st) for r in results for st, _ in r.allows]
    else:
        return ()
    for policy, st in picked:
        item = Determining(st.effect, st.label, policy.label, policy.name, policy.owner, st.pointer)
        if item not in out:
            out.append(item)
    return tuple(out)


def _headline(auth: str, outcome: str) -> str:
    if outcome == "Success":
        return "Allowed"
    if is_denial(outcome):
        return {"explicit_deny": "Explicit deny", "implicit_deny": "Implicit deny"}.get(
            auth, outcome
        ) + f" ({outcome})"
    return outcome
