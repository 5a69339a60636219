"""Challenges: goals graded by the evaluator, the least-privilege rule, answer-free links."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from playground import challenges

ROOT = Path(__file__).resolve().parents[2]
LOCKED = json.loads((ROOT / "examples/01-key-policy-must-open-the-door.json").read_text())
ORDERS_API = "arn:aws:iam::111122223333:role/orders-api"


def with_statement(doc: dict, actions: list[str], principal: str = ORDERS_API) -> dict:
    """The example with one more statement on the locked key's policy."""
    doc = copy.deepcopy(doc)
    doc["keys"][0]["policy"]["Statement"].append(
        {
            "Sid": "Student",
            "Effect": "Allow",
            "Principal": {"AWS": principal},
            "Action": actions,
            "Resource": "*",
        }
    )
    return doc


def enable_iam(doc: dict) -> dict:
    return with_statement(doc, ["kms:*"], "arn:aws:iam::111122223333:root")


@pytest.fixture
def lineage(db):
    return "test-lineage"


def test_the_unchanged_example_is_not_solved(lineage):
    grade = challenges.grade(LOCKED, challenges.student_document(LOCKED), lineage)
    assert not grade.solved
    assert [g.passed for g in grade.goals] == [False, True]
    assert "Implicit deny" in grade.goals[0].reason


def test_a_statement_naming_the_role_for_encrypt_solves_it(lineage):
    grade = challenges.grade(LOCKED, with_statement(LOCKED, ["kms:Encrypt"]), lineage)
    assert grade.solved, (grade.goals, grade.widened, grade.problem)
    assert grade.widened == []


def test_a_solution_that_also_grants_decrypt_is_refused_by_least_privilege(lineage):
    grade = challenges.grade(
        LOCKED, with_statement(LOCKED, ["kms:Encrypt", "kms:Decrypt"]), lineage
    )
    assert all(g.passed for g in grade.goals)
    assert not grade.solved
    assert grade.widened == [
        "orders-api can now Decrypt with orders-locked, which no task asks for."
    ]


def test_delegating_to_iam_widens_access_and_breaks_a_goal(lineage):
    grade = challenges.grade(LOCKED, enable_iam(LOCKED), lineage)
    assert [g.passed for g in grade.goals] == [True, False]
    assert any("KeyAdmin" in w for w in grade.widened)


def test_without_the_rule_widening_is_allowed(lineage):
    relaxed = copy.deepcopy(LOCKED)
    relaxed["goals"]["least_privilege"] = False
    grade = challenges.grade(
        relaxed, with_statement(relaxed, ["kms:Encrypt", "kms:Decrypt"]), lineage
    )
    assert grade.solved


def test_the_student_cannot_change_what_is_graded(lineage):
    student = challenges.student_document(LOCKED)
    student["attempts"][0]["resource"] = student["attempts"][2]["resource"]  # the open key
    grade = challenges.grade(LOCKED, student, lineage)
    assert not grade.goals[0].passed


def test_a_deleted_principal_fails_its_goal_with_the_reason(lineage):
    student = challenges.student_document(LOCKED)
    student["principals"] = [p for p in student["principals"] if p["name"] != "orders-api"]
    student["attempts"] = []
    grade = challenges.grade(LOCKED, student, lineage)
    assert not grade.solved
    assert "cannot run" in grade.goals[0].reason


def test_the_student_document_has_no_answers():
    doc = challenges.student_document(LOCKED)
    assert "goals" not in doc
    assert all("expect" not in a for a in doc["attempts"])
    assert "expect" in LOCKED["attempts"][0]  # the original is left alone


def test_tasks_show_the_task_text_only():
    assert challenges.tasks(LOCKED) == [
        {"number": 1, "task": "Let orders-api encrypt with the locked key (orders-locked)."},
        {"number": 2, "task": "KeyAdmin still must not encrypt with the locked key."},
    ]


def test_deleting_a_role_drops_its_attempts_and_their_tasks(client, db):
    from django.core.management import call_command

    from playground.models import Scenario, WorkingCopy
    from tests.playground.conftest import HX

    call_command("loadexamples", verbosity=0)
    example = Scenario.objects.get(example_slug="01-key-policy-must-open-the-door")
    base = client.post(f"/examples/{example.id}/open/")["Location"]
    response = client.post(base + "nodes/delete/", {"ref": ORDERS_API}, **HX)
    assert response.status_code == 200
    doc = WorkingCopy.objects.get(pk=base.split("/")[2]).document
    assert [t["attempt"] for t in doc["goals"]["tasks"]] == ["admin-encrypt-with-locked-key"]
