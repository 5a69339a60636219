"""The per-request evaluation budget (steps, and time from a clock passed in), the
cap on role chains, and check_scenario's compiled-policy problems."""

from __future__ import annotations

import copy
import itertools
import json
from datetime import UTC, datetime

import pytest

from evaluator import Budget, check_scenario, evaluate, load_scenario
from evaluator.core.loader_attempts import MAX_ASSUME_CHAIN

ACCOUNT = "111122223333"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
NOW = datetime(2026, 1, 1, tzinfo=UTC)

DOC = {
    "format": 1,
    "accounts": [{"id": ACCOUNT}],
    "principals": [
        {
            "type": "user",
            "account": ACCOUNT,
            "name": "alice",
            "policies": [
                {
                    "name": "assume",
                    "policy": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
                        ],
                    },
                }
            ],
        },
        {
            "type": "role",
            "account": ACCOUNT,
            "name": "app",
            "trust_policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"}
                ],
            },
        },
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
                        "Principal": {"AWS": ROOT},
                        "Action": "kms:*",
                        "Resource": "*",
                    }
                ],
            },
        }
    ],
    "attempts": [
        {"id": f"a{i}", "principal": ALICE, "action": "kms:DescribeKey", "resource": KEY}
        for i in range(5)
    ],
}


def _scenario(doc: dict | None = None):
    loaded = load_scenario(doc or DOC)
    assert loaded.ok, loaded.problems
    return loaded.scenario


def test_without_a_budget_every_attempt_runs():
    evaluation = evaluate(_scenario(), now=NOW)
    assert evaluation.ok
    assert [r.id for r in evaluation.results] == ["a0", "a1", "a2", "a3", "a4"]


def test_a_step_budget_stops_between_attempts_with_a_clear_error():
    full = Budget()
    evaluate(_scenario(), now=NOW, budget=full)
    per_attempt = full.used // 5
    evaluation = evaluate(_scenario(), now=NOW, budget=Budget(steps=per_attempt * 2))
    assert not evaluation.ok
    (stopped,) = evaluation.problems
    assert stopped.code == "evaluation.budget"
    assert stopped.pointer == "/attempts/2"
    assert stopped.message.startswith('Evaluation stopped at attempt "a2": ')
    assert f"more than {per_attempt * 2:,} steps, the limit per request" in stopped.message
    assert [r.id for r in evaluation.results] == ["a0", "a1"]


def test_a_time_budget_reads_the_clock_it_is_given():
    ticks = itertools.count()  # one second passes at every reading
    budget = Budget(seconds=2.5, clock=lambda: float(next(ticks)))
    evaluation = evaluate(_scenario(), now=NOW, budget=budget)
    (stopped,) = evaluation.problems
    assert stopped.code == "evaluation.budget"
    assert "took longer than 2.5 seconds, the limit per request" in stopped.message
    assert len(evaluation.results) < 5


def test_each_assume_role_hop_is_charged():
    doc = copy.deepcopy(DOC)
    doc["attempts"] = [{**doc["attempts"][0], "assume": [{"role": ROLE}]}]
    plain, chained = Budget(), Budget()
    evaluate(_scenario(), now=NOW, budget=plain)
    evaluate(_scenario(doc), now=NOW, budget=chained)
    assert chained.used > plain.used // 5


def _context_pattern_doc(pattern: str, value: str) -> dict:
    """One Encrypt whose only allow reads `pattern` against an encryption-context value."""
    doc = copy.deepcopy(DOC)
    doc["keys"][0]["policy"]["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ALICE},
            "Action": "kms:Encrypt",
            "Resource": "*",
            "Condition": {"StringLike": {"kms:EncryptionContext:k": pattern}},
        }
    )
    doc["attempts"] = [
        {
            "id": "long",
            "principal": ALICE,
            "action": "kms:Encrypt",
            "resource": KEY,
            "encryption_context": {"k": value},
        }
    ]
    return doc


def _evaluated_on_a_ticking_clock(doc: dict):
    """Evaluate `doc` under a 30 s budget whose clock moves one second at every reading."""
    ticks = itertools.count()
    return evaluate(
        _scenario(doc), now=NOW, budget=Budget(seconds=30, clock=lambda: float(next(ticks)))
    )


def _assert_stopped_inside_the_attempt(evaluation) -> None:
    (stopped,) = evaluation.problems
    assert stopped.code == "evaluation.budget"
    assert stopped.message.startswith('Evaluation stopped at attempt "long": ')
    assert evaluation.results == ()


