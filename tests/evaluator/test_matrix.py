"""The access matrix's through-S3 edges: decided as S3 would call KMS."""

from __future__ import annotations

from datetime import UTC, datetime

import evaluator

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ACCOUNT = "111122223333"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}"
ANALYST = f"arn:aws:iam::{ACCOUNT}:user/analyst"
S3_ARN_KEY = "kms:EncryptionContext:aws:s3:arn"


def _doc(objects: list[str], bucket_key: bool = False) -> dict:
    """The key opens Decrypt through S3 for objects under reports/ only."""
    return {
        "format": 1,
        "accounts": [{"id": ACCOUNT}],
        "principals": [
            {
                "type": "user",
                "account": ACCOUNT,
                "name": "analyst",
                "policies": [
                    {
                        "name": "read",
                        "policy": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
                            ],
                        },
                    }
                ],
            }
        ],
        "keys": [
            {
                "id": KEY_ID,
                "account": ACCOUNT,
                "policy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": ANALYST},
                            "Action": "kms:Decrypt",
                            "Resource": "*",
                            "Condition": {
                                "StringLike": {S3_ARN_KEY: "arn:aws:s3:::data/reports/*"}
                            },
                        }
                    ],
                },
            }
        ],
        "buckets": [
            {
                "name": "data",
                "account": ACCOUNT,
                "default_encryption": {
                    "algorithm": "aws:kms",
                    "key": KEY,
                    "bucket_key": bucket_key,
                },
                "objects": [{"key": k} for k in objects],
            }
        ],
    }


def _through_s3(doc: dict) -> evaluator.Edge:
    loaded = evaluator.load_scenario(doc)
    assert loaded.ok, loaded.problems
    matrix = evaluator.access_matrix(loaded.scenario, now=NOW)
    (edge,) = [
        e
        for e in matrix.edges
        if e.kind == "key" and e.via and e.source == ANALYST and e.operation == "kms:Decrypt"
    ]
    return edge


def test_a_through_s3_edge_is_allowed_when_any_object_of_the_bucket_opens_the_key():
    edge = _through_s3(_doc(["logs/a.txt", "reports/q3.csv"]))
    assert edge.allowed
    assert dict(edge.context) == {"aws:s3:arn": "arn:aws:s3:::data/reports/q3.csv"}


def test_a_through_s3_edge_is_denied_when_no_object_is_under_the_opened_prefix():
    assert not _through_s3(_doc(["logs/a.txt", "logs/b.txt"])).allowed


def test_with_a_bucket_key_s3_sends_the_bucket_arn_so_the_prefix_condition_fails():
    edge = _through_s3(_doc(["reports/q3.csv"], bucket_key=True))
    assert not edge.allowed
    assert dict(edge.context) == {"aws:s3:arn": "arn:aws:s3:::data"}


def test_a_matrix_over_its_budget_is_empty_and_says_why():
    loaded = evaluator.load_scenario(_doc(["reports/q3.csv"]))
    budget = evaluator.Budget(steps=2)
    matrix = evaluator.access_matrix(loaded.scenario, now=NOW, budget=budget)
    assert matrix.edges == ()
    assert "more than 2 steps, the limit per request" in matrix.stopped
