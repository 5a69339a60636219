"""What the forms share: field limits, the format's value sets, grants, key=value text.

The value sets (key states, outcomes, grant operations) are the evaluator's
(`evaluator.vocabulary`), so a form never offers what the loader would refuse.
"""

from __future__ import annotations

import json

from django import forms

from evaluator import vocabulary

MAX_REF = 400
MAX_POLICY_CHARS = 40_000  # above every AWS policy size limit (key policies: 32 KB)
GRANT_OPERATIONS = vocabulary.MODELLED_GRANT_OPERATIONS
KEY_STATES = vocabulary.KEY_STATES
KEY_MANAGERS = vocabulary.KEY_MANAGERS
KEY_ORIGINS = vocabulary.KEY_ORIGINS
GRANT_CONSTRAINT_CHOICES = [
    ("", "none"),
    *((kind, f"context {kind}") for kind in vocabulary.GRANT_CONSTRAINTS),
]
_EXPECTATION_LABELS = {
    "allow": "allow",
    "deny": "deny (either kind)",
    "implicit_deny": "implicit deny",
    "explicit_deny": "explicit deny",
}
# An attempt's `expect`: nothing, an authorization, or an outcome code (as itself).
EXPECTATION_CHOICES = [
    ("", "no expectation"),
    *((v, _EXPECTATION_LABELS.get(v, v)) for v in vocabulary.EXPECTATIONS),
]


def grant_document(
    grantee: str,
    operations: list[str],
    *,
    constraint: str = "",
    context: dict[str, str] | None = None,
    retiring: str = "",
    name: str = "",
) -> dict:
    """A grant as the scenario document writes it (format 1), empty members left out."""
    grant: dict = {"grantee": grantee, "operations": operations}
    if name:
        grant["name"] = name
    if retiring:
        grant["retiring"] = retiring
    if constraint:
        grant["constraints"] = {f"encryption_context_{constraint}": context or {}}
    return grant


def choices(values) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


def parse_pairs(text: str, field: str) -> dict[str, str]:
    """`key=value` lines into a dict; blank lines are skipped."""
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise forms.ValidationError(f"{field}, line {number}: write it as key=value.")
        out[key.strip()] = value.strip()
    return out


def format_pairs(mapping: object) -> str:
    if not isinstance(mapping, dict):
        return ""
    return "\n".join(
        f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in mapping.items()
    )
