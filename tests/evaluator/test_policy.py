"""parse_policy and check_policy: what a user typing a policy is told, and where.

check_policy takes the text exactly as typed, so every problem it reports
carries a JSON pointer and the line and column the editor marks.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator import check_policy, parse_policy

ACCOUNT = "111122223333"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KINDS = ["identity", "boundary", "session", "key", "bucket", "trust", "scp", "rcp", "endpoint"]


def text_of(*statements: dict, version: str | None = "2012-10-17", **top) -> str:
    """A policy as a user would paste it: indented, one member per line."""
    doc: dict = {}
    if version is not None:
        doc["Version"] = version
    doc["Statement"] = list(statements)
    doc.update(top)
    return json.dumps(doc, indent=2)


def line_col_of(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column where `needle` first starts in `text`."""
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def errors_of(text: str, kind: str):
    return [p for p in check_policy(text, kind) if p.is_error]


# ----------------------------------------------------------------------------- error kinds

ALLOW_KMS = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
KEY_STMT = {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "kms:*", "Resource": "*"}


def error_cases() -> list:
    """(text, kind, problem code, JSON pointer, text the line/column must point at)."""
    wrong_type = text_of({"Effect": "Allow", "Action": 5, "Resource": "*"})
    unknown_case = text_of({"effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"})
    unknown_top = text_of(ALLOW_KMS, Statment=[])
    principal_in_identity = text_of({**ALLOW_KMS, "Principal": "*"})
    key_without_principal = text_of(ALLOW_KMS)
    bucket_without_principal = text_of(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    )
    trust_without_principal = text_of({"Effect": "Allow", "Action": "sts:AssumeRole"})
    bad_effect = text_of({**ALLOW_KMS, "Effect": "Permit"})
    both_actions = text_of({**ALLOW_KMS, "NotAction": "kms:Encrypt"})
    bad_action = text_of({**ALLOW_KMS, "Action": "Decrypt"})
    bad_action_in_list = text_of({**ALLOW_KMS, "Action": ["kms:Encrypt", "kms Decrypt"]})
    partial_wildcard = text_of(
        {**KEY_STMT, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app-*"}}
    )
    bad_operator = text_of(
        {**ALLOW_KMS, "Condition": {"StringEqualz": {"kms:CallerAccount": ACCOUNT}}}
    )
    trust_not_principal = text_of(
        {"Effect": "Deny", "NotPrincipal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}
    )
    rcp_allow = text_of({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"})
    bad_version = text_of(ALLOW_KMS, version="2012-10-18")
    no_effect = text_of({"Action": "kms:Decrypt", "Resource": "*"})
    bad_resource = text_of({**ALLOW_KMS, "Resource": "my-key"})
    statement_not_list = json.dumps({"Version": "2012-10-17", "Statement": "Allow"}, indent=2)
    not_object = json.dumps(["Allow"], indent=2)
    return [
        pytest.param(
            '{\n  "Version": "2012-10-17",\n  "Statement": [}',
            "identity",
            "json.syntax",
            "",
            "}",
            id="invalid-json",
        ),
        pytest.param(
            '{\n  "Version": "2012-10-17",\n  "Statement": [],\n}',
            "identity",
            "json.syntax",
            "",
            ",\n}",
            id="invalid-json-trailing-comma",
        ),
        pytest.param(
            wrong_type,
            "identity",
            "policy.type",
            "/Statement/0/Action",
            '"Action"',
            id="action-of-wrong-type",
        ),
        pytest.param(
            statement_not_list,
            "identity",
            "policy.type",
            "/Statement",
            '"Statement"',
            id="statement-of-wrong-type",
        ),
        pytest.param(not_object, "identity", "policy.type", "", "[", id="policy-not-an-object"),
        pytest.param(
            unknown_case,
            "identity",
            "policy.unknown_element",
            "/Statement/0/effect",
            '"effect"',
            id="unknown-statement-element",
        ),
        pytest.param(
            unknown_top,
            "identity",
            "policy.unknown_element",
            "/Statment",
            '"Statment"',
            id="unknown-top-element",
        ),
        pytest.param(
            principal_in_identity,
            "identity",
            "policy.principal_in_identity_policy",
            "/Statement/0/Principal",
            '"Principal"',
            id="principal-in-identity-policy",
        ),
        pytest.param(
            principal_in_identity,
            "scp",
            "policy.scp_principal",
            "/Statement/0/Principal",
            '"Principal"',
            id="principal-in-scp",
        ),
        pytest.param(
            key_without_principal,
            "key",
            "policy.principal_required",
            "/Statement/0",
            '{\n      "Effect"',
            id="key-policy-without-principal",
        ),
        pytest.param(
            bucket_without_principal,
            "bucket",
            "policy.principal_required",
            "/Statement/0",
            '{\n      "Effect"',
            id="bucket-policy-without-principal",
        ),
        pytest.param(
            trust_without_principal,
            "trust",
            "policy.principal_required",
            "/Statement/0",
            '{\n      "Effect"',
            id="trust-policy-without-principal",
        ),
        pytest.param(
            bad_effect,
            "identity",
            "policy.effect",
            "/Statement/0/Effect",
            '"Effect"',
            id="bad-effect",
        ),
        pytest.param(
            no_effect,
            "identity",
            "policy.missing_element",
            "/Statement/0",
            '{\n      "Action"',
            id="missing-effect",
        ),
        pytest.param(
            both_actions,
            "identity",
            "policy.conflicting_elements",
            "/Statement/0/NotAction",
            '"NotAction"',
            id="action-and-notaction",
        ),
        pytest.param(
            bad_action,
            "identity",
            "policy.action_form",
            "/Statement/0/Action",
            '"Action"',
            id="action-without-service",
        ),
        pytest.param(
            bad_action_in_list,
            "identity",
            "policy.action_form",
            "/Statement/0/Action/1",
            '"kms Decrypt"',
            id="bad-action-in-a-list",
        ),
        pytest.param(
            bad_resource,
            "identity",
            "policy.resource_form",
            "/Statement/0/Resource",
            '"Resource"',
            id="resource-not-an-arn",
        ),
        pytest.param(
            partial_wildcard,
            "key",
            "policy.principal_wildcard",
            "/Statement/0/Principal/AWS",
            '"AWS"',
            id="partial-wildcard-principal",
        ),
        pytest.param(
            bad_operator,
            "identity",
            "condition.unknown_operator",
            "/Statement/0/Condition/StringEqualz",
            '"StringEqualz"',
            id="unknown-condition-operator",
        ),
        pytest.param(
            trust_not_principal,
            "trust",
            "policy.principal_form",
            "/Statement/0/NotPrincipal",
            '"NotPrincipal"',
            id="notprincipal-in-trust-policy",
        ),
        pytest.param(
            rcp_allow,
            "rcp",
            "policy.rcp_allow",
            "/Statement/0/Effect",
            '"Effect"',
            id="rcp-with-allow",
        ),
        pytest.param(
            bad_version,
            "identity",
            "policy.version",
            "/Version",
            '"Version"',
            id="unsupported-version",
        ),
    ]


@pytest.mark.parametrize(("text", "kind", "code", "pointer", "at"), error_cases())
def test_check_policy_reports_each_error_with_pointer_and_line_column(
    text, kind, code, pointer, at
):
    found = [p for p in check_policy(text, kind) if p.code == code]
    assert found, [str(p) for p in check_policy(text, kind)]
    prob = found[0]
    assert prob.is_error
    assert prob.pointer == pointer
    assert (prob.line, prob.column) == line_col_of(text, at)
    assert prob.message
    assert f"line {prob.line}, column {prob.column}" in str(prob)


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [
        pytest.param("effect", "Effect", id="lower-case-effect"),
        pytest.param("ACTION", "Action", id="upper-case-action"),
        pytest.param("resource", "Resource", id="lower-case-resource"),
        pytest.param("condition", "Condition", id="lower-case-condition"),
    ],
)
def test_unknown_element_in_the_wrong_case_suggests_the_right_name(typed, suggestion):
    stmt = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
    stmt = {(typed if k == suggestion else k): v for k, v in stmt.items()}
    if suggestion == "Condition":
        stmt[typed] = {"Bool": {"aws:SecureTransport": "true"}}
    found = [
        p for p in check_policy(text_of(stmt), "identity") if p.code == "policy.unknown_element"
    ]
    assert len(found) == 1
    assert f"Did you mean {suggestion}?" in found[0].message


def test_unknown_element_with_no_close_name_lists_the_known_ones():
    text = text_of({**ALLOW_KMS, "Actions": "kms:Decrypt"})
    (found,) = [p for p in check_policy(text, "identity") if p.code == "policy.unknown_element"]
    assert "Known elements" in found.message
    assert "Action" in found.message


def test_unknown_condition_operator_suggests_the_close_one():
    text = text_of({**ALLOW_KMS, "Condition": {"StringEqualz": {"kms:CallerAccount": ACCOUNT}}})
    (found,) = [p for p in check_policy(text, "identity") if p.code == "condition.unknown_operator"]
    assert "StringEquals" in found.message


def test_policy_over_the_size_limit_is_an_error_at_the_document():
    statements = [
        {"Sid": f"S{i}", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN}
        for i in range(120)
    ]
    text = text_of(*statements)
    (found,) = [p for p in check_policy(text, "identity") if p.code == "policy.too_large"]
    assert found.is_error
    assert found.pointer == ""
    assert (found.line, found.column) == (1, 1)
    assert "6144" in found.message


def test_same_policy_under_the_key_policy_size_limit_is_accepted():
    statements = [
        {
            "Sid": f"S{i}",
            "Effect": "Allow",
            "Principal": {"AWS": ACCOUNT},
            "Action": "kms:Decrypt",
            "Resource": "*",
        }
        for i in range(120)
    ]
    assert errors_of(text_of(*statements), "key") == []


def test_key_policy_over_32_kilobytes_is_refused():
    statements = [
        {
            "Sid": f"S{i}",
            "Effect": "Allow",
            "Principal": {"AWS": ACCOUNT},
            "Action": "kms:Decrypt",
            "Resource": "*",
        }
        for i in range(400)
    ]
    codes = [p.code for p in errors_of(text_of(*statements), "key")]
    assert codes == ["policy.too_large"]


def test_every_problem_of_a_broken_policy_is_reported_at_once():
    text = text_of(
        {"Effect": "Permit", "Action": "kms:Decrypt", "Resource": "*"},
        {"Effect": "Allow", "Action": "Decrypt", "Resource": "*"},
    )
    pointers = {p.pointer for p in errors_of(text, "identity")}
    assert {"/Statement/0/Effect", "/Statement/1/Action"} <= pointers


# ----------------------------------------------------------------------------- accepted forms


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(ALLOW_KMS, id="statement-object"),
        pytest.param([ALLOW_KMS], id="statement-list-of-one"),
        pytest.param([ALLOW_KMS, {**ALLOW_KMS, "Effect": "Deny"}], id="statement-list-of-two"),
    ],
)
def test_statement_may_be_an_object_or_a_list(statement):
    policy, problems = parse_policy(
        {"Version": "2012-10-17", "Statement": statement}, kind="identity"
    )
    assert policy is not None
    assert [p for p in problems if p.is_error] == []
    expected = 1 if isinstance(statement, dict) else len(statement)
    assert len(policy.statements) == expected


@pytest.mark.parametrize(
    "version",
    [
        pytest.param("2012-10-17", id="2012-10-17"),
        pytest.param("2008-10-17", id="2008-10-17"),
        pytest.param(None, id="absent"),
    ],
)
def test_accepted_versions(version):
    text = text_of(ALLOW_KMS, version=version)
    assert errors_of(text, "identity") == []
    policy, _ = parse_policy(json.loads(text), kind="identity")
    assert policy is not None
    assert policy.version == version


def test_policy_variables_are_on_only_with_version_2012():
    on, _ = parse_policy(json.loads(text_of(ALLOW_KMS)), kind="identity")
    old, _ = parse_policy(json.loads(text_of(ALLOW_KMS, version="2008-10-17")), kind="identity")
    none, _ = parse_policy(json.loads(text_of(ALLOW_KMS, version=None)), kind="identity")
    assert (on.variables, old.variables, none.variables) == (True, False, False)


def test_parse_policy_accepts_the_text_of_a_policy():
    policy, problems = parse_policy(text_of(ALLOW_KMS), kind="identity")
    assert policy is not None and not [p for p in problems if p.is_error]


PRINCIPAL_FORMS = [
    pytest.param("*", id="star"),
    pytest.param({"AWS": "*"}, id="aws-star"),
    pytest.param({"AWS": ACCOUNT}, id="account-id"),
    pytest.param({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, id="account-root-arn"),
    pytest.param({"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}, id="user-arn"),
    pytest.param({"AWS": f"arn:aws:iam::{ACCOUNT}:user/team/alice"}, id="user-arn-with-path"),
    pytest.param({"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"}, id="role-arn"),
    pytest.param({"AWS": f"arn:aws:iam::{ACCOUNT}:role/service/app"}, id="role-arn-with-path"),
    pytest.param({"AWS": f"arn:aws:sts::{ACCOUNT}:assumed-role/app/session-1"}, id="session-arn"),
    pytest.param({"AWS": f"arn:aws:sts::{ACCOUNT}:federated-user/bob"}, id="federated-user"),
    pytest.param(
        {"AWS": [ACCOUNT, f"arn:aws:iam::{ACCOUNT}:role/app", "444455556666"]},
        id="list-of-aws-principals",
    ),
    pytest.param({"Service": "s3.amazonaws.com"}, id="service"),
    pytest.param({"Service": ["s3.amazonaws.com", "ec2.amazonaws.com"]}, id="service-list"),
    pytest.param({"Federated": "cognito-identity.amazonaws.com"}, id="federated"),
    pytest.param({"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/corp"}, id="saml-provider"),
    pytest.param({"CanonicalUser": "79a59df900b949e55d96a1e698fbaced"}, id="canonical-user"),
    pytest.param({"AWS": ACCOUNT, "Service": "s3.amazonaws.com"}, id="aws-and-service-together"),
]


@pytest.mark.parametrize("principal", PRINCIPAL_FORMS)
@pytest.mark.parametrize("kind", ["key", "bucket"])
def test_every_principal_form_is_accepted_in_a_resource_policy(kind, principal):
    stmt = {"Effect": "Allow", "Principal": principal, "Action": "kms:Decrypt", "Resource": "*"}
    assert errors_of(text_of(stmt), kind) == []


@pytest.mark.parametrize("principal", PRINCIPAL_FORMS)
def test_every_principal_form_is_accepted_in_a_deny_notprincipal(principal):
    stmt = {"Effect": "Deny", "NotPrincipal": principal, "Action": "kms:*", "Resource": "*"}
    assert errors_of(text_of(stmt), "key") == []


def test_account_id_and_root_arn_mean_the_same_principal():
    def aws_of(principal):
        stmt = {"Effect": "Allow", "Principal": principal, "Action": "kms:*", "Resource": "*"}
        policy, _ = parse_policy({"Version": "2012-10-17", "Statement": stmt}, kind="key")
        return policy.statements[0].principal.aws

    assert aws_of({"AWS": ACCOUNT}) == aws_of({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})


def test_notprincipal_with_allow_is_only_a_warning():
    stmt = {"Effect": "Allow", "NotPrincipal": {"AWS": ACCOUNT}, "Action": "kms:*", "Resource": "*"}
    problems = check_policy(text_of(stmt), "key")
    assert [p.code for p in problems] == ["policy.not_principal_allow"]
    assert not problems[0].is_error


def test_trust_policy_trusting_everyone_is_only_a_warning():
    stmt = {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
    problems = check_policy(text_of(stmt), "trust")
    assert [p.code for p in problems] == ["policy.trust_wildcard"]
    assert not problems[0].is_error


def test_endpoint_policy_statement_may_leave_out_principal():
    assert errors_of(text_of(ALLOW_KMS), "endpoint") == []


def test_valid_policy_has_no_problems():
    assert check_policy(text_of(KEY_STMT), "key") == []


# ----------------------------------------------------------------------------- garbage in

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "Version",
                    "Statement",
                    "Effect",
                    "Action",
                    "NotAction",
                    "Resource",
                    "NotResource",
                    "Principal",
                    "NotPrincipal",
                    "Condition",
                    "AWS",
                    "Service",
                    "StringEquals",
                    "Sid",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(document=json_values, kind=st.sampled_from(KINDS))
def test_parse_policy_never_raises_on_arbitrary_json(document, kind):
    policy, problems = parse_policy(document, kind=kind)
    assert isinstance(problems, list)
    if policy is None:
        assert any(p.is_error for p in problems)


statementish = st.fixed_dictionaries(
    {},
    optional={
        "Effect": st.sampled_from(["Allow", "Deny", "allow", 1, None]),
        "Action": json_values,
        "NotAction": json_values,
        "Resource": json_values,
        "Principal": json_values,
        "NotPrincipal": json_values,
        "Condition": json_values,
        "Sid": json_values,
    },
)


@settings(max_examples=200, deadline=None)
@given(
    statements=st.lists(statementish, max_size=3),
    version=st.sampled_from(["2012-10-17", "2008-10-17", None, 7]),
    kind=st.sampled_from(KINDS),
)
def test_parse_policy_never_raises_on_policy_shaped_garbage(statements, version, kind):
    doc = {"Statement": statements}
    if version is not None:
        doc["Version"] = version
    policy, problems = parse_policy(doc, kind=kind)
    if policy is None:
        assert any(p.is_error for p in problems)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=60), kind=st.sampled_from(KINDS))
def test_check_policy_never_raises_on_arbitrary_text(text, kind):
    problems = check_policy(text, kind)
    assert isinstance(problems, list)


@settings(max_examples=100, deadline=None)
@given(document=json_values, kind=st.sampled_from(KINDS))
def test_check_policy_never_raises_on_arbitrary_json_text(document, kind):
    problems = check_policy(json.dumps(document, indent=2), kind)
    for p in problems:
        assert p.line is not None and p.column is not None


def test_parse_policy_reports_deeply_nested_text_instead_of_raising():
    policy, problems = parse_policy("[" * 100_000, kind="identity")
    assert policy is None
    assert [p.code for p in problems] == ["json.syntax"]
