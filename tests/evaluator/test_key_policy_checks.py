"""What KMS checks when a key policy is saved (R2.5, R2.6, R2.8, R4.4), as the
editor shows it: each problem with its line."""

from __future__ import annotations

import json

import pytest

from evaluator import check_policy

ROOT = {"AWS": "arn:aws:iam::111122223333:root"}


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def _codes(text: str) -> set[str]:
    return {p.code for p in check_policy(text, "key")}


def test_default_key_policy_has_no_problem() -> None:
    text = _policy({"Effect": "Allow", "Principal": ROOT, "Action": "kms:*", "Resource": "*"})
    assert check_policy(text, "key") == []


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(
            {"Effect": "Allow", "Principal": ROOT, "Action": "kms:Decrypt", "Resource": "*"},
            id="only-decrypt",
        ),
        pytest.param(
            {"Effect": "Allow", "Principal": ROOT, "NotAction": "kms:Put*", "Resource": "*"},
            id="not-action-excludes-put",
        ),
    ],
)
def test_key_policy_that_nobody_could_change_is_flagged(statement: dict) -> None:
    problems = check_policy(_policy(statement), "key")
    risk = [p for p in problems if p.code == "policy.lockout_risk"]
    assert risk and risk[0].severity == "warning"
    assert risk[0].line == 3  # the Statement member, where the editor marks it


def test_for_all_values_on_an_encryption_context_key_is_rejected_at_its_line() -> None:
    text = _policy(
        {
            "Effect": "Allow",
            "Principal": ROOT,
            "Action": "kms:*",
            "Resource": "*",
            "Condition": {"ForAllValues:StringEquals": {"kms:EncryptionContext:dept": "hr"}},
        }
    )
    found = [p for p in check_policy(text, "key") if p.code == "condition.for_all_values_context"]
    assert found and found[0].is_error
    assert (
        found[0].line
        == text.splitlines().index(
            next(line for line in text.splitlines() if "kms:EncryptionContext:dept" in line)
        )
        + 1
    )


def test_control_characters_are_rejected_in_a_key_policy() -> None:
    text = _policy(
        {
            "Sid": "bell\u0007",
            "Effect": "Allow",
            "Principal": ROOT,
            "Action": "kms:*",
            "Resource": "*",
        }
    )
    assert "policy.unprintable" in _codes(text)


def test_key_policy_statement_without_principal_is_an_error() -> None:
    text = _policy({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
    assert "policy.principal_required" in _codes(text)
