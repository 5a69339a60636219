"""Why a condition clause passed or failed, in one plain-English sentence.

`explain_clause` gives the same verdict as `Clause.test` (conditions.py), with
the values compared and a reason for the trace. It runs only when a trace is
asked for, so the fast path never builds these strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from evaluator.core.trace import ConditionVerdict
from evaluator.core.variables import expand
from evaluator.core.wildcard import LITERAL_QMARK, LITERAL_STAR, unmark

if TYPE_CHECKING:  # conditions.py imports this module; these names are for annotations only
    from evaluator.core.condition_values import Context, Lookup
    from evaluator.core.conditions import Clause, Operator


# How one clause fared against one request: the trace's own record of it.
ClauseResult = ConditionVerdict


def _resolve(
    clause: Clause, lookup_var: Lookup | None
) -> tuple[tuple[str, ...], tuple[object | None, ...], tuple[str, ...]]:
    """Policy values for this request: (shown, compiled, unresolved templates)."""
    if not clause._dynamic:
        return clause.values, clause._prepared, ()
    spec = clause.spec
    shown: list[str] = []
    compiled: list[object | None] = []
    missing: list[str] = []
    for raw, ready in zip(clause.values, clause._prepared, strict=True):
        if ready is not None:
            shown.append(raw)
            compiled.append(ready)
            continue
        text = expand(raw, lookup_var) if lookup_var is not None else None
        if text is None:
            # R5.14: an unresolved variable makes this value match nothing.
            shown.append(raw)
            compiled.append(None)
            missing.append(raw)
            continue
        shown.append(_display(text, spec.wildcards))
        compiled.append(spec.try_prepare(text))
    return tuple(shown), tuple(compiled), tuple(missing)


def explain_clause(clause: Clause, ctx: Context, lookup_var: Lookup | None) -> ClauseResult:
    """The same verdict as `test`, with the values and a plain-English reason."""
    found = ctx.get(clause.key_lc)
    values = found.values if found is not None else ()
    request = values if values else None
    if clause.base == "Null":
        passed, reason = _explain_null(clause, values)
        return _result(clause, clause.values, request, passed, reason)
    shown, policy, missing = _resolve(clause, lookup_var)
    if not values:
        passed, reason = clause._when_missing, _missing_reason(clause, found is not None)
    else:
        passed, reason = _explain_present(clause, values, shown, policy)
    if missing and values:
        reason += f" (no value for the variable in {', '.join(missing)}, so it matches nothing)"
    return _result(clause, shown, request, passed, reason)


def _result(
    clause: Clause,
    shown: tuple[str, ...],
    request: tuple[str, ...] | None,
    passed: bool,
    reason: str,
) -> ClauseResult:
    return ClauseResult(clause.operator, clause.key, shown, request, passed, reason, clause.pointer)


def _explain_null(clause: Clause, values: tuple[str, ...]) -> tuple[bool, str]:
    absent = not values
    passed = absent in clause._prepared
    state = "absent" if absent else f"present ({_join(values)})"
    if passed:
        want = "true" if absent else "false"
        return True, f'{clause.key} is {state}, as Null "{want}" asks'
    want = "false" if absent else "true"
    need = "present" if absent else "absent"
    return False, f'{clause.key} is {state}, but Null "{want}" needs it {need}'


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


def _explain_present(
    clause: Clause, values: tuple[str, ...], shown: tuple[str, ...], policy: Sequence[object | None]
) -> tuple[bool, str]:
    spec = clause.spec
    yes = spec.verbs[0]
    hits = [spec.first_hit(v, policy) for v in values]
    anyof = _any_of(shown)
    key, neg = clause.key, spec.negated
    word = clause.operator.split(":")[0] if clause.set_op else clause.base
    if clause.set_op == "ForAllValues":
        bad = next((i for i, h in enumerate(hits) if (h >= 0) == neg), -1)
        if bad < 0:
            every, against = ("no", anyof) if neg else ("every", _one_of(shown))
            return (
                True,
                f"{every} {key} value ({_join(values)}) {yes} {against}, so {word} holds",
            )
        said = _one(spec, values[bad], hits[bad], shown)
        return False, f"{key} value {said}, so {word} fails"
    if clause.set_op == "ForAnyValue":
        good = next((i for i, h in enumerate(hits) if (h >= 0) != neg), -1)
        if good >= 0:
            said = _one(spec, values[good], hits[good], shown)
            return True, f"{key} value {said}, so {word} holds"
        every, against = ("every", _one_of(shown)) if neg else ("no", anyof)
        return False, f"{every} {key} value ({_join(values)}) {yes} {against}, so {word} fails"
    hit = next((i for i, h in enumerate(hits) if h >= 0), -1)
    passed = (hit >= 0) != neg
    if len(values) == 1 or hit >= 0:
        at = hit if hit >= 0 else 0
        said = f"{key} {_one(spec, values[at], hits[at], shown)}"
    else:
        said = f"none of {key}'s values ({_join(values)}) {yes} {anyof}"
    if neg:
        return passed, f"{said}, so {clause.base} {'holds' if passed else 'fails'}"
    return passed, said


def _one(spec: Operator, value: str, hit: int, shown: tuple[str, ...]) -> str:
    """`<value> <verb> <policy value(s)>` for one request value."""
    yes, no = spec.verbs
    if hit >= 0:
        return f"{value} {yes} {shown[hit]}"
    if spec.request_kind and spec.request(value) is None:
        return f"{value} is not {spec.request_kind}, so it matches none of the values"
    return f"{value} {no} {_any_of(shown)}"


def _display(text: str, wildcards: bool) -> str:
    # In a pattern a literal `*` is shown as its escape, elsewhere as itself.
    if wildcards:
        return text.replace(LITERAL_STAR, "${*}").replace(LITERAL_QMARK, "${?}")
    return unmark(text)


def _join(values: Iterable[str]) -> str:
    return ", ".join(values)


def _one_of(shown: tuple[str, ...]) -> str:
    return shown[0] if len(shown) == 1 else "one of " + _join(shown)


def _any_of(shown: tuple[str, ...]) -> str:
    if len(shown) == 1:
        return shown[0]
    return "any of " + _join(shown)
