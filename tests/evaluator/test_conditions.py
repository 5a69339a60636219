"""Condition operators and the dispatcher: the data table plus focused tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.core.condition_reasons import explain_all
from evaluator.core.conditions import (
    OPERATORS,
    Clause,
    Context,
    ContextEntry,
    all_pass,
    compile_conditions,
    context_lookup,
    entry,
    parse_operator,
    suggest_operator,
)
from evaluator.core.problems import Problem

DATA = json.loads((Path(__file__).parent / "data" / "condition_operators.json").read_text())
EVAL_CASES = [c for c in DATA if "errors" not in c]
ERROR_CASES = [c for c in DATA if "errors" in c]
V2012 = "2012-10-17"
PTR = "/Statement/0/Condition"


def make_context(raw: dict[str, Any]) -> dict[str, ContextEntry]:
    """A context from the table's form: a list is a multi-valued key (R5.9: lower-cased)."""
    return {key.lower(): entry(value) for key, value in raw.items()}


def compile_ok(block: object, version: str | None = V2012) -> tuple[Clause, ...]:
    clauses, problems = compile_conditions(block, PTR, version=version)
    assert problems == []
    return clauses


def run(block: object, ctx: dict[str, Any], version: str | None = V2012) -> bool:
    context = make_context(ctx)
    return all_pass(compile_ok(block, version), context, context_lookup(context))


# --------------------------------------------------------------------------- the data table


@pytest.mark.parametrize("case", EVAL_CASES, ids=[c["id"] for c in EVAL_CASES])
def test_condition_table(case: dict[str, Any]) -> None:
    version = case.get("version", V2012)
    clauses = compile_ok(case["condition"], version)
    ctx = make_context(case["context"])
    lookup = context_lookup(ctx)
    assert all_pass(clauses, ctx, lookup) is case["expected"], case["note"]
    # explain() must reach the same verdict as test(), clause by clause.
    results = explain_all(clauses, ctx, lookup)
    assert [r.passed for r in results] == [c.test(ctx, lookup) for c in clauses]
    assert all(r.reason for r in results)


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c["id"] for c in ERROR_CASES])
def test_condition_table_errors(case: dict[str, Any]) -> None:
    version = case.get("version", V2012)
    _, problems = compile_conditions(case["condition"], PTR, version=version)
    assert sorted(p.code for p in problems) == sorted(case["errors"])
    assert all(p.is_error for p in problems)


def test_table_covers_every_operator() -> None:
    used = set()
    for case in DATA:
        block = case["condition"]
        if isinstance(block, dict):
            for name in block:
                parsed = parse_operator(name)
                if not isinstance(parsed, Problem):
                    used.add(parsed.base)
    assert used >= set(OPERATORS)


def test_table_cases_have_ids_and_notes() -> None:
    ids = [c["id"] for c in DATA]
    assert len(ids) == len(set(ids))
    assert all("note" in c for c in DATA)


# --------------------------------------------------------------------------- IfExists, missing keys


IF_EXISTS_FORMS = [name for name in OPERATORS if name != "Null"]
SAMPLE_VALUE = {
    "Numeric": "1",
    "Date": "2026-01-01T00:00:00Z",
    "Bool": "true",
    "BinaryEquals": "QQ==",
    "IpAddress": "10.0.0.0/8",
    "NotIpAddress": "10.0.0.0/8",
    "Arn": "arn:aws:s3:::b",
}


def sample_for(name: str) -> str:
    for prefix, value in SAMPLE_VALUE.items():
        if name.startswith(prefix):
            return value
    return "v"


@pytest.mark.parametrize("name", IF_EXISTS_FORMS)
def test_every_if_exists_form_holds_when_key_missing(name: str) -> None:
    assert run({name + "IfExists": {"k": sample_for(name)}}, {})


@pytest.mark.parametrize("name", IF_EXISTS_FORMS)
def test_missing_key_is_false_for_positive_and_true_for_negated(name: str) -> None:
    # R5.10: a missing key fails positive operators and satisfies negated ones.
    assert run({name: {"k": sample_for(name)}}, {}) is OPERATORS[name].negated


@pytest.mark.parametrize("name", IF_EXISTS_FORMS)
def test_for_all_values_holds_when_key_missing(name: str) -> None:
    assert run({"ForAllValues:" + name: {"k": sample_for(name)}}, {})


@pytest.mark.parametrize("name", IF_EXISTS_FORMS)
def test_for_any_value_fails_when_key_missing(name: str) -> None:
    assert not run({"ForAnyValue:" + name: {"k": sample_for(name)}}, {})


