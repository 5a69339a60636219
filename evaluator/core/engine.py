"""evaluate(): run a scenario's attempts, the one entry point every interface calls."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .attempts import run_attempt
from .compiled import compile_scenario
from .crypto import KeyMaterial, MemoryMaterial, Random
from .model import Scenario
from .problems import Problem
from .runtime import Env
from .trace import NULL_TRACER, AttemptResult, Tracer


@dataclass(frozen=True)
class Evaluation:
    results: tuple[AttemptResult, ...]
    # The scenario's policy problems, then those of session policies, which are
    # compiled when their attempt runs (one process only: a forked batch has none).
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def evaluate(
    scenario: Scenario,
    *,
    now: datetime,
    attempt_ids: Iterable[str] | None = None,
    trace: bool = True,
    material: KeyMaterial | None = None,
    rng: Random = os.urandom,
) -> Evaluation:
    """Evaluate the attempts in document order (later ones may use earlier ciphertexts).

    `attempt_ids` selects what is reported; every attempt still runs, since a
    later one may use what an earlier one produced. The command line splits a
    large independent batch over processes itself (evaluator/cli.py).
    """
    world = compile_scenario(scenario)
    problems = tuple(world.problems)
    if any(p.is_error for p in problems):
        return Evaluation((), problems)
    wanted = set(attempt_ids) if attempt_ids is not None else None
    env = Env(world, now, material or MemoryMaterial(rng), rng, trace)
    results = []
    for attempt in scenario.attempts:
        # Every attempt runs so later ones can use what earlier ones produced.
        tr = Tracer() if trace and (wanted is None or attempt.id in wanted) else NULL_TRACER
        result = run_attempt(env, attempt, tr)
        if wanted is None or attempt.id in wanted:
            results.append(result)
    return Evaluation(tuple(results), problems + tuple(env.problems))
