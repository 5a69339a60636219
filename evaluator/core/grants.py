"""KMS grants: an allow path beside the key policy (R3).

A grant names one grantee, a set of operations and optional encryption
context constraints. Grants only allow; denies elsewhere still win (R3.8).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .match import Caller, PrincipalKind
from .model import Grant, GrantConstraints
from .vocabulary import GRANT_OPERATIONS as SCENARIO_GRANT_OPERATIONS

# R3.4: the operations a grant may carry (one list, kept with the scenario model).
GRANT_OPERATIONS = frozenset(SCENARIO_GRANT_OPERATIONS)
# Constraints are ignored for these operations (R3.11).
UNCONSTRAINED = frozenset({"DescribeKey", "RetireGrant"})


@dataclass(frozen=True, slots=True)
class GrantCheck:
    grant: Grant
    kind: PrincipalKind | None  # how the grantee names the caller; None: not the caller
    operation_ok: bool
    constraint_ok: bool
    in_effect: bool  # propagated, or its token was passed (R3.10)
    detail: str

    @property
    def usable(self) -> bool:
        return self.kind is not None and self.operation_ok and self.constraint_ok and self.in_effect


def grantee_kind(grantee: str, caller: Caller) -> PrincipalKind | None:
    """A grantee matches like a principal in a resource policy (R3.2, R3.9)."""
    if caller.kind == "service":
        return "service" if caller.service == grantee else None
    if caller.kind == "role_session":
        if grantee == caller.arn:
            return "session"
        if grantee == caller.role_arn:
            return "role"
    elif grantee == caller.arn:
        return "root" if caller.kind == "root" else "user"
    if caller.account and grantee in (caller.account_root, caller.account):
        return "root" if caller.kind == "root" else "account"  # R3.7: delegates to IAM
    return None


def constraint_holds(
    constraints: GrantConstraints | None, context: Mapping[str, str] | None
) -> tuple[bool, str]:
    """R3.11, R3.12: keys compare case-insensitively, values case-sensitively."""
    if constraints is None:
        return True, "no constraint"
    request = {k.lower(): v for k, v in (context or {}).items()}
    wanted = {k.lower(): v for k, v in constraints.context.items()}
    if constraints.kind == "equals":
        ok = request == wanted
        return ok, (
            "the encryption context equals the grant's EncryptionContextEquals"
            if ok
            else f"EncryptionContextEquals needs exactly {_json(constraints.context)}, "
            f"the request has {_json(context or {})}"
        )
    missing = {k: v for k, v in wanted.items() if request.get(k) != v}
    if not missing:
        return True, "the encryption context contains every pair of EncryptionContextSubset"
    return False, (
        f"EncryptionContextSubset needs {_json(constraints.context)}; "
        f"the request lacks {_json(missing)}"
    )


def check_grants(
    grants: Sequence[Grant],
    caller: Caller,
    operation: str,
    context: Mapping[str, str] | None,
    tokens: Sequence[str],
) -> list[GrantCheck]:
    """Every grant whose grantee is the caller, with why it can or cannot serve."""
    out = []
    for grant in grants:
        kind = grantee_kind(grant.grantee, caller)
        if kind is None:
            continue
        op_ok = operation in grant.operations
        if operation in UNCONSTRAINED or operation == "CreateGrant":
            # For CreateGrant the child grant's constraints are checked instead (R3.14).
            c_ok, c_detail = True, "constraints are not checked against this request"
        else:
            c_ok, c_detail = constraint_holds(grant.constraints, context)
        in_effect = grant.propagated or grant.token in tokens
        parts = [
            f"grant {grant.id} to {grant.grantee}",
            f"operations {', '.join(grant.operations)} "
            + ("include" if op_ok else "do not include")
            + f" {operation}",
            c_detail,
        ]
        if not grant.propagated:
            parts.append(
                "not yet propagated; its grant token was passed (R3.10)"
                if in_effect
                else "not yet propagated, and its grant token was not passed (R3.10)"
            )
        out.append(GrantCheck(grant, kind, op_ok, c_ok, in_effect, "; ".join(parts)))
    return out


def child_grant_ok(
    parent: Grant, operations: Sequence[str], constraints: GrantConstraints | None
) -> tuple[bool, str]:
    """R3.14: a grant made with CreateGrant from a grant is no wider than its parent."""
    extra = [op for op in operations if op not in parent.operations]
    if extra:
        return False, f"the child grant adds operations {_json(extra)} that grant {parent.id} lacks"
    pc = parent.constraints
    if pc is None:
        return True, "the parent grant has no constraint"
    if constraints is None:
        return False, "the parent grant has a constraint, so the child grant needs one too"
    if pc.kind == "equals" and constraints.kind != "equals":
        return False, "a child of an EncryptionContextEquals grant must use Equals too"
    parent_pairs = {k.lower(): v for k, v in pc.context.items()}
    child_pairs = {k.lower(): v for k, v in constraints.context.items()}
    if pc.kind == "equals" and child_pairs != parent_pairs:
        return False, "the child grant's EncryptionContextEquals differs from its parent's"
    if any(child_pairs.get(k) != v for k, v in parent_pairs.items()):
        return False, "the child grant's constraint drops pairs its parent requires"
    return True, "the child grant is no wider than its parent"


def _json(value: object) -> str:
    """Values in trace text read as JSON, as the user wrote them (not Python's repr)."""
    return json.dumps(value, ensure_ascii=False)
