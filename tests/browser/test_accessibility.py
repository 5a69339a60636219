"""Accessibility at 1280x720: names for every control, visible focus, no sideways scroll.

Also the attempt builder's action fields (shown for the chosen action only) and
the lesson panel, on the example most classes start with (03).
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, READY

# The accessible name as a screen reader would compute it, in the order that
# matters here: aria-labelledby, aria-label, <label>, then the element's text
# (or value/alt/title). Placeholders do not count.
NAMELESS = """() => {
  const text = (el) => (el ? (el.innerText || el.textContent || "").trim() : "");
  const name = (el) => {
    const by = el.getAttribute("aria-labelledby");
    if (by) {
      const t = by.split(/\\s+/).map((id) => text(document.getElementById(id))).join(" ").trim();
      if (t) return t;
    }
    const aria = (el.getAttribute("aria-label") || "").trim();
    if (aria) return aria;
    if (el.labels && el.labels.length) {
      const t = [...el.labels].map(text).join(" ").trim();
      if (t) return t;
    }
    if (el.matches("input[type=submit], input[type=button]")) return el.value.trim();
    if (el.matches("button, a, summary")) {
      const t = text(el) || el.textContent.trim();
      if (t) return t;
      const img = el.querySelector("img[alt], svg title");
      if (img) return (img.getAttribute("alt") || img.textContent).trim();
    }
    return (el.getAttribute("title") || "").trim();
  };
  const controls = document.querySelectorAll(
    "button, a[href], input:not([type=hidden]), select, textarea, summary,"
    + " [tabindex]:not([tabindex='-1'])"
  );
  return [...controls].filter((el) => !name(el)).map((el) => el.outerHTML.slice(0, 160));
}"""

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.querySelector(":scope > rect");
  return {
    html: el.outerHTML.slice(0, 120),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    stroke: rect ? parseFloat(getComputedStyle(rect).strokeWidth) >= 3 : false,
    visible: el.getClientRects().length > 0,
  };
}"""


@pytest.fixture
def example_03(page, live_server):
    call_command("loadexamples", verbosity=0)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(live_server.url + "/")
    page.locator('.gallery-item[data-example="03-cross-account-decrypt"]').get_by_role(
        "button", name=re.compile("^Open example")
    ).click()
    expect(page.locator("#canvas svg")).to_be_visible()
    page.wait_for_function(READY)
    return page


def _open_builder(page) -> None:
    page.locator(".attempt-builder summary").click()
    expect(page.locator(".attempt-form")).to_be_visible()


def test_every_control_on_the_workspace_has_an_accessible_name(example_03):
    page = example_03
    _open_builder(page)
    assert page.evaluate(NAMELESS) == []
    page.locator("#canvas a.node").first.click()  # a node's panel: properties, policies
    expect(page.locator("#panel .policy-form").first).to_be_visible()
    assert page.evaluate(NAMELESS) == []
    page.locator("#attempts li.attempt").first.get_by_role(
        "button", name=re.compile("^Run")
    ).click()
    expect(page.locator("#result [data-trace][data-ready]")).to_have_count(1)
    assert page.evaluate(NAMELESS) == []
    page.evaluate("() => document.body.insertAdjacentHTML('beforeend', '<button>&nbsp;</button>')")
    assert len(page.evaluate(NAMELESS)) == 1  # the check does catch a nameless control


def test_keyboard_focus_is_always_visible(example_03):
    page = example_03
    _open_builder(page)
    page.locator("body").click(position={"x": 2, "y": 2})
    seen = []
    for _ in range(80):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STYLE)
        if state is None or not state["visible"]:
            continue
        seen.append(state)
        assert state["outline"] or state["stroke"], f"no visible focus on {state['html']}"
    assert len(seen) > 40  # the walk reached the toolbar, the canvas and the side panels


def test_the_workspace_fits_1280_by_720_without_sideways_scrolling(example_03):
    page = example_03
    width = "() => document.documentElement.scrollWidth"
    assert page.evaluate(width) <= 1280
    _open_builder(page)
    page.select_option("#id_action", "kms:CreateGrant")
    assert page.evaluate(width) <= 1280
    page.locator("#canvas a.node-key").first.click()
    expect(page.locator("#panel .policy-form").first).to_be_visible()
    assert page.evaluate(width) <= 1280
    page.screenshot(path=str(ARTIFACTS / "a11y-1280x720-key-panel.png"))


def test_the_attempt_builder_shows_only_the_fields_of_the_chosen_action(example_03):
    page = example_03
    _open_builder(page)
    grant = page.locator("fieldset[data-actions='kms:CreateGrant']")
    policy = page.locator("fieldset[data-actions='kms:PutKeyPolicy kms:CreateKey']")
    destination = page.locator("fieldset[data-actions='kms:ReEncryptFrom s3:CopyObject']")
    expect(grant).to_be_hidden()
    page.select_option("#id_action", "kms:CreateGrant")
    expect(grant).to_be_visible()
    expect(policy).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "a11y-builder-create-grant.png"), full_page=True)
    page.select_option("#id_action", "kms:PutKeyPolicy")
    expect(policy).to_be_visible()
    expect(grant).to_be_hidden()
    page.select_option("#id_action", "s3:CopyObject")
    expect(destination).to_be_visible()


def test_the_lesson_is_rendered_markdown_and_collapsible(example_03):
    page = example_03
    lesson = page.locator("#lesson .lesson-text")
    expect(lesson.locator("strong").first).to_have_text("111122223333")
    expect(lesson.locator("li code").first).to_have_text("444455556666")
    assert "**" not in lesson.inner_text()
    page.locator("#lesson summary").click()
    expect(lesson).to_be_hidden()
