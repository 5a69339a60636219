"""Helpers the web side needs beyond `evaluate`: live policy checks and the
access arrows of the canvas."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from .crypto import KeyMaterial, MemoryMaterial
from .engine import compile_scenario, policy_problems
from .jsonpos import JsonTextError, decode_text, parse_json, positions
from .keytrust import key_policy_checks, lockout_risk
from .kms_auth import KmsCall, authorize_kms
from .loader import LoadResult, load_scenario
from .model import Scenario
from .policy import parse_policy
from .problems import Problem, locate
from .runtime import Env, Identity
from .trace import NULL_TRACER


def check_policy(text: str, kind: str) -> list[Problem]:
    """Validate one policy's text as the user typed it; problems carry line and column."""
    try:
        document = parse_json(text)
    except JsonTextError as exc:
        return [exc.problem]
    policy, probs = parse_policy(document, kind=kind)
    if kind == "key":
        probs += key_policy_checks(policy, text, "")
        if policy is not None:
            probs += lockout_risk(policy, "")
    return locate(probs, positions(text)) if probs else []


def check_scenario(source: str | bytes | Mapping[str, object]) -> LoadResult:
    """load_scenario, then every policy compiled: all a document's problems, located.

    A document the loader accepts may still hold a policy the evaluator cannot
    compile (a key policy statement with no Principal, one over AWS's size
    limit); such a scenario runs no attempt, so whoever stores documents asks this.
    """
    text = None if isinstance(source, Mapping) else decode_text(source)
    result = load_scenario(source if text is None else text)
    if not result.ok or result.scenario is None:
        return result
    found = policy_problems(result.scenario, positions(text) if text is not None else None)
    if not found:
        return result
    problems = result.problems + tuple(found)
    scenario = None if any(p.is_error for p in found) else result.scenario
    return LoadResult(scenario, problems)


@dataclass(frozen=True, slots=True)
class Edge:
    principal: str
    key: str
    action: str
    authorization: str
    via_grant: bool


def access_edges(
    scenario: Scenario,
    *,
    now: datetime,
    material: KeyMaterial | None = None,
    actions: tuple[str, ...] = ("Encrypt", "Decrypt"),
) -> list[Edge]:
    """Who may use which key, as the evaluator decides it (authorization only)."""
    world = compile_scenario(scenario)
    if any(p.is_error for p in world.problems):
        return []
    env = Env(world, now, material or MemoryMaterial(os.urandom), os.urandom, False)
    edges = []
    for principal in scenario.principals:
        caller, entity = world.caller(principal.arn)
        ident = Identity(caller, entity, ())
        for key in scenario.keys:
            for op in actions:
                res = authorize_kms(env, ident, key, KmsCall(op), None, NULL_TRACER)
                via = res.decided is not None and res.decided.path == "grant"
                edges.append(Edge(principal.arn, key.arn, f"kms:{op}", res.authorization, via))
    return edges
