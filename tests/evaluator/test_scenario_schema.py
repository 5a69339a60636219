"""The JSON Schema of scenario documents agrees with the contract and with the loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluator.core import scenario as model
from evaluator.core.pointer import value_at
from evaluator.core.scenario import load_scenario
from tests.evaluator.test_scenario_loader import ONE_PROBLEM, base, with_change

jsonschema = pytest.importorskip("jsonschema")

SCHEMA_PATH = Path(model.__file__).parent / "schema" / "scenario-v1.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# Problems a schema can see (types, enums, patterns, required members). The
# others (references, duplicates, cycles) need the whole document: loader only.
STRUCTURAL = {
    "key-state-not-in-enum",
    "key-manager-not-in-enum",
    "key-origin-not-in-enum",
    "principal-type-not-in-enum",
    "endpoint-service-not-in-enum",
    "encryption-algorithm-not-in-enum",
    "expect-not-an-outcome",
    "account-id-not-12-digits",
    "trust-policy-on-a-user",
    "groups-on-a-role",
    "tag-value-not-a-string",
    "iam-path-without-slashes",
    "alias-without-prefix",
    "grant-operation-with-prefix",
    "grant-constraints-both-kinds",
    "policy-not-object-or-string",
    "attempt-principal-not-an-arn",
    "attempt-without-resource",
    "reencrypt-without-destination",
    "action-without-service-prefix",
    "context-value-null",
    "encryption-context-value-not-a-string",
    "unsupported-format",
    "format-as-string",
    "region-malformed",
    "key-without-policy",
}

MINIMAL = {"format": 1, "accounts": [{"id": "111122223333"}]}

STRING_POLICIES = {
    "format": 1,
    "region": "eu-central-1",
    "accounts": [{"id": "111122223333", "name": "solo"}],
    "principals": [
        {
            "type": "role",
            "account": "111122223333",
            "name": "reader",
            "path": "/apps/",
            "trust_policy": '{"Version": "2012-10-17", "Statement": []}',
            "permissions_boundary": {"Version": "2012-10-17", "Statement": []},
            "tags": {"team": "blue"},
        }
    ],
    "keys": [
        {
            "id": "mrk-1234abcd12ab34cd56ef1234567890ab",
            "account": "111122223333",
            "state": "PendingDeletion",
            "manager": "AWS",
            "origin": "EXTERNAL",
            "policy": '{"Version": "2012-10-17", "Statement": []}',
        }
    ],
    "attempts": [
        {
            "id": "put",
            "principal": "arn:aws:iam::111122223333:root",
            "action": "kms:PutKeyPolicy",
            "resource": "mrk-1234abcd12ab34cd56ef1234567890ab",
            "policy": {"Version": "2012-10-17", "Statement": []},
            "bypass_policy_lockout_safety_check": True,
            "expect": "MalformedPolicyDocumentException",
        },
        {
            "id": "re",
            "principal": "arn:aws:sts::111122223333:assumed-role/reader/s",
            "action": "kms:ReEncrypt",
            "resource": "mrk-1234abcd12ab34cd56ef1234567890ab",
            "ciphertext": "AQIDBA==",
            "destination": "alias/other",
            "expect": "deny",
        },
    ],
    "layout": {"key:mrk": {"x": 1, "y": 2}},
    "x-editor": {"kept": True},
}


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param(MINIMAL, id="minimal"),
        pytest.param(STRING_POLICIES, id="string-policies-and-unknown-fields"),
        pytest.param(base(), id="every-part"),
    ],
)
def test_handwritten_valid_documents_pass_the_schema_and_the_loader(doc):
    assert list(VALIDATOR.iter_errors(doc)) == []
    result = load_scenario(json.dumps(doc))
    assert result.ok, [str(p) for p in result.problems]


@pytest.mark.parametrize(
    ("change", "pointer", "code", "fragment"),
    [case for case in ONE_PROBLEM if case.id in STRUCTURAL],
)
def test_structural_errors_are_rejected_by_the_schema_too(change, pointer, code, fragment):
    doc = with_change(change)
    assert not load_scenario(doc).ok
    assert list(VALIDATOR.iter_errors(doc)), f"schema accepts a document with {code} at {pointer}"


def test_every_structural_case_exists_in_the_loader_tests():
    assert {case.id for case in ONE_PROBLEM} >= STRUCTURAL


@pytest.mark.parametrize(
    ("pointer", "values"),
    [
        ("/$defs/key/properties/state/enum", model.KEY_STATES),
        ("/$defs/key/properties/manager/enum", model.KEY_MANAGERS),
        ("/$defs/key/properties/origin/enum", model.KEY_ORIGINS),
        ("/$defs/principal/properties/type/enum", model.PRINCIPAL_TYPES),
        ("/$defs/encryption/properties/algorithm/enum", model.ALGORITHMS),
        ("/$defs/vpcEndpoint/properties/service/enum", model.ENDPOINT_SERVICES),
        ("/$defs/attempt/properties/expect/enum", model.EXPECTATIONS),
        ("/$defs/grantOperations/items/enum", model.GRANT_OPERATIONS),
    ],
)
def test_schema_enums_match_the_loader(pointer, values):
    assert value_at(SCHEMA, pointer) == list(values)


def test_schema_names_the_attempt_members_the_loader_reads():
    from evaluator.core.vocabulary import ATTEMPT_ADDITIONS, ATTEMPT_FIELDS

    members = set(ATTEMPT_FIELDS) | set(ATTEMPT_ADDITIONS)
    assert set(value_at(SCHEMA, "/$defs/attempt/properties")) == members
