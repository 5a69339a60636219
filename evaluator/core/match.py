"""Does a statement apply to a request, and why?

This layer only matches: it reports, per statement, whether the principal,
action, resource and conditions fit the request, and through which principal
form the statement named the caller. `decide.py` combines the answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from .arn import resource_match, root_arn
from .condition_reasons import explain_all
from .condition_values import Context
from .memo import Memo
from .policy import Policy, PrincipalSpec, Statement
from .trace import ElementVerdict, PrincipalKind, StatementVerdict
from .variables import expand

CallerKind = Literal["user", "role_session", "root", "service", "federated", "anonymous"]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who makes a request, as AWS sees it."""

    kind: CallerKind
    arn: str  # session ARN for role sessions
    account: str | None
    role_arn: str | None = None  # the role behind a session (aws:PrincipalArn)
    session_name: str | None = None
    service: str | None = None
    ref: str = ""  # canvas node of the IAM entity
    service_linked: bool = False
    chained: bool = False
    has_boundary: bool = False
    # Its account's root ARN, spelled once: principal matching reads it for every statement.
    account_root: str = field(init=False, default="", repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "account_root", root_arn(str(self.account)))

    @property
    def principal_arn(self) -> str:
        """aws:PrincipalArn: the role ARN for a session, else the caller ARN (R4.16)."""
        return self.role_arn or self.arn

    @property
    def role_session_arn_no_path(self) -> str | None:
        return self.arn if self.kind == "role_session" else None


@dataclass(slots=True)
class Request:
    """One authorization question: may `caller` do `action` on `resource`?"""

    caller: Caller
    action: str
    resource: str
    resource_account: str | None
    context: Context
    memo: Memo = field(default_factory=Memo)  # the run's (Env.memo); a fresh one by default

    def lookup(self, key: str) -> str | None:
        """A policy variable's value: single-valued keys only (R5.14)."""
        entry = self.context.get(key)
        if entry is None or entry.multi or not entry.values:
            return None
        return entry.values[0]

    @property
    def action_lc(self) -> str:
        return self.action.lower()


def principal_match(spec: PrincipalSpec, caller: Caller) -> PrincipalKind | None:
    """Which form of `spec` names the caller, most specific first (R2.10, R5.6)."""
    if caller.kind == "service":
        if caller.service and caller.service.lower() in spec.services:
            return "service"
        return "any" if spec.any else None
    aws = spec.aws
    if caller.kind == "role_session":
        if caller.arn in aws:
            return "session"
        if caller.role_arn in aws:
            return "role"  # a role ARN matches every session of that role (R7.7)
    elif caller.kind == "user":
        if caller.arn in aws:
            return "user"
    elif caller.kind == "federated" and caller.arn in aws:
        return "session"
    if caller.account and caller.account_root in aws:
        return "root" if caller.kind == "root" else "account"
    if spec.any:
        return "any"
    return None


def not_principal_excludes(spec: PrincipalSpec, caller: Caller) -> bool:
    """True when NotPrincipal lists the caller, so the statement skips it (R5.7).

    Following the IAM NotPrincipal page: a role session is exempt only when its
    session ARN, its role ARN and its account are all listed.
    """
    if caller.kind == "service":
        return bool(caller.service and caller.service.lower() in spec.services)
    if caller.has_boundary:
        return False  # with a boundary attached, Deny + NotPrincipal always denies (R5.7)
    aws = spec.aws
    if caller.kind == "role_session":
        return caller.arn in aws and caller.role_arn in aws and caller.account_root in aws
    if caller.kind == "user":
        return caller.arn in aws and caller.account_root in aws
    return caller.account_root in aws


def not_principal_names(spec: PrincipalSpec, caller: Caller) -> bool:
    """True when NotPrincipal names the caller in any form: its own ARN, its role,
    or its account (R5.7). An Allow never reaches a principal it names, however
    partially (the IAM NotPrincipal page: Allow covers everyone *except* those listed,
    and AWS may check the account, then the role, then the session)."""
    if spec.any:
        return True
    if caller.kind == "service":
        return bool(caller.service and caller.service.lower() in spec.services)
    aws = spec.aws
    if caller.arn in aws or (caller.role_arn is not None and caller.role_arn in aws):
        return True
    return caller.account is not None and caller.account_root in aws


def _principal_applies(stmt: Statement, caller: Caller) -> tuple[bool, PrincipalKind | None]:
    if stmt.principal is not None:
        kind = principal_match(stmt.principal, caller)
        return kind is not None, kind
    if stmt.not_principal is not None:
        if stmt.is_allow:
            return not not_principal_names(stmt.not_principal, caller), "any"
        return not not_principal_excludes(stmt.not_principal, caller), "any"
    return True, None


