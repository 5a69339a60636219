"""KMS Playground's evaluator: the AWS policy language, the authorization
engine and the KMS service model, in plain Python (no Django in the core).

This module is the whole public surface the web side and the command line use:
`vocabulary` is the module of format 1's value sets (key states, outcomes,
grant operations, attempt members), which the forms offer as choices.

The catalogue, the access matrix, policy checks and proven fixes are imported
on first use: the command line (evaluator/cli.py) needs none of them, and they
are a quarter of its start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from evaluator.core import vocabulary
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
from evaluator.core.model import Scenario
from evaluator.core.pointer import pointer_join, pointer_parts, value_at
from evaluator.core.policy import Policy, parse_policy
from evaluator.core.problems import CATALOGUE, Problem
from evaluator.core.render import render_result
from evaluator.core.trace import AttemptResult, Decision, Step, step_dict
from evaluator.core.vocabulary import is_denial

if TYPE_CHECKING:
    from evaluator.catalogue_data import Catalogue, load_catalogue
    from evaluator.core.api import access_matrix, check_policy, check_scenario, reads_clock
    from evaluator.core.matrix import AccessMatrix, Edge
    from evaluator.core.proven import ProvenFix, json_diff, proven_fixes

_LAZY = {
    "Catalogue": "evaluator.catalogue_data",
    "load_catalogue": "evaluator.catalogue_data",
    "access_matrix": "evaluator.core.api",
    "check_policy": "evaluator.core.api",
    "check_scenario": "evaluator.core.api",
    "reads_clock": "evaluator.core.api",
    "AccessMatrix": "evaluator.core.matrix",
    "Edge": "evaluator.core.matrix",
    "ProvenFix": "evaluator.core.proven",
    "json_diff": "evaluator.core.proven",
    "proven_fixes": "evaluator.core.proven",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'evaluator' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # looked up once
    return value


def catalogue_problems(text: str) -> list[Problem]:
    """Warnings for policy text from AWS's catalogue of actions and condition keys."""
    from evaluator import catalogue
    from evaluator.catalogue_data import load_catalogue

    return catalogue.check_text(text, load_catalogue())


def catalogue_actions() -> list[str]:
    """Every KMS, S3, STS and IAM action AWS lists, `service:Name`, sorted."""
    from evaluator.catalogue_data import load_catalogue

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
    "reads_clock",
    "render_result",
    "root_arn",
    "session_arn",
    "step_dict",
    "value_at",
    "vocabulary",
]
