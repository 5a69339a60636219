"""A scenario with thousands of access pairs stays cheap to show after its
evaluation: the canvas draws its arrows without a template each, and the
access matrix table shows its first rows and says how to see the rest."""

from __future__ import annotations

import json

import pytest

from playground.canvas import Arrow
from playground.workspace import MATRIX_ROWS
from tests.playground.conftest import ACCOUNT, HX

pytestmark = pytest.mark.django_db

OPEN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}],
}


def _open_scenario(users: int, keys: int) -> str:
    """`users` users who may all use `keys` keys: users x keys arrows and matrix pairs."""
    return json.dumps(
        {
            "format": 1,
            "accounts": [{"id": ACCOUNT}],
            "principals": [
                {"type": "user", "account": ACCOUNT, "name": f"u{i}"} for i in range(users)
            ],
            "keys": [
                {"id": f"{i:08x}-12ab-34cd-56ef-1234567890ab", "account": ACCOUNT, "policy": OPEN}
                for i in range(keys)
            ],
        }
    )


def test_the_canvas_renders_no_template_per_arrow(copy):
    assert copy.post("import/", {"text": _open_scenario(10, 10)}).status_code == 204
    response = copy.client.get(copy.base + "canvas/", **HX)
    assert response.content.count(b'class="arrow arrow-allowed"') == 100
    assert len(response.templates) < 50  # 21 nodes, a few templates each at most


def test_an_arrow_escapes_the_text_it_shows():
    reason = 'the trust policy\'s "Condition" <StringEquals> & more'
    arrow = Arrow("trust", "denied", "a", "b", 0, 0, 10, 10, "✗ may not assume", reason)
    svg = arrow.svg()
    assert (
        "<title>the trust policy&#x27;s &quot;Condition&quot; "
        "&lt;StringEquals&gt; &amp; more</title>" in svg
    )
    assert '<line x1="0" y1="0" x2="10" y2="10" marker-end="url(#arrow-denied)"/>' in svg


def test_a_matrix_of_more_rows_than_it_shows_says_how_many_and_how_to_narrow_it(copy):
    users = MATRIX_ROWS // 2 // 10 + 5  # Encrypt and Decrypt per pair, 10 keys
    assert copy.post("import/", {"text": _open_scenario(users, 10)}).status_code == 204
    html = copy.client.get(copy.base + "matrix/", **HX).content.decode()
    assert html.count('<tr class="cell-') == MATRIX_ROWS
    assert f"Showing the first {MATRIX_ROWS} of" in html
    assert "choose a key or a principal above to see the rest" in html
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/00000000-12ab-34cd-56ef-1234567890ab"
    narrowed = copy.client.get(copy.base + "matrix/", {"key": key}, **HX).content.decode()
    assert narrowed.count('<tr class="cell-') == 2 * users and "Showing the first" not in narrowed
