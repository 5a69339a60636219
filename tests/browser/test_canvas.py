"""The canvas in a real browser: examples, dragging, keyboard, undo, escaping."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from playground.models import Scenario
from tests.browser.conftest import READY, node_name_height

EXAMPLES = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "examples").glob("*.json"))


def _blank(page, live_server) -> str:
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Start a blank scenario").click()
    expect(page.locator("#canvas svg")).to_be_visible()
    page.wait_for_function(READY)
    return page.url


def _add(page, kind: str, name: str) -> None:
    page.select_option("#add-kind", kind)
    page.fill("#add-name", name)
    with page.expect_response(lambda r: r.url.endswith("/nodes/add/")):
        page.get_by_role("button", name="+ Add", exact=True).click()


@pytest.mark.parametrize("slug", EXAMPLES)
def test_every_example_opens_and_runs_all_its_attempts(page, live_server, slug):
    call_command("loadexamples", verbosity=0)
    example = Scenario.objects.get(example_slug=slug)
    page.goto(live_server.url + "/")
    item = page.locator(f'.gallery-item[data-example="{slug}"]')
    item.get_by_role("button", name=re.compile("^Open example")).click()
    expect(page.locator("#canvas svg")).to_be_visible()
    page.wait_for_function(READY)
    nodes = page.locator("#canvas a.node")
    assert nodes.count() >= len(example.document.get("principals", []))
    if example.document.get("attempts"):
        page.locator("#run-all").click()
        expect(page.locator("#attempts .attempts-message")).to_contain_text("Ran")
        expect(page.locator("#attempts .fail, #attempts .changed")).to_have_count(0)


def test_dragging_a_node_saves_its_position(page, live_server):
    url = _blank(page, live_server)
    _add(page, "role", "mover")
    node = page.locator("#canvas a.node-role")
    before = float(node.get_attribute("data-x"))
    box = node.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 60, steps=8)
    with page.expect_response(lambda r: r.url.endswith("/nodes/move/")):
        page.mouse.up()
    expect(page.locator("#canvas a.node-role")).not_to_have_attribute("data-x", str(before))
    page.goto(url)
    assert float(page.locator("#canvas a.node-role").get_attribute("data-x")) > before


def test_keyboard_opens_a_panel_and_moves_a_node(page, live_server):
    _blank(page, live_server)
    _add(page, "key", "kb")
    node = page.locator("#canvas a.node-key")
    node.focus()
    x = float(node.get_attribute("data-x"))
    with page.expect_response(lambda r: r.url.endswith("/nodes/move/")):
        page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#canvas a.node-key")).to_have_attribute("data-x", str(x + 20))
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.matches('#canvas a.node-key')"
    )
    page.locator("#panel .close-panel").click()
    expect(page.locator("#panel h2")).to_have_text("Scenario")
    page.locator("#canvas a.node-key").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#panel h2")).to_contain_text("kb")
    expect(page.locator("#panel .cm-editor")).to_be_visible()


def test_undo_and_redo_buttons_and_shortcuts(page, live_server):
    _blank(page, live_server)
    _add(page, "user", "alice")
    expect(page.locator("#canvas a.node-user")).to_have_count(1)
    page.get_by_role("button", name="↶ Undo").click()
    expect(page.locator("#canvas a.node-user")).to_have_count(0)
    page.locator("body").click(position={"x": 5, "y": 700})
    page.keyboard.press("Control+Shift+Z")
    expect(page.locator("#canvas a.node-user")).to_have_count(1)
    page.reload()
    expect(page.locator("#canvas a.node-user")).to_have_count(1)  # a reload keeps the work


def test_html_in_titles_and_names_is_shown_as_text(page, live_server):
    _blank(page, live_server)
    evil = '<img src=x onerror="window.pwned=1">'
    page.locator("#prop-title").fill(evil)
    with page.expect_response(lambda r: r.url.endswith("/scenario/")):
        page.locator("#prop-title").press("Tab")
    page.reload()
    expect(page.locator("#scenario-title")).to_have_text(evil)
    page.locator("#canvas a.account").click()
    page.fill("#rename-name", evil)
    with page.expect_response(lambda r: r.url.endswith("/nodes/rename/")):
        page.get_by_role("button", name="Rename").click()
    expect(page.locator("#canvas")).to_contain_text("<img src=x")
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("img[src=x]").count() == 0


def test_a_valid_import_replaces_the_canvas(page, live_server):
    _blank(page, live_server)
    page.locator(".import-details summary").click()
    doc = {"format": 1, "title": "Pasted", "accounts": [{"id": "444455556666", "name": "Pasted"}]}
    page.fill("#import-text", json.dumps(doc))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#scenario-title")).to_have_text("Pasted")


def test_browser_zoom_makes_workspace_canvas_text_larger(browser, page, live_server):
    url = _blank(page, live_server)
    _add(page, "user", "alice")
    expect(page.locator("#canvas .node-name")).to_have_count(1)
    at_100, at_200 = (node_name_height(browser, url, (1280, 800), z) for z in (1, 2))
    assert at_100 >= 15  # node names at their drawn 16 px
    assert at_200 >= at_100  # the same CSS pixels, so twice as large on the screen


def test_fit_to_screen_is_a_choice_kept_across_pages(page, live_server):
    _blank(page, live_server)
    fit = page.locator("#fit-toggle")
    expect(fit).to_have_attribute("aria-pressed", "false")
    fit.click()
    expect(page.locator("#canvas-area")).to_have_class(re.compile(r"\bfit\b"))
    page.reload()
    page.wait_for_function(READY)
    expect(fit).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#canvas-area")).to_have_class(re.compile(r"\bfit\b"))
