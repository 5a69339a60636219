"""The one place the web app talks to the evaluator (its public surface only).

Views and modules of the playground call these helpers, so the evaluator's
types stay out of templates: problems become plain dicts, results are read
through small functions.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings

import evaluator
from evaluator.aws_import import paste_aws as paste_aws
from evaluator.aws_import import unwrap_policy as unwrap_policy
from playground.keystore import DbKeyMaterial

load_scenario = evaluator.load_scenario
check_policy = evaluator.check_policy
catalogue_actions = evaluator.catalogue_actions
expectation_holds = evaluator.expectation_holds
parse_json = evaluator.parse_json
JsonTextError = evaluator.JsonTextError


def problem_dicts(problems) -> list[dict]:
    return [p.as_dict() for p in problems]


def digests(document: dict) -> tuple[str, str]:
    """(fingerprint without the layout, fingerprint of the whole document), from
    one dump of the document: moving a node decides nothing, so the verdicts are
    remembered by the first, the loaded scenario and the drawing by the second."""
    body = {k: v for k, v in document.items() if k != "layout"}
    bare = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    if "layout" not in document:
        return bare, bare
    layout = json.dumps(document["layout"], sort_keys=True)
    return bare, hashlib.sha256(f"{bare}\n{layout}".encode()).hexdigest()


def digest(document: dict) -> str:
    """The fingerprint a document is remembered by (the whole of it)."""
    return digests(document)[1]


_LOADED: OrderedDict[str, object] = OrderedDict()


def _remember(key: str, result) -> None:
    _LOADED[key] = result
    _LOADED.move_to_end(key)
    if len(_LOADED) > 32:
        _LOADED.popitem(last=False)


def load(document: dict, *, key: str | None = None):
    """load_scenario, remembered per document: a save validates the document and
    the requests that follow read the same revision, so each revision is loaded
    (and its policies compiled, see evaluator.compile_scenario) once."""
    key = key or digest(document)  # the caller may know the document's digest already
    found = _LOADED.get(key)
    if found is None:
        found = load_scenario(document)  # which reads a private copy of the mapping
        _remember(key, found)
    else:
        _LOADED.move_to_end(key)
    return found


def check(source):
    """load_scenario plus every policy compiled: what a stored document must pass.

    A document that passes is remembered as loaded (and compiled): the save that
    checks a revision is followed by the requests that show it."""
    try:
        result = evaluator.check_scenario(source)
    except evaluator.JsonTextError as exc:  # an uploaded file that is not UTF-8 text
        return evaluator.LoadResult(None, (exc.problem,))
    if result.ok and isinstance(source, dict):
        _remember(digest(source), result)
    return result


def check_text(text: str, kind: str) -> tuple[object | None, list[dict]]:
    """(parsed policy or None, problems) for policy text typed by a user.

    The parsed value is returned only when the text has no error; warnings
    do not stop a policy from being saved.
    """
    found = [*check_policy(text, kind), *evaluator.catalogue_problems(text)]
    problems = problem_dicts(found)
    if any(p["severity"] == "error" for p in problems):
        return None, problems
    try:
        return evaluator.parse_json(text), problems
    except ValueError:  # check_policy found no error, so this is unexpected
        return None, problems


reads_clock = evaluator.reads_clock


def now() -> datetime:
    return datetime.now(UTC)


def _new_budget() -> evaluator.Budget:
    return evaluator.Budget(
        steps=settings.EVALUATION_STEPS,
        seconds=settings.EVALUATION_SECONDS,
        clock=time.monotonic,
    )


# One budget for everything the evaluator does in a request (attempts, the
# access matrix, proven fixes), so no page adds several budgets up.
_REQUEST_BUDGET: ContextVar[evaluator.Budget | None] = ContextVar("request_budget", default=None)


def budget() -> evaluator.Budget:
    """The current request's evaluation budget, from the settings (time by the
    monotonic clock); outside a request, a fresh one."""
    return _REQUEST_BUDGET.get() or _new_budget()


class RequestBudget:
    """Middleware: each request gets its own evaluation budget."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        token = _REQUEST_BUDGET.set(_new_budget())
        try:
            return self.get_response(request)
        finally:
            _REQUEST_BUDGET.reset(token)


def evaluate(scenario, lineage: str, *, attempt_ids=None, trace: bool = True):
    return evaluator.evaluate(
        scenario,
        attempt_ids=attempt_ids,
        trace=trace,
        now=now(),
        material=DbKeyMaterial(lineage),
        budget=budget(),
    )


def access_matrix(scenario, *, previous=None):
    """The evaluator's access matrix; `previous` lets it re-decide only what changed."""
    return evaluator.access_matrix(scenario, now=now(), previous=previous, budget=budget())


def proven_fixes(document: dict, attempt_id: str, lineage: str):
    """Edits that make a denied attempt allowed, each proven on a copy, ranked."""
    return evaluator.proven_fixes(
        document, attempt_id, now=now(), material=DbKeyMaterial(lineage), budget=budget()
    )


json_diff = evaluator.json_diff


def empty_matrix():
    return evaluator.AccessMatrix(())
