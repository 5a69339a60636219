"""Proven fixes on the page: listed for a denied attempt as JSON diffs, applied
with one click (an undoable edit) that flips the attempt; the access matrix
lists the evaluator's edges with filters."""

from __future__ import annotations

import json
import re

import pytest

from tests.playground.conftest import HX, announced

pytestmark = pytest.mark.django_db
ACCOUNT = "111122223333"


def _setup(copy) -> tuple[str, str, str]:
    role = copy.add("role", "etl-job")
    other = copy.add("role", "reporting")
    key = copy.add("key", "orders")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EtlJob",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/etl-job-old"},
                "Action": "kms:Encrypt",
                "Resource": "*",
            }
        ],
    }
    copy.post("policies/save/", {"ref": key, "path": "/policy", "text": json.dumps(policy)})
    copy.post(
        "attempts/save/",
        {"principal": role, "action": "kms:Encrypt", "resource": key, "plaintext": "x"},
    )
    return role, other, key


def _fixes(copy, attempt: str = "encrypt-1") -> str:
    return copy.client.get(copy.base + f"fixes/?attempt={attempt}", **HX).content.decode()


def test_an_applied_proven_fix_flips_its_attempt_and_undo_takes_it_back(copy):
    _setup(copy)
    assert copy.shown()["encrypt-1"]["authorization"] == "implicit_deny"
    html = _fixes(copy)
    fix_ids = re.findall(r'data-fix="([0-9a-f]+)" data-kind="([^"]+)"', html)
    assert fix_ids and fix_ids[0][1] == "near-miss principal"
    assert "Near miss: &quot;etl-job-old&quot; is named where &quot;etl-job&quot; calls" in html
    response = copy.post("fixes/apply/", {"attempt": "encrypt-1", "fix": fix_ids[0][0]})
    assert announced(response) == {"scenario-changed"}
    assert "Applied: Name etl-job instead of etl-job-old" in response.content.decode()
    assert copy.shown()["encrypt-1"]["authorization"] == "allow"
    copy.post("undo/")
    assert copy.shown()["encrypt-1"]["authorization"] == "implicit_deny"


def test_a_stale_fix_is_refused_and_changes_nothing(copy):
    _setup(copy)
    before = copy.wc.position
    response = copy.post("fixes/apply/", {"attempt": "encrypt-1", "fix": "0123456789abcdef"})
    assert "no longer applies" in response.content.decode()
    assert copy.wc.position == before


def test_a_stale_fix_without_javascript_says_so_on_the_page_it_returns_to(copy):
    _setup(copy)
    before = copy.wc.position
    data = {"attempt": "encrypt-1", "fix": "0123456789abcdef"}
    response = copy.client.post(copy.base + "fixes/apply/", data, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "That fix no longer applies" in page and "Applied:" not in page
    assert copy.wc.position == before


def test_a_fix_that_gives_others_access_warns_before_it_is_applied(copy):
    role, other, _ = _setup(copy)
    # Root delegation opens the key to every IAM policy of the account: reporting
    # may already use kms:*, so the fix that adds it gives reporting access too.
    copy.post("policies/add/", {"ref": other, "which": "identity", "name": "Kms"})
    allow = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}],
    }
    copy.post(
        "policies/save/", {"ref": other, "path": "/policies/0/policy", "text": json.dumps(allow)}
    )
    copy.post("policies/add/", {"ref": role, "which": "identity", "name": "Kms"})
    copy.post(
        "policies/save/", {"ref": role, "path": "/policies/0/policy", "text": json.dumps(allow)}
    )
    html = _fixes(copy)
    items = html.split('<li class="proven-fix"')[1:]
    widening = [i for i in items if 'data-kind="root delegation"' in i]
    assert widening, "root delegation flips the attempt, so it is offered"
    assert "This also gives others new access" in widening[0]
    assert "gave reporting kms:Encrypt on orders" in widening[0]
    assert "hx-confirm" in widening[0]
    assert items.index(widening[0]) > 0  # a contained fix ranks first


def test_fixes_page_works_without_javascript(copy):
    _setup(copy)
    html = copy.client.get(copy.base + "fixes/?attempt=encrypt-1").content.decode()
    assert "Proven fixes for attempt" in html and "Apply this fix" in html


def test_the_matrix_says_who_can_use_a_key_and_what_a_principal_can_do(copy):
    role, other, key = _setup(copy)
    allow = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": role}, "Action": "kms:*", "Resource": "*"}
        ],
    }
    copy.post("policies/save/", {"ref": key, "path": "/policy", "text": json.dumps(allow)})
    html = copy.client.get(copy.base + f"matrix/?key={key}", **HX).content.decode()
    rows = re.findall(r'<tr class="cell-(\w+)" data-source="([^"]+)" data-target="([^"]+)"', html)
    assert ("allow", role, key) in rows
    assert all(target == key for _, _, target in rows)
    assert not [r for r in rows if r[1] == other]
    html = copy.client.get(copy.base + f"matrix/?principal={other}&show=all", **HX)
    rows = re.findall(r'<tr class="cell-(\w+)" data-source="([^"]+)"', html.content.decode())
    assert rows and all(src == other for _, src in rows)
    assert ("implicit_deny", other) in rows
