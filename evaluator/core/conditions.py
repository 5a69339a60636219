"""Condition operators (one table) and the dispatcher that applies them.

A `Condition` block compiles into `Clause`s, one per (operator, key). Each
clause evaluates against a request context with `test` (fast, a bool) or
`explain` (a `ClauseResult` with a one-sentence reason for the trace).
Everything about a value that can be worked out from the policy alone
(parsed numbers, dates, CIDRs, compiled globs) is done at compile time.
"""

from __future__ import annotations

import base64
import difflib
import ipaddress
import operator as _op
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal, cast

from evaluator.core.arn import compile_arn
from evaluator.core.problems import Problem, pointer_join, problem
from evaluator.core.variables import expand, has_variables, variables_enabled
from evaluator.core.wildcard import (
    LITERAL_QMARK,
    LITERAL_STAR,
    GlobMatcher,
    compile_glob,
    unmark,
)

SetOp = Literal["ForAnyValue", "ForAllValues"]
Lookup = Callable[[str], str | None]

# --------------------------------------------------------------------------
# Request context


@dataclass(frozen=True, slots=True)
class ContextEntry:
    """The value(s) of one condition key in a request, always as strings."""

    values: tuple[str, ...]
    multi: bool = False
    source: str = ""


# Keyed by the lower-cased key name, since key names are case-insensitive (R5.9).
Context = Mapping[str, ContextEntry]


def _json_str(value: object) -> str:
    if isinstance(value, bool):  # before int: bool is an int in Python
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise TypeError(f"a condition value must be a string, number or boolean, not {value!r}")


def entry(value: object, *, multi: bool | None = None, source: str = "") -> ContextEntry:
    """A ContextEntry from a JSON value; a list is multi-valued unless told otherwise."""
    if isinstance(value, (list, tuple)):
        values = tuple(map(_json_str, value))
        return ContextEntry(values, True if multi is None else multi, source)
    return ContextEntry((_json_str(value),), bool(multi), source)


def context_lookup(ctx: Context) -> Lookup:
    """A variable lookup over `ctx`: single-valued keys only (R5.14)."""

    def lookup(key_lc: str) -> str | None:
        found = ctx.get(key_lc)
        if found is None or found.multi or len(found.values) != 1:
            return None
        return found.values[0]

    return lookup


# --------------------------------------------------------------------------
# Value parsers: each raises ValueError (with a short reason) when text does not fit.

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_EPOCH = re.compile(r"[+-]?\d+(?:\.\d+)?")


def parse_number(text: str) -> float:
    if not _NUMBER.fullmatch(text):
        raise ValueError("is not a number")
    return float(text)


