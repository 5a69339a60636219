"""The canvas's SVG is drawn once per revision and selection: asking for the
canvas again serves the same drawing without drawing it again."""

from __future__ import annotations

import pytest

from tests.playground.conftest import HX, imported

pytestmark = pytest.mark.django_db

SVG = "playground/partials/canvas_svg.html"


def _drawn(response) -> bool:
    return SVG in [t.name for t in response.templates]


def _svg(response) -> bytes:
    html = response.content
    return html[html.index(b"<svg") : html.index(b"</svg>")]


def test_the_canvas_asked_for_again_is_not_drawn_again(copy):
    imported(copy)
    first = copy.client.get(copy.base + "canvas/", **HX)
    again = copy.client.get(copy.base + "canvas/", **HX)
    assert _drawn(first) and not _drawn(again)
    assert _svg(again) == _svg(first)


def test_an_edit_draws_the_canvas_of_the_new_revision(copy):
    imported(copy)
    copy.client.get(copy.base + "canvas/", **HX)
    copy.add("user", "newcomer")
    after = copy.client.get(copy.base + "canvas/", **HX)
    assert _drawn(after) and b"newcomer" in after.content
