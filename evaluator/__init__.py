"""KMS Playground's evaluator: the AWS policy language, the authorization
engine and the KMS service model, in plain Python (no Django in the core).

This module is the whole public surface the web side and the command line use.
"""

from evaluator.core.api import access_matrix, check_policy
from evaluator.core.crypto import KeyMaterial, MemoryMaterial
from evaluator.core.engine import Evaluation, evaluate, expectation_holds, policy_problems
from evaluator.core.loader import LoadResult, load_scenario
from evaluator.core.matrix import AccessMatrix, Edge
from evaluator.core.model import Scenario
from evaluator.core.policy import Policy, parse_policy
from evaluator.core.problems import CATALOGUE, Problem
from evaluator.core.render import render_result
from evaluator.core.trace import AttemptResult, Decision, Step, step_dict

__all__ = [
    "CATALOGUE",
    "AccessMatrix",
    "AttemptResult",
    "Decision",
    "Edge",
    "Evaluation",
    "KeyMaterial",
    "LoadResult",
    "MemoryMaterial",
    "Policy",
    "Problem",
    "Scenario",
    "Step",
    "access_matrix",
    "check_policy",
    "evaluate",
    "expectation_holds",
    "load_scenario",
    "parse_policy",
    "policy_problems",
    "render_result",
    "step_dict",
]
