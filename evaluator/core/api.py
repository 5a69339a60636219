"""Helpers the web side needs beyond `evaluate`: live policy checks and the
access matrix (the canvas arrows, the matrix view, the decision diff)."""

from __future__ import annotations

from datetime import datetime

from .compiled import compile_scenario
from .jsonpos import JsonTextError, parse_json, positions
from .keytrust import key_policy_checks, lockout_risk
from .matrix import AccessMatrix, decide_matrix
from .model import Scenario
from .policy import parse_policy
from .problems import Problem, locate


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


def access_matrix(
    scenario: Scenario, *, now: datetime, previous: AccessMatrix | None = None
) -> AccessMatrix:
    """Every edge (principal x key x operation, role trust, bucket -> key), decided
    by the evaluator; `previous` (an earlier revision's matrix) lets it re-decide
    only the rows and columns that changed. Empty for a scenario with errors."""
    world = compile_scenario(scenario)
    if any(p.is_error for p in world.problems):
        return AccessMatrix(())
    return decide_matrix(scenario, world, now=now, previous=previous)
