"""The canvas and the evaluator agree on every edge of every example and case file.

For each document: every edge of the access matrix is replayed as an attempt
through `evaluate` (the pipeline a user's Run button uses) and must get the
same authorization; every arrow the canvas draws must be an edge with the
status the evaluator gave it; and every allowed edge between two drawn nodes
must be drawn.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import evaluator
from playground import canvas, engine

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("examples/*.json"), *ROOT.glob("tests/cases/*/*.json")])


def _doc(path: Path) -> dict:
    return json.loads(path.read_text())


def _replay(edge) -> dict:
    """The attempt that asks the evaluator the edge's question."""
    if edge.kind == "trust":
        principal = f"arn:aws:iam::{edge.source}:root" if edge.source.isdigit() else edge.source
        attempt = {"principal": principal, "action": "sts:AssumeRole", "resource": edge.target}
        if edge.context:
            attempt["context"] = {"sts:ExternalId": dict(edge.context)["sts:ExternalId"]}
        return attempt
    attempt = {"principal": edge.source, "action": edge.operation, "resource": edge.target}
    if edge.context:
        attempt["encryption_context"] = dict(edge.context)
    if edge.via:
        attempt["via_service"] = "s3.{region}.amazonaws.com"
    return attempt


def _unlisted(scenario, matrix) -> list[dict]:
    """Attempts for every principal x key and caller x role pair the matrix omits."""
    listed = {(e.kind, e.source, e.target) for e in matrix.edges}
    out = []
    for p in scenario.principals:
        for key in scenario.keys:
            if ("key", p.arn, key.arn) not in listed:
                out += [
                    {"principal": p.arn, "action": op, "resource": key.arn}
                    for op in ("kms:Encrypt", "kms:Decrypt")
                ]
    callers = [(a.id, f"arn:aws:iam::{a.id}:root") for a in scenario.accounts]
    callers += [(p.arn, p.arn) for p in scenario.principals]
    for role in scenario.principals:
        if role.type != "role":
            continue
        for ref, arn in callers:
            if ref != role.arn and ("trust", ref, role.arn) not in listed:
                out.append({"principal": arn, "action": "sts:AssumeRole", "resource": role.arn})
    return out


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_every_edge_is_what_the_evaluator_decides_and_what_the_canvas_draws(path):
    doc = _doc(path)
    loaded = evaluator.load_scenario(doc)
    assert loaded.ok, loaded.problems
    matrix = engine.access_matrix(loaded.scenario)
    edges = [e for e in matrix.edges if e.kind != "sse"]
    assert edges or not loaded.scenario.principals

    region = loaded.scenario.region
    attempts = []
    for n, edge in enumerate(edges):
        attempt = {"id": f"edge-{n}", **_replay(edge)}
        if "via_service" in attempt:
            attempt["via_service"] = attempt["via_service"].format(region=region)
        attempts.append(attempt)
    unlisted = _unlisted(loaded.scenario, matrix)
    attempts += [{"id": f"unlisted-{n}", **a} for n, a in enumerate(unlisted)]
    # The replay has attempts of its own, so the goals (which name attempts) go.
    base = {k: v for k, v in doc.items() if k != "goals"}
    replay = evaluator.load_scenario({**base, "attempts": attempts})
    assert replay.ok, replay.problems
    results = evaluator.evaluate(replay.scenario, now=engine.now(), trace=False).results
    said = {r.id: r.authorization for r in results}
    disagree = [
        (e.kind, e.source, e.target, e.operation, e.via, e.authorization, said[f"edge-{n}"])
        for n, e in enumerate(edges)
        if said[f"edge-{n}"] != e.authorization
    ]
    assert not disagree
    # A pair the matrix leaves out is one the resource policy cannot let in.
    let_in = [a for n, a in enumerate(unlisted) if said[f"unlisted-{n}"] == "allow"]
    assert not let_in

    drawn = canvas.build(doc, matrix.edges)
    geo = drawn.geometry
    by_pair: dict[tuple[str, str, str], list] = {}
    for e in matrix.edges:
        by_pair.setdefault((e.kind, e.source, e.target), []).append(e)
    kinds = {"access": "key", "trust": "trust", "sse": "sse"}
    for arrow in drawn.arrows:
        group = by_pair.get((kinds[arrow.kind], arrow.source, arrow.target))
        assert group, f"{arrow.kind} arrow {arrow.source} -> {arrow.target} has no edge"
        allowed = any(e.allowed for e in group)
        assert (arrow.status != "denied") == allowed, (arrow.source, arrow.target, arrow.status)
    shown = {(kinds[a.kind], a.source, a.target) for a in drawn.arrows}
    boxes = set(geo.nodes) | set(geo.accounts)
    for (kind, source, target), group in by_pair.items():
        if not any(e.allowed for e in group) or source not in boxes or target not in boxes:
            continue
        if kind == "trust" and canvas.shown_trust(group[0], geo) is None:
            continue  # the account's own roles, or a caller the trust policy names only by account
        assert (kind, source, target) in shown, f"allowed {kind} {source} -> {target} not drawn"


def test_the_replication_example_draws_the_keys_its_attempt_uses():
    doc = _doc(ROOT / "examples" / "08-replication-with-sse-kms.json")
    loaded = evaluator.load_scenario(doc)
    drawn = canvas.build(doc, engine.access_matrix(loaded.scenario).edges)
    role = "arn:aws:iam::111122223333:role/s3-replication"
    from_role = [a for a in drawn.arrows if a.kind == "access" and a.source == role]
    allowed = [a for a in from_role if a.status == "allowed"]
    assert allowed and all("via S3" in a.label for a in allowed)
    (result,) = evaluator.evaluate(
        loaded.scenario, now=engine.now(), attempt_ids=["replicate-order"]
    ).results
    assert result.authorization == "allow"
