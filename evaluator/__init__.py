"""KMS Playground's evaluator: the AWS policy language, the authorization
engine and the KMS service model, in plain Python (no Django in the core).

This module is the whole public surface the web side and the command line use.
"""

from evaluator.core.api import Edge, access_edges, check_policy, check_scenario
from evaluator.core.budget import Budget, BudgetExceeded
from evaluator.core.crypto import KeyMaterial, MemoryMaterial
from evaluator.core.engine import Evaluation, evaluate, expectation_holds, policy_problems
from evaluator.core.jsonpos import JsonTextError, parse_json
from evaluator.core.loader import LoadResult, load_scenario
from evaluator.core.model import Scenario
from evaluator.core.policy import Policy, parse_policy
from evaluator.core.problems import CATALOGUE, Problem
from evaluator.core.render import render_result
from evaluator.core.trace import AttemptResult, Decision, Step, step_dict

__all__ = [
    "CATALOGUE",
    "AttemptResult",
    "Budget",
    "BudgetExceeded",
    "Decision",
    "Edge",
    "Evaluation",
    "JsonTextError",
    "KeyMaterial",
    "LoadResult",
    "MemoryMaterial",
    "Policy",
    "Problem",
    "Scenario",
    "Step",
    "access_edges",
    "check_policy",
    "check_scenario",
    "evaluate",
    "expectation_holds",
    "load_scenario",
    "parse_json",
    "parse_policy",
    "policy_problems",
    "render_result",
    "step_dict",
]