def test_empty_values_count_as_missing_for_plain_operators() -> None:
    assert not run({"StringLike": {"aws:TagKeys": "*"}}, {"aws:TagKeys": []})
    assert run({"StringNotLike": {"aws:TagKeys": "*"}}, {"aws:TagKeys": []})


def test_plain_operator_on_multi_valued_key_matches_any_value() -> None:
    # Modelled: without a set operator, any request value may satisfy the operator.
    assert run({"StringEquals": {"aws:TagKeys": "b"}}, {"aws:TagKeys": ["a", "b"]})
    assert not run({"StringNotEquals": {"aws:TagKeys": "b"}}, {"aws:TagKeys": ["a", "b"]})


@settings(max_examples=200, deadline=None)
@given(
    st.text(st.sampled_from("ab*?"), min_size=0, max_size=4),
    st.lists(st.text(st.sampled_from("ab"), max_size=3), min_size=1, max_size=3),
)
def test_negated_operator_is_the_opposite_of_its_positive_twin(
    request_value: str, policy_values: list[str]
) -> None:
    ctx = {"k": request_value}
    for positive, negated in [("StringLike", "StringNotLike"), ("StringEquals", "StringNotEquals")]:
        assert run({positive: {"k": policy_values}}, ctx) is not run(
            {negated: {"k": policy_values}}, ctx
        )


# --------------------------------------------------------------------------- compiling


def test_clause_keeps_key_as_written_and_lower_cased() -> None:
    (clause,) = compile_ok({"ForAllValues:StringLikeIfExists": {"AWS:TagKeys": ["a*"]}})
    assert clause.operator == "ForAllValues:StringLikeIfExists"
    assert clause.base == "StringLike"
    assert clause.if_exists
    assert clause.set_op == "ForAllValues"
    assert clause.key == "AWS:TagKeys"
    assert clause.key_lc == "aws:tagkeys"
    assert clause.values == ("a*",)
    assert clause.pointer == f"{PTR}/ForAllValues:StringLikeIfExists/AWS:TagKeys"


def test_encryption_context_clause_exposes_set_op_for_callers() -> None:
    # R4.4: the caller rejects ForAllValues on kms:EncryptionContext:<key>; it needs these.
    (clause,) = compile_ok({"ForAllValues:StringEquals": {"kms:EncryptionContext:Dept": "IT"}})
    assert clause.set_op == "ForAllValues"
    assert clause.key_lc.startswith("kms:encryptioncontext:")


def test_values_from_json_become_strings() -> None:
    (clause,) = compile_ok({"StringEquals": {"k": [True, 10, 1.5, "x"]}})
    assert clause.values == ("true", "10", "1.5", "x")


def test_error_pointer_names_the_key() -> None:
    _, problems = compile_conditions(
        {"IpAddress": {"aws:SourceIp": "300.0.0.0/8"}}, PTR, version=V2012
    )
    assert [p.pointer for p in problems] == [f"{PTR}/IpAddress/aws:SourceIp"]


def test_error_pointer_names_the_list_item_and_escapes_slashes() -> None:
    _, problems = compile_conditions(
        {"NumericEquals": {"aws:PrincipalTag/level": ["1", "two"]}}, PTR, version=V2012
    )
    assert [p.pointer for p in problems] == [f"{PTR}/NumericEquals/aws:PrincipalTag~1level/1"]


def test_unknown_operator_suggests_closest_name() -> None:
    _, problems = compile_conditions({"StringEqualz": {"k": "v"}}, PTR, version=V2012)
    assert "StringEquals" in problems[0].message
    assert problems[0].pointer == f"{PTR}/StringEqualz"


def test_suggestion_for_wrong_case_and_prefix() -> None:
    assert suggest_operator("stringlike") == "StringLike"
    assert suggest_operator("ForAnyValues:StringLike") == "ForAnyValue:StringLike"
    assert suggest_operator("Zzzzzzzz") is None


def test_clauses_with_errors_are_left_out_others_kept() -> None:
    clauses, problems = compile_conditions(
        {"StringEquals": {"a": "x"}, "NumericEquals": {"b": "nope"}}, PTR, version=V2012
    )
    assert [c.key for c in clauses] == ["a"]
    assert [p.code for p in problems] == ["condition.bad_value"]


def test_variables_are_literal_text_when_disabled() -> None:
    # Under 2008-10-17 a numeric value containing ${...} is just a bad number.
    _, problems = compile_conditions({"NumericEquals": {"n": "${x}"}}, PTR, version="2008-10-17")
    assert [p.code for p in problems] == ["condition.bad_value"]


