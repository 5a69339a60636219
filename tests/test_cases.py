"""The data-driven suite: every attempt of every case file and example.

Each file under tests/cases/ and examples/ is a scenario document whose
attempts carry `expect`; the evaluator must meet every expectation. Titles
and `rule` fields say which behaviour and which R-number an attempt pins.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest

from evaluator import evaluate, load_scenario, policy_problems

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("tests/cases/**/*.json"), *ROOT.glob("examples/*.json")])
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _cases() -> list[pytest.param]:
    out = []
    for path in FILES:
        doc = json.loads(path.read_text())
        name = str(path.relative_to(ROOT))
        for attempt in doc.get("attempts", []):
            if "expect" in attempt:
                out.append(pytest.param(name, attempt["id"], id=f"{path.stem}::{attempt['id']}"))
    return out


@cache
def _results(name: str) -> dict:
    loaded = load_scenario((ROOT / name).read_text())
    assert loaded.ok, [str(p) for p in loaded.problems if p.is_error]
    assert loaded.scenario is not None
    errors = [str(p) for p in policy_problems(loaded.scenario) if p.is_error]
    assert not errors, errors
    evaluation = evaluate(loaded.scenario, now=NOW, trace=True)
    return {r.id: r for r in evaluation.results}


def test_there_are_case_files_for_every_area() -> None:
    areas = {p.parent.name for p in FILES}
    assert {"iam", "kms", "examples"} <= areas
    assert len(_cases()) > 600


@pytest.mark.parametrize(("name", "attempt_id"), _cases())
def test_attempt_meets_its_expectation(name: str, attempt_id: str) -> None:
    result = _results(name)[attempt_id]
    assert result.passed, (
        f"expected {result.expect}, got {result.authorization} / {result.outcome}: "
        f"{result.decision.reason}"
    )
    assert result.trace, "every evaluated attempt has a trace"
    assert result.trace[-1].kind == "decision"
