"""What the page shows after each edit, worked out incrementally (the access
matrix re-decides only what the edit can move, the loaded scenario is the one
the save checked), equals the same revision worked out from scratch: every
matrix edge, every attempt's badge, and the decision diff."""

from __future__ import annotations

import json

import pytest

import evaluator
from playground import changes, engine, tracing, verdicts, workspace
from tests.playground.conftest import imported

pytestmark = pytest.mark.django_db

ACCOUNT = "111122223333"


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _from_scratch(doc: dict):
    """(matrix edges, attempt summaries) of `doc`, with no cache and no previous matrix."""
    loaded = evaluator.load_scenario(doc)
    assert loaded.ok, loaded.problems
    matrix = evaluator.access_matrix(loaded.scenario, now=engine.now())
    run = evaluator.evaluate(loaded.scenario, now=engine.now(), trace=False)
    summaries = {r.id: tracing.summary(r) for r in run.results}
    return list(matrix.edges), summaries


def _texts(items) -> list[tuple[str, bool, str]]:
    return [(c.kind, c.gained, c.text) for c in items]


def _assert_shown_equals_scratch(copy, before: dict) -> None:
    wc = copy.wc
    space = workspace.from_copy(wc, True)
    shown = verdicts.of(space)
    edges, summaries = _from_scratch(wc.document)
    assert list(shown.edges) == edges
    assert shown.attempts == summaries
    # The decision diff, from the cached verdicts of both revisions, against the
    # diff of the two revisions decided from scratch.
    old_edges, old_summaries = _from_scratch(before)
    old = verdicts.Verdicts(old_summaries, evaluator.AccessMatrix(tuple(old_edges)), True)
    new = verdicts.Verdicts(summaries, evaluator.AccessMatrix(tuple(edges)), True)
    expected = changes.diff(old, new, before, wc.document)
    assert _texts(workspace.changes_context(space)["changes"]) == _texts(
        expected[: workspace.CHANGES_SHOWN]
    )


def test_each_edit_through_the_app_shows_what_a_from_scratch_run_shows(copy):
    imported(copy)
    doc = copy.doc
    roles = [f"arn:aws:iam::{ACCOUNT}:role/{p['name']}" for p in doc["principals"]]
    keys = [f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{k['id']}" for k in doc["keys"]]
    anyone = {"Effect": "Allow", "Principal": {"AWS": roles[1]}, "Action": "kms:*", "Resource": "*"}
    edits = [
        ("policies/save/", {"ref": keys[0], "path": "/policy", "text": _policy(anyone)}),
        (
            "policies/save/",
            {
                "ref": keys[1],
                "path": "/policy",
                "text": _policy({**anyone, "Effect": "Deny", "Action": "kms:Decrypt"}),
            },
        ),
        (
            "policies/save/",
            {
                "ref": roles[0],
                "path": "/trust_policy",
                "text": _policy(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ),
            },
        ),
        (
            "grants/save/",
            {"ref": keys[2], "grantee": roles[2], "operations": ["Decrypt", "Encrypt"]},
        ),
        (
            "attempts/save/",
            {
                "principal": roles[1],
                "action": "kms:Encrypt",
                "resource": keys[2],
                "encryption_context": "tenant=a",
            },
        ),
        ("undo/", {}),
        ("undo/", {}),
        ("redo/", {}),
    ]
    for route, data in edits:
        before = copy.doc
        response = copy.post(route, data)
        assert response.status_code in (200, 204), (route, response.content[:300])
        assert copy.doc != before, route  # each one is an edit the page must follow
        _assert_shown_equals_scratch(copy, before)
