"""Real identifiers are editable, and every reference follows a change."""

from __future__ import annotations

import json

import pytest

from playground import documents, identifiers
from playground.document_nodes import EditError
from tests.playground.conftest import ACCOUNT

NEW_ACCOUNT = "210987654321"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
NEW_KEY_ID = "mrk-0123456789abcdef0123456789abcdef"


def _scenario() -> dict:
    key_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_ID}"
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/app"
    return {
        "format": 1,
        "accounts": [{"id": ACCOUNT, "name": "Prod"}],
        "principals": [
            {
                "type": "role",
                "account": ACCOUNT,
                "name": "app",
                "policies": [
                    {
                        "name": "use",
                        "policy": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn},
                                {
                                    "Effect": "Allow",
                                    "Action": "s3:GetObject",
                                    "Resource": "arn:aws:s3:::data-bucket/*",
                                },
                            ],
                        },
                    }
                ],
                "trust_policy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
            }
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
                            "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", role_arn]},
                            "Action": "kms:*",
                            "Resource": "*",
                            "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
                        }
                    ],
                },
                "grants": [{"id": "g1", "grantee": role_arn, "operations": ["Decrypt"]}],
            }
        ],
        "buckets": [
            {
                "name": "data-bucket",
                "account": ACCOUNT,
                "default_encryption": {"algorithm": "aws:kms", "key": key_arn},
                "objects": [{"key": "report.csv"}],
            }
        ],
        "attempts": [
            {"id": "a1", "principal": role_arn, "action": "kms:Decrypt", "resource": key_arn},
            {"id": "a2", "principal": role_arn, "action": "kms:Decrypt", "resource": KEY_ID},
            {
                "id": "a3",
                "principal": f"arn:aws:sts::{ACCOUNT}:assumed-role/app/session-1",
                "action": "s3:GetObject",
                "resource": "arn:aws:s3:::data-bucket/report.csv",
            },
        ],
        "layout": {role_arn: {"x": 1, "y": 2}, key_arn: {"x": 3, "y": 4}},
    }


def _text(doc: dict) -> str:
    return json.dumps(doc)


def test_a_new_account_id_moves_every_arn_and_reference():
    before = _scenario()
    after = json.loads(json.dumps(before))
    after["accounts"][0]["id"] = NEW_ACCOUNT
    doc = identifiers.follow(before, after)
    assert ACCOUNT not in _text(doc)
    assert doc["principals"][0]["account"] == NEW_ACCOUNT
    assert doc["keys"][0]["policy"]["Statement"][0]["Condition"]["StringEquals"] == {
        "aws:PrincipalAccount": NEW_ACCOUNT
    }
    assert f"arn:aws:iam::{NEW_ACCOUNT}:role/app" in doc["layout"]
    assert doc["attempts"][2]["principal"].startswith(f"arn:aws:sts::{NEW_ACCOUNT}:assumed-role/")


def test_a_new_key_id_moves_the_key_arn_everywhere():
    before = _scenario()
    after = json.loads(json.dumps(before))
    after["keys"][0]["id"] = NEW_KEY_ID
    doc = identifiers.follow(before, after)
    new_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{NEW_KEY_ID}"
    assert KEY_ID not in _text(doc)
    assert doc["buckets"][0]["default_encryption"]["key"] == new_arn
    assert doc["principals"][0]["policies"][0]["policy"]["Statement"][0]["Resource"] == new_arn
    assert [a["resource"] for a in doc["attempts"][:2]] == [new_arn, NEW_KEY_ID]
    assert new_arn in doc["layout"]


def test_a_key_region_moves_its_arn():
    before = _scenario()
    after = json.loads(json.dumps(before))
    after["keys"][0]["region"] = "eu-west-1"
    doc = identifiers.follow(before, after)
    assert doc["attempts"][0]["resource"] == f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{KEY_ID}"


def test_a_path_moves_the_principal_arn_in_policies_grants_and_attempts():
    before = _scenario()
    after = json.loads(json.dumps(before))
    after["principals"][0]["path"] = "/service/"
    doc = identifiers.follow(before, after)
    new_arn = f"arn:aws:iam::{ACCOUNT}:role/service/app"
    assert doc["keys"][0]["policy"]["Statement"][0]["Principal"]["AWS"][1] == new_arn
    assert doc["keys"][0]["grants"][0]["grantee"] == new_arn
    assert doc["attempts"][0]["principal"] == new_arn


