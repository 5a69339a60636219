"""Paste from AWS in the working copy: recognised, merged as one revision, reported."""

from __future__ import annotations

import json
from pathlib import Path

from tests.playground.conftest import ACCOUNT, announced

FIXTURES = Path(__file__).parent.parent / "aws_output"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_paste_merges_says_what_it_recognised_and_refreshes_the_page(copy):
    copy.add("role", "kept")
    response = copy.post("paste-aws/", {"text": _fixture("kms-describe-key.json")})
    html = response.content.decode()
    assert announced(response) == {"scenario-changed"}
    assert f"key {KEY_ID} (aws kms describe-key)" in html and "Merged into the scenario" in html
    assert "/KeyMetadata" in html and "default key policy" in html  # the note on the paste
    doc = copy.doc
    assert doc["keys"][0]["id"] == KEY_ID and doc["keys"][0]["region"] == "us-west-2"
    assert any(p["name"] == "kept" for p in doc["principals"])


def test_one_paste_is_one_revision_that_undo_takes_back(copy):
    before = copy.doc
    copy.post("paste-aws/", {"text": _fixture("iam-get-account-authorization-details.json")})
    assert len(copy.doc["principals"]) == 3
    copy.post("undo/")
    assert copy.doc == before


def test_output_without_its_bucket_goes_to_the_bucket_chosen(copy):
    bucket = copy.add("bucket", "amzn-s3-demo-bucket")
    data = {"text": _fixture("s3api-get-bucket-encryption.json"), "target": bucket}
    copy.post("paste-aws/", data)
    assert copy.doc["buckets"][0]["default_encryption"]["algorithm"] == "aws:kms"


def test_a_file_upload_works_like_a_paste(copy):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("event.json", _fixture("cloudtrail-decrypt-denied.json").encode())
    copy.post("paste-aws/", {"file": upload})
    (attempt,) = copy.doc["attempts"]
    assert attempt["action"] == "kms:Decrypt" and attempt["expect"] == "AccessDeniedException"


def test_what_is_not_recognised_changes_nothing_and_is_listed(copy):
    before = copy.doc
    html = copy.post("paste-aws/", {"text": '{\n  "Answer": 42\n}'}).content.decode()
    assert "Nothing was changed." in html and "Not recognised" in html
    assert copy.doc == before


def test_without_javascript_the_paste_page_reports_and_links_back(copy):
    response = copy.client.post(copy.base + "paste-aws/", {"text": _fixture("iam-get-user.json")})
    html = response.content.decode()
    assert response.status_code == 200 and "user bob (aws iam get-user)" in html
    assert f'href="{copy.base}"' in html


def test_the_workspace_toolbar_offers_paste_from_aws(copy):
    html = copy.client.get(copy.base).content.decode()
    assert "Paste from AWS" in html and 'action="' + copy.base + 'paste-aws/"' in html
    assert f'<option value="{ACCOUNT}">' in html


def test_key_policy_output_pasted_into_the_editor_is_unwrapped(copy):
    key = copy.add("key", "app")
    response = copy.post(
        "policies/save/",
        {"ref": key, "path": "/policy", "text": _fixture("kms-get-key-policy.json")},
        HTTP_ACCEPT="application/json",
    )
    body = response.json()
    assert body["status"] == "saved", body
    assert "get-key-policy" in body["message"]
    assert json.loads(body["text"])["Id"] == "key-consolepolicy-3"
    assert copy.doc["keys"][0]["policy"]["Id"] == "key-consolepolicy-3"


def test_a_typo_in_an_action_is_saved_with_a_warning_at_its_line(copy):
    role = copy.add("role", "app")
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "kms:Decrypte", "Resource": "*"}],
        },
        indent=2,
    )
    copy.post("policies/add/", {"ref": role, "which": "identity", "name": "p"})
    body = copy.post(
        "policies/save/",
        {"ref": role, "path": "/policies/0/policy", "text": text},
        HTTP_ACCEPT="application/json",
    ).json()
    assert body["status"] == "saved" and body["message"] == "Saved, with 1 warning."
    (warning,) = body["problems"]
    assert warning["code"] == "catalogue.unknown_action" and warning["line"] == 6
    assert 'Did you mean "kms:Decrypt"?' in warning["message"]


def test_the_attempt_builder_offers_the_catalogue_actions(copy):
    html = copy.client.get(copy.base).content.decode()
    assert '<datalist id="catalogue-actions">' in html and 'list="catalogue-actions"' in html
    assert '<option value="kms:ScheduleKeyDeletion">' in html
    assert '<option value="iam:PassRole">' in html


def test_an_action_from_the_catalogue_is_saved_and_a_made_up_one_refused(copy):
    key = copy.add("key", "app")
    data = {
        "principal": f"arn:aws:iam::{ACCOUNT}:root",
        "action": "kms:Decrypt",
        "resource": key,
        "attempt_id": "sched",
    }
    copy.post("attempts/save/", {**data, "other_action": "kms:schedulekeydeletion"})
    assert copy.doc["attempts"][0]["action"] == "kms:ScheduleKeyDeletion"
    html = copy.post("attempts/save/", {**data, "attempt_id": "x", "other_action": "kms:Nope"})
    assert "kms:Nope is not a KMS, S3, STS or IAM action" in html.content.decode()
    assert len(copy.doc["attempts"]) == 1
