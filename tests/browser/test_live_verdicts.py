"""Edit a policy in the browser: the badges, the arrows and the decision diff
change on the page without a reload, and a proven fix applies with one click."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.browser.conftest import READY

ROLE = "arn:aws:iam::111122223333:role/etl-job"
SCENARIO = {
    "format": 1,
    "title": "Live verdicts",
    "accounts": [{"id": "111122223333", "name": "Data"}],
    "principals": [
        {
            "type": "role",
            "account": "111122223333",
            "name": "etl-job",
            "trust_policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
        }
    ],
    "keys": [
        {
            "id": "1234abcd-12ab-34cd-56ef-1234567890ab",
            "account": "111122223333",
            "aliases": ["alias/orders"],
            "policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "EtlJob",
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::111122223333:role/etl-job-old"},
                        "Action": ["kms:Encrypt", "kms:Decrypt"],
                        "Resource": "*",
                    }
                ],
            },
        }
    ],
    "attempts": [
        {
            "id": "a1",
            "principal": ROLE,
            "action": "kms:Encrypt",
            "resource": "arn:aws:kms:us-east-1:111122223333:key/"
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "plaintext": "x",
            "expect": "allow",
        }
    ],
}
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _open(page, live_server) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Start a blank scenario").click()
    expect(page.locator("#canvas svg")).to_be_visible()
    page.wait_for_function(READY)
    page.locator(".import-details summary").click()
    page.fill("#import-text", json.dumps(SCENARIO))
    with page.expect_navigation():
        page.locator(".import-details button[type=submit]").click()
    page.wait_for_function(READY)


def test_a_policy_edit_changes_badges_arrows_and_the_diff_without_a_reload(page, live_server):
    _open(page, live_server)
    row = page.locator('#attempts li[data-attempt="a1"]')
    expect(row).to_have_attribute("data-authorization", "implicit_deny")
    expect(page.locator(f'#canvas .arrow-allowed[data-source="{ROLE}"]')).to_have_count(0)
    page.evaluate("window.__same_page = true")

    page.locator(f'#canvas a.node[data-ref="{KEY}"]').click()
    expect(page.locator("#panel h2")).to_contain_text("orders")
    policy = SCENARIO["keys"][0]["policy"]
    fixed = json.loads(json.dumps(policy))
    fixed["Statement"][0]["Principal"]["AWS"] = ROLE
    content = page.locator("#panel .policy-form .cm-content").first
    content.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(json.dumps(fixed, indent=2))
    expect(page.locator("#panel .policy-status").first).to_contain_text("Saved")

    expect(row).to_have_attribute("data-authorization", "allow")
    expect(row.locator(".pass")).to_be_visible()
    expect(page.locator(f'#canvas .arrow-allowed[data-source="{ROLE}"]')).to_have_count(1)
    changes = page.locator("#changes")
    expect(changes).to_contain_text("gave etl-job kms:Encrypt on orders")
    expect(changes).to_contain_text("attempt a1 now meets its expectation")
    assert page.evaluate("window.__same_page === true")  # no reload happened


def test_a_proven_fix_names_the_near_miss_and_applies_with_one_click(page, live_server):
    _open(page, live_server)
    row = page.locator('#attempts li[data-attempt="a1"]')
    with page.expect_response(lambda r: "/fixes/" in r.url):
        row.get_by_role("button", name="Run a1").click()
    page.get_by_role("button", name="Show all").click()  # the fixes sit in the decision record
    first = page.locator("#fixes .proven-fix").first
    expect(first).to_contain_text("etl-job-old")
    expect(first.locator(".json-diff .add")).to_contain_text(ROLE)
    first.get_by_role("button", name="Apply this fix").click()
    expect(page.locator("#result-badge")).to_contain_text("Allowed")
    expect(row).to_have_attribute("data-authorization", "allow")
    page.locator("#undo-button").click()
    expect(row).to_have_attribute("data-authorization", "implicit_deny")