def test_renaming_a_bucket_or_role_follows_objects_and_sessions():
    doc, new_ref = documents.rename(_scenario(), "arn:aws:s3:::data-bucket", "archive")
    assert new_ref == "arn:aws:s3:::archive"
    statement = doc["principals"][0]["policies"][0]["policy"]["Statement"][1]
    assert statement["Resource"] == "arn:aws:s3:::archive/*"
    assert doc["attempts"][2]["resource"] == "arn:aws:s3:::archive/report.csv"
    doc, _ = documents.rename(doc, f"arn:aws:iam::{ACCOUNT}:role/app", "worker")
    assert (
        doc["attempts"][2]["principal"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/worker/session-1"
    )


def test_renaming_a_role_leaves_a_longer_arn_alone():
    doc = _scenario()
    doc["principals"][0]["policies"][0]["policy"]["Statement"][0]["Resource"] = (
        f"arn:aws:iam::{ACCOUNT}:role/app/other"
    )
    renamed, _ = documents.rename(doc, f"arn:aws:iam::{ACCOUNT}:role/app", "worker")
    statement = renamed["principals"][0]["policies"][0]["policy"]["Statement"][0]
    assert statement["Resource"] == f"arn:aws:iam::{ACCOUNT}:role/app/other"


def test_the_account_panel_changes_the_account_id(copy):
    role = copy.add("role", "app")
    copy.post("nodes/props/", {"ref": ACCOUNT, "account_id": NEW_ACCOUNT, "name": "Prod"})
    doc = copy.doc
    assert doc["accounts"][0]["id"] == NEW_ACCOUNT
    assert doc["principals"][0]["account"] == NEW_ACCOUNT
    trust = doc["principals"][0]["trust_policy"]["Statement"][0]["Principal"]["AWS"]
    assert trust == f"arn:aws:iam::{NEW_ACCOUNT}:root"
    assert role.replace(ACCOUNT, NEW_ACCOUNT) in doc.get("layout", {}) or "layout" not in doc


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("account_id", "1234", "An account id is 12 digits."),
        ("key_id", "not-a-key", "A key id is a UUID, or mrk- and 32 hex digits."),
        ("region", "Mars", "Enter a valid value."),
    ],
    ids=["short-account-id", "bad-key-id", "bad-region"],
)
def test_a_bad_identifier_is_refused_with_the_reason(copy, field, value, message):
    key = copy.add("key", "data")
    before = copy.doc
    ref = ACCOUNT if field == "account_id" else key
    base = {"state": "Enabled", "manager": "CUSTOMER", "origin": "AWS_KMS"}
    html = copy.post("nodes/props/", {"ref": ref, **base, field: value}).content.decode()
    assert message in html and copy.doc == before


def test_the_key_panel_changes_the_key_id_and_region(copy):
    key = copy.add("key", "data")
    data = {"ref": key, "state": "Enabled", "manager": "CUSTOMER", "origin": "AWS_KMS"}
    html = copy.post(
        "nodes/props/", {**data, "key_id": NEW_KEY_ID, "region": "eu-west-1"}
    ).content.decode()
    new_ref = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{NEW_KEY_ID}"
    assert copy.doc["keys"][0]["id"] == NEW_KEY_ID and copy.doc["keys"][0]["region"] == "eu-west-1"
    assert new_ref in html  # the panel stays open on the key under its new ARN


def test_an_account_id_already_taken_is_refused(copy):
    other = copy.add("account", "B")
    before = copy.doc
    html = copy.post("nodes/props/", {"ref": other, "account_id": ACCOUNT}).content.decode()
    assert f"An account with id {ACCOUNT} is already in the scenario." in html
    assert copy.doc == before


def test_rename_refuses_what_it_always_refused():
    with pytest.raises(EditError):
        documents.rename(_scenario(), f"arn:aws:iam::{ACCOUNT}:role/app", "<b>")


def test_a_new_scenario_region_moves_the_arns_of_keys_without_their_own():
    before = _scenario()
    after = json.loads(json.dumps(before))
    after["region"] = "ap-south-1"
    doc = identifiers.follow(before, after)
    new_arn = f"arn:aws:kms:ap-south-1:{ACCOUNT}:key/{KEY_ID}"
    assert doc["attempts"][0]["resource"] == new_arn
    assert doc["buckets"][0]["default_encryption"]["key"] == new_arn
