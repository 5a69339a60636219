"""The decision diff: after each edit the page says which attempts and which
access cells changed, and undo says the opposite."""

from __future__ import annotations

import json

import pytest

from tests.playground.conftest import HX

pytestmark = pytest.mark.django_db


def _changes(copy) -> list[str]:
    html = copy.client.get(copy.base + "changes/", **HX).content.decode()
    return [
        line.split("</li>")[0].split(">", 1)[1].strip()
        for line in html.split('<li class="change ')[1:]
    ]


def test_an_edit_names_the_access_it_gave_and_the_attempt_it_broke(copy):
    role = copy.add("role", "etl")
    key = copy.add("key", "orders")
    copy.post(
        "attempts/save/",
        {"principal": role, "action": "kms:Decrypt", "resource": key, "expect": "deny"},
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": role},
                "Action": "kms:Decrypt",
                "Resource": "*",
            }
        ],
    }
    copy.post("policies/save/", {"ref": key, "path": "/policy", "text": json.dumps(policy)})
    shown = _changes(copy)
    assert "✓ gave etl kms:Decrypt on orders" in shown
    assert "✗ attempt decrypt-1 now fails its expectation" in shown
    copy.post("undo/")
    shown = _changes(copy)
    assert "✗ took kms:Decrypt on orders away from etl" in shown
    assert "✓ attempt decrypt-1 now meets its expectation" in shown


def test_an_edit_that_changes_no_verdict_says_so(copy):
    copy.add("key", "orders")
    copy.add("user", "alice")  # no identity policy: she reaches no key
    html = copy.client.get(copy.base + "changes/", **HX).content.decode()
    assert "No verdict changed" in html
    assert 'class="change ' not in html
