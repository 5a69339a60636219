"""evaluate(): run a scenario's attempts, the one entry point every interface calls."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .attempts import run_attempt
from .budget import Budget, BudgetExceeded
from .compiled import compile_scenario
from .crypto import KeyMaterial, MemoryMaterial, Random
from .model import Scenario
from .problems import Problem, problem
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
    budget: Budget | None = None,
) -> Evaluation:
    """Evaluate the attempts in document order (later ones may use earlier ciphertexts).

    `attempt_ids` selects what is reported; every attempt before the last one
    selected still runs, since a later one may use what an earlier one
    produced, and none after it (nothing reported can depend on those). The
    command line splits a large independent batch over processes itself
    (evaluator/cli.py).

    `budget` bounds the work of one request (steps, and time by the clock it
    carries); when it runs out the evaluation stops with an `evaluation.budget`
    error and the results of the attempts that finished.
    """
    world = compile_scenario(scenario)
    problems = tuple(world.problems)
    if any(p.is_error for p in problems):
        return Evaluation((), problems)
    wanted = set(attempt_ids) if attempt_ids is not None else None
    pending = len(wanted) if wanted is not None else -1
    env = Env(world, now, material or MemoryMaterial(rng), rng, trace)
    if budget is not None:
        env.budget = budget
        budget.start()
    results: list[AttemptResult] = []
    # The budget is the context's too, so a long wildcard match polls its clock.
    with env.budget.watching():
        for index, attempt in enumerate(scenario.attempts):
            # Every attempt runs so later ones can use what earlier ones produced.
            tr = Tracer() if trace and (wanted is None or attempt.id in wanted) else NULL_TRACER
            try:
                env.budget.charge()
                result = run_attempt(env, attempt, tr)
            except BudgetExceeded as exc:
                where = attempt.pointer or f"/attempts/{index}"
                message = (
                    f'Evaluation stopped at attempt "{attempt.id}": {exc.message}. '
                    "Run fewer attempts at once, or make the scenario smaller."
                )
                stopped = problem("evaluation.budget", message, where)
                return Evaluation(tuple(results), (*problems, *env.problems, stopped))
            if wanted is None or attempt.id in wanted:
                results.append(result)
                pending -= 1
                if pending == 0:
                    break  # every selected attempt ran; later ones cannot change them
    return Evaluation(tuple(results), problems + tuple(env.problems))
