"""Two tabs of one working copy in Chromium: the stale tab is refused, keeps its
input, and can apply it to the latest version; one tab never trips over itself."""

from __future__ import annotations

from playwright.sync_api import expect

from playground.models import WorkingCopy
from tests.browser.conftest import READY, add_node, type_policy


def _open_blank(page, live_server) -> str:
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Start a blank scenario").click()
    expect(page.locator("#canvas svg")).to_be_visible()
    page.wait_for_function(READY)
    return page.url


def _add_role(page, name: str):
    page.select_option("#add-kind", "role")
    page.fill("#add-name", name)
    with page.expect_response(lambda r: r.url.endswith("/nodes/add/")) as info:
        page.get_by_role("button", name="+ Add", exact=True).click()
    return info.value


def _copy(url: str) -> WorkingCopy:
    return WorkingCopy.objects.get(pk=url.rstrip("/").split("/")[-1])


def test_a_stale_tab_is_refused_keeps_what_was_typed_and_can_apply_it(
    page, live_server, page_problems
):
    url = _open_blank(page, live_server)
    other = page.context.new_page()  # the same browser: it holds the edit token too
    page_problems.watch(other)
    other.goto(url)
    other.wait_for_function(READY)

    assert _add_role(page, "first").status == 200
    refused = _add_role(other, "second")
    assert refused.status == 409
    box = other.locator("#conflict")
    expect(box).to_contain_text("changed elsewhere")
    expect(box).to_contain_text("second")  # what this tab sent is shown back
    expect(other.locator("#add-name")).to_have_value("second")  # and the form kept it
    names = [p.get("name") for p in _copy(url).document.get("principals") or []]
    assert names == ["first"]

    other.get_by_role("button", name="Apply my change to the latest version").click()
    expect(other.locator("#canvas")).to_contain_text("second")
    expect(other.locator("#canvas")).to_contain_text("first")
    page_problems[:] = [p for p in page_problems if "409" not in p]  # the expected refusal


def test_quick_writes_in_one_tab_all_land(page, live_server):
    url = _open_blank(page, live_server)
    # Three writes fired at once from one tab: each waits for the one before it.
    page.evaluate(
        """() => {
        const base = document.querySelector("[data-base]").dataset.base;
        for (const name of ["a", "b", "c"]) {
          htmx.ajax("POST", base + "nodes/add/", {
            target: "#canvas", swap: "outerHTML",
            values: {kind: "role", name, account: "111122223333"},
          });
        }
    }"""
    )
    expect(page.locator("#canvas")).to_contain_text("c")
    page.wait_for_function(
        "() => document.querySelector('[data-revision]').dataset.revision >= '4'"
    )
    names = sorted(p.get("name") for p in _copy(url).document.get("principals") or [])
    assert names == ["a", "b", "c"]
    expect(page.locator("#conflict")).to_be_empty()


def test_a_stale_tabs_policy_edit_is_refused_and_its_text_stays(page, live_server, page_problems):
    url = _open_blank(page, live_server)
    add_node(page, "key", "orders", account="111122223333")
    expect(page.locator("#panel h2")).to_contain_text("orders")
    key = page.locator("#canvas a.node-key").get_attribute("data-ref")
    other = page.context.new_page()
    page_problems.watch(other)
    other.goto(url + "?node=" + key)
    other.wait_for_function(READY)
    expect(other.locator("#panel .policy-form .cm-content").first).to_be_visible()
    before = _copy(url).document["keys"][0]["policy"]

    assert _add_role(page, "first").status == 200
    typed = '{"Version": "2012-10-17", "Statement": [], "Id": "TYPED-IN-THE-STALE-TAB"}'
    with other.expect_response(lambda r: r.url.endswith("/policies/save/")) as info:
        type_policy(other, typed)
    assert info.value.status == 409
    expect(other.locator("#conflict")).to_contain_text("changed elsewhere")
    expect(other.locator("#conflict")).to_contain_text("TYPED-IN-THE-STALE-TAB")
    expect(other.locator("#panel .policy-status").first).to_contain_text("Not saved")
    expect(other.locator("#panel .policy-form .cm-content").first).to_contain_text(
        "TYPED-IN-THE-STALE-TAB"
    )
    assert _copy(url).document["keys"][0]["policy"] == before
    page_problems[:] = [p for p in page_problems if "409" not in p]  # the expected refusal
