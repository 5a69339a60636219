"""The attempt builder's action-specific fields: grants, key policies, tokens, destinations.

Attempts built through the form must match the case tables' attempts field for
field, and the playground must report what the evaluator decides for them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import evaluator
from playground import engine
from playground.forms import AttemptForm
from tests.playground.conftest import HX

pytestmark = pytest.mark.django_db

CASES = Path(__file__).resolve().parents[1] / "cases" / "kms"
META = ("title", "rule", "note")


def _case(file: str, attempt_id: str) -> tuple[dict, dict]:
    doc = json.loads((CASES / file).read_text())
    attempt = next(a for a in doc["attempts"] if a["id"] == attempt_id)
    doc["attempts"] = []
    return doc, {k: v for k, v in attempt.items() if k not in META}


def _load(copy, doc: dict) -> None:
    response = copy.post("import/", {"text": json.dumps(doc)})
    assert response.status_code == 204, response.content


def _evaluator_says(doc: dict, attempt: dict) -> tuple[str, str]:
    loaded = evaluator.load_scenario({**doc, "attempts": [attempt]})
    assert loaded.ok, loaded.problems
    (result,) = engine.evaluate(loaded.scenario, "direct").results
    return result.authorization, result.outcome


def _build_and_run(copy, doc: dict, case: dict, data: dict) -> dict:
    """Save `data` through the form, check it is the case's attempt, run it, compare."""
    html = copy.post("attempts/save/", {"attempt_id": case["id"], **data}).content.decode()
    assert f"Attempt &quot;{case['id']}&quot; saved." in html, html
    (saved,) = copy.doc["attempts"]
    assert saved == case
    summary = copy.shown()[case["id"]]
    assert (summary["authorization"], summary["outcome"]) == _evaluator_says(doc, case)
    assert summary["passed"] == "true"  # and that is what the case table expects
    return summary


KEY = "arn:aws:kms:us-east-1:111122223333:key/a8b10e33-396f-514d-88c8-e86026faae65"
USER = "arn:aws:iam::111122223333:user/"


@pytest.mark.parametrize(
    ("case_id", "data"),
    [
        (
            "create-grant-operations-within",
            {
                "grant_grantee": USER + "child-user",
                "grant_operations": ["Decrypt"],
                "grant_retiring": USER + "retirer",
                "expect": "allow",
            },
        ),
        (
            "create-grant-operations-outside",
            {
                "grant_grantee": USER + "child-user",
                "grant_operations": ["Decrypt", "ReEncryptFrom"],
                "expect": "implicit_deny",
            },
        ),
        (
            "child-grant-subset-stricter",
            {
                "grant_grantee": USER + "child-user",
                "grant_operations": ["Decrypt"],
                "grant_constraint": "equals",
                "grant_context": "Department=IT",
                "expect": "allow",
            },
        ),
    ],
)
def test_a_create_grant_built_in_the_form_evaluates_as_the_evaluator_says(copy, case_id, data):
    doc, case = _case("grants.json", case_id)
    _load(copy, doc)
    principal = case["principal"]
    _build_and_run(
        copy,
        doc,
        case,
        {"principal": principal, "action": "kms:CreateGrant", "resource": KEY, **data},
    )


PKP_KEY = "arn:aws:kms:us-east-1:111122223333:key/4d36ae61-9728-51d7-b09a-e02099ad53dd"


@pytest.mark.parametrize(
    ("case_id", "bypass", "outcome"),
    [
        ("keep-admin", False, "Success"),
        ("lockout-drops-caller", False, "MalformedPolicyDocumentException"),
        ("lockout-bypass", True, "Success"),
    ],
)
def test_a_put_key_policy_built_in_the_form_evaluates_as_the_evaluator_says(
    copy, case_id, bypass, outcome
):
    doc, case = _case("put-key-policy.json", case_id)
    _load(copy, doc)
    data = {
        "principal": case["principal"],
        "action": "kms:PutKeyPolicy",
        "resource": PKP_KEY,
        "policy": json.dumps(case["policy"], indent=2),
        "expect": case["expect"],
    }
    if bypass:
        data["bypass"] = "on"
    summary = _build_and_run(copy, doc, case, data)
    assert summary["outcome"] == outcome


def test_retire_grant_takes_the_grant_id_and_decrypt_takes_grant_tokens(copy):
    doc, retire = _case("grants.json", "retire-by-retiring-principal")
    _, token = _case("grants.json", "new-grant-with-token")
    _load(copy, doc)
    base = {"principal": retire["principal"], "resource": KEY, "expect": "allow"}
    _build_and_run(copy, doc, retire, {**base, "action": "kms:RetireGrant", "grant_id": "g-r1"})
    copy.post("attempts/delete/", {"attempt": retire["id"]})
    _build_and_run(
        copy,
        doc,
        token,
        {
            **base,
            "principal": token["principal"],
            "action": "kms:Decrypt",
            "grant_tokens": "token-g-new\n",
        },
    )


