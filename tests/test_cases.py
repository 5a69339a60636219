"""The data-driven suite: every attempt of every case file and example.

Each file under tests/cases/ and examples/ is a scenario document whose
attempts carry `expect`; the evaluator must meet every expectation. Titles
and `rule` fields say which behaviour and which R-numbers an attempt pins;
the rule the decision cites must be one of them, and each must be a rule of
the reference.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest

from evaluator import evaluate, load_scenario, policy_problems

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("tests/cases/**/*.json"), *ROOT.glob("examples/*.json")])
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SPEC = ROOT.parent / "shared" / "spec" / "kms-authorization.md"


def case_rules(attempt: dict) -> list[str]:
    """An attempt's `rule` as a list: written as a list, or as text "R1.1 R2.2" / "R1.1, R2.2"."""
    rule = attempt.get("rule", [])
    words = rule.replace(",", " ").split() if isinstance(rule, str) else rule
    return [w.strip() for w in words]


@cache
def reference_rules() -> frozenset[str]:
    """The R-numbers the reference defines (empty when it is not beside the checkout)."""
    text = SPEC.read_text(encoding="utf-8") if SPEC.exists() else ""
    return frozenset(re.findall(r"\bR\d+\.\d+\b", text))


def _cases() -> list[pytest.param]:
    out = []
    for path in FILES:
        doc = json.loads(path.read_text())
        name = str(path.relative_to(ROOT))
        for attempt in doc.get("attempts", []):
            if "expect" in attempt:
                out.append(
                    pytest.param(
                        name, attempt["id"], case_rules(attempt), id=f"{path.stem}::{attempt['id']}"
                    )
                )
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


def test_every_case_file_writes_its_rules_as_a_list() -> None:
    for path in FILES:
        for attempt in json.loads(path.read_text()).get("attempts", []):
            rule = attempt.get("rule", [])
            assert isinstance(rule, list) and all(isinstance(r, str) for r in rule), (
                f"{path.name}::{attempt['id']}: write rule as a list of R-numbers, got {rule!r}"
            )


@pytest.mark.parametrize(
    ("written", "rules"),
    [
        pytest.param(["R2.2", "R1.13"], ["R2.2", "R1.13"], id="list"),
        pytest.param("R5.10 R4.4", ["R5.10", "R4.4"], id="space-separated"),
        pytest.param("R2.2, R2.5", ["R2.2", "R2.5"], id="comma-separated"),
    ],
)
def test_case_rules_read_every_spelling_as_a_list(written, rules) -> None:
    assert case_rules({"rule": written}) == rules


@pytest.mark.parametrize(("name", "attempt_id", "rules"), _cases())
def test_attempt_meets_its_expectation(name: str, attempt_id: str, rules: list[str]) -> None:
    result = _results(name)[attempt_id]
    assert result.passed, (
        f"expected {result.expect}, got {result.authorization} / {result.outcome}: "
        f"{result.decision.reason} (case rules {rules}, decided by {result.decision.rule})"
    )
    assert result.decision.rule in rules, (
        f"decided by {result.decision.rule} ({result.decision.reason}), but the case names {rules}"
    )
    if reference_rules():
        assert set(rules) <= reference_rules(), f"not rules of the reference: {rules}"
    assert result.trace, "every evaluated attempt has a trace"
    assert result.trace[-1].kind == "decision"