@pytest.mark.parametrize(
    ("value", "stops"), [("a" * 20 + "b", False), ("a" * 400_000, True)], ids=["short", "long"]
)
def test_a_long_wildcard_match_stops_inside_its_attempt_when_time_is_up(value, stops):
    # The worst `?` shape costs pattern x text / 30 machine words: the budget's
    # clock is read inside that one match, not only between authorizations.
    evaluation = _evaluated_on_a_ticking_clock(
        _context_pattern_doc("*" + "a?" * 4000 + "b*", value)
    )
    if stops:
        _assert_stopped_inside_the_attempt(evaluation)
    else:
        assert evaluation.ok
        assert [r.id for r in evaluation.results] == ["long"]


@pytest.mark.parametrize(("keys", "stops"), [(10, False), (4000, True)], ids=["few", "many"])
def test_many_context_keys_against_many_patterns_stop_inside_their_attempt(keys, stops):
    # ForAllValues compares every request value with every policy value: 4,000
    # context keys x 400 patterns is 1.6 million matches in one clause, seconds
    # of work, so the clause reads the budget's clock as it goes.
    doc = _context_pattern_doc("unused", "v")
    patterns = [f"*x{i}y*" for i in range(400)]  # a key x399y-N matches only the last
    condition = {"ForAllValues:StringLike": {"kms:EncryptionContextKeys": patterns}}
    doc["keys"][0]["policy"]["Statement"][-1]["Condition"] = condition
    doc["attempts"][0]["encryption_context"] = {f"x399y-{i}": "v" for i in range(keys)}
    evaluation = _evaluated_on_a_ticking_clock(doc)
    if stops:
        _assert_stopped_inside_the_attempt(evaluation)
    else:
        assert evaluation.ok
        (result,) = evaluation.results
        assert result.authorization == "allow"  # every key matches the last pattern


@pytest.mark.parametrize(
    ("hops", "ok"), [(MAX_ASSUME_CHAIN, True), (MAX_ASSUME_CHAIN + 1, False), (4000, False)]
)
def test_an_attempt_chains_at_most_the_limit_of_roles(hops, ok):
    doc = copy.deepcopy(DOC)
    doc["attempts"] = [{**doc["attempts"][0], "assume": [{"role": ROLE}] * hops}]
    loaded = load_scenario(doc)
    assert loaded.ok is ok
    if not ok:
        (error,) = loaded.errors
        assert (error.code, error.pointer) == ("attempt.assume_chain", "/attempts/0/assume")
        assert f"assumes {hops:,} roles in a row" in error.message
        assert f"at most {MAX_ASSUME_CHAIN}" in error.message


def test_check_scenario_adds_the_policy_problems_the_loader_leaves_to_compiling():
    doc = copy.deepcopy(DOC)
    del doc["keys"][0]["policy"]["Statement"][0]["Principal"]
    text = json.dumps(doc, indent=2)
    assert load_scenario(text).ok  # the loader only checks that a policy is an object
    checked = check_scenario(text)
    assert not checked.ok and checked.scenario is None
    (error,) = checked.errors
    assert (error.code, error.pointer) == (
        "policy.principal_required",
        "/keys/0/policy/Statement/0",
    )
    assert error.line is not None and error.column is not None
    assert check_scenario(doc).errors[0].line is None  # a mapping has no lines


def test_check_scenario_passes_a_valid_document_through():
    checked = check_scenario(DOC)
    assert checked.ok
    assert checked.scenario is not None


# (id, document change, pointer, words)
MAPPING_FAULTS = [
    ("infinite-number", ("title", float("inf")), "/title", "not a finite JSON number"),
    ("lone-surrogate", ("title", "a\udfffb"), "/title", "surrogate"),
]


@pytest.mark.parametrize(
    ("change", "pointer", "words"),
    [c[1:] for c in MAPPING_FAULTS],
    ids=[c[0] for c in MAPPING_FAULTS],
)
def test_a_mapping_must_hold_only_what_json_text_could(change, pointer, words):
    doc = {**DOC, change[0]: change[1]}
    loaded = load_scenario(doc)
    (error,) = loaded.problems
    assert (error.code, error.pointer) == ("json.unsupported", pointer)
    assert words in error.message


def test_a_mapping_nested_too_deeply_is_refused_without_recursing():
    deep: list = []
    node = deep
    for _ in range(100_000):
        node.append([])
        node = node[0]
    loaded = load_scenario({**DOC, "extra": deep})
    (error,) = loaded.problems
    assert error.code == "json.unsupported"
    assert "nested too deeply" in error.message
