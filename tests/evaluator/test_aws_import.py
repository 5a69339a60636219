"""Pasting AWS CLI output and CloudTrail events: every fixture in tests/aws_output/
is shaped like the real command's output; each is merged into a scenario that is
then loaded and evaluated, and says what it produced where a user would look."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evaluator import evaluate, load_scenario
from evaluator.aws_import import paste_aws, unwrap_policy

FIXTURES = Path(__file__).parent.parent / "aws_output"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ACCOUNT = "111122223333"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/{KEY_ID}"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/service/app-reader"
BUCKET = "amzn-s3-demo-bucket"

# A working copy that already holds things of its own (which must survive every paste).
BASE = {
    "format": 1,
    "title": "Production incident",
    "accounts": [{"id": ACCOUNT, "name": "Prod"}],
    "principals": [
        {
            "type": "role",
            "account": ACCOUNT,
            "name": "app-reader",
            "path": "/service/",
            "policies": [
                {
                    "name": "drawn-by-hand",
                    "policy": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
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
        },
    ],
    "buckets": [{"name": BUCKET, "account": ACCOUNT}],
    "layout": {ACCOUNT: {"x": 10, "y": 10}},
}


def _key(doc, key_id=KEY_ID):
    return next(k for k in doc.get("keys") or [] if k["id"] == key_id)


def _principal(doc, name):
    return next(p for p in doc["principals"] if p["name"] == name)


def _policy_names(p):
    return [x["name"] for x in p.get("policies") or []]


# fixture file -> (target chosen in the form, what the merged document must show)
EXPECTED = {
    "kms-get-key-policy.json": (
        KEY_ARN,
        lambda d: (
            _key(d)["policy"]["Statement"][1]["Condition"]["StringEquals"]
            == {"kms:EncryptionContext:app": "billing"}
        ),
    ),
    "kms-describe-key.json": (
        "",
        lambda d: (
            _key(d)["region"] == "us-west-2"
            and _key(d)["description"] == "Billing data key"
            and _key(d)["account"] == ACCOUNT
        ),
    ),
    "kms-describe-key-multi-region.json": (
        "",
        lambda d: (
            _key(d, "mrk-1234abcd12ab34cd56ef1234567890ab")["state"] == "Disabled"
            and _key(d, "mrk-1234abcd12ab34cd56ef1234567890ab")["region"] == "eu-west-1"
        ),
    ),
    "kms-list-aliases.json": ("", lambda d: _key(d)["aliases"] == ["alias/billing"]),
    "kms-list-grants.json": (
        "",
        lambda d: (
            _key(d)["grants"][0]["grantee"] == f"arn:aws:iam::{ACCOUNT}:role/batch-worker"
            and _key(d)["grants"][0]["retiring"] == ROLE_ARN
            and _key(d)["grants"][0]["operations"] == ["Decrypt", "GenerateDataKey"]
            and _key(d)["grants"][0]["constraints"]
            == {"encryption_context_subset": {"app": "billing"}}
        ),
    ),
    "iam-get-account-authorization-details.json": (
        "",
        lambda d: (
            _policy_names(_principal(d, "app-reader")) == ["drawn-by-hand", "read-billing"]
            and _principal(d, "alice")["groups"] == ["Admins"]
            and _principal(d, "alice")["tags"] == {"team": "finance"}
            and _principal(d, "alice")["permissions_boundary"]["Statement"][0]["Action"] == "kms:*"
            and _principal(d, "batch-worker")["policies"][0]["policy"]["Statement"][0]["Action"]
            == "kms:DescribeKey"  # the default version v2, not v1
            and _principal(d, "batch-worker")["trust_policy"]["Statement"][0]["Principal"]
            == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}  # URL-encoded in the output
            and _principal(d, "app-reader")["tags"] == {"app": "billing"}
        ),
    ),
    "iam-get-role.json": (
        "",
        lambda d: (
            _principal(d, "app-reader")["trust_policy"]["Statement"][0]["Principal"]
            == {"Service": "ec2.amazonaws.com"}
        ),
    ),
    "iam-get-user.json": (
        "",
        lambda d: (
            _principal(d, "bob")["path"] == "/engineering/"
            and _principal(d, "bob")["tags"] == {"department": "finance"}
        ),
    ),
    "iam-get-role-policy.json": (
        "",
        lambda d: (
            _policy_names(_principal(d, "app-reader")) == ["drawn-by-hand", "encrypt-billing"]
        ),
    ),
    "iam-get-policy-version.json": (
        ROLE_ARN,
        lambda d: (
            _principal(d, "app-reader")["policies"][1]["policy"]["Statement"][0]["Effect"] == "Deny"
        ),
    ),
    "s3api-get-bucket-policy.json": (
        "",
        lambda d: d["buckets"][0]["policy"]["Statement"][0]["Sid"] == "DenyUnencryptedUploads",
    ),
    "s3api-get-bucket-encryption.json": (
        f"arn:aws:s3:::{BUCKET}",
        lambda d: (
            d["buckets"][0]["default_encryption"]
            == {"algorithm": "aws:kms", "key": KEY_ARN, "bucket_key": True}
        ),
    ),
    "s3api-get-bucket-replication.json": (
        f"arn:aws:s3:::{BUCKET}",
        lambda d: (
            d["buckets"][0]["replication"]["rules"][0]
            == {
                "destination_bucket": "amzn-s3-demo-destination-bucket",
                "replica_kms_key": "arn:aws:kms:us-west-2:444455556666:key/"
                "0987dcba-09fe-87dc-65ba-ab0987654321",
                "sse_kms_encrypted_objects": True,
            }
            and d["buckets"][1]["account"] == "444455556666"
        ),
    ),
    "organizations-describe-policy-scp.json": (
        "",
        lambda d: (
            d["organization"]["scps"][0]["name"] == "protect-keys"
            and d["organization"]["id"] == "o-exampleorgid"
        ),
    ),
    "organizations-describe-policy-rcp.json": (
        "",
        lambda d: d["organization"]["rcps"][0]["policy"]["Statement"][0]["Effect"] == "Deny",
    ),
    "cloudtrail-decrypt-denied.json": (
        "",
        lambda d: (
            d["attempts"][0]["principal"]
            == f"arn:aws:sts::{ACCOUNT}:assumed-role/app-reader/i-0abcd1234example"
            and d["attempts"][0]["encryption_context"] == {"app": "payroll"}
            and d["attempts"][0]["context"] == {"aws:SourceIp": "203.0.113.17"}
        ),
    ),
    "cloudtrail-records.json": (
        "",
        lambda d: (
            d["attempts"][0]["via_service"] == "s3.us-west-2.amazonaws.com"
            and d["attempts"][0]["action"] == "kms:GenerateDataKey"
            and d["attempts"][1]["context"]["aws:SourceVpce"] == "vpce-1a2b3c4d5e6f7a8b9"
            and d["vpc_endpoints"][0]["id"] == "vpce-1a2b3c4d5e6f7a8b9"
        ),
    ),
}

# Things pasted before a fixture (describe-key first, so the key's real id and region exist).
SETUP = {
    "kms-list-aliases.json": ["kms-describe-key.json"],
    "kms-get-key-policy.json": ["kms-describe-key.json"],
}


def _paste(doc, name, target=""):
    return paste_aws(doc, (FIXTURES / name).read_text(), target)


def test_every_fixture_states_what_it_should_produce():
    assert sorted(p.name for p in FIXTURES.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pasted_output_merges_and_the_scenario_evaluates(name):
    doc = BASE
    for first in SETUP.get(name, []):
        doc = _paste(doc, first).document
    target, shows = EXPECTED[name]
    result = _paste(doc, name, target)
    assert result.ok, [str(p) for p in result.problems]
    assert result.recognised
    merged = result.document
    assert shows(merged), json.dumps(merged, indent=1)[:3000]
    # nothing of the working copy is lost
    assert _principal(merged, "app-reader")["policies"][0]["name"] == "drawn-by-hand"
    assert merged["layout"] == BASE["layout"] and merged["title"] == BASE["title"]
    loaded = load_scenario(merged)
    assert loaded.ok, [str(p) for p in loaded.problems if p.is_error]
    evaluation = evaluate(loaded.scenario, now=NOW)
    assert not [p for p in evaluation.problems if p.is_error]
    assert len(evaluation.results) == len(merged.get("attempts") or [])


def test_paste_never_changes_its_input():
    before = json.dumps(BASE, sort_keys=True)
    _paste(BASE, "iam-get-account-authorization-details.json")
    assert json.dumps(BASE, sort_keys=True) == before


def test_cloudtrail_decrypt_denial_becomes_an_attempt_that_reproduces_it():
    doc = BASE
    for name in (
        "kms-describe-key.json",
        "kms-get-key-policy.json",
        "iam-get-account-authorization-details.json",
        "cloudtrail-decrypt-denied.json",
    ):
        doc = _paste(doc, name, KEY_ARN if "policy" in name else "").document
    attempt = doc["attempts"][0]
    assert attempt["action"] == "kms:Decrypt" and attempt["resource"] == KEY_ARN
    assert attempt["expect"] == "AccessDeniedException"
    (result,) = evaluate(load_scenario(doc).scenario, now=NOW).results
    assert result.outcome == "AccessDeniedException" and result.passed is True
    # With the context the key policy asks for, the same call goes through.
    attempt["encryption_context"] = {"app": "billing"}
    attempt["expect"] = "Success"
    (fixed,) = evaluate(load_scenario(doc).scenario, now=NOW).results
    assert fixed.outcome == "Success", fixed.decision.reason


def test_anything_not_understood_is_listed_by_path_with_line():
    text = json.dumps({"KeyMetadata": {"KeyId": KEY_ID, "Arn": KEY_ARN, "Sparkle": 1}}, indent=2)
    result = paste_aws(BASE, text)
    (note,) = [p for p in result.problems if p.code == "import.not_understood"]
    assert note.pointer == "/KeyMetadata/Sparkle" and note.line == 5


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"Answer": 42}', "import.unrecognised"),
        ("[1, 2]", "import.unrecognised"),
        ('{"format": 1, "accounts": [{"id": "111122223333"}]}', "import.unrecognised"),
        ("{ nope", "json.syntax"),
        ('{"Policy": "{not json"}', "import.policy"),
    ],
    ids=["unknown-shape", "not-an-object", "scenario-document", "bad-json", "bad-policy-string"],
)
def test_what_cannot_be_read_changes_nothing_and_says_why(text, code):
    result = paste_aws(BASE, text)
    assert not result.ok and result.document == BASE
    assert code in {p.code for p in result.problems}


@pytest.mark.parametrize(
    "name",
    [
        "kms-get-key-policy.json",
        "iam-get-role-policy.json",
        "iam-get-policy-version.json",
        "organizations-describe-policy-scp.json",
        "s3api-get-bucket-policy.json",
    ],
)
def test_policy_editors_unwrap_the_policy_aws_printed(name):
    policy, label = unwrap_policy(json.loads((FIXTURES / name).read_text()))
    assert policy["Version"] == "2012-10-17" and policy["Statement"]
    assert "aws" in label


def test_a_plain_policy_is_not_unwrapped():
    assert unwrap_policy({"Version": "2012-10-17", "Statement": []}) is None
