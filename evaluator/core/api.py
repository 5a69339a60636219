"""Helpers the web side needs beyond `evaluate`: live policy checks and the
access matrix (the canvas arrows, the matrix view, the decision diff)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from .budget import Budget
from .compiled import compile_scenario, policy_problems
from .context import CLOCK_KEYS
from .jsonpos import JsonTextError, decode_text, parse_json, positions
from .keytrust import key_policy_checks, lockout_risk
from .loader import LoadResult, load_scenario
from .matrix import AccessMatrix, decide_matrix
from .model import Scenario
from .policy import parse_policy
from .problems import Problem, locate


def reads_clock(document: Mapping[str, object]) -> bool:
    """Whether the document names aws:CurrentTime or aws:EpochTime anywhere, so
    its answers can change with the time alone (then they are not worth keeping)."""
    return CLOCK_KEYS.search(json.dumps(document)) is not None


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


def access_matrix(
    scenario: Scenario,
    *,
    now: datetime,
    previous: AccessMatrix | None = None,
    budget: Budget | None = None,
) -> AccessMatrix:
    """Every edge (principal x key x operation, role trust, bucket -> key), decided
    by the evaluator; `previous` (an earlier revision's matrix) lets it re-decide
    only the rows and columns that changed. Empty for a scenario with errors."""
    world = compile_scenario(scenario)
    if any(p.is_error for p in world.problems):
        return AccessMatrix(())
    return decide_matrix(scenario, world, now=now, previous=previous, budget=budget)
