"""The whole path a new user walks, in Chromium, with a screenshot at each stage.

Draw an account, a role and a key; write the key policy; run a Decrypt that is
denied; fix the policy as the hint says; run it again (allowed); step through
the trace; share; open the link in a fresh browser; fork it.
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, READY, PageProblems, add_node, type_policy

ENCRYPT_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AppUsesKey",
            "Effect": "Allow",
            "Principal": {"AWS": "ROLE"},
            "Action": "kms:Encrypt",
            "Resource": "*",
        }
    ],
}


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"walk-{name}.png"))


def _run(page, attempt_id: str) -> None:
    row = page.locator(f'#attempts li[data-attempt="{attempt_id}"]')
    with page.expect_response(lambda r: r.url.endswith("/attempts/run/")):
        row.get_by_role("button", name=re.compile("^Run")).click()
    expect(page.locator("#result [data-trace][data-ready]")).to_have_count(1)


def test_a_new_user_walks_the_whole_path(page, live_server, browser):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Start a blank scenario").click()
    expect(page.locator("#canvas svg")).to_be_visible()
    page.wait_for_function(READY)
    _shot(page, "01-blank")

    # Draw: an account, a role in it and a key.
    add_node(page, "account", "Payments")
    expect(page.locator("#canvas")).to_contain_text("Payments")
    add_node(page, "role", "app", account="444455556666")
    expect(page.locator("#panel h2")).to_contain_text("app")
    role = "arn:aws:iam::444455556666:role/app"
    add_node(page, "key", "orders", account="444455556666")
    expect(page.locator("#panel h2")).to_contain_text("orders")
    key = page.locator("#canvas a.node-key").get_attribute("data-ref")
    _shot(page, "02-drawn")

    # Write the key policy: an invalid edit keeps the text, a valid one is saved.
    policy = json.dumps(ENCRYPT_ONLY, indent=2).replace("ROLE", role)
    status = page.locator("#panel .policy-status").first
    type_policy(page, policy.replace('"Allow"', '"Alow"'))
    expect(status).to_contain_text("Not valid yet")
    expect(page.locator("#panel .cm-lint-marker-error").first).to_be_visible()
    type_policy(page, policy)
    expect(status).to_contain_text("Saved")
    _shot(page, "03-key-policy")

    # Attempts: encrypt (allowed), then decrypt that ciphertext (denied).
    page.fill("#id_principal", role)
    page.select_option("#id_action", "kms:Encrypt")
    page.fill("#id_resource", key)
    page.fill("#id_plaintext", "order 42")
    page.fill("#id_attempt_id", "enc")
    page.get_by_role("button", name="+ Add attempt").click()
    expect(page.locator('#attempts li[data-attempt="enc"]')).to_be_visible()
    page.locator(".attempt-builder summary").click()
    page.fill("#id_principal", role)
    page.select_option("#id_action", "kms:Decrypt")
    page.select_option("#id_ciphertext_from", "enc")
    page.fill("#id_attempt_id", "dec")
    page.get_by_role("button", name="+ Add attempt").click()
    expect(page.locator('#attempts li[data-attempt="dec"]')).to_be_visible()
    _run(page, "enc")
    expect(page.locator("#result-badge")).to_contain_text("Allowed")
    expect(page.locator("#result .output")).to_contain_text("ciphertext")
    _run(page, "dec")
    expect(page.locator("#result-badge")).to_contain_text("Implicit deny")
    fix = page.locator("#result .fixes")
    expect(fix).to_contain_text("Add kms:Decrypt to statement 'AppUsesKey'")
    page.get_by_role("button", name="Next →").click()
    _shot(page, "04-denied")

    # Fix the policy as the hint says; run again: allowed, with the plaintext back.
    page.locator(f'#canvas a.node[data-ref="{key}"]').click()
    expect(page.locator("#panel h2")).to_contain_text("orders")
    type_policy(page, policy.replace('"kms:Encrypt"', '["kms:Encrypt", "kms:Decrypt"]'))
    expect(page.locator("#panel .policy-status").first).to_contain_text("Saved")
    _run(page, "dec")
    expect(page.locator("#result-badge")).to_contain_text("Allowed")
    expect(page.locator("#result .output")).to_contain_text("order 42")
    expect(page.locator(f'#canvas .arrow-allowed[data-source="{role}"]')).to_have_count(1)
    _shot(page, "05-allowed")

    # Step through the trace with the keyboard: canvas and editor follow.
    position = page.locator("#result [data-position]")
    expect(position).to_have_text(re.compile(r"Step 1 of \d+"))
    total = int(position.inner_text().split()[-1])
    page.locator("#result").focus()
    policy_step = None
    for n in range(2, total + 1):
        page.keyboard.press("ArrowRight")
        expect(position).to_have_text(f"Step {n} of {total}")
        current = page.locator("#result .step.current")
        if policy_step is None and current.locator(".cm-kms-match").count():
            policy_step = n
            expect(page.locator(f'#canvas a.node.is-active[data-ref="{key}"]')).to_have_count(1)
            expect(current.locator(".cm-kms-stmt").first).to_be_visible()
            _shot(page, "06-trace-policy-step")
    assert policy_step is not None, "no step highlighted the key policy"
    expect(page.locator("#result .step.current")).to_contain_text("Decision")
    page.keyboard.press("ArrowLeft")
    expect(position).to_have_text(f"Step {total - 1} of {total}")
    page.get_by_role("button", name="Next →").click()
    _shot(page, "07-trace-decision")

    # Share, and open the link in a fresh browser context: read-only, then fork.
    page.get_by_role("button", name="Share").click()
    link = page.locator("#share-url").input_value()
    assert re.search(r"/s/[A-Za-z0-9]{10}/$", link)
    _shot(page, "08-shared")
    other = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        visitor = other.new_page()
        problems = PageProblems()
        problems.watch(visitor)
        visitor.goto(link + "?attempt=dec")
        visitor.wait_for_function(READY)
        expect(visitor.locator(".tag-readonly")).to_contain_text("Read-only snapshot")
        expect(visitor.locator("#result-badge")).to_contain_text("Allowed")
        expect(visitor.locator("#add-kind")).to_have_count(0)
        visitor.screenshot(path=str(ARTIFACTS / "walk-09-visitor.png"))
        visitor.get_by_role("button", name="Fork to edit").click()
        expect(visitor.locator(".tag-saved")).to_be_visible()
        visitor.wait_for_function(READY)
        expect(visitor.locator("#add-kind")).to_be_visible()
        visitor.locator('#attempts li[data-attempt="dec"]').get_by_role(
            "button", name=re.compile("^Run")
        ).click()
        expect(visitor.locator("#result-badge")).to_contain_text("Allowed")
        visitor.screenshot(path=str(ARTIFACTS / "walk-10-fork.png"))
        assert not problems, problems
    finally:
        other.close()
