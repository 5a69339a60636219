"""evaluator/core/sts.py: AssumeRole, and the session policy an attempt passes."""

from __future__ import annotations

from datetime import UTC, datetime

from evaluator import evaluate, load_scenario, policy_problems

A = "111122223333"
KEY_ARN = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def _doc(session_policy: dict) -> dict:
    root = {"AWS": f"arn:aws:iam::{A}:root"}
    return {
        "format": 1,
        "accounts": [{"id": A}],
        "principals": [
            {
                "type": "user",
                "account": A,
                "name": "u",
                "policies": [{"name": "all", "policy": ALLOW_ALL}],
            },
            {
                "type": "role",
                "account": A,
                "name": "r",
                "trust_policy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": root, "Action": "sts:AssumeRole"}
                    ],
                },
                "policies": [{"name": "all", "policy": ALLOW_ALL}],
            },
        ],
        "keys": [
            {
                "id": "1234abcd-12ab-34cd-56ef-1234567890ab",
                "account": A,
                "policy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": root, "Action": "kms:*", "Resource": "*"}
                    ],
                },
            }
        ],
        "attempts": [
            {
                "id": "a",
                "principal": f"arn:aws:iam::{A}:user/u",
                "assume": [{"role": f"arn:aws:iam::{A}:role/r", "session_policy": session_policy}],
                "action": "kms:Encrypt",
                "resource": KEY_ARN,
            }
        ],
    }


def test_a_bad_session_policy_is_reported_by_every_run_and_never_stops_the_next():
    bad_operator = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "kms:Encrypt",
                "Resource": "*",
                "Condition": {"StringEqualz": {"aws:username": "u"}},
            }
        ],
    }
    scenario = load_scenario(_doc(bad_operator)).scenario
    first = evaluate(scenario, now=NOW)
    second = evaluate(scenario, now=NOW)  # the same compiled scenario, as the web app reuses it
    assert [r.id for r in second.results] == [r.id for r in first.results] == ["a"]
    assert [p.code for p in first.problems] == ["condition.unknown_operator"]
    assert second.problems == first.problems
    assert policy_problems(scenario) == []  # the scenario's own policies are still fine
