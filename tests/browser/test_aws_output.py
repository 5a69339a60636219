"""Real AWS data in Chromium: the catalogue's warnings in the policy editor, and
Paste from AWS merging CLI output into the canvas."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, READY, add_node, type_policy

FIXTURES = Path(__file__).parent.parent / "aws_output"

TYPO_AND_WRONG_TYPE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Admin",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "UseTheKey",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": ["kms:Decrypte", "kms:Encrypt"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SecureTransport": "true"}},
        },
    ],
}


def _blank(page, live_server) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Start a blank scenario").click()
    expect(page.locator("#canvas svg")).to_be_visible()
    page.wait_for_function(READY)


def test_typo_and_wrong_operator_type_are_warnings_at_their_lines(page, live_server):
    _blank(page, live_server)
    add_node(page, "key", "orders", account="111122223333")
    expect(page.locator("#panel h2")).to_contain_text("orders")
    text = json.dumps(TYPO_AND_WRONG_TYPE, indent=2)
    lines = text.splitlines()
    typo = next(i for i, line in enumerate(lines, 1) if '"kms:Decrypte"' in line)
    wrong = next(i for i, line in enumerate(lines, 1) if '"aws:SecureTransport"' in line)
    type_policy(page, text)
    status = page.locator("#panel .policy-status").first
    expect(status).to_contain_text("Saved, with 2 warnings")
    problems = page.locator("#panel .policy-form .problems").first
    expect(problems).to_contain_text(f'line {typo}: "kms:Decrypte" is not a kms action')
    expect(problems).to_contain_text('Did you mean "kms:Decrypt"?')
    expect(problems).to_contain_text(f"line {wrong}: StringEquals compares string values")
    expect(problems).to_contain_text("is of type Bool: use Bool")
    expect(page.locator("#panel .cm-lint-marker-warning")).to_have_count(2)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "aws-catalogue-warnings.png"))


def test_paste_from_aws_merges_cli_output_into_the_canvas(page, live_server):
    _blank(page, live_server)
    page.get_by_text("⬆ Paste from AWS").click()
    page.fill("#paste-text", (FIXTURES / "kms-describe-key.json").read_text())
    with page.expect_response(lambda r: r.url.endswith("/paste-aws/")):
        page.get_by_role("button", name="Paste into the scenario").click()
    expect(page.locator("#paste")).to_contain_text("Merged into the scenario")
    expect(page.locator("#paste")).to_contain_text("aws kms describe-key")
    key = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    expect(page.locator(f'#canvas a.node[data-ref="{key}"]')).to_have_count(1)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "aws-paste.png"))


def test_cli_output_pasted_into_a_policy_editor_becomes_the_policy(page, live_server):
    _blank(page, live_server)
    add_node(page, "key", "orders", account="111122223333")
    expect(page.locator("#panel h2")).to_contain_text("orders")
    type_policy(page, (FIXTURES / "kms-get-key-policy.json").read_text())
    status = page.locator("#panel .policy-status").first
    expect(status).to_contain_text("Took the policy out of the aws kms get-key-policy")
    editor = page.locator("#panel .policy-form .cm-content").first
    expect(editor).to_contain_text('"Id": "key-consolepolicy-3"')
    expect(editor).not_to_contain_text('"PolicyName"')
