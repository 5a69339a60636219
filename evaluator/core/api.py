"""Helpers the web side needs beyond `evaluate`: live policy checks and the
access arrows of the canvas."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from .crypto import KeyMaterial, MemoryMaterial
from .engine import compile_scenario
from .jsonpos import JsonTextError, parse_json, positions
from .keytrust import key_policy_checks, lockout_risk
from .kms_auth import KmsCall, authorize_kms
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
