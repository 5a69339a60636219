"""evaluator/cli.py's batch path: a large independent batch split over forked
processes gives the same answers, in the same order, as one process."""

from __future__ import annotations

from datetime import UTC, datetime

from evaluator import evaluate, load_scenario
from evaluator.cli import PARALLEL_FROM, evaluate_batch

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _scenario(extra_attempts: list[dict] | None = None) -> dict:
    principals = [
        {
            "type": "role",
            "account": "111122223333",
            "name": f"app{i}",
            "policies": [
                {
                    "name": "kms",
                    "policy": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
                            {
                                "Effect": "Deny",
                                "Action": "kms:*",
                                "Resource": "*",
                                "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
                            },
                        ],
                    },
                }
            ]
            if i % 3
            else [],
        }
        for i in range(10)
    ]
    key_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    attempts = [
        {
            "id": f"a{n}",
            "principal": f"arn:aws:iam::111122223333:role/app{n % 10}",
            "action": ["kms:Decrypt", "kms:Encrypt", "kms:DescribeKey"][n % 3],
            "resource": KEY,
            "context": {"aws:SourceIp": "10.1.2.3" if n % 4 else "192.0.2.1"},
        }
        for n in range(PARALLEL_FROM + 10)
    ]
    return {
        "format": 1,
        "accounts": [{"id": "111122223333"}],
        "principals": principals,
        "keys": [{"id": KEY.rsplit("/", 1)[1], "account": "111122223333", "policy": key_policy}],
        "attempts": attempts + (extra_attempts or []),
    }


def _answers(results) -> list[tuple]:
    return [(r.id, r.authorization, r.outcome, r.passed, r.warnings) for r in results]


def test_a_batch_split_over_processes_answers_as_one_process_does() -> None:
    scenario = load_scenario(_scenario()).scenario
    one = evaluate(scenario, now=NOW, trace=False).results
    two = evaluate_batch(scenario, now=NOW, workers=2).results
    assert _answers(one) == _answers(two)
    assert {r.authorization for r in two} == {"allow", "implicit_deny", "explicit_deny"}


def test_a_batch_whose_attempts_depend_on_each_other_stays_in_order() -> None:
    chained = [  # the account root may use the key: its policy trusts the account (R2.3)
        {
            "id": "enc",
            "principal": "arn:aws:iam::111122223333:root",
            "action": "kms:Encrypt",
            "resource": KEY,
            "plaintext": "hello",
        },
        {
            "id": "dec",
            "principal": "arn:aws:iam::111122223333:root",
            "action": "kms:Decrypt",
            "ciphertext": {"from_attempt": "enc"},
        },
    ]
    scenario = load_scenario(_scenario(chained)).scenario
    results = evaluate_batch(scenario, now=NOW, workers=2).results
    by_id = {r.id: r for r in results}
    assert by_id["dec"].outcome == "Success"
    assert by_id["dec"].output["plaintext"] == "hello"
