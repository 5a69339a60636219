"""How attempt actions are read: case, IAM-only operations, unknown names."""

from __future__ import annotations

from datetime import UTC, datetime

from evaluator import evaluate, load_scenario

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROOT = "arn:aws:iam::111122223333:root"


def _run(action: str):
    doc = {
        "format": 1,
        "accounts": [{"id": "111122223333"}],
        "keys": [
            {
                "id": KEY.rsplit("/", 1)[1],
                "account": "111122223333",
                "policy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": ROOT},
                            "Action": "kms:*",
                            "Resource": "*",
                        }
                    ],
                },
            }
        ],
        "attempts": [{"id": "a", "principal": ROOT, "action": action, "resource": KEY}],
    }
    scenario = load_scenario(doc).scenario
    assert scenario is not None
    return evaluate(scenario, now=datetime(2026, 11, 28, tzinfo=UTC)).results[0]


def test_an_unknown_kms_operation_is_evaluated_with_a_warning_naming_it() -> None:
    result = _run("kms:Decrpyt")
    assert any("kms:Decrpyt is not a KMS operation" in w for w in result.warnings)


def test_a_known_operation_in_another_case_needs_no_warning() -> None:
    result = _run("KMS:decrypt")
    assert result.outcome == "Success"
    assert not any("not a KMS operation" in w for w in result.warnings)


def test_a_service_the_playground_does_not_model_is_refused_with_a_warning() -> None:
    result = _run("dynamodb:GetItem")
    assert result.outcome == "ValidationException"
    assert any("not modelled" in w for w in result.warnings)