def test_operator_matches_single_values() -> None:
    assert OPERATORS["IpAddress"].matches("10.1.2.3", "10.0.0.0/8")
    assert OPERATORS["NotIpAddress"].matches("10.1.2.3", "192.168.0.0/16")
    assert OPERATORS["StringLike"].matches("abc", "a*")
    assert not OPERATORS["NumericLessThan"].matches("10", "10")
    with pytest.raises(ValueError):
        OPERATORS["NumericLessThan"].matches("10", "ten")


# --------------------------------------------------------------------------- explanations


def explain_one(block: object, ctx: dict[str, Any], version: str | None = V2012):
    context = make_context(ctx)
    (result,) = explain_all(compile_ok(block, version), context, context_lookup(context))
    return result


def test_explain_ip_not_in_range() -> None:
    result = explain_one(
        {"IpAddress": {"aws:SourceIp": "192.168.0.0/16"}}, {"aws:SourceIp": "10.1.2.3"}
    )
    assert not result.passed
    assert result.reason == "aws:SourceIp 10.1.2.3 is not in 192.168.0.0/16"
    assert result.request_values == ("10.1.2.3",)
    assert result.pointer == f"{PTR}/IpAddress/aws:SourceIp"


def test_explain_missing_key() -> None:
    result = explain_one({"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}, {})
    assert result.request_values is None
    assert result.reason == "kms:ViaService is not in the request, and StringEquals needs it"


def test_explain_if_exists_missing_key() -> None:
    result = explain_one({"StringEqualsIfExists": {"kms:ViaService": "x"}}, {})
    assert result.passed
    assert result.reason == "IfExists: kms:ViaService is absent, so the condition holds"


def test_explain_negated_operator_names_the_value_it_equals() -> None:
    result = explain_one(
        {"StringNotEquals": {"aws:PrincipalTag/team": ["red", "blue"]}},
        {"aws:PrincipalTag/team": "blue"},
    )
    assert not result.passed
    assert result.reason == "aws:PrincipalTag/team blue equals blue, so StringNotEquals fails"


def test_explain_for_all_values_names_the_unlisted_value() -> None:
    result = explain_one(
        {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt", "Encrypt"]}},
        {"kms:GrantOperations": ["Decrypt", "CreateGrant"]},
    )
    assert not result.passed
    assert "CreateGrant" in result.reason
    assert result.reason.endswith("so ForAllValues fails")


def test_explain_shows_policy_values_after_expansion() -> None:
    result = explain_one(
        {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "pub/${*}"]}},
        {"s3:prefix": "home/alice/x", "aws:username": "alice"},
    )
    assert result.passed
    assert result.policy_values == ("home/alice/*", "pub/${*}")


def test_explain_unresolved_variable() -> None:
    result = explain_one(
        {"StringEquals": {"aws:PrincipalTag/team": "${aws:ResourceTag/team}"}},
        {"aws:PrincipalTag/team": "blue"},
    )
    assert not result.passed
    assert result.policy_values == ("${aws:ResourceTag/team}",)
    assert "no value for the variable" in result.reason


def test_explain_non_ip_request_value() -> None:
    result = explain_one({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, {"aws:SourceIp": "ec2"})
    assert not result.passed
    assert "is not an IP address" in result.reason


def test_explain_null() -> None:
    result = explain_one({"Null": {"kms:ViaService": "true"}}, {"kms:ViaService": "s3"})
    assert not result.passed
    assert result.reason == 'kms:ViaService is present (s3), but Null "true" needs it absent'


# --------------------------------------------------------------------------- context helpers


def test_entry_converts_json_values_to_strings() -> None:
    assert entry(True) == ContextEntry(("true",))
    assert entry(False, source="the principal") == ContextEntry(("false",), False, "the principal")
    assert entry(42) == ContextEntry(("42",))
    assert entry(["a", 1, False]) == ContextEntry(("a", "1", "false"), True)
    assert entry(["only"], multi=False).multi is False


def test_entry_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        entry({"a": 1})


def test_context_lookup_gives_single_values_only() -> None:
    ctx: Context = {"aws:username": entry("alice"), "aws:tagkeys": entry(["a"])}
    lookup = context_lookup(ctx)
    assert lookup("aws:username") == "alice"
    assert lookup("aws:tagkeys") is None  # R5.14: multi-valued keys are not variables
    assert lookup("aws:nothing") is None


def test_lookup_none_leaves_variables_unresolved() -> None:
    clauses = compile_ok({"StringNotEquals": {"k": "${aws:username}"}})
    ctx = make_context({"k": "alice", "aws:username": "alice"})
    assert all_pass(clauses, ctx, None)  # unresolved: negated operator matches
    assert not all_pass(clauses, ctx, context_lookup(ctx))


# --------------------------------------------------------------------------- one semantics

# Values of every operator kind, some of them wrong for the kind, and policy variables.
_VALUES = [
    "a",
    "A",
    "a*",
    "?",
    "1",
    "2.5",
    "true",
    "false",
    "YQ==",
    "10.0.0.1",
    "10.0.0.0/8",
    "2001:db8::/32",
    "2026-01-01T00:00:00Z",
    "1767225600",
    "arn:aws:iam::111122223333:user/a",
    "arn:aws:iam::*:user/*",
    "${aws:username}",
    "${k}",
]
_OPERATOR_NAMES = st.builds(
    lambda prefix, base, if_exists: (
        base if base == "Null" else f"{prefix}{base}{'IfExists' if if_exists else ''}"
    ),
    st.sampled_from(["", "ForAnyValue:", "ForAllValues:"]),
    st.sampled_from(sorted(OPERATORS)),
    st.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(
    name=_OPERATOR_NAMES,
    policy_values=st.lists(st.sampled_from(_VALUES), min_size=1, max_size=3),
    request=st.one_of(
        st.none(), st.lists(st.sampled_from(_VALUES), max_size=3), st.sampled_from(_VALUES)
    ),
    username=st.one_of(st.none(), st.sampled_from(_VALUES)),
)
def test_a_clause_explains_the_verdict_it_tests(name, policy_values, request, username) -> None:
    clauses, problems = compile_conditions({name: {"k": policy_values}}, PTR, version=V2012)
    if problems:
        return  # values of the wrong kind for this operator: nothing to evaluate
    raw = {} if request is None else {"k": request}
    if username is not None:
        raw["aws:username"] = username
    ctx = make_context(raw)
    lookup = context_lookup(ctx)
    (clause,) = clauses
    (explained,) = explain_all(clauses, ctx, lookup)
    assert explained.passed == clause.test(ctx, lookup) == clause.outcome(ctx, lookup).passed
    assert explained.reason


HOSTILE_PATTERN = "*" + "a" * 3000 + "?b"
LONG_VALUE = "a" * 6000
ARN_PATTERN = "arn:aws:iam::*:role/*" + "a" * 3000 + "?b"
ARN_VALUE = "arn:aws:iam::111122223333:role/" + "a" * 6000

# (id, condition block, context, expected): the hostile wildcard through every form
HOSTILE_CONDITIONS = [
    ("string-like", {"StringLike": {"k": HOSTILE_PATTERN}}, {"k": LONG_VALUE}, False),
    ("string-like-hit", {"StringLike": {"k": HOSTILE_PATTERN}}, {"k": LONG_VALUE + "b"}, True),
    ("string-not-like", {"StringNotLike": {"k": HOSTILE_PATTERN}}, {"k": LONG_VALUE}, True),
    (
        "string-like-if-exists",
        {"StringLikeIfExists": {"k": HOSTILE_PATTERN}},
        {"k": LONG_VALUE},
        False,
    ),
    (
        "for-any-value",
        {"ForAnyValue:StringLike": {"k": HOSTILE_PATTERN}},
        {"k": [LONG_VALUE, LONG_VALUE + "xb"]},
        True,
    ),
    (
        "for-all-values",
        {"ForAllValues:StringLike": {"k": HOSTILE_PATTERN}},
        {"k": [LONG_VALUE, LONG_VALUE + "xb"]},
        False,
    ),
    ("arn-like", {"ArnLike": {"k": ARN_PATTERN}}, {"k": ARN_VALUE}, False),
    ("arn-like-hit", {"ArnLike": {"k": ARN_PATTERN}}, {"k": ARN_VALUE + "b"}, True),
    ("arn-not-like-if-exists", {"ArnNotLikeIfExists": {"k": ARN_PATTERN}}, {"k": ARN_VALUE}, True),
]


@pytest.mark.parametrize(
    ("block", "ctx", "expected"),
    [c[1:] for c in HOSTILE_CONDITIONS],
    ids=[c[0] for c in HOSTILE_CONDITIONS],
)
def test_hostile_wildcards_are_decided_in_every_operator_form(block, ctx, expected) -> None:
    # The matcher's cost is measured by bench/wildcard.py; this checks the answers.
    assert run(block, ctx) is expected
