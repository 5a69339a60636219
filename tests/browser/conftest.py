"""Browser tests: Playwright (sync API) driving a headless Chromium.

The browser is the system Chromium (env CHROMIUM, default /usr/bin/chromium).
Only when that file is missing do we ask Playwright to install its own build.

Every test gets a `page` that records console errors, uncaught page errors,
failed requests and HTTP responses >= 400; any of them fails the test at
teardown. A screenshot of each test's last state goes to test-artifacts/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django refuses ORM
# calls from a thread with a running loop unless told this is fine.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import expect, sync_playwright

# The page is ready once every deferred script ran and htmx processed the body.
READY = (
    "() => document.readyState === 'complete'"
    " && window.htmx && window.KmsCanvas && window.KmsEditor"
)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The suite may share a busy machine with other work: give assertions time.
expect.set_options(timeout=10_000)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    launch = {"headless": True, "args": CHROMIUM_ARGS}
    if Path(executable).exists():
        launch["executable_path"] = executable
    else:
        # Last resort, for machines without a system Chromium.
        subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], check=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch)
        yield browser
        browser.close()


class PageProblems(list):
    """What went wrong while a page was open, as readable lines."""

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.append(f"page error: {exc}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.append(f"console error: {msg.text} ({msg.location})")

    def _request_failed(self, req) -> None:
        # A reload or navigation aborts requests still in flight (an htmx refresh,
        # a deferred script); that is the browser's doing, not a fault of the page.
        if req.failure == "net::ERR_ABORTED":
            return
        self.append(f"request failed: {req.method} {req.url}: {req.failure}")

    def _response(self, resp) -> None:
        if resp.status >= 400:
            self.append(f"HTTP {resp.status}: {resp.request.method} {resp.url}")


NODE_NAME_HEIGHT = (
    "() => document.querySelector('#canvas .node-name').getBoundingClientRect().height"
)


def node_name_height(browser, url: str, screen: tuple[int, int], zoom: float) -> float:
    """A canvas node name's height in CSS pixels under browser zoom, emulated as
    fewer CSS pixels of the same screen, each denser."""
    size = {"width": round(screen[0] / zoom), "height": round(screen[1] / zoom)}
    context = browser.new_context(viewport=size, device_scale_factor=zoom)
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    try:
        page.goto(url)
        page.wait_for_function(READY)
        return page.evaluate(NODE_NAME_HEIGHT)
    finally:
        context.close()
        assert not problems, problems


@pytest.fixture
def page_problems():
    return PageProblems()


@pytest.fixture
def page(browser, page_problems, request):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page_problems.watch(page)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid).strip("_")
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
    if page_problems:
        pytest.fail("the page reported problems:\n  " + "\n  ".join(page_problems))


def add_node(page, kind: str, name: str, account: str | None = None) -> None:
    """Add a node with the canvas's add form, and wait for the answer."""
    page.select_option("#add-kind", kind)
    if account:
        page.select_option("#add-account", account)
    page.fill("#add-name", name)
    with page.expect_response(lambda r: r.url.endswith("/nodes/add/")):
        page.get_by_role("button", name="+ Add", exact=True).click()


def type_policy(page, text: str) -> None:
    """Replace the text of the panel's first policy editor, as if typed."""
    content = page.locator("#panel .policy-form .cm-content").first
    content.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)
