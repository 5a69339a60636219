"""Running only some attempts gives each of them the answer a full run gives it,
and runs nothing after the last one asked for."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evaluator import Budget, evaluate, load_scenario

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("examples/*.json"), *ROOT.glob("tests/cases/*/*.json")])
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _answer(result) -> tuple:
    d = result.decision
    return (result.authorization, result.outcome, result.passed, d.reason, d.rule)


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_each_attempt_run_alone_gets_the_answer_of_a_full_run(path):
    loaded = load_scenario(json.loads(path.read_text()))
    assert loaded.ok, loaded.problems
    full = {r.id: _answer(r) for r in evaluate(loaded.scenario, now=NOW).results}
    for attempt in loaded.scenario.attempts:
        (alone,) = evaluate(loaded.scenario, now=NOW, attempt_ids=[attempt.id]).results
        assert _answer(alone) == full[attempt.id], attempt.id


def test_attempts_after_the_last_one_asked_for_are_not_run():
    path = ROOT / "examples" / "03-cross-account-decrypt.json"
    loaded = load_scenario(json.loads(path.read_text()))
    first = loaded.scenario.attempts[0].id
    whole, alone = Budget(steps=10**6), Budget(steps=10**6)
    evaluate(loaded.scenario, now=NOW, budget=whole)
    evaluate(loaded.scenario, now=NOW, attempt_ids=[first], budget=alone)
    assert 0 < alone.used < whole.used
