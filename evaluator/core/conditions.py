"""Condition operators (one table) and the dispatcher that applies them.

A `Condition` block compiles into `Clause`s, one per (operator, key). Each
clause evaluates against a request context with `test` (fast, a bool) or
`outcome` (a `ClauseOutcome`: the values compared, which one settled it, and
the same verdict, since both go through one rule, `_combine`). The trace's
one-sentence reason is worded from the outcome by condition_reasons.py, which
this module does not import. Value parsing lives in condition_values.py.
Everything about a value that can be worked out from the policy alone
(parsed numbers, dates, CIDRs, compiled globs) is done at compile time.
"""

from __future__ import annotations

import difflib
import operator as _op
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from evaluator.core.budget import poll
from evaluator.core.condition_values import (
    ARN,
    BIN,
    BOOL,
    DATE,
    FOLD,
    IP,
    LIKE,
    NULL,
    NUM,
    TEXT,
    Context,
    ContextEntry,
    IpAddr,
    IpNetwork,
    Kind,
    Lookup,
    context_lookup,
    entry,
    json_str,
)
from evaluator.core.problems import Problem, pointer_join, problem
from evaluator.core.variables import expand, has_variables, variables_enabled
from evaluator.core.wildcard import LITERAL_QMARK, LITERAL_STAR, GlobMatcher, unmark

__all__ = [
    "OPERATORS",
    "SET_OPERATORS",
    "Clause",
    "ClauseOutcome",
    "Context",
    "ContextEntry",
    "Lookup",
    "Operator",
    "OperatorName",
    "SetOp",
    "all_pass",
    "compile_conditions",
    "context_lookup",
    "entry",
    "parse_operator",
    "suggest_operator",
]

SetOp = Literal["ForAnyValue", "ForAllValues"]
# (request value, policy value) -> positive match. Both sides are the parsed forms
# of the operator's kind (str, float, datetime, address, ...), so the table types
# them as Any, which also lets operator.lt and friends stand in the table as they are.
Compare = Callable[[Any, Any], bool]


# --------------------------------------------------------------------------
# The operator table