def parse_date(text: str) -> float:
    """Seconds since the epoch, from epoch seconds or ISO 8601 (R5.13)."""
    if _EPOCH.fullmatch(text):
        return float(text)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("is neither ISO 8601 nor epoch seconds") from None
    if when.tzinfo is None:  # an instant without an offset is read as UTC
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddr = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_cidr(text: str) -> IpNetwork:
    """A CIDR block; a bare address is a /32 (IPv4) or /128 (IPv6) (R5.13)."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError("is not an IP address or CIDR block") from None


def parse_ip(text: str) -> IpAddr:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise ValueError("is not an IP address") from None


def parse_bool(text: str) -> str:
    low = text.lower()
    if low not in ("true", "false"):
        raise ValueError('is not "true" or "false"')
    return low


def parse_base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise ValueError("is not base64") from None


def _lenient(parse: Callable[[str], object]) -> Callable[[str], object | None]:
    # A request value that does not parse simply matches nothing; the same request
    # values recur across many policies, so parsed forms are cached.
    @lru_cache(maxsize=4096)
    def attempt(text: str) -> object | None:
        try:
            return parse(text)
        except ValueError:
            return None

    return attempt


# --------------------------------------------------------------------------
# The operator table


@dataclass(frozen=True, slots=True)
class Operator:
    """One base operator: how to read each side and how to compare them."""

    name: str
    prepare: Callable[[str], object]  # policy value -> compiled form (the validator)
    request: Callable[[str], object | None]  # request value -> comparable form, None = no match
    compare: Callable[[object, object], bool]  # (request form, policy form) -> positive match
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


def _same(a: object, b: object) -> bool:
    return a == b


def _glob(req: object, pat: object) -> bool:
    return cast(GlobMatcher, pat).match(cast(str, req))


def _in_net(addr: object, net: object) -> bool:
    a, n = cast(IpAddr, addr), cast(IpNetwork, net)
    return a.version == n.version and a in n


def _str_lower(text: str) -> object:
    return text.lower()


def _ident(text: str) -> object:
    return text


def _plain(text: str) -> object:
    return unmark(text)


def _plain_lower(text: str) -> object:
    return unmark(text).lower()


def _bool_value(text: str) -> object:
    return parse_bool(unmark(text))


@dataclass(frozen=True, slots=True)
class _Kind:
    """What a family of operators shares: parsing, variables, wording."""

    prepare: Callable[[str], object]
    request: Callable[[str], object | None]
    expects: str
    request_kind: str = ""
    variables: bool = False
    wildcards: bool = False


# R5.12: string operators take variables (R5.14); only the Like forms take wildcards.
_TEXT = _Kind(_plain, _ident, "a string", variables=True)
_FOLD = _Kind(_plain_lower, _str_lower, "a string", variables=True)
_LIKE = _Kind(compile_glob, _ident, "a string", variables=True, wildcards=True)
# R5.13: numbers, dates, binary and addresses take no variables and no wildcards.
_NUM = _Kind(parse_number, _lenient(parse_number), "a number", "a number")
_DATE = _Kind(parse_date, _lenient(parse_date), "an ISO 8601 date or epoch seconds", "a date")
_BOOL = _Kind(_bool_value, _str_lower, '"true" or "false"', variables=True)
_BIN = _Kind(parse_base64, _lenient(parse_base64), "base64", "base64")
_IP = _Kind(parse_cidr, _lenient(parse_ip), "an IP address or CIDR block", "an IP address")
# R5.13: ArnEquals behaves as ArnLike: each ARN part is a glob.
_ARN = _Kind(compile_arn, _ident, "an ARN", variables=True, wildcards=True)
# R5.10: Null only checks presence; its comparison is never used.
_NULL = _Kind(parse_bool, _ident, '"true" or "false"')

_EQ = ("equals", "does not equal")
_MATCH = ("matches", "does not match")
_INSTANT = ("is the same instant as", "is not the same instant as")

# name: (kind, positive comparison, negated?, (verb for a match, verb for a miss))
_TABLE: dict[str, tuple[_Kind, Callable[[object, object], bool], bool, tuple[str, str]]] = {
    "StringEquals": (_TEXT, _same, False, _EQ),
    "StringNotEquals": (_TEXT, _same, True, _EQ),
    "StringEqualsIgnoreCase": (_FOLD, _same, False, ("equals (ignoring case)", "does not equal")),
    "StringNotEqualsIgnoreCase": (_FOLD, _same, True, ("equals (ignoring case)", "does not equal")),
    "StringLike": (_LIKE, _glob, False, _MATCH),
    "StringNotLike": (_LIKE, _glob, True, _MATCH),
    "NumericEquals": (_NUM, _op.eq, False, _EQ),
    "NumericNotEquals": (_NUM, _op.eq, True, _EQ),
    "NumericLessThan": (_NUM, _op.lt, False, ("is less than", "is not less than")),
    "NumericLessThanEquals": (_NUM, _op.le, False, ("is at most", "is more than")),
    "NumericGreaterThan": (_NUM, _op.gt, False, ("is more than", "is not more than")),
    "NumericGreaterThanEquals": (_NUM, _op.ge, False, ("is at least", "is less than")),
    "DateEquals": (_DATE, _op.eq, False, _INSTANT),
    "DateNotEquals": (_DATE, _op.eq, True, _INSTANT),
    "DateLessThan": (_DATE, _op.lt, False, ("is before", "is not before")),
    "DateLessThanEquals": (_DATE, _op.le, False, ("is at or before", "is after")),
    "DateGreaterThan": (_DATE, _op.gt, False, ("is after", "is not after")),
    "DateGreaterThanEquals": (_DATE, _op.ge, False, ("is at or after", "is before")),
    "Bool": (_BOOL, _same, False, ("is", "is not")),
    "BinaryEquals": (_BIN, _same, False, _EQ),
    "IpAddress": (_IP, _in_net, False, ("is in", "is not in")),
    "NotIpAddress": (_IP, _in_net, True, ("is in", "is not in")),
    "ArnEquals": (_ARN, _glob, False, _MATCH),
    "ArnNotEquals": (_ARN, _glob, True, _MATCH),
    "ArnLike": (_ARN, _glob, False, _MATCH),
    "ArnNotLike": (_ARN, _glob, True, _MATCH),
    "Null": (_NULL, _same, False, ("is", "is not")),
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
class ClauseResult:
    """How one clause fared against one request, for the trace."""

    operator: str
    key: str
    policy_values: tuple[str, ...]
    request_values: tuple[str, ...] | None
    passed: bool
    reason: str
    pointer: str


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

    @property
    def spec(self) -> Operator:
        return OPERATORS[self.base]

    def test(self, ctx: Context, lookup_var: Lookup | None) -> bool:
        """Does the clause hold for this request?"""
        found = ctx.get(self.key_lc)
        values = found.values if found is not None else ()
        if self.base == "Null":
            # R5.10: "true" asks for the key to be absent, "false" for it to be present.
            return (not values) in self._prepared
        if not values:
            return self._when_missing
        spec = OPERATORS[self.base]
        negated = spec.negated
        exact = self._exact
        if exact is not None:
            if self.set_op is None and len(values) == 1:
                return (values[0] in exact) != negated
            hits = [v in exact for v in values]
        else:
            policy = self._policy_for(lookup_var) if self._dynamic else self._prepared
            hits = [_hit(spec, v, policy) >= 0 for v in values]
        if self.set_op is None:
            # Modelled: a plain operator on several request values holds if any matches.
            return any(hits) != negated
        # R5.11: each request value gets the (possibly negated) operator; ForAllValues needs
        # all of them to pass, ForAnyValue one (IAM "multivalued context key examples":
        # ForAllValues:StringNotLike holds when no request value matches, or the key is missing).
        if self.set_op == "ForAllValues":
            return all(h != negated for h in hits)
        return any(h != negated for h in hits)

    def _policy_for(self, lookup_var: Lookup | None) -> list[object | None]:
        """Compiled policy values for this request (variables expanded), for `test`."""
        spec = OPERATORS[self.base]
        out: list[object | None] = []
        for raw, ready in zip(self.values, self._prepared, strict=True):
            if ready is None:
                text = expand(raw, lookup_var) if lookup_var is not None else None
                ready = _try_prepare(spec, text)
            out.append(ready)
        return out

    def _resolve(
        self, lookup_var: Lookup | None
    ) -> tuple[tuple[str, ...], tuple[object | None, ...], tuple[str, ...]]:
        """Policy values for this request: (shown, compiled, unresolved templates)."""
        if not self._dynamic:
            return self.values, self._prepared, ()
        spec = OPERATORS[self.base]
        shown: list[str] = []
        compiled: list[object | None] = []
        missing: list[str] = []
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
                missing.append(raw)
                continue
            shown.append(_display(text, spec.wildcards))
            compiled.append(_try_prepare(spec, text))
        return tuple(shown), tuple(compiled), tuple(missing)

    def explain(self, ctx: Context, lookup_var: Lookup | None) -> ClauseResult:
        """The same verdict as `test`, with the values and a plain-English reason."""
        found = ctx.get(self.key_lc)
        values = found.values if found is not None else ()
        request = values if values else None
        if self.base == "Null":
            passed, reason = self._explain_null(values)
            return self._result(self.values, request, passed, reason)
        shown, policy, missing = self._resolve(lookup_var)
        if not values:
            passed, reason = self._when_missing, self._missing_reason(found is not None)
        else:
            passed, reason = self._explain_present(values, shown, policy)
        if missing and values:
            reason += f" (no value for the variable in {', '.join(missing)}, so it matches nothing)"
        return self._result(shown, request, passed, reason)

    def _result(
        self, shown: tuple[str, ...], request: tuple[str, ...] | None, passed: bool, reason: str
    ) -> ClauseResult:
        return ClauseResult(self.operator, self.key, shown, request, passed, reason, self.pointer)

    def _explain_null(self, values: tuple[str, ...]) -> tuple[bool, str]:
        absent = not values
        passed = absent in self._prepared
        state = "absent" if absent else f"present ({_join(values)})"
        if passed:
            want = "true" if absent else "false"
            return True, f'{self.key} is {state}, as Null "{want}" asks'
        want = "false" if absent else "true"
        need = "present" if absent else "absent"
        return False, f'{self.key} is {state}, but Null "{want}" needs it {need}'

    def _missing_reason(self, empty: bool) -> str:
        where = "has no values in the request" if empty else "is not in the request"
        if self.if_exists:
            return f"IfExists: {self.key} is absent, so the condition holds"
        if self.set_op == "ForAllValues":
            return f"{self.key} {where}, and ForAllValues holds for an empty set"
        if self.set_op == "ForAnyValue":
            return f"{self.key} {where}, and ForAnyValue needs at least one value"
        if OPERATORS[self.base].negated:
            return f"{self.key} {where}, so {self.base} holds (nothing to differ from its values)"
        return f"{self.key} {where}, and {self.base} needs it"

    def _explain_present(
        self, values: tuple[str, ...], shown: tuple[str, ...], policy: Sequence[object | None]
    ) -> tuple[bool, str]:
        spec = OPERATORS[self.base]
        yes = spec.verbs[0]
        hits = [_hit(spec, v, policy) for v in values]
        anyof = _any_of(shown)
        key, neg = self.key, spec.negated
        word = self.operator.split(":")[0] if self.set_op else self.base
        if self.set_op == "ForAllValues":
            bad = next((i for i, h in enumerate(hits) if (h >= 0) == neg), -1)
            if bad < 0:
                every, against = ("no", anyof) if neg else ("every", _one_of(shown))
                return (
                    True,
                    f"{every} {key} value ({_join(values)}) {yes} {against}, so {word} holds",
                )
            said = self._one(spec, values[bad], hits[bad], shown)
            return False, f"{key} value {said}, so {word} fails"
        if self.set_op == "ForAnyValue":
            good = next((i for i, h in enumerate(hits) if (h >= 0) != neg), -1)
            if good >= 0:
                said = self._one(spec, values[good], hits[good], shown)
                return True, f"{key} value {said}, so {word} holds"
            every, against = ("every", _one_of(shown)) if neg else ("no", anyof)
            return False, f"{every} {key} value ({_join(values)}) {yes} {against}, so {word} fails"
        hit = next((i for i, h in enumerate(hits) if h >= 0), -1)
        passed = (hit >= 0) != neg
        if len(values) == 1 or hit >= 0:
            at = hit if hit >= 0 else 0
            said = f"{key} {self._one(spec, values[at], hits[at], shown)}"
        else:
            said = f"none of {key}'s values ({_join(values)}) {yes} {anyof}"
        if neg:
            return passed, f"{said}, so {self.base} {'holds' if passed else 'fails'}"
        return passed, said

    def _one(self, spec: Operator, value: str, hit: int, shown: tuple[str, ...]) -> str:
        """`<value> <verb> <policy value(s)>` for one request value."""
        yes, no = spec.verbs
        if hit >= 0:
            return f"{value} {yes} {shown[hit]}"
        if spec.request_kind and spec.request(value) is None:
            return f"{value} is not {spec.request_kind}, so it matches none of the values"
        return f"{value} {no} {_any_of(shown)}"


def _try_prepare(spec: Operator, text: str | None) -> object | None:
    # An unresolved variable, or an expansion the operator cannot read, matches nothing.
    if text is None:
        return None
    try:
        return spec.prepare(text)
    except ValueError:
        return None


def _hit(spec: Operator, raw: str, policy: Sequence[object | None]) -> int:
    """Index of the first policy value `raw` matches (positively), or -1."""
    got = spec.request(raw)
    if got is None:
        return -1
    compare = spec.compare
    for i, want in enumerate(policy):
        if want is not None and compare(got, want):
            return i
    return -1


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


def all_pass(clauses: Iterable[Clause], ctx: Context, lookup_var: Lookup | None) -> bool:
    """Every clause holds: operators, keys and clauses combine with AND (R5.8)."""
    return all(c.test(ctx, lookup_var) for c in clauses)


def explain_all(
    clauses: Iterable[Clause], ctx: Context, lookup_var: Lookup | None
) -> tuple[ClauseResult, ...]:
    """A result for every clause (the block holds when all of them pass, R5.8)."""
    return tuple(c.explain(ctx, lookup_var) for c in clauses)


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
            out.append((_json_str(value), where))
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
