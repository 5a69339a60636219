"""Why a condition clause passed or failed, in one plain-English sentence.

The verdict is the clause's own (`Clause.outcome`, conditions.py, the same rule
`Clause.test` applies); this module only words it, naming the values compared
and the one that settled it. It runs only when a trace is asked for, so the
fast path never builds these strings.
"""

from __future__ import annotations

from collections.abc import Iterable

from evaluator.core.condition_values import Context, Lookup
from evaluator.core.conditions import Clause, ClauseOutcome, Operator
from evaluator.core.trace import ConditionVerdict

# How one clause fared against one request: the trace's own record of it.
ClauseResult = ConditionVerdict


def explain_clause(clause: Clause, ctx: Context, lookup_var: Lookup | None) -> ClauseResult:
    """The clause's outcome for this request, with the values and a plain-English reason."""
    return describe(clause.outcome(ctx, lookup_var))


def explain_all(
    clauses: Iterable[Clause], ctx: Context, lookup_var: Lookup | None
) -> tuple[ClauseResult, ...]:
    """A result for every clause (the block holds when all of them pass, R5.8)."""
    return tuple(explain_clause(c, ctx, lookup_var) for c in clauses)


def describe(o: ClauseOutcome) -> ClauseResult:
    """The trace's record of an outcome: its verdict, its values and the reason."""
    clause = o.clause
    request = o.values if o.values else None
    if clause.base == "Null":
        reason = _null_reason(clause, o)
    elif not o.values:
        reason = _missing_reason(clause, o.present)
    else:
        reason = _present_reason(o)
        if o.unresolved:
            unresolved = ", ".join(o.unresolved)
            reason += f" (no value for the variable in {unresolved}, so it matches nothing)"
    return ClauseResult(
        clause.operator, clause.key, o.shown, request, o.passed, reason, clause.pointer
    )


def _null_reason(clause: Clause, o: ClauseOutcome) -> str:
    absent = not o.values
    state = "absent" if absent else f"present ({_join(o.values)})"
    if o.passed:
        want = "true" if absent else "false"
        return f'{clause.key} is {state}, as Null "{want}" asks'
    want = "false" if absent else "true"
    need = "present" if absent else "absent"
    return f'{clause.key} is {state}, but Null "{want}" needs it {need}'


def _missing_reason(clause: Clause, empty: bool) -> str:
    where = "has no values in the request" if empty else "is not in the request"
    if clause.if_exists:
        return f"IfExists: {clause.key} is absent, so the condition holds"
    if clause.set_op == "ForAllValues":
        return f"{clause.key} {where}, and ForAllValues holds for an empty set"
    if clause.set_op == "ForAnyValue":
        return f"{clause.key} {where}, and ForAnyValue needs at least one value"
    if clause.spec.negated:
        return f"{clause.key} {where}, so {clause.base} holds (nothing to differ from its values)"
    return f"{clause.key} {where}, and {clause.base} needs it"


def _present_reason(o: ClauseOutcome) -> str:
    clause, values, shown, hits, at = o.clause, o.values, o.shown, o.hits, o.witness
    spec = clause.spec
    yes = spec.verbs[0]
    anyof = _any_of(shown)
    key, neg = clause.key, spec.negated
    word = clause.operator.split(":")[0] if clause.set_op else clause.base
    if clause.set_op == "ForAllValues":
        if o.passed:
            every, against = ("no", anyof) if neg else ("every", _one_of(shown))
            return f"{every} {key} value ({_join(values)}) {yes} {against}, so {word} holds"
        return f"{key} value {_one(spec, values[at], hits[at], shown)}, so {word} fails"
    if clause.set_op == "ForAnyValue":
        if o.passed:
            return f"{key} value {_one(spec, values[at], hits[at], shown)}, so {word} holds"
        every, against = ("every", _one_of(shown)) if neg else ("no", anyof)
        return f"{every} {key} value ({_join(values)}) {yes} {against}, so {word} fails"
    if len(values) == 1 or at >= 0:
        first = max(at, 0)
        said = f"{key} {_one(spec, values[first], hits[first], shown)}"
    else:
        said = f"none of {key}'s values ({_join(values)}) {yes} {anyof}"
    if neg:
        return f"{said}, so {clause.base} {'holds' if o.passed else 'fails'}"
    return said


def _one(spec: Operator, value: str, hit: int, shown: tuple[str, ...]) -> str:
    """`<value> <verb> <policy value(s)>` for one request value."""
    yes, no = spec.verbs
    if hit >= 0:
        return f"{value} {yes} {shown[hit]}"
    if spec.request_kind and spec.request(value) is None:
        return f"{value} is not {spec.request_kind}, so it matches none of the values"
    return f"{value} {no} {_any_of(shown)}"


def _join(values: Iterable[str]) -> str:
    return ", ".join(values)


def _one_of(shown: tuple[str, ...]) -> str:
    return shown[0] if len(shown) == 1 else "one of " + _join(shown)


def _any_of(shown: tuple[str, ...]) -> str:
    if len(shown) == 1:
        return shown[0]
    return "any of " + _join(shown)