@dataclass(frozen=True, slots=True)
class Operator:
    """One base operator: how to read each side and how to compare them."""

    name: str
    prepare: Callable[[str], object]  # policy value -> compiled form (the validator)
    request: Callable[[str], object | None]  # request value -> comparable form, None = no match
    compare: Compare  # (request form, policy form) -> positive match
    verbs: tuple[str, str]  # "<request> <verb> <policy>" for a match and for a miss
    negated: bool = False
    variables: bool = False
    wildcards: bool = False
    expects: str = "a string"
    request_kind: str = ""

    def matches(self, request_value: str, policy_value: str) -> bool:
        """The single-value comparison, negation applied (ValueError on a bad policy value)."""
        got = self.request(request_value)
        hit = got is not None and self.compare(got, self.prepare(policy_value))
        return hit != self.negated

    def try_prepare(self, text: str | None) -> object | None:
        """`prepare`, or None when there is nothing to read or it cannot be read."""
        # An unresolved variable, or an expansion the operator cannot read, matches nothing.
        if text is None:
            return None
        try:
            return self.prepare(text)
        except ValueError:
            return None

    def first_hit(self, raw: str, policy: Sequence[object | None]) -> int:
        """Index of the first policy value `raw` matches (positively), or -1."""
        got = self.request(raw)
        if got is None:
            return -1
        compare = self.compare
        for i, want in enumerate(policy):
            if want is not None and compare(got, want):
                return i
        return -1

    def hits(self, values: Sequence[str], policy: Sequence[object | None]) -> list[int]:
        """`first_hit` for each request value. Many values against many policy values
        (thousands of context keys x hundreds of patterns) poll the running budget."""
        if len(values) * len(policy) <= _POLL_PAIRS:
            return [self.first_hit(v, policy) for v in values]
        step = max(1, _POLL_PAIRS // len(policy))
        found: list[int] = []
        for start in range(0, len(values), step):
            poll()
            found += [self.first_hit(v, policy) for v in values[start : start + step]]
        return found


# Request x policy value pairs compared between two polls of the budget's clock.
_POLL_PAIRS = 4096


def _same(a: object, b: object) -> bool:
    return a == b


def _glob(req: object, pat: object) -> bool:
    return cast(GlobMatcher, pat).match(cast(str, req))


def _in_net(addr: object, net: object) -> bool:
    a, n = cast(IpAddr, addr), cast(IpNetwork, net)
    return a.version == n.version and a in n


_EQ = ("equals", "does not equal")
_MATCH = ("matches", "does not match")
_INSTANT = ("is the same instant as", "is not the same instant as")

# name: (kind, positive comparison, negated?, (verb for a match, verb for a miss))
_TABLE: dict[str, tuple[Kind, Compare, bool, tuple[str, str]]] = {
    "StringEquals": (TEXT, _same, False, _EQ),
    "StringNotEquals": (TEXT, _same, True, _EQ),
    "StringEqualsIgnoreCase": (FOLD, _same, False, ("equals (ignoring case)", "does not equal")),
    "StringNotEqualsIgnoreCase": (FOLD, _same, True, ("equals (ignoring case)", "does not equal")),
    "StringLike": (LIKE, _glob, False, _MATCH),
    "StringNotLike": (LIKE, _glob, True, _MATCH),
    "NumericEquals": (NUM, _op.eq, False, _EQ),
    "NumericNotEquals": (NUM, _op.eq, True, _EQ),
    "NumericLessThan": (NUM, _op.lt, False, ("is less than", "is not less than")),
    "NumericLessThanEquals": (NUM, _op.le, False, ("is at most", "is more than")),
    "NumericGreaterThan": (NUM, _op.gt, False, ("is more than", "is not more than")),
    "NumericGreaterThanEquals": (NUM, _op.ge, False, ("is at least", "is less than")),
    "DateEquals": (DATE, _op.eq, False, _INSTANT),
    "DateNotEquals": (DATE, _op.eq, True, _INSTANT),
    "DateLessThan": (DATE, _op.lt, False, ("is before", "is not before")),
    "DateLessThanEquals": (DATE, _op.le, False, ("is at or before", "is after")),
    "DateGreaterThan": (DATE, _op.gt, False, ("is after", "is not after")),
    "DateGreaterThanEquals": (DATE, _op.ge, False, ("is at or after", "is before")),
    "Bool": (BOOL, _same, False, ("is", "is not")),
    "BinaryEquals": (BIN, _same, False, _EQ),
    "IpAddress": (IP, _in_net, False, ("is in", "is not in")),
    "NotIpAddress": (IP, _in_net, True, ("is in", "is not in")),
    "ArnEquals": (ARN, _glob, False, _MATCH),
    "ArnNotEquals": (ARN, _glob, True, _MATCH),
    "ArnLike": (ARN, _glob, False, _MATCH),
    "ArnNotLike": (ARN, _glob, True, _MATCH),
    "Null": (NULL, _same, False, ("is", "is not")),
}


def _operator(name: str) -> Operator:
    kind, compare, negated, verbs = _TABLE[name]
    return Operator(
        name,
        kind.prepare,
        kind.request,
        compare,
        verbs,
        negated=negated,
        variables=kind.variables,
        wildcards=kind.wildcards,
        expects=kind.expects,
        request_kind=kind.request_kind,
    )


OPERATORS: dict[str, Operator] = {name: _operator(name) for name in _TABLE}
_EXACT = frozenset({"StringEquals", "StringNotEquals"})
SET_OPERATORS: tuple[SetOp, ...] = ("ForAnyValue", "ForAllValues")
_IF_EXISTS = "IfExists"


def _spellings() -> list[str]:
    names = []
    for name in OPERATORS:
        forms = [name] if name == "Null" else [name, name + _IF_EXISTS]
        names += forms
        if name != "Null":
            names += [f"{s}:{f}" for s in SET_OPERATORS for f in forms]
    return names


_ALL_SPELLINGS = _spellings()
_BY_LOWER = {n.lower(): n for n in _ALL_SPELLINGS}


def suggest_operator(name: str) -> str | None:
    """The known operator closest to `name` (same letters in another case first)."""
    if name.lower() in _BY_LOWER:
        return _BY_LOWER[name.lower()]
    close = difflib.get_close_matches(name.lower(), list(_BY_LOWER), n=1, cutoff=0.6)
    return _BY_LOWER[close[0]] if close else None


# --------------------------------------------------------------------------
# Clauses


@dataclass(frozen=True, slots=True)
class Clause:
    """One (operator, key, values) test from a Condition block."""

    operator: str
    base: str
    if_exists: bool
    set_op: SetOp | None
    key: str
    key_lc: str
    values: tuple[str, ...]
    pointer: str
    # Compiled policy values, aligned with `values`; None marks a value with variables.
    _prepared: tuple[object | None, ...] = field(repr=False, compare=False)
    _dynamic: bool = field(repr=False, compare=False)
    _when_missing: bool = field(repr=False, compare=False)
    # Plain string equality needs only set membership (the common KMS case).
    _exact: frozenset[str] | None = field(default=None, repr=False, compare=False)
    # Looked up once: the operator's spec, whether it is negated, whether it is Null.
    _spec: Operator | None = field(default=None, init=False, repr=False, compare=False)
    _negated: bool = field(default=False, init=False, repr=False, compare=False)
    _null: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        spec = OPERATORS[self.base]
        object.__setattr__(self, "_spec", spec)
        object.__setattr__(self, "_negated", spec.negated)
        object.__setattr__(self, "_null", self.base == "Null")

    @property
    def spec(self) -> Operator:
        return OPERATORS[self.base]

    def test(self, ctx: Context, lookup_var: Lookup | None) -> bool:
        """Does the clause hold for this request? (`outcome(...).passed`, without the record.)"""
        found = ctx.get(self.key_lc)
        values = found.values if found is not None else ()
        if not values or self._null:
            return self._without_values(values)
        exact = self._exact
        single = self.set_op is None and len(values) == 1
        if exact is not None:
            if single:
                # `_combine` for one value, inlined: the commonest KMS test.
                return (values[0] in exact) != self._negated
            hits = [v in exact for v in values]
        else:
            spec = self._spec
            assert spec is not None  # set in __post_init__
            policy = self._resolve(lookup_var)[1] if self._dynamic else self._prepared
            if single:
                return (spec.first_hit(values[0], policy) >= 0) != self._negated
            hits = [h >= 0 for h in spec.hits(values, policy)]
        return self._combine(hits)[0]

    def outcome(self, ctx: Context, lookup_var: Lookup | None) -> ClauseOutcome:
        """How the clause fares for this request, with what it compared."""
        found = ctx.get(self.key_lc)
        values = found.values if found is not None else ()
        if self.base == "Null":
            passed = self._without_values(values)
            return ClauseOutcome(self, found is not None, values, self.values, (), (), -1, passed)
        shown, policy, unresolved = self._resolve(lookup_var)
        if not values:
            passed = self._without_values(values)
            return ClauseOutcome(self, found is not None, values, shown, unresolved, (), -1, passed)
        spec = OPERATORS[self.base]
        hits = tuple(spec.hits(values, policy))
        passed, witness = self._combine([h >= 0 for h in hits])
        return ClauseOutcome(self, True, values, shown, unresolved, hits, witness, passed)

    def _without_values(self, values: tuple[str, ...]) -> bool:
        if self.base == "Null":
            # R5.10: "true" asks for the key to be absent, "false" for it to be present.
            return (not values) in self._prepared
        # R5.10 (IfExists, negated operators) and R5.11 (ForAllValues) for a missing key.
        return self._when_missing

    def _combine(self, hits: Sequence[bool]) -> tuple[bool, int]:
        """(verdict, index of the request value that settled it or -1) from whether each
        request value matches a policy value (positively)."""
        negated = OPERATORS[self.base].negated
        if self.set_op is None:
            # Modelled: a plain operator on several request values holds if any matches.
            hit = next((i for i, h in enumerate(hits) if h), -1)
            return (hit >= 0) != negated, hit
        # R5.11: each request value gets the (possibly negated) operator; ForAllValues needs
        # all of them to pass, ForAnyValue one (IAM "multivalued context key examples":
        # ForAllValues:StringNotLike holds when no request value matches, or the key is missing).
        if self.set_op == "ForAllValues":
            bad = next((i for i, h in enumerate(hits) if h == negated), -1)
            return bad < 0, bad
        good = next((i for i, h in enumerate(hits) if h != negated), -1)
        return good >= 0, good

    def _resolve(
        self, lookup_var: Lookup | None
    ) -> tuple[tuple[str, ...], tuple[object | None, ...], tuple[str, ...]]:
        """Policy values for this request: (as shown, compiled, unresolved templates)."""
        if not self._dynamic:
            return self.values, self._prepared, ()
        spec = OPERATORS[self.base]
        shown: list[str] = []
        compiled: list[object | None] = []
        unresolved: list[str] = []
        for raw, ready in zip(self.values, self._prepared, strict=True):
            if ready is not None:
                shown.append(raw)
                compiled.append(ready)
                continue
            text = expand(raw, lookup_var) if lookup_var is not None else None
            if text is None:
                # R5.14: an unresolved variable makes this value match nothing.
                shown.append(raw)
                compiled.append(None)
                unresolved.append(raw)
                continue
            shown.append(_display(text, spec.wildcards))
            compiled.append(spec.try_prepare(text))
        return tuple(shown), tuple(compiled), tuple(unresolved)


def _display(text: str, wildcards: bool) -> str:
    # In a pattern a literal `*` is shown as its escape, elsewhere as itself.
    if wildcards:
        return text.replace(LITERAL_STAR, "${*}").replace(LITERAL_QMARK, "${?}")
    return unmark(text)


@dataclass(frozen=True, slots=True)
class ClauseOutcome:
    """One clause against one request: the verdict and what it rests on."""

    clause: Clause
    present: bool  # the key is in the request (perhaps with no values)
    values: tuple[str, ...]  # the request's values for the key
    shown: tuple[str, ...]  # the policy values compared (variables expanded)
    unresolved: tuple[str, ...]  # policy values whose variable had no value (R5.14)
    hits: tuple[int, ...]  # per request value: the first policy value it matches, or -1
    witness: int  # the request value that settled the verdict, or -1
    passed: bool


def all_pass(clauses: Iterable[Clause], ctx: Context, lookup_var: Lookup | None) -> bool:
    """Every clause holds: operators, keys and clauses combine with AND (R5.8)."""
    return all(c.test(ctx, lookup_var) for c in clauses)


# --------------------------------------------------------------------------
# Compiling a Condition block


@dataclass(frozen=True, slots=True)
class OperatorName:
    """An operator name taken apart: set prefix, base operator, IfExists suffix."""

    base: str
    if_exists: bool
    set_op: SetOp | None


def parse_operator(name: str, pointer: str = "") -> OperatorName | Problem:
    """Split `ForAnyValue:StringLikeIfExists` and the like; a Problem when it is not valid."""
    set_op: SetOp | None = None
    rest = name
    if ":" in name:
        prefix, rest = name.split(":", 1)
        if prefix == "ForAnyValue":
            set_op = "ForAnyValue"
        elif prefix == "ForAllValues":
            set_op = "ForAllValues"
        else:
            return _unknown(name, pointer)
    if rest in OPERATORS:
        base, if_exists = rest, False
    elif rest.endswith(_IF_EXISTS) and rest[: -len(_IF_EXISTS)] in OPERATORS:
        base, if_exists = rest[: -len(_IF_EXISTS)], True
    else:
        return _unknown(name, pointer)
    if base == "Null" and if_exists:
        # R5.10: Null is itself the presence test, so it has no IfExists form.
        return problem(
            "condition.null_if_exists", f"{name}: Null has no IfExists form; use Null", pointer
        )
    if base == "Null" and set_op is not None:
        return problem(
            "condition.null_set_operator",
            f"{name}: Null checks whether a key is present and takes no {set_op} prefix",
            pointer,
        )
    return OperatorName(base, if_exists, set_op)


def _unknown(name: str, pointer: str) -> Problem:
    guess = suggest_operator(name)
    hint = f"; did you mean {guess}?" if guess else ""
    if guess and guess.lower() == name.lower():
        hint = f"; operator names are case-sensitive: {guess}"
    msg = f"Unknown condition operator {name}{hint}"
    return problem("condition.unknown_operator", msg, pointer)


def _raw_values(raw: object, pointer: str) -> tuple[list[tuple[str, str]], list[Problem]]:
    """(value as a string, its pointer) for a scalar or a list of scalars."""
    items: list[tuple[object, str]]
    if isinstance(raw, list):
        if not raw:
            msg = "An empty list of values: give at least one"
            return [], [problem("condition.bad_value", msg, pointer)]
        items = [(v, pointer_join(pointer, i)) for i, v in enumerate(raw)]
    else:
        items = [(raw, pointer)]
    out: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for value, where in items:
        if isinstance(value, (str, int, float)):  # bool is an int, so it is accepted too
            out.append((json_str(value), where))
        else:
            kind = "null" if value is None else type(value).__name__
            msg = f"A condition value must be a string, number or boolean, not {kind}"
            problems.append(problem("condition.type", msg, where))
    return out, problems


def _compile_clause(
    name: str, parsed: OperatorName, key: str, raw: object, pointer: str, use_vars: bool
) -> tuple[Clause | None, list[Problem]]:
    if not key:
        return None, [problem("condition.type", "A condition key name is empty", pointer)]
    pairs, problems = _raw_values(raw, pointer)
    spec = OPERATORS[parsed.base]
    prepared: list[object | None] = []
    for text, where in pairs:
        if use_vars and spec.variables and has_variables(text):
            prepared.append(None)  # expanded per request (R5.14)
            continue
        try:
            ready = spec.prepare(text)
        except ValueError as exc:
            hint = ""
            if use_vars and has_variables(text):
                hint = f"; {parsed.base} does not take policy variables"
            msg = f"{name} needs {spec.expects}: {text!r} {exc}{hint}"
            problems.append(problem("condition.bad_value", msg, where))
            continue
        prepared.append(ready == "true" if parsed.base == "Null" else ready)
    if problems:
        return None, problems
    dynamic = any(p is None for p in prepared)
    exact = frozenset(str(p) for p in prepared) if parsed.base in _EXACT and not dynamic else None
    # R5.10 (IfExists, negated operators) and R5.11 (set operators) for a missing key.
    when_missing = (
        parsed.if_exists
        or parsed.set_op == "ForAllValues"
        or (parsed.set_op is None and spec.negated)
    )
    clause = Clause(
        operator=name,
        base=parsed.base,
        if_exists=parsed.if_exists,
        set_op=parsed.set_op,
        key=key,
        key_lc=key.lower(),
        values=tuple(text for text, _ in pairs),
        pointer=pointer,
        _prepared=tuple(prepared),
        _dynamic=dynamic,
        _when_missing=when_missing,
        _exact=exact,
    )
    return clause, []


def compile_conditions(
    block: object, pointer: str, *, version: str | None
) -> tuple[tuple[Clause, ...], list[Problem]]:
    """Compile a raw `Condition` value into clauses, with any problems found.

    Clauses with errors are left out; the caller should not evaluate a policy
    that has errors. Variables are honoured only under Version 2012-10-17.
    """
    if not isinstance(block, dict):
        msg = "Condition must be an object mapping operators to {key: values}"
        return (), [problem("condition.type", msg, pointer)]
    use_vars = variables_enabled(version)
    clauses: list[Clause] = []
    problems: list[Problem] = []
    for name, keys in block.items():
        where = pointer_join(pointer, name)
        parsed = parse_operator(name, where)
        if isinstance(parsed, Problem):
            problems.append(parsed)
            continue
        if not isinstance(keys, dict):
            msg = f"{name} must be an object mapping condition keys to values"
            problems.append(problem("condition.type", msg, where))
            continue
        for key, raw in keys.items():
            clause, found = _compile_clause(
                name, parsed, key, raw, pointer_join(where, key), use_vars
            )
            problems += found
            if clause is not None:
                clauses.append(clause)
    return tuple(clauses), problems