def test_create_key_takes_a_policy_and_reencrypt_a_destination(copy):
    _doc, case = _case("create-key.json", "create-key-lockout")
    form = AttemptForm(
        {
            "principal": case["principal"],
            "action": "kms:CreateKey",
            "resource": "*",
            "policy": json.dumps(case["policy"]),
            "expect": case["expect"],
        }
    )
    assert form.is_valid(), form.errors
    assert form.attempt(case["id"]) == case
    form = AttemptForm(
        {
            "principal": USER + "a",
            "action": "kms:ReEncryptFrom",
            "resource": "k1",
            "destination": "k2",
        }
    )
    assert form.is_valid(), form.errors
    assert form.attempt("r")["destination"] == "k2"


def test_a_session_policy_goes_on_the_last_assume_step():
    policy = {"Version": "2012-10-17", "Statement": []}
    form = AttemptForm(
        {
            "principal": USER + "a",
            "role_1": "arn:aws:iam::111122223333:role/one",
            "role_2": "arn:aws:iam::111122223333:role/two",
            "session_policy": json.dumps(policy),
            "action": "kms:Decrypt",
            "resource": KEY,
        }
    )
    assert form.is_valid(), form.errors
    first, last = form.attempt("a")["assume"]
    assert "session_policy" not in first and last["session_policy"] == policy
    assert AttemptForm.initial_from(form.attempt("a"))["session_policy"] == json.dumps(
        policy, indent=2
    )


def test_fields_of_other_actions_are_not_saved():
    form = AttemptForm(
        {
            "principal": USER + "a",
            "action": "kms:Decrypt",
            "resource": KEY,
            "grant_grantee": USER + "b",
            "grant_operations": ["Decrypt"],
            "grant_id": "g1",
            "policy": "{}",
            "bypass": "on",
            "destination": KEY,
        }
    )
    assert form.is_valid(), form.errors
    assert set(form.attempt("a")) == {"id", "principal", "action", "resource"}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"action": "kms:CreateGrant"}, "grant_grantee", "CreateGrant needs a grantee."),
        ({"action": "kms:CreateGrant"}, "grant_operations", "at least one operation"),
        ({"action": "kms:RevokeGrant"}, "grant_id", "RevokeGrant needs the grant's id."),
        ({"action": "kms:PutKeyPolicy"}, "policy", "PutKeyPolicy needs the new key policy."),
        ({"action": "kms:ReEncryptFrom"}, "destination", "ReEncrypt needs the destination key."),
        (
            {"action": "kms:Decrypt", "session_policy": "{}"},
            "session_policy",
            "A session policy needs a role to assume.",
        ),
    ],
)
def test_missing_action_fields_are_reported_on_their_field(data, field, message):
    form = AttemptForm({"principal": USER + "a", "resource": KEY, **data})
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_a_policy_that_is_not_json_is_refused_at_its_field():
    # A scenario's policy is an object or a JSON string: "{oops" cannot be stored.
    form = AttemptForm(
        {"principal": USER + "a", "action": "kms:PutKeyPolicy", "resource": KEY, "policy": "{oops"}
    )
    assert not form.is_valid()
    assert form.errors["policy"] == [
        "The key policy is not valid JSON: Property names must be in double quotes "
        "(line 1, column 2)."
    ]


def test_a_json_policy_with_policy_errors_is_kept_for_the_evaluator_to_judge():
    form = AttemptForm(
        {
            "principal": USER + "a",
            "action": "kms:PutKeyPolicy",
            "resource": KEY,
            "policy": '{"Statement": "Allow"}',
        }
    )
    assert form.is_valid(), form.errors
    assert form.attempt("a")["policy"] == {"Statement": "Allow"}


def test_editing_an_attempt_fills_the_action_fields_back_in(copy):
    doc, case = _case("grants.json", "child-grant-subset-stricter")
    _load(copy, doc)
    copy.post(
        "attempts/save/",
        {
            "attempt_id": "cg",
            "principal": case["principal"],
            "action": "kms:CreateGrant",
            "resource": KEY,
            "grant_grantee": USER + "child-user",
            "grant_operations": ["Decrypt", "CreateGrant"],
            "grant_constraint": "subset",
            "grant_context": "Department=IT",
            "grant_tokens": "t1",
        },
    )
    html = copy.client.get(copy.base + "attempts/?edit=cg", **HX).content.decode()
    assert (
        f'name="grant_grantee" list="principal-options" maxlength="400" value="{USER}child-user"'
        in html
    )
    assert 'value="Decrypt" checked' in html and 'value="CreateGrant" checked' in html
    assert 'value="Encrypt" checked' not in html
    assert '<option value="subset" selected>' in html and ">Department=IT</textarea>" in html
    assert ">t1</textarea>" in html
    assert 'data-actions="kms:CreateGrant"' in html
    assert 'data-actions="kms:PutKeyPolicy kms:CreateKey"' in html