def _action_applies(stmt: Statement, action: str) -> bool:
    hit = any(m.match(action) for m in stmt.action_matchers)
    return not hit if stmt.not_action else hit


def _resource_applies(stmt: Statement, req: Request, variables: bool) -> bool:
    fixed = stmt.resource_fixed  # absent (trust policies, SCPs), or `*`
    if fixed is not None:
        return fixed
    if not (variables and stmt.resource_vars):
        memo = req.memo
        key = (id(stmt), req.resource)
        cached = memo.resource.get(key)
        if cached is None:
            memo.hold(stmt)
            cached = memo.resource[key] = _resource_hit(stmt, req, False)
        return cached
    return _resource_hit(stmt, req, variables)


def resource_applies(stmt: Statement, req: Request, variables: bool) -> bool:
    """Does the statement's Resource/NotResource cover the request's resource?"""
    return _resource_applies(stmt, req, variables)


def _resource_hit(stmt: Statement, req: Request, variables: bool) -> bool:
    assert stmt.resources is not None
    hit = False
    for pattern in stmt.resources:
        if variables and stmt.resource_vars:
            expanded = expand(pattern, req.lookup)
            if expanded is None:
                continue  # a Resource with an unresolved variable matches nothing (R5.14)
            pattern = expanded
        if resource_match(pattern, req.resource):
            hit = True
            break
    return not hit if stmt.not_resource else hit


def statement_applies(
    stmt: Statement,
    req: Request,
    variables: bool,
    *,
    check_principal: bool = True,
    action_known: bool = False,
) -> tuple[bool, PrincipalKind | None]:
    """Fast path: does the statement apply, and how did it name the caller?"""
    kind: PrincipalKind | None = None
    if check_principal:
        ok, kind = _principal_applies(stmt, req.caller)
        if not ok:
            return False, None
    if not action_known and not _action_applies(stmt, req.action):
        return False, None
    if not _resource_applies(stmt, req, variables):
        return False, None
    lookup = req.lookup if variables else None
    for clause in stmt.conditions:
        if not clause.test(req.context, lookup):
            return False, None
    return True, kind


def explain_statement(
    stmt: Statement, req: Request, variables: bool, *, check_principal: bool = True
) -> StatementVerdict:
    """Slow path for the trace: every element's verdict, conditions included."""
    elements: list[ElementVerdict] = []
    kind: PrincipalKind | None = None
    p_ok = True
    if check_principal and (stmt.principal is not None or stmt.not_principal is not None):
        p_ok, kind = _principal_applies(stmt, req.caller)
        spec = stmt.principal or stmt.not_principal
        assert spec is not None
        elements.append(
            ElementVerdict(
                "Principal", p_ok, _principal_detail(stmt, req, kind, p_ok), spec.pointer
            )
        )
    a_ok = _action_applies(stmt, req.action)
    shown = ", ".join(stmt.actions) or "(no action)"
    verb = "NotAction" if stmt.not_action else "Action"
    a_detail = (
        f"{req.action} {'is not listed in' if stmt.not_action else 'matches'} {verb} {shown}"
        if a_ok
        else f"{req.action} {'is listed in' if stmt.not_action else 'does not match'} "
        f"{verb} {shown}"
    )
    elements.append(ElementVerdict(verb, a_ok, a_detail, stmt.actions_pointer))
    if stmt.resources is not None:
        r_ok = _resource_applies(stmt, req, variables)
        verb = "NotResource" if stmt.not_resource else "Resource"
        shown = ", ".join(stmt.resources) or "(no resource)"
        r_detail = (
            f"{req.resource} {'is outside' if stmt.not_resource else 'matches'} {verb} {shown}"
            if r_ok
            else f"{req.resource} {'is in' if stmt.not_resource else 'does not match'} "
            f"{verb} {shown}"
        )
        elements.append(ElementVerdict(verb, r_ok, r_detail, stmt.resources_pointer))
    else:
        r_ok = True
    lookup = req.lookup if variables else None
    conds = explain_all(stmt.conditions, req.context, lookup)
    c_ok = all(c.passed for c in conds)
    applies = p_ok and a_ok and r_ok and c_ok
    return StatementVerdict(
        index=stmt.index,
        sid=stmt.sid,
        effect=stmt.effect,
        applies=applies,
        pointer=stmt.pointer,
        elements=tuple(elements),
        conditions=conds,
        principal_kind=kind if applies else None,
    )


