"""Every verdict on the page is the current revision's: after a policy, property
or grant edit, an import, an undo or a redo, each saved attempt shows what the
evaluator says now, without anyone pressing Run."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from playground import engine
from tests.playground.conftest import HX

pytestmark = pytest.mark.django_db


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _setup(copy) -> tuple[str, str]:
    role = copy.add("role", "app")
    key = copy.add("key", "data")
    copy.post("attempts/save/", {"principal": role, "action": "kms:Encrypt", "resource": key})
    return role, key


def _allow_role(role: str) -> str:
    return _policy(
        {"Effect": "Allow", "Principal": {"AWS": role}, "Action": "kms:*", "Resource": "*"}
    )


def _verdict(copy) -> tuple[str, str]:
    shown = copy.shown()["encrypt-1"]
    return shown["authorization"], shown["outcome"]


def test_a_saved_attempt_shows_its_verdict_before_it_is_run(copy):
    _setup(copy)
    assert _verdict(copy) == ("implicit_deny", "AccessDeniedException")


def test_a_policy_edit_then_undo_and_redo_each_show_the_current_verdict(copy):
    role, key = _setup(copy)
    copy.post("policies/save/", {"ref": key, "path": "/policy", "text": _allow_role(role)})
    assert _verdict(copy) == ("allow", "Success")
    copy.post("undo/")
    assert _verdict(copy) == ("implicit_deny", "AccessDeniedException")
    copy.post("redo/")
    assert _verdict(copy) == ("allow", "Success")


def test_a_property_edit_changes_the_outcome_shown(copy):
    role, key = _setup(copy)
    copy.post("policies/save/", {"ref": key, "path": "/policy", "text": _allow_role(role)})
    form = {"ref": key, "aliases": "alias/data", "manager": "CUSTOMER", "origin": "AWS_KMS"}
    copy.post("nodes/props/", {**form, "state": "Disabled"})
    assert _verdict(copy) == ("allow", "DisabledException")


def test_a_grant_edit_changes_the_verdict_shown(copy):
    role, key = _setup(copy)
    grant = {"ref": key, "grantee": role, "operations": ["Encrypt"], "propagated": "on"}
    copy.post("grants/save/", grant)
    assert _verdict(copy) == ("allow", "Success")


def test_an_import_shows_the_imported_scenarios_verdicts(copy):
    role, _ = _setup(copy)
    doc = json.loads(json.dumps(copy.doc))
    doc["keys"][0]["policy"] = json.loads(_allow_role(role))
    response = copy.post("import/", {"text": json.dumps(doc)})
    assert response.status_code == 204
    assert _verdict(copy) == ("allow", "Success")


def test_the_page_and_the_canvas_show_the_current_revision_after_a_reload(copy, client):
    role, key = _setup(copy)
    copy.post("policies/save/", {"ref": key, "path": "/policy", "text": _allow_role(role)})
    page = client.get(copy.base).content.decode()
    assert 'data-attempt="encrypt-1" data-authorization="allow"' in page
    canvas = client.get(copy.base + "canvas/", **HX).content.decode()
    assert f'arrow arrow-allowed" data-source="{role}" data-target="{key}"' in canvas


def test_a_verdict_that_reads_the_clock_changes_when_the_time_passes(copy, monkeypatch):
    role, key = _setup(copy)
    until = {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": role},
        "Action": "kms:*",
        "Resource": "*",
        "Condition": until,
    }
    monkeypatch.setattr(engine, "now", lambda: datetime(2029, 12, 31, 23, 59, tzinfo=UTC))
    copy.post("policies/save/", {"ref": key, "path": "/policy", "text": _policy(statement)})
    assert _verdict(copy) == ("allow", "Success")
    monkeypatch.setattr(engine, "now", lambda: datetime(2030, 1, 1, 0, 1, tzinfo=UTC))
    assert _verdict(copy) == ("implicit_deny", "AccessDeniedException")  # no edit, only time
