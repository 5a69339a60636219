"""A teacher's lesson and a student's challenge, in Chromium.

The teacher opens an example in predict mode: nothing on the page or in its
source gives the answers away; the class predicts, the teacher reveals and
steps through the trace with the keyboard. A student starts a challenge,
checks a solution that is too wide (refused by the least-privilege rule),
fixes it and sees the challenge solved.
"""

from __future__ import annotations

import json
import re

from django.core.management import call_command
from playwright.sync_api import expect

from playground.models import Scenario
from tests.browser.conftest import READY

ANSWERS = re.compile(
    r"badge-(allowed|implicit|explicit|error)\b|arrow-(allowed|denied|grant|trust)\b"
    r"|Expected:|Implicitly denied|AccessDeniedException|NotFoundException|✓ as expected"
)


def _gallery(page, live_server):
    call_command("loadexamples", verbosity=0)
    page.goto(live_server.url + "/gallery/")


def test_a_teacher_runs_a_lesson_in_predict_mode(page, live_server):
    _gallery(page, live_server)
    page.get_by_role(
        "button", name="Open in predict mode: Cross-account decrypt needs both sides"
    ).click()
    page.wait_for_url(re.compile(r"/w/[A-Za-z0-9]+/\?predict=1$"))
    page.wait_for_function(READY)
    source = page.request.get(page.url).text()
    found = ANSWERS.search(source)
    assert not found, source[found.start() - 200 : found.end() + 50]
    dom = page.content()
    assert not ANSWERS.search(dom)
    expect(page.locator("#canvas .arrow-allowed, #canvas .arrow-denied")).to_have_count(0)
    expect(page.locator("#predict-toggle")).to_have_text("Predict mode: on")

    # Predict the third attempt (web-frontend), then reveal with the space bar.
    row = page.locator('#attempts li[data-attempt="frontend-decrypts"]')
    expect(row).not_to_contain_text("no IAM allow")
    row.get_by_role("link", name="Predict attempt 3").click()
    expect(page.locator("#result .predict-form")).to_be_visible()
    question = page.locator("#result").inner_html()
    assert "badge-" not in question and "data-trace" not in question
    page.get_by_label("Implicit deny").check()
    page.locator("#result h2").click()  # focus off the radio, as a presenter would
    page.keyboard.press("Space")
    expect(page.locator("#result .prediction")).to_contain_text("✓ Right")
    expect(page.locator("#predict-score")).to_have_text("Your score: 1 of 1")
    expect(page.locator("#result-badge")).to_contain_text("Implicit deny")

    # Step through the trace with the arrow keys.
    expect(page.locator("#result [data-trace][data-ready]")).to_have_count(1)
    position = page.locator("#result [data-position]")
    expect(position).to_contain_text("Step 1 of")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(position).to_contain_text("Step 3 of")
    page.keyboard.press("ArrowLeft")
    expect(position).to_contain_text("Step 2 of")

    # A wrong prediction counts against the score; the URL keeps predict mode.
    page.locator('#attempts li[data-attempt="consumer-uses-alias-name"]').get_by_role(
        "link", name=re.compile("^Predict")
    ).click()
    page.get_by_label("Allowed").check()
    page.get_by_role("button", name="Reveal", exact=True).click()
    expect(page.locator("#result .prediction")).to_contain_text("the answer is NotFoundException")
    expect(page.locator("#predict-score")).to_have_text("Your score: 1 of 2")
    assert "predict=1" in page.url
    page.reload()
    page.wait_for_function(READY)
    assert not ANSWERS.search(page.locator("#attempts").inner_html())


def _set_locked_key_policy(page, original: dict, actions: list[str]) -> None:
    """The locked key's policy plus one statement naming orders-api, typed in the editor."""
    policy = json.loads(json.dumps(original))
    policy["Statement"].append(
        {
            "Sid": "StudentFix",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:role/orders-api"},
            "Action": actions,
            "Resource": "*",
        }
    )
    page.locator('#canvas a.node[aria-label^="KMS key orders-locked"]').click()
    content = page.locator("#panel .policy-form .cm-content").first
    expect(content).to_be_visible()
    content.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(json.dumps(policy, indent=2))
    expect(page.locator("#panel .policy-status").first).to_contain_text("Saved")


def test_a_student_solves_a_challenge_and_least_privilege_refuses_a_wide_fix(page, live_server):
    _gallery(page, live_server)
    example = Scenario.objects.get(example_slug="01-key-policy-must-open-the-door")
    page.get_by_role("button", name=f"Open example: {example.title}").click()
    page.wait_for_function(READY)
    page.get_by_role("button", name="Share as challenge").click()
    link = page.locator("#share-url").input_value()
    assert re.search(r"/c/[A-Za-z0-9]+/$", link)

    student = page.context.browser.new_context(viewport={"width": 1280, "height": 800})
    spage = student.new_page()
    try:
        spage.goto(link)
        source = spage.request.get(link).text()
        assert '"expect"' not in source and "implicit_deny" not in source
        expect(spage.locator(".tasks .task").first).to_contain_text("Let orders-api encrypt")
        spage.get_by_role("button", name="Start the challenge").click()
        spage.wait_for_url(re.compile(r"/w/[A-Za-z0-9]+/$"))
        spage.wait_for_function(READY)
        spage.get_by_role("link", name="✔ Check").click()
        expect(spage.locator("#challenge .unsolved")).to_contain_text("Not solved yet")
        expect(spage.locator('#challenge [data-task="1"]')).to_contain_text("Not yet")

        original = example.document["keys"][0]["policy"]
        _set_locked_key_policy(spage, original, ["kms:Encrypt", "kms:Decrypt"])
        spage.get_by_role("link", name="✔ Check").click()
        expect(spage.locator('#challenge [data-task="1"]')).to_contain_text("Done")
        expect(spage.locator("#challenge .widened")).to_contain_text(
            "orders-api can now Decrypt with orders-locked"
        )
        expect(spage.locator("#challenge-solved")).to_have_count(0)

        _set_locked_key_policy(spage, original, ["kms:Encrypt"])  # the narrow fix
        spage.get_by_role("link", name="✔ Check").click()
        expect(spage.locator("#challenge-solved")).to_contain_text("Solved")
    finally:
        student.close()
