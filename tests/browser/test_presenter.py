"""The presenter view on a 1920x1080 projector, in Chromium.

Text is measured with getComputedStyle (body text 28 px or more, code 22 px
or more); the trace is stepped with the arrow keys and a clicker's
PageUp/PageDown; Space reveals in predict mode; the request runs along the
canvas to the gate that decided; zoom, pan and fit change the canvas, and
browser zoom (emulated as a 200% device scale on the same screen) never makes
canvas text smaller.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from playground import store
from playground.models import Scenario
from tests.browser.conftest import READY, node_name_height

SIZES = """(selectors) => selectors.flatMap((sel) =>
  [...document.querySelectorAll(sel)].filter((el) => el.offsetParent !== null)
    .map((el) => [sel, parseFloat(getComputedStyle(el).fontSize)]))"""
BODY_TEXT = [
    "h1",
    ".present-nav .button",
    ".present-tools button",
    ".present-line",
    "#result h2",
    ".result-line .badge",
    ".step.current .step-title",
    ".step.current .step-detail",
    ".present-keys",
    ".stepper button",
    ".prediction",
]
CODE = [".outcome code", ".step.current code", ".step.current .cm-content", ".blob"]


@pytest.fixture
def presenting(live_server, db):
    call_command("loadexamples", verbosity=0)
    example = Scenario.objects.get(example_slug="05-third-party-external-id")
    wc, _ = store.create(example.document)
    return f"{live_server.url}/w/{wc.id}/present/"


def _open(page, url):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(url)
    page.wait_for_function(READY)


def test_the_presenter_view_is_readable_from_the_back_of_the_room(page, presenting):
    _open(page, presenting + "?attempt=assume-with-external-id-then-decrypt")
    expect(page.locator("#result [data-trace][data-ready]")).to_have_count(1)
    sizes = page.evaluate(SIZES, BODY_TEXT)
    assert {sel for sel, _ in sizes} >= {"h1", ".present-line", ".step.current .step-detail"}
    small = [(sel, px) for sel, px in sizes if px < 28]
    assert not small, small
    code = page.evaluate(SIZES, CODE)
    assert code and not [(sel, px) for sel, px in code if px < 22], code
    canvas_text = page.evaluate(
        "() => [...document.querySelectorAll('#canvas .node-name')]"
        ".map((t) => t.getBoundingClientRect().height)"
    )
    assert min(canvas_text) >= 22, canvas_text

    # The request runs from the caller (cloudscan-worker) to the gate (the key).
    expect(page.locator(".request-dot.is-moving")).to_have_count(1)
    route = page.locator(".request-route").get_attribute("d")
    assert route.count("L") == 2  # worker -> the role it assumes -> the key
    expect(page.locator(".request-gate.gate-allowed")).to_have_count(1)


def test_the_trace_steps_with_arrow_keys_and_clicker_keys(page, presenting):
    _open(page, presenting + "?attempt=assume-with-external-id-then-decrypt")
    position = page.locator("#result [data-position]")
    expect(position).to_contain_text("Step 1 of")
    page.keyboard.press("ArrowRight")
    expect(position).to_contain_text("Step 2 of")
    page.keyboard.press("PageDown")
    expect(position).to_contain_text("Step 3 of")
    page.keyboard.press("PageUp")
    page.keyboard.press("ArrowLeft")
    expect(position).to_contain_text("Step 1 of")
    total = int(re.search(r"of (\d+)", position.inner_text()).group(1))
    for _ in range(total - 1):
        page.keyboard.press("PageDown")
    expect(position).to_contain_text(f"Step {total} of {total}")
    page.keyboard.press("PageDown")  # past the last step: the next attempt
    page.wait_for_url(re.compile(r"attempt=worker-decrypts-directly"))
    expect(page.locator(".present-count")).to_have_text("Attempt 5 of 5")


def test_space_reveals_in_predict_mode(page, presenting):
    _open(page, presenting + "?attempt=assume-with-wrong-external-id&predict=1")
    html = page.content()
    assert "request-route" not in html and "badge-" not in html
    assert "wrong" not in page.locator("#result").inner_text().lower()
    sizes = page.evaluate(SIZES, [".predict-choices label", "#reveal", ".ask-line"])
    assert sizes and not [s for s in sizes if s[1] < 28], sizes
    page.get_by_label("Implicit deny").check()
    page.locator(".present-keys").click()
    page.keyboard.press("Space")
    expect(page.locator("#result .prediction")).to_contain_text("✓ Right")
    expect(page.locator(".request-gate.gate-implicit")).to_have_count(1)
    assert "predict=1" in page.url


def test_zoom_pan_and_fit_change_the_canvas(page, presenting):
    _open(page, presenting)
    svg = page.locator("#canvas svg")
    width = float(svg.get_attribute("width"))
    page.get_by_role("button", name="Zoom in").click()
    assert float(svg.get_attribute("width")) == pytest.approx(width * 1.25, abs=1)
    expect(page.locator("#zoom-level")).to_have_text("188%")
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Pan right").click()
    page.wait_for_function("() => document.getElementById('present-viewport').scrollLeft > 0")
    page.get_by_role("button", name="⤢ Fit to screen").click()
    expect(page.locator("#present-fit")).to_have_attribute("aria-pressed", "true")
    fits = page.evaluate(
        """() => { const v = document.getElementById('present-viewport');
                   const s = document.querySelector('#canvas svg');
                   return [s.getBoundingClientRect().width <= v.clientWidth,
                           s.getBoundingClientRect().height <= v.clientHeight]; }"""
    )
    assert fits == [True, True]


def test_browser_zoom_never_makes_canvas_text_smaller(browser, presenting):
    at_100, at_200 = (node_name_height(browser, presenting, (1920, 1080), z) for z in (1, 2))
    assert at_200 >= at_100  # in CSS pixels: so twice as large on the screen


def test_a_blank_scenario_opens_for_screen_sharing(page, live_server, db):
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="New blank scenario for presenting").click()
    page.wait_for_url(re.compile(r"/w/[A-Za-z0-9]+/present/$"))
    expect(page.locator(".present-line")).to_contain_text("no attempts yet")
