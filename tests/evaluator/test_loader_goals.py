"""The classroom fields of a scenario: `goals` (a challenge) and `tags`, in loader and schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evaluator.core.scenario import load_scenario
from tests.evaluator.test_scenario_loader import base, load_text, place_of, with_change

jsonschema = pytest.importorskip("jsonschema")
SCHEMA = json.loads(
    (Path(__file__).parents[2] / "evaluator/core/schema/scenario-v1.schema.json").read_text()
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
ROOT = Path(__file__).resolve().parents[2]


def with_goals(goals: object) -> dict:
    return with_change(lambda d: d.update(goals=goals))


TASK = {"attempt": "enc", "expect": "allow", "task": "Let alice encrypt."}


def test_goals_and_tags_load_into_the_model():
    doc = with_change(
        lambda d: d.update(
            goals={"least_privilege": True, "intro": "Fix it.", "tasks": [TASK]},
            tags=["cross-account", "grants"],
        )
    )
    result = load_scenario(doc)
    assert result.ok, [str(p) for p in result.problems]
    goals = result.scenario.goals
    assert goals.least_privilege is True
    assert [(g.attempt, g.expect, g.task, g.pointer) for g in goals.tasks] == [
        ("enc", "allow", "Let alice encrypt.", "/goals/tasks/0")
    ]
    assert result.scenario.tags == ("cross-account", "grants")
    assert list(VALIDATOR.iter_errors(doc)) == []


def test_a_document_without_goals_has_none():
    result = load_scenario(base())
    assert result.ok and result.scenario.goals is None and result.scenario.tags == ()


GOAL_PROBLEMS = [
    pytest.param(
        [{**TASK, "attempt": "nope"}],
        "/goals/tasks/0/attempt",
        "scenario.reference",
        '"attempt": "nope"',
        id="task-names-a-missing-attempt",
    ),
    pytest.param(
        [{**TASK, "expect": "allowed"}],
        "/goals/tasks/0/expect",
        "scenario.value",
        '"expect": "allowed"',
        id="task-expects-an-unknown-answer",
    ),
    pytest.param(
        [{"attempt": "enc", "expect": "allow"}],
        "/goals/tasks/0/task",
        "scenario.required",
        '{\n        "attempt"',
        id="task-without-its-text",
    ),
    pytest.param(
        [TASK, {**TASK, "task": "again"}],
        "/goals/tasks/1/attempt",
        "scenario.duplicate",
        '"attempt": "enc",\n        "expect": "allow",\n        "task": "again"',
        id="two-tasks-for-one-attempt",
    ),
    pytest.param([], "/goals/tasks", "scenario.value", '"tasks": []', id="no-tasks"),
    pytest.param("do it", "/goals", "scenario.type", '"goals": "do it"', id="goals-not-an-object"),
]


@pytest.mark.parametrize(("tasks", "pointer", "code", "fragment"), GOAL_PROBLEMS)
def test_goal_errors_are_reported_at_their_path_and_line(tasks, pointer, code, fragment):
    goals = tasks if isinstance(tasks, str) else {"tasks": tasks}
    doc = with_goals(goals)
    result, text = load_text(doc)
    errors = [p for p in result.problems if p.is_error]
    assert [(p.code, p.pointer) for p in errors] == [(code, pointer)], [str(p) for p in errors]
    assert (errors[0].line, errors[0].column) == place_of(text, fragment)
    if code in ("scenario.value", "scenario.type", "scenario.required"):
        assert list(VALIDATOR.iter_errors(doc)), "the schema rejects it too"


def test_least_privilege_must_be_a_boolean():
    result = load_scenario(with_goals({"tasks": [TASK], "least_privilege": "yes"}))
    assert [(p.code, p.pointer) for p in result.errors] == [
        ("scenario.type", "/goals/least_privilege")
    ]


@pytest.mark.parametrize("tag", ["Cross Account", "", "-x", "a" * 41])
def test_a_tag_must_be_a_short_lowercase_slug(tag):
    doc = with_change(lambda d: d.update(tags=["ok", tag]))
    result = load_scenario(doc)
    assert [(p.code, p.pointer) for p in result.errors] == [("scenario.value", "/tags/1")]
    assert list(VALIDATOR.iter_errors(doc))


def test_the_command_line_ignores_goals_and_keeps_its_contract(tmp_path):
    path = ROOT / "examples/01-key-policy-must-open-the-door.json"
    assert "goals" in json.loads(path.read_text())
    run = subprocess.run(
        [sys.executable, "manage.py", "evaluate", str(path), "--json", "--no-trace"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert {a["id"] for a in out["attempts"]} == {
        a["id"] for a in json.loads(path.read_text())["attempts"]
    }
    bad = with_goals({"tasks": [{**TASK, "attempt": "nope"}]})
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    run = subprocess.run(
        [sys.executable, "manage.py", "evaluate", str(tmp_path / "bad.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2 and "/goals/tasks/0/attempt" in run.stderr
