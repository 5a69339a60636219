"""The home page in a real browser: htmx swaps the gallery, the editor bundle loads."""

from __future__ import annotations

from playground.models import Scenario


def _load_home(page, live_server):
    """Open `/` and return the htmx response for the gallery."""
    with page.expect_response(lambda r: r.url.endswith("/gallery/")) as info:
        page.goto(live_server.url + "/")
    response = info.value
    assert response.status == 200
    assert response.request.all_headers().get("hx-request") == "true"
    body = response.text()
    assert "<html" not in body  # the partial, not a full page
    # wait until htmx has swapped the placeholder out
    page.wait_for_selector("#gallery .placeholder", state="detached")
    return response


def test_home_swaps_in_empty_gallery(page, live_server):
    _load_home(page, live_server)
    assert page.locator("h1").inner_text() == "KMS Playground"
    assert page.locator("#gallery .empty-state").is_visible()


def test_home_gallery_lists_examples(page, live_server):
    Scenario.objects.create(
        title="Cross-account decrypt", document={"format": 1}, is_example=True, example_slug="x"
    )
    Scenario.objects.create(title="Not an example", document={"format": 1})
    _load_home(page, live_server)
    items = page.locator("#gallery .gallery-item")
    assert items.count() == 1
    assert items.first.locator(".gallery-title").inner_text() == "Cross-account decrypt"
    assert items.first.get_by_role("button", name="Open example: Cross-account decrypt").count()


def test_editor_bundle_works(page, live_server):
    _load_home(page, live_server)
    page.wait_for_function(
        "() => window.KmsEditor && typeof window.KmsEditor.create === 'function'"
    )
    result = page.evaluate(
        """() => {
        const host = document.createElement("div");
        document.querySelector("main").append(host);
        const changes = [];
        const ed = KmsEditor.create(host, {doc: '{"a": 1}', onChange: (t) => changes.push(t)});
        ed.setText('{\\n  "b": [1, 2]\\n}');
        ed.setDiagnostics([
          {line: 2, column: 3, severity: "error", message: "bad key"},
          {line: 99, column: 99, severity: "warning", message: "clamped"},
        ]);
        ed.highlightRange(4, 7, "cm-kms-highlight");
        return {
          text: ed.getText(),
          changes: changes.length,
          lines: host.querySelectorAll(".cm-gutterElement").length > 0,
          marks: host.querySelectorAll(".cm-lint-marker").length,
          highlighted: host.querySelectorAll(".cm-kms-highlight").length,
        };
    }"""
    )
    assert result["text"] == '{\n  "b": [1, 2]\n}'
    assert result["changes"] == 1
    assert result["lines"]
    assert result["marks"] >= 1
    assert result["highlighted"] == 1
