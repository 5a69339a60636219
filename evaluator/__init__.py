"""KMS Playground's evaluator: the AWS policy language, the authorization
engine and the KMS service model, in plain Python (no Django in the core).

This module is the whole public surface the web side and the command line use:
`vocabulary` is the module of format 1's value sets (key states, outcomes,
grant operations, attempt members), which the forms offer as choices.
"""

from evaluator import catalogue as _catalogue
from evaluator.catalogue_data import Catalogue, load_catalogue
from evaluator.core import vocabulary
from evaluator.core.api import access_matrix, check_policy, check_scenario
from evaluator.core.arn import (
    alias_arn,
    bucket_arn,
    group_arn,
    key_arn,
    object_arn,
    principal_arn,
    root_arn,
    session_arn,
)
from evaluator.core.attempts import expectation_holds
from evaluator.core.budget import Budget, BudgetExceeded
from evaluator.core.compiled import policy_problems
from evaluator.core.crypto import KeyMaterial, MemoryMaterial
from evaluator.core.engine import Evaluation, evaluate
from evaluator.core.jsonpos import JsonTextError, parse_json
from evaluator.core.loader import LoadResult, load_scenario
from evaluator.core.matrix import AccessMatrix, Edge
from evaluator.core.model import Scenario
from evaluator.core.pointer import pointer_join, pointer_parts, value_at
from evaluator.core.policy import Policy, parse_policy
from evaluator.core.problems import CATALOGUE, Problem
from evaluator.core.proven import ProvenFix, json_diff, proven_fixes
from evaluator.core.render import render_result
from evaluator.core.trace import AttemptResult, Decision, Step, step_dict
from evaluator.core.vocabulary import is_denial


def catalogue_problems(text: str) -> list[Problem]:
    """Warnings for policy text from AWS's catalogue of actions and condition keys."""
    return _catalogue.check_text(text, load_catalogue())


def catalogue_actions() -> list[str]:
    """Every KMS, S3, STS and IAM action AWS lists, `service:Name`, sorted."""
    return load_catalogue().action_names()


__all__ = [
    "CATALOGUE",
    "AccessMatrix",
    "AttemptResult",
    "Budget",
    "BudgetExceeded",
    "Catalogue",
    "Decision",
    "Edge",
    "Evaluation",
    "JsonTextError",
    "KeyMaterial",
    "LoadResult",
    "MemoryMaterial",
    "Policy",
    "Problem",
    "ProvenFix",
    "Scenario",
    "Step",
    "access_matrix",
    "alias_arn",
    "bucket_arn",
    "catalogue_actions",
    "catalogue_problems",
    "check_policy",
    "check_scenario",
    "evaluate",
    "expectation_holds",
    "group_arn",
    "is_denial",
    "json_diff",
    "key_arn",
    "load_catalogue",
    "load_scenario",
    "object_arn",
    "parse_json",
    "parse_policy",
    "pointer_join",
    "pointer_parts",
    "policy_problems",
    "principal_arn",
    "proven_fixes",
    "render_result",
    "root_arn",
    "session_arn",
    "step_dict",
    "value_at",
    "vocabulary",
]