def _principal_detail(stmt: Statement, req: Request, kind: PrincipalKind | None, ok: bool) -> str:
    who = req.caller.arn
    if stmt.not_principal is not None:
        listed = stmt.not_principal.describe()
        if ok:
            return f"{who} is not exempted by NotPrincipal {listed}"
        if stmt.is_allow:
            return (
                f"{who} is named (itself, its role or its account) by NotPrincipal {listed}, "
                "so this Allow never reaches it"
            )
        return f"{who} is exempted by NotPrincipal {listed}"
    assert stmt.principal is not None
    listed = stmt.principal.describe()
    if not ok:
        return f"{who} is not named by Principal {listed}"
    how = {
        "any": 'everyone ("*")',
        "account": f"its account {req.caller.account_root} (delegates to IAM)",
        "root": f"the account root {req.caller.account_root}",
        "user": "the user ARN",
        "role": f"the role ARN {req.caller.role_arn}",
        "session": "the session ARN",
        "service": "the service principal",
    }[kind or "any"]
    return f"{who} is named through {how}"


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """What one policy says about one request."""

    policy: Policy
    allows: tuple[tuple[Statement, PrincipalKind | None], ...]
    denies: tuple[Statement, ...]
    verdicts: tuple[StatementVerdict, ...] = ()

    @property
    def allowed(self) -> bool:
        return bool(self.allows)

    @property
    def denied(self) -> bool:
        return bool(self.denies)

    def allow_kinds(self) -> set[PrincipalKind | None]:
        return {k for _, k in self.allows}


def evaluate_policy(
    policy: Policy, req: Request, *, explain: bool, check_principal: bool = True
) -> PolicyResult:
    variables = policy.variables
    allows: list[tuple[Statement, PrincipalKind | None]] = []
    denies: list[Statement] = []
    verdicts: list[StatementVerdict] = []
    if not explain:  # fast path: only the statements about this action and caller
        lookup = req.lookup if variables else None
        ctx = req.context
        for stmt, kind in _candidates(policy, req, check_principal):
            applies = stmt.resource_fixed  # inlined from _resource_applies: mostly `*`
            if applies is None:
                applies = _resource_applies(stmt, req, variables)
            if not applies:
                continue
            for clause in stmt.conditions:
                if not clause.test(ctx, lookup):
                    break
            else:
                if stmt.is_allow:
                    allows.append((stmt, kind))
                else:
                    denies.append(stmt)
        if not allows and not denies:
            return _nothing(policy, req.memo)
        return PolicyResult(policy, tuple(allows), tuple(denies))
    for stmt in policy.statements:
        v = explain_statement(stmt, req, variables, check_principal=check_principal)
        verdicts.append(v)
        ok, kind = v.applies, v.principal_kind
        if ok:
            if stmt.is_allow:
                allows.append((stmt, kind))
            else:
                denies.append(stmt)
    return PolicyResult(policy, tuple(allows), tuple(denies), tuple(verdicts))


def _candidates(
    policy: Policy, req: Request, check_principal: bool
) -> Sequence[tuple[Statement, PrincipalKind | None]]:
    """Statements about this action that name this caller. Which statements name a
    caller is fixed, so a batch works it out once per caller and policy, and the
    candidates once per caller, policy and action (the caller's ARN carries who it is)."""
    memo = req.memo
    by_caller = memo.by_caller
    if not check_principal:  # identity-side policies name nobody
        key: tuple[object, ...] = (id(policy), req.action)
        found = by_caller.get(key)
        if found is None:
            memo.hold(policy)
            found = by_caller[key] = tuple(
                (s, None) for s in statements_for(memo, policy, req.action)
            )
        return found
    caller = req.caller
    asked = (id(policy), caller.arn, caller.has_boundary, req.action)
    found = by_caller.get(asked)
    if found is not None:
        return found
    who = asked[:3]
    kinds = by_caller.get(who)
    if kinds is None:
        kinds = {}
        for stmt in policy.statements:
            ok, kind = _principal_applies(stmt, caller)
            if ok:
                kinds[stmt.index] = kind
        memo.hold(policy)
        by_caller[who] = kinds
    found = by_caller[asked] = tuple(
        (s, kinds[s.index]) for s in statements_for(memo, policy, req.action) if s.index in kinds
    )
    return found


def statements_for(memo: Memo, policy: Policy, action: str) -> tuple[Statement, ...]:
    """The statements of `policy` whose Action/NotAction covers `action`, once per run."""
    key = (id(policy), action)
    found = memo.by_action.get(key)
    if found is None:
        memo.hold(policy)
        found = memo.by_action[key] = policy.for_action(action)
    return found


def _nothing(policy: Policy, memo: Memo) -> PolicyResult:
    """The run's one 'no statement applies' result of a policy (results are immutable)."""
    found = memo.nothing.get(id(policy))
    if found is None:
        found = memo.nothing[memo.hold(policy)] = PolicyResult(policy, (), ())
    return found
