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


# ----------------------------------------------------------------------------- the gallery

EXAMPLES = {p.stem: json.loads(p.read_text()) for p in sorted((ROOT / "examples").glob("*.json"))}
# Every exam "tell" of the study chapter, and the tag of the examples that teach it.
TELLS = {
    "IAM role has permissions but still cannot decrypt: the key policy": "key-policy-vs-iam",
    "service cannot use the key even with an IAM role: key policy and grants": "grants",
    "a service needs KMS without broad IAM permissions: grants": "service-integration",
    "cross-account decrypt/encrypt fails: update the key policy": "cross-account",
    "read encrypted S3 objects across accounts: key policy changes": "sse-kms",
    "third party assumes a role: ExternalId, then the role in the key policy": "third-party",
    "S3 replication with SSE-KMS: both keys' policies": "replication",
    "bucket or key policies with VPC endpoint conditions": "vpc-endpoint",
    "customer managed keys and auditing: KMS": "customer-managed-keys",
    "simplest encryption at rest for S3: SSE-S3": "sse-s3",
    "least privilege for key usage": "least-privilege",
    "compliance requires a dedicated HSM: CloudHSM": "cloudhsm",
    "minimal KMS actions: Encrypt, GenerateDataKey, Decrypt, DescribeKey": "minimal-actions",
    "envelope encryption with data keys": "envelope-encryption",
}


@pytest.mark.parametrize("tell", list(TELLS), ids=list(TELLS.values()))
def test_every_tell_of_the_study_chapter_has_a_tagged_example(tell):
    tagged = [name for name, doc in EXAMPLES.items() if TELLS[tell] in doc.get("tags", [])]
    assert tagged, f"no example is tagged {TELLS[tell]!r} for: {tell}"


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_has_tags_a_lesson_split_for_predict_mode_and_expectations(name):
    doc = EXAMPLES[name]
    assert doc.get("tags"), name
    assert "\n---\n" in doc["description"], "the setup comes before a --- line"
    assert all("expect" in a for a in doc["attempts"])


@pytest.mark.parametrize("name", [n for n, d in EXAMPLES.items() if "goals" in d])
def test_an_example_challenge_is_not_solved_before_the_student_acts(name, lineage):
    doc = EXAMPLES[name]
    grade = challenges.grade(doc, challenges.student_document(doc), lineage)
    assert not grade.problem and not grade.solved
    assert any(not g.passed for g in grade.goals)


def test_a_grant_for_just_what_ebs_needs_solves_the_service_challenge(lineage):
    doc = EXAMPLES["16-aws-service-needs-a-grant"]
    student = challenges.student_document(doc)
    ops = student["keys"][0]["grants"][0]
    student["keys"][1]["grants"] = [{**ops, "id": "g-asg-app"}]
    assert challenges.grade(doc, student, lineage).solved


def test_kms_star_for_the_service_role_is_too_wide(lineage):
    doc = EXAMPLES["16-aws-service-needs-a-grant"]
    slr = doc["attempts"][1]["principal"]
    grade = challenges.grade(doc, with_statement_on(doc, 1, ["kms:*"], slr), lineage)
    assert all(g.passed for g in grade.goals) and not grade.solved
    assert grade.widened == [
        "AWSServiceRoleForAutoScaling can now Encrypt, GenerateDataKey, PutKeyPolicy,"
        " ScheduleKeyDeletion and DisableKey with app-volumes, which no task asks for."
    ]


def test_just_the_operations_the_tasks_name_in_the_key_policy_solve_the_service_challenge(
    lineage,
):
    doc = EXAMPLES["16-aws-service-needs-a-grant"]
    slr = doc["attempts"][1]["principal"]
    asked = ["kms:GenerateDataKeyWithoutPlaintext", "kms:Decrypt", "kms:CreateGrant"]
    grade = challenges.grade(doc, with_statement_on(doc, 1, asked, slr), lineage)
    assert grade.solved, (grade.goals, grade.widened)


def test_a_plaintext_data_key_is_more_than_a_task_for_one_without_plaintext(lineage):
    doc = EXAMPLES["16-aws-service-needs-a-grant"]
    slr = doc["attempts"][1]["principal"]
    actions = ["kms:GenerateDataKey*", "kms:Decrypt", "kms:CreateGrant"]
    grade = challenges.grade(doc, with_statement_on(doc, 1, actions, slr), lineage)
    assert grade.widened == [
        "AWSServiceRoleForAutoScaling can now GenerateDataKey with app-volumes,"
        " which no task asks for."
    ]


@pytest.mark.parametrize(
    "action", ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:CreateGrant"]
)
def test_taking_the_key_over_beside_the_task_is_too_wide(action, lineage):
    grade = challenges.grade(LOCKED, with_statement(LOCKED, ["kms:Encrypt", action]), lineage)
    assert all(g.passed for g in grade.goals) and not grade.solved
    verb = action.split(":")[1]
    assert grade.widened == [
        f"orders-api can now {verb} with orders-locked, which no task asks for."
    ]


def with_statement_on(doc: dict, key: int, actions: list[str], principal: str) -> dict:
    student = challenges.student_document(doc)
    student["keys"][key]["policy"]["Statement"].append(
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions, "Resource": "*"}
    )
    return student
