"""FOUND BUGS: tests that fail against the current evaluator, on purpose.

Each test states the behaviour the contract promises and fails today. They are
kept here, unskipped, so the lead sees them; when evaluator/ is fixed they
pass and can move next to the tests of the same area.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from evaluator import evaluate, load_scenario, parse_policy
from evaluator.core.problems import Problem

ACCOUNT = "111122223333"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}"


def nested_list(depth: int) -> list:
    root: list = []
    current = root
    for _ in range(depth):
        inner: list = []
        current.append(inner)
        current = inner
    return root


# BUG 1 -------------------------------------------------------------------------------
# parse_policy parses a policy given as text with json.loads and catches only
# JSONDecodeError. A deeply nested text makes json.loads raise RecursionError,
# which escapes. (check_policy and load_scenario go through jsonpos.parse_json,
# which reports "The document is nested too deeply" instead.)
# Repro:  parse_policy("[" * 100000, kind="identity")  -> RecursionError


def test_parse_policy_reports_deeply_nested_text_instead_of_raising():
    policy, problems = parse_policy("[" * 100_000, kind="identity")
    assert policy is None
    assert [p.code for p in problems] == ["json.syntax"]


# BUG 2 -------------------------------------------------------------------------------
# load_scenario promises "Never raises on bad input", but given an already
# parsed mapping (the web side and tests pass dicts) with a deeply nested value
# it raises RecursionError (from copy.deepcopy). Text input is capped at depth
# 200 by jsonpos; mapping input is not checked at all.
# Repro:  load_scenario({"format": 1, "accounts": [{"id": "111122223333"}],
#                        "title": nested_list(1000)})  -> RecursionError


def test_load_scenario_reports_a_deeply_nested_mapping_instead_of_raising():
    doc = {"format": 1, "accounts": [{"id": ACCOUNT}], "description": nested_list(1000)}
    loaded = load_scenario(doc)
    assert not loaded.ok
    assert all(isinstance(p, Problem) for p in loaded.problems)


# BUG 3 -------------------------------------------------------------------------------
# step_dict prunes "empty" members with `v not in (None, (), [], "", {}, False)`.
# Since 0 == False in Python, the first statement's `"index": 0` is dropped
# from the JSON trace while every other statement keeps its index, so a JSON
# consumer (the web page, `evaluate --json`) cannot read the first statement's
# index the way it reads the others'.
# Repro:  evaluate any attempt whose key policy has two statements; in
#         result.as_dict()["trace"], the key-policy step's statements[0] has no
#         "index" while statements[1] has "index": 1.


def test_json_trace_keeps_the_index_of_the_first_statement():
    statements = [
        {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"AWS": ACCOUNT},
            "Action": "kms:DescribeKey",
            "Resource": "*",
        }
        for sid in ("First", "Second")
    ]
    doc = {
        "format": 1,
        "accounts": [{"id": ACCOUNT}],
        "principals": [{"type": "user", "account": ACCOUNT, "name": "alice"}],
        "keys": [
            {
                "id": KEY_ID,
                "account": ACCOUNT,
                "policy": {"Version": "2012-10-17", "Statement": statements},
            }
        ],
        "attempts": [
            {
                "id": "a",
                "principal": f"arn:aws:iam::{ACCOUNT}:user/alice",
                "action": "kms:Encrypt",
                "resource": KEY_ARN,
            }
        ],
    }
    evaluation = evaluate(load_scenario(doc).scenario, now=datetime(2026, 1, 1, tzinfo=UTC))
    trace = json.loads(json.dumps(evaluation.results[0].as_dict()))["trace"]
    (step,) = [s for s in trace if s.get("policy", {}).get("type") == "key policy"]
    assert [s.get("index") for s in step["statements"]] == [0, 1]
